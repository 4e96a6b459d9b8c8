// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace.bpf.c - count KVM exits per reason and time each one until
 * the vCPU re-enters the guest.
 *
 * kvm_exit:  count the exit for (VM, ISA, reason); remember in the vCPU
 *            thread's task storage when and why it exited.
 * kvm_entry: the thread's pending exit ends here; its latency goes into
 *            that reason's sum, min and max, and with -H or the metrics
 *            into its log2 histogram.
 * handled:   fexit (or kretprobe) of vmx_handle_exit()/svm_handle_exit():
 *            the exit's time in KVM ends here, where the KVM patch stops
 *            charging cycles to it; an exit the fastpath handled never
 *            gets there, and its time in KVM ends at kvm_entry instead.
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
 *
 * --by adds the drill-down (drilldown.bpf.h): programs of their own on
 * KVM's kvm_pio, kvm_mmio, kvm_msr, kvm_page_fault and kvm_hypercall
 * tracepoints, and one line in on_entry().
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
/* --per-vcpu: rows keyed by vCPU too (in the hash, as -P's) */
const volatile bool per_vcpu = false;
const volatile bool latency = true;	/* false: --no-latency, counts only */
/* tp_btf with its self-check: exit_check is loaded too */
const volatile bool self_check = false;
/* tests only (EXITTRACE_TEST_MISREAD): tp_btf reads a wrong field */
const volatile bool test_misread = false;
/* the vCPU's identity is its vcpu_id (classic tracepoints), not its address */
const volatile bool ident_by_id = false;

/* Set by the loader before the tracepoints attach: a handled program is attached. */
__u32 kvm_time_on = 0;

#define READ_ONCE(x)	(*(volatile typeof(x) *)&(x))

/* enum exittrace_reason_source; the loader moves it on during the run */
__u32 reason_source = SRC_BTF;

/*
 * -H and the metrics: the latencies' log2 histograms, in maps of their
 * own (slot_hists, row_hists), which are made only then.
 */
const volatile bool histograms = false;

/*
 * Without -P: one row per slot, one copy per CPU.  Its values are struct
 * exit_stats without the histogram (EXIT_COUNTS_SIZE bytes).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXITTRACE_SLOTS);
	__type(key, __u32);
	__uint(value_size, EXIT_COUNTS_SIZE);
} slots SEC(".maps");

/* The histograms of the slots' rows, the same way. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, EXITTRACE_SLOTS);
	__type(key, __u32);
	__type(value, struct exit_hist);
} slot_hists SEC(".maps");

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
	__uint(value_size, EXIT_COUNTS_SIZE);
} stats SEC(".maps");

/* The histograms of the hash's rows: a row gets one at its first latency. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 4096);	/* as stats */
	__type(key, struct exit_key);
	__type(value, struct exit_hist);
} row_hists SEC(".maps");

/* The pending exit of each vCPU thread lives and dies with the thread. */
struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct vcpu_state);
} vcpus SEC(".maps");

/*
 * The per-CPU pending slot.  A task-storage get is a helper call and a
 * walk of the thread's storage list; most exits are handled in the
 * kernel and re-enter on the same CPU without the thread ever leaving
 * it, so the pending exit waits in this CPU's slot instead (an inlined
 * per-CPU array lookup since 6.10) and moves into the thread's task
 * storage only when the thread leaves the CPU or KVM_RUN:
 * kvm_arch_vcpu_put(), which KVM calls on both ways out (vcpu_put() and
 * the preempt notifier's kvm_sched_out()), on this CPU with preemption
 * off.  So a slot's exit always belongs to the thread running on its CPU
 * (the one exception, the self-check's late half, is as stale as its
 * task-storage write was): the slot needs no owner tag, and the vCPU tag
 * in struct vcpu_state still decides the pairing as before.
 *
 * pending_slot: set by the loader before load where the slot can work
 * (a hook on kvm_arch_vcpu_put, bpf_preempt_disable(): 6.10+);
 * pending_slot_on: set once that hook is attached and before the
 * tracepoints are, so that no exit waits in a slot nothing would move.
 * Off, every exit goes to task storage as before.
 */
const volatile bool pending_slot = false;
__u32 pending_slot_on = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vcpu_state);
} pending SEC(".maps");

extern void bpf_preempt_disable(void) __weak __ksym;
extern void bpf_preempt_enable(void) __weak __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct self_check_cpu);
} checks SEC(".maps");

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

/*
 * @map's value for @key, made from @zero on first use; NULL when the map
 * is full.  -EEXIST from a racing CPU is fine: the lookup after the
 * update finds the row that CPU made.
 */
static __always_inline void *row_of(void *map, const void *key, const void *zero)
{
	void *row = bpf_map_lookup_elem(map, key);

	if (row)
		return row;
	bpf_map_update_elem(map, key, zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(map, key);
}

/* The hash row for @key, created on first use. */
static __always_inline struct exit_stats *hash_row(const struct exit_key *key)
{
	static const struct exit_stats zero = {};
	struct exit_stats *s = row_of(&stats, key, &zero);

	if (!s)
		drop(DROP_STATS_FULL);
	return s;
}

/* This CPU's pending slot, or NULL when exits wait in task storage. */
static __always_inline struct vcpu_state *cpu_slot(void)
{
	__u32 zero = 0;

	if (!pending_slot || !READ_ONCE(pending_slot_on))
		return NULL;
	return bpf_map_lookup_elem(&pending, &zero);
}

/*
 * The current thread's state: this CPU's slot if an exit waits there
 * (the thread has not left the CPU since that exit), else its task
 * storage (NULL if it has none).  Either may hold no exit (!exit_ns).
 */
static __always_inline struct vcpu_state *pending_state(void)
{
	struct vcpu_state *st = cpu_slot();

	if (st && st->exit_ns)
		return st;
	return bpf_task_storage_get(&vcpus, bpf_get_current_task_btf(), 0, 0);
}

#include "cgroup_filter.bpf.h"
#include "drilldown.bpf.h"
#include "slow_exits.bpf.h"

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
	if (!cgroup_wanted())
		return;

	key.tgid = per_vm ? tgid : 0;
	key.isa = isa;
	key.reason = isa == EXITTRACE_ISA_VMX ? reason & 0xffff : reason;
	key.vcpu = per_vcpu ? vcpu_id : 0;
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
	st = cpu_slot();
	if (!st)
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
	st->handled = 0;
	SLOW_EXIT_KEEP(st->vcpu_id = vcpu_id);
	/* last: the time between here and the KVM patch's start is BPF's alone */
	st->exit_ns = bpf_ktime_get_ns();
}

/*
 * The row an exit's time in KVM goes to: on this CPU for a slot (the
 * exit may have begun on another; userspace sums the CPUs).
 */
static __always_inline struct exit_stats *kvm_row(const struct vcpu_state *st)
{
	if (st->slot != EXITTRACE_NO_SLOT)
		return bpf_map_lookup_elem(&slots, &st->slot);
	return bpf_map_lookup_elem(&stats, &st->key);
}

/* The exit @st holds spent @ns in KVM: add it to its row @s. */
static __always_inline void add_kvm_time(const struct vcpu_state *st, struct exit_stats *s, __u64 ns)
{
	if (st->slot != EXITTRACE_NO_SLOT) {
		s->kvm_count++;
		s->kvm_sum_ns += ns;
	} else {
		__sync_fetch_and_add(&s->kvm_count, 1);
		__sync_fetch_and_add(&s->kvm_sum_ns, ns);
	}
	/* a race between CPUs may lose a maximum: an extreme, not a total */
	if (ns > s->kvm_max_ns)
		s->kvm_max_ns = ns;
}

/*
 * The histogram slot, as an index the verifier can bound: clang knows
 * exittrace_hist_slot() is at most 31 and drops any mask, and 6.1's
 * verifier loses the bound on the copy it makes; the barrier keeps the
 * mask.
 */
static __always_inline __u32 hist_index(__u64 lat)
{
	__u32 slot = exittrace_hist_slot(lat);

	barrier_var(slot);
	return slot & (EXITTRACE_HIST_SLOTS - 1);
}

/*
 * The histogram of the hash row @key, made at its first latency; a full
 * map loses the histogram only (the row's counts are kept).
 */
static __always_inline struct exit_hist *row_hist(const struct exit_key *key)
{
	static const struct exit_hist zero = {};

	return row_of(&row_hists, key, &zero);
}

static __always_inline void on_entry(__u64 vcpu)
{
	struct vcpu_state *st;
	struct exit_stats *s;
	struct exit_hist *h;
	__u64 lat, sq_lo, sq_hi, old;

	st = pending_state();
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
	exittrace_square(lat, &sq_lo, &sq_hi);
	if (drill_kinds)
		drill_entry(st, lat);
	slow_exit_check(st, lat);
	st->exit_ns = 0;
	/* the fastpath re-entered without handle_exit(): in KVM all along */
	if (!st->handled && READ_ONCE(kvm_time_on)) {
		s = kvm_row(st);
		if (s)
			add_kvm_time(st, s, lat);
	}

	if (st->slot != EXITTRACE_NO_SLOT) {
		/* this CPU's copy: no other CPU writes it */
		s = bpf_map_lookup_elem(&slots, &st->slot);
		if (!s)
			return;
		s->lat_count++;
		s->lat_sum_ns += lat;
		old = s->lat_sq_ns2[0];
		s->lat_sq_ns2[0] = old + sq_lo;
		s->lat_sq_ns2[1] += sq_hi + (old + sq_lo < old);
		if (!s->lat_min_ns || lat < s->lat_min_ns)
			s->lat_min_ns = lat;
		if (lat > s->lat_max_ns)
			s->lat_max_ns = lat;
		if (histograms) {
			h = bpf_map_lookup_elem(&slot_hists, &st->slot);
			if (h)
				h->slots[hist_index(lat)]++;
		}
		return;
	}
	s = bpf_map_lookup_elem(&stats, &st->key);
	if (!s)
		return;
	__sync_fetch_and_add(&s->lat_count, 1);
	__sync_fetch_and_add(&s->lat_sum_ns, lat);
	/* the carry from the low half: from the value this add found */
	old = __sync_fetch_and_add(&s->lat_sq_ns2[0], sq_lo);
	__sync_fetch_and_add(&s->lat_sq_ns2[1], sq_hi + (old + sq_lo < old));
	/* min/max may lose a race between CPUs: extremes, not totals */
	if (!s->lat_min_ns || lat < s->lat_min_ns)
		s->lat_min_ns = lat;
	if (lat > s->lat_max_ns)
		s->lat_max_ns = lat;
	if (histograms) {
		h = row_hist(&st->key);
		if (h)
			__sync_fetch_and_add(&h->slots[hist_index(lat)], 1);
	}
}

/*
 * The end of the exit's time in KVM.  Everything this program does after
 * it reads the clock is inside the patch's window and not in exittrace's,
 * so the lookups come first and only a few stores after.  @vcpu is 0
 * when the program does not know it (kretprobe).
 */
static __always_inline void handled(__u64 vcpu)
{
	struct vcpu_state *st;
	struct exit_stats *s;
	__u64 ns;

	st = pending_state();
	if (!st || !st->exit_ns || st->handled)
		return;
	if (vcpu && st->vcpu != vcpu)
		return;
	s = kvm_row(st);
	if (!s)
		return;
	ns = bpf_ktime_get_ns() - st->exit_ns;
	st->handled = 1;
	add_kvm_time(st, s, ns);
	SLOW_EXIT_KEEP(st->kvm_ns = ns);
}

/*
 * A fexit program runs preemptible where the kernel is (PREEMPT): a
 * switch between its lookup of the slot and its stores would move the
 * exit to task storage from under them, and let another thread's exit
 * take the slot they then write.  The tracepoints and the kretprobe run
 * with preemption off already.
 */
static __always_inline void on_handled(__u64 vcpu)
{
	if (pending_slot)
		bpf_preempt_disable();
	handled(vcpu);
	if (pending_slot)
		bpf_preempt_enable();
}

/*
 * The vCPU thread leaves this CPU, or KVM_RUN: an exit waiting in the
 * slot moves into the thread's task storage, where the entry, the
 * handled program and the drill-down find it on whichever CPU the thread
 * runs next.  The slot is always the current thread's (see pending), so
 * the vCPU argument is not needed.
 */
static __always_inline void vcpu_put(void)
{
	struct vcpu_state *slot = cpu_slot(), *st;

	if (!slot || !slot->exit_ns)
		return;
	st = bpf_task_storage_get(&vcpus, bpf_get_current_task_btf(), 0,
				  BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!st) {
		/* lost as on_exit() loses an exit it cannot store */
		drop(DROP_VCPUS_FULL);
		slot->exit_ns = 0;
		return;
	}
	/* an exit moved earlier and never entered: unpaired, as on_exit() counts it */
	if (st->exit_ns)
		count_unpaired(st);
	*st = *slot;
	slot->exit_ns = 0;
}

/* The loader attaches one of these two, before the tracepoints (vcpu_put.c). */
SEC("fentry/kvm_arch_vcpu_put")
int BPF_PROG(put_fentry, struct kvm_vcpu *vcpu)
{
	vcpu_put();
	return 0;
}

SEC("kprobe/kvm_arch_vcpu_put")
int put_kprobe(void *ctx)
{
	vcpu_put();
	return 0;
}

static __always_inline __u64 vcpu_ident(struct kvm_vcpu *vcpu)
{
	return ident_by_id ? (__u64)BPF_CORE_READ(vcpu, vcpu_id) : (__u64)vcpu;
}

/* The loader attaches one of these, for the ISA KVM runs (kvm_time.c). */
SEC("fexit/vmx_handle_exit")
int BPF_PROG(handled_vmx, struct kvm_vcpu *vcpu, int fastpath, int ret)
{
	on_handled(vcpu_ident(vcpu));
	return 0;
}

SEC("fexit/svm_handle_exit")
int BPF_PROG(handled_svm, struct kvm_vcpu *vcpu, int fastpath, int ret)
{
	on_handled(vcpu_ident(vcpu));
	return 0;
}

/*
 * Tests only (EXITTRACE_TEST_KVM_END=fentry): a witness that ends early,
 * when handle_exit() is called rather than when it returns, which the
 * comparison with the patch's cycles must catch.
 */
SEC("fentry/vmx_handle_exit")
int BPF_PROG(handled_vmx_early, struct kvm_vcpu *vcpu)
{
	on_handled(vcpu_ident(vcpu));
	return 0;
}

SEC("fentry/svm_handle_exit")
int BPF_PROG(handled_svm_early, struct kvm_vcpu *vcpu)
{
	on_handled(vcpu_ident(vcpu));
	return 0;
}

/* Where fexit cannot attach (no ftrace, no BTF for the function). */
SEC("kretprobe")
int handled_kret(void *ctx)
{
	on_handled(0);
	return 0;
}

/* ---- tp_btf: raw tracepoints ------------------------------------------- */

/*
 * The exit reason as the kvm_exit record would carry it, from whichever
 * layout this kernel has (core_fixes.bpf.h); false if none matches.
 */
static __always_inline bool vendor_reason(struct kvm_vcpu *vcpu, __u32 isa, __u32 *reason)
{
	if (test_misread) {
		/* the knob: a field that is not the exit reason */
		*reason = BPF_CORE_READ(vcpu, vcpu_id);
		return true;
	}
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

/* The self-check's verdict on one exit: tp_btf read @btf, the record says @record. */
static __always_inline void check_one(struct self_check_cpu *c, __u32 isa, __u32 btf, __u32 record)
{
	c->sum.compared++;
	if (btf == record) {
		c->sum.agreed++;
	} else if (c->sum.compared == c->sum.agreed + 1) {
		c->sum.bad_isa = isa;
		c->sum.bad_btf = btf;
		c->sum.bad_record = record;
	}
}

/*
 * While the self-check runs (reason_source != SRC_BTF, or an exit is half
 * seen), each exit is seen by both kvm_exit programs, one after the
 * other on this CPU, in either order: the first leaves its half in
 * checks, the second compares and counts.  The counted reason is always
 * the record's, the vCPU's identity always tp_btf's (its kvm_entry
 * program does the pairing).
 */
static __always_inline struct self_check_cpu *check_slot(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&checks, &zero);
}

/* exit_btf's part of the self-check; true if it took care of this exit */
static __always_inline bool exit_btf_checked(struct self_check_cpu *c, struct kvm_vcpu *vcpu,
					     __u32 isa)
{
	__u32 src = READ_ONCE(reason_source), reason;
	bool ok;

	if (c->half == HALF_RECORD) {
		/* the record came first: this exit is complete */
		if (c->compare) {
			ok = vendor_reason(vcpu, isa, &reason);
			check_one(c, isa, ok ? reason : EXITTRACE_NO_LAYOUT, c->reason);
		}
		c->half = HALF_NONE;
		on_exit(isa, c->reason, vcpu->vcpu_id, (__u64)vcpu);
		return true;
	}
	if (c->half == HALF_BTF) {
		/* the record of the last exit never came: count it as read,
		 * if it was read (after a failed check it was not) */
		c->sum.unmatched++;
		c->half = HALF_NONE;
		if (c->compare && c->reason != EXITTRACE_NO_LAYOUT)
			on_exit(c->isa, c->reason, c->vcpu_id, c->vcpu);
		else
			drop(DROP_NO_VENDOR);
	}
	if (src == SRC_BTF)
		return false;
	c->compare = src == SRC_CHECK;
	c->reason = 0;
	if (c->compare && !vendor_reason(vcpu, isa, &c->reason))
		c->reason = EXITTRACE_NO_LAYOUT;
	c->isa = isa;
	c->vcpu = (__u64)vcpu;
	c->vcpu_id = vcpu->vcpu_id;
	c->half = HALF_BTF;
	return true;
}

SEC("tp_btf/kvm_exit")
int BPF_PROG(exit_btf, struct kvm_vcpu *vcpu, __u32 isa)
{
	struct self_check_cpu *c;
	__u32 reason;

	/* since 6.12 the verifier treats raw tracepoint arguments as maybe-NULL */
	if (!vcpu)
		return 0;
	if (self_check) {
		c = check_slot();
		if (c && exit_btf_checked(c, vcpu, isa))
			return 0;
	}
	if (vendor_reason(vcpu, isa, &reason))
		on_exit(isa, reason, vcpu->vcpu_id, (__u64)vcpu);
	else
		drop(DROP_NO_VENDOR);
	return 0;
}

/*
 * Up to 5.15 the raw tracepoint passed the exit reason itself:
 * 0a62a0319abb ("KVM: x86: Get exit_reason as part of
 * kvm_x86_ops.get_exit_info") took it out in 5.16.  The loader picks
 * this program or exit_btf by the tracepoint's BTF.
 */
SEC("tp_btf/kvm_exit")
int BPF_PROG(exit_btf_v515, unsigned int exit_reason, struct kvm_vcpu *vcpu, __u32 isa)
{
	if (!vcpu)
		return 0;
	on_exit(isa, exit_reason, vcpu->vcpu_id, (__u64)vcpu);
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

/* The self-check's classic half (see exit_btf): loaded with tp_btf only. */
SEC("tp/kvm/kvm_exit")
int exit_check(struct trace_event_raw_kvm_exit *ctx)
{
	struct self_check_cpu *c = check_slot();
	__u32 src = READ_ONCE(reason_source);

	if (!c)
		return 0;
	if (c->half == HALF_BTF) {
		/* tp_btf came first: this exit is complete */
		if (c->compare)
			check_one(c, ctx->isa, c->reason, ctx->exit_reason);
		c->half = HALF_NONE;
		on_exit(ctx->isa, ctx->exit_reason, c->vcpu_id, c->vcpu);
		return 0;
	}
	if (c->half == HALF_RECORD) {
		/* tp_btf never saw the last exit: counted, never paired */
		c->sum.unmatched++;
		c->half = HALF_NONE;
		on_exit(c->isa, c->reason, c->vcpu_id, 0);
	}
	if (src == SRC_BTF)
		return 0;	/* the check passed: tp_btf counts alone */
	c->compare = src == SRC_CHECK;
	c->isa = ctx->isa;
	c->reason = ctx->exit_reason;
	c->vcpu_id = ctx->vcpu_id;
	c->half = HALF_RECORD;
	return 0;
}
