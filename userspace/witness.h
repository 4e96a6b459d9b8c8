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

#define WITNESS_MAX_ROWS	1024
#define WITNESS_MAX_RULES	64

/* witness_read()'s @pid: keep exittrace's -P rows apart, one per (VM, reason) */
#define WITNESS_EACH_PID	UINT32_MAX

struct witness_row {
	uint32_t pid;		/* exittrace -P read with WITNESS_EACH_PID; else 0 */
	uint32_t code;
	uint64_t exits;
	uint64_t cycles;	/* patch: TSC cycles */
	uint64_t lat_ns;	/* exittrace: exit -> next entry, summed */
	uint64_t kvm_count;	/* exittrace: exits whose time in KVM was measured */
	uint64_t kvm_ns;	/* exittrace: time in KVM, summed */
	uint64_t kvm_max_ns;	/* exittrace: the longest time in KVM */
	uint64_t lat_max_ns;	/* exittrace: the longest exit -> entry */
	uint64_t lat_count;	/* exittrace: exits paired with their entry */
	uint64_t lat_min_ns;	/* exittrace: the shortest exit -> entry */
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
 * (@bpf false) or exittrace's.  @pid: only exittrace -P rows of that VM;
 * 0: all rows, those of one reason summed over the VMs; WITNESS_EACH_PID:
 * all rows, each VM's apart.  0, or -errno with the reason on stderr.
 */
int witness_read(const char *path, bool bpf, uint32_t pid, struct witness *w);
/*
 * The same, of exittrace --per-vcpu's rows of KVM vCPU id @vcpu only (a
 * row without a vcpu is none of them); @vcpu < 0: every row.
 */
int witness_read_vcpu(const char *path, bool bpf, uint32_t pid, long vcpu, struct witness *w);

/* The row of (@pid, @code), added if new; NULL when @w is full. */
struct witness_row *witness_row(struct witness *w, uint32_t pid, uint32_t code);

/* @w -= @before, row by row (a later reading minus an earlier one). */
void witness_subtract(struct witness *w, const struct witness *before);

/*
 * How one reason's counts must compare.  A reason without a rule must be
 * equal, unless ->only_ruled says it is not judged at all.
 */
struct witness_rule {
	uint32_t code;
	bool at_least;		/* exittrace >= patch + delta (others cause it too) */
	int64_t delta;		/* expected exittrace - patch */
	uint64_t unpaired;	/* with ->latency: its exits never followed by an entry */
};

struct witness_opts {
	const char *who;		/* the verdict lines' prefix; NULL: "exitdiff" */
	const char *patch_label;	/* the left column's title; NULL: "PATCH" */
	unsigned int nr_rules;
	struct witness_rule rules[WITNESS_MAX_RULES];
	bool only_ruled;	/* reasons without a rule are shown, not judged */
	/* judge exittrace's latencies of each judged reason: every exit but
	 * the rule's unpaired ones paired, and 0 < min <= average <= max */
	bool latency;
	/* > 0: the patch's time of a judged reason, at the TSC rate, may not
	 * exceed this times exittrace's exit -> entry sum (a bound) */
	double lat_bound;
	/* exittrace's exit -> entry sums must be equal too (two readings of
	 * one exittrace, e.g. its recording and its summary) */
	bool lat_equal;
	double tsc_hz;		/* to convert cycles; 0: exittrace's own */
	bool time;		/* compare the times too */
	double time_tolerance;	/* relative, e.g. 0.05 */
	uint64_t time_min_exits;	/* reasons with fewer exits are shown, not judged */
	double time_slack_ns;	/* per exit: a smaller difference agrees, whatever its % */
	/* judge the judged reasons' times together, not each (an emulator
	 * whose clock follows the host's: one descheduled exit can move a
	 * small reason's sum, hardly the whole) */
	bool time_total;
};

struct witness_verdict {
	unsigned int reasons;		/* rows shown */
	unsigned int judged;		/* rows whose counts were judged */
	unsigned int count_differs;
	unsigned int lat_bad;		/* ->latency, ->lat_bound or ->lat_equal failed */
	unsigned int time_judged;
	unsigned int time_differs;
	double residual_ns;		/* patch - exittrace over the judged reasons */
	uint64_t judged_exits;
};

/*
 * Print the two side by side on @f, one row per reason either saw, with
 * the totals and a verdict line, and fill @v.  -EINVAL (said on @f) when
 * the two cannot be compared: other ISAs, no TSC rate, no time in KVM.
 * The one comparison of the project: exitdiff, the test beds' checks of
 * exit_probe's guests and of exittrace's recordings all come here.
 */
int witness_compare(FILE *f, const struct witness *patch, const struct witness *bpf,
		    const struct witness_opts *o, struct witness_verdict *v);

/* Nothing failed: counts (where judged), latencies and times. */
static inline bool witness_agree(const struct witness_opts *o, const struct witness_verdict *v)
{
	return !v->count_differs && !v->lat_bad && !(o->time && v->time_differs);
}

/*
 * exittrace -H's summary in @path (its last line with rows): every row's
 * histogram holds each of its timed exits once, as nothing is in flight
 * once the programs are detached.  The number of rows with a histogram,
 * -EINVAL (each row that does not agree is said), or -ENOENT.
 */
int witness_hists_agree(const char *path);

#endif /* WITNESS_H */
