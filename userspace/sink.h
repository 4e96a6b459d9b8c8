/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sink.h - exittrace's outputs behind one interface.  The loop reads the
 * maps once per interval (collect.h) and hands the same reading to every
 * sink: the table or JSON on stdout (sink_stdout.c), the --record file
 * (sink_record.c), the metrics files and the HTTP endpoint
 * (sink_metrics.c).  Slow exits reach them as they come, marks when they
 * are asked for, and the end of the run once, with the counts since
 * start.
 */
#ifndef SINK_H
#define SINK_H

#include <stdbool.h>
#include <stddef.h>

#include "../bpf/exittrace.h"
#include "collect.h"
#include "exittrace_args.h"
#include "kvm_time.h"
#include "metrics.h"
#include "record.h"
#include "slow_exits.h"

/* One interval, as every sink gets it. */
struct interval {
	double t0_s, t1_s;		/* since start */
	const struct snapshot *rows;	/* the interval's, sorted as asked */
	struct drill_snap *keys;	/* --by: the interval's, ranked; else NULL */
	struct collector *c;		/* the counts since start, on demand */
	const struct metrics_meta *meta;	/* what the metrics say beside the counts */
};

/* How the run went, for the summary. */
struct run_end {
	double elapsed_s;
	const char *why;		/* "signal", "duration", "count" */
	struct interval last;		/* the (partial) interval in which it ended: handed
					 * to ->interval, and its marks to ->mark, before ->end */
	const struct snapshot *since_start;	/* in key order */
	struct snapshot *summary;	/* the same, sorted as asked */
	struct drill_snap *keys;	/* since start, ranked; NULL without --by */
	const struct metrics_meta *meta;
	const char *self_check;		/* self_check_state_name() */
	__u64 self_check_compared, self_check_agreed, self_check_unmatched;
	__u64 slow_reported, slow_lost;
	double tsc_hz;
	struct bpf_object *obj;		/* for the programs' run statistics; NULL stepped aside */
};

struct sink;

struct sink_ops {
	/* an interval ended: 0, SINK_DONE (the run has what it wanted) or -errno */
	int (*interval)(struct sink *s, const struct interval *iv);
	/* SIGUSR1: a mark at @t_s since start, between two intervals */
	int (*mark)(struct sink *s, double t_s, const char *label);
	/* --slower-than: one slow exit, as it comes */
	void (*slow_exit)(struct sink *s, const struct slow_exit *e);
	/* the run ended: 0 or -errno */
	int (*end)(struct sink *s, const struct run_end *e);
	void (*close)(struct sink *s);
};

#define SINK_DONE	1

struct sink {
	const struct sink_ops *ops;
	/* it wants every interval read, even when no table is printed */
	bool wants_intervals;
};

/* The sink of type @type whose struct sink member (named sink) is @s. */
#define sink_container(s, type)	((type *)((char *)(s) - offsetof(type, sink)))

/* The sinks.  Each says why it could not start; NULL then (or -errno). */

/* stdout: the tables or JSON lines, the slow exits, the summary */
struct sink *sink_stdout_new(const struct exittrace_args *a, const struct report_opts *ropts,
			     const struct kvm_time *kt, const struct slow_exits_opts *slow);
/* --record FILE: its header is written before this returns */
struct sink *sink_record_open(const char *path, enum record_format fmt, bool per_vcpu,
			      const struct record_meta *meta);
/* --metrics, --openmetrics, --listen: *@out NULL if none is asked for */
int sink_metrics_open(struct sink **out, const struct exittrace_args *a,
		      const struct metrics_meta *m);

#endif /* SINK_H */
