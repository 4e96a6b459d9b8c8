/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup_filter.bpf.h - --cgroup PATH: count only the exits of vCPU
 * threads inside that cgroup (v2) or below it, e.g. libvirt's
 * /sys/fs/cgroup/machine.slice, whose VMs' vCPU threads sit in cgroups
 * of their own further down.  Included by exittrace.bpf.c.
 *
 * bpf_current_task_under_cgroup() (Linux 4.9, every tracing program
 * type) against a one-entry cgroup array the loader fills with the
 * directory's fd.  Off (the default) the verifier drops the call and the
 * loader does not create the array.
 */
#ifndef CGROUP_FILTER_BPF_H
#define CGROUP_FILTER_BPF_H

/* Set by the loader before load: --cgroup was given. */
const volatile bool targ_cgroup = false;

struct {
	__uint(type, BPF_MAP_TYPE_CGROUP_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} cgroup_filter SEC(".maps");

/* The current (vCPU) thread is one --cgroup lets through. */
static __always_inline bool cgroup_wanted(void)
{
	if (!targ_cgroup)
		return true;
	/* 1: under it; 0: not; <0: no cgroup in the slot (never, once loaded) */
	return bpf_current_task_under_cgroup(&cgroup_filter, 0) == 1;
}

#endif /* CGROUP_FILTER_BPF_H */
