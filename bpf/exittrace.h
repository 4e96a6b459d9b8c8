/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exittrace.h - types shared by exittrace.bpf.c and its loader.
 */
#ifndef EXITTRACE_H
#define EXITTRACE_H

#include "drilldown.h"

/*
 * log2 latency slots: slot i counts latencies in [2^i, 2^(i+1)) ns (slot
 * 0: 0 and 1 ns), except the last, which counts everything from 2^31 ns
 * (2.1 s) on: a vCPU halted for seconds, or a VM paused for hours.
 */
#define EXITTRACE_HIST_SLOTS	32

/* floor(log2(v)) for v > 0, without loops the verifier must unroll */
static inline __u32 exittrace_log2(__u64 v)
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

/* The histogram slot of a latency of @ns nanoseconds. */
static inline __u32 exittrace_hist_slot(__u64 ns)
{
	__u32 slot = ns ? exittrace_log2(ns) : 0;

	return slot < EXITTRACE_HIST_SLOTS ? slot : EXITTRACE_HIST_SLOTS - 1;
}
/*
 * @v squared, exactly, as 128 bits: v = a 2^32 + b, so
 * v^2 = a^2 2^64 + ab 2^33 + b^2, and each product fits 64 bits.
 */
static inline void exittrace_square(__u64 v, __u64 *lo, __u64 *hi)
{
	__u64 a = v >> 32, b = v & 0xffffffffULL, ab = a * b, b2 = b * b;

	*lo = b2 + (ab << 33);
	*hi = a * a + (ab >> 31) + (*lo < b2);
}

/* -p PID filters the loader can pass to the kernel side */
#define EXITTRACE_MAX_PIDS	8

/* The tracepoint's isa field */
#define EXITTRACE_ISA_VMX	1
#define EXITTRACE_ISA_SVM	2

/* One row of statistics: per VM (with -P), ISA and exit reason. */
struct exit_key {
	__u32 tgid;		/* VM process id, 0 unless per-VM breakdown */
	__u32 isa;		/* 1 = VMX, 2 = SVM, as in the tracepoint */
	__u32 reason;		/* basic exit reason (VMX: bits 15:0) */
	__u32 vcpu;		/* KVM's vcpu_id with --per-vcpu, else 0 */
};

struct exit_stats {
	__u64 count;		/* kvm_exit events */
	__u64 unpaired;		/* exits never followed by their kvm_entry */
	__u64 lat_count;	/* exits whose latency was measured */
	__u64 lat_sum_ns;	/* sum of kvm_exit -> next kvm_entry */
	/*
	 * The sum of the squared latencies, in ns^2, for the standard
	 * deviation: 128 bits ([0] low, [1] high, exittrace_square()), as
	 * 64 would overflow at 18.4 s^2 (one exit of 4.3 s).
	 */
	__u64 lat_sq_ns2[2];
	__u64 lat_min_ns;
	__u64 lat_max_ns;
	/*
	 * Time in KVM: kvm_exit to the return of the vendor's handle_exit()
	 * (or, for an exit the fastpath handled, to the re-entry), the
	 * window the KVM patch charges its cycles to.
	 */
	__u64 kvm_count;
	__u64 kvm_sum_ns;
	__u64 kvm_max_ns;
	/*
	 * The log2 histogram of the latencies.  Last, and not in the
	 * statistics maps, whose values end before it (EXIT_COUNTS_SIZE):
	 * it is 256 of a row's 352 bytes, and only -H and the metrics want
	 * it, so it has maps of its own (struct exit_hist), filled only
	 * when asked and read only then.  Userspace's rows carry it.
	 */
	__u64 hist[EXITTRACE_HIST_SLOTS];
};

/* What the statistics maps hold of a struct exit_stats: all before hist. */
#define EXIT_COUNTS_SIZE	__builtin_offsetof(struct exit_stats, hist)

/* The histogram maps' value (slot_hists, row_hists). */
struct exit_hist {
	__u64 slots[EXITTRACE_HIST_SLOTS];
};

/*
 * Without -P, every exit reason the two manuals define has a fixed slot
 * in a per-CPU array: counting an exit is then an index computation and
 * an increment, with no hashing and no shared cache line.  Reasons
 * outside the slots (none are defined today) go to the hash map.
 *
 *   VMX basic reasons 0..127          slots   0..127
 *   SVM codes 0x0..0xbf               slots 128..319
 *   SVM codes 0x400..0x40f (NPF...)   slots 320..335
 *   SVM VMEXIT_INVALID (-1)           slot  336
 */
#define EXITTRACE_SLOTS		337
#define EXITTRACE_NO_SLOT	0xffffffffU

static inline __u32 exittrace_slot(__u32 isa, __u32 reason)
{
	if (isa == EXITTRACE_ISA_VMX)
		return reason < 128 ? reason : EXITTRACE_NO_SLOT;
	if (isa != EXITTRACE_ISA_SVM)
		return EXITTRACE_NO_SLOT;
	if (reason < 0xc0)
		return 128 + reason;
	if (reason >= 0x400 && reason < 0x410)
		return 320 + reason - 0x400;
	if (reason == 0xffffffffU)
		return 336;
	return EXITTRACE_NO_SLOT;
}

/* The inverse, for the loader: 0 if @slot is not a slot. */
static inline int exittrace_slot_key(__u32 slot, struct exit_key *key)
{
	key->tgid = 0;
	key->vcpu = 0;
	if (slot < 128) {
		key->isa = EXITTRACE_ISA_VMX;
		key->reason = slot;
	} else if (slot < 320) {
		key->isa = EXITTRACE_ISA_SVM;
		key->reason = slot - 128;
	} else if (slot < 336) {
		key->isa = EXITTRACE_ISA_SVM;
		key->reason = 0x400 + slot - 320;
	} else if (slot == 336) {
		key->isa = EXITTRACE_ISA_SVM;
		key->reason = 0xffffffffU;
	} else {
		return 0;
	}
	return 1;
}

/*
 * Per vCPU thread (task storage): the exit waiting for its entry.  A
 * thread may run another vCPU (of this VM or another) before it enters
 * this one again, so the exit is closed only by an entry of the same
 * vCPU: tp_btf knows it by its struct kvm_vcpu address, the classic
 * tracepoints only by vcpu_id (which cannot tell vCPU 0 of two VMs run
 * by one thread apart).
 */
struct vcpu_state {
	__u64 exit_ns;		/* 0: no exit pending */
	__u64 vcpu;		/* which vCPU exited: address, or vcpu_id */
	struct exit_key key;
	__u32 slot;		/* exittrace_slot(), or EXITTRACE_NO_SLOT */
	__u32 handled;		/* its time in KVM is counted already */
	__s32 vcpu_id;		/* KVM's id of the vCPU, for --slower-than */
	__u64 kvm_ns;		/* --slower-than: its time in KVM, once handled */
	/*
	 * --by: the last key an exit's events recorded, and that exit's
	 * exit_ns: the key is this exit's only while the two are equal
	 * (drill_pending()), so on_exit() need not clear it
	 */
	struct drill_key drill;
	__u64 drill_exit_ns;
};

/*
 * --slower-than: one record per exit whose latency (kvm_exit to that
 * vCPU's next kvm_entry) reached the threshold, through a ring buffer
 * (slow_exits.bpf.h).  Times are bpf_ktime_get_ns(), CLOCK_MONOTONIC.
 * With --by, the exit's key: the last one its events recorded, as the
 * drill-down's latency goes to (drill_pending()).
 */
/*
 * The slow exits' ring buffer when --slower-than is off: made all the
 * same (a program naming a map that was not made fails to load on 6.1),
 * at the least size a ring buffer can have, one page.
 */
#define EXITTRACE_SLOW_BUFFER_OFF	4096

struct slow_exit {
	__u64 exit_ns;		/* when the vCPU exited */
	__u64 latency_ns;	/* until the same vCPU entered again */
	__u64 kvm_ns;		/* of which in KVM; 0: not measured */
	__u64 key;		/* the drill-down key (port, GPA, MSR, page, nr) */
	__u16 key_kind;		/* enum drill_kind; DRILL_NONE: no key known */
	__u16 key_dir;		/* enum drill_dir */
	__u32 tgid;		/* the VM process */
	__u32 tid;		/* the vCPU thread */
	__s32 vcpu_id;		/* KVM's vcpu_id (the APIC ID) */
	__u32 isa;		/* EXITTRACE_ISA_* */
	__u32 reason;		/* as counted (VMX: basic reason) */
};

/*
 * The self-check of tp_btf.  A layout change the flavours do not know yet
 * would make tp_btf read the wrong field and count confidently wrong
 * numbers; so while the check runs, the classic kvm_exit program runs
 * beside the raw one, and for each exit the two compare the reason tp_btf
 * read with the one in the kernel's own trace record.  Meanwhile the
 * record's reason is the one counted, so the counts are exact whatever
 * the outcome.  The loader ends the check: passed (tp_btf alone from
 * then on) or failed (the record's reason from then on).
 */
enum exittrace_reason_source {
	SRC_BTF,		/* tp_btf's own read: the check passed, or none */
	SRC_CHECK,		/* the record's, compared with tp_btf's read */
	SRC_RECORD,		/* the record's: the check failed */
};

struct self_check {
	__u64 compared;		/* exits both programs saw */
	__u64 agreed;
	__u64 unmatched;	/* exits only one of the two saw */
	__u32 bad_isa;		/* the first disagreement on this CPU */
	__u32 bad_btf;		/* what tp_btf read (0xffffffff: no layout) */
	__u32 bad_record;	/* what the record says */
	__u32 pad;
};

/* Per CPU: the sums, and the current exit as the first program saw it. */
#define HALF_NONE	0
#define HALF_BTF	1	/* tp_btf ran first */
#define HALF_RECORD	2	/* the classic program ran first */
struct self_check_cpu {
	struct self_check sum;
	__u32 half;
	__u32 isa;
	__u32 reason;		/* tp_btf's read, or the record's */
	__u32 compare;		/* HALF_BTF: tp_btf did read (SRC_CHECK) */
	__u64 vcpu;		/* HALF_BTF: the vCPU's address */
	__s32 vcpu_id;
	__u32 pad;
};

#define EXITTRACE_NO_LAYOUT	0xffffffffU

/* Counters of events the kernel side could not record. */
enum exittrace_drop {
	DROP_STATS_FULL,	/* the hash map was at max_entries */
	DROP_VCPUS_FULL,	/* no task storage for a vCPU thread */
	DROP_NO_VENDOR,		/* tp_btf: no BTF for the vendor's vCPU struct */
	DROP_KEYS_FULL,		/* --by: the drill-down's map was at max_entries */
	DROP_SLOW_EXITS,	/* --slower-than: the ring buffer was full */
	DROP_NR,
};

#endif /* EXITTRACE_H */
