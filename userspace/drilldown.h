/* SPDX-License-Identifier: GPL-2.0 */
/*
 * drilldown.h - exittrace --by: the keys behind the exits (I/O ports,
 * MMIO GPAs, MSRs, faulting GPA pages, hypercall numbers), read from the
 * drill-down's map (bpf/drilldown.bpf.h) and shown top N per VM and kind
 * in the table, the JSON lines, the record and the metrics.
 */
#ifndef DRILLDOWN_USER_H
#define DRILLDOWN_USER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../bpf/drilldown.h"
#include "report_sort.h"

struct vm_names;

struct drill_row {
	struct drill_key key;
	struct drill_stats st;
};

struct drill_snap {
	struct drill_row *rows;
	unsigned int nr, cap;
};

/* "port,msr" (or one kind) -> DRILL_KIND() mask; false if a word is none. */
bool drill_parse_by(const char *arg, __u32 *kinds);

/* "port", "mmio", "msr", "gpa", "hypercall" */
const char *drill_kind_name(unsigned int kind);

/* "in"/"out" for ports, "read"/"write" otherwise, "-" without one */
const char *drill_dir_name(const struct drill_key *key);

/* The key as people write it: 0x3f8, 0xfee00000, 0xc0000103, or 5 (hypercall). */
const char *drill_key_text(char *buf, size_t len, const struct drill_key *key);

int drill_append(struct drill_snap *s, const struct drill_key *key, const struct drill_stats *st);

/* Sort @s by key: VM, kind, key, direction (drill_delta() needs it). */
void drill_key_order(struct drill_snap *s);

/* @d = @now - @before for the sums (both in key order); min/max are @now's. */
int drill_delta(struct drill_snap *d, const struct drill_snap *now, const struct drill_snap *before);

int drill_copy(struct drill_snap *dst, const struct drill_snap *src);

/* Rows of the same key added up, in key order. */
void drill_merge_equal(struct drill_snap *s);

/* Without -P: the VMs' rows of one key added up (tgid 0), in key order. */
void drill_merge_vms(struct drill_snap *s);

/*
 * VMs that exited leave the map, as -P's rows do (per_vm.h), with or
 * without -P: before a read, drill_find_dead() lists the VMs of the last
 * read whose process is gone (their rows in the read that follows are
 * final); after the interval is reported, drill_retire() moves their rows
 * from @now (key order, stays so) into @retired (merged) and takes each
 * key out of the map with @forget.
 */
struct drill_dead {
	uint32_t *pids;		/* ascending */
	unsigned int nr, cap;
};

int drill_find_dead(struct drill_dead *dead, const struct drill_snap *before,
		    bool (*alive)(uint32_t pid, void *ctx), void *ctx);

int drill_retire(struct drill_snap *now, const struct drill_dead *dead, struct drill_snap *retired,
		 int (*forget)(const struct drill_key *key, void *ctx), void *ctx);

void drill_dead_free(struct drill_dead *dead);

/*
 * A KVM reload closes the map, and KVM unloads only once every VM has
 * ended: all of @now (the last read) joins @retired (merged), and @now is
 * emptied, so that the new map's first read is all new counts.
 */
int drill_carry(struct drill_snap *now, struct drill_snap *retired);

/*
 * Keep the first @top per (VM, kind) by @by (--sort: the largest count,
 * total or average latency, or maximum), ordered VM, kind, then by @by.
 */
void drill_top(struct drill_snap *s, unsigned int top, enum report_sort by);

void drill_free(struct drill_snap *s);

/*
 * One table in the exits' table's options (@o): 68 columns, 91 with -w
 * (RATE/s and the latencies' TOTAL); -P adds the PID and VM columns (the
 * VM's name from @o->names, as -P's exits table shows it: 21 more).
 * Times in --units; in an interval's table MIN and MAX are since the
 * start, starred, as in the exits' table.
 */
void drill_print_table(FILE *f, const struct drill_snap *s, double interval_s,
		       const struct report_opts *o);

/*
 * One JSON line: {"tool":"exittrace",...,"keys":[...]}; @retired: the
 * keys of exited VMs taken out of the map so far; with @names (-P) each
 * row has the VM's "vm" beside its "pid", as -P's exit rows do
 */
void drill_print_json(FILE *f, const struct drill_snap *s, double interval_s, double now_s,
		      bool final, unsigned int retired, const struct vm_names *names);

#endif /* DRILLDOWN_USER_H */
