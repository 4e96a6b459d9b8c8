/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_names.h - which VM a process is, by the name its VMM was given:
 * QEMU's "-name NAME" or "-name guest=NAME[,...]" (libvirt passes the
 * domain name as "-name guest=NAME,debug-threads=on"), read from
 * /proc/PID/cmdline; and which vCPU a thread runs, from QEMU's thread
 * names ("CPU 1/KVM" in /proc/PID/task/TID/comm, with debug-threads=on).
 *
 * Every function takes the procfs root (NULL: /proc) so that the unit
 * tests can hand it a tree of their own.
 *
 * A name is kept as given, except that whitespace, control characters,
 * '"' and '\' become '_': so it is one word in the table, and a JSON
 * string and a Prometheus label value without escapes.  -p NAME is
 * compared the same way.
 */
#ifndef VM_NAMES_H
#define VM_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest name kept (longer ones are cut to it) */
#define VM_NAME_MAX	64

/*
 * The VM name in a command line (@len bytes of NUL-separated arguments,
 * as /proc/PID/cmdline holds them) into @name; false if there is none.
 * ",," in QEMU's option syntax is a literal comma.
 */
bool vm_name_from_cmdline(const char *cmdline, size_t len, char name[VM_NAME_MAX]);

/* The VM name of process @pid; false if it has none or is gone. */
bool vm_name_of_pid(const char *proc_root, uint32_t pid, char name[VM_NAME_MAX]);

/* QEMU's vCPU thread name "CPU n/KVM" -> n; -1 for any other name. */
int vm_vcpu_index_from_comm(const char *comm);

/* The vCPU index of thread @tid of process @pid; -1 if not a vCPU thread. */
int vm_vcpu_index_of_thread(const char *proc_root, uint32_t pid, uint32_t tid);

/*
 * -p NAME: the pid of the one QEMU process (argv[0] named qemu*) whose VM
 * is named @name.  0, or -ENOENT (none), or -EEXIST (several: @pid and
 * @other are two of them), or -errno reading the procfs.
 */
int vm_pid_by_name(const char *proc_root, const char *name, uint32_t *pid, uint32_t *other);

/* The names of the VMs exittrace has seen, by pid, for its outputs. */
struct vm_name_entry {
	uint32_t pid;
	char name[VM_NAME_MAX];	/* "" if the process had none */
};

struct vm_names {
	struct vm_name_entry *entries;	/* in pid order */
	unsigned int nr, cap;
};

/*
 * Look @pid up once: its name is read when it is first seen and kept,
 * also after the process is gone (its rows are still reported).  A pid
 * that a new process reuses keeps the first one's name, as its counts are
 * merged with the first one's (per_vm.h).  -ENOMEM on failure.
 */
int vm_names_note(struct vm_names *n, const char *proc_root, uint32_t pid);

/* @pid's name, or NULL if it has none (or was never noted). */
const char *vm_names_get(const struct vm_names *n, uint32_t pid);

/* @dst = @src; -ENOMEM on failure (@dst is then empty). */
int vm_names_copy(struct vm_names *dst, const struct vm_names *src);

void vm_names_free(struct vm_names *n);

#endif /* VM_NAMES_H */
