/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exittrace.h - types shared by exittrace.bpf.c and its loader.
 */
#ifndef EXITTRACE_H
#define EXITTRACE_H

/* log2 latency slots: slot i counts latencies in [2^i, 2^(i+1)) ns */
#define EXITTRACE_HIST_SLOTS	32
/* -p PID filters the loader can pass to the kernel side */
#define EXITTRACE_MAX_PIDS	8

/* One row of the statistics map: per VM (with -P), ISA and exit reason. */
struct exit_key {
	__u32 tgid;		/* VM process id, 0 unless per-VM breakdown */
	__u32 isa;		/* 1 = VMX, 2 = SVM, as in the tracepoint */
	__u32 reason;		/* basic exit reason (VMX: bits 15:0) */
};

struct exit_stats {
	__u64 count;		/* kvm_exit events */
	__u64 unpaired;		/* exits never followed by their kvm_entry */
	__u64 lat_count;	/* exits whose latency was measured */
	__u64 lat_sum_ns;	/* sum of kvm_exit -> next kvm_entry */
	__u64 lat_min_ns;
	__u64 lat_max_ns;
	__u64 hist[EXITTRACE_HIST_SLOTS];
};

/* Per vCPU thread: the exit waiting for its entry. */
struct vcpu_state {
	__u64 exit_ns;		/* 0: no exit pending */
	struct exit_key key;
	__u32 pad;
};

/* Counters of events the kernel side could not record. */
enum exittrace_drop {
	DROP_STATS_FULL,	/* statistics map at max_entries */
	DROP_VCPUS_FULL,	/* vCPU thread map could not take a thread */
	DROP_NR,
};

#endif /* EXITTRACE_H */
