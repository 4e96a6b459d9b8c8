// SPDX-License-Identifier: GPL-2.0
/*
 * report.c - aggregate and print exittrace statistics.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exit_reasons.h"
#include "report.h"
#include "stddev.h"

int exit_key_cmp(const struct exit_key *a, const struct exit_key *b)
{
	if (a->tgid != b->tgid)
		return a->tgid < b->tgid ? -1 : 1;
	if (a->isa != b->isa)
		return a->isa < b->isa ? -1 : 1;
	if (a->reason != b->reason)
		return a->reason < b->reason ? -1 : 1;
	if (a->vcpu != b->vcpu)
		return a->vcpu < b->vcpu ? -1 : 1;
	return 0;
}

const struct row *snapshot_find(const struct snapshot *s, const struct exit_key *key)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (!exit_key_cmp(&s->rows[i].key, key))
			return &s->rows[i];
	return NULL;
}

void stats_merge(struct exit_stats *into, const struct exit_stats *from)
{
	unsigned int i;

	into->count += from->count;
	into->unpaired += from->unpaired;
	into->lat_count += from->lat_count;
	into->lat_sum_ns += from->lat_sum_ns;
	stats_sq_set(into, stats_sq_sum(into) + stats_sq_sum(from));
	into->kvm_count += from->kvm_count;
	into->kvm_sum_ns += from->kvm_sum_ns;
	if (from->kvm_max_ns > into->kvm_max_ns)
		into->kvm_max_ns = from->kvm_max_ns;
	if (from->lat_min_ns && (!into->lat_min_ns || from->lat_min_ns < into->lat_min_ns))
		into->lat_min_ns = from->lat_min_ns;
	if (from->lat_max_ns > into->lat_max_ns)
		into->lat_max_ns = from->lat_max_ns;
	for (i = 0; i < EXITTRACE_HIST_SLOTS; i++)
		into->hist[i] += from->hist[i];
}

/* Room for one more row at the end of @s; NULL if out of memory. */
static struct row *snapshot_grow(struct snapshot *s)
{
	if (s->nr == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 64;
		struct row *rows = realloc(s->rows, cap * sizeof(*rows));

		if (!rows)
			return NULL;
		s->rows = rows;
		s->cap = cap;
	}
	return &s->rows[s->nr++];
}

int snapshot_append(struct snapshot *s, const struct exit_key *key, const struct exit_stats *st)
{
	struct row *r = snapshot_grow(s);

	if (!r)
		return -ENOMEM;
	r->key = *key;
	r->st = *st;
	return 0;
}

int snapshot_add(struct snapshot *s, const struct exit_key *key, const struct exit_stats *st)
{
	struct row *r = (struct row *)snapshot_find(s, key);

	if (!r) {
		r = snapshot_grow(s);
		if (!r)
			return -ENOMEM;
		memset(r, 0, sizeof(*r));
		r->key = *key;
	}
	stats_merge(&r->st, st);
	return 0;
}

void snapshot_free(struct snapshot *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

int snapshot_reserve(struct snapshot *s, unsigned int n)
{
	struct row *rows;

	if (s->cap >= n)
		return 0;
	rows = realloc(s->rows, n * sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	s->rows = rows;
	s->cap = n;
	return 0;
}

int snapshot_copy(struct snapshot *dst, const struct snapshot *src)
{
	if (snapshot_reserve(dst, src->nr))
		return -ENOMEM;
	if (src->nr)
		memcpy(dst->rows, src->rows, src->nr * sizeof(*src->rows));
	dst->nr = src->nr;
	return 0;
}

static int row_key_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;

	return exit_key_cmp(&a->key, &b->key);
}

void snapshot_key_order(struct snapshot *s)
{
	unsigned int i;

	/* what collect() hands over is in order already: one pass */
	for (i = 1; i < s->nr; i++)
		if (exit_key_cmp(&s->rows[i - 1].key, &s->rows[i].key) > 0)
			break;
	if (i < s->nr)
		qsort(s->rows, s->nr, sizeof(*s->rows), row_key_cmp);
}

/* @st -= @b for every field that is a sum; min/max stay @st's. */
static void stats_subtract(struct exit_stats *st, const struct exit_stats *b)
{
	unsigned int j;

	st->count -= b->count;
	st->unpaired -= b->unpaired;
	st->lat_count -= b->lat_count;
	st->lat_sum_ns -= b->lat_sum_ns;
	stats_sq_set(st, stats_sq_sum(st) - stats_sq_sum(b));
	st->kvm_count -= b->kvm_count;
	st->kvm_sum_ns -= b->kvm_sum_ns;
	for (j = 0; j < EXITTRACE_HIST_SLOTS; j++)
		st->hist[j] -= b->hist[j];
}

int snapshot_delta(struct snapshot *d, struct snapshot *now, struct snapshot *before)
{
	unsigned int i, j = 0;

	snapshot_key_order(now);
	snapshot_key_order(before);
	d->nr = 0;
	/* one walk through both: each key once in each, in the same order */
	for (i = 0; i < now->nr; i++) {
		struct exit_stats st = now->rows[i].st;
		int cmp = 1;

		while (j < before->nr &&
		       (cmp = exit_key_cmp(&before->rows[j].key, &now->rows[i].key)) < 0)
			j++;	/* a row that is gone (its VM's rows were retired) */
		if (j < before->nr && !cmp)
			stats_subtract(&st, &before->rows[j++].st);
		if (!st.count && !st.lat_count && !st.unpaired && !st.kvm_count)
			continue;
		if (snapshot_append(d, &now->rows[i].key, &st))
			return -ENOMEM;
	}
	return 0;
}

int snapshot_fold_vcpus(struct snapshot *out, const struct snapshot *in)
{
	unsigned int i, kept = 0;

	if (snapshot_copy(out, in))
		return -ENOMEM;
	for (i = 0; i < out->nr; i++)
		out->rows[i].key.vcpu = 0;
	snapshot_key_order(out);
	for (i = 0; i < out->nr; i++) {
		if (kept && !exit_key_cmp(&out->rows[kept - 1].key, &out->rows[i].key))
			stats_merge(&out->rows[kept - 1].st, &out->rows[i].st);
		else
			out->rows[kept++] = out->rows[i];
	}
	out->nr = kept;
	return 0;
}

int snapshot_union(struct snapshot *out, const struct snapshot *a, const struct snapshot *b)
{
	unsigned int i = 0, j = 0;
	const struct row *next;

	if (snapshot_reserve(out, a->nr + b->nr))
		return -ENOMEM;
	out->nr = 0;
	while (i < a->nr || j < b->nr) {
		if (j == b->nr || (i < a->nr && exit_key_cmp(&a->rows[i].key, &b->rows[j].key) <= 0))
			next = &a->rows[i++];
		else
			next = &b->rows[j++];
		if (out->nr && !exit_key_cmp(&out->rows[out->nr - 1].key, &next->key))
			stats_merge(&out->rows[out->nr - 1].st, &next->st);
		else
			out->rows[out->nr++] = *next;
	}
	return 0;
}

void snapshot_totals(const struct snapshot *s, struct exit_stats *total)
{
	unsigned int i;

	memset(total, 0, sizeof(*total));
	for (i = 0; i < s->nr; i++)
		stats_merge(total, &s->rows[i].st);
}

const char *row_reason_name(const struct exit_key *key, char *buf, size_t len)
{
	const char *name = exit_reason_name(key->isa, key->reason);

	if (name)
		return name;
	snprintf(buf, len, "UNKNOWN_%#x", key->reason);
	return buf;
}

const char *fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.1fus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.2fms", ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
	return buf;
}

void print_log2_hist(FILE *f, const __u64 *hist, unsigned int slots, const char *unit)
{
	const int width = 30;
	unsigned int i, first = slots, last = 0;
	__u64 max = 0;

	for (i = 0; i < slots; i++) {
		if (!hist[i])
			continue;
		if (first == slots)
			first = i;
		last = i;
		if (hist[i] > max)
			max = hist[i];
	}
	if (!max)
		return;
	fprintf(f, "%24s : %-10s |%-*s|\n", unit, "count", width, "distribution");
	for (i = first; i <= last; i++) {
		unsigned long long lo = i ? 1ULL << i : 0, hi = (1ULL << (i + 1)) - 1;
		int bar = (int)((hist[i] * width + max - 1) / max);
		char range[48];

		/* the last slot has no upper bound: it holds everything above */
		if (i == slots - 1)
			snprintf(range, sizeof(range), "%llu and more", lo);
		else
			snprintf(range, sizeof(range), "%llu -> %llu", lo, hi);
		fprintf(f, "%24s : %-10llu |%.*s%*s|\n", range, (unsigned long long)hist[i],
			bar, "******************************", width - bar, "");
	}
}

void print_json(FILE *f, const struct snapshot *s, double interval_s, double now_s,
		const struct report_opts *o)
{
	struct exit_stats total;
	char name[32];
	unsigned int i, j;

	snapshot_totals(s, &total);
	fprintf(f, "{\"tool\":\"exittrace\",\"time\":%.3f,\"interval_s\":%.3f,"
		"\"total_exits\":%llu,\"unpaired\":%llu,\"lat_sum_ns\":%llu,\"kvm_sum_ns\":%llu,"
		"\"reasons\":[",
		now_s, interval_s, (unsigned long long)total.count,
		(unsigned long long)total.unpaired, (unsigned long long)total.lat_sum_ns,
		(unsigned long long)total.kvm_sum_ns);
	for (i = 0; i < s->nr; i++) {
		const struct row *r = &s->rows[i];
		const struct exit_stats *st = &r->st;

		fprintf(f, "%s{", i ? "," : "");
		if (o->per_vm)
			fprintf(f, "\"pid\":%u,\"vm\":\"%s\",", r->key.tgid,
				vm_names_get(o->names, r->key.tgid) ?: "");
		if (o->per_vcpu)
			fprintf(f, "\"vcpu\":%u,", r->key.vcpu);
		fprintf(f, "\"isa\":\"%s\",\"code\":%u,\"name\":\"%s\",\"count\":%llu,"
			"\"unpaired\":%llu,\"lat_count\":%llu,\"lat_sum_ns\":%llu,"
			"\"lat_min_ns\":%llu,\"lat_max_ns\":%llu,\"lat_stddev_ns\":%.1f,"
			"\"kvm_count\":%llu,\"kvm_sum_ns\":%llu,\"kvm_max_ns\":%llu",
			exit_isa_name(r->key.isa), r->key.reason,
			row_reason_name(&r->key, name, sizeof(name)),
			(unsigned long long)st->count, (unsigned long long)st->unpaired,
			(unsigned long long)st->lat_count, (unsigned long long)st->lat_sum_ns,
			(unsigned long long)st->lat_min_ns, (unsigned long long)st->lat_max_ns,
			stats_stddev_ns(st),
			(unsigned long long)st->kvm_count, (unsigned long long)st->kvm_sum_ns,
			(unsigned long long)st->kvm_max_ns);
		if (o->histograms) {
			fprintf(f, ",\"hist_log2_ns\":[");
			for (j = 0; j < EXITTRACE_HIST_SLOTS; j++)
				fprintf(f, "%s%llu", j ? "," : "", (unsigned long long)st->hist[j]);
			fprintf(f, "]");
		}
		fprintf(f, "}");
	}
	fprintf(f, "]}\n");
}
