// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace.bpf.c - count KVM exits per reason and time each one until
 * the vCPU re-enters the guest.
 *
 * kvm_exit:  count the exit for (VM, ISA, reason); remember per vCPU
 *            thread when and why it exited.
 * kvm_entry: the thread's pending exit ends here; its latency goes into
 *            that reason's sum, min, max and log2 histogram.
 *
 * The tracepoint records are read through CO-RE: the structs below name
 * only the fields used, and libbpf finds their offsets in the running
 * kernel's BTF (vmlinux, or kvm's module BTF when KVM is a module).
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>

#include "exittrace.h"

#define ISA_VMX 1

char LICENSE[] SEC("license") = "GPL";

struct trace_event_raw_kvm_exit {
	unsigned int exit_reason;
	__u32 isa;
	unsigned int vcpu_id;		/* since Linux 5.11 */
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_entry {
	unsigned int vcpu_id;
} __attribute__((preserve_access_index));

/* Set by the loader before load; the verifier prunes what is off. */
const volatile __u32 targ_tgids[EXITTRACE_MAX_PIDS] = {};
const volatile __u32 nr_targ_tgids = 0;
const volatile int targ_vcpu = -1;
const volatile bool per_vm = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 4096);	/* the loader may resize before load */
	__type(key, struct exit_key);
	__type(value, struct exit_stats);
} stats SEC(".maps");

/* LRU: threads of VMs that are gone age out instead of filling the map. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);		/* vCPU thread id */
	__type(value, struct vcpu_state);
} vcpus SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DROP_NR);
	__type(key, __u32);
	__type(value, __u64);
} drops SEC(".maps");

static __always_inline void drop(__u32 why)
{
	__u64 *n = bpf_map_lookup_elem(&drops, &why);

	if (n)
		(*n)++;
}

static __always_inline bool tgid_wanted(__u32 tgid)
{
	__u32 i;

	if (!nr_targ_tgids)
		return true;
	for (i = 0; i < EXITTRACE_MAX_PIDS; i++) {
		if (i >= nr_targ_tgids)
			break;
		if (targ_tgids[i] == tgid)
			return true;
	}
	return false;
}

static __always_inline struct exit_stats *stats_of(const struct exit_key *key)
{
	static const struct exit_stats zero = {};
	struct exit_stats *s;

	s = bpf_map_lookup_elem(&stats, key);
	if (s)
		return s;
	/* -EEXIST from a racing CPU is fine: the lookup below finds it */
	bpf_map_update_elem(&stats, key, &zero, BPF_NOEXIST);
	s = bpf_map_lookup_elem(&stats, key);
	if (!s)
		drop(DROP_STATS_FULL);
	return s;
}

/* floor(log2(v)) for v > 0, without loops the verifier must unroll */
static __always_inline __u32 log2_u64(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffffULL) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

SEC("tp/kvm/kvm_exit")
int handle_exit(struct trace_event_raw_kvm_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct vcpu_state *st, fresh = {};
	struct exit_stats *s;
	struct exit_key key;

	if (!tgid_wanted(tgid))
		return 0;
	if (targ_vcpu >= 0 && bpf_core_field_exists(ctx->vcpu_id) &&
	    ctx->vcpu_id != (unsigned int)targ_vcpu)
		return 0;

	key.tgid = per_vm ? tgid : 0;
	key.isa = ctx->isa;
	key.reason = ctx->exit_reason;
	if (key.isa == ISA_VMX)
		key.reason &= 0xffff;

	s = stats_of(&key);
	if (s)
		s->count++;

	st = bpf_map_lookup_elem(&vcpus, &tid);
	if (!st) {
		fresh.exit_ns = bpf_ktime_get_ns();
		fresh.key = key;
		if (bpf_map_update_elem(&vcpus, &tid, &fresh, BPF_ANY))
			drop(DROP_VCPUS_FULL);
		return 0;
	}
	if (st->exit_ns) {
		/* the previous exit never saw its entry */
		s = bpf_map_lookup_elem(&stats, &st->key);
		if (s)
			s->unpaired++;
	}
	st->key = key;
	st->exit_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp/kvm/kvm_entry")
int handle_entry(struct trace_event_raw_kvm_entry *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct vcpu_state *st;
	struct exit_stats *s;
	__u64 lat;

	st = bpf_map_lookup_elem(&vcpus, &tid);
	if (!st || !st->exit_ns)
		return 0;	/* first entry, or the exit was filtered out */
	lat = bpf_ktime_get_ns() - st->exit_ns;
	st->exit_ns = 0;

	s = bpf_map_lookup_elem(&stats, &st->key);
	if (!s)
		return 0;
	s->lat_count++;
	s->lat_sum_ns += lat;
	if (!s->lat_min_ns || lat < s->lat_min_ns)
		s->lat_min_ns = lat;
	if (lat > s->lat_max_ns)
		s->lat_max_ns = lat;
	s->hist[lat ? log2_u64(lat) & (EXITTRACE_HIST_SLOTS - 1) : 0]++;
	return 0;
}
