// SPDX-License-Identifier: GPL-2.0
/*
 * peers.bpf.c - on bpf_test_run:bpf_trigger_tp, what a user could run
 * instead of exittrace, and the pieces exittrace's cost is made of.
 *
 * Even nonces stand for kvm_exit, odd ones for kvm_entry (native.h).
 * The loader attaches one program at a time.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "native.h"

char LICENSE[] SEC("license") = "GPL";

/* ---- the dispatch floor: programs that do nothing ------------------------ */

SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(empty_btf, int nonce)
{
	return 0;
}

SEC("raw_tp/bpf_trigger_tp")
int empty_raw(void *ctx)
{
	return 0;
}

struct trace_event_raw_bpf_trigger_tp {
	int nonce;
} __attribute__((preserve_access_index));

SEC("tp/bpf_test_run/bpf_trigger_tp")
int empty_tp(struct trace_event_raw_bpf_trigger_tp *ctx)
{
	return 0;
}

/* ---- the pieces of exittrace's default mode, one at a time --------------- */

__u64 sink;	/* a store the compiler must keep */

/* one bpf_ktime_get_ns() per event */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(ktime_btf, int nonce)
{
	sink = bpf_ktime_get_ns();
	return 0;
}

struct pending {
	__u64 exit_ns;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct pending);
} pendings SEC(".maps");

/* one task-storage get per event: with F_CREATE on the exit, as exittrace */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(tstore_btf, int nonce)
{
	struct pending *p;

	p = bpf_task_storage_get(&pendings, bpf_get_current_task_btf(), 0,
				 NATIVE_IS_EXIT(nonce) ? BPF_LOCAL_STORAGE_GET_F_CREATE : 0);
	if (p)
		sink = p->exit_ns;
	return 0;
}

/*
 * The least a per-thread exit->entry latency can cost: one task-storage
 * get and one clock read per event, no counters.  exittrace's default
 * minus this is its bookkeeping (maps, histogram, checks).
 */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(latency_floor_btf, int nonce)
{
	struct pending *p;

	if (NATIVE_IS_EXIT(nonce)) {
		p = bpf_task_storage_get(&pendings, bpf_get_current_task_btf(), 0,
					 BPF_LOCAL_STORAGE_GET_F_CREATE);
		if (p)
			p->exit_ns = bpf_ktime_get_ns();
		return 0;
	}
	p = bpf_task_storage_get(&pendings, bpf_get_current_task_btf(), 0, 0);
	if (p && p->exit_ns) {
		sink += bpf_ktime_get_ns() - p->exit_ns;
		p->exit_ns = 0;
	}
	return 0;
}

/*
 * What observer.bpf.c's stand-in for the vCPU argument costs (a global
 * load, a cast and the vcpu_id load), where the real programs load the
 * vCPU from their context: it is inside exittrace's figures, and should
 * be close to nothing.
 */
struct kvm_vcpu {
	int vcpu_id;
} __attribute__((preserve_access_index));

extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

__u64 vcpu_addr;

SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(vcpu_standin_btf, int nonce)
{
	struct kvm_vcpu *vcpu;
	__u64 addr = vcpu_addr;

	if (!addr) {
		addr = (__u64)bpf_get_current_task_btf();
		vcpu_addr = addr;
	}
	vcpu = bpf_rdonly_cast((void *)addr, bpf_core_type_id_kernel(struct kvm_vcpu));
	sink = vcpu->vcpu_id;
	return 0;
}

/* per-CPU counters by reason, as bcc's kvmexit keeps them */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} reason_counts SEC(".maps");

__u32 bench_reason = NATIVE_REASON;

/* The least a count per reason can cost: one inlined per-CPU lookup. */
SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(count_floor_btf, int nonce)
{
	__u64 *n = bpf_map_lookup_elem(&reason_counts, &bench_reason);

	if (n)
		(*n)++;
	return 0;
}

/*
 * Issue 19, part 3, one way down: counters in global data (.bss, which
 * userspace reads through the skeleton's mapping, no copy), a row per
 * CPU indexed by the CPU's number, instead of a per-CPU array's lookup.
 * A row is 8 KiB, so two CPUs never write one cache line.
 */
__u64 global_counts[NATIVE_GLOBAL_CPUS][NATIVE_GLOBAL_REASONS];

SEC("tp_btf/bpf_trigger_tp")
int BPF_PROG(count_global_btf, int nonce)
{
	__u32 cpu = bpf_get_smp_processor_id();
	__u32 reason = bench_reason;

	/* the same bound on the reason as the per-CPU array's lookup checks */
	if (cpu >= NATIVE_GLOBAL_CPUS || reason >= NATIVE_GLOBAL_REASONS)
		return 0;
	global_counts[cpu][reason]++;
	return 0;
}

/* ---- peers: the shapes of other tools ------------------------------------ */

/*
 * bcc's kvmexit: a classic kvm_exit tracepoint program, a per-CPU array
 * of counts indexed by the (bounds-checked) reason; nothing on kvm_entry.
 */
SEC("tp/bpf_test_run/bpf_trigger_tp")
int bcc_counts_tp(struct trace_event_raw_bpf_trigger_tp *ctx)
{
	__u32 reason = bench_reason;
	__u64 *n;

	if (reason >= 1024)
		return 0;
	n = bpf_map_lookup_elem(&reason_counts, &reason);
	if (n)
		(*n)++;
	return 0;
}

/*
 * bpftrace's (and bcc's latency tools') shape: classic tracepoints, the
 * exit's timestamp in a hash keyed by thread id, looked up and deleted
 * at the entry; a per-reason count in a per-CPU hash (bpftrace's
 * count()).  Both preallocated, bpftrace's default.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 10240);
	__type(key, __u32);
	__type(value, __u64);
} start SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u64);
} exits SEC(".maps");

__u64 lat_sum_ns;

SEC("tp/bpf_test_run/bpf_trigger_tp")
int hash_design_tp(struct trace_event_raw_bpf_trigger_tp *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u32 reason = bench_reason;
	__u64 now, *t, *n, one = 1;

	if (NATIVE_IS_EXIT(ctx->nonce)) {
		now = bpf_ktime_get_ns();
		bpf_map_update_elem(&start, &tid, &now, BPF_ANY);
		n = bpf_map_lookup_elem(&exits, &reason);
		if (n)
			(*n)++;
		else
			bpf_map_update_elem(&exits, &reason, &one, BPF_NOEXIST);
		return 0;
	}
	t = bpf_map_lookup_elem(&start, &tid);
	if (!t)
		return 0;
	__sync_fetch_and_add(&lat_sum_ns, bpf_ktime_get_ns() - *t);
	bpf_map_delete_elem(&start, &tid);
	return 0;
}
