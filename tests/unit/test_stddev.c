// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the latencies' standard deviation: the BPF side's exact
 * 128-bit squares (exittrace_square(), shared with it), and stddev.c's
 * arithmetic against a two-pass reference.
 */
#include <math.h>

#include "unit.h"
#include "report.h"
#include "stddev.h"

/* What on_entry() does for one latency, on a per-CPU row. */
static void add_latency(struct exit_stats *st, __u64 lat)
{
	__u64 lo, hi, old = st->lat_sq_ns2[0];

	exittrace_square(lat, &lo, &hi);
	st->lat_sq_ns2[0] = old + lo;
	st->lat_sq_ns2[1] += hi + (old + lo < old);
	st->lat_count++;
	st->lat_sum_ns += lat;
}

/* The reference: mean first, then the squared deviations, in long double. */
static double two_pass(const __u64 *lat, unsigned int n)
{
	long double mean = 0, m2 = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		mean += lat[i];
	mean /= n;
	for (i = 0; i < n; i++)
		m2 += (lat[i] - mean) * (lat[i] - mean);
	return (double)sqrtl(m2 / (n - 1));
}

static bool close_to(double got, double want, double rel)
{
	return fabs(got - want) <= rel * (want > 1 ? want : 1);
}

TEST(square_is_exact_128_bits)
{
	static const __u64 v[] = { 0, 1, 0xffffffffULL, 0x100000000ULL, 5500000000ULL,
				   0x123456789abcdefULL, ~0ULL };
	unsigned int i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		unsigned __int128 want = (unsigned __int128)v[i] * v[i];
		__u64 lo, hi;

		exittrace_square(v[i], &lo, &hi);
		CHECK_EQ_U64(lo, (__u64)want);
		CHECK_EQ_U64(hi, (__u64)(want >> 64));
	}
}

/* Squares past 2^64 carry into the high half: 4 exits of 5.5 s = 121 s^2. */
TEST(stddev_of_long_exits)
{
	const __u64 lat[] = { 5500000000ULL, 5500000100ULL, 5499999900ULL, 7000000000ULL };
	struct exit_stats st = {};
	unsigned int i;

	for (i = 0; i < 4; i++)
		add_latency(&st, lat[i]);
	CHECK(st.lat_sq_ns2[1] != 0);
	CHECK(close_to(stats_stddev_ns(&st), two_pass(lat, 4), 1e-12));
}

/*
 * A small spread under a large mean: 1,000,000 exits of 1 s +- 1 ns.  In
 * doubles, E[x^2] - E[x]^2 would lose it entirely (1e18 needs 60 bits);
 * the 128-bit sums keep it: the sample stddev of alternating +-1 is
 * sqrt(n / (n - 1)).
 */
TEST(stddev_small_spread_large_mean)
{
	struct exit_stats st = {};
	const unsigned int n = 1000000;
	unsigned int i;

	for (i = 0; i < n; i++)
		add_latency(&st, 1000000000ULL + (i & 1 ? 1 : -1));
	CHECK(close_to(stats_stddev_ns(&st), sqrt((double)n / (n - 1)), 1e-9));
}

TEST(stddev_none_below_two_and_zero_spread)
{
	struct exit_stats st = {};

	CHECK(stats_stddev_ns(&st) == 0.0);
	add_latency(&st, 12345);
	CHECK(stats_stddev_ns(&st) == 0.0);
	add_latency(&st, 12345);
	add_latency(&st, 12345);
	CHECK(stats_stddev_ns(&st) == 0.0);
	/* a read that raced the adds: the count ahead of its square */
	st.lat_count++;
	st.lat_sum_ns += 12345;
	CHECK(stats_stddev_ns(&st) == 0.0);
}

/*
 * Per-CPU copies merge, and intervals subtract, through the carry: the
 * stddev of a merge is the stddev of all the latencies, and the stddev
 * of a delta that of the latencies in between.
 */
TEST(stddev_merges_and_subtracts)
{
	__u64 lat[64];
	struct exit_stats a = {}, b = {}, first = {};
	struct snapshot now = {}, before = {}, d = {};
	struct exit_key k = { 0, 2, 0x7b, 0 };
	unsigned int i;

	for (i = 0; i < 64; i++) {
		lat[i] = (i % 3 ? 3000000000ULL : 25000) + i * 977;
		add_latency(i & 1 ? &a : &b, lat[i]);
		if (i < 32)
			add_latency(&first, lat[i]);
	}
	stats_merge(&a, &b);
	CHECK(close_to(stats_stddev_ns(&a), two_pass(lat, 64), 1e-12));
	snapshot_add(&now, &k, &a);
	snapshot_add(&before, &k, &first);
	CHECK(!snapshot_delta(&d, &now, &before));
	CHECK_EQ_U64(d.nr, 1);
	CHECK(close_to(stats_stddev_ns(&d.rows[0].st), two_pass(lat + 32, 32), 1e-12));
	snapshot_free(&now);
	snapshot_free(&before);
	snapshot_free(&d);
}
