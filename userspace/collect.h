/* SPDX-License-Identifier: GPL-2.0 */
/*
 * collect.h - exittrace's maps, read once per interval into snapshots
 * that every output is fed from (sink.h): the rows now, the interval's
 * difference, the counts since start (the rows of exited VMs and the
 * counts of programs closed for a KVM reload kept in them), the
 * drill-down's keys and the drop counters.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <stdbool.h>
#include <linux/types.h>

#include "../bpf/exittrace.h"
#include "drilldown.h"
#include "per_vm.h"
#include "report.h"
#include "report_sort.h"
#include "vm_names.h"

struct exittrace_bpf;

struct collector {
	/* set before the first read */
	struct exittrace_bpf *skel;	/* NULL while stepped aside for a KVM reload */
	int nr_cpus;
	bool by_vm;			/* -P: rows per VM, retired when it exits */
	__u32 drill_kinds;		/* --by */
	unsigned int top;		/* --top */
	enum report_sort sort;		/* --sort, for the interval's rows */
	bool histograms;		/* read the histograms' maps too */

	/* the last read, the one before it, and the interval between */
	struct snapshot now, before, delta;
	struct drill_snap keys_now, keys_before, keys_delta;
	struct drill_snap keys_retired;	/* exited VMs' keys, and a reload's */
	/* -P: each VM's name (QEMU's -name), kept after it is gone */
	struct vm_names names;

	/* private: the totals since start (collect_since_start()) */
	struct per_vm per_vm;
	struct snapshot totals, carried, with_carried;
	__u64 carried_drops[DROP_NR];
	struct drill_snap keys_shown;
	struct drill_dead keys_dead;
	/* the hash's histograms, read before its rows: rows with only .hist */
	struct snapshot hists;
};

/*
 * One interval: the maps into ->now and ->keys_now, ->delta (sorted as
 * asked) and ->keys_delta (ranked: --top, VMs added up without -P).
 * With -P, which VMs are gone is asked before the read, so that the read
 * holds all their counts.  Failures are said.
 */
int collect_read(struct collector *c);

/* The interval went out: exited VMs' rows leave the maps; ->now becomes ->before. */
int collect_next(struct collector *c);

/* The counts since start, every row kept; NULL when out of memory (said). */
const struct snapshot *collect_since_start(struct collector *c);

/* --by's keys since start, ranked; NULL without --by or out of memory. */
struct drill_snap *collect_keys_since_start(struct collector *c);

/* A drop counter (enum exittrace_drop) since start, over all CPUs. */
__u64 collect_drops(const struct collector *c, __u32 why);

/*
 * Before the maps are closed for a KVM reload: everything since start is
 * carried, and the next maps' first read is all interval.
 */
int collect_carry(struct collector *c);

/* The run ended while stepped aside: nothing is left to read. */
void collect_nothing(struct collector *c);

void collect_free(struct collector *c);

/*
 * Exits whose entry has not been seen yet (vCPU still out, or gone).
 * Every counted exit ends up paired, unpaired, pending or without task
 * storage, so the pending ones are what the counters leave over.
 */
__u64 collect_in_flight(const struct snapshot *s, __u64 no_storage);

#endif /* COLLECT_H */
