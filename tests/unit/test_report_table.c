// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the table's columns (report_table.c) and its order
 * (report_sort.c), on made-up rows.
 */
#include "unit.h"
#include "report.h"
#include "report_sort.h"
#include "stddev.h"

static struct exit_stats lat_stats(__u64 count, __u64 sum, __u64 max)
{
	return (struct exit_stats){ .count = count, .lat_count = count, .lat_sum_ns = sum,
				    .lat_min_ns = 1, .lat_max_ns = max };
}

/* The widest line of what was captured. */
static size_t widest(const char *text)
{
	size_t w = 0;

	while (*text) {
		size_t n = strcspn(text, "\n");

		if (n > w)
			w = n;
		text += n + !!text[n];
	}
	return w;
}

/*
 * The default table fits 80 columns with the longest reason name, a count
 * of a billion and times of hours, in an interval's table as in a summary.
 */
TEST(table_default_fits_80_columns)
{
	struct snapshot s = {};
	struct exit_key tpr = { 0, 1, 43, 0 }, cpuid = { 0, 1, 10, 0 };
	struct exit_stats a = lat_stats(999999999, 3600ULL * 999999999 * 1000, 3599999999999ULL);
	struct exit_stats b = lat_stats(5, 5000, 1999);
	struct report_opts o = {};

	stats_sq_set(&a, (unsigned __int128)a.lat_sum_ns * 4000000000000ULL);
	snapshot_add(&s, &tpr, &a);
	snapshot_add(&s, &cpuid, &b);
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(strstr(captured, "TPR_BELOW_THRESHOLD ") != NULL);
	CHECK(widest(captured) <= 80);
	o.interval = true;
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(widest(captured) <= 80);
	CHECK(strstr(captured, "RATE/s") == NULL);
	/* -w has what the default leaves out */
	o.wide = o.kvm_time = true;
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(strstr(captured, "RATE/s") != NULL);
	CHECK(strstr(captured, "---- in KVM ----") != NULL);
	CHECK(widest(captured) > 80);
	snapshot_free(&s);
}

/* COUNT% is the share of the exits, TIME% the share of the latencies' sum. */
TEST(table_count_and_time_shares)
{
	struct snapshot s = {};
	struct exit_key io = { 0, 2, 0x7b, 0 }, cpuid = { 0, 2, 0x72, 0 };
	struct exit_stats many_fast = lat_stats(3, 1000, 400), few_slow = lat_stats(1, 9000, 9000);
	struct report_opts o = {};

	snapshot_add(&s, &cpuid, &many_fast);
	snapshot_add(&s, &io, &few_slow);
	snapshot_sort(&s);
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(strstr(captured, "SVM CPUID                       3  75.0%  10.0%") != NULL);
	CHECK(strstr(captured, "SVM IOIO                        1  25.0%  90.0%") != NULL);
	CHECK(strstr(captured, "    TOTAL                       4 100.0% 100.0%") != NULL);
	snapshot_free(&s);
}

TEST(table_stddev_column)
{
	struct snapshot s = {};
	struct exit_key k = { 0, 2, 0x72, 0 };
	struct exit_stats st = lat_stats(2, 3000, 2000);	/* 1000 and 2000 ns */
	struct report_opts o = {};

	stats_sq_set(&st, 1000000 + 4000000);
	snapshot_add(&s, &k, &st);
	CAPTURE(print_table(f, &s, 1.0, &o));
	/* avg 1.5 us, sample stddev 707.1 ns */
	CHECK(strstr(captured, " 1.50us   707ns ") != NULL);
	snapshot_free(&s);
}

/* One latency has no sample standard deviation: "-", not 0ns. */
TEST(table_stddev_of_one_exit)
{
	struct snapshot s = {};
	struct exit_key k = { 0, 2, 0x72, 0 };
	struct exit_stats st = lat_stats(1, 5000, 5000);
	struct report_opts o = {};

	st.lat_min_ns = 5000;
	stats_sq_set(&st, 25000000);
	snapshot_add(&s, &k, &st);
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(strstr(captured, "SVM CPUID                       1 100.0% 100.0%  5.00us       -  5.00us  5.00us") != NULL);
	snapshot_free(&s);
}

TEST(fmt_time_units)
{
	char b[32];

	CHECK_STR(fmt_time(b, sizeof(b), 999.4, UNITS_AUTO), "999ns");
	CHECK_STR(fmt_time(b, sizeof(b), 999.6, UNITS_AUTO), "1.00us");
	CHECK_STR(fmt_time(b, sizeof(b), 901300, UNITS_AUTO), "901.3us");
	CHECK_STR(fmt_time(b, sizeof(b), 999960, UNITS_AUTO), "1.00ms");
	CHECK_STR(fmt_time(b, sizeof(b), 344880000, UNITS_AUTO), "344.9ms");
	CHECK_STR(fmt_time(b, sizeof(b), 4380000000.0, UNITS_AUTO), "4.38s");
	CHECK_STR(fmt_time(b, sizeof(b), 4380000000000.0, UNITS_AUTO), "4380.0s");
	CHECK_STR(fmt_time(b, sizeof(b), 1234567, UNITS_NS), "1234567");
	CHECK_STR(fmt_time(b, sizeof(b), 1234567, UNITS_US), "1234.57");
	CHECK_STR(fmt_time(b, sizeof(b), 1234567, UNITS_MS), "1.235");
}

/* --units: every time in one unit, which the table names once. */
TEST(table_fixed_units)
{
	struct snapshot s = {};
	struct exit_key k = { 0, 2, 0x72, 0 };
	struct exit_stats st = lat_stats(2, 3000000, 2000000);
	struct report_opts o = { .units = UNITS_US };

	snapshot_add(&s, &k, &st);
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(strncmp(captured, "times in us\n", 12) == 0);
	CHECK(strstr(captured, " 1500.00 ") != NULL);
	CHECK(strstr(captured, "us ") == NULL);
	snapshot_free(&s);
}

TEST(table_per_vcpu_rows)
{
	struct snapshot s = {};
	struct exit_key v0 = { 4242, 2, 0x72, 0 }, v5 = { 4242, 2, 0x72, 5 };
	struct exit_stats a = lat_stats(3, 300, 100), b = lat_stats(4, 400, 100);
	struct report_opts o = { .per_vm = true, .per_vcpu = true };

	snapshot_add(&s, &v0, &a);
	snapshot_add(&s, &v5, &b);
	snapshot_sort(&s);
	CAPTURE(print_table(f, &s, 1.0, &o));
	CHECK(strstr(captured, "PID     VM           VCPU ISA REASON") != NULL);
	CHECK(strstr(captured, "4242    -            5    SVM CPUID                       4") != NULL);
	CHECK(strstr(captured, "4242    -            0    SVM CPUID                       3") != NULL);
	snapshot_free(&s);
}

/* The record and the metrics get a (VM, reason)'s vCPUs added up. */
TEST(fold_vcpus)
{
	struct snapshot s = {}, out = {};
	struct exit_key v0 = { 4242, 2, 0x72, 0 }, v5 = { 4242, 2, 0x72, 5 }, other = { 7, 2, 0x72, 1 };
	struct exit_stats a = lat_stats(3, 300, 100), b = lat_stats(4, 400, 250);

	snapshot_add(&s, &v5, &b);
	snapshot_add(&s, &other, &a);
	snapshot_add(&s, &v0, &a);
	CHECK(!snapshot_fold_vcpus(&out, &s));
	CHECK_EQ_U64(out.nr, 2);
	CHECK_EQ_U64(out.rows[0].key.tgid, 7);
	CHECK_EQ_U64(out.rows[0].key.vcpu, 0);
	CHECK_EQ_U64(out.rows[1].st.count, 7);
	CHECK_EQ_U64(out.rows[1].st.lat_max_ns, 250);
	snapshot_free(&s);
	snapshot_free(&out);
}

static unsigned int order(const struct snapshot *s)
{
	unsigned int i, code = 0;

	/* the reasons' last hex digits in table order: 0x72, 0x7b, 0x78 -> 0x2b8 */
	for (i = 0; i < s->nr; i++)
		code = code << 4 | (s->rows[i].key.reason & 0xf);
	return code;
}

TEST(sort_keys)
{
	struct snapshot s = {};
	struct exit_key cpuid = { 0, 2, 0x72, 0 }, io = { 0, 2, 0x7b, 0 }, hlt = { 0, 2, 0x78, 0 };
	/* count: CPUID; time: IOIO; avg: HLT; max: CPUID's one stall */
	struct exit_stats c = lat_stats(100, 10000, 9000), i = lat_stats(50, 50000, 2000),
			  h = lat_stats(2, 20000, 8000);
	enum report_sort by;

	snapshot_add(&s, &cpuid, &c);
	snapshot_add(&s, &io, &i);
	snapshot_add(&s, &hlt, &h);
	CHECK(report_sort_parse("count", &by) && by == SORT_COUNT);
	snapshot_sort_by(&s, by);
	CHECK_EQ_U64(order(&s), 0x2b8);
	CHECK(report_sort_parse("time", &by) && by == SORT_TIME);
	snapshot_sort_by(&s, by);
	CHECK_EQ_U64(order(&s), 0xb82);
	CHECK(report_sort_parse("avg", &by) && by == SORT_AVG);
	snapshot_sort_by(&s, by);
	CHECK_EQ_U64(order(&s), 0x8b2);
	CHECK(report_sort_parse("max", &by) && by == SORT_MAX);
	snapshot_sort_by(&s, by);
	CHECK_EQ_U64(order(&s), 0x28b);
	CHECK(!report_sort_parse("Count", &by) && !report_sort_parse("", &by));
	snapshot_free(&s);
}

/* Averages that differ by less than a double can tell still sort apart. */
TEST(sort_avg_exact_and_ties_by_count)
{
	struct snapshot s = {};
	struct exit_key a = { 0, 2, 0x72, 0 }, b = { 0, 2, 0x7b, 0 }, none = { 0, 2, 0x78, 0 };
	struct exit_stats big = lat_stats(3, 3ULL * 1000000000000000001ULL, 1),
			  less = lat_stats(1, 1000000000000000000ULL, 1), no_lat = { .count = 9 };

	snapshot_add(&s, &none, &no_lat);
	snapshot_add(&s, &b, &less);
	snapshot_add(&s, &a, &big);
	snapshot_sort_by(&s, SORT_AVG);
	CHECK_EQ_U64(order(&s), 0x2b8);
	snapshot_free(&s);
}
