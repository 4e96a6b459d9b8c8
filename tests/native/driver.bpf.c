// SPDX-License-Identifier: GPL-2.0
/*
 * driver.bpf.c - fire bpf_test_run:bpf_trigger_tp nr_events times in one
 * BPF_PROG_TEST_RUN.
 *
 * The loop has to live in a BPF program: BPF_PROG_TEST_RUN of a raw_tp
 * program has no repeat count (and of tp_btf fails), and the kfunc that
 * fires the tracepoint, bpf_modify_return_test_tp() (Linux 6.10), may be
 * called from raw_tp programs only.  bpf_loop() with a constant callback
 * and no flags is inlined by the verifier, so the bare loop costs about a
 * kfunc call per event.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

char LICENSE[] SEC("license") = "GPL";

/* fires the tracepoint with @nonce and returns it */
extern int bpf_modify_return_test_tp(int nonce) __ksym;

/* set by the loader before each run (bss: no reload per N) */
__u32 nr_events = 0;

static long fire(__u64 i, void *ctx)
{
	bpf_modify_return_test_tp((int)i);
	return 0;
}

SEC("raw_tp")
int drive(void *ctx)
{
	bpf_loop(nr_events, fire, NULL, 0);
	return 0;
}
