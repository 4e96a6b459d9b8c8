/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cases.h - one thing measured on the trigger tracepoint: attached for a
 * run, detached after it, and asked at the end whether it saw every
 * event.
 */
#ifndef NATIVE_CASES_H
#define NATIVE_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bench_case;

struct case_ops {
	/* 0, or -errno with the reason in c->skip */
	int (*attach)(struct bench_case *c);
	void (*detach)(struct bench_case *c);
	/* after all rounds: writes what was checked into c->check */
	void (*verify)(struct bench_case *c);
};

struct bench_case {
	const char *id;		/* CSV key */
	const char *label;	/* table row */
	const char *group;	/* "exittrace", "floor", "piece", "peer" */
	/*
	 * events per exit round trip: 2 (exit + entry), 1 (exit only), 3
	 * (exit, handled, entry: time in KVM)
	 */
	unsigned int rt_events;
	const struct case_ops *ops;
	void *priv;

	/* filled by the run */
	char skip[256];		/* non-empty: not measured, and why */
	char check[160];	/* what verify() found */
	uint64_t events;	/* events fired while attached (warm-up too) */
	uint64_t exits;		/* of which exits (even nonces) */
	uint64_t *cycles;	/* per round: cycles of one timed run */
};

/* Fixed: a table that never moves, so cases may be pointed at. */
#define NATIVE_MAX_CASES	32

struct case_table {
	struct bench_case c[NATIVE_MAX_CASES];
	size_t nr;
};

/* a zeroed case at the end of @t (the table is sized for every case) */
struct bench_case *case_new(struct case_table *t);

/* The cases of each kind; each returns 0 or -errno, having said why. */
int bpf_cases_add(struct case_table *t);
void bpf_cases_free(struct case_table *t);
int tracefs_case_add(struct case_table *t);
void tracefs_case_free(void);
/* @run_events: what one run fires (the timed run; its warm-up is an eighth more) */
int perf_cases_add(struct case_table *t, const char *tmpdir, uint64_t run_events);
void perf_cases_free(struct case_table *t);

#endif /* NATIVE_CASES_H */
