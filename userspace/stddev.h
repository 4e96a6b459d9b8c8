/* SPDX-License-Identifier: GPL-2.0 */
/*
 * stddev.h - the standard deviation of a row's exit -> entry latencies,
 * from the three sums the BPF side keeps: n (lat_count), the sum
 * (lat_sum_ns) and the sum of squares (lat_sq_ns2, 128 bits, exact).
 *
 * Why sums and not Welford in the kernel: the BPF side only adds, so
 * per-CPU copies and intervals merge and subtract exactly.  Why 128 bits:
 * the squares are exact in ns^2, so the variance has no rounding to hide
 * a small spread under a large mean (see stats_stddev_ns()).
 */
#ifndef STDDEV_H
#define STDDEV_H

#include <linux/types.h>

#include "../bpf/exittrace.h"

/* The sum of squares of @st as one number. */
static inline unsigned __int128 stats_sq_sum(const struct exit_stats *st)
{
	return ((unsigned __int128)st->lat_sq_ns2[1] << 64) | st->lat_sq_ns2[0];
}

static inline void stats_sq_set(struct exit_stats *st, unsigned __int128 v)
{
	st->lat_sq_ns2[0] = (__u64)v;
	st->lat_sq_ns2[1] = (__u64)(v >> 64);
}

/*
 * The sample standard deviation (divided by n - 1, as perf's) of @st's
 * latencies, in ns; 0 for fewer than two.  The sum of squared deviations
 * is worked out in 128-bit integers, S2 - floor(S1^2 / n), within 1 ns^2
 * of the exact value; a read that raced the BPF side's adds (a count
 * ahead of its square) cannot make it negative: it is then 0.
 */
double stats_stddev_ns(const struct exit_stats *st);

#endif /* STDDEV_H */
