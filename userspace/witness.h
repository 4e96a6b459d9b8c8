/* SPDX-License-Identifier: GPL-2.0 */
/*
 * witness.h - the two witnesses of the exits, read from their JSON and
 * compared reason by reason: the KVM patch (exitstat -j, in the guest
 * through CPUID or on the host with -p) and exittrace (-j).  exitdiff
 * prints the comparison; the test beds run exitdiff on their readings.
 *
 * Counts compare exactly (up to the deltas a caller expects).  Times
 * compare where both measured the same window: the patch's cycles of a
 * reason, converted with the TSC rate, against exittrace's time in KVM
 * for it, within a tolerance, for reasons with enough exits that a
 * relative difference means something.
 */
#ifndef WITNESS_H
#define WITNESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "exit_reasons.h"

#define WITNESS_MAX_ROWS	512
#define WITNESS_MAX_ALLOW	32

struct witness_row {
	uint32_t code;
	uint64_t exits;
	uint64_t cycles;	/* patch: TSC cycles */
	uint64_t lat_ns;	/* exittrace: exit -> next entry, summed */
	uint64_t kvm_count;	/* exittrace: exits whose time in KVM was measured */
	uint64_t kvm_ns;	/* exittrace: time in KVM, summed */
	uint64_t kvm_max_ns;	/* exittrace: the longest time in KVM */
	uint64_t lat_max_ns;	/* exittrace: the longest exit -> entry */
};

struct witness {
	enum exit_isa isa;
	bool bpf;		/* exittrace's (else the patch's) */
	double tsc_hz;		/* exittrace: the TSC rate it measured; 0 if none */
	char kvm_time[16];	/* exittrace: how time in KVM was taken ("off": not) */
	unsigned int nr;
	struct witness_row rows[WITNESS_MAX_ROWS];
};

/*
 * Read the last JSON line of @path with a "reasons" array: exitstat's
 * (@bpf false) or exittrace's.  @pid: only exittrace -P rows of that VM
 * (0: all rows).  0, or -errno with the reason on stderr.
 */
int witness_read(const char *path, bool bpf, uint32_t pid, struct witness *w);

/* @w -= @before, row by row (a later reading minus an earlier one). */
void witness_subtract(struct witness *w, const struct witness *before);

struct witness_opts {
	unsigned int nr_allow;
	struct {
		uint32_t code;
		int64_t delta;	/* expected exittrace - patch */
	} allow[WITNESS_MAX_ALLOW];
	double tsc_hz;		/* to convert cycles; 0: exittrace's own */
	bool time;		/* compare the times too */
	double time_tolerance;	/* relative, e.g. 0.05 */
	uint64_t time_min_exits;	/* reasons with fewer exits are shown, not judged */
	double time_slack_ns;	/* per exit: a smaller difference agrees, whatever its % */
};

struct witness_verdict {
	unsigned int reasons;		/* rows shown */
	unsigned int count_differs;
	unsigned int time_judged;
	unsigned int time_differs;
	double residual_ns;		/* patch - exittrace over the judged reasons */
	uint64_t judged_exits;
};

/*
 * Print the two side by side on @f, one row per reason either saw, with
 * the totals and a verdict line, and fill @v.  -EINVAL (said on @f) when
 * the two cannot be compared: other ISAs, no TSC rate, no time in KVM.
 */
int witness_compare(FILE *f, const struct witness *patch, const struct witness *bpf,
		    const struct witness_opts *o, struct witness_verdict *v);

#endif /* WITNESS_H */
