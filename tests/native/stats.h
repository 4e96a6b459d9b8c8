/* SPDX-License-Identifier: GPL-2.0 */
/* stats.h - the median and the minimum of a benchmark's timed runs. */
#ifndef NATIVE_STATS_H
#define NATIVE_STATS_H

#include <stdint.h>

/* the median of @n values (the mean of the middle two for even @n); 0 if out of memory */
double stats_median(const uint64_t *v, unsigned int n);
double stats_minimum(const uint64_t *v, unsigned int n);

#endif /* NATIVE_STATS_H */
