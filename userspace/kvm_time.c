// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_time.c - attach the end of an exit's time in KVM, and measure the
 * TSC rate to compare that time with the KVM patch's cycles.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <bpf/libbpf.h>

#include "kvm_time.h"
#include "probe.h"
#include "exittrace.skel.h"

const char *kvm_time_name(enum exittrace_kvm_time how)
{
	switch (how) {
	case KVM_TIME_FEXIT:
		return "fexit";
	case KVM_TIME_KPROBE:
		return "kprobe";
	case KVM_TIME_AUTO:
		return "auto";
	default:
		return "off";
	}
}

/*
 * The TSC and CLOCK_MONOTONIC at one moment: the TSC half way through the
 * clock_gettime() that took the fewest ticks of three.
 */
static void tsc_mono(__u64 *tsc, __u64 *ns)
{
	__u64 best = ~0ULL, a, b;
	struct timespec ts;
	int i;

	for (i = 0; i < 3; i++) {
		a = __rdtsc();
		clock_gettime(CLOCK_MONOTONIC, &ts);
		b = __rdtsc();
		if (b - a < best) {
			best = b - a;
			*tsc = a + (b - a) / 2;
			*ns = (__u64)ts.tv_sec * 1000000000ULL + (__u64)ts.tv_nsec;
		}
	}
}

double kvm_time_tsc_hz(const struct kvm_time *kt)
{
	__u64 tsc, ns;

	if (!kt->ns0)
		return 0;
	tsc_mono(&tsc, &ns);
	/* under 10 ms the rate is mostly the reads' own jitter */
	if (ns - kt->ns0 < 10000000ULL || tsc <= kt->tsc0)
		return 0;
	return (double)(tsc - kt->tsc0) * 1e9 / (double)(ns - kt->ns0);
}

/* tests only: end at fentry, too early (see handled_vmx_early) */
static bool test_early(void)
{
	const char *v = getenv("EXITTRACE_TEST_KVM_END");

	return v && !strcmp(v, "fentry");
}

/* The fentry/fexit program for @kt's function, and where its link goes. */
static struct bpf_program *fexit_prog(struct kvm_time *kt, struct exittrace_bpf *skel,
				      struct bpf_link ***link)
{
	bool vmx = !strcmp(kt->func, "vmx_handle_exit");

	if (test_early()) {
		*link = vmx ? &skel->links.handled_vmx_early : &skel->links.handled_svm_early;
		return vmx ? skel->progs.handled_vmx_early : skel->progs.handled_svm_early;
	}
	*link = vmx ? &skel->links.handled_vmx : &skel->links.handled_svm;
	return vmx ? skel->progs.handled_vmx : skel->progs.handled_svm;
}

int kvm_time_configure(struct kvm_time *kt, struct exittrace_bpf *skel, enum exit_isa isa,
		       const char *module, bool ident_by_id)
{
	bool fexit = false, kprobe = false;

	kt->got = KVM_TIME_OFF;
	kt->why[0] = '\0';	/* a retry of the load starts afresh */
	kt->func = isa == EXIT_ISA_VMX ? "vmx_handle_exit" : isa == EXIT_ISA_SVM ? "svm_handle_exit" : NULL;
	if (kt->want != KVM_TIME_OFF && !kt->func) {
		snprintf(kt->why, sizeof(kt->why), "KVM's ISA (VMX or SVM) is not known");
		if (kt->want != KVM_TIME_AUTO) {
			fprintf(stderr, "exittrace: --kvm-time %s: %s\n", kvm_time_name(kt->want), kt->why);
			return -ENOENT;
		}
	} else if (kt->want == KVM_TIME_OFF) {
		snprintf(kt->why, sizeof(kt->why), "--kvm-time off");
	} else {
		/* fexit loads against the function's BTF: without it the whole
		 * object would fail to load */
		fexit = (kt->want == KVM_TIME_AUTO && !kt->no_fexit) || kt->want == KVM_TIME_FEXIT;
		if (fexit && !probe_btf_func(kt->func, module)) {
			if (kt->want == KVM_TIME_FEXIT) {
				fprintf(stderr, "exittrace: --kvm-time fexit needs the BTF of function %s (in vmlinux,\n"
					"exittrace: or in /sys/kernel/btf/%s with CONFIG_DEBUG_INFO_BTF_MODULES, Linux 5.11+);\n"
					"exittrace: --kvm-time kprobe works without it.\n", kt->func, module);
				return -ENOENT;
			}
			fexit = false;
		}
		kprobe = kt->want != KVM_TIME_FEXIT;
	}
	bpf_program__set_autoload(skel->progs.handled_vmx, fexit && isa == EXIT_ISA_VMX && !test_early());
	bpf_program__set_autoload(skel->progs.handled_svm, fexit && isa == EXIT_ISA_SVM && !test_early());
	bpf_program__set_autoload(skel->progs.handled_vmx_early, fexit && isa == EXIT_ISA_VMX && test_early());
	bpf_program__set_autoload(skel->progs.handled_svm_early, fexit && isa == EXIT_ISA_SVM && test_early());
	bpf_program__set_autoload(skel->progs.handled_kret, kprobe);
	/* kvm_time_attach() attaches the one that works */
	bpf_program__set_autoattach(skel->progs.handled_vmx, false);
	bpf_program__set_autoattach(skel->progs.handled_svm, false);
	bpf_program__set_autoattach(skel->progs.handled_vmx_early, false);
	bpf_program__set_autoattach(skel->progs.handled_svm_early, false);
	bpf_program__set_autoattach(skel->progs.handled_kret, false);
	skel->rodata->ident_by_id = ident_by_id;
	return 0;
}

int kvm_time_attach(struct kvm_time *kt, struct exittrace_bpf *skel)
{
	struct bpf_link *link, **slot;
	struct bpf_program *prog;
	int err = 0;

	kt->got = KVM_TIME_OFF;
	if (kt->func && kt->want != KVM_TIME_OFF) {
		prog = fexit_prog(kt, skel, &slot);
		if (bpf_program__autoload(prog)) {
			link = bpf_program__attach(prog);
			if (link) {
				*slot = link;	/* the skeleton destroys it */
				kt->got = KVM_TIME_FEXIT;
			} else {
				err = -errno;
				/* e.g. no ftrace entry to patch: CONFIG_FUNCTION_TRACER is off */
				snprintf(kt->why, sizeof(kt->why), "fexit on %s did not attach (%s)",
					 kt->func, strerror(-err));
			}
		} else if (kt->want == KVM_TIME_AUTO) {
			snprintf(kt->why, sizeof(kt->why), "no BTF for function %s", kt->func);
		}
	}
	if (kt->got == KVM_TIME_OFF && bpf_program__autoload(skel->progs.handled_kret)) {
		link = bpf_program__attach_kprobe(skel->progs.handled_kret, true, kt->func);
		if (link) {
			skel->links.handled_kret = link;
			kt->got = KVM_TIME_KPROBE;
		} else {
			err = -errno;
			snprintf(kt->why + strlen(kt->why), sizeof(kt->why) - strlen(kt->why),
				 "%skretprobe on %s did not attach (%s)", kt->why[0] ? "; " : "",
				 kt->func, strerror(-err));
		}
	}
	if (kt->got == KVM_TIME_OFF && kt->want != KVM_TIME_AUTO && kt->want != KVM_TIME_OFF) {
		fprintf(stderr, "exittrace: --kvm-time %s: %s\n", kvm_time_name(kt->want), kt->why);
		return err ? err : -ENOENT;
	}
	skel->bss->kvm_time_on = kt->got != KVM_TIME_OFF;
	tsc_mono(&kt->tsc0, &kt->ns0);
	return 0;
}
