// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_debugfs.c - the KVM patch's counters of one VM, read on the host
 * from the exit_stats files in KVM's debugfs (see kvm_debugfs.h).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "exit_stats_abi.h"
#include "kvm_debugfs.h"

/*
 * The slot layout of arch/x86/kvm/exit_stats.h; the EXIT_STATS_* constants
 * are checked against the series by tests/host/abi_agree.sh.
 */
#define SLOT_SVM_HIGH		(EXIT_STATS_SVM_LAST_LOW + 1)
#define SLOT_SVM_INVALID	(SLOT_SVM_HIGH + EXIT_STATS_SVM_LAST_HIGH - \
				 EXIT_STATS_SVM_FIRST_HIGH + 1)
#define SLOT_OTHER		(SLOT_SVM_INVALID + 1)

_Static_assert(SLOT_OTHER + 1 == EXIT_STATS_NR_SLOTS, "slot layout");

unsigned int kvm_debugfs_slot(enum exit_isa isa, uint32_t code)
{
	if (isa == EXIT_ISA_VMX)
		return code < EXIT_STATS_VMX_NR_REASONS ? code : SLOT_OTHER;
	if (code <= EXIT_STATS_SVM_LAST_LOW)
		return code;
	if (code >= EXIT_STATS_SVM_FIRST_HIGH && code <= EXIT_STATS_SVM_LAST_HIGH)
		return SLOT_SVM_HIGH + code - EXIT_STATS_SVM_FIRST_HIGH;
	return code == EXIT_STATS_SVM_INVALID ? SLOT_SVM_INVALID : SLOT_OTHER;
}

void kvm_debugfs_snapshot(const struct kvm_vm_counters *vmc, enum exit_isa isa,
			   struct exit_stats_snapshot *snap)
{
	const struct exit_reason *t;
	unsigned int n, i;

	memset(snap, 0, sizeof(*snap));
	snap->isa = isa;
	for (i = 0; i < EXIT_STATS_NR_SLOTS; i++) {
		snap->total_exits += vmc->exits[i];
		snap->total_cycles += vmc->cycles[i];
	}
	t = exit_reason_table(isa, &n);
	for (i = 0; i < n && i < EXIT_STATS_MAX_REASONS; i++) {
		unsigned int slot = kvm_debugfs_slot(isa, t[i].code);

		snap->reasons[i] = (struct reason_stats){
			.code = t[i].code, .defined = true,
			.exits = vmc->exits[slot], .cycles = vmc->cycles[slot],
		};
	}
	snap->nr_reasons = i;
}

/* @err opening @path: its sentence in @why, and -@err */
static int failed(char *why, size_t len, const char *path, int err)
{
	snprintf(why, len, "%s: %s", path, strerror(err));
	return -err;
}

/* Add the "slot exits cycles" lines of one vCPU's exit_stats file. */
static int add_vcpu(const char *path, struct kvm_vm_counters *vmc, char *why, size_t len)
{
	unsigned long long exits, cycles;
	unsigned int slot, lines = 0;
	FILE *f = fopen(path, "r");
	int n;

	if (!f)
		return failed(why, len, path, errno);
	while ((n = fscanf(f, "%u %llu %llu", &slot, &exits, &cycles)) == 3) {
		if (slot >= EXIT_STATS_NR_SLOTS)
			break;
		vmc->exits[slot] += exits;
		vmc->cycles[slot] += cycles;
		lines++;
	}
	fclose(f);
	if (n != EOF || lines != EXIT_STATS_NR_SLOTS) {
		snprintf(why, len, "%s: not %d lines of \"slot exits cycles\": another version of the series?",
			 path, EXIT_STATS_NR_SLOTS);
		return -EPROTO;
	}
	vmc->vcpus++;
	return 0;
}

/* KVM's own "exits" of a VM: the generic debugfs file sums its vCPUs */
static int add_kvm_exits(const char *vmdir, struct kvm_vm_counters *vmc, char *why, size_t len)
{
	char path[200 + 256 + 16];
	unsigned long long v;
	FILE *f;
	int ok;

	snprintf(path, sizeof(path), "%s/exits", vmdir);
	f = fopen(path, "r");
	if (!f)
		return failed(why, len, path, errno);
	ok = fscanf(f, "%llu", &v) == 1;
	fclose(f);
	if (!ok) {
		snprintf(why, len, "%s: no number", path);
		return -EPROTO;
	}
	vmc->kvm_exits += v;
	return 0;
}

/* One VM's directory: its "exits" and every vcpuN/exit_stats */
static int add_vm(const char *vmdir, struct kvm_vm_counters *vmc, char *why, size_t len)
{
	char path[200 + 256 + 256 + 16];
	struct dirent *e;
	int err;
	DIR *d;

	err = add_kvm_exits(vmdir, vmc, why, len);
	if (err)
		return err;
	d = opendir(vmdir);
	if (!d)
		return failed(why, len, vmdir, errno);
	while (!err && (e = readdir(d))) {
		if (strncmp(e->d_name, "vcpu", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s/exit_stats", vmdir, e->d_name);
		if (access(path, F_OK)) {
			snprintf(why, len, "%s: missing: this KVM lacks patch 7 of the exittrace series (kvm-patch/)",
				 path);
			err = -ENOENT;
			break;
		}
		err = add_vcpu(path, vmc, why, len);
	}
	closedir(d);
	vmc->vms++;
	return err;
}

int kvm_debugfs_read_pid(const char *debugfs, pid_t pid, struct kvm_vm_counters *vmc,
			 char *why, size_t len)
{
	/* sized so that no join below can be cut: names are < 256 bytes */
	char kvmdir[200], vmdir[200 + 256], prefix[32];
	struct dirent *e;
	int err = 0;
	DIR *d;

	memset(vmc, 0, sizeof(*vmc));
	if (snprintf(kvmdir, sizeof(kvmdir), "%s/kvm", debugfs ? debugfs : "/sys/kernel/debug") >=
	    (int)sizeof(kvmdir)) {
		snprintf(why, len, "debugfs path too long");
		return -ENAMETOOLONG;
	}
	if (kill(pid, 0) && errno == ESRCH) {
		snprintf(why, len, "no process %d", (int)pid);
		return -ESRCH;
	}
	d = opendir(kvmdir);
	if (!d) {
		int open_err = errno;

		snprintf(why, len, "%s: %s%s", kvmdir, strerror(open_err),
			 open_err == EACCES ? " (run as root)" :
			 open_err == ENOENT ? " (mount debugfs: mount -t debugfs none /sys/kernel/debug; and is kvm loaded?)" : "");
		return -open_err;
	}
	/* KVM names a VM's directory "<pid>-<VM fd>" */
	snprintf(prefix, sizeof(prefix), "%d-", (int)pid);
	while (!err && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(vmdir, sizeof(vmdir), "%s/%s", kvmdir, e->d_name);
		err = add_vm(vmdir, vmc, why, len);
	}
	closedir(d);
	if (!err && !vmc->vms) {
		snprintf(why, len, "process %d has no VM in %s (is it a VMM, and is its VM running?)",
			 (int)pid, kvmdir);
		return -ESRCH;
	}
	if (!err && !vmc->vcpus) {
		snprintf(why, len, "process %d has a VM but no vCPU yet", (int)pid);
		return -ESRCH;
	}
	return err;
}
