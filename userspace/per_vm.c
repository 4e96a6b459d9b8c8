// SPDX-License-Identifier: GPL-2.0
/*
 * per_vm.c - retire the -P rows of VMs that have exited (see per_vm.h).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "per_vm.h"

bool per_vm_proc_alive(uint32_t pid, void *ctx)
{
	const char *root = ctx ? ctx : "/proc";
	char path[PATH_MAX];
	struct stat st;

	/*
	 * /proc/PID lasts until the last thread of the process is reaped
	 * (a leader that exits first stays a zombie till then).  Any doubt
	 * (a path too long, EACCES) keeps the VM: retiring a live one would
	 * lose its counts.
	 */
	if ((size_t)snprintf(path, sizeof(path), "%s/%u", root, pid) >= sizeof(path))
		return true;
	return !stat(path, &st) || errno != ENOENT;
}

static bool is_dead(const struct per_vm *p, uint32_t tgid)
{
	unsigned int lo = 0, hi = p->nr_dead;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;

		if (p->dead[mid] == tgid)
			return true;
		if (p->dead[mid] < tgid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int per_vm_find_dead(struct per_vm *p, const struct snapshot *before, vm_alive_fn alive,
		     void *ctx)
{
	unsigned int i;

	p->nr_dead = 0;
	for (i = 0; i < before->nr; i++) {
		uint32_t tgid = before->rows[i].key.tgid;

		/* key order: a VM's rows are together; tgid 0 is no VM (no -P) */
		if (!tgid || (i && before->rows[i - 1].key.tgid == tgid) || alive(tgid, ctx))
			continue;
		if (p->nr_dead == p->cap_dead) {
			unsigned int cap = p->cap_dead ? 2 * p->cap_dead : 16;
			uint32_t *dead = realloc(p->dead, cap * sizeof(*dead));

			if (!dead)
				return -ENOMEM;
			p->dead = dead;
			p->cap_dead = cap;
		}
		p->dead[p->nr_dead++] = tgid;	/* ascending, as the rows */
	}
	return 0;
}

int per_vm_retire(struct per_vm *p, struct snapshot *now, vm_forget_fn forget, void *ctx)
{
	struct snapshot gone = {}, merged = {};
	unsigned int i, kept = 0, nr_gone = 0;
	int err;

	if (!p->nr_dead)
		return 0;
	for (i = 0; i < now->nr; i++)
		nr_gone += is_dead(p, now->rows[i].key.tgid);
	/* room first: once a key has left the map, its row must not be lost */
	if (snapshot_reserve(&gone, nr_gone) ||
	    snapshot_reserve(&merged, p->retired.nr + nr_gone)) {
		snapshot_free(&gone);
		snapshot_free(&merged);
		return -ENOMEM;
	}
	for (i = 0; i < now->nr; i++) {
		struct row *r = &now->rows[i];

		if (is_dead(p, r->key.tgid)) {
			err = forget(&r->key, ctx);
			if (!err || err == -ENOENT) {
				gone.rows[gone.nr++] = *r;
				continue;
			}
			/* still in the map: read again, retired next interval */
			p->forget_failed++;
		}
		now->rows[kept++] = *r;
	}
	now->nr = kept;
	snapshot_union(&merged, &p->retired, &gone);	/* reserved: cannot fail */
	snapshot_free(&p->retired);
	p->retired = merged;
	snapshot_free(&gone);
	p->nr_dead = 0;
	return 0;
}

const struct snapshot *per_vm_totals(const struct per_vm *p, const struct snapshot *live,
				     struct snapshot *out)
{
	if (!p->retired.nr)
		return live;
	return snapshot_union(out, live, &p->retired) ? NULL : out;
}

void per_vm_free(struct per_vm *p)
{
	free(p->dead);
	snapshot_free(&p->retired);
	memset(p, 0, sizeof(*p));
}
