// SPDX-License-Identifier: GPL-2.0
/*
 * report_table.c - exittrace's table, in the columns of perf kvm stat
 * report: per reason the exits and their share, the share of the time,
 * and the exit -> entry latency's average, standard deviation, minimum
 * and maximum.  That fits 80 columns (79 without -P); -w adds the rate,
 * the latencies' sum and the time in KVM.
 */
#include <string.h>
#include <time.h>

#include "exit_reasons.h"
#include "report.h"
#include "stddev.h"

/*
 * -P's VM column: the name QEMU was given (vm_names.h), cut to the
 * column; JSON and the metrics carry it whole.  "-" for a VM without one.
 */
#define VM_COL	12
/* the longest reason name, TPR_BELOW_THRESHOLD */
#define REASON_COL	19

static const char *const unit_names[] = {
	[UNITS_NS] = "ns", [UNITS_US] = "us", [UNITS_MS] = "ms",
};

bool report_units_parse(const char *name, enum report_units *units)
{
	unsigned int i;

	for (i = UNITS_NS; i <= UNITS_MS; i++) {
		if (!strcmp(name, unit_names[i])) {
			*units = i;
			return true;
		}
	}
	return false;
}

const char *fmt_time(char *buf, size_t len, double ns, enum report_units units)
{
	static const char *const suffix[] = { "ns", "us", "ms", "s" };
	unsigned int i = 0;
	double v = ns;

	switch (units) {
	case UNITS_NS:
		snprintf(buf, len, "%.0f", ns);
		return buf;
	case UNITS_US:
		snprintf(buf, len, "%.2f", ns / 1e3);
		return buf;
	case UNITS_MS:
		snprintf(buf, len, "%.3f", ns / 1e6);
		return buf;
	case UNITS_AUTO:
		break;
	}
	/* up where rounding would carry: 999.96us is printed 1.00ms */
	while (i < 3 && v >= (i ? 999.95 : 999.5)) {
		v /= 1e3;
		i++;
	}
	if (!i)
		snprintf(buf, len, "%.0f%s", v, suffix[i]);
	else
		snprintf(buf, len, v < 99.995 ? "%.2f%s" : "%.1f%s", v, suffix[i]);
	return buf;
}

static double avg_ns(const struct exit_stats *st)
{
	return st->lat_count ? (double)st->lat_sum_ns / (double)st->lat_count : 0.0;
}

static double kvm_avg_ns(const struct exit_stats *st)
{
	return st->kvm_count ? (double)st->kvm_sum_ns / (double)st->kvm_count : 0.0;
}

static double share(__u64 part, __u64 whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static const char *vm_name(const struct report_opts *o, const struct row *r)
{
	return vm_names_get(o->names, r->key.tgid) ?: "-";
}

/* -P's (and --per-vcpu's) first columns; their width */
static int prefix_width(const struct report_opts *o)
{
	return (o->per_vm ? 8 + VM_COL + 1 : 0) + (o->per_vcpu ? 5 : 0);
}

static void print_prefix(FILE *f, const struct row *r, const struct report_opts *o)
{
	if (o->per_vm && r)
		fprintf(f, "%-7u %-*.*s ", r->key.tgid, VM_COL, VM_COL, vm_name(o, r));
	else if (o->per_vm)
		fprintf(f, "%-7s %-*s ", "", VM_COL, "");
	if (o->per_vcpu && r)
		fprintf(f, "%-4u ", r->key.vcpu);
	else if (o->per_vcpu)
		fprintf(f, "%-4s ", "");
}

static void print_header(FILE *f, const struct report_opts *o)
{
	if (o->units != UNITS_AUTO)
		fprintf(f, "times in %s\n", unit_names[o->units]);
	if (o->wide && o->kvm_time) {
		/* over the columns below: which time is which */
		fprintf(f, "%*s %-18s %s\n", prefix_width(o) + 58, "", "---- in KVM ----",
			"------------ exit -> next entry ------------");
	}
	if (o->per_vm)
		fprintf(f, "%-7s %-*s ", "PID", VM_COL, "VM");
	if (o->per_vcpu)
		fprintf(f, "%-4s ", "VCPU");
	fprintf(f, "%-3s %-*s %*s %6s %6s", "ISA", REASON_COL, "REASON", o->wide ? 10 : 9, "COUNT",
		"COUNT%", "TIME%");
	if (o->wide) {
		fprintf(f, " %9s", "RATE/s");
		if (o->kvm_time)
			fprintf(f, " %8s %9s", "AVG", "TOTAL");
	}
	fprintf(f, " %*s %*s %*s %*s", o->wide ? 8 : 7, "AVG", o->wide ? 8 : 7, "STDDEV",
		o->wide ? 8 : 7, o->interval ? "MIN*" : "MIN", o->wide ? 8 : 7,
		o->interval ? "MAX*" : "MAX");
	if (o->wide)
		fprintf(f, " %9s", "TOTAL");
	fprintf(f, "\n");
}

/* One row's columns after the prefix: @isa and @reason name it. */
static void print_cells(FILE *f, const char *isa, const char *reason, const struct exit_stats *st,
			const struct exit_stats *total, double interval_s,
			const struct report_opts *o)
{
	int w = o->wide ? 8 : 7;
	char b[6][24];

	fprintf(f, "%-3s %-*.*s %*llu %5.1f%% %5.1f%%", isa, REASON_COL, REASON_COL, reason,
		o->wide ? 10 : 9, (unsigned long long)st->count, share(st->count, total->count),
		share(st->lat_sum_ns, total->lat_sum_ns));
	if (o->wide) {
		fprintf(f, " %9.1f", interval_s > 0 ? (double)st->count / interval_s : 0.0);
		if (o->kvm_time)
			fprintf(f, " %8s %9s", fmt_time(b[0], sizeof(b[0]), kvm_avg_ns(st), o->units),
				fmt_time(b[1], sizeof(b[1]), (double)st->kvm_sum_ns, o->units));
	}
	/* a sample standard deviation needs two latencies: none is shown as "-" */
	if (st->lat_count < 2)
		snprintf(b[3], sizeof(b[3]), "-");
	else
		fmt_time(b[3], sizeof(b[3]), stats_stddev_ns(st), o->units);
	fprintf(f, " %*s %*s %*s %*s",
		w, fmt_time(b[2], sizeof(b[2]), avg_ns(st), o->units),
		w, b[3],
		w, fmt_time(b[4], sizeof(b[4]), (double)st->lat_min_ns, o->units),
		w, fmt_time(b[5], sizeof(b[5]), (double)st->lat_max_ns, o->units));
	if (o->wide)
		fprintf(f, " %9s", fmt_time(b[0], sizeof(b[0]), (double)st->lat_sum_ns, o->units));
	fprintf(f, "\n");
}

void print_table(FILE *f, const struct snapshot *s, double interval_s,
		 const struct report_opts *o)
{
	struct exit_stats total;
	char name[32];
	unsigned int i;

	snapshot_totals(s, &total);
	if (o->timestamp) {
		time_t t = time(NULL);
		char ts[16];

		strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&t));
		fprintf(f, "%s\n", ts);
	}
	print_header(f, o);
	for (i = 0; i < s->nr; i++) {
		const struct row *r = &s->rows[i];

		print_prefix(f, r, o);
		print_cells(f, exit_isa_name(r->key.isa), row_reason_name(&r->key, name, sizeof(name)),
			    &r->st, &total, interval_s, o);
	}
	print_prefix(f, NULL, o);
	print_cells(f, "", "TOTAL", &total, &total, interval_s, o);
	if (total.unpaired)
		fprintf(f, "unpaired exits (no kvm_entry seen): %llu\n",
			(unsigned long long)total.unpaired);
	if (o->interval)
		fprintf(f, "* since the start; the rest is this interval's: each latency counts in\n"
			"  the interval its vCPU re-entered in, however long ago it exited\n");
	if (!o->histograms)
		return;
	for (i = 0; i < s->nr && i < o->top_hist; i++) {
		const struct row *r = &s->rows[i];

		if (!r->st.lat_count)
			continue;
		fprintf(f, "\n");
		if (o->per_vm)
			fprintf(f, "pid %u (%s) ", r->key.tgid, vm_name(o, r));
		if (o->per_vcpu)
			fprintf(f, "vCPU %u ", r->key.vcpu);
		fprintf(f, "%s %s: exit -> entry latency\n", exit_isa_name(r->key.isa),
			row_reason_name(&r->key, name, sizeof(name)));
		print_log2_hist(f, r->st.hist, EXITTRACE_HIST_SLOTS, "nsecs");
	}
}
