// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for exittrace --record: the lines it writes, and that they
 * read back (fields in place, interval and end sums equal to the rows).
 */
#include <stdlib.h>

#include "unit.h"
#include "record.h"

static const struct record_meta meta = {
	.tool = "exittrace 0.1", .start_unix_s = 1764088200.25, .start_mono_s = 12.5,
	.isa = "SVM", .kernel = "6.12.0", .interval_ms = 100,
	.pids = (const __u32[]){ 42, 43 }, .nr_pids = 2, .vcpu = -1, .per_vm = true,
};

static void add(struct snapshot *s, __u32 tgid, __u32 reason, __u64 count, __u64 lat_sum)
{
	struct exit_key k = { tgid, 2, reason, 0 };
	struct exit_stats st = { .count = count, .lat_count = count, .lat_sum_ns = lat_sum };

	CHECK(!snapshot_add(s, &k, &st));
}

/* Split a CSV line into exactly 10 fields; the count, or -1. */
static int split10(char *line, char **field)
{
	int n = 0;

	for (char *p = line;; p++) {
		if (n == 10)
			return -1;
		field[n++] = p;
		p += strcspn(p, ",");
		if (!*p)
			break;
		*p = 0;
	}
	return n;
}

TEST(record_format_by_extension)
{
	CHECK(record_format_for("run.csv") == RECORD_CSV);
	CHECK(record_format_for("run") == RECORD_CSV);
	CHECK(record_format_for("run.jsonl") == RECORD_JSONL);
	CHECK(record_format_for("run.json") == RECORD_JSONL);
	CHECK(record_format_for(".json") == RECORD_CSV);
}

TEST(record_labels)
{
	CHECK(record_label_ok("boot-end"));
	CHECK(record_label_ok("idle_2.a"));
	CHECK(!record_label_ok(""));
	CHECK(!record_label_ok("a,b"));
	CHECK(!record_label_ok("a b"));
	CHECK(!record_label_ok("\"x\""));
	CHECK(!record_label_ok("123456789012345678901234567890123"));
}

TEST(record_csv_header)
{
	CAPTURE(record_header(f, RECORD_CSV, &meta));
	CHECK(strstr(captured, "# format=exittrace-record\n# version=1\n# tool=exittrace 0.1\n") == captured);
	CHECK(strstr(captured, "# start_unix_s=1764088200.250\n# start_utc=2025-11-25T16:30:00.250Z\n"));
	CHECK(strstr(captured, "# start_mono_s=12.500\n# isa=SVM\n# kernel=6.12.0\n# interval_s=0.100\n"));
	CHECK(strstr(captured, "# pids=42 43\n# vcpu=-1\n# per_vm=1\n" RECORD_CSV_HEADER "\n"));
	CHECK(captured[strlen(captured) - 1] == '\n');
}

/* Two intervals from three cumulative snapshots, a mark, the end. */
TEST(record_csv_reads_back)
{
	struct snapshot s0 = {}, s1 = {}, s2 = {}, d = {};
	__u64 rows_sum = 0, interval_sum = 0, end_sum = 0, lat_rows = 0, lat_end = 0;
	int lines = 0, marks = 0;
	char *line, *save, *field[10];

	add(&s1, 42, 114, 1000, 5000000);
	add(&s1, 42, 123, 30, 90000);
	add(&s2, 42, 114, 1500, 7000000);
	add(&s2, 42, 123, 30, 90000);	/* no new IOIO exits: no row */
	add(&s2, 43, 120, 7, 700);
	CAPTURE({
		CHECK(!snapshot_delta(&d, &s1, &s0));
		record_interval(f, RECORD_CSV, 0.0, 0.1, &d);
		record_mark(f, RECORD_CSV, 0.1, "boot-end");
		CHECK(!snapshot_delta(&d, &s2, &s1));
		record_interval(f, RECORD_CSV, 0.1, 0.1504, &d);
		record_end(f, RECORD_CSV, 0.1504, &s2, "signal");
	});
	CHECK(strstr(captured, "0.000,0.100,exits,42,SVM,114,CPUID,1000,1000,5000000\n") == captured);
	CHECK(strstr(captured, "0.000,0.100,interval,,,,,1030,1030,5090000\n"));
	CHECK(strstr(captured, "0.100,0.100,mark,,,,boot-end,,,\n"));
	CHECK(strstr(captured, "0.100,0.150,exits,43,SVM,120,HLT,7,7,700\n"));
	CHECK(!strstr(captured, "0.100,0.150,exits,42,SVM,123"));
	CHECK(strstr(captured, "0.000,0.150,end,,,,signal,1537,1537,7090700\n"));

	for (line = strtok_r(captured, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		lines++;
		if (split10(line, field) != 10) {
			unit_fail(__FILE__, __LINE__, "line %d has not 10 fields", lines);
			continue;
		}
		if (!strcmp(field[2], "exits")) {
			rows_sum += strtoull(field[7], NULL, 10);
			lat_rows += strtoull(field[9], NULL, 10);
		} else if (!strcmp(field[2], "interval")) {
			interval_sum += strtoull(field[7], NULL, 10);
		} else if (!strcmp(field[2], "mark")) {
			marks++;
			CHECK_STR(field[6], "boot-end");
			CHECK(!*field[7]);
		} else if (!strcmp(field[2], "end")) {
			end_sum = strtoull(field[7], NULL, 10);
			lat_end = strtoull(field[9], NULL, 10);
		} else {
			unit_fail(__FILE__, __LINE__, "unknown kind '%s'", field[2]);
		}
	}
	CHECK_EQ_U64(lines, 8);
	CHECK_EQ_U64(marks, 1);
	CHECK_EQ_U64(rows_sum, 1537);
	CHECK_EQ_U64(interval_sum, rows_sum);
	CHECK_EQ_U64(end_sum, rows_sum);
	CHECK_EQ_U64(lat_end, lat_rows);
	snapshot_free(&s1);
	snapshot_free(&s2);
	snapshot_free(&d);
}

TEST(record_jsonl_lines)
{
	struct snapshot s = {};

	add(&s, 0, 0x81, 3, 1200);
	CAPTURE({
		record_header(f, RECORD_JSONL, &meta);
		record_interval(f, RECORD_JSONL, 1.25, 1.5, &s);
		record_mark(f, RECORD_JSONL, 1.5, "idle");
		record_end(f, RECORD_JSONL, 1.5, &s, "duration");
	});
	CHECK(strstr(captured, "{\"kind\":\"meta\",\"format\":\"exittrace-record\",\"version\":1,"
		      "\"tool\":\"exittrace 0.1\",\"start_unix_s\":1764088200.250,") == captured);
	CHECK(strstr(captured, "\"interval_s\":0.100,\"pids\":[42,43],\"vcpu\":-1,\"per_vm\":true}\n"));
	CHECK(strstr(captured, "\n{\"kind\":\"exits\",\"t0_s\":1.250,\"t1_s\":1.500,\"pid\":0,\"isa\":\"SVM\","
		      "\"code\":129,\"name\":\"VMMCALL\",\"count\":3,\"lat_count\":3,\"lat_sum_ns\":1200}\n"));
	CHECK(strstr(captured, "\n{\"kind\":\"interval\",\"t0_s\":1.250,\"t1_s\":1.500,\"count\":3,"));
	CHECK(strstr(captured, "\n{\"kind\":\"mark\",\"t0_s\":1.500,\"t1_s\":1.500,\"name\":\"idle\"}\n"));
	CHECK(strstr(captured, "\n{\"kind\":\"end\",\"t0_s\":0.000,\"t1_s\":1.500,\"name\":\"duration\","
		      "\"count\":3,\"lat_count\":3,\"lat_sum_ns\":1200}\n"));
	snapshot_free(&s);
}
