// SPDX-License-Identifier: GPL-2.0
/*
 * observer.bpf.c - exittrace's own hot path, run natively on the test
 * tracepoint bpf_test_run:bpf_trigger_tp.
 *
 * This file includes bpf/exittrace.bpf.c whole: on_exit(), on_entry(),
 * on_handled(), the self-check's steady state and the maps are the ones
 * that ship, compiled once more, and the rodata knobs are the ones
 * exittrace's loader sets.  The loader turns autoload off for every kvm
 * program of that file, so only the programs below load.
 *
 * What differs from a real exit, and why:
 *  - one tracepoint stands for two: an even nonce is kvm_exit, an odd
 *    one kvm_entry (native.h).  One program per event, as in exittrace.
 *  - the exit reason is a variable, not the vendor field exit_btf reads
 *    (vcpu_vmx/vcpu_svm are not in this host's BTF; the beds time that
 *    read).  A variable rather than a constant, so that clang cannot fold
 *    exittrace_slot() away.
 *  - the vCPU is the current task seen as a struct kvm_vcpu
 *    (bpf_rdonly_cast, inlined by the verifier): a stable kernel address,
 *    loaded as the real programs load theirs, whose vcpu_id load costs
 *    what the real one does.
 */
#include "exittrace.bpf.c"
#include "native.h"

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

/* global data, not rodata: read at run time, like the vendor field */
__u32 bench_isa = NATIVE_ISA;
__u32 bench_reason = NATIVE_REASON;
int bench_vcpu_id = 0;	/* what the classic record's vcpu_id holds */

/*
 * The real programs find the vCPU in their context: one load.  Here it is
 * the current task's address, taken once and then loaded from global
 * data likewise (calling bpf_get_current_task_btf() per event would add
 * a helper call, ~12 cycles here, that exittrace does not make).
 */
__u64 bench_vcpu_addr;

static __always_inline struct kvm_vcpu *bench_vcpu(void)
{
	__u64 addr = bench_vcpu_addr;

	if (!addr) {
		addr = (__u64)bpf_get_current_task_btf();
		bench_vcpu_addr = addr;
	}
	return bpf_rdonly_cast((void *)addr, bpf_core_type_id_kernel(struct kvm_vcpu));
}

/* exit_btf less vendor_reason(): the self-check's steady state, then on_exit() */
static __always_inline void bench_exit(struct kvm_vcpu *vcpu)
{
	struct self_check_cpu *c;
	__u32 isa = bench_isa;

	if (self_check) {
		c = check_slot();
		if (c && exit_btf_checked(c, vcpu, isa))
			return;
	}
	on_exit(isa, bench_reason, vcpu->vcpu_id, (__u64)vcpu);
}

/* exit_btf and entry_btf, alternating: exittrace's default and -P */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(bench_round, int nonce)
{
	struct kvm_vcpu *vcpu = bench_vcpu();

	if (NATIVE_IS_EXIT(nonce))
		bench_exit(vcpu);
	else
		on_entry((__u64)vcpu);
	return 0;
}

/*
 * --no-latency attaches nothing to kvm_entry: every event here is an
 * exit, and one event is one round trip.
 */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(bench_exit_only, int nonce)
{
	bench_exit(bench_vcpu());
	return 0;
}

/* The classic record of bpf_trigger_tp, as tracefs's format file has it. */
struct trace_event_raw_bpf_trigger_tp {
	int nonce;
} __attribute__((preserve_access_index));

/* exit_tp and entry_tp (--attach classic), identity by vcpu_id */
SEC("tp/bpf_test_run/bpf_trigger_tp")
int bench_round_tp(struct trace_event_raw_bpf_trigger_tp *ctx)
{
	int vcpu_id = bench_vcpu_id;

	if (NATIVE_IS_EXIT(ctx->nonce))
		on_exit(bench_isa, bench_reason, vcpu_id, vcpu_id);
	else
		on_entry(vcpu_id);
	return 0;
}

/*
 * Time in KVM: exittrace's default where KVM's handle_exit() can be
 * hooked, three programs per exit: kvm_exit, the fexit (or kretprobe)
 * of vmx_handle_exit()/svm_handle_exit() (on_handled()), kvm_entry.  This
 * host refuses fentry/fexit programs (EPERM for any function, as it
 * refuses reading available_filter_functions), so the middle one runs
 * here as a third tracepoint event: the work is on_handled()'s, the
 * dispatch a tp_btf's rather than a trampoline's.  The phase is kept
 * here rather than in the nonce, so the driver stays the same.
 */
__u32 bench_phase;

/* exits the put left in the slot: the entry must find each in task storage */
__u64 bench_put_left;

static __always_inline void bench_put(void)
{
	struct vcpu_state *slot;

	vcpu_put();
	slot = cpu_slot();
	if (slot && slot->exit_ns)
		bench_put_left++;
}

/* Three events per exit, in turn: the exit, @middle's, the entry. */
enum bench_middle { MIDDLE_HANDLED, MIDDLE_PIO, MIDDLE_PUT };

static __always_inline void bench_three(enum bench_middle middle)
{
	struct kvm_vcpu *vcpu = bench_vcpu();
	__u32 phase = bench_phase;

	bench_phase = phase >= 2 ? 0 : phase + 1;
	if (phase == 0)
		bench_exit(vcpu);
	else if (phase == 2)
		on_entry((__u64)vcpu);
	else if (middle == MIDDLE_HANDLED)
		on_handled((__u64)vcpu);
	else if (middle == MIDDLE_PUT)
		bench_put();
	else
		drill_pio(DRILL_PIO_OUT, NATIVE_PORT);
}

SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(bench_round3, int nonce)
{
	bench_three(MIDDLE_HANDLED);
	return 0;
}

/*
 * --by port: between the exit and the entry, KVM's kvm_pio fires once
 * (an I/O exit's port); drill_pio() is what drill_pio_btf runs.  Three
 * programs per exit, as with time in KVM.
 */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(bench_round_by, int nonce)
{
	bench_three(MIDDLE_PIO);
	return 0;
}

/*
 * An exit whose thread leaves the CPU (or KVM_RUN) before its entry:
 * kvm_arch_vcpu_put()'s program moves it from the per-CPU slot into task
 * storage, and the entry finds it there.  The put runs as a third
 * tracepoint event here (fentry on a real host, which this host
 * refuses); the move and the entry's fallback are the shipped code.
 */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(bench_round_put, int nonce)
{
	bench_three(MIDDLE_PUT);
	return 0;
}
