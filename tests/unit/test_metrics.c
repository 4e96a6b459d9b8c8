// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for exittrace's metrics: the Prometheus text format that
 * node_exporter's textfile collector reads, OpenMetrics, and the file
 * that is replaced whole.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit.h"
#include "metrics.h"

static const struct metrics_meta measured = {
	.version = "0.1", .attach = "tp_btf", .latency = true, .kvm_time = true,
	.drops_stats_full = 4, .drops_no_vendor = 0, .drops_vcpus_full = 2,
};

/* One VMX HLT row: 3 exits of 100 ns, 4 us and 5 us; 7.5 us in KVM. */
static void hlt_row(struct snapshot *s, __u32 tgid)
{
	struct exit_key k = { tgid, 1, 12, 0 };
	struct exit_stats st = { .count = 3, .lat_count = 3, .lat_sum_ns = 9100,
				 .lat_min_ns = 100, .lat_max_ns = 5000,
				 .kvm_count = 3, .kvm_sum_ns = 7500, .kvm_max_ns = 4000 };

	st.hist[6] = 1;		/* 64..127 ns */
	st.hist[11] = 1;	/* 2048..4095 ns */
	st.hist[12] = 1;	/* 4096..8191 ns */
	snapshot_add(s, &k, &st);
}

/* How many times @needle is in @haystack. */
static unsigned int occurrences(const char *haystack, const char *needle)
{
	unsigned int n = 0;

	for (; (haystack = strstr(haystack, needle)); haystack++)
		n++;
	return n;
}

/* The text format names a counter by its samples: kvm_exits_total. */
TEST(metrics_text_counter_named_by_its_samples)
{
	struct snapshot s = {};

	hlt_row(&s, 0);
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &measured));
	CHECK(strstr(captured, "# HELP kvm_exits_total VM exits seen") == captured);
	CHECK(strstr(captured, "\n# TYPE kvm_exits_total counter\n"
			       "kvm_exits_total{isa=\"VMX\",reason=\"HLT\",code=\"12\"} 3\n"));
	CHECK(strstr(captured, "# TYPE kvm_exits counter") == NULL);
	CHECK(strstr(captured, "# TYPE kvm_exit_handling_seconds_total counter\n"
			       "kvm_exit_handling_seconds_total{isa=\"VMX\",reason=\"HLT\",code=\"12\"} 0.000007500\n"));
	CHECK(strstr(captured, "# EOF") == NULL);
	CHECK(strstr(captured, "# UNIT") == NULL);
	snapshot_free(&s);
}

/* HELP before TYPE, each family once, no sample before its TYPE. */
TEST(metrics_text_every_family_announced_once)
{
	static const char *const names[] = {
		"kvm_exits_total", "kvm_exit_handling_seconds_total", "kvm_exit_latency_seconds",
		"exittrace_dropped_total", "exittrace_info",
	};
	struct snapshot s = {};
	char help[96], type[96];
	unsigned int i;

	hlt_row(&s, 0);
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &measured));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char *h, *t, *first;

		snprintf(help, sizeof(help), "# HELP %s ", names[i]);
		snprintf(type, sizeof(type), "# TYPE %s ", names[i]);
		h = strstr(captured, help);
		t = strstr(captured, type);
		snprintf(help, sizeof(help), "\n%s", names[i]);
		first = strstr(captured, help);	/* its first sample */
		CHECK(h && t && h < t && occurrences(captured, type) == 1);
		CHECK(first && t < first);
	}
	CHECK(strstr(captured, "# TYPE kvm_exit_latency_seconds histogram\n"));
	CHECK(strstr(captured, "# TYPE exittrace_info gauge\n"));
	snapshot_free(&s);
}

TEST(metrics_openmetrics_names_families_and_ends_with_eof)
{
	struct snapshot s = {};

	hlt_row(&s, 0);
	CAPTURE(metrics_write(f, METRICS_OPENMETRICS, &s, &measured));
	CHECK(strstr(captured, "# TYPE kvm_exits counter\n# HELP kvm_exits VM exits seen") == captured);
	CHECK(strstr(captured, "# TYPE kvm_exit_handling_seconds counter\n"
			       "# UNIT kvm_exit_handling_seconds seconds\n"));
	CHECK(strstr(captured, "# TYPE kvm_exit_latency_seconds histogram\n"
			       "# UNIT kvm_exit_latency_seconds seconds\n"));
	CHECK(strstr(captured, "kvm_exits_total{isa=\"VMX\",reason=\"HLT\",code=\"12\"} 3\n"));
	CHECK(strstr(captured, "# TYPE kvm_exits_total") == NULL);
	CHECK(strlen(captured) > 6 && !strcmp(captured + strlen(captured) - 6, "# EOF\n"));
	snapshot_free(&s);
}

/* The two formats differ in their # lines only. */
TEST(metrics_formats_carry_the_same_samples)
{
	static char text[65536];
	struct snapshot s = {};
	char *line, *save;
	unsigned int samples = 0;

	hlt_row(&s, 0);
	hlt_row(&s, 4242);
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &measured));
	memcpy(text, captured, sizeof(text));
	CAPTURE(metrics_write(f, METRICS_OPENMETRICS, &s, &measured));
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#')
			continue;
		samples++;
		if (!strstr(captured, line))
			unit_fail(__FILE__, __LINE__, "not in OpenMetrics: %s", line);
	}
	/* per row: exits, handling, 31 buckets, +Inf, sum, count; 3 drops; info */
	CHECK_EQ_U64(samples, 2 * (1 + 1 + 32 + 2) + 3 + 1);
	CHECK_EQ_U64(occurrences(captured, "\n") - occurrences(captured, "#"), samples);
	snapshot_free(&s);
}

TEST(metrics_buckets_are_cumulative)
{
	struct snapshot s = {};

	hlt_row(&s, 4242);
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &measured));
	CHECK(strstr(captured, "{isa=\"VMX\",reason=\"HLT\",pid=\"4242\",le=\"6.4e-08\"} 0\n"));
	CHECK(strstr(captured, "{isa=\"VMX\",reason=\"HLT\",pid=\"4242\",le=\"1.28e-07\"} 1\n"));
	CHECK(strstr(captured, "{isa=\"VMX\",reason=\"HLT\",pid=\"4242\",le=\"4.096e-06\"} 2\n"));
	CHECK(strstr(captured, "{isa=\"VMX\",reason=\"HLT\",pid=\"4242\",le=\"8.192e-06\"} 3\n"));
	CHECK(strstr(captured, "{isa=\"VMX\",reason=\"HLT\",pid=\"4242\",le=\"+Inf\"} 3\n"));
	CHECK(strstr(captured, "kvm_exit_latency_seconds_sum{isa=\"VMX\",reason=\"HLT\",pid=\"4242\"} 0.000009100\n"));
	CHECK(strstr(captured, "kvm_exit_latency_seconds_count{isa=\"VMX\",reason=\"HLT\",pid=\"4242\"} 3\n"));
	CHECK(strstr(captured, "kvm_exits_total{isa=\"VMX\",reason=\"HLT\",code=\"12\",pid=\"4242\"} 3\n"));
	snapshot_free(&s);
}

/*
 * The last slot has no finite bound: its latencies are in +Inf only, and
 * no finite bucket claims them (a wrapped 5 s halt would have appeared in
 * le="2e-09").
 */
TEST(metrics_last_slot_only_in_inf)
{
	struct snapshot s = {};
	struct exit_key k = { 0, 2, 0x78, 0 };
	struct exit_stats st = { .count = 3, .lat_count = 3 };
	enum metrics_format fmt;

	st.hist[6] = 1;
	st.hist[exittrace_hist_slot(5000000000ULL)] = 2;
	snapshot_add(&s, &k, &st);
	for (fmt = METRICS_TEXT; fmt <= METRICS_OPENMETRICS; fmt++) {
		CAPTURE(metrics_write(f, fmt, &s, &measured));
		CHECK(strstr(captured, "le=\"2e-09\"} 0\n") != NULL);
		CHECK(strstr(captured, "le=\"2.147483648\"} 1\n") != NULL);
		CHECK(strstr(captured, "le=\"4.294967296\"}") == NULL);
		CHECK(strstr(captured, "le=\"+Inf\"} 3\n") != NULL);
	}
	snapshot_free(&s);
}

/* What was not measured is not exported as zeros. */
TEST(metrics_leave_out_what_was_not_measured)
{
	struct metrics_meta counts_only = measured;
	struct snapshot s = {};

	counts_only.latency = false;
	counts_only.kvm_time = false;
	hlt_row(&s, 0);
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &counts_only));
	CHECK(strstr(captured, "kvm_exits_total{") != NULL);
	CHECK(strstr(captured, "kvm_exit_latency") == NULL);
	CHECK(strstr(captured, "kvm_exit_handling") == NULL);
	CHECK(strstr(captured, "no_task_storage\"}") == NULL);
	snapshot_free(&s);
}

/* With no exit yet: the announcements, and exittrace's own samples. */
TEST(metrics_before_any_exit)
{
	struct snapshot s = {};

	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &measured));
	CHECK(strstr(captured, "# TYPE kvm_exits_total counter\n# HELP") != NULL);
	CHECK(strstr(captured, "exittrace_dropped_total{cause=\"map_full\"} 4\n"
			       "exittrace_dropped_total{cause=\"no_exit_reason\"} 0\n"
			       "exittrace_dropped_total{cause=\"no_task_storage\"} 2\n"));
	CHECK(strstr(captured, "exittrace_info{version=\"0.1\",attach=\"tp_btf\"} 1\n"));
}

TEST(metrics_content_types)
{
	CHECK_STR(metrics_content_type(METRICS_TEXT), "text/plain; version=0.0.4; charset=utf-8");
	CHECK(strstr(metrics_content_type(METRICS_OPENMETRICS), "application/openmetrics-text;") ==
	      metrics_content_type(METRICS_OPENMETRICS));
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

TEST(metrics_file_is_replaced_whole)
{
	char dir[] = "/tmp/et-unit-XXXXXX", path[64], buf[256];
	struct metrics_file mf;
	struct snapshot s = {};
	struct stat st;
	mode_t mask = umask(022);
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/kvm.prom", dir);
	hlt_row(&s, 0);
	CHECK(metrics_file_init(&mf, path, METRICS_TEXT) == 0);
	CHECK(strncmp(mf.tmp, path, strlen(path)) == 0 && strstr(mf.tmp, ".prom.tmp."));
	CHECK(metrics_file_update(&mf, &s, &measured) == 0);
	CHECK(!exists(mf.tmp));
	/* node_exporter runs as another user: the file must be readable */
	CHECK(!stat(path, &st) && (st.st_mode & 0777) == 0644);
	f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof(buf), f));
	if (f)
		fclose(f);
	CHECK(strstr(buf, "# HELP kvm_exits_total ") == buf);
	/* a path it cannot rename over: the error, and no temp file left */
	unlink(path);
	CHECK(mkdir(path, 0755) == 0);
	snprintf(buf, sizeof(buf), "%s/x", path);
	CHECK(mkdir(buf, 0755) == 0);	/* not empty */
	CHECK(metrics_file_update(&mf, &s, &measured) < 0);
	CHECK(mf.err < 0);
	CHECK(!exists(mf.tmp));
	rmdir(buf);
	rmdir(path);
	rmdir(dir);
	umask(mask);
	snapshot_free(&s);
}

TEST(metrics_file_in_a_missing_directory_fails)
{
	struct metrics_file mf;
	struct snapshot s = {};

	CHECK(metrics_file_init(&mf, "/nonexistent-dir/x.prom", METRICS_TEXT) == 0);
	CHECK(metrics_file_update(&mf, &s, &measured) == -ENOENT);
	CHECK(mf.err == -ENOENT);
}

/* Prometheus asks for OpenMetrics first; curl asks for anything. */
TEST(metrics_format_follows_the_accept_header)
{
	CHECK(metrics_format_for_accept("application/openmetrics-text;version=1.0.0,"
					"application/openmetrics-text;version=0.0.1;q=0.75,"
					"text/plain;version=0.0.4;q=0.5,*/*;q=0.1") == METRICS_OPENMETRICS);
	CHECK(metrics_format_for_accept("text/plain;version=0.0.4;q=0.5, application/openmetrics-text; q=0.9")
	      == METRICS_OPENMETRICS);
	CHECK(metrics_format_for_accept("Application/OpenMetrics-Text") == METRICS_OPENMETRICS);
	CHECK(metrics_format_for_accept(NULL) == METRICS_TEXT);
	CHECK(metrics_format_for_accept("") == METRICS_TEXT);
	CHECK(metrics_format_for_accept("*/*") == METRICS_TEXT);
	CHECK(metrics_format_for_accept("text/plain;version=0.0.4") == METRICS_TEXT);
	CHECK(metrics_format_for_accept("application/openmetrics-text;q=0,text/plain") == METRICS_TEXT);
	CHECK(metrics_format_for_accept("application/openmetrics-text; version=1.0.0; q=0.0") == METRICS_TEXT);
	CHECK(metrics_format_for_accept("application/openmetrics-textual") == METRICS_TEXT);
}

/* -P with a named VM: a vm label beside pid, in every family */
TEST(metrics_vm_label)
{
	struct vm_name_entry named[] = { { 4242, "web1" } };
	struct vm_names names = { named, 1, 1 };
	struct metrics_meta with_names = measured;
	struct snapshot s = {};

	with_names.names = &names;
	hlt_row(&s, 4242);
	hlt_row(&s, 77);
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &with_names));
	CHECK(strstr(captured, "kvm_exits_total{isa=\"VMX\",reason=\"HLT\",code=\"12\",pid=\"4242\",vm=\"web1\"} 3\n"));
	CHECK(strstr(captured, "{isa=\"VMX\",reason=\"HLT\",pid=\"4242\",vm=\"web1\",le=\"+Inf\"} 3\n"));
	CHECK(strstr(captured, "kvm_exit_handling_seconds_total{isa=\"VMX\",reason=\"HLT\",code=\"12\",pid=\"4242\",vm=\"web1\"}"));
	/* no name, no label (an empty one would be the same to Prometheus) */
	CHECK(strstr(captured, "kvm_exits_total{isa=\"VMX\",reason=\"HLT\",code=\"12\",pid=\"77\"} 3\n"));
	snapshot_free(&s);
}

/* --by -P: the keys' samples carry the vm label as the exits' do */
TEST(metrics_keys_vm_label)
{
	struct vm_name_entry named[] = { { 4242, "web1" } };
	struct vm_names names = { named, 1, 1 };
	struct drill_row rows[] = {
		{ { .tgid = 4242, .kind = DRILL_PORT, .dir = DRILL_DIR_WRITE, .key = 0x5c20 },
		  { .count = 150, .lat_count = 150, .lat_sum_ns = 2100000 } },
		{ { .tgid = 77, .kind = DRILL_MSR, .dir = DRILL_DIR_READ, .key = 0xc0000103 }, { .count = 2 } },
	};
	struct drill_snap keys = { rows, 2, 2 };
	struct metrics_meta m = measured;
	struct snapshot s = {};

	m.names = &names;
	m.keys = &keys;
	CAPTURE(metrics_write(f, METRICS_TEXT, &s, &m));
	CHECK(strstr(captured, "kvm_exit_keys_total{kind=\"port\",key=\"0x5c20\",dir=\"out\",pid=\"4242\",vm=\"web1\"} 150\n"));
	CHECK(strstr(captured, "kvm_exit_key_latency_seconds_total{kind=\"port\",key=\"0x5c20\",dir=\"out\",pid=\"4242\",vm=\"web1\"} 0.002100000\n"));
	CHECK(strstr(captured, "kvm_exit_keys_total{kind=\"msr\",key=\"0xc0000103\",dir=\"read\",pid=\"77\"} 2\n"));
}
