/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vcpu_put.h - where a pending exit waits: in a per-CPU slot, moved into
 * the vCPU thread's task storage by a hook on kvm_arch_vcpu_put()
 * (exittrace.bpf.c, "The per-CPU pending slot"), or in task storage
 * from the start where that hook cannot be had.
 */
#ifndef VCPU_PUT_H
#define VCPU_PUT_H

#include <stdbool.h>

struct exittrace_bpf;

/*
 * Before the load: whether the slot's code and the put programs load.
 * @no_fentry: this kernel's trampolines refused fexit (the loader's
 * retry), so the put hook is a kprobe.
 */
void vcpu_put_configure(struct exittrace_bpf *skel, bool no_fentry);

/*
 * After the load, before the tracepoints attach: attach the put hook
 * (fentry, else kprobe) and only then let exits wait in the slot.  Never
 * fails: without the hook, exits wait in task storage as before; with
 * @verbose, a line on stderr says which way and why.
 */
void vcpu_put_attach(struct exittrace_bpf *skel, bool verbose);

#endif /* VCPU_PUT_H */
