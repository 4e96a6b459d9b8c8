// SPDX-License-Identifier: GPL-2.0
/*
 * stddev.c - the standard deviation of a row's latencies (stddev.h).
 */
#include <math.h>

#include "stddev.h"

double stats_stddev_ns(const struct exit_stats *st)
{
	unsigned __int128 s1 = st->lat_sum_ns, n = st->lat_count, sq = stats_sq_sum(st);
	unsigned __int128 s1_sq_n;

	if (st->lat_count < 2)
		return 0.0;
	/* floor(S1^2 / n) without S1^2, which may not fit 128 bits */
	s1_sq_n = s1 * (s1 / n) + s1 * (s1 % n) / n;
	if (sq <= s1_sq_n)
		return 0.0;
	return (double)sqrtl((long double)(sq - s1_sq_n) / (long double)(n - 1));
}
