/* SPDX-License-Identifier: GPL-2.0 */
/*
 * prog_stats.h - what exittrace's own programs cost, as the kernel counts
 * it while sysctl kernel.bpf_stats_enabled is 1 (Linux 5.1): runs and
 * nanoseconds per program.  Counting perturbs the timing it measures
 * (two clock reads per run), so it belongs in a run of its own.
 */
#ifndef PROG_STATS_H
#define PROG_STATS_H

#include <stdio.h>

struct bpf_object;

/*
 * Write ,"prog_stats":{"NAME":{"runs":..,"ns":..},..} for the loaded
 * programs of @obj that ran with stats on; nothing if none did.
 */
void prog_stats_json(FILE *f, const struct bpf_object *obj);

#endif /* PROG_STATS_H */
