/* SPDX-License-Identifier: GPL-2.0 */
/*
 * report_sort.h - the order of a table's rows (--sort), as perf kvm stat
 * report's sort keys: by count, total time, average or maximum latency.
 */
#ifndef REPORT_SORT_H
#define REPORT_SORT_H

#include <stdbool.h>

#include "report.h"

enum report_sort {
	SORT_COUNT,		/* exits (the default) */
	SORT_TIME,		/* exit -> entry latency, summed */
	SORT_AVG,		/* its average */
	SORT_MAX,		/* its maximum */
};

/*
 * What --sort compares, from any table's row: the exits' (struct
 * exit_stats) and --by's keys' (struct drill_stats) alike.
 */
struct sort_fields {
	__u64 count;
	__u64 lat_count;
	__u64 lat_sum_ns;
	__u64 lat_max_ns;
};

/* "count", "time", "avg", "max" -> @by; false for anything else. */
bool report_sort_parse(const char *name, enum report_sort *by);

/*
 * <0 when @a goes first by @by (largest first), 0 on a tie; @by's ties go
 * by count (most first): the caller breaks the rest by its key.
 */
int sort_fields_cmp(const struct sort_fields *a, const struct sort_fields *b, enum report_sort by);

/* Largest first by @by; ties in key order, so the order is total. */
void snapshot_sort_by(struct snapshot *s, enum report_sort by);

#endif /* REPORT_SORT_H */
