// SPDX-License-Identifier: GPL-2.0
/*
 * vcpu_put.c - attach the hook that moves a pending exit out of its
 * per-CPU slot when the vCPU thread leaves the CPU or KVM_RUN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

#include "vcpu_put.h"
#include "probe.h"
#include "exittrace.skel.h"

#define PUT_FUNC	"kvm_arch_vcpu_put"

/* Why exits wait in task storage, when they do: said with -v. */
static char why_not[200];

static bool test_kprobe(void)
{
	const char *v = getenv("EXITTRACE_TEST_PUT");

	return v && !strcmp(v, "kprobe");
}

void vcpu_put_configure(struct exittrace_bpf *skel, bool no_fentry)
{
	bool slot = skel->rodata->latency, fentry;

	why_not[0] = '\0';
	if (!slot) {
		snprintf(why_not, sizeof(why_not), "--no-latency keeps no pending exit");
	} else if (!probe_btf_func("bpf_preempt_disable", NULL)) {
		/*
		 * The fexit of handle_exit() must not be switched out between
		 * its lookup of the slot and its stores; the kfunc came in
		 * 6.10, with the inlined per-CPU lookup the slot is for.
		 */
		snprintf(why_not, sizeof(why_not), "the kernel has no bpf_preempt_disable() (Linux 6.10)");
		slot = false;
	}
	/*
	 * fentry loads against the function's BTF: without it the object
	 * would not load.  EXITTRACE_TEST_PUT=kprobe (tests only): the
	 * kprobe, so that the beds prove the fallback too.
	 */
	if (slot && no_fentry)
		snprintf(why_not, sizeof(why_not), "this kernel's trampolines refused fexit");
	else if (slot && !probe_btf_func(PUT_FUNC, "kvm"))
		snprintf(why_not, sizeof(why_not), "no BTF for function %s", PUT_FUNC);
	else if (slot && test_kprobe())
		snprintf(why_not, sizeof(why_not), "EXITTRACE_TEST_PUT=kprobe");
	/* with the slot on, why_not says why fentry is not used, if it is not */
	fentry = slot && !why_not[0];
	skel->rodata->pending_slot = slot;
	/*
	 * made whenever exits are timed, slot or not: a program naming a map
	 * that was not made loads only where the verifier drops the branch
	 * (6.1's may not: see the slow-exit buffer in loader.c), and
	 * one entry per CPU is 80 bytes
	 */
	bpf_map__set_autocreate(skel->maps.pending, skel->rodata->latency);
	bpf_program__set_autoload(skel->progs.put_fentry, fentry);
	/* loaded beside fentry too: the fallback if fentry does not attach */
	bpf_program__set_autoload(skel->progs.put_kprobe, slot);
	bpf_program__set_autoattach(skel->progs.put_fentry, false);
	bpf_program__set_autoattach(skel->progs.put_kprobe, false);
}

void vcpu_put_attach(struct exittrace_bpf *skel, bool verbose)
{
	const char *how = NULL;
	size_t n;

	if (bpf_program__autoload(skel->progs.put_fentry)) {
		skel->links.put_fentry = bpf_program__attach(skel->progs.put_fentry);
		if (skel->links.put_fentry)
			how = "fentry";
		else
			snprintf(why_not, sizeof(why_not), "fentry on %s did not attach (%s)", PUT_FUNC,
				 strerror(errno));
	}
	if (!how && bpf_program__autoload(skel->progs.put_kprobe)) {
		skel->links.put_kprobe = bpf_program__attach_kprobe(skel->progs.put_kprobe, false,
								    PUT_FUNC);
		n = strlen(why_not);
		if (skel->links.put_kprobe)
			how = "kprobe";
		else
			snprintf(why_not + n, sizeof(why_not) - n, "%skprobe on %s did not attach (%s)",
				 n ? "; " : "", PUT_FUNC, strerror(errno));
	}
	skel->bss->pending_slot_on = how != NULL;
	if (!verbose)
		return;
	if (how)
		fprintf(stderr, "exittrace: pending exits wait in a per-CPU slot, moved to task storage by %s on %s\n",
			how, PUT_FUNC);
	else
		fprintf(stderr, "exittrace: pending exits wait in task storage: %s\n", why_not);
}
