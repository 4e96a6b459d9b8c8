// SPDX-License-Identifier: GPL-2.0
/*
 * drilldown.c - exittrace --by: read, subtract, rank and print the
 * drill-down's rows (see drilldown.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "drilldown.h"
#include "report.h"
#include "report_sort.h"
#include "vm_names.h"

static const char *const kind_names[DRILL_NR] = {
	[DRILL_NONE]		= "none",
	[DRILL_PORT]		= "port",
	[DRILL_MMIO]		= "mmio",
	[DRILL_MSR]		= "msr",
	[DRILL_GPA]		= "gpa",
	[DRILL_HYPERCALL]	= "hypercall",
};

const char *drill_kind_name(unsigned int kind)
{
	return kind < DRILL_NR ? kind_names[kind] : "unknown";
}

bool drill_parse_by(const char *arg, __u32 *kinds)
{
	const char *p = arg;
	unsigned int k;
	size_t n;

	do {
		n = strcspn(p, ",");
		for (k = DRILL_NONE + 1; k < DRILL_NR; k++)
			if (n == strlen(kind_names[k]) && !strncmp(p, kind_names[k], n))
				break;
		if (k == DRILL_NR)
			return false;
		*kinds |= DRILL_KIND(k);
		p += n;
	} while (*p++ == ',');
	return true;
}

const char *drill_dir_name(const struct drill_key *key)
{
	if (key->dir == DRILL_DIR_NONE)
		return "-";
	if (key->kind == DRILL_PORT)
		return key->dir == DRILL_DIR_WRITE ? "out" : "in";
	return key->dir == DRILL_DIR_WRITE ? "write" : "read";
}

const char *drill_key_text(char *buf, size_t len, const struct drill_key *key)
{
	/* KVM's hypercall numbers are small and documented in decimal */
	if (key->kind == DRILL_HYPERCALL && key->key < 0x10000)
		snprintf(buf, len, "%llu", (unsigned long long)key->key);
	else
		snprintf(buf, len, "%#llx", (unsigned long long)key->key);
	return buf;
}

static int key_cmp(const struct drill_key *a, const struct drill_key *b)
{
	if (a->tgid != b->tgid)
		return a->tgid < b->tgid ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->dir != b->dir)
		return a->dir < b->dir ? -1 : 1;
	return 0;
}

static int row_key_cmp(const void *a, const void *b)
{
	return key_cmp(&((const struct drill_row *)a)->key, &((const struct drill_row *)b)->key);
}

static void drill_fields(struct sort_fields *f, const struct drill_stats *st)
{
	*f = (struct sort_fields){ st->count, st->lat_count, st->lat_sum_ns, st->lat_max_ns };
}

/* VM, kind, then first by --sort's key (then key order, to be stable) */
static int row_rank_cmp(const struct drill_row *a, const struct drill_row *b, enum report_sort by)
{
	struct sort_fields fa, fb;
	int c;

	if (a->key.tgid != b->key.tgid)
		return a->key.tgid < b->key.tgid ? -1 : 1;
	if (a->key.kind != b->key.kind)
		return a->key.kind < b->key.kind ? -1 : 1;
	drill_fields(&fa, &a->st);
	drill_fields(&fb, &b->st);
	c = sort_fields_cmp(&fa, &fb, by);
	return c ? c : key_cmp(&a->key, &b->key);
}

#define RANK_BY(name, by)						\
	static int name(const void *a, const void *b)			\
	{								\
		return row_rank_cmp(a, b, by);				\
	}
RANK_BY(rank_by_count, SORT_COUNT)
RANK_BY(rank_by_time, SORT_TIME)
RANK_BY(rank_by_avg, SORT_AVG)
RANK_BY(rank_by_max, SORT_MAX)

int drill_append(struct drill_snap *s, const struct drill_key *key,
			const struct drill_stats *st)
{
	if (s->nr == s->cap) {
		unsigned int cap = s->cap ? 2 * s->cap : 64;
		struct drill_row *rows = realloc(s->rows, cap * sizeof(*rows));

		if (!rows)
			return -ENOMEM;
		s->rows = rows;
		s->cap = cap;
	}
	s->rows[s->nr].key = *key;
	s->rows[s->nr].st = *st;
	s->nr++;
	return 0;
}

void drill_key_order(struct drill_snap *s)
{
	qsort(s->rows, s->nr, sizeof(*s->rows), row_key_cmp);
}

int drill_copy(struct drill_snap *dst, const struct drill_snap *src)
{
	unsigned int i;
	int err = 0;

	dst->nr = 0;
	for (i = 0; i < src->nr && !err; i++)
		err = drill_append(dst, &src->rows[i].key, &src->rows[i].st);
	return err;
}

int drill_delta(struct drill_snap *d, const struct drill_snap *now, const struct drill_snap *before)
{
	unsigned int i, j = 0;
	int err = 0;

	d->nr = 0;
	for (i = 0; i < now->nr && !err; i++) {
		struct drill_stats st = now->rows[i].st;
		int c = 1;

		while (j < before->nr && (c = key_cmp(&before->rows[j].key, &now->rows[i].key)) < 0)
			j++;
		if (j < before->nr && !c) {
			st.count -= before->rows[j].st.count;
			st.lat_count -= before->rows[j].st.lat_count;
			st.lat_sum_ns -= before->rows[j].st.lat_sum_ns;
		}
		if (st.count || st.lat_count)
			err = drill_append(d, &now->rows[i].key, &st);
	}
	return err;
}

void drill_merge_equal(struct drill_snap *s)
{
	unsigned int i, out = 0;

	qsort(s->rows, s->nr, sizeof(*s->rows), row_key_cmp);
	for (i = 0; i < s->nr; i++) {
		struct drill_stats *to = &s->rows[out ? out - 1 : 0].st;
		const struct drill_stats *from = &s->rows[i].st;

		if (!out || key_cmp(&s->rows[out - 1].key, &s->rows[i].key)) {
			s->rows[out++] = s->rows[i];
			continue;
		}
		/* the same key as the row before: add it there */
		to->count += from->count;
		to->lat_count += from->lat_count;
		to->lat_sum_ns += from->lat_sum_ns;
		if (from->lat_min_ns && (!to->lat_min_ns || from->lat_min_ns < to->lat_min_ns))
			to->lat_min_ns = from->lat_min_ns;
		if (from->lat_max_ns > to->lat_max_ns)
			to->lat_max_ns = from->lat_max_ns;
	}
	s->nr = out;
}

void drill_merge_vms(struct drill_snap *s)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		s->rows[i].key.tgid = 0;
	drill_merge_equal(s);
}

/* Is @tgid among the @nr (sorted) of @pids? */
static bool pid_in(uint32_t tgid, const uint32_t *pids, unsigned int nr)
{
	unsigned int lo = 0, hi = nr;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (pids[mid] == tgid)
			return true;
		if (pids[mid] < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int drill_find_dead(struct drill_dead *dead, const struct drill_snap *before,
		    bool (*alive)(uint32_t pid, void *ctx), void *ctx)
{
	unsigned int i;

	dead->nr = 0;
	/* key order: each VM's rows are together, in ascending pid */
	for (i = 0; i < before->nr; i++) {
		uint32_t tgid = before->rows[i].key.tgid;

		if ((i && tgid == before->rows[i - 1].key.tgid) || alive(tgid, ctx))
			continue;
		if (dead->nr == dead->cap) {
			unsigned int cap = dead->cap ? 2 * dead->cap : 16;
			uint32_t *pids = realloc(dead->pids, cap * sizeof(*pids));

			if (!pids)
				return -ENOMEM;
			dead->pids = pids;
			dead->cap = cap;
		}
		dead->pids[dead->nr++] = tgid;
	}
	return 0;
}

int drill_retire(struct drill_snap *now, const struct drill_dead *dead, struct drill_snap *retired,
		 int (*forget)(const struct drill_key *key, void *ctx), void *ctx)
{
	unsigned int i, out = 0;
	int err = 0;

	for (i = 0; i < now->nr; i++) {
		const struct drill_row *r = &now->rows[i];

		if (!pid_in(r->key.tgid, dead->pids, dead->nr)) {
			now->rows[out++] = *r;
			continue;
		}
		if (!err)
			err = drill_append(retired, &r->key, &r->st);
		if (!err)
			forget(&r->key, ctx);	/* a key the map keeps is only read again */
	}
	now->nr = out;
	drill_merge_equal(retired);
	return err;
}

int drill_carry(struct drill_snap *now, struct drill_snap *retired)
{
	unsigned int i;
	int err = 0;

	for (i = 0; i < now->nr && !err; i++)
		err = drill_append(retired, &now->rows[i].key, &now->rows[i].st);
	drill_merge_equal(retired);
	if (!err)
		now->nr = 0;
	return err;
}

void drill_dead_free(struct drill_dead *dead)
{
	free(dead->pids);
	*dead = (struct drill_dead){};
}

void drill_top(struct drill_snap *s, unsigned int top, enum report_sort by)
{
	static int (*const cmp[])(const void *, const void *) = {
		[SORT_COUNT] = rank_by_count, [SORT_TIME] = rank_by_time,
		[SORT_AVG] = rank_by_avg, [SORT_MAX] = rank_by_max,
	};
	unsigned int i, out = 0, rank = 0;

	if (s->nr)
		qsort(s->rows, s->nr, sizeof(*s->rows), cmp[by]);
	for (i = 0; i < s->nr; i++) {
		const struct drill_key *k = &s->rows[i].key;

		if (i && (k->tgid != s->rows[i - 1].key.tgid || k->kind != s->rows[i - 1].key.kind))
			rank = 0;
		if (rank++ < top)
			s->rows[out++] = s->rows[i];
	}
	s->nr = out;
}

void drill_free(struct drill_snap *s)
{
	free(s->rows);
	*s = (struct drill_snap){};
}

static double lat_avg_ns(const struct drill_stats *st)
{
	return st->lat_count ? (double)st->lat_sum_ns / (double)st->lat_count : 0.0;
}

/*
 * KIND      KEY                DIR       COUNT     AVG     MIN     MAX
 * 9 + 1 + 18 + 1 + 5 + 1 + 9 + 3 * 8 = 68, for counts below 10^9; -w
 * adds RATE/s after COUNT and the latencies' TOTAL, 10 + 10 and a column
 * more for each time: 91, as the exits' table grows with -w; -P puts PID
 * and VM before it, 8 + 13 more: the VM column is the exits' -P table's
 * (report_table.c), its name cut to it.
 */
#define VM_COL	12

/* A key's latency, or "-": no exit ended on this key (another came after it, or none re-entered) */
static const char *key_time(char *buf, size_t len, const struct drill_stats *st, double ns,
			    const struct report_opts *o)
{
	return st->lat_count ? fmt_time(buf, len, ns, o->units) : "-";
}

void drill_print_table(FILE *f, const struct drill_snap *s, double interval_s,
		       const struct report_opts *o)
{
	int w = o->wide ? 8 : 7;
	char key[24], b[4][24];
	unsigned int i;

	if (o->per_vm)
		fprintf(f, "%-7s %-*s ", "PID", VM_COL, "VM");
	fprintf(f, "%-9s %-18s %-5s %9s", "KIND", "KEY", "DIR", "COUNT");
	if (o->wide)
		fprintf(f, " %9s", "RATE/s");
	fprintf(f, " %*s %*s %*s", w, "AVG", w, o->interval ? "MIN*" : "MIN", w,
		o->interval ? "MAX*" : "MAX");
	if (o->wide)
		fprintf(f, " %9s", "TOTAL");
	fprintf(f, "\n");
	for (i = 0; i < s->nr; i++) {
		const struct drill_row *r = &s->rows[i];
		const struct drill_stats *st = &r->st;

		if (o->per_vm)
			fprintf(f, "%-7u %-*.*s ", r->key.tgid, VM_COL, VM_COL,
				vm_names_get(o->names, r->key.tgid) ?: "-");
		fprintf(f, "%-9s %-18s %-5s %9llu", drill_kind_name(r->key.kind),
			drill_key_text(key, sizeof(key), &r->key), drill_dir_name(&r->key),
			(unsigned long long)st->count);
		if (o->wide)
			fprintf(f, " %9.1f", interval_s > 0 ? (double)st->count / interval_s : 0.0);
		fprintf(f, " %*s %*s %*s", w, key_time(b[0], sizeof(b[0]), st, lat_avg_ns(st), o),
			w, key_time(b[1], sizeof(b[1]), st, (double)st->lat_min_ns, o),
			w, key_time(b[2], sizeof(b[2]), st, (double)st->lat_max_ns, o));
		if (o->wide)
			fprintf(f, " %9s", key_time(b[3], sizeof(b[3]), st, (double)st->lat_sum_ns, o));
		fprintf(f, "\n");
	}
}

void drill_print_json(FILE *f, const struct drill_snap *s, double interval_s, double now_s,
		      bool final, unsigned int retired, const struct vm_names *names)
{
	char key[24];
	unsigned int i;

	fprintf(f, "{\"tool\":\"exittrace\",\"time\":%.3f,\"interval_s\":%.3f,\"since_start\":%s,"
		"\"retired_keys\":%u,\"keys\":[", now_s, interval_s, final ? "true" : "false", retired);
	for (i = 0; i < s->nr; i++) {
		const struct drill_row *r = &s->rows[i];

		fprintf(f, "%s{\"pid\":%u,", i ? "," : "", r->key.tgid);
		/* vm_names.h made the name a JSON string that needs no escapes */
		if (names)
			fprintf(f, "\"vm\":\"%s\",", vm_names_get(names, r->key.tgid) ?: "");
		fprintf(f, "\"kind\":\"%s\",\"key\":\"%s\",\"key_value\":%llu,"
			"\"dir\":\"%s\",\"count\":%llu,\"lat_count\":%llu,\"lat_sum_ns\":%llu,"
			"\"lat_min_ns\":%llu,\"lat_max_ns\":%llu}",
			drill_kind_name(r->key.kind),
			drill_key_text(key, sizeof(key), &r->key), (unsigned long long)r->key.key,
			drill_dir_name(&r->key), (unsigned long long)r->st.count,
			(unsigned long long)r->st.lat_count, (unsigned long long)r->st.lat_sum_ns,
			(unsigned long long)r->st.lat_min_ns, (unsigned long long)r->st.lat_max_ns);
	}
	fprintf(f, "]}\n");
}
