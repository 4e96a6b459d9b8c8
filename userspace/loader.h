/* SPDX-License-Identifier: GPL-2.0 */
/*
 * loader.h - the start of exittrace's recipe: say what the kernel lacks
 * before libbpf can fail obscurely (preflight), then probe, open,
 * configure, load and attach its BPF object, tp_btf or classic.
 */
#ifndef LOADER_H
#define LOADER_H

#include <stdbool.h>

#include "exit_reasons.h"
#include "exittrace_args.h"
#include "kvm_time.h"
#include "self_check.h"

struct exittrace_bpf;

struct loader {
	const struct exittrace_args *args;
	struct kvm_time *kvm_time;
	struct exittrace_bpf *skel;	/* NULL until attached, and while stepped aside */
	enum exittrace_attach mode;	/* what was attached */
	/* tp_btf: the kvm_exit raw tracepoint's arguments (probe_kvm_exit_args()) */
	int kvm_exit_args;
	/* KVM's ISA and its vendor module (probe_kvm_isa()) */
	enum exit_isa isa;
	const char *module;
};

/* libbpf's messages: kept, shown when a load fails (everything with -v). */
void loader_log_init(const struct exittrace_args *args);

/* What is missing (privileges, BTF, KVM, tracefs, features), said; 0 if none. */
int loader_preflight(const struct exittrace_args *args);

/*
 * Probe, open, configure, load and attach: tp_btf, else (auto) classic.
 * Every failure is said on stderr.
 */
int loader_attach(struct loader *l);

/* tp_btf's self-check, if this attach has one, starts now. */
void loader_check_start(const struct loader *l, struct self_check_run *check, int nr_cpus);

/* "tp_btf" or "classic" */
const char *loader_attach_name(enum exittrace_attach mode);

/* What counts now: a failed self-check hands the counting to classic. */
const char *loader_attach_now(const struct loader *l, const struct self_check_run *check);

#endif /* LOADER_H */
