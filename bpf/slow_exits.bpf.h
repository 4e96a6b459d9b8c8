/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slow_exits.bpf.h - --slower-than: each exit whose latency reached the
 * threshold goes to userspace as a struct slow_exit, through a ring
 * buffer.  Included by exittrace.bpf.c after its maps and the
 * drill-down, whose key of the exit (--by) the event carries.
 *
 * Off (slower_than_ns == 0, the default) the verifier drops the call
 * and the loader does not create the ring buffer.  On, an exit faster
 * than the threshold costs one compare; a slow one a reserve, a few
 * stores and a submit.  A full buffer loses the event, never blocks:
 * DROP_SLOW_EXITS counts it, and the loader says how many.
 */
#ifndef SLOW_EXITS_BPF_H
#define SLOW_EXITS_BPF_H

/* Set by the loader before load: the threshold in ns, 0 = off. */
const volatile __u64 slower_than_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);	/* the loader sets --slow-buffer */
} slow_exits SEC(".maps");

/*
 * The exit @st holds took @lat ns until this entry of its vCPU.  Called
 * before on_entry() closes it, so @st still describes that exit.
 */
static __always_inline void slow_exit_report(const struct vcpu_state *st, __u64 lat)
{
	const struct drill_key *key = drill_kinds ? drill_pending(st) : NULL;
	struct slow_exit *e;
	__u64 id;

	e = bpf_ringbuf_reserve(&slow_exits, sizeof(*e), 0);
	if (!e) {
		drop(DROP_SLOW_EXITS);
		return;
	}
	id = bpf_get_current_pid_tgid();
	e->exit_ns = st->exit_ns;
	e->latency_ns = lat;
	/* handled: ended at handle_exit()'s return; else the fastpath re-entered */
	e->kvm_ns = !READ_ONCE(kvm_time_on) ? 0 : st->handled ? st->kvm_ns : lat;
	e->key = key ? key->key : 0;
	e->key_kind = key ? key->kind : DRILL_NONE;
	e->key_dir = key ? key->dir : DRILL_DIR_NONE;
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->vcpu_id = st->vcpu_id;
	e->isa = st->key.isa;
	e->reason = st->key.reason;
	bpf_ringbuf_submit(e, 0);
}

/*
 * on_entry()'s hook.  The verifier knows the threshold (read-only data):
 * off, it keeps only the load and a jump past the report; on, the load
 * and one compare (read once: slower_than_ns is volatile to clang).
 */
static __always_inline void slow_exit_check(const struct vcpu_state *st, __u64 lat)
{
	__u64 threshold = slower_than_ns;

	if (threshold && lat >= threshold)
		slow_exit_report(st, lat);
}

/* What on_exit() and on_handled() keep for the report, only when on. */
#define SLOW_EXIT_KEEP(stmt)	do { if (slower_than_ns) { stmt; } } while (0)

#endif /* SLOW_EXITS_BPF_H */
