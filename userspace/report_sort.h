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

/* "count", "time", "avg", "max" -> @by; false for anything else. */
bool report_sort_parse(const char *name, enum report_sort *by);

/* Largest first by @by; ties in key order, so the order is total. */
void snapshot_sort_by(struct snapshot *s, enum report_sort by);

#endif /* REPORT_SORT_H */
