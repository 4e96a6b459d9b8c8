/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slow_exits.h - --slower-than: the events the BPF side sends for each
 * exit at least that slow (struct slow_exit, bpf/slow_exits.bpf.h), read
 * from its ring buffer and printed as lines or JSON lines.
 *
 * The printing is apart from the ring buffer (slow_exits_ring.c) so that
 * the unit tests can feed it made-up events without BPF.
 */
#ifndef SLOW_EXITS_H
#define SLOW_EXITS_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <linux/types.h>

#include "../bpf/exittrace.h"

struct slow_exits_opts {
	FILE *out;
	bool json;
	bool wall_clock;	/* -T: the time of day, not the time since start */
	__u64 start_mono_ns;	/* CLOCK_MONOTONIC at start (bpf_ktime_get_ns()'s clock) */
	double start_unix_s;	/* CLOCK_REALTIME at the same moment */
};

/*
 * One event: "SLOW <time> pid P tid T vcpu V <ISA> <REASON> <latency>
 * (in KVM <t>)", or a JSON object with "slow_exit":true, on one line.
 */
void slow_exit_print(const struct slow_exit *e, const struct slow_exits_opts *o);

struct ring_buffer;

/*
 * The stream: its ring buffer, where each event goes (@event, with
 * @ctx), and how many went.
 */
struct slow_exits {
	struct ring_buffer *rb;
	void (*event)(void *ctx, const struct slow_exit *e);
	void *ctx;
	__u64 reported;
};

/* Read the ring buffer @map_fd from now on; -errno on failure (said). */
int slow_exits_open(struct slow_exits *se, int map_fd);
/* The fd to wait on (epoll) for events; -1 when not open. */
int slow_exits_fd(const struct slow_exits *se);
/* Hand on every event the buffer holds now; -errno on failure. */
int slow_exits_consume(struct slow_exits *se);
void slow_exits_close(struct slow_exits *se);

#endif /* SLOW_EXITS_H */
