// SPDX-License-Identifier: GPL-2.0
/*
 * tsc.c - the TSC rate against CLOCK_MONOTONIC.
 *
 * Each end of the window reads the TSC on both sides of clock_gettime()
 * and keeps the midpoint, so the clock read's own cost cancels.
 */
#include <time.h>

#include "tsc.h"

static void sample(uint64_t *tsc, double *ns)
{
	struct timespec ts;
	uint64_t a, b;

	a = tsc_read();
	clock_gettime(CLOCK_MONOTONIC, &ts);
	b = tsc_read();
	*tsc = a + (b - a) / 2;
	*ns = ts.tv_sec * 1e9 + ts.tv_nsec;
}

double tsc_hz(unsigned int ms)
{
	struct timespec nap = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
	uint64_t t0, t1;
	double n0, n1;

	sample(&t0, &n0);
	nanosleep(&nap, NULL);
	sample(&t1, &n1);
	return (t1 - t0) / ((n1 - n0) / 1e9);
}
