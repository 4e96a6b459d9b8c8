/* SPDX-License-Identifier: GPL-2.0 */
/* report.h - figures per event and per exit round trip, as table, CSV and chart. */
#ifndef NATIVE_REPORT_H
#define NATIVE_REPORT_H

#include <stdio.h>

#include "cases.h"
#include "machine.h"

struct run_info {
	unsigned int rounds;
	uint64_t events;	/* per timed run */
	int cpu;
	double tsc_hz;
	/*
	 * cycles of the driver with nothing attached, timed before every
	 * case in every round: a short run, so one interruption moves it
	 * a lot; many of them make its median and minimum firm
	 */
	uint64_t *bare;
	unsigned int nr_bare;
	char load[128];		/* load and steal while timing (struct load_window) */
	struct machine mach;
};

/* one case's cost, the bare loop subtracted */
struct figure {
	double ev_med, ev_min;	/* cycles per event */
	double rt_med, rt_min;	/* cycles per exit round trip */
	bool valid;
};

struct figure case_figure(const struct bench_case *c, const struct run_info *run);
/* the table and what it says, for a reader (stdout, and table.txt beside the CSV) */
void report_table(FILE *out, const struct case_table *t, const struct run_info *run);
int report_files(const struct case_table *t, const struct run_info *run, const char *dir);

#endif /* NATIVE_REPORT_H */
