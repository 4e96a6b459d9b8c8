/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report.h - exittrace's view of the BPF statistics and how it prints
 * them: table, log2 histograms and JSON lines (metrics.h: Prometheus).
 *
 * Kept apart from the loader so that the unit tests can feed it made-up
 * rows without BPF.
 */
#ifndef REPORT_H
#define REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>

#include "../bpf/exittrace.h"
#include "vm_names.h"

struct row {
	struct exit_key key;
	struct exit_stats st;
};

struct snapshot {
	struct row *rows;
	unsigned int nr, cap;
};

/*
 * Add @st into the row for @key (creating it); -ENOMEM on failure.  It
 * looks for the row first: for a few rows, not one call per row of a
 * large snapshot.
 */
int snapshot_add(struct snapshot *s, const struct exit_key *key, const struct exit_stats *st);
/* A new row for @key, which @s must not have yet; -ENOMEM on failure. */
int snapshot_append(struct snapshot *s, const struct exit_key *key, const struct exit_stats *st);
/* Rows in key order (VM, ISA, reason); a pass only when they are already. */
void snapshot_key_order(struct snapshot *s);
void snapshot_free(struct snapshot *s);
/* @dst = @src, row for row; -ENOMEM on failure. */
int snapshot_copy(struct snapshot *dst, const struct snapshot *src);
/* Room for @n rows in all, so that appending up to there cannot fail. */
int snapshot_reserve(struct snapshot *s, unsigned int n);
/*
 * @out = the rows of @a and @b, both in key order, in key order; rows
 * with the same key (in either, or both) are merged into one.  O(rows).
 */
int snapshot_union(struct snapshot *out, const struct snapshot *a, const struct snapshot *b);
/*
 * @out = @in with each (VM, reason)'s vCPU rows added up into one, in key
 * order: --per-vcpu's rows for outputs keyed by VM and reason alone (the
 * record, the metrics).  -ENOMEM on failure.
 */
int snapshot_fold_vcpus(struct snapshot *out, const struct snapshot *in);
const struct row *snapshot_find(const struct snapshot *s, const struct exit_key *key);

/*
 * @d = @now - @before, row by row, in key order; min/max of the interval
 * cannot be recovered from cumulative values, so they are taken from
 * @now.  Puts @now and @before in key order first (if they are not), so
 * that it is one walk through both: O(rows).  A row of @before that @now
 * lacks is left out (its VM's rows were retired: see per_vm.h).
 */
int snapshot_delta(struct snapshot *d, struct snapshot *now, struct snapshot *before);

/* Sort rows by count, largest first (ties: by key); report_sort.h: by others. */
void snapshot_sort(struct snapshot *s);

/* Key order: VM, ISA, reason, vCPU. */
int exit_key_cmp(const struct exit_key *a, const struct exit_key *b);

void snapshot_totals(const struct snapshot *s, struct exit_stats *total);

/* Merge two exit_stats (sums; min of mins; max of maxes). */
void stats_merge(struct exit_stats *into, const struct exit_stats *from);

/* --units: the table's times in one unit, or each in its own (auto) */
enum report_units {
	UNITS_AUTO,
	UNITS_NS,
	UNITS_US,
	UNITS_MS,
};

/* "ns", "us", "ms" -> @units; false for anything else ("auto" is no option). */
bool report_units_parse(const char *name, enum report_units *units);

struct report_opts {
	bool per_vm;
	bool per_vcpu;		/* rows per vCPU (implies per_vm) */
	bool wide;		/* -w: every column; else the ones that fit 80 */
	enum report_units units;
	bool histograms;
	bool timestamp;
	unsigned int top_hist;	/* histograms for this many top reasons */
	/*
	 * An interval's table: COUNT, RATE, AVG and TOTAL are that interval's,
	 * MIN and MAX are since the start (extremes cannot be subtracted), and
	 * the table says so.
	 */
	bool interval;
	bool kvm_time;		/* time in KVM is measured: show its columns */
	const struct vm_names *names;	/* -P: the VMs' names by pid, or NULL */
};

void print_table(FILE *f, const struct snapshot *s, double interval_s,
		 const struct report_opts *o);
void print_log2_hist(FILE *f, const __u64 *hist, unsigned int slots, const char *unit);
void print_json(FILE *f, const struct snapshot *s, double interval_s, double now_s,
		const struct report_opts *o);
/* 1234567 ns -> "1.23ms"; fits 8 columns */
const char *fmt_ns(char *buf, size_t len, double ns);
/*
 * A table's time: in @units without a unit ("1234.57" us), or (auto) in
 * the unit that suits it, with 3 or 4 digits: fits 7 columns below
 * 10000 s ("901.3us", "12.51ms", "4.38s").
 */
const char *fmt_time(char *buf, size_t len, double ns, enum report_units units);
/* Name for a row's reason: table name, or "UNKNOWN_<code>". */
const char *row_reason_name(const struct exit_key *key, char *buf, size_t len);

#endif /* REPORT_H */
