/* SPDX-License-Identifier: GPL-2.0 */
/*
 * core_fixes.bpf.h - the kernel layouts exittrace reads, one flavour per
 * layout, each with the commit that changed it.  CO-RE matches a
 * "struct x___suffix" against the kernel's struct x; which flavour the
 * running kernel has is asked with bpf_core_field_exists() and
 * bpf_core_field_size(), never with a version number: distributions
 * backport (5.10.32 has the 5.12 union, for one).
 *
 * Only the fields exittrace uses are declared: the offsets come from the
 * running kernel's BTF.  tests/host/core_layouts.sh proves, against BTF
 * made from each known layout, that every read resolves to the field it
 * means.
 */
#ifndef CORE_FIXES_BPF_H
#define CORE_FIXES_BPF_H

#include <linux/types.h>

/* --- the vCPU ------------------------------------------------------------- */

struct kvm_vcpu {
	int vcpu_id;			/* KVM_CREATE_VCPU's id: the APIC ID */
} __attribute__((preserve_access_index));

/* --- VMX: where the exit reason lives ---------------------------------------
 *
 * 6.16 and later: in struct vcpu_vt, which vcpu_vmx shares with TDX:
 * 7172c753c26a ("KVM: VMX: Move common fields of struct vcpu_{vmx,tdx}
 * to a struct").
 */
union vmx_exit_reason {
	__u32 full;
} __attribute__((preserve_access_index));

struct vcpu_vt {
	union vmx_exit_reason exit_reason;
} __attribute__((preserve_access_index));

struct vcpu_vmx___vt {
	struct kvm_vcpu vcpu;
	struct vcpu_vt vt;
} __attribute__((preserve_access_index));

/*
 * 5.12 to 6.15: a union in vcpu_vmx itself: 8e5332402164 ("KVM: VMX:
 * Convert vcpu_vmx.exit_reason to a union"), also in 5.10.32 and later.
 */
struct vcpu_vmx {
	struct kvm_vcpu vcpu;
	union vmx_exit_reason exit_reason;
} __attribute__((preserve_access_index));

/* Before: a plain u32 (5.10.0 to 5.10.31, 5.11). */
struct vcpu_vmx___u32 {
	struct kvm_vcpu vcpu;
	__u32 exit_reason;
} __attribute__((preserve_access_index));

/* --- SVM: the exit code in the VMCB ------------------------------------------
 *
 * Up to 6.19 "u32 exit_code; u32 exit_code_hi;"; from 7.0 one u64:
 * d7507a94a072 (the SVM pull for the release after 6.19).  The offset is
 * the same, so the low half is the code either way on little-endian
 * x86; the size is asked all the same, so a read never takes half a
 * field by accident.
 */
struct vmcb_control_area {
	__u32 exit_code;
} __attribute__((preserve_access_index));

struct vmcb_control_area___u64 {
	__u64 exit_code;
} __attribute__((preserve_access_index));

struct vmcb {
	struct vmcb_control_area control;
} __attribute__((preserve_access_index));

struct vmcb___u64 {
	struct vmcb_control_area___u64 control;
} __attribute__((preserve_access_index));

struct vcpu_svm {
	struct kvm_vcpu vcpu;
	struct vmcb *vmcb;
} __attribute__((preserve_access_index));

struct vcpu_svm___u64 {
	struct kvm_vcpu vcpu;
	struct vmcb___u64 *vmcb;
} __attribute__((preserve_access_index));

/* --- classic tracepoint records ------------------------------------------- */

/* The same fields since 5.10; 6.17 appends "requests" at the end. */
struct trace_event_raw_kvm_exit {
	unsigned int exit_reason;
	__u32 isa;
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_entry {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

#endif /* CORE_FIXES_BPF_H */
