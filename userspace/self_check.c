// SPDX-License-Identifier: GPL-2.0
/*
 * self_check.c - decide whether exittrace may trust its tp_btf read.
 *
 * While the check runs, every exit is counted with the reason of the
 * kernel's own kvm_exit record, and tp_btf's read of the vCPU struct is
 * compared with it (bpf/exittrace.bpf.c).  One disagreement is enough:
 * the read is wrong on this kernel (a layout core_fixes.bpf.h does not
 * know), so the record's reason stays the one counted, and the user is
 * told which read disagreed.  SELF_CHECK_EXITS agreeing exits, or one
 * second with at least one, and tp_btf is trusted alone.
 */
#include <errno.h>
#include <stdlib.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "exit_reasons.h"
#include "self_check.h"

const char *self_check_state_name(enum self_check_state state)
{
	switch (state) {
	case SELF_CHECK_RUNNING:
		return "running";
	case SELF_CHECK_PASSED:
		return "passed";
	case SELF_CHECK_FAILED:
		return "failed";
	default:
		return "off";
	}
}

static int read_sums(struct self_check_run *run)
{
	struct self_check_cpu *v = calloc(run->nr_cpus, sizeof(*v));
	__u32 zero = 0;
	int cpu, err = 0;

	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(run->map_fd, &zero, v)) {
		err = -errno;
		goto out;
	}
	run->sum = (struct self_check){ 0 };
	for (cpu = 0; cpu < run->nr_cpus; cpu++) {
		const struct self_check *c = &v[cpu].sum;

		if (c->compared != c->agreed && run->sum.compared == run->sum.agreed) {
			run->sum.bad_isa = c->bad_isa;
			run->sum.bad_btf = c->bad_btf;
			run->sum.bad_record = c->bad_record;
		}
		run->sum.compared += c->compared;
		run->sum.agreed += c->agreed;
		run->sum.unmatched += c->unmatched;
	}
out:
	free(v);
	return err;
}

static const char *field_name(__u32 isa)
{
	return isa == EXITTRACE_ISA_VMX ? "vcpu_vmx's exit_reason" :
	       isa == EXITTRACE_ISA_SVM ? "vcpu_svm's vmcb->control.exit_code" : "the vendor's vCPU struct";
}

int self_check_poll(struct self_check_run *run, double elapsed_s, FILE *err)
{
	const struct self_check *s = &run->sum;
	int ret;

	if (run->state != SELF_CHECK_RUNNING)
		return 0;
	ret = read_sums(run);
	if (ret)
		return ret;
	if (s->compared != s->agreed) {
		char want[32], got[32];

		__atomic_store_n(run->reason_source, SRC_RECORD, __ATOMIC_RELAXED);
		run->state = SELF_CHECK_FAILED;
		if (s->bad_btf == EXITTRACE_NO_LAYOUT)
			snprintf(got, sizeof(got), "nothing (no layout it knows)");
		else
			snprintf(got, sizeof(got), "0x%x", s->bad_btf);
		snprintf(want, sizeof(want), "0x%x", s->bad_record);
		fprintf(err, "exittrace: self-check failed: tp_btf read %s from %s where the kernel's\n"
			"exittrace: kvm_exit record says %s (%s %s), on %llu of %llu exits compared; counting\n"
			"exittrace: with the record's reasons (classic) from here on, so the counts stay exact.\n"
			"exittrace: Please report this kernel (uname -r): bpf/core_fixes.bpf.h needs its layout.\n",
			got, field_name(s->bad_isa), want, exit_isa_name(s->bad_isa),
			exit_reason_name(s->bad_isa, exit_reason_basic(s->bad_isa, s->bad_record)) ?: "?",
			(unsigned long long)(s->compared - s->agreed), (unsigned long long)s->compared);
		return 0;
	}
	if (s->compared >= SELF_CHECK_EXITS || (s->compared && elapsed_s >= 1.0)) {
		__atomic_store_n(run->reason_source, SRC_BTF, __ATOMIC_RELAXED);
		run->state = SELF_CHECK_PASSED;
		/* the classic half is no longer needed: an exit it misses from
		 * here on is counted by tp_btf from its half */
		if (run->link && *run->link) {
			bpf_link__destroy(*run->link);
			*run->link = NULL;
		}
		fprintf(err, "exittrace: self-check passed: tp_btf's exit reason agreed with the kernel's\n"
			"exittrace: kvm_exit record on all %llu exits compared; tp_btf alone from here on.\n",
			(unsigned long long)s->compared);
	}
	return 0;
}
