// SPDX-License-Identifier: GPL-2.0
/*
 * report_sort.c - order a table's rows (report_sort.h).
 */
#include <stdlib.h>
#include <string.h>

#include "report_sort.h"

static const char *const sort_names[] = {
	[SORT_COUNT] = "count",
	[SORT_TIME] = "time",
	[SORT_AVG] = "avg",
	[SORT_MAX] = "max",
};

bool report_sort_parse(const char *name, enum report_sort *by)
{
	unsigned int i;

	for (i = 0; i < sizeof(sort_names) / sizeof(sort_names[0]); i++) {
		if (!strcmp(name, sort_names[i])) {
			*by = i;
			return true;
		}
	}
	return false;
}

/*
 * The averages compare as fractions, a/b against c/d by a*d and c*b in
 * 128 bits: no rounding makes two different averages equal.
 */
static int cmp_avg(const struct sort_fields *a, const struct sort_fields *b)
{
	unsigned __int128 l = (unsigned __int128)a->lat_sum_ns * b->lat_count;
	unsigned __int128 r = (unsigned __int128)b->lat_sum_ns * a->lat_count;

	/* a row without latencies has no average: last */
	if (!a->lat_count || !b->lat_count)
		return (int)!!b->lat_count - (int)!!a->lat_count;
	return l == r ? 0 : l > r ? -1 : 1;
}

static int cmp_u64_desc(__u64 a, __u64 b)
{
	return a == b ? 0 : a > b ? -1 : 1;
}

int sort_fields_cmp(const struct sort_fields *a, const struct sort_fields *b, enum report_sort by)
{
	int c;

	switch (by) {
	case SORT_TIME:
		c = cmp_u64_desc(a->lat_sum_ns, b->lat_sum_ns);
		break;
	case SORT_AVG:
		c = cmp_avg(a, b);
		break;
	case SORT_MAX:
		c = cmp_u64_desc(a->lat_max_ns, b->lat_max_ns);
		break;
	default:
		c = 0;
		break;
	}
	/* count breaks the other keys' ties (most exits first) */
	return c ? c : cmp_u64_desc(a->count, b->count);
}

static void exit_fields(struct sort_fields *f, const struct exit_stats *st)
{
	*f = (struct sort_fields){ st->count, st->lat_count, st->lat_sum_ns, st->lat_max_ns };
}

static int row_cmp(const struct row *a, const struct row *b, enum report_sort by)
{
	struct sort_fields fa, fb;
	int c;

	exit_fields(&fa, &a->st);
	exit_fields(&fb, &b->st);
	c = sort_fields_cmp(&fa, &fb, by);
	return c ? c : exit_key_cmp(&a->key, &b->key);
}

#define SORT_BY(name, key)						\
	static int name(const void *a, const void *b)			\
	{								\
		return row_cmp(a, b, key);				\
	}
SORT_BY(by_count, SORT_COUNT)
SORT_BY(by_time, SORT_TIME)
SORT_BY(by_avg, SORT_AVG)
SORT_BY(by_max, SORT_MAX)

void snapshot_sort_by(struct snapshot *s, enum report_sort by)
{
	static int (*const cmp[])(const void *, const void *) = {
		[SORT_COUNT] = by_count, [SORT_TIME] = by_time,
		[SORT_AVG] = by_avg, [SORT_MAX] = by_max,
	};

	if (s->nr)
		qsort(s->rows, s->nr, sizeof(*s->rows), cmp[by]);
}

void snapshot_sort(struct snapshot *s)
{
	snapshot_sort_by(s, SORT_COUNT);
}
