/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_time.h - the second time exittrace takes per exit: time in KVM,
 * from kvm_exit to the return of the vendor's handle_exit()
 * (vmx_handle_exit, svm_handle_exit), which is the window the KVM patch
 * charges its cycles to.  Its end is a fexit program (BPF trampoline),
 * or a kretprobe where fexit cannot attach.
 *
 * And the TSC rate, measured against CLOCK_MONOTONIC (the clock of
 * bpf_ktime_get_ns()) over the run, to set the patch's cycles beside it.
 */
#ifndef KVM_TIME_H
#define KVM_TIME_H

#include <stdbool.h>
#include <linux/types.h>

#include "exit_reasons.h"
#include "exittrace_args.h"

struct exittrace_bpf;

struct kvm_time {
	enum exittrace_kvm_time want;
	enum exittrace_kvm_time got;	/* FEXIT, KPROBE or OFF once attached */
	const char *func;		/* vmx_handle_exit or svm_handle_exit */
	bool no_fexit;			/* auto: the fexit program is not loaded */
	char why[200];			/* OFF: why not measured */
	__u64 tsc0, ns0;		/* the TSC and CLOCK_MONOTONIC at attach */
};

/*
 * Before the load: which of the handled programs load.  @ident_by_id:
 * the classic tracepoints know a vCPU by its vcpu_id.  An error (and a
 * sentence on stderr) only when --kvm-time named a way this kernel lacks.
 */
int kvm_time_configure(struct kvm_time *kt, struct exittrace_bpf *skel, enum exit_isa isa,
		       const char *module, bool ident_by_id);

/*
 * After the load, before the tracepoints attach (so that no exit is
 * half timed): attach the end of the time in KVM and tell the programs.
 * An error only when --kvm-time named a way that did not attach.
 */
int kvm_time_attach(struct kvm_time *kt, struct exittrace_bpf *skel);

/* TSC ticks per second, from attach to now; 0 if not measurable. */
double kvm_time_tsc_hz(const struct kvm_time *kt);

/* "fexit", "kprobe", "off" */
const char *kvm_time_name(enum exittrace_kvm_time how);

#endif /* KVM_TIME_H */
