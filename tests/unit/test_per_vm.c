// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the -P rows at scale: the delta as one walk through two
 * snapshots in key order, and retiring the rows of VMs that have exited
 * (which processes are alive, and the map, are played by callbacks).
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>

#include "unit.h"
#include "per_vm.h"

#define SVM	2

static void put(struct snapshot *s, __u32 tgid, __u32 reason, __u64 count)
{
	struct exit_key k = { tgid, SVM, reason, 0 };
	struct exit_stats st = { .count = count, .lat_count = count, .lat_sum_ns = 10 * count };

	st.hist[3] = count;
	CHECK(!snapshot_add(s, &k, &st));
}

static __u64 count_of(const struct snapshot *s, __u32 tgid, __u32 reason)
{
	struct exit_key k = { tgid, SVM, reason, 0 };
	const struct row *r = snapshot_find(s, &k);

	return r ? r->st.count : 0;
}

TEST(delta_walks_rows_in_any_order)
{
	struct snapshot before = {}, now = {}, d = {};

	put(&before, 7, 0x72, 10);
	put(&before, 5, 0x78, 4);
	put(&before, 6, 0x7b, 3);	/* gone from now: not in the delta */
	put(&now, 7, 0x72, 12);
	put(&now, 9, 0x7c, 1);		/* new */
	put(&now, 5, 0x78, 4);		/* unchanged */
	CHECK(!snapshot_delta(&d, &now, &before));
	CHECK_EQ_U64(d.nr, 2);
	CHECK_EQ_U64(count_of(&d, 7, 0x72), 2);
	CHECK_EQ_U64(count_of(&d, 9, 0x7c), 1);
	CHECK_EQ_U64(d.rows[0].st.hist[3], 2);
	CHECK_EQ_U64(d.rows[0].key.tgid, 7);	/* key order */
	snapshot_free(&before);
	snapshot_free(&now);
	snapshot_free(&d);
}

TEST(union_merges_equal_keys)
{
	struct snapshot a = {}, b = {}, u = {};

	put(&a, 1, 0x72, 5);
	put(&a, 3, 0x72, 1);
	put(&b, 2, 0x72, 7);
	put(&b, 3, 0x72, 2);	/* a pid used again by a new VM */
	CHECK(!snapshot_union(&u, &a, &b));
	CHECK_EQ_U64(u.nr, 3);
	CHECK_EQ_U64(u.rows[1].key.tgid, 2);
	CHECK_EQ_U64(count_of(&u, 3, 0x72), 3);
	snapshot_free(&a);
	snapshot_free(&b);
	snapshot_free(&u);
}

/* The processes and the BPF map, as the callbacks see them. */
struct world {
	__u32 dead_pids[4];
	unsigned int nr_dead_pids;
	struct snapshot map;		/* what the next read returns */
	unsigned int forgotten;
	int forget_err;			/* what forget answers; 0: deletes */
};

static bool alive(uint32_t pid, void *ctx)
{
	struct world *w = ctx;
	unsigned int i;

	for (i = 0; i < w->nr_dead_pids; i++)
		if (w->dead_pids[i] == pid)
			return false;
	return true;
}

static int forget(const struct exit_key *key, void *ctx)
{
	struct world *w = ctx;
	unsigned int i, kept = 0;

	if (w->forget_err)
		return w->forget_err;
	for (i = 0; i < w->map.nr; i++)
		if (memcmp(&w->map.rows[i].key, key, sizeof(*key)))
			w->map.rows[kept++] = w->map.rows[i];
	w->forgotten += w->map.nr - kept;
	w->map.nr = kept;
	return 0;
}

/* exittrace's loop state, over a made-up world */
struct run {
	struct snapshot now, before, d, out;
	struct per_vm p;
	struct world w;
};

/* One interval of exittrace's loop: find the dead, read, delta, retire. */
static void interval(struct run *r)
{
	struct snapshot tmp;

	CHECK(!per_vm_find_dead(&r->p, &r->before, alive, &r->w));
	CHECK(!snapshot_copy(&r->now, &r->w.map));
	snapshot_key_order(&r->now);
	CHECK(!snapshot_delta(&r->d, &r->now, &r->before));
	CHECK(!per_vm_retire(&r->p, &r->now, forget, &r->w));
	tmp = r->before;
	r->before = r->now;
	r->now = tmp;
}

/* The totals since start, after the last interval(). */
static const struct snapshot *totals(struct run *r)
{
	return per_vm_totals(&r->p, &r->before, &r->out);
}

static void run_free(struct run *r)
{
	snapshot_free(&r->now);
	snapshot_free(&r->before);
	snapshot_free(&r->d);
	snapshot_free(&r->out);
	snapshot_free(&r->w.map);
	per_vm_free(&r->p);
}

TEST(exited_vm_reported_then_retired_totals_exact)
{
	struct run r = {};
	const struct snapshot *total;

	put(&r.w.map, 100, 0x72, 10);
	put(&r.w.map, 100, 0x7b, 2);
	put(&r.w.map, 200, 0x72, 5);
	interval(&r);
	CHECK_EQ_U64(r.d.nr, 3);

	/* VM 100 exits 3 more times, then its process is gone */
	r.w.map.rows[0].st.count = 13;
	r.w.dead_pids[r.w.nr_dead_pids++] = 100;
	interval(&r);
	CHECK_EQ_U64(count_of(&r.d, 100, 0x72), 3);	/* its last counts */
	CHECK_EQ_U64(r.w.forgotten, 2);
	CHECK_EQ_U64(r.w.map.nr, 1);
	CHECK_EQ_U64(r.p.retired.nr, 2);

	/* next interval: VM 100 shows no more, the totals keep it */
	r.w.map.rows[0].st.count = 8;
	interval(&r);
	CHECK_EQ_U64(r.d.nr, 1);
	CHECK_EQ_U64(count_of(&r.d, 200, 0x72), 3);
	total = totals(&r);
	CHECK(total == &r.out);
	CHECK_EQ_U64(total->nr, 3);
	CHECK_EQ_U64(count_of(total, 100, 0x72), 13);
	CHECK_EQ_U64(count_of(total, 100, 0x7b), 2);
	CHECK_EQ_U64(count_of(total, 200, 0x72), 8);

	/* a new process gets pid 100: it starts from zero in the intervals */
	r.w.nr_dead_pids = 0;
	put(&r.w.map, 100, 0x72, 4);
	interval(&r);
	CHECK_EQ_U64(count_of(&r.d, 100, 0x72), 4);
	CHECK_EQ_U64(count_of(totals(&r), 100, 0x72), 17);
	run_free(&r);
}

TEST(rows_the_map_keeps_are_not_retired)
{
	struct run r = { .w = { .forget_err = -EPERM } };

	put(&r.w.map, 300, 0x72, 6);
	interval(&r);
	r.w.dead_pids[r.w.nr_dead_pids++] = 300;
	interval(&r);
	CHECK_EQ_U64(r.p.forget_failed, 1);
	CHECK_EQ_U64(r.p.retired.nr, 0);
	/* read again: no interval counts it twice, no total either */
	r.w.forget_err = 0;
	interval(&r);
	CHECK_EQ_U64(r.d.nr, 0);
	CHECK_EQ_U64(r.p.retired.nr, 1);
	CHECK_EQ_U64(r.w.map.nr, 0);
	interval(&r);
	CHECK_EQ_U64(count_of(totals(&r), 300, 0x72), 6);
	run_free(&r);
}

TEST(without_per_vm_rows_nothing_is_retired)
{
	struct snapshot before = {};
	struct per_vm p = {};
	struct world w = { .dead_pids = { 0 }, .nr_dead_pids = 1 };

	put(&before, 0, 0x72, 1);	/* tgid 0: no -P */
	CHECK(!per_vm_find_dead(&p, &before, alive, &w));
	CHECK_EQ_U64(p.nr_dead, 0);
	snapshot_free(&before);
	per_vm_free(&p);
}

TEST(proc_alive_reads_a_proc_root)
{
	char root[] = "/tmp/exittrace-proc-XXXXXX", path[64];

	CHECK(mkdtemp(root) != NULL);
	snprintf(path, sizeof(path), "%s/4242", root);
	CHECK(!mkdir(path, 0700));
	CHECK(per_vm_proc_alive(4242, root));
	CHECK(!per_vm_proc_alive(4243, root));
	rmdir(path);
	rmdir(root);
}
