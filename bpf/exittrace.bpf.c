// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace.bpf.c - count KVM exits per reason and time each one until
 * the vCPU re-enters the guest.
 *
 * kvm_exit:  count the exit for (VM, ISA, reason); remember in the vCPU
 *            thread's task storage when and why it exited.
 * kvm_entry: the thread's pending exit ends here; its latency goes into
 *            that reason's sum, min, max and log2 histogram.
 *
 * Two ways in, chosen by the loader:
 *  - tp_btf (default): the raw tracepoints.  The kernel does not build
 *    the trace record; the exit reason is read from the vendor's vCPU
 *    (vcpu_vmx.exit_reason, vcpu_svm.vmcb->control.exit_code), which is
 *    where the record's exit_reason comes from too.  Needs the BTF of
 *    the vendor module's structs.
 *  - classic tracepoints: the record as tracefs shows it, read through
 *    CO-RE; only the fields used are declared here.
 * The hot path is the same after that: without -P a per-CPU array
 * indexed by exittrace_slot(), with -P (and for a reason with no slot) a
 * hash map shared by all CPUs, updated with atomic adds.
 */
#include <stdbool.h>
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>

#include "exittrace.h"

char LICENSE[] SEC("license") = "GPL";

#include "core_fixes.bpf.h"

struct task_struct;

/* Set by the loader before load; the verifier prunes what is off. */
const volatile __u32 targ_tgids[EXITTRACE_MAX_PIDS] = {};
const volatile __u32 nr_targ_tgids = 0;
const volatile int targ_vcpu = -1;
const volatile bool per_vm = false;
const volatile bool latency = true;	/* false: --no-latency, counts only */

/* Without -P: one row per slot, one copy per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXITTRACE_SLOTS);
	__type(key, __u32);
	__type(value, struct exit_stats);
} slots SEC(".maps");

/*
 * -P rows (VM x reason) and reasons without a slot.  Shared rather than
 * per-CPU: 1,024 VMs x ~25 reasons would cost ~8 MB here, but that times
 * the CPU count as a per-CPU map.  Allocated as rows appear.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);	/* the loader may resize before load */
	__type(key, struct exit_key);
	__type(value, struct exit_stats);
} stats SEC(".maps");

/* The pending exit of each vCPU thread lives and dies with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
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

/* The hash row for @key, created on first use. */
static __always_inline struct exit_stats *hash_row(const struct exit_key *key)
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

/* The unpaired counter of the exit @st holds. */
static __always_inline void count_unpaired(const struct vcpu_state *st)
{
	struct exit_stats *s;

	if (st->slot != EXITTRACE_NO_SLOT) {
		s = bpf_map_lookup_elem(&slots, &st->slot);
		if (s)
			s->unpaired++;
	} else {
		s = bpf_map_lookup_elem(&stats, &st->key);
		if (s)
			__sync_fetch_and_add(&s->unpaired, 1);
	}
}

/* @vcpu: the vCPU's identity for pairing (see struct vcpu_state) */
static __always_inline void on_exit(__u32 isa, __u32 reason, int vcpu_id, __u64 vcpu)
{
	__u32 tgid = 0;
	struct vcpu_state *st;
	struct exit_stats *s;
	struct exit_key key;
	__u32 slot;

	/* rodata: without -p or -P the verifier drops this helper call */
	if (nr_targ_tgids || per_vm)
		tgid = bpf_get_current_pid_tgid() >> 32;
	if (!tgid_wanted(tgid))
		return;
	if (targ_vcpu >= 0 && vcpu_id != targ_vcpu)
		return;

	key.tgid = per_vm ? tgid : 0;
	key.isa = isa;
	key.reason = isa == EXITTRACE_ISA_VMX ? reason & 0xffff : reason;
	slot = per_vm ? EXITTRACE_NO_SLOT : exittrace_slot(key.isa, key.reason);

	if (slot != EXITTRACE_NO_SLOT) {
		s = bpf_map_lookup_elem(&slots, &slot);
		if (s)
			s->count++;
	} else {
		s = hash_row(&key);
		if (s)
			__sync_fetch_and_add(&s->count, 1);
	}

	if (!latency)
		return;
	st = bpf_task_storage_get(&vcpus, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		drop(DROP_VCPUS_FULL);
		return;
	}
	if (st->exit_ns)
		count_unpaired(st);	/* the previous exit never saw its entry */
	st->key = key;
	st->slot = slot;
	st->vcpu = vcpu;
	st->exit_ns = bpf_ktime_get_ns();
}

static __always_inline void on_entry(__u64 vcpu)
{
	struct vcpu_state *st;
	struct exit_stats *s;
	__u64 lat, *bucket;

	st = bpf_task_storage_get(&vcpus, bpf_get_current_task_btf(), 0, 0);
	if (!st || !st->exit_ns)
		return;	/* first entry, or the exit was filtered out */
	if (st->vcpu != vcpu) {
		/* this thread enters another vCPU: that exit stays open for
		 * good, and no latency may cross from one vCPU to another */
		count_unpaired(st);
		st->exit_ns = 0;
		return;
	}
	lat = bpf_ktime_get_ns() - st->exit_ns;
	st->exit_ns = 0;

	if (st->slot != EXITTRACE_NO_SLOT) {
		/* this CPU's copy: no other CPU writes it */
		s = bpf_map_lookup_elem(&slots, &st->slot);
		if (!s)
			return;
		s->lat_count++;
		s->lat_sum_ns += lat;
		if (!s->lat_min_ns || lat < s->lat_min_ns)
			s->lat_min_ns = lat;
		if (lat > s->lat_max_ns)
			s->lat_max_ns = lat;
		s->hist[exittrace_hist_slot(lat)]++;
		return;
	}
	s = bpf_map_lookup_elem(&stats, &st->key);
	if (!s)
		return;
	__sync_fetch_and_add(&s->lat_count, 1);
	__sync_fetch_and_add(&s->lat_sum_ns, lat);
	/* min/max may lose a race between CPUs: extremes, not totals */
	if (!s->lat_min_ns || lat < s->lat_min_ns)
		s->lat_min_ns = lat;
	if (lat > s->lat_max_ns)
		s->lat_max_ns = lat;
	bucket = &s->hist[exittrace_hist_slot(lat)];
	__sync_fetch_and_add(bucket, 1);
}

/* ---- tp_btf: raw tracepoints ------------------------------------------- */

/*
 * The exit reason as the kvm_exit record would carry it, from whichever
 * layout this kernel has (core_fixes.bpf.h); false if none matches.
 */
static __always_inline bool vendor_reason(struct kvm_vcpu *vcpu, __u32 isa, __u32 *reason)
{
	if (isa == EXITTRACE_ISA_VMX) {
		struct vcpu_vmx___vt *vt = (void *)vcpu - bpf_core_field_offset(struct vcpu_vmx___vt, vcpu);
		struct vcpu_vmx *un = (void *)vcpu - bpf_core_field_offset(struct vcpu_vmx, vcpu);
		struct vcpu_vmx___u32 *u32 = (void *)vcpu - bpf_core_field_offset(struct vcpu_vmx___u32, vcpu);

		if (bpf_core_field_exists(vt->vt.exit_reason.full))
			*reason = BPF_CORE_READ(vt, vt.exit_reason.full);
		else if (bpf_core_field_exists(un->exit_reason.full))
			*reason = BPF_CORE_READ(un, exit_reason.full);
		else if (bpf_core_field_exists(u32->exit_reason))
			*reason = BPF_CORE_READ(u32, exit_reason);
		else
			return false;
		return true;
	}
	if (isa == EXITTRACE_ISA_SVM) {
		struct vcpu_svm *svm = (void *)vcpu - bpf_core_field_offset(struct vcpu_svm, vcpu);
		struct vcpu_svm___u64 *svm64 = (void *)vcpu - bpf_core_field_offset(struct vcpu_svm___u64, vcpu);

		if (!bpf_core_field_exists(svm->vmcb))
			return false;
		if (bpf_core_field_size(svm64->vmcb->control.exit_code) == 8)
			*reason = (__u32)BPF_CORE_READ(svm64, vmcb, control.exit_code);
		else
			*reason = BPF_CORE_READ(svm, vmcb, control.exit_code);
		return true;
	}
	return false;
}

SEC("tp_btf/kvm_exit")
int BPF_PROG(exit_btf, struct kvm_vcpu *vcpu, __u32 isa)
{
	__u32 reason;

	/* since 6.12 the verifier treats raw tracepoint arguments as maybe-NULL */
	if (!vcpu)
		return 0;
	if (vendor_reason(vcpu, isa, &reason))
		on_exit(isa, reason, vcpu->vcpu_id, (__u64)vcpu);
	else
		drop(DROP_NO_VENDOR);
	return 0;
}

SEC("tp_btf/kvm_entry")
int BPF_PROG(entry_btf, struct kvm_vcpu *vcpu)
{
	on_entry((__u64)vcpu);
	return 0;
}

/* ---- classic tracepoints --------------------------------------------------- */

SEC("tp/kvm/kvm_exit")
int exit_tp(struct trace_event_raw_kvm_exit *ctx)
{
	int vcpu_id = ctx->vcpu_id;

	on_exit(ctx->isa, ctx->exit_reason, vcpu_id, vcpu_id);
	return 0;
}

SEC("tp/kvm/kvm_entry")
int entry_tp(struct trace_event_raw_kvm_entry *ctx)
{
	on_entry(ctx->vcpu_id);
	return 0;
}
