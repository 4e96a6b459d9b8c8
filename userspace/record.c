// SPDX-License-Identifier: GPL-2.0
/*
 * record.c - write exittrace's timeline records (see record.h).
 */
#include <string.h>
#include <time.h>

#include "exit_reasons.h"
#include "record.h"

enum record_format record_format_for(const char *path)
{
	size_t n = strlen(path);

	if ((n > 6 && !strcmp(path + n - 6, ".jsonl")) ||
	    (n > 5 && !strcmp(path + n - 5, ".json")))
		return RECORD_JSONL;
	return RECORD_CSV;
}

bool record_label_ok(const char *label)
{
	size_t n = strlen(label), i;

	if (!n || n > 32)
		return false;
	for (i = 0; i < n; i++) {
		char c = label[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static void utc_iso(char *buf, size_t len, double unix_s)
{
	time_t sec = (time_t)unix_s;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%03dZ", (int)((unix_s - (double)sec) * 1000.0));
}

void record_header(FILE *f, enum record_format fmt, const struct record_meta *m)
{
	char utc[40];
	unsigned int i;

	utc_iso(utc, sizeof(utc), m->start_unix_s);
	if (fmt == RECORD_JSONL) {
		fprintf(f, "{\"kind\":\"meta\",\"format\":\"exittrace-record\",\"version\":%d,"
			"\"tool\":\"%s\",\"start_unix_s\":%.3f,\"start_utc\":\"%s\","
			"\"start_mono_s\":%.3f,\"isa\":\"%s\",\"kernel\":\"%s\","
			"\"interval_s\":%.3f,\"pids\":[",
			RECORD_FORMAT_VERSION, m->tool, m->start_unix_s, utc, m->start_mono_s,
			m->isa, m->kernel, m->interval_ms / 1000.0);
		for (i = 0; i < m->nr_pids; i++)
			fprintf(f, "%s%u", i ? "," : "", m->pids[i]);
		fprintf(f, "],\"vcpu\":%d,\"per_vm\":%s}\n", m->vcpu, m->per_vm ? "true" : "false");
		return;
	}
	fprintf(f, "# format=exittrace-record\n# version=%d\n# tool=%s\n"
		"# start_unix_s=%.3f\n# start_utc=%s\n# start_mono_s=%.3f\n"
		"# isa=%s\n# kernel=%s\n# interval_s=%.3f\n# pids=",
		RECORD_FORMAT_VERSION, m->tool, m->start_unix_s, utc, m->start_mono_s,
		m->isa, m->kernel, m->interval_ms / 1000.0);
	for (i = 0; i < m->nr_pids; i++)
		fprintf(f, "%s%u", i ? " " : "", m->pids[i]);
	fprintf(f, "\n# vcpu=%d\n# per_vm=%d\n%s\n", m->vcpu, m->per_vm, RECORD_CSV_HEADER);
}

/* One record; @isa and @name may be NULL (printed empty), so may @st. */
static void record_line(FILE *f, enum record_format fmt, double t0_s, double t1_s,
			const char *kind, const struct exit_key *key, const char *name,
			const struct exit_stats *st)
{
	if (fmt == RECORD_JSONL) {
		fprintf(f, "{\"kind\":\"%s\",\"t0_s\":%.3f,\"t1_s\":%.3f", kind, t0_s, t1_s);
		if (key)
			fprintf(f, ",\"pid\":%u,\"isa\":\"%s\",\"code\":%u", key->tgid,
				exit_isa_name(key->isa), key->reason);
		if (name)
			fprintf(f, ",\"name\":\"%s\"", name);
		if (st)
			fprintf(f, ",\"count\":%llu,\"lat_count\":%llu,\"lat_sum_ns\":%llu",
				(unsigned long long)st->count, (unsigned long long)st->lat_count,
				(unsigned long long)st->lat_sum_ns);
		fprintf(f, "}\n");
		return;
	}
	fprintf(f, "%.3f,%.3f,%s,", t0_s, t1_s, kind);
	if (key)
		fprintf(f, "%u,%s,%u,", key->tgid, exit_isa_name(key->isa), key->reason);
	else
		fprintf(f, ",,,");
	fprintf(f, "%s,", name ? name : "");
	if (st)
		fprintf(f, "%llu,%llu,%llu\n", (unsigned long long)st->count,
			(unsigned long long)st->lat_count, (unsigned long long)st->lat_sum_ns);
	else
		fprintf(f, ",,\n");
}

void record_interval(FILE *f, enum record_format fmt, double t0_s, double t1_s,
		     const struct snapshot *delta)
{
	struct exit_stats total;
	char buf[32];
	unsigned int i;

	for (i = 0; i < delta->nr; i++) {
		const struct row *r = &delta->rows[i];

		record_line(f, fmt, t0_s, t1_s, "exits", &r->key,
			    row_reason_name(&r->key, buf, sizeof(buf)), &r->st);
	}
	snapshot_totals(delta, &total);
	record_line(f, fmt, t0_s, t1_s, "interval", NULL, NULL, &total);
}

void record_keys(FILE *f, enum record_format fmt, double t0_s, double t1_s,
		 const struct drill_snap *keys)
{
	char key[24];
	unsigned int i;

	for (i = 0; i < keys->nr; i++) {
		const struct drill_row *r = &keys->rows[i];
		const char *kind = drill_kind_name(r->key.kind), *dir = drill_dir_name(&r->key);
		unsigned long long value = r->key.key, count = r->st.count,
				   lat_count = r->st.lat_count, lat_sum = r->st.lat_sum_ns;

		drill_key_text(key, sizeof(key), &r->key);
		if (fmt == RECORD_JSONL)
			fprintf(f, "{\"kind\":\"key\",\"t0_s\":%.3f,\"t1_s\":%.3f,\"pid\":%u,"
				"\"isa\":\"%s\",\"code\":%llu,\"name\":\"%s/%s\",\"count\":%llu,"
				"\"lat_count\":%llu,\"lat_sum_ns\":%llu}\n", t0_s, t1_s, r->key.tgid,
				kind, value, key, dir, count, lat_count, lat_sum);
		else
			fprintf(f, "%.3f,%.3f,key,%u,%s,%llu,%s/%s,%llu,%llu,%llu\n", t0_s, t1_s,
				r->key.tgid, kind, value, key, dir, count, lat_count, lat_sum);
	}
}

void record_mark(FILE *f, enum record_format fmt, double t_s, const char *label)
{
	record_line(f, fmt, t_s, t_s, "mark", NULL, label, NULL);
}

void record_end(FILE *f, enum record_format fmt, double t_s,
		const struct snapshot *cumulative, const char *why)
{
	struct exit_stats total;

	snapshot_totals(cumulative, &total);
	record_line(f, fmt, 0.0, t_s, "end", NULL, why, &total);
}
