// SPDX-License-Identifier: GPL-2.0
/*
 * stats.c - the median and the minimum of timed runs: the median is what a
 * loaded machine gives most of the time, the minimum what the code costs
 * when nothing else intrudes (a timer interrupt, a steal of this guest's
 * vCPU).
 */
#include <stdlib.h>
#include <string.h>

#include "stats.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double stats_median(const uint64_t *v, unsigned int n)
{
	uint64_t *s = malloc(n * sizeof(*s));
	double m;

	if (!s)
		return 0;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0;
	free(s);
	return m;
}

double stats_minimum(const uint64_t *v, unsigned int n)
{
	uint64_t m = v[0];
	unsigned int i;

	for (i = 1; i < n; i++)
		if (v[i] < m)
			m = v[i];
	return m;
}
