/* SPDX-License-Identifier: GPL-2.0 */
/*
 * native.h - what the native benchmark's BPF objects and its loader agree
 * on.
 *
 * The driver fires bpf_test_run:bpf_trigger_tp N times with nonce 0..N-1.
 * An observer that stands for two tracepoints (kvm_exit, kvm_entry) reads
 * the nonce's parity: even is an exit, odd the entry that ends it, so N
 * events are N/2 exit round trips.  (One that watches kvm_exit only sees
 * N exits; one that also stands for handle_exit()'s fexit counts phases
 * of three itself.)
 */
#ifndef NATIVE_H
#define NATIVE_H

#define NATIVE_IS_EXIT(nonce)	(((nonce) & 1) == 0)

/* bpf_loop's own limit (BPF_MAX_LOOPS, 1 << 23) */
#define NATIVE_MAX_EVENTS	(1U << 23)

/*
 * The exit the observers count: VMX basic reason 10, CPUID, the exit the
 * published round-trip figures (kvm-unit-tests vmexit_cpuid) time.
 */
#define NATIVE_ISA		1	/* EXITTRACE_ISA_VMX */
#define NATIVE_REASON		10
/* --by port: the port of the bench's kvm_pio event (as exit_probe's) */
#define NATIVE_PORT		0x5c20

/* peers.bpf.c's counters in global data: a row of reasons per CPU */
#define NATIVE_GLOBAL_CPUS	64
#define NATIVE_GLOBAL_REASONS	1024

#endif /* NATIVE_H */
