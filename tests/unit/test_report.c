// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for exittrace's aggregation and output formats, on made-up
 * rows (no BPF involved).
 */
#include "unit.h"
#include "report.h"

static struct exit_stats stats(__u64 count, __u64 lat_min, __u64 lat_max)
{
	struct exit_stats s = { .count = count, .lat_count = count,
				.lat_min_ns = lat_min, .lat_max_ns = lat_max };

	s.lat_sum_ns = count * (lat_min + lat_max) / 2;
	return s;
}

TEST(per_cpu_values_merge)
{
	struct snapshot s = {};
	struct exit_key k = { 0, 1, 10, 0 };
	struct exit_stats a = stats(3, 100, 900), b = stats(2, 50, 400);

	a.hist[6] = 3;
	b.hist[6] = 1;
	b.hist[8] = 1;
	CHECK(!snapshot_add(&s, &k, &a));
	CHECK(!snapshot_add(&s, &k, &b));
	CHECK_EQ_U64(s.nr, 1);
	CHECK_EQ_U64(s.rows[0].st.count, 5);
	CHECK_EQ_U64(s.rows[0].st.lat_min_ns, 50);
	CHECK_EQ_U64(s.rows[0].st.lat_max_ns, 900);
	CHECK_EQ_U64(s.rows[0].st.hist[6], 4);
	CHECK_EQ_U64(s.rows[0].st.hist[8], 1);
	snapshot_free(&s);
}

TEST(merge_ignores_cpus_without_latency)
{
	struct exit_stats into = stats(1, 70, 70), idle = {};

	stats_merge(&into, &idle);	/* a CPU that saw nothing has min 0 */
	CHECK_EQ_U64(into.lat_min_ns, 70);
}

TEST(delta_subtracts_and_drops_idle_rows)
{
	struct snapshot before = {}, now = {}, d = {};
	struct exit_key cpuid = { 0, 1, 10, 0 }, hlt = { 0, 1, 12, 0 }, io = { 0, 1, 30, 0 };
	struct exit_stats c1 = stats(10, 1, 2), c2 = stats(25, 1, 2), h = stats(4, 5, 5);
	struct exit_stats i1 = stats(7, 3, 3);

	snapshot_add(&before, &cpuid, &c1);
	snapshot_add(&before, &hlt, &h);
	snapshot_add(&now, &cpuid, &c2);
	snapshot_add(&now, &hlt, &h);	/* unchanged: not in the delta */
	snapshot_add(&now, &io, &i1);	/* new row */
	CHECK(!snapshot_delta(&d, &now, &before));
	CHECK_EQ_U64(d.nr, 2);
	CHECK(snapshot_find(&d, &hlt) == NULL);
	CHECK_EQ_U64(snapshot_find(&d, &cpuid)->st.count, 15);
	CHECK_EQ_U64(snapshot_find(&d, &io)->st.count, 7);
	snapshot_free(&before);
	snapshot_free(&now);
	snapshot_free(&d);
}

TEST(sort_by_count_then_key)
{
	struct snapshot s = {};
	struct exit_key a = { 0, 2, 0x7b, 0 }, b = { 0, 2, 0x72, 0 }, c = { 0, 2, 0x78, 0 };
	struct exit_stats few = stats(1, 1, 1), many = stats(9, 1, 1);

	snapshot_add(&s, &a, &few);
	snapshot_add(&s, &b, &many);
	snapshot_add(&s, &c, &few);
	snapshot_sort(&s);
	CHECK_EQ_U64(s.rows[0].key.reason, 0x72);
	CHECK_EQ_U64(s.rows[1].key.reason, 0x78);
	CHECK_EQ_U64(s.rows[2].key.reason, 0x7b);
	snapshot_free(&s);
}

TEST(table_has_names_shares_and_total)
{
	struct snapshot s = {};
	struct exit_key cpuid = { 0, 1, 10, 0 }, odd = { 0, 1, 99, 0 };
	struct exit_stats c = stats(3, 1000, 3000), o = stats(1, 10, 10);
	struct report_opts opts = {};

	snapshot_add(&s, &cpuid, &c);
	snapshot_add(&s, &odd, &o);
	snapshot_sort(&s);
	CAPTURE(print_table(f, &s, 2.0, &opts));
	CHECK(strstr(captured, "VMX CPUID") != NULL);
	CHECK(strstr(captured, "UNKNOWN_0x63") != NULL);
	CHECK(strstr(captured, " 75.0%") != NULL);
	CHECK(strstr(captured, "TOTAL") != NULL);
	CHECK(strstr(captured, "2.00us") != NULL);	/* avg of 1000..3000 */
	snapshot_free(&s);
}

/* An interval's MIN and MAX are since the start: the table must say so. */
TEST(table_interval_says_extremes_are_cumulative)
{
	struct snapshot s = {};
	struct exit_key k = { 0, 1, 12, 0 };
	struct exit_stats st = stats(2, 100, 5000);
	struct report_opts opts = { .interval = true };

	snapshot_add(&s, &k, &st);
	CAPTURE(print_table(f, &s, 1.0, &opts));
	CHECK(strstr(captured, "MIN*") != NULL);
	CHECK(strstr(captured, "MAX*") != NULL);
	CHECK(strstr(captured, "* since the start") != NULL);
	opts.interval = false;
	CAPTURE(print_table(f, &s, 1.0, &opts));
	CHECK(strstr(captured, "MIN*") == NULL);
	CHECK(strstr(captured, "since the start") == NULL);
	snapshot_free(&s);
}

TEST(log2_histogram_bars)
{
	__u64 hist[EXITTRACE_HIST_SLOTS] = {};

	hist[10] = 100;
	hist[12] = 50;
	CAPTURE(print_log2_hist(f, hist, EXITTRACE_HIST_SLOTS, "nsecs"));
	CHECK(strstr(captured, "1024 -> 2047") != NULL);
	CHECK(strstr(captured, "2048 -> 4095") != NULL);	/* empty slot inside the range */
	CHECK(strstr(captured, "4096 -> 8191") != NULL);
	CHECK(strstr(captured, "512 -> 1023") == NULL);	/* nothing before the first */
	CHECK(strstr(captured, "|******************************|") != NULL);
	CHECK(strstr(captured, "|***************               |") != NULL);
}

/* A 5 s halt: in the last slot, printed with no upper bound. */
TEST(log2_histogram_last_slot_is_open)
{
	__u64 hist[EXITTRACE_HIST_SLOTS] = {};

	hist[10] = 1;
	hist[exittrace_hist_slot(5000000000ULL)] = 2;
	CAPTURE(print_log2_hist(f, hist, EXITTRACE_HIST_SLOTS, "nsecs"));
	CHECK(strstr(captured, "2147483648 and more : 2") != NULL);
	CHECK(strstr(captured, "4294967295") == NULL);
}

TEST(empty_histogram_prints_nothing)
{
	__u64 hist[EXITTRACE_HIST_SLOTS] = {};

	CAPTURE(print_log2_hist(f, hist, EXITTRACE_HIST_SLOTS, "nsecs"));
	CHECK_STR(captured, "");
}

TEST(json_line_fields)
{
	struct snapshot s = {};
	struct exit_key k = { 4242, 2, 0x400, 0 };
	struct exit_stats st = stats(5, 100, 300);
	struct report_opts opts = { .per_vm = true };

	snapshot_add(&s, &k, &st);
	CAPTURE(print_json(f, &s, 1.0, 12.5, &opts));
	CHECK(strstr(captured, "\"tool\":\"exittrace\"") != NULL);
	CHECK(strstr(captured, "\"total_exits\":5") != NULL);
	CHECK(strstr(captured, "\"pid\":4242,\"vm\":\"\",\"isa\":\"SVM\",\"code\":1024,\"name\":\"NPF\",\"count\":5") != NULL);
	CHECK(strstr(captured, "\"lat_sum_ns\":1000") != NULL);
	CHECK(captured[strlen(captured) - 1] == '\n');
	CHECK(strchr(captured, '\n') == captured + strlen(captured) - 1);	/* one line */
	snapshot_free(&s);
}

/* -P with names (vm_names.h): the table's VM column, JSON's "vm" */
TEST(per_vm_rows_carry_the_vm_name)
{
	struct vm_name_entry named[] = { { 4242, "web1" }, { 4343, "a-very-long-vm-name" } };
	struct vm_names names = { named, 2, 2 };
	struct snapshot s = {};
	struct exit_key web = { 4242, 2, 0x400, 0 }, longer = { 4343, 2, 0x7b, 0 }, none = { 77, 2, 0x78, 0 };
	struct exit_stats st = stats(5, 100, 300);
	struct report_opts opts = { .per_vm = true, .names = &names };

	snapshot_add(&s, &web, &st);
	snapshot_add(&s, &longer, &st);
	snapshot_add(&s, &none, &st);
	CAPTURE(print_table(f, &s, 1.0, &opts));
	CHECK(strstr(captured, "PID     VM           ISA REASON") != NULL);
	CHECK(strstr(captured, "4242    web1         SVM NPF ") != NULL);
	CHECK(strstr(captured, "4343    a-very-long- SVM IOIO ") != NULL);
	CHECK(strstr(captured, "77      -            SVM HLT ") != NULL);
	CAPTURE(print_json(f, &s, 1.0, 12.5, &opts));
	CHECK(strstr(captured, "\"pid\":4242,\"vm\":\"web1\",\"isa\"") != NULL);
	CHECK(strstr(captured, "\"pid\":4343,\"vm\":\"a-very-long-vm-name\",") != NULL);
	CHECK(strstr(captured, "\"pid\":77,\"vm\":\"\",") != NULL);
	snapshot_free(&s);
}
