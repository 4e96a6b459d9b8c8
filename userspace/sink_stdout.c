// SPDX-License-Identifier: GPL-2.0
/*
 * sink_stdout.c - what a person (or a pipe) reads on stdout: a table or
 * a JSON line per interval, the slow exits as they come, and at the end
 * the summary and how the run went (sink.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "collect.h"
#include "drilldown.h"
#include "prog_stats.h"
#include "sink.h"
#include "slow_exits.h"

struct stdout_sink {
	struct sink sink;
	const struct exittrace_args *args;
	struct report_opts ropts;
	const struct kvm_time *kvm_time;
	struct slow_exits_opts slow;
	long printed;			/* interval tables so far, for -c COUNT */
};

#define to_stdout_sink(s)	sink_container(s, struct stdout_sink)

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The table or JSON line of @s, and with --by the (ranked) keys of @keys. */
static void report(struct stdout_sink *o, const struct snapshot *s, const struct drill_snap *keys,
		   unsigned int retired, double interval, bool is_interval)
{
	const struct exittrace_args *a = o->args;

	o->ropts.interval = is_interval;
	if (a->json)
		print_json(stdout, s, interval, now_s(), &o->ropts);
	else
		print_table(stdout, s, interval, &o->ropts);
	if (a->drill_kinds && keys) {
		if (a->json) {
			drill_print_json(stdout, keys, interval, now_s(), !is_interval, retired,
					 o->ropts.names);
		} else {
			printf("\n");
			drill_print_table(stdout, keys, interval, &o->ropts);
		}
	}
	if (is_interval && !a->json)
		printf("\n");
	fflush(stdout);
}

static int stdout_interval(struct sink *sink, const struct interval *iv)
{
	struct stdout_sink *o = to_stdout_sink(sink);

	/* -c COUNT: the run ends after that many tables, and shows no more */
	if (o->args->summary_only || (o->args->count > 0 && o->printed >= o->args->count))
		return 0;
	report(o, iv->rows, iv->keys, iv->c->keys_retired.nr, iv->t1_s - iv->t0_s, true);
	if (o->args->count > 0 && ++o->printed >= o->args->count)
		return SINK_DONE;
	return 0;
}

static void stdout_slow_exit(struct sink *sink, const struct slow_exit *e)
{
	struct stdout_sink *o = to_stdout_sink(sink);

	slow_exit_print(e, &o->slow);
	fflush(stdout);		/* a reader sees each event as it comes */
}

static void end_text(struct stdout_sink *o, const struct run_end *e)
{
	const struct exittrace_args *a = o->args;
	const struct metrics_meta *m = e->meta;
	const struct kvm_time *kt = o->kvm_time;

	if (!a->no_latency)
		printf("in flight at the end (exited, not re-entered): %llu\n",
		       (unsigned long long)collect_in_flight(e->summary, m->drops_vcpus_full));
	if (m->drops_stats_full || m->drops_vcpus_full || m->drops_no_vendor)
		printf("dropped: %llu exits (map full), %llu latencies (no task storage), "
		       "%llu exits (no reason read)\n", (unsigned long long)m->drops_stats_full,
		       (unsigned long long)m->drops_vcpus_full,
		       (unsigned long long)m->drops_no_vendor);
	printf("attach: %s, self-check %s (%llu of %llu exits agreed)\n", m->attach,
	       e->self_check, (unsigned long long)e->self_check_agreed,
	       (unsigned long long)e->self_check_compared);
	if (a->slower_than_ns) {
		char thr[16];

		printf("slow exits (latency >= %s): %llu reported, %llu lost\n",
		       fmt_ns(thr, sizeof(thr), (double)a->slower_than_ns),
		       (unsigned long long)e->slow_reported, (unsigned long long)e->slow_lost);
	}
	if (kt->got != KVM_TIME_OFF)
		printf("time in KVM: ends at %s of %s; TSC %.3f MHz\n",
		       kt->got == KVM_TIME_FEXIT ? "fexit" : "kretprobe", kt->func,
		       e->tsc_hz / 1e6);
	else if (!a->no_latency)
		printf("time in KVM: not measured: %s\n", kt->why);
}

static void end_json(struct stdout_sink *o, const struct run_end *e)
{
	const struct exittrace_args *a = o->args;
	const struct metrics_meta *m = e->meta;
	const struct kvm_time *kt = o->kvm_time;

	printf("{\"tool\":\"exittrace\",\"final\":true,\"attach\":\"%s\",\"in_flight\":%llu,"
	       "\"drops_stats_full\":%llu,\"drops_vcpus_full\":%llu,\"drops_no_vendor\":%llu,"
	       "\"self_check\":\"%s\",\"self_check_compared\":%llu,\"self_check_agreed\":%llu,"
	       "\"self_check_unmatched\":%llu,\"kvm_time\":\"%s\",\"kvm_time_func\":\"%s\","
	       "\"tsc_hz\":%.0f",
	       m->attach,
	       (unsigned long long)(a->no_latency ? 0 :
				    collect_in_flight(e->summary, m->drops_vcpus_full)),
	       (unsigned long long)m->drops_stats_full, (unsigned long long)m->drops_vcpus_full,
	       (unsigned long long)m->drops_no_vendor, e->self_check,
	       (unsigned long long)e->self_check_compared, (unsigned long long)e->self_check_agreed,
	       (unsigned long long)e->self_check_unmatched, kvm_time_name(kt->got),
	       kt->func ? kt->func : "", e->tsc_hz);
	if (a->slower_than_ns)
		printf(",\"slower_than_ns\":%llu,\"slow_exits\":%llu,\"slow_exits_lost\":%llu",
		       (unsigned long long)a->slower_than_ns, (unsigned long long)e->slow_reported,
		       (unsigned long long)e->slow_lost);
	if (e->obj)
		prog_stats_json(stdout, e->obj);
	printf("}\n");
}

static int stdout_end(struct sink *sink, const struct run_end *e)
{
	struct stdout_sink *o = to_stdout_sink(sink);
	const struct exittrace_args *a = o->args;

	if (!a->json)
		printf("Summary over %.1fs:\n", e->elapsed_s);
	report(o, e->summary, e->keys, e->last.c->keys_retired.nr, e->elapsed_s, false);
	if (a->json)
		end_json(o, e);
	else
		end_text(o, e);
	return fflush(stdout) ? -errno : 0;
}

static void stdout_close(struct sink *sink)
{
	free(to_stdout_sink(sink));
}

static const struct sink_ops stdout_ops = {
	.interval = stdout_interval,
	.slow_exit = stdout_slow_exit,
	.end = stdout_end,
	.close = stdout_close,
};

struct sink *sink_stdout_new(const struct exittrace_args *a, const struct report_opts *ropts,
			     const struct kvm_time *kt, const struct slow_exits_opts *slow)
{
	struct stdout_sink *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->sink.ops = &stdout_ops;
	o->sink.wants_intervals = !a->summary_only;
	o->args = a;
	o->ropts = *ropts;
	o->kvm_time = kt;
	o->slow = *slow;
	return &o->sink;
}
