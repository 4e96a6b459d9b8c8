/* SPDX-License-Identifier: GPL-2.0 */
/*
 * record.h - exittrace --record: a timeline of exits, one record per
 * interval per reason, as CSV (default) or JSON lines.
 *
 * The recorder only sees snapshots (report.h), never the BPF maps, so the
 * map layout stays known to one place.  Every interval is written and
 * flushed as one block: a killed run loses at most the interval it was in.
 *
 * Records (CSV columns; JSON lines carry the same keys, plus "kind"):
 *   t0_s,t1_s,kind,pid,isa,code,name,count,lat_count,lat_sum_ns
 *   exits     one reason in [t0_s, t1_s): its exits and latency sum
 *   interval  closes an interval: the sums of its exits records
 *   mark      t0_s = t1_s = when the mark came (SIGUSR1); name = label
 *   end       the run ended cleanly: [0, t1_s], totals since start,
 *             name = why (signal, duration, count)
 * Times are seconds since the recorder started (CLOCK_MONOTONIC), to the
 * millisecond.  CSV files begin with "# key=value" metadata lines, then the
 * column header; JSON files with a {"kind":"meta",...} line.
 */
#ifndef RECORD_H
#define RECORD_H

#include <stdbool.h>
#include <stdio.h>

#include "drilldown.h"
#include "report.h"

#define RECORD_FORMAT_VERSION	1
#define RECORD_CSV_HEADER "t0_s,t1_s,kind,pid,isa,code,name,count,lat_count,lat_sum_ns"

enum record_format {
	RECORD_CSV,
	RECORD_JSONL,
};

/* What the plot script should not have to guess. */
struct record_meta {
	const char *tool;		/* "exittrace 0.1" */
	double start_unix_s;		/* CLOCK_REALTIME at start */
	double start_mono_s;		/* CLOCK_MONOTONIC at start */
	const char *isa;		/* "VMX", "SVM" or "unknown" (from the CPU) */
	const char *kernel;		/* uname -r */
	unsigned int interval_ms;
	const __u32 *pids;		/* -p filters */
	unsigned int nr_pids;
	int vcpu;			/* -c filter, -1: none */
	bool per_vm;
};

/* "x.jsonl" / "x.json" -> JSON lines, anything else -> CSV. */
enum record_format record_format_for(const char *path);

/* The metadata lines and, for CSV, the column header. */
void record_header(FILE *f, enum record_format fmt, const struct record_meta *m);

/* exits records for @delta's rows, then the interval record. */
void record_interval(FILE *f, enum record_format fmt, double t0_s, double t1_s,
		     const struct snapshot *delta);

/*
 * --by: the interval's keys (the top N per VM and kind), after its
 * interval record: kind "key", the isa column holding the key's kind
 * (port, mmio, msr, gpa, hypercall), code the key as a number, name
 * "KEY/DIR" (0x5c20/out, 0xc0000103/read, 5/-).  Not part of the
 * interval's sum.
 */
void record_keys(FILE *f, enum record_format fmt, double t0_s, double t1_s,
		 const struct drill_snap *keys);

void record_mark(FILE *f, enum record_format fmt, double t_s, const char *label);

/* The end record: @cumulative is what the run's final summary shows. */
void record_end(FILE *f, enum record_format fmt, double t_s,
		const struct snapshot *cumulative, const char *why);

/* Mark labels go into CSV fields unquoted: [A-Za-z0-9_.-], 1..32 chars. */
bool record_label_ok(const char *label);

#endif /* RECORD_H */
