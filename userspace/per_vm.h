/* SPDX-License-Identifier: GPL-2.0 */
/*
 * per_vm.h - the -P rows of VMs that have exited: taken out of the BPF
 * map once their last counts were read, kept here for the totals.
 *
 * Without this the map only grows: 25 reasons a VM fill the default
 * 32,768 rows after about 1,300 VMs, and every interval reads them all.
 *
 * One interval, for the loop in exittrace.c:
 *   per_vm_find_dead(@before)  which VMs of the last read are gone now
 *   collect(@now)              their rows in it are final: no thread of
 *                              a process that is gone can exit any more
 *   report @now - @before      their last counts are in this interval
 *   per_vm_retire(@now)        their rows move from @now to the retired
 *                              ones, their keys out of the map
 * The next read lacks them, and so does @before: an interval shows a
 * retired VM no more, and a new process that gets its pid starts from
 * zero.  The totals since start are the rows read plus the retired ones
 * (per_vm_totals()).
 *
 * Liveness and deletion are callbacks, so that the unit tests need
 * neither processes nor BPF.
 */
#ifndef PER_VM_H
#define PER_VM_H

#include <stdbool.h>
#include <stdint.h>

#include "report.h"

/* true if process @pid still exists */
typedef bool (*vm_alive_fn)(uint32_t pid, void *ctx);
/* take @key out of the statistics map; 0 or -errno */
typedef int (*vm_forget_fn)(const struct exit_key *key, void *ctx);

struct per_vm {
	uint32_t *dead;		/* found gone before this interval's read */
	unsigned int nr_dead, cap_dead;
	struct snapshot retired;	/* their final rows, in key order */
	uint64_t forget_failed;	/* keys the map kept (their rows are retired all the same) */
};

/* vm_alive_fn on a procfs mounted at @ctx (a const char *; NULL: /proc). */
bool per_vm_proc_alive(uint32_t pid, void *ctx);

/*
 * Before the read: the VMs with rows in @before (key order) whose process
 * is gone.  -ENOMEM on failure.
 */
int per_vm_find_dead(struct per_vm *p, const struct snapshot *before, vm_alive_fn alive,
		     void *ctx);

/*
 * After the interval is reported: the rows of the dead VMs leave @now (key
 * order, stays so) for the retired ones, and @forget takes each key out of
 * the map.  -ENOMEM on failure (@now is then unchanged).
 */
int per_vm_retire(struct per_vm *p, struct snapshot *now, vm_forget_fn forget, void *ctx);

/*
 * The totals since start: @live (key order) and the retired rows, into
 * @out in key order.  @live itself when nothing was retired.
 */
const struct snapshot *per_vm_totals(const struct per_vm *p, const struct snapshot *live,
				     struct snapshot *out);

void per_vm_free(struct per_vm *p);

#endif /* PER_VM_H */
