// SPDX-License-Identifier: GPL-2.0
/*
 * bench_merge - what one -P interval costs in userspace, without BPF:
 * VMS synthetic VMs x REASONS reasons come in the hash map's order (here
 * shuffled), are made into a snapshot, and the delta with the previous
 * interval is taken and sorted for printing.
 *
 *   old: the code before the rows were kept in key order: a row found
 *        by a linear search for every row read and every delta row.
 *   new: rows appended, put in key order once, delta in one walk.
 *
 * Prints ns per interval; a measurement, never a pass or fail.
 * Usage: bench_merge [VMS [REASONS]]   (default 1024 25)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "report.h"

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e9 + t.tv_nsec;
}

/* The pre-change delta, kept here as the baseline. */
static int old_delta(struct snapshot *d, const struct snapshot *now, const struct snapshot *before)
{
	unsigned int i, j;

	d->nr = 0;
	for (i = 0; i < now->nr; i++) {
		const struct row *b = snapshot_find(before, &now->rows[i].key);
		struct exit_stats st = now->rows[i].st;

		if (b) {
			st.count -= b->st.count;
			st.lat_count -= b->st.lat_count;
			st.lat_sum_ns -= b->st.lat_sum_ns;
			for (j = 0; j < EXITTRACE_HIST_SLOTS; j++)
				st.hist[j] -= b->st.hist[j];
		}
		if (!st.count && !st.lat_count)
			continue;
		if (snapshot_add(d, &now->rows[i].key, &st))
			return -1;
	}
	return 0;
}

/* What the map holds at interval @n: every row counted @n x its index more. */
static void read_map(struct row *map, unsigned int nr, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < nr; i++) {
		map[i].st.count = (__u64)n * (i + 1);
		map[i].st.lat_count = map[i].st.count;
		map[i].st.lat_sum_ns = 500 * map[i].st.count;
		map[i].st.hist[9] = map[i].st.count;
	}
}

static double run(const struct row *map, unsigned int nr, unsigned int intervals, int old)
{
	struct snapshot now = {}, before = {}, d = {}, tmp;
	unsigned int n, i;
	double t0, t = 0;

	for (n = 0; n <= intervals; n++) {
		read_map((struct row *)map, nr, n + 1);
		t0 = now_ns();
		now.nr = 0;
		for (i = 0; i < nr; i++) {
			if (old)
				snapshot_add(&now, &map[i].key, &map[i].st);
			else
				snapshot_append(&now, &map[i].key, &map[i].st);
		}
		if (old) {
			old_delta(&d, &now, &before);
		} else {
			snapshot_key_order(&now);
			snapshot_delta(&d, &now, &before);
		}
		snapshot_sort(&d);
		if (n)	/* the first has nothing before it */
			t += now_ns() - t0;
		if (d.nr != nr)
			fprintf(stderr, "bench_merge: %u delta rows, expected %u\n", d.nr, nr);
		tmp = before;
		before = now;
		now = tmp;
	}
	snapshot_free(&now);
	snapshot_free(&before);
	snapshot_free(&d);
	return t / intervals;
}

int main(int argc, char **argv)
{
	unsigned int vms = argc > 1 ? atoi(argv[1]) : 1024, reasons = argc > 2 ? atoi(argv[2]) : 25;
	unsigned int nr = vms * reasons, i;
	struct row *map = calloc(nr, sizeof(*map)), swap;
	double old_ns, new_ns;

	if (!map || !nr)
		return 1;
	for (i = 0; i < nr; i++) {
		map[i].key.tgid = 10000 + i / reasons;
		map[i].key.isa = EXITTRACE_ISA_SVM;
		map[i].key.reason = 0x60 + i % reasons;
	}
	srand(1);
	for (i = nr - 1; i > 0; i--) {	/* a hash map's order: none */
		unsigned int j = rand() % (i + 1);

		swap = map[i];
		map[i] = map[j];
		map[j] = swap;
	}
	new_ns = run(map, nr, 20, 0);
	old_ns = run(map, nr, nr > 4096 ? 2 : 20, 1);
	printf("%u VMs x %u reasons = %u rows: old %.0f ns/interval, new %.0f ns/interval (%.0fx)\n",
	       vms, reasons, nr, old_ns, new_ns, old_ns / new_ns);
	free(map);
	return 0;
}
