/* SPDX-License-Identifier: GPL-2.0 */
/* tsc.h - the time stamp counter, and its rate measured, not assumed. */
#ifndef NATIVE_TSC_H
#define NATIVE_TSC_H

#include <stdint.h>

/* lfence on both sides: the read neither starts early nor lets later work start first */
static inline uint64_t tsc_read(void)
{
	uint32_t lo, hi;

	__asm__ __volatile__("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) :: "memory");
	return (uint64_t)hi << 32 | lo;
}

/* TSC ticks per second against CLOCK_MONOTONIC, over about @ms milliseconds */
double tsc_hz(unsigned int ms);

#endif /* NATIVE_TSC_H */
