// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace - count KVM VM exits per reason and time how long each keeps
 * the vCPU out of the guest, from the kvm_exit/kvm_entry tracepoints.
 *
 * The recipe (main()): parse -> preflight -> attach (loader.c) -> start
 * the sinks -> one loop, which reads the maps once per interval
 * (collect.c) and hands the reading to every sink (sink.h) -> the end,
 * read once nothing can change any more -> the verdict.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "collect.h"
#include "event_loop.h"
#include "exittrace_args.h"
#include "kvm_reload.h"
#include "kvm_time.h"
#include "loader.h"
#include "probe.h"
#include "self_check.h"
#include "sink.h"
#include "slow_exits.h"
#include "exittrace.skel.h"

static struct exittrace_args env;
static struct kvm_time kvm_time;

/* set by the signal handler, read by the loop */
static volatile sig_atomic_t exiting;
static volatile sig_atomic_t reload_requested;	/* SIGUSR2: step_aside() */
static volatile sig_atomic_t marks_requested;	/* SIGUSR1 with --record */

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		marks_requested++;
	else if (sig == SIGUSR2)
		reload_requested = 1;
	else
		exiting = 1;
}

#define MAX_SINKS	3

/* Everything one run holds, from attach to the verdict. */
struct run {
	struct loader loader;
	struct collector c;
	struct self_check_run check;
	struct slow_exits slow;
	struct event_loop loop;
	struct sink *sinks[MAX_SINKS];
	unsigned int nr_sinks;
	struct sink *metrics;		/* one of the sinks: it takes the meta each interval */
	struct metrics_meta meta;
	struct timespec start;
	double start_unix;
	double last;			/* where the last interval ended, since start */
	unsigned int marks;		/* marks handed to the sinks */
	const char *why;		/* why the run ended */
	int nr_cpus;
};

static double mono_s(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

static double since_start_s(const struct run *r)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return mono_s(&t) - mono_s(&r->start);
}

static void ts_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The @n-th (from 1) label of --mark-labels, or "mark<n>" past its end. */
static const char *mark_label(unsigned int n, char *buf, size_t len)
{
	const char *p = env.mark_labels;
	unsigned int i;

	for (i = 1; p && i < n; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (p && *p)
		snprintf(buf, len, "%.*s", (int)strcspn(p, ","), p);
	else
		snprintf(buf, len, "mark%u", n);
	return buf;
}

/* What the metrics and the end say beside the counts: how the run goes. */
static void run_meta(struct run *r, struct drill_snap *keys)
{
	struct metrics_meta *m = &r->meta;

	m->version = strchr(argp_program_version, ' ') + 1;
	m->attach = loader_attach_now(&r->loader, &r->check);
	m->latency = !env.no_latency;
	m->kvm_time = kvm_time.got != KVM_TIME_OFF;
	m->drops_stats_full = collect_drops(&r->c, DROP_STATS_FULL);
	m->drops_vcpus_full = collect_drops(&r->c, DROP_VCPUS_FULL);
	m->drops_no_vendor = collect_drops(&r->c, DROP_NO_VENDOR);
	m->drops_keys_full = collect_drops(&r->c, DROP_KEYS_FULL);
	m->keys = keys;
	m->names = env.per_vm ? &r->c.names : NULL;
}

/* --slower-than: each event to every sink that takes them. */
static void sinks_slow_exit(void *ctx, const struct slow_exit *e)
{
	struct run *r = ctx;
	unsigned int i;

	for (i = 0; i < r->nr_sinks; i++)
		if (r->sinks[i]->ops->slow_exit)
			r->sinks[i]->ops->slow_exit(r->sinks[i], e);
}

/* The interval to every sink: 0, SINK_DONE if one has what it wanted, or -errno. */
static int sinks_interval(struct run *r, const struct interval *iv)
{
	int ret = 0, err;
	unsigned int i;

	for (i = 0; i < r->nr_sinks; i++) {
		err = r->sinks[i]->ops->interval(r->sinks[i], iv);
		if (err < 0)
			return err;
		ret |= err;
	}
	return ret;
}

/* The marks asked for since the last interval, after it. */
static int sinks_marks(struct run *r, double t_s)
{
	char label[40];
	unsigned int i;
	int err;

	while (r->marks != (unsigned int)marks_requested) {
		r->marks++;
		mark_label(r->marks, label, sizeof(label));
		for (i = 0; i < r->nr_sinks; i++) {
			if (!r->sinks[i]->ops->mark)
				continue;
			err = r->sinks[i]->ops->mark(r->sinks[i], t_s, label);
			if (err)
				return err;
		}
	}
	return 0;
}

static int slow_ready(void *ctx)
{
	int err = slow_exits_consume(ctx);

	if (err)
		fprintf(stderr, "exittrace: reading the slow exits failed: %s\n", strerror(-err));
	return err;
}

/* --slower-than: this skeleton's ring buffer, read in the loop. */
static int slow_start(struct run *r)
{
	int err;

	if (!env.slower_than_ns)
		return 0;
	r->slow.event = sinks_slow_exit;
	r->slow.ctx = r;
	err = slow_exits_open(&r->slow, bpf_map__fd(r->loader.skel->maps.slow_exits));
	return err ? err : event_loop_watch(&r->loop, slow_exits_fd(&r->slow), slow_ready, &r->slow);
}

/* The slow exits still in the buffer go out (after a detach), and it closes. */
static int slow_stop(struct run *r)
{
	int err;

	if (!r->slow.rb)
		return 0;
	event_loop_watch(&r->loop, -1, NULL, NULL);
	err = slow_exits_consume(&r->slow);
	if (err)
		fprintf(stderr, "exittrace: reading the slow exits failed: %s\n", strerror(-err));
	slow_exits_close(&r->slow);
	return err;
}

/* Attached: the sinks, the loop and the slow exits start. */
static int run_start(struct run *r)
{
	int signals[5] = { SIGINT, SIGTERM }, n = 2, err;
	struct report_opts ropts = {
		.top_hist = 5,
		.per_vm = env.per_vm,
		.per_vcpu = env.per_vcpu,
		.wide = env.wide,
		.units = env.units,
		.names = env.per_vm ? &r->c.names : NULL,
		.histograms = env.histograms,
		.timestamp = env.timestamp,
		.kvm_time = kvm_time.got != KVM_TIME_OFF,
	};
	struct slow_exits_opts slow = { .out = stdout, .json = env.json, .wall_clock = env.timestamp };
	char kernel[65] = "";
	struct record_meta meta = {
		.tool = argp_program_version,
		.isa = r->loader.isa ? exit_isa_name(r->loader.isa) : "unknown",
		.kernel = kernel,
		.interval_ms = env.interval_ms,
		.pids = env.pids,
		.nr_pids = env.nr_pids,
		.vcpu = env.vcpu,
		.per_vm = env.per_vm,
	};
	struct timespec now;
	struct sink *s;

	r->c.skel = r->loader.skel;
	loader_check_start(&r->loader, &r->check, r->nr_cpus);
	/* tests only: an exittrace that cannot step aside (install-kvm refuses) */
	if (!getenv("EXITTRACE_TEST_NO_STEP_ASIDE"))
		signals[n++] = SIGUSR2;
	if (env.record)
		signals[n++] = SIGUSR1;
	err = event_loop_init(&r->loop, signals, on_signal);
	if (err)
		return err;

	clock_gettime(CLOCK_MONOTONIC, &r->start);
	clock_gettime(CLOCK_REALTIME, &now);
	r->start_unix = now.tv_sec + now.tv_nsec / 1e9;
	slow.start_mono_ns = (__u64)r->start.tv_sec * 1000000000ULL + (__u64)r->start.tv_nsec;
	slow.start_unix_s = r->start_unix;

	if (env.record) {
		FILE *f = fopen("/proc/sys/kernel/osrelease", "r");

		if (f) {
			if (fgets(kernel, sizeof(kernel), f))
				kernel[strcspn(kernel, "\n")] = 0;
			fclose(f);
		}
		meta.start_unix_s = r->start_unix;
		meta.start_mono_s = mono_s(&r->start);
		s = sink_record_open(env.record, env.record_format, env.per_vcpu, &meta);
		if (!s)
			return -EIO;
		r->sinks[r->nr_sinks++] = s;
	}
	run_meta(r, collect_keys_since_start(&r->c));
	err = sink_metrics_open(&r->metrics, &env, &r->meta);
	if (err)
		return err;
	if (r->metrics)
		r->sinks[r->nr_sinks++] = r->metrics;
	s = sink_stdout_new(&env, &ropts, &kvm_time, &slow);
	if (!s)
		return -ENOMEM;
	r->sinks[r->nr_sinks++] = s;
	err = slow_start(r);
	if (err)
		return err;

	if (!env.json && !env.summary_only)
		fprintf(stderr, "Tracing KVM exits... Hit Ctrl-C to end.\n");
	/* tests wait for this line before starting the workload */
	if (env.summary_only)
		fprintf(stderr, "exittrace: attached (%s)\n",
			loader_attach_name(r->loader.mode));
	return 0;
}

/*
 * SIGUSR2: let KVM be reloaded (kvm_reload.h).  The interval that ends
 * here has been read and handed out; its counts since start are carried
 * over, every program and map is closed, and once KVM is back the tool
 * loads again, relocated against the new modules' BTF.  The metrics keep
 * being served meanwhile, unchanged.  0 once attached again; -EINTR if
 * the run ended while waiting (the skeleton stays NULL then).
 */
static int step_aside(struct run *r)
{
	int err;

	reload_requested = 0;
	self_check_poll(&r->check, 0, stderr);
	r->check.state = SELF_CHECK_OFF;
	err = collect_carry(&r->c);
	if (err)
		return err;
	err = slow_stop(r);
	if (err)
		return err;
	exittrace_bpf__destroy(r->loader.skel);
	r->loader.skel = r->c.skel = NULL;
	fprintf(stderr, "exittrace: detached for a KVM reload (%s): waiting for %s to be back\n",
		kvm_reload_locked() ? "by install-kvm" : "SIGUSR2", r->loader.module);
	err = kvm_reload_wait(r->loader.module, &exiting, &r->loop.wait_mask);
	if (err)
		return err;
	err = loader_attach(&r->loader);
	if (err)
		return err;
	r->c.skel = r->loader.skel;
	loader_check_start(&r->loader, &r->check, r->nr_cpus);
	err = slow_start(r);
	if (err)
		return err;
	fprintf(stderr, "exittrace: attached again (%s), to %s\n",
		loader_attach_name(r->loader.mode), r->loader.module);
	return 0;
}

/* Whether an interval is read at all when it ends. */
static bool intervals_read(const struct run *r)
{
	unsigned int i;

	/* -P and --by read each interval all the same, to retire exited VMs */
	if (env.per_vm || env.drill_kinds || reload_requested)
		return true;
	for (i = 0; i < r->nr_sinks; i++)
		if (r->sinks[i]->wants_intervals)
			return true;
	return false;
}

/* The interval from the last one's end to @t1_s, as the last read holds it. */
static struct interval interval_to(struct run *r, double t1_s)
{
	return (struct interval){
		.t0_s = r->last,
		.t1_s = t1_s,
		.rows = &r->c.delta,
		.keys = env.drill_kinds ? &r->c.keys_delta : NULL,
		.c = &r->c,
		.meta = &r->meta,
	};
}

/* One interval ends at @elapsed: read, handed out, and its VMs retired. */
static int run_interval(struct run *r, double elapsed)
{
	struct interval iv = interval_to(r, elapsed);
	int ret, err;

	/* a reload: nothing may be counted between this last read and the close */
	if (reload_requested)
		exittrace_bpf__detach(r->loader.skel);
	err = collect_read(&r->c);
	if (err)
		return err;
	if (r->metrics)
		run_meta(r, collect_keys_since_start(&r->c));
	ret = sinks_interval(r, &iv);
	if (ret < 0)
		return ret;
	if (ret == SINK_DONE) {
		exiting = 1;
		r->why = "count";
	}
	err = sinks_marks(r, elapsed);
	if (!err)
		err = collect_next(&r->c);
	if (err)
		return err;
	r->last = elapsed;
	if (reload_requested) {
		err = step_aside(r);
		if (err == -EINTR)
			exiting = 1;	/* ended while waiting: the end reads nothing more */
		else if (err)
			return err;
	}
	return 0;
}

/*
 * Intervals follow a fixed grid from start (no drift).  A mark (SIGUSR1)
 * ends the current interval early, so that every interval lies wholly
 * before or after it; so does a reload (SIGUSR2).  The interval in which
 * the run ends is read by run_end(), from the same read as the summary.
 */
static int run_loop(struct run *r)
{
	struct timespec t, deadline = r->start, end_at = r->start;
	bool marking, due;
	double elapsed;
	int err;

	end_at.tv_sec += env.duration;
	ts_add_ms(&deadline, env.interval_ms);
	r->why = "signal";
	for (;;) {
		if (env.duration && ts_before(&end_at, &deadline))
			deadline = end_at;
		marking = r->marks != (unsigned int)marks_requested || reload_requested;
		if (!exiting && !marking) {
			err = event_loop_wait(&r->loop, &deadline);
			if (err && err != -EINTR)
				return err;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (env.duration && !ts_before(&t, &end_at)) {
			exiting = 1;
			r->why = "duration";
		}
		if (exiting)
			return 0;
		marking = r->marks != (unsigned int)marks_requested || reload_requested;
		due = !ts_before(&t, &deadline);
		while (!ts_before(&t, &deadline))
			ts_add_ms(&deadline, env.interval_ms);
		if (!due && !marking)
			continue;	/* woken early, by no signal of ours */
		elapsed = mono_s(&t) - mono_s(&r->start);
		if (self_check_poll(&r->check, elapsed, stderr))
			fprintf(stderr, "exittrace: reading the self-check failed: %s\n", strerror(errno));
		if (!intervals_read(r))
			continue;
		err = run_interval(r, elapsed);
		if (err)
			return err;
	}
}

/* Warnings, and never a confident table of wrong numbers. */
static int run_verdict(const struct metrics_meta *m, __u64 slow_lost)
{
	if (m->drops_stats_full)
		fprintf(stderr, "exittrace: warning: the statistics map was full (%u rows): some exits were not counted; raise --max-keys\n",
			env.max_keys);
	if (m->drops_keys_full)
		fprintf(stderr, "exittrace: warning: the drill-down's map was full (%u keys): %llu events of --by were not counted; raise --max-keys\n",
			env.max_keys, (unsigned long long)m->drops_keys_full);
	if (slow_lost)
		fprintf(stderr, "exittrace: warning: %llu slow exits were lost: the ring buffer was full; raise --slow-buffer (%u bytes now)\n",
			(unsigned long long)slow_lost, env.slow_buffer);
	if (m->drops_vcpus_full)
		fprintf(stderr, "exittrace: warning: no task storage for some vCPU threads (out of memory?): some latencies were not measured\n");
	/* those exits are missing from every count above */
	if (m->drops_no_vendor) {
		fprintf(stderr, "exittrace: error: %llu exits were not counted: tp_btf found no exit reason it\n"
			"exittrace: knows how to read in this kernel's vCPU struct (bpf/core_fixes.bpf.h);\n"
			"exittrace: the counts above are incomplete.  Use --attach classic, and report\n"
			"exittrace: the kernel version (uname -r).\n",
			(unsigned long long)m->drops_no_vendor);
		return -ENOEXEC;
	}
	return 0;
}

/*
 * The last (partial) interval and the summary: cumulative since start,
 * read once nothing can change them any more.  A check still running
 * decides here: a disagreement is still a failure.
 */
static int run_end(struct run *r)
{
	struct run_end e = {
		.why = r->why,
		.elapsed_s = since_start_s(r),
		.tsc_hz = kvm_time_tsc_hz(&kvm_time),
	};
	struct snapshot summary = {};
	unsigned int i;
	int err = 0, end_err;

	if (r->loader.skel) {
		exittrace_bpf__detach(r->loader.skel);
		/* the slow exits still in the buffer come before the summary */
		err = slow_stop(r);
		self_check_poll(&r->check, e.elapsed_s, stderr);
		if (!err)
			err = collect_read(&r->c);
		if (err)
			return err;
	} else {
		collect_nothing(&r->c);	/* ended while stepped aside: all is carried */
	}
	e.last = interval_to(r, e.elapsed_s);
	e.since_start = collect_since_start(&r->c);
	if (!e.since_start || snapshot_copy(&summary, e.since_start)) {
		snapshot_free(&summary);
		return -ENOMEM;
	}
	snapshot_sort_by(&summary, env.sort);
	e.summary = &summary;
	e.keys = collect_keys_since_start(&r->c);
	run_meta(r, e.keys);
	e.meta = &r->meta;
	e.self_check = self_check_state_name(r->check.state);
	e.self_check_compared = r->check.sum.compared;
	e.self_check_agreed = r->check.sum.agreed;
	e.self_check_unmatched = r->check.sum.unmatched;
	e.slow_reported = r->slow.reported;
	e.slow_lost = env.slower_than_ns ? collect_drops(&r->c, DROP_SLOW_EXITS) : 0;
	e.obj = r->loader.skel ? r->loader.skel->obj : NULL;

	/*
	 * The last interval goes out as every other, then the marks asked
	 * for before the end (a SIGUSR1 that came with the SIGINT, or while
	 * the loop was busy, is still written, after the last interval)
	 */
	err = sinks_interval(r, &e.last);
	if (err >= 0)
		err = sinks_marks(r, e.elapsed_s);
	if (err < 0) {
		snapshot_free(&summary);
		return err;
	}
	for (i = 0; i < r->nr_sinks; i++) {
		end_err = r->sinks[i]->ops->end(r->sinks[i], &e);
		if (end_err && !err)
			err = end_err;
	}
	end_err = run_verdict(&r->meta, e.slow_lost);
	snapshot_free(&summary);
	return err ? err : end_err;
}

static void run_cleanup(struct run *r)
{
	unsigned int i;

	for (i = 0; i < r->nr_sinks; i++)
		r->sinks[i]->ops->close(r->sinks[i]);
	slow_exits_close(&r->slow);
	event_loop_close(&r->loop);
	exittrace_bpf__destroy(r->loader.skel);
	probe_release();
	collect_free(&r->c);
}

int main(int argc, char **argv)
{
	struct run r = {
		.loader = { .args = &env, .kvm_time = &kvm_time },
		.check = { .state = SELF_CHECK_OFF },
		.loop = { .epfd = -1, .timerfd = -1 },
	};
	int err;

	err = exittrace_parse_args(argc, argv, 0, &env);
	if (err)
		return 64;	/* EX_USAGE, as argp uses */
	loader_log_init(&env);
	if (loader_preflight(&env))
		return 1;
	r.nr_cpus = libbpf_num_possible_cpus();
	if (r.nr_cpus <= 0) {
		fprintf(stderr, "exittrace: cannot read the number of possible CPUs\n");
		return 1;
	}
	r.c = (struct collector){
		.nr_cpus = r.nr_cpus,
		.by_vm = env.per_vm,
		.drill_kinds = env.drill_kinds,
		.top = env.top,
		.sort = env.sort,
		.histograms = exittrace_args_histograms(&env),
	};
	kvm_time.want = env.no_latency ? KVM_TIME_OFF : env.kvm_time;

	err = loader_attach(&r.loader);
	if (!err)
		err = run_start(&r);
	if (!err)
		err = run_loop(&r);
	if (!err)
		err = run_end(&r);
	run_cleanup(&r);
	return err ? 1 : 0;
}
