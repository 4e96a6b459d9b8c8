/* SPDX-License-Identifier: GPL-2.0 */
/*
 * drilldown.bpf.h - the drill-down (--by): per VM, which port, MMIO GPA,
 * MSR, faulting GPA page or hypercall number is behind the exits, how
 * often, and how long the exits it ended took.  Included by
 * exittrace.bpf.c after its maps, tgid_wanted() and cgroup_wanted()
 * (-p and --cgroup filter the keys as they filter the exits).
 *
 * Counting: each event of KVM's tracepoint counts once for its key, so a
 * key's count is exactly how often KVM did that thing: one exit may do
 * several (an NPF on an MMIO page and then the MMIO access, a string
 * instruction emulated in pieces), and an in-kernel device's accesses are
 * counted like the VMM's.  One caveat per tracepoint:
 *  - kvm_mmio fires twice for a read the VMM serves: "unsatisfied" as
 *    the vCPU leaves for userspace, "read" when the result comes back;
 *    only "read" and "write" are counted, so each access counts once.
 *  - kvm_pio of an IN the VMM serves fires when the result comes back,
 *    on the next KVM_RUN, still before the vCPU's next kvm_entry.
 * Latency: the exit's kvm_exit -> kvm_entry latency goes, once, to the
 * last key its events recorded (an NPF that turned out to be MMIO: the
 * MMIO GPA when both kinds are asked for), so a key's lat_count counts
 * the exits it ended and lat_count <= count.
 *
 * The hot path without --by: on_exit() is untouched, and on_entry()
 * tests drill_kinds, a rodata constant, so the verifier removes the call
 * (its load of the constant stays: two instructions); the programs below
 * are not even loaded (the loader turns their autoload off).
 */
#ifndef DRILLDOWN_BPF_H
#define DRILLDOWN_BPF_H

#include "drilldown.h"

/* DRILL_KIND() mask of what --by asked for */
const volatile __u32 drill_kinds = 0;

/* PFERR_WRITE_MASK: bit 1 of both the NPF and the EPT violation code */
#define DRILL_FAULT_WRITE	(1ULL << 1)
/* kvm_pio's rw: KVM_PIO_IN 0, KVM_PIO_OUT 1 */
#define DRILL_PIO_OUT		1
/* kvm_mmio's type: KVM_TRACE_MMIO_READ_UNSATISFIED 0, _READ 1, _WRITE 2 */
#define DRILL_MMIO_READ		1
#define DRILL_MMIO_WRITE	2

/* Allocated as keys appear; the loader preallocates it for classic. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);	/* the loader sets it from --max-keys */
	__type(key, struct drill_key);
	__type(value, struct drill_stats);
} drills SEC(".maps");

static __always_inline struct drill_stats *drill_row(const struct drill_key *key)
{
	static const struct drill_stats zero = {};
	struct drill_stats *d = row_of(&drills, key, &zero);

	if (!d)
		drop(DROP_KEYS_FULL);
	return d;
}

/* One event of a drill-down tracepoint, on the vCPU thread that exited. */
static __always_inline void drill_event(__u16 kind, __u16 dir, __u64 value)
{
	struct drill_key key = { .kind = kind, .dir = dir, .key = value };
	struct vcpu_state *st = NULL;
	struct drill_stats *d;

	key.tgid = bpf_get_current_pid_tgid() >> 32;
	if (!tgid_wanted(key.tgid) || !cgroup_wanted())
		return;
	if (latency)
		st = pending_state();
	/* -c: only while an exit on_exit() kept is pending on this thread */
	if (targ_vcpu >= 0 && (!st || !st->exit_ns))
		return;
	d = drill_row(&key);
	if (d)
		__sync_fetch_and_add(&d->count, 1);
	if (st && st->exit_ns) {
		st->drill = key;	/* the last key wins the latency */
		st->drill_exit_ns = st->exit_ns;
	}
}

/* The key of the exit pending in @st, or NULL if its events recorded none. */
static __always_inline const struct drill_key *drill_pending(const struct vcpu_state *st)
{
	return st->exit_ns && st->drill_exit_ns == st->exit_ns ? &st->drill : NULL;
}

/* on_entry(), before it closes the exit in @st: it took @lat ns; its last key gets it. */
static __always_inline void drill_entry(struct vcpu_state *st, __u64 lat)
{
	const struct drill_key *key = drill_pending(st);
	struct drill_stats *d;

	if (!key)
		return;
	d = bpf_map_lookup_elem(&drills, key);
	if (!d)
		return;
	__sync_fetch_and_add(&d->lat_count, 1);
	__sync_fetch_and_add(&d->lat_sum_ns, lat);
	/* min/max may lose a race between CPUs: extremes, not totals */
	if (!d->lat_min_ns || lat < d->lat_min_ns)
		d->lat_min_ns = lat;
	if (lat > d->lat_max_ns)
		d->lat_max_ns = lat;
}

static __always_inline void drill_pio(unsigned int rw, unsigned int port)
{
	drill_event(DRILL_PORT, rw == DRILL_PIO_OUT ? DRILL_DIR_WRITE : DRILL_DIR_READ, port);
}

static __always_inline void drill_mmio(__u32 type, __u64 gpa)
{
	if (type == DRILL_MMIO_READ || type == DRILL_MMIO_WRITE)
		drill_event(DRILL_MMIO, type == DRILL_MMIO_WRITE ? DRILL_DIR_WRITE : DRILL_DIR_READ, gpa);
}

static __always_inline void drill_msr(unsigned int write, __u32 msr)
{
	drill_event(DRILL_MSR, write ? DRILL_DIR_WRITE : DRILL_DIR_READ, msr);
}

static __always_inline void drill_fault(__u64 gpa, __u64 error_code)
{
	drill_event(DRILL_GPA, error_code & DRILL_FAULT_WRITE ? DRILL_DIR_WRITE : DRILL_DIR_READ,
		    gpa & DRILL_PAGE_MASK);
}

/* ---- tp_btf: the raw tracepoints' arguments, the same in 6.1 and 6.12 ---- */

SEC("tp_btf/kvm_pio")
int BPF_PROG(drill_pio_btf, unsigned int rw, unsigned int port)
{
	drill_pio(rw, port);
	return 0;
}

SEC("tp_btf/kvm_mmio")
int BPF_PROG(drill_mmio_btf, int type, int len, __u64 gpa)
{
	drill_mmio(type, gpa);
	return 0;
}

/* ioeventfd writes KVM completes without decoding (VMX EPT misconfig) */
SEC("tp_btf/kvm_fast_mmio")
int BPF_PROG(drill_fast_mmio_btf, __u64 gpa)
{
	drill_event(DRILL_MMIO, DRILL_DIR_WRITE, gpa);
	return 0;
}

SEC("tp_btf/kvm_msr")
int BPF_PROG(drill_msr_btf, unsigned int write, __u32 ecx)
{
	drill_msr(write, ecx);
	return 0;
}

/*
 * (vcpu, fault_address, error_code), in Debian's 6.1 and 6.12 alike (u64
 * both; earlier kernels had unsigned long and unsigned int, the same to a
 * raw tracepoint, whose arguments are u64 slots).  Kernels whose
 * tracepoint had no vCPU argument get the classic program below: the
 * loader counts the arguments (probe_kvm_tp_args()).  The classic record
 * reads error_code by name, and CO-RE sizes the load to the field.
 */
SEC("tp_btf/kvm_page_fault")
int BPF_PROG(drill_fault_btf, struct kvm_vcpu *vcpu, __u64 fault_address, __u64 error_code)
{
	drill_fault(fault_address, error_code);
	return 0;
}

SEC("tp_btf/kvm_hypercall")
int BPF_PROG(drill_hypercall_btf, unsigned long nr)
{
	drill_event(DRILL_HYPERCALL, DRILL_DIR_NONE, nr);
	return 0;
}

/* ---- classic tracepoints: the records' fields, by name through CO-RE ---- */

struct trace_event_raw_kvm_pio {
	unsigned int rw;
	unsigned int port;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_mmio {
	__u32 type;
	__u64 gpa;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_fast_mmio {
	__u64 gpa;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_msr {
	unsigned int write;
	__u32 ecx;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_page_fault {
	__u64 fault_address;
	__u64 error_code;
} __attribute__((preserve_access_index));

struct trace_event_raw_kvm_hypercall {
	unsigned long nr;
} __attribute__((preserve_access_index));

SEC("tp/kvm/kvm_pio")
int drill_pio_tp(struct trace_event_raw_kvm_pio *ctx)
{
	drill_pio(ctx->rw, ctx->port);
	return 0;
}

SEC("tp/kvm/kvm_mmio")
int drill_mmio_tp(struct trace_event_raw_kvm_mmio *ctx)
{
	drill_mmio(ctx->type, ctx->gpa);
	return 0;
}

SEC("tp/kvm/kvm_fast_mmio")
int drill_fast_mmio_tp(struct trace_event_raw_kvm_fast_mmio *ctx)
{
	drill_event(DRILL_MMIO, DRILL_DIR_WRITE, ctx->gpa);
	return 0;
}

SEC("tp/kvm/kvm_msr")
int drill_msr_tp(struct trace_event_raw_kvm_msr *ctx)
{
	drill_msr(ctx->write, ctx->ecx);
	return 0;
}

SEC("tp/kvm/kvm_page_fault")
int drill_fault_tp(struct trace_event_raw_kvm_page_fault *ctx)
{
	drill_fault(ctx->fault_address, ctx->error_code);
	return 0;
}

SEC("tp/kvm/kvm_hypercall")
int drill_hypercall_tp(struct trace_event_raw_kvm_hypercall *ctx)
{
	drill_event(DRILL_HYPERCALL, DRILL_DIR_NONE, ctx->nr);
	return 0;
}

#endif /* DRILLDOWN_BPF_H */
