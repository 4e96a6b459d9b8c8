/* SPDX-License-Identifier: GPL-2.0 */
/*
 * self_check.h - exittrace's check of its own tp_btf read against the
 * kernel's kvm_exit record (see struct self_check in bpf/exittrace.h).
 */
#ifndef SELF_CHECK_H
#define SELF_CHECK_H

#include <stdbool.h>
#include <stdio.h>
#include <linux/types.h>

#include "../bpf/exittrace.h"

/* The check passes after this many agreeing exits, or after a second with one. */
#define SELF_CHECK_EXITS	1000

enum self_check_state {
	SELF_CHECK_OFF,		/* classic mode, or --no-latency without tp_btf */
	SELF_CHECK_RUNNING,
	SELF_CHECK_PASSED,	/* tp_btf's own read from then on */
	SELF_CHECK_FAILED,	/* the record's reason from then on */
};

struct bpf_link;

struct self_check_run {
	enum self_check_state state;
	int map_fd;			/* the checks map */
	int nr_cpus;
	__u32 *reason_source;		/* in the object's .bss */
	struct bpf_link **link;		/* exit_check's, destroyed on a pass */
	struct self_check sum;		/* over all CPUs, at the last poll */
};

/*
 * Read the sums and decide, @elapsed_s after the start: a disagreement
 * fails the check at once; enough agreement passes it.  Says so on @err
 * once, when it decides.  0, or -errno if the map cannot be read.
 */
int self_check_poll(struct self_check_run *run, double elapsed_s, FILE *err);

const char *self_check_state_name(enum self_check_state state);

#endif /* SELF_CHECK_H */
