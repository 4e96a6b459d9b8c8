// SPDX-License-Identifier: GPL-2.0
/*
 * native_bench.c - what watching a KVM exit costs, natively, on this CPU.
 *
 * A raw_tp driver fires bpf_test_run:bpf_trigger_tp N times in one
 * BPF_PROG_TEST_RUN (driver.bpf.c); each case attaches its observer to
 * that tracepoint (exittrace's own hot path in each mode, the floors, the
 * peers), and the driver is timed with the TSC around the syscall.  A
 * case's cost is its run less the bare run, per event, and per exit round
 * trip.  Rounds interleave the cases, so a slow spell of the machine
 * touches them alike.
 *
 * A benchmark: it reports and never judges; it fails only when it cannot
 * measure (no kernel support, no privileges).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "native.h"
#include "cases.h"
#include "machine.h"
#include "report.h"
#include "tsc.h"
#include "driver.skel.h"

static volatile sig_atomic_t stop;
static bool verbose;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return verbose ? vfprintf(stderr, fmt, args) : 0;
}

struct bench_case *case_new(struct case_table *t)
{
	struct bench_case *c = &t->c[t->nr++];

	memset(c, 0, sizeof(*c));
	return c;
}

/* Root, the kfunc and the tracepoint, and no BPF run-time statistics. */
static int preflight(void)
{
	struct btf *btf;
	bool kfunc, tp;
	FILE *f;
	int on = 0;

	if (geteuid()) {
		fprintf(stderr, "bench-native: needs root (BPF programs, tracefs and perf system-wide): "
			"run it as root, e.g. sudo make bench-native\n");
		return -EPERM;
	}
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		fprintf(stderr, "bench-native: this kernel has no BTF (/sys/kernel/btf/vmlinux, "
			"CONFIG_DEBUG_INFO_BTF): the benchmark needs it\n");
		return -ENOENT;
	}
	kfunc = btf__find_by_name_kind(btf, "bpf_modify_return_test_tp", BTF_KIND_FUNC) > 0;
	tp = btf__find_by_name_kind(btf, "btf_trace_bpf_trigger_tp", BTF_KIND_TYPEDEF) > 0;
	btf__free(btf);
	if (!kfunc || !tp) {
		fprintf(stderr, "bench-native: this kernel lacks the kfunc bpf_modify_return_test_tp%s "
			"and the tracepoint bpf_test_run:bpf_trigger_tp%s (both came in Linux 6.10): "
			"the benchmark needs them to fire a tracepoint natively\n",
			kfunc ? " (present)" : "", tp ? " (present)" : "");
		return -ENOENT;
	}
	f = fopen("/proc/sys/kernel/bpf_stats_enabled", "r");
	if (f) {
		if (fscanf(f, "%d", &on) != 1)
			on = 0;
		fclose(f);
	}
	if (on) {
		fprintf(stderr, "bench-native: kernel.bpf_stats_enabled is on, which adds two clock reads "
			"to every BPF program run: turn it off (sysctl kernel.bpf_stats_enabled=0, and stop "
			"whatever holds BPF_ENABLE_STATS) and run again\n");
		return -EBUSY;
	}
	return 0;
}

/* One BPF_PROG_TEST_RUN of the driver: @n events, in TSC cycles. */
static int drive(struct native_driver *drv, uint64_t n, uint64_t *cycles)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	int fd = bpf_program__fd(drv->progs.drive), err;
	uint64_t t0, t1;

	drv->bss->nr_events = n;
	t0 = tsc_read();
	err = bpf_prog_test_run_opts(fd, &opts);
	t1 = tsc_read();
	if (err)
		return -errno;
	if (cycles)
		*cycles = t1 - t0;
	return 0;
}

/* A warm-up run, then the timed one: caches, branch predictors, task storage warm. */
static int drive_warm(struct native_driver *drv, const struct run_info *run, uint64_t *cycles)
{
	int err = drive(drv, run->events / 8, NULL);

	return err ? err : drive(drv, run->events, cycles);
}

/* @c attached, one timed run in round @r; a case that fails is skipped from then on */
static void time_case(struct native_driver *drv, struct bench_case *c, struct run_info *run,
		      unsigned int r)
{
	uint64_t fired = run->events / 8 + run->events;
	int err;

	if (c->skip[0] || c->ops->attach(c))
		return;
	err = drive_warm(drv, run, &c->cycles[r]);
	c->ops->detach(c);
	if (err) {
		snprintf(c->skip, sizeof(c->skip), "the driver failed with it attached: %s",
			 strerror(-err));
		return;
	}
	c->events += fired;
	/* each round trip starts with its exit, and runs are whole round trips */
	c->exits += fired / c->rt_events;
}

/*
 * Each round times every case once, in table order, with a bare run
 * before each and at the end: a slow spell of the machine touches every
 * case alike, and the bare loop gets many samples.
 */
static int run_rounds(struct native_driver *drv, struct case_table *cases, struct run_info *run)
{
	unsigned int r;
	size_t i;
	int err;

	for (r = 0; r < run->rounds && !stop; r++) {
		for (i = 0; i <= cases->nr && !stop; i++) {
			/* no bare run for a case that is not timed (-k, or it failed) */
			if (i < cases->nr && cases->c[i].skip[0])
				continue;
			err = drive_warm(drv, run, &run->bare[run->nr_bare++]);
			if (err) {
				fprintf(stderr, "bench-native: BPF_PROG_TEST_RUN of the driver failed: %s\n",
					strerror(-err));
				return err;
			}
			if (i < cases->nr)
				time_case(drv, &cases->c[i], run, r);
		}
		if (verbose)
			fprintf(stderr, "round %u done\n", r + 1);
	}
	if (stop) {
		fprintf(stderr, "bench-native: interrupted after %u rounds\n", r);
		return -EINTR;
	}
	return 0;
}

/* -k: is @id one of the comma-separated @ids? */
static bool case_selected(const char *ids, const char *id)
{
	size_t len = strlen(id);
	const char *p;

	for (p = ids; (p = strstr(p, id)); p += len)
		if ((p == ids || p[-1] == ',') && (p[len] == ',' || !p[len]))
			return true;
	return false;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n EVENTS] [-r ROUNDS] [-c CPU] [-k IDS] [-o DIR] [-v]\n"
		"  -n EVENTS  events per timed run, a multiple of 48 (default 1200000)\n"
		"  -r ROUNDS  rounds; each times every case once (default 21)\n"
		"  -c CPU     the CPU to run on (default: the last one)\n"
		"  -k IDS     time only these cases (their ids in native.csv, comma-separated):\n"
		"             more rounds in the same time, for a difference of a few cycles\n"
		"  -o DIR     where the CSV and the chart go (default build/bench/native)\n"
		"  -v         libbpf's and the verifier's messages\n", prog);
}

int main(int argc, char **argv)
{
	struct run_info run = { .rounds = 21, .events = 1200000, .cpu = -1 };
	const char *outdir = "build/bench/native", *only = NULL;
	char tmpdir[] = "/dev/shm/exittrace-native.XXXXXX";
	struct load_window load;
	static struct case_table cases;
	struct native_driver *drv = NULL;
	size_t i;
	int opt, err;

	while ((opt = getopt(argc, argv, "n:r:c:k:o:vh")) != -1) {
		switch (opt) {
		case 'k': only = optarg; break;
		case 'n': run.events = strtoull(optarg, NULL, 0); break;
		case 'r': run.rounds = strtoul(optarg, NULL, 0); break;
		case 'c': run.cpu = atoi(optarg); break;
		case 'o': outdir = optarg; break;
		case 'v': verbose = true; break;
		default: usage(argv[0]); return 2;
		}
	}
	/* whole round trips of 1, 2 and 3 events, in the timed and the warm-up runs */
	if (run.events < 48 || run.events % 48 || run.events > NATIVE_MAX_EVENTS || !run.rounds) {
		fprintf(stderr, "bench-native: -n must be a multiple of 48, up to %u, and -r at least 1\n",
			NATIVE_MAX_EVENTS);
		return 2;
	}
	libbpf_set_print(print_libbpf);
	err = preflight();
	if (err)
		return 1;

	/* one CPU: the test run stays on it, and so do the observers */
	err = pin_to_cpu(&run.cpu);
	if (err) {
		fprintf(stderr, "bench-native: cannot run on CPU %d: %s\n", run.cpu, strerror(-err));
		return 1;
	}
	if (mkdir(outdir, 0755) && errno != EEXIST) {
		fprintf(stderr, "bench-native: cannot make %s: %s\n", outdir, strerror(errno));
		return 1;
	}
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "bench-native: cannot make a directory in /dev/shm for perf: %s\n",
			strerror(errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	drv = native_driver__open_and_load();
	if (!drv) {
		fprintf(stderr, "bench-native: the driver program did not load (%s): this kernel does "
			"not let a raw_tp program call the kfunc bpf_modify_return_test_tp (Linux 6.10); "
			"-v shows the verifier's log\n", strerror(errno));
		err = -1;
		goto cleanup;
	}
	err = bpf_cases_add(&cases);
	if (!err)
		err = tracefs_case_add(&cases);
	if (!err)
		err = perf_cases_add(&cases, tmpdir, run.events);
	if (err)
		goto cleanup;
	for (i = 0; only && i < cases.nr; i++)
		if (!cases.c[i].skip[0] && !case_selected(only, cases.c[i].id))
			snprintf(cases.c[i].skip, sizeof(cases.c[i].skip), "not selected (-k)");
	run.bare = calloc(run.rounds * (cases.nr + 1), sizeof(*run.bare));
	err = run.bare ? 0 : -ENOMEM;
	for (i = 0; i < cases.nr && !err; i++) {
		cases.c[i].cycles = calloc(run.rounds, sizeof(uint64_t));
		if (!cases.c[i].cycles)
			err = -ENOMEM;
	}
	if (err) {
		fprintf(stderr, "bench-native: out of memory\n");
		goto cleanup;
	}
	machine_describe(&run.mach);
	run.tsc_hz = tsc_hz(500);
	load_window_start(&load, run.cpu);

	printf("bench-native: %u rounds x %zu cases x %llu events on CPU %d ...\n", run.rounds,
	       cases.nr, (unsigned long long)run.events, run.cpu);
	fflush(stdout);
	err = run_rounds(drv, &cases, &run);
	if (err)
		goto cleanup;
	load_window_end(&load, run.load, sizeof(run.load));
	for (i = 0; i < cases.nr; i++)
		if (!cases.c[i].skip[0])
			cases.c[i].ops->verify(&cases.c[i]);
	report_table(stdout, &cases, &run);
	err = report_files(&cases, &run, outdir);
	/* a figure of code that miscounted is not that code's cost */
	for (i = 0; i < cases.nr; i++)
		if (!strncmp(cases.c[i].check, "FAILED", 6)) {
			fprintf(stderr, "bench-native: %s miscounted: %s\n", cases.c[i].label,
				cases.c[i].check);
			err = err ? err : -EPROTO;
		}
cleanup:
	bpf_cases_free(&cases);
	tracefs_case_free();
	perf_cases_free(&cases);
	native_driver__destroy(drv);
	rmdir(tmpdir);
	return err ? 1 : 0;
}
