// SPDX-License-Identifier: GPL-2.0
/* collect.c - exittrace's maps read into snapshots (collect.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "collect.h"
#include "drill_load.h"
#include "exittrace.skel.h"

/*
 * A per-CPU array's values, all slots in one batch where possible:
 * @value_size bytes per CPU per slot into @values, the slots read into
 * @keys; their number, or -errno.
 */
static int read_slots(int fd, __u32 *keys, void *values, size_t value_size, int nr_cpus)
{
	__u32 count = EXITTRACE_SLOTS, out;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);

	if (!bpf_map_lookup_batch(fd, NULL, &out, keys, values, &count, &opts) ||
	    (errno == ENOENT && count))
		return count;
	/* no batch operations on arrays before Linux 5.6: one by one */
	for (count = 0; count < EXITTRACE_SLOTS; count++) {
		keys[count] = count;
		if (bpf_map_lookup_elem(fd, &count, (char *)values + count * value_size * nr_cpus))
			return -errno;
	}
	return count;
}

/*
 * Without -P: the per-CPU array, each slot summed over the CPUs; with
 * @hists their histograms too.
 */
static int collect_slots(struct exittrace_bpf *skel, struct snapshot *s, int nr_cpus, bool hists)
{
	__u32 keys[EXITTRACE_SLOTS], hist_keys[EXITTRACE_SLOTS];
	struct exit_hist *hist_values = NULL;
	char *values;
	struct exit_stats sum, one = {};
	struct exit_key key;
	int count, hist_count = 0, err = 0, cpu, i;
	size_t v;

	values = calloc((size_t)EXITTRACE_SLOTS * nr_cpus, EXIT_COUNTS_SIZE);
	if (hists)
		hist_values = calloc((size_t)EXITTRACE_SLOTS * nr_cpus, sizeof(*hist_values));
	if (!values || (hists && !hist_values)) {
		err = -ENOMEM;
		goto out;
	}
	/* the histograms first, as for the hash (read_hash_hists()) */
	if (hists)
		hist_count = read_slots(bpf_map__fd(skel->maps.slot_hists), hist_keys, hist_values,
					sizeof(*hist_values), nr_cpus);
	if (hist_count < 0) {
		err = hist_count;
		goto out;
	}
	count = read_slots(bpf_map__fd(skel->maps.slots), keys, values, EXIT_COUNTS_SIZE, nr_cpus);
	if (count < 0) {
		err = count;
		goto out;
	}
	for (i = 0; i < count && !err; i++) {
		if (!exittrace_slot_key(keys[i], &key))
			continue;
		memset(&sum, 0, sizeof(sum));
		for (cpu = 0; cpu < nr_cpus; cpu++) {
			v = (size_t)i * nr_cpus + cpu;
			memcpy(&one, values + v * EXIT_COUNTS_SIZE, EXIT_COUNTS_SIZE);
			/* both arrays are read whole, in slot order */
			if (i < hist_count && hist_keys[i] == keys[i])
				memcpy(one.hist, hist_values[v].slots, sizeof(one.hist));
			stats_merge(&sum, &one);
		}
		/* a CPU may hold only the end of an exit that began on another */
		if (sum.count || sum.lat_count || sum.unpaired || sum.kvm_count)
			err = snapshot_append(s, &key, &sum);
	}
out:
	free(values);
	free(hist_values);
	return err;
}

/* Rows per batch read of a hash map. */
#define HASH_BATCH	256

/*
 * A hash map one key at a time: before Linux 5.6, two system calls a
 * row.  Nothing deletes keys during the walk (per_vm_retire() runs after
 * it), so it sees each key once.
 */
static int read_hash_each(int fd, size_t value_size,
			  int (*take)(void *ctx, const struct exit_key *key, const void *value),
			  void *ctx)
{
	struct exit_key key, next, *prev = NULL;
	void *value = calloc(1, value_size);
	int err = value ? 0 : -ENOMEM;

	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, value))
			continue;	/* removed meanwhile */
		err = take(ctx, &key, value);
	}
	free(value);
	return err;
}

/*
 * A hash map keyed by struct exit_key, HASH_BATCH rows per system call
 * (25,600 rows: 100 calls, not 51,200); @take gets each row.  @restart
 * is called if batches turn out not to work, before the one-by-one walk.
 */
static int read_hash(int fd, size_t value_size,
		     int (*take)(void *ctx, const struct exit_key *key, const void *value),
		     void (*restart)(void *ctx), void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct exit_key keys[HASH_BATCH];
	char *values;
	__u64 batch = 0;	/* the kernel's cursor: a bucket number */
	bool first = true, done = false;
	__u32 count, i;
	int err = 0;

	values = calloc(HASH_BATCH, value_size);
	if (!values)
		return -ENOMEM;
	while (!done && !err) {
		count = HASH_BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, values, &count, &opts)) {
			if (errno != ENOENT) {
				/* no batch operations (before 5.6): start again, one by one */
				restart(ctx);
				err = read_hash_each(fd, value_size, take, ctx);
				break;
			}
			done = true;	/* the last rows come with ENOENT */
		}
		first = false;
		for (i = 0; i < count && !err; i++)
			err = take(ctx, &keys[i], values + i * value_size);
	}
	free(values);
	return err;
}

struct hash_rows {
	struct snapshot *s;
	unsigned int start;
};

static int take_row(void *ctx, const struct exit_key *key, const void *value)
{
	struct hash_rows *hr = ctx;
	struct exit_stats st = {};

	memcpy(&st, value, EXIT_COUNTS_SIZE);
	return snapshot_append(hr->s, key, &st);
}

static void restart_rows(void *ctx)
{
	struct hash_rows *hr = ctx;

	hr->s->nr = hr->start;
}

/* -P rows, and reasons without a slot: one shared value per key. */
static int collect_hash(struct exittrace_bpf *skel, struct snapshot *s)
{
	struct hash_rows hr = { .s = s, .start = s->nr };

	return read_hash(bpf_map__fd(skel->maps.stats), EXIT_COUNTS_SIZE, take_row, restart_rows,
			 &hr);
}

/*
 * The hash rows' histograms, read before the rows: an exit's latency is
 * counted in its row before its histogram, so histograms read first
 * never hold more than the rows read after (no bucket above +Inf in the
 * metrics).  A histogram is made at its row's first latency.  Each is
 * kept as a row with only its .hist, to be merged into its row.
 */
static int take_hist(void *ctx, const struct exit_key *key, const void *value)
{
	struct exit_stats st = {};

	memcpy(st.hist, value, sizeof(st.hist));
	return snapshot_append(ctx, key, &st);
}

static void restart_hists(void *ctx)
{
	((struct snapshot *)ctx)->nr = 0;
}

static int read_hash_hists(struct exittrace_bpf *skel, struct snapshot *hists)
{
	hists->nr = 0;
	return read_hash(bpf_map__fd(skel->maps.row_hists), sizeof(struct exit_hist), take_hist,
			 restart_hists, hists);
}

static int key_row_cmp(const void *key, const void *row)
{
	return exit_key_cmp(key, &((const struct row *)row)->key);
}

/* Each histogram into its row of @s (key order: a binary search each). */
static void add_hash_hists(struct snapshot *s, const struct snapshot *hists)
{
	struct row *r;
	unsigned int i;

	for (i = 0; i < hists->nr; i++) {
		r = bsearch(&hists->rows[i].key, s->rows, s->nr, sizeof(*s->rows), key_row_cmp);
		if (r)
			stats_merge(&r->st, &hists->rows[i].st);
	}
}

/* Every row the maps hold now, in key order (snapshot_delta() needs it). */
static int collect_rows(struct collector *c, struct snapshot *s)
{
	int err;

	s->nr = 0;
	err = c->histograms ? read_hash_hists(c->skel, &c->hists) : 0;
	if (!err && !c->by_vm)
		err = collect_slots(c->skel, s, c->nr_cpus, c->histograms);
	if (!err)
		err = collect_hash(c->skel, s);
	snapshot_key_order(s);
	if (!err && c->histograms)
		add_hash_hists(s, &c->hists);
	return err;
}

static int forget_key(const struct exit_key *key, void *ctx)
{
	struct exittrace_bpf *skel = ctx;

	if (bpf_map_delete_elem(bpf_map__fd(skel->maps.stats), key))
		return -errno;
	/* a row never timed has no histogram */
	if (bpf_map__autocreate(skel->maps.row_hists) &&
	    bpf_map_delete_elem(bpf_map__fd(skel->maps.row_hists), key) && errno != ENOENT)
		return -errno;
	return 0;
}

/* -P: each VM's name, read from /proc when its pid first has rows. */
static int note_vm_names(struct collector *c)
{
	const struct snapshot *s = &c->now;
	unsigned int i;
	int err = 0;

	/* key order: a VM's rows are together */
	for (i = 0; i < s->nr && !err; i++)
		if (!i || s->rows[i].key.tgid != s->rows[i - 1].key.tgid)
			err = vm_names_note(&c->names, NULL, s->rows[i].key.tgid);
	return err;
}

/* What is shown of @s: the VMs added up without -P, the top N per VM and kind. */
static void keys_rank(const struct collector *c, struct drill_snap *s)
{
	if (!c->by_vm)
		drill_merge_vms(s);
	drill_top(s, c->top, c->sort);
}

static int read_keys(struct collector *c)
{
	struct drill_snap tmp = c->keys_before;
	int err;

	/* before the read, so that the dead VMs' rows in it are final */
	err = drill_find_dead(&c->keys_dead, &c->keys_now, per_vm_proc_alive, NULL);
	if (err) {
		fprintf(stderr, "exittrace: out of memory finding the exited VMs' keys\n");
		return err;
	}
	c->keys_before = c->keys_now;
	c->keys_now = tmp;
	err = drill_read(c->skel, &c->keys_now);
	if (!err)
		err = drill_delta(&c->keys_delta, &c->keys_now, &c->keys_before);
	if (err) {
		fprintf(stderr, "exittrace: reading the drill-down failed: %s\n", strerror(-err));
		return err;
	}
	keys_rank(c, &c->keys_delta);
	return 0;
}

int collect_read(struct collector *c)
{
	int err = 0;

	if (c->by_vm)
		err = per_vm_find_dead(&c->per_vm, &c->before, per_vm_proc_alive, NULL);
	if (!err)
		err = collect_rows(c, &c->now);
	if (!err && c->by_vm)
		err = note_vm_names(c);
	if (!err)
		err = snapshot_delta(&c->delta, &c->now, &c->before);
	if (err) {
		fprintf(stderr, "exittrace: reading the statistics failed: %s\n", strerror(-err));
		return err;
	}
	snapshot_sort_by(&c->delta, c->sort);
	return c->drill_kinds ? read_keys(c) : 0;
}

static int forget_drill_key(const struct drill_key *key, void *ctx)
{
	struct exittrace_bpf *skel = ctx;

	return bpf_map_delete_elem(bpf_map__fd(skel->maps.drills), key) ? -errno : 0;
}

int collect_next(struct collector *c)
{
	struct snapshot tmp;
	int err = 0;

	if (c->by_vm) {
		err = per_vm_retire(&c->per_vm, &c->now, forget_key, c->skel);
		if (err)
			fprintf(stderr, "exittrace: out of memory retiring the rows of exited VMs\n");
	}
	if (!err && c->drill_kinds && c->keys_dead.nr) {
		err = drill_retire(&c->keys_now, &c->keys_dead, &c->keys_retired, forget_drill_key,
				   c->skel);
		if (err)
			fprintf(stderr, "exittrace: out of memory retiring the keys of exited VMs\n");
	}
	tmp = c->before;
	c->before = c->now;
	c->now = tmp;
	return err;
}

/*
 * What the maps hold (@live), the retired rows, and what was counted
 * before a KVM reload.
 */
static const struct snapshot *since_start_of(struct collector *c, const struct snapshot *live)
{
	const struct snapshot *s = per_vm_totals(&c->per_vm, live, &c->totals);

	if (s && c->carried.nr)
		s = snapshot_union(&c->with_carried, &c->carried, s) ? NULL : &c->with_carried;
	if (!s)
		fprintf(stderr, "exittrace: out of memory adding up the totals\n");
	return s;
}

const struct snapshot *collect_since_start(struct collector *c)
{
	return since_start_of(c, &c->now);
}

struct drill_snap *collect_keys_since_start(struct collector *c)
{
	unsigned int i;

	if (!c->drill_kinds || drill_copy(&c->keys_shown, &c->keys_now))
		return NULL;
	for (i = 0; i < c->keys_retired.nr; i++)
		if (drill_append(&c->keys_shown, &c->keys_retired.rows[i].key,
				 &c->keys_retired.rows[i].st))
			return NULL;
	drill_merge_equal(&c->keys_shown);
	keys_rank(c, &c->keys_shown);
	return &c->keys_shown;
}

__u64 collect_drops(const struct collector *c, __u32 why)
{
	__u64 *values, sum = c->carried_drops[why];
	int cpu;

	if (!c->skel)
		return sum;	/* stepped aside for a reload, and ended there */
	values = calloc(c->nr_cpus, sizeof(*values));
	if (values && !bpf_map_lookup_elem(bpf_map__fd(c->skel->maps.drops), &why, values))
		for (cpu = 0; cpu < c->nr_cpus; cpu++)
			sum += values[cpu];
	free(values);
	return sum;
}

/*
 * The newest read is ->before (collect_next() ran), ->keys_now for the
 * keys (read_keys() turns them over before it reads).  The last keys
 * join the retired ones (drill_carry()), which the totals since start
 * keep.  Every VM of the old modules has ended: KVM cannot
 * unload under one, so the per-VM state starts again.
 */
int collect_carry(struct collector *c)
{
	const struct snapshot *sum = since_start_of(c, &c->before);
	struct snapshot keep = {};
	__u32 why;

	if (!sum || snapshot_copy(&keep, sum)) {
		snapshot_free(&keep);
		return -ENOMEM;
	}
	snapshot_free(&c->carried);
	c->carried = keep;
	if (c->drill_kinds) {
		if (drill_carry(&c->keys_now, &c->keys_retired))
			return -ENOMEM;
		c->keys_before.nr = c->keys_delta.nr = 0;
		c->keys_dead.nr = 0;
	}
	per_vm_free(&c->per_vm);
	memset(&c->per_vm, 0, sizeof(c->per_vm));
	c->totals.nr = c->now.nr = c->before.nr = 0;
	for (why = 0; why < DROP_NR; why++)
		c->carried_drops[why] = collect_drops(c, why);
	return 0;
}

void collect_nothing(struct collector *c)
{
	c->now.nr = c->before.nr = c->delta.nr = 0;
	c->keys_delta.nr = 0;
}

void collect_free(struct collector *c)
{
	snapshot_free(&c->now);
	snapshot_free(&c->before);
	snapshot_free(&c->delta);
	snapshot_free(&c->totals);
	snapshot_free(&c->carried);
	snapshot_free(&c->with_carried);
	per_vm_free(&c->per_vm);
	drill_free(&c->keys_now);
	drill_free(&c->keys_before);
	drill_free(&c->keys_delta);
	drill_free(&c->keys_shown);
	drill_free(&c->keys_retired);
	drill_dead_free(&c->keys_dead);
	snapshot_free(&c->hists);
	vm_names_free(&c->names);
}

__u64 collect_in_flight(const struct snapshot *s, __u64 no_storage)
{
	struct exit_stats t;
	__u64 done;

	snapshot_totals(s, &t);
	done = t.lat_count + t.unpaired + no_storage;
	return t.count > done ? t.count - done : 0;
}
