/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_debugfs.h - the KVM patch's counters of one VM, read on the host.
 *
 * Patch 7 of the series shows each vCPU's per-slot exits and cycles in
 * KVM's binary statistics and, for everybody but the VMM (a vCPU's fd
 * works only in the process that created the VM), in the file exit_stats
 * of the vCPU's debugfs directory: /sys/kernel/debug/kvm/PID-FD/vcpuN/.
 * This reads those files, and KVM's own "exits" statistic of the VM
 * (stock code, a third witness) beside them, for VMM process PID.
 */
#ifndef KVM_DEBUGFS_H
#define KVM_DEBUGFS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "exit_reasons.h"
#include "exit_stats_abi.h"
#include "exit_stats.h"

struct kvm_vm_counters {
	unsigned int vms;	/* a VMM may run several */
	unsigned int vcpus;
	uint64_t kvm_exits;	/* KVM's own "exits" statistic (stock code) */
	uint64_t exits[EXIT_STATS_NR_SLOTS];
	uint64_t cycles[EXIT_STATS_NR_SLOTS];
};

/*
 * Sum the counters of every vCPU of every VM of process @pid, from the
 * debugfs mounted at @debugfs (NULL: /sys/kernel/debug).  Returns 0, or a
 * negative errno with a sentence for the user in @why.
 */
int kvm_debugfs_read_pid(const char *debugfs, pid_t pid, struct kvm_vm_counters *vmc,
			 char *why, size_t len);

/* The slot that the patch counts exit reason @code of @isa in. */
unsigned int kvm_debugfs_slot(enum exit_isa isa, uint32_t code);

/*
 * The same numbers as a guest's reading: every reason the vendor defines,
 * totals over all slots (the "other" slot included).
 */
void kvm_debugfs_snapshot(const struct kvm_vm_counters *vmc, enum exit_isa isa,
			   struct exit_stats_snapshot *snap);

#endif /* KVM_DEBUGFS_H */
