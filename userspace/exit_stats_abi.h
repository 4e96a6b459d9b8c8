/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_stats_abi.h - the guest-visible ABI of the exittrace KVM patch.
 *
 * A patched KVM answers five CPUID leaves with its exit counters.  This
 * header is the single userspace statement of that ABI: exitstat, the test
 * VMM guests and the docs (docs/abi.md) use it, and tests/abi_agree.sh
 * checks that it matches the kernel side (arch/x86/kvm/exit_stats.h in
 * kvm-patch/).
 *
 *  leaf (EAX)   ECX in   returns
 *  0x4ffffffb   -        EAX = ABI version, EBX:ECX:EDX = "ExitTraceKVM"
 *  0x4ffffffc   -        EAX = total exits [31:0], EDX = [63:32]
 *  0x4ffffffd   -        EBX = total cycles [63:32], ECX = [31:0]
 *  0x4ffffffe   reason   EAX = exits of reason [31:0], EBX = [63:32]
 *  0x4fffffff   reason   EBX = cycles of reason [63:32], ECX = [31:0]
 *
 * For 0x4ffffffe/0x4fffffff a reason the vendor's manual does not define
 * answers EAX = EBX = ECX = 0, EDX = 0xffffffff; a defined reason that
 * this KVM never takes answers all zeros.  With exit_stats=off (and on an
 * unpatched KVM) the discovery leaf does not carry the signature.
 *
 * Reasons are the vendor's numbers: the basic exit reason (bits 15:0 of
 * the VMCS exit reason) on Intel VMX, the VMCB EXITCODE on AMD SVM.
 *
 * Self-count: the CPUID exit that reads 0x4ffffffc or 0x4ffffffe is
 * already included in the count it returns; its cycles are not.
 */
#ifndef EXIT_STATS_ABI_H
#define EXIT_STATS_ABI_H

#define EXIT_STATS_LEAF_DISCOVERY	0x4ffffffbU
#define EXIT_STATS_LEAF_TOTAL_EXITS	0x4ffffffcU
#define EXIT_STATS_LEAF_TOTAL_CYCLES	0x4ffffffdU
#define EXIT_STATS_LEAF_REASON_EXITS	0x4ffffffeU
#define EXIT_STATS_LEAF_REASON_CYCLES	0x4fffffffU

#define EXIT_STATS_ABI_VERSION		1
/* "ExitTraceKVM" as three little-endian words in EBX, ECX, EDX */
#define EXIT_STATS_SIGNATURE_EBX	0x74697845U	/* "Exit" */
#define EXIT_STATS_SIGNATURE_ECX	0x63617254U	/* "Trac" */
#define EXIT_STATS_SIGNATURE_EDX	0x4d564b65U	/* "eKVM" */

/* EDX of 0x4ffffffe/0x4fffffff for a reason the vendor does not define */
#define EXIT_STATS_UNDEFINED		0xffffffffU

/*
 * The host's view (patch 7): a vCPU's slots in its binary statistics and
 * its debugfs exit_stats file.  Slot = VMX basic reason below
 * VMX_NR_REASONS; SVM code up to SVM_LAST_LOW; SVM_FIRST_HIGH..LAST_HIGH
 * next, then SVM_INVALID, then one slot for any other code.
 */
#define EXIT_STATS_NR_SLOTS		173
#define EXIT_STATS_VMX_NR_REASONS	80
#define EXIT_STATS_SVM_LAST_LOW		0xa6U
#define EXIT_STATS_SVM_FIRST_HIGH	0x400U
#define EXIT_STATS_SVM_LAST_HIGH	0x403U
#define EXIT_STATS_SVM_INVALID		0xffffffffU

#endif /* EXIT_STATS_ABI_H */
