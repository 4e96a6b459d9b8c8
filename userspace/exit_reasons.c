// SPDX-License-Identifier: GPL-2.0
/*
 * exit_reasons.c - the VMX and SVM exit reason tables.
 *
 * VMX: Intel SDM Vol. 3, Appendix C, "VMX Basic Exit Reasons".
 * SVM: AMD APM Vol. 2, Appendix C, "SVM Intercept Exit Codes".
 * A code absent here is undefined by the manual (the KVM patch answers
 * EDX = 0xffffffff for it).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "exit_reasons.h"

static const struct exit_reason vmx_reasons[] = {
	{ 0, "EXCEPTION_NMI" },
	{ 1, "EXTERNAL_INTERRUPT" },
	{ 2, "TRIPLE_FAULT" },
	{ 3, "INIT_SIGNAL" },
	{ 4, "SIPI_SIGNAL" },
	{ 5, "IO_SMI" },
	{ 6, "OTHER_SMI" },
	{ 7, "INTERRUPT_WINDOW" },
	{ 8, "NMI_WINDOW" },
	{ 9, "TASK_SWITCH" },
	{ 10, "CPUID" },
	{ 11, "GETSEC" },
	{ 12, "HLT" },
	{ 13, "INVD" },
	{ 14, "INVLPG" },
	{ 15, "RDPMC" },
	{ 16, "RDTSC" },
	{ 17, "RSM" },
	{ 18, "VMCALL" },
	{ 19, "VMCLEAR" },
	{ 20, "VMLAUNCH" },
	{ 21, "VMPTRLD" },
	{ 22, "VMPTRST" },
	{ 23, "VMREAD" },
	{ 24, "VMRESUME" },
	{ 25, "VMWRITE" },
	{ 26, "VMXOFF" },
	{ 27, "VMXON" },
	{ 28, "CR_ACCESS" },
	{ 29, "DR_ACCESS" },
	{ 30, "IO_INSTRUCTION" },
	{ 31, "MSR_READ" },
	{ 32, "MSR_WRITE" },
	{ 33, "INVALID_STATE" },
	{ 34, "MSR_LOAD_FAIL" },
	{ 36, "MWAIT" },
	{ 37, "MONITOR_TRAP_FLAG" },
	{ 39, "MONITOR" },
	{ 40, "PAUSE" },
	{ 41, "MCE_DURING_VMENTRY" },
	{ 43, "TPR_BELOW_THRESHOLD" },
	{ 44, "APIC_ACCESS" },
	{ 45, "EOI_INDUCED" },
	{ 46, "GDTR_IDTR" },
	{ 47, "LDTR_TR" },
	{ 48, "EPT_VIOLATION" },
	{ 49, "EPT_MISCONFIG" },
	{ 50, "INVEPT" },
	{ 51, "RDTSCP" },
	{ 52, "PREEMPTION_TIMER" },
	{ 53, "INVVPID" },
	{ 54, "WBINVD" },
	{ 55, "XSETBV" },
	{ 56, "APIC_WRITE" },
	{ 57, "RDRAND" },
	{ 58, "INVPCID" },
	{ 59, "VMFUNC" },
	{ 60, "ENCLS" },
	{ 61, "RDSEED" },
	{ 62, "PML_FULL" },
	{ 63, "XSAVES" },
	{ 64, "XRSTORS" },
	{ 65, "PCONFIG" },
	{ 66, "SPP_EVENT" },
	{ 67, "UMWAIT" },
	{ 68, "TPAUSE" },
	{ 69, "LOADIWKEY" },
	{ 70, "ENCLV" },
	{ 72, "ENQCMD_PASID_FAIL" },
	{ 73, "ENQCMDS_PASID_FAIL" },
	{ 74, "BUS_LOCK" },
	{ 75, "NOTIFY" },
	{ 76, "SEAMCALL" },
	{ 77, "TDCALL" },
	{ 78, "RDMSRLIST" },
	{ 79, "WRMSRLIST" },
};

#define CR_DR(base, op, reg) \
	{ base + 0x0, op "_" reg "0" }, { base + 0x1, op "_" reg "1" }, \
	{ base + 0x2, op "_" reg "2" }, { base + 0x3, op "_" reg "3" }, \
	{ base + 0x4, op "_" reg "4" }, { base + 0x5, op "_" reg "5" }, \
	{ base + 0x6, op "_" reg "6" }, { base + 0x7, op "_" reg "7" }, \
	{ base + 0x8, op "_" reg "8" }, { base + 0x9, op "_" reg "9" }, \
	{ base + 0xa, op "_" reg "10" }, { base + 0xb, op "_" reg "11" }, \
	{ base + 0xc, op "_" reg "12" }, { base + 0xd, op "_" reg "13" }, \
	{ base + 0xe, op "_" reg "14" }, { base + 0xf, op "_" reg "15" }

static const struct exit_reason svm_reasons[] = {
	CR_DR(0x00, "READ", "CR"),
	CR_DR(0x10, "WRITE", "CR"),
	CR_DR(0x20, "READ", "DR"),
	CR_DR(0x30, "WRITE", "DR"),
	/* 0x40 + vector: intercepted exceptions */
	{ 0x40, "EXCP_DE" }, { 0x41, "EXCP_DB" }, { 0x42, "EXCP_NMI" },
	{ 0x43, "EXCP_BP" }, { 0x44, "EXCP_OF" }, { 0x45, "EXCP_BR" },
	{ 0x46, "EXCP_UD" }, { 0x47, "EXCP_NM" }, { 0x48, "EXCP_DF" },
	{ 0x49, "EXCP_9" }, { 0x4a, "EXCP_TS" }, { 0x4b, "EXCP_NP" },
	{ 0x4c, "EXCP_SS" }, { 0x4d, "EXCP_GP" }, { 0x4e, "EXCP_PF" },
	{ 0x4f, "EXCP_15" }, { 0x50, "EXCP_MF" }, { 0x51, "EXCP_AC" },
	{ 0x52, "EXCP_MC" }, { 0x53, "EXCP_XF" }, { 0x54, "EXCP_20" },
	{ 0x55, "EXCP_CP" }, { 0x56, "EXCP_22" }, { 0x57, "EXCP_23" },
	{ 0x58, "EXCP_24" }, { 0x59, "EXCP_25" }, { 0x5a, "EXCP_26" },
	{ 0x5b, "EXCP_27" }, { 0x5c, "EXCP_HV" }, { 0x5d, "EXCP_VC" },
	{ 0x5e, "EXCP_SX" }, { 0x5f, "EXCP_31" },
	{ 0x60, "INTR" },
	{ 0x61, "NMI" },
	{ 0x62, "SMI" },
	{ 0x63, "INIT" },
	{ 0x64, "VINTR" },
	{ 0x65, "CR0_SEL_WRITE" },
	{ 0x66, "IDTR_READ" },
	{ 0x67, "GDTR_READ" },
	{ 0x68, "LDTR_READ" },
	{ 0x69, "TR_READ" },
	{ 0x6a, "IDTR_WRITE" },
	{ 0x6b, "GDTR_WRITE" },
	{ 0x6c, "LDTR_WRITE" },
	{ 0x6d, "TR_WRITE" },
	{ 0x6e, "RDTSC" },
	{ 0x6f, "RDPMC" },
	{ 0x70, "PUSHF" },
	{ 0x71, "POPF" },
	{ 0x72, "CPUID" },
	{ 0x73, "RSM" },
	{ 0x74, "IRET" },
	{ 0x75, "SWINT" },
	{ 0x76, "INVD" },
	{ 0x77, "PAUSE" },
	{ 0x78, "HLT" },
	{ 0x79, "INVLPG" },
	{ 0x7a, "INVLPGA" },
	{ 0x7b, "IOIO" },
	{ 0x7c, "MSR" },
	{ 0x7d, "TASK_SWITCH" },
	{ 0x7e, "FERR_FREEZE" },
	{ 0x7f, "SHUTDOWN" },
	{ 0x80, "VMRUN" },
	{ 0x81, "VMMCALL" },
	{ 0x82, "VMLOAD" },
	{ 0x83, "VMSAVE" },
	{ 0x84, "STGI" },
	{ 0x85, "CLGI" },
	{ 0x86, "SKINIT" },
	{ 0x87, "RDTSCP" },
	{ 0x88, "ICEBP" },
	{ 0x89, "WBINVD" },
	{ 0x8a, "MONITOR" },
	{ 0x8b, "MWAIT" },
	{ 0x8c, "MWAIT_COND" },
	{ 0x8d, "XSETBV" },
	{ 0x8e, "RDPRU" },
	{ 0x8f, "EFER_WRITE_TRAP" },
	{ 0x90, "CR0_WRITE_TRAP" },
	{ 0x91, "CR1_WRITE_TRAP" },
	{ 0x92, "CR2_WRITE_TRAP" },
	{ 0x93, "CR3_WRITE_TRAP" },
	{ 0x94, "CR4_WRITE_TRAP" },
	{ 0x95, "CR5_WRITE_TRAP" },
	{ 0x96, "CR6_WRITE_TRAP" },
	{ 0x97, "CR7_WRITE_TRAP" },
	{ 0x98, "CR8_WRITE_TRAP" },
	{ 0x99, "CR9_WRITE_TRAP" },
	{ 0x9a, "CR10_WRITE_TRAP" },
	{ 0x9b, "CR11_WRITE_TRAP" },
	{ 0x9c, "CR12_WRITE_TRAP" },
	{ 0x9d, "CR13_WRITE_TRAP" },
	{ 0x9e, "CR14_WRITE_TRAP" },
	{ 0x9f, "CR15_WRITE_TRAP" },
	{ 0xa0, "INVLPGB" },
	{ 0xa1, "INVLPGB_ILLEGAL" },
	{ 0xa2, "INVPCID" },
	{ 0xa3, "MCOMMIT" },
	{ 0xa4, "TLBSYNC" },
	{ 0xa5, "BUSLOCK" },
	{ 0xa6, "IDLE_HLT" },
	{ 0x400, "NPF" },
	{ 0x401, "AVIC_INCOMPLETE_IPI" },
	{ 0x402, "AVIC_NOACCEL" },
	{ 0x403, "VMGEXIT" },
	{ 0xffffffff, "INVALID" },
};

static const struct exit_reason *table_of(enum exit_isa isa, unsigned int *count)
{
	switch (isa) {
	case EXIT_ISA_VMX:
		*count = sizeof(vmx_reasons) / sizeof(vmx_reasons[0]);
		return vmx_reasons;
	case EXIT_ISA_SVM:
		*count = sizeof(svm_reasons) / sizeof(svm_reasons[0]);
		return svm_reasons;
	}
	*count = 0;
	return NULL;
}

const struct exit_reason *exit_reason_table(enum exit_isa isa, unsigned int *count)
{
	return table_of(isa, count);
}

/* Tables are sorted by code: binary search. */
static const struct exit_reason *find(enum exit_isa isa, uint32_t code)
{
	unsigned int lo = 0, hi;
	const struct exit_reason *t = table_of(isa, &hi);

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (t[mid].code == code)
			return &t[mid];
		if (t[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *exit_reason_name(enum exit_isa isa, uint32_t code)
{
	const struct exit_reason *r = find(isa, code);

	return r ? r->name : NULL;
}

bool exit_reason_defined(enum exit_isa isa, uint32_t code)
{
	return find(isa, code) != NULL;
}

int exit_reason_parse(enum exit_isa isa, const char *text, uint32_t *code)
{
	const struct exit_reason *t;
	unsigned int i, n;
	unsigned long long v;
	char *end;

	if (!text || !*text)
		return -EINVAL;
	if (isdigit((unsigned char)text[0])) {
		errno = 0;
		v = strtoull(text, &end, 0);
		if (errno || *end || v > UINT32_MAX)
			return -EINVAL;
		*code = (uint32_t)v;
		return 0;
	}
	t = table_of(isa, &n);
	for (i = 0; i < n; i++) {
		if (!strcasecmp(t[i].name, text)) {
			*code = t[i].code;
			return 0;
		}
	}
	return -ENOENT;
}

const char *exit_isa_name(enum exit_isa isa)
{
	switch (isa) {
	case EXIT_ISA_VMX:
		return "VMX";
	case EXIT_ISA_SVM:
		return "SVM";
	}
	return "?";
}
