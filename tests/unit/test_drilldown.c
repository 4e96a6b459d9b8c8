// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for exittrace --by: the kinds it parses (its options: in
 * test_exittrace_args.c), and what it does to
 * the drill-down's rows before showing them (delta, VMs added up, top N,
 * the table's width, the record's key lines).
 */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"
#include "drilldown.h"
#include "record.h"
#include "vm_names.h"

static void add(struct drill_snap *s, __u32 tgid, __u16 kind, __u64 key, __u16 dir,
		__u64 count, __u64 lat_sum)
{
	struct drill_key k = { .tgid = tgid, .kind = kind, .dir = dir, .key = key };
	struct drill_stats st = { .count = count, .lat_count = count, .lat_sum_ns = lat_sum,
				  .lat_min_ns = 10, .lat_max_ns = 1000 };

	CHECK(!drill_append(s, &k, &st));
}

TEST(drill_parse_by)
{
	__u32 kinds = 0;

	CHECK(drill_parse_by("port", &kinds));
	CHECK_EQ_U64(kinds, DRILL_KIND(DRILL_PORT));
	CHECK(drill_parse_by("msr,gpa,hypercall,mmio", &kinds));
	CHECK_EQ_U64(kinds, DRILL_KIND(DRILL_PORT) | DRILL_KIND(DRILL_MMIO) | DRILL_KIND(DRILL_MSR) |
			    DRILL_KIND(DRILL_GPA) | DRILL_KIND(DRILL_HYPERCALL));
	kinds = 0;
	CHECK(!drill_parse_by("ports", &kinds));
	CHECK(!drill_parse_by("port,", &kinds));
	CHECK(!drill_parse_by("", &kinds));
	CHECK(!drill_parse_by("none", &kinds));
	CHECK(!drill_parse_by("por", &kinds));
}

TEST(drill_delta_and_merge)
{
	struct drill_snap before = {}, now = {}, d = {};

	add(&before, 7, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 10, 100);
	add(&now, 7, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 15, 160);
	add(&now, 7, DRILL_PORT, 0x3f8, DRILL_DIR_READ, 4, 40);
	add(&now, 9, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 2, 20);
	drill_key_order(&before);
	drill_key_order(&now);
	CHECK(!drill_delta(&d, &now, &before));
	CHECK_EQ_U64(d.nr, 3);
	/* key order: VM 7's IN, VM 7's OUT, VM 9's OUT */
	CHECK_EQ_U64(d.rows[0].st.count, 4);
	CHECK_EQ_U64(d.rows[1].st.count, 5);
	CHECK_EQ_U64(d.rows[1].st.lat_sum_ns, 60);
	CHECK_EQ_U64(d.rows[2].st.count, 2);
	drill_merge_vms(&d);
	CHECK_EQ_U64(d.nr, 2);
	CHECK_EQ_U64(d.rows[0].key.tgid, 0);
	CHECK_EQ_U64(d.rows[1].key.dir, DRILL_DIR_WRITE);
	CHECK_EQ_U64(d.rows[1].st.count, 7);
	CHECK_EQ_U64(d.rows[1].st.lat_sum_ns, 80);
	drill_free(&before);
	drill_free(&now);
	drill_free(&d);
}

TEST(drill_top_per_vm_and_kind)
{
	struct drill_snap s = {};
	unsigned int i;

	for (i = 0; i < 5; i++) {
		add(&s, 1, DRILL_GPA, 0x1000 * i, DRILL_DIR_READ, 10 + i, 0);
		add(&s, 2, DRILL_GPA, 0x1000 * i, DRILL_DIR_READ, 20 - i, 0);
	}
	add(&s, 1, DRILL_MSR, 0xc0000103, DRILL_DIR_WRITE, 1, 0);
	drill_top(&s, 2, SORT_COUNT);
	CHECK_EQ_U64(s.nr, 5);
	CHECK_EQ_U64(s.rows[0].key.kind, DRILL_MSR);	/* kinds in enum order */
	CHECK_EQ_U64(s.rows[1].key.key, 0x4000);	/* VM 1's busiest page */
	CHECK_EQ_U64(s.rows[2].key.key, 0x3000);
	CHECK_EQ_U64(s.rows[3].key.key, 0);		/* VM 2's busiest */
	CHECK_EQ_U64(s.rows[4].st.count, 19);
	drill_free(&s);
}

TEST(drill_texts)
{
	struct drill_key k = { .kind = DRILL_PORT, .dir = DRILL_DIR_WRITE, .key = 0x3f8 };
	char buf[24];

	CHECK_STR(drill_key_text(buf, sizeof(buf), &k), "0x3f8");
	CHECK_STR(drill_dir_name(&k), "out");
	k = (struct drill_key){ .kind = DRILL_HYPERCALL, .key = 5 };
	CHECK_STR(drill_key_text(buf, sizeof(buf), &k), "5");
	CHECK_STR(drill_dir_name(&k), "-");
	k = (struct drill_key){ .kind = DRILL_MSR, .dir = DRILL_DIR_READ, .key = 0xc0000103 };
	CHECK_STR(drill_dir_name(&k), "read");
	CHECK_STR(drill_kind_name(k.kind), "msr");
}

/*
 * The exits' table's columns and options: 68 columns without -P (91
 * with -w), -P's PID and VM before, --units, MIN and MAX starred in
 * an interval's table.
 */
TEST(drill_table_width)
{
	struct vm_name_entry named[] = { { 4194304, "a-long-vm-name" } };
	struct vm_names names = { named, 1, 1 };
	struct report_opts o = {};
	struct drill_snap s = {};
	char *line, *save = NULL;

	add(&s, 4194304, DRILL_GPA, 0xfffffffffffff000ULL, DRILL_DIR_WRITE, 99999999, 0);
	add(&s, 4194304, DRILL_HYPERCALL, 0x70726f62, DRILL_DIR_NONE, 1, 0);
	add(&s, 4194304, DRILL_PORT, 0x5c20, DRILL_DIR_READ, 1, 0);
	s.rows[0].st.lat_max_ns = 3000000000ULL;
	s.rows[2].st.lat_count = 0;
	CAPTURE(drill_print_table(f, &s, 10.0, &o));
	CHECK(!strncmp(captured, "KIND      KEY                DIR       COUNT     AVG     MIN     MAX\n", 69));
	CHECK(strstr(captured, "0x5c20") && strstr(captured, " in "));
	/* the port's exit never re-entered: no latency, not 0 ns */
	CHECK(strstr(captured, "        1       -       -       -\n"));
	for (line = strtok_r(captured, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		CHECK(strlen(line) <= 68);
	/* -w: the rate and the latencies' sum, 91 columns, as the exits' -w table is wide too */
	o.wide = true;
	CAPTURE(drill_print_table(f, &s, 10.0, &o));
	CHECK(strstr(captured, " COUNT    RATE/s      AVG      MIN      MAX     TOTAL\n"));
	CHECK(strstr(captured, "        1       0.1        -        -        -         -\n"));
	for (line = strtok_r(captured, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		CHECK(strlen(line) <= 91);
	/* --units ms, an interval's table */
	o = (struct report_opts){ .units = UNITS_MS, .interval = true };
	CAPTURE(drill_print_table(f, &s, 10.0, &o));
	CHECK(strstr(captured, "    MIN*    MAX*\n") && strstr(captured, " 3000.000\n"));
	/* -P: the exits table's PID and VM columns before it, the name cut to 12 */
	o = (struct report_opts){ .per_vm = true, .names = &names };
	CAPTURE(drill_print_table(f, &s, 10.0, &o));
	CHECK(!strncmp(captured, "PID     VM           KIND ", 26));
	CHECK(strstr(captured, "\n4194304 a-long-vm-na port      0x5c20 "));
	for (line = strtok_r(captured, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		CHECK(strlen(line) <= 68 + 21);
	drill_free(&s);
}

/* --sort and --top: the first N per VM and kind by the sort's key */
TEST(drill_top_by_sort_key)
{
	struct drill_snap s = {};

	/* VM 1's ports: most often 0x70, slowest 0x3f8 (one exit of 90 ns) */
	add(&s, 1, DRILL_PORT, 0x70, DRILL_DIR_WRITE, 10, 100);
	add(&s, 1, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 1, 90);
	add(&s, 1, DRILL_PORT, 0x80, DRILL_DIR_WRITE, 5, 50);
	s.rows[0].st.lat_max_ns = 20;
	s.rows[1].st.lat_max_ns = 90;
	s.rows[2].st.lat_max_ns = 10;
	drill_top(&s, 1, SORT_AVG);
	CHECK_EQ_U64(s.nr, 1);
	CHECK_EQ_U64(s.rows[0].key.key, 0x3f8);
	drill_free(&s);
	add(&s, 1, DRILL_PORT, 0x70, DRILL_DIR_WRITE, 10, 100);
	add(&s, 1, DRILL_PORT, 0x80, DRILL_DIR_WRITE, 5, 150);
	drill_top(&s, 2, SORT_TIME);
	CHECK_EQ_U64(s.rows[0].key.key, 0x80);
	drill_top(&s, 2, SORT_COUNT);
	CHECK_EQ_U64(s.rows[0].key.key, 0x70);
	drill_free(&s);
}

/* The keys JSON line: with -P's names a "vm" beside each "pid", "" for none */
TEST(drill_json_vm_names)
{
	struct vm_name_entry named[] = { { 42, "web1" } };
	struct vm_names names = { named, 1, 1 };
	struct drill_snap s = {};

	add(&s, 42, DRILL_PORT, 0x5c00, DRILL_DIR_WRITE, 3, 2);
	add(&s, 43, DRILL_PORT, 0x5c00, DRILL_DIR_WRITE, 1, 0);
	CAPTURE(drill_print_json(f, &s, 1.0, 5.0, true, 0, &names));
	CHECK(strstr(captured, "\"keys\":[{\"pid\":42,\"vm\":\"web1\",\"kind\":\"port\",\"key\":\"0x5c00\","));
	CHECK(strstr(captured, "},{\"pid\":43,\"vm\":\"\",\"kind\":\"port\""));
	/* without -P (names NULL): no vm at all */
	CAPTURE(drill_print_json(f, &s, 1.0, 5.0, true, 0, NULL));
	CHECK(strstr(captured, "{\"pid\":42,\"kind\":\"port\"") && !strstr(captured, "\"vm\""));
	drill_free(&s);
}

/*
 * A KVM reload: the last read's keys are carried with the retired ones,
 * and a key counted again after it (a VM started after the reload, or
 * the same pid's) adds up with them in the totals.
 */
TEST(drill_carry_over_reload)
{
	struct drill_snap now = {}, retired = {}, shown = {};

	add(&retired, 7, DRILL_PORT, 0x5c00, DRILL_DIR_WRITE, 2, 2);	/* an exited VM */
	add(&now, 9, DRILL_PORT, 0x5c20, DRILL_DIR_WRITE, 100, 100);
	add(&now, 9, DRILL_MSR, 0xc0000103, DRILL_DIR_READ, 50, 50);
	CHECK(drill_carry(&now, &retired) == 0);
	CHECK_EQ_U64(now.nr, 0);
	CHECK_EQ_U64(retired.nr, 3);
	/* after the reload: the new map's rows, then since start as exittrace adds them */
	add(&now, 9, DRILL_PORT, 0x5c20, DRILL_DIR_WRITE, 40, 40);
	CHECK(drill_copy(&shown, &now) == 0);
	for (unsigned int i = 0; i < retired.nr; i++)
		CHECK(drill_append(&shown, &retired.rows[i].key, &retired.rows[i].st) == 0);
	drill_merge_equal(&shown);
	drill_top(&shown, 10, SORT_COUNT);
	CHECK_EQ_U64(shown.nr, 3);
	CHECK_EQ_U64(shown.rows[1].key.tgid, 9);
	CHECK_EQ_U64(shown.rows[1].key.key, 0x5c20);
	CHECK_EQ_U64(shown.rows[1].st.count, 140);
	CHECK_EQ_U64(shown.rows[1].st.lat_count, 140);
	drill_free(&now);
	drill_free(&retired);
	drill_free(&shown);
}

TEST(drill_record_lines)
{
	struct drill_snap s = {};

	add(&s, 42, DRILL_MMIO, 0xfee00300, DRILL_DIR_WRITE, 3, 300);
	CAPTURE(record_keys(f, RECORD_CSV, 0.1, 0.2, &s));
	CHECK_STR(captured, "0.100,0.200,key,42,mmio,4276093696,0xfee00300/write,3,3,300\n");
	CAPTURE(record_keys(f, RECORD_JSONL, 0.1, 0.2, &s));
	CHECK(strstr(captured, "\"kind\":\"key\"") && strstr(captured, "\"isa\":\"mmio\"") &&
	      strstr(captured, "\"name\":\"0xfee00300/write\""));
	drill_free(&s);
}

static bool alive_but_7(uint32_t pid, void *ctx)
{
	(void)ctx;
	return pid != 7;
}

static int forgotten;

static int forget(const struct drill_key *key, void *ctx)
{
	(void)ctx;
	forgotten++;
	return key->tgid == 7 ? 0 : -EINVAL;
}

/* VM 7 exited: its rows leave the live ones and the map, and are kept. */
TEST(drill_retire_exited_vm)
{
	struct drill_snap before = {}, now = {}, retired = {};
	struct drill_dead dead = {};

	add(&before, 5, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 1, 10);
	add(&before, 7, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 1, 10);
	add(&before, 7, DRILL_GPA, 0x1000, DRILL_DIR_READ, 1, 10);
	add(&before, 9, DRILL_MSR, 0x10, DRILL_DIR_READ, 1, 10);
	drill_key_order(&before);
	CHECK(!drill_find_dead(&dead, &before, alive_but_7, NULL));
	CHECK_EQ_U64(dead.nr, 1);
	CHECK_EQ_U64(dead.pids[0], 7);
	CHECK(!drill_copy(&now, &before));
	now.rows[1].st.count = 4;	/* VM 7's last events came before the read */
	add(&retired, 7, DRILL_PORT, 0x3f8, DRILL_DIR_WRITE, 2, 20);	/* an earlier VM 7 */
	forgotten = 0;
	CHECK(!drill_retire(&now, &dead, &retired, forget, NULL));
	CHECK_EQ_U64(forgotten, 2);
	CHECK_EQ_U64(now.nr, 2);
	CHECK_EQ_U64(now.rows[0].key.tgid, 5);
	CHECK_EQ_U64(now.rows[1].key.tgid, 9);
	CHECK_EQ_U64(retired.nr, 2);
	CHECK_EQ_U64(retired.rows[0].key.kind, DRILL_PORT);
	CHECK_EQ_U64(retired.rows[0].st.count, 6);
	drill_free(&before);
	drill_free(&now);
	drill_free(&retired);
	drill_dead_free(&dead);
}
