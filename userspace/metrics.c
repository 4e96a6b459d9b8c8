// SPDX-License-Identifier: GPL-2.0
/*
 * metrics.c - exittrace's metrics in the Prometheus text format and in
 * OpenMetrics, and the metrics file that is replaced whole.
 *
 * The two formats carry the same samples; they differ in how a family is
 * announced (metric_family()) and in OpenMetrics' closing "# EOF".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "exit_reasons.h"
#include "metrics.h"

const char *metrics_content_type(enum metrics_format fmt)
{
	return fmt == METRICS_OPENMETRICS ?
	       "application/openmetrics-text; version=1.0.0; charset=utf-8" :
	       "text/plain; version=0.0.4; charset=utf-8";
}

enum metrics_format metrics_format_for_accept(const char *accept)
{
	static const char om[] = "application/openmetrics-text";
	const char *range, *next, *end, *param;

	for (range = accept; range && *range; range = next) {
		double weight = 1;

		range += strspn(range, " \t");
		end = range + strcspn(range, ",");
		next = *end ? end + 1 : NULL;
		if (strncasecmp(range, om, sizeof(om) - 1) || !strchr(";, \t", range[sizeof(om) - 1]))
			continue;
		for (param = range; (param = memchr(param, ';', end - param)); ) {
			param++;
			param += strspn(param, " \t");
			if ((*param == 'q' || *param == 'Q') && param[1] == '=')
				weight = strtod(param + 2, NULL);
		}
		if (weight > 0)
			return METRICS_OPENMETRICS;
	}
	return METRICS_TEXT;
}

/*
 * A metric family as OpenMetrics names it: a counter's samples add
 * "_total" to @name.  Help texts hold no backslash, quote or newline, so
 * they need no escaping in either format.
 */
struct metric_family {
	const char *name;
	const char *type;	/* counter, gauge or histogram */
	const char *unit;	/* OpenMetrics' UNIT line, or NULL */
	const char *help;
};

static const struct metric_family kvm_exits = {
	"kvm_exits", "counter", NULL,
	"VM exits seen on the kvm_exit tracepoint, per exit reason.",
};
static const struct metric_family kvm_exit_handling = {
	"kvm_exit_handling_seconds", "counter", "seconds",
	"Time in KVM: from kvm_exit to the return of vmx_handle_exit or svm_handle_exit "
	"(to kvm_entry for an exit the fastpath re-entered).",
};
static const struct metric_family kvm_exit_latency = {
	"kvm_exit_latency_seconds", "histogram", "seconds",
	"Time from kvm_exit to the vCPU's next kvm_entry.",
};
static const struct metric_family dropped = {
	"exittrace_dropped", "counter", NULL,
	"Exits exittrace did not count (cause map_full or no_exit_reason), latencies "
	"it did not measure (cause no_task_storage) and --by events it did not count "
	"(cause keys_full).",
};
static const struct metric_family kvm_exit_keys = {
	"kvm_exit_keys", "counter", NULL,
	"exittrace --by: KVM's events per key behind the exits (kind port, mmio, msr, gpa, "
	"hypercall), the top N keys per VM and kind only.",
};
static const struct metric_family kvm_exit_key_latency = {
	"kvm_exit_key_latency_seconds", "counter", "seconds",
	"exittrace --by: time from kvm_exit to the next kvm_entry of the exits whose last key "
	"this is.",
};
static const struct metric_family info = {
	"exittrace_info", "gauge", NULL,
	"Always 1: the exittrace version and how it hooks kvm_exit (attach tp_btf or classic).",
};

static bool is_counter(const struct metric_family *fam)
{
	return !strcmp(fam->type, "counter");
}

static void metric_family(FILE *f, enum metrics_format fmt, const struct metric_family *fam)
{
	if (fmt == METRICS_OPENMETRICS) {
		fprintf(f, "# TYPE %s %s\n", fam->name, fam->type);
		if (fam->unit)
			fprintf(f, "# UNIT %s %s\n", fam->name, fam->unit);
		fprintf(f, "# HELP %s %s\n", fam->name, fam->help);
		return;
	}
	/* the text format announces a counter by its samples' name */
	fprintf(f, "# HELP %s%s %s\n", fam->name, is_counter(fam) ? "_total" : "", fam->help);
	fprintf(f, "# TYPE %s%s %s\n", fam->name, is_counter(fam) ? "_total" : "", fam->type);
}

/* isa="SVM",reason="...",code="...",pid="...",vm="<VM_NAME_MAX>" fits */
#define LABELS_MAX	256

/* isa, reason[, code][, pid[, vm]] of @r, without braces. */
static const char *row_labels(char *buf, size_t len, const struct row *r, bool code,
			      const struct metrics_meta *m)
{
	const char *vm = vm_names_get(m->names, r->key.tgid);
	char name[32];
	int n;

	n = snprintf(buf, len, "isa=\"%s\",reason=\"%s\"", exit_isa_name(r->key.isa),
		     row_reason_name(&r->key, name, sizeof(name)));
	if (code && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ",code=\"%u\"", r->key.reason);
	if (r->key.tgid && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ",pid=\"%u\"", r->key.tgid);
	/* vm_names.h made it a label value that needs no escapes */
	if (r->key.tgid && vm && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ",vm=\"%s\"", vm);
	return buf;
}

/* slot j holds [2^j, 2^(j+1)) ns: its upper bound (exact in 10 digits,
 * up to 2^31 ns = 2.147483648 s); the last slot has none, so its
 * latencies are in +Inf only */
static void latency_histogram(FILE *f, const struct row *r, const struct metrics_meta *m)
{
	const char *name = kvm_exit_latency.name;
	unsigned long long below = 0;
	char labels[LABELS_MAX];
	unsigned int j;

	row_labels(labels, sizeof(labels), r, false, m);
	for (j = 0; j < EXITTRACE_HIST_SLOTS - 1; j++) {
		below += r->st.hist[j];
		fprintf(f, "%s_bucket{%s,le=\"%.10g\"} %llu\n", name, labels,
			(double)(1ULL << (j + 1)) / 1e9, below);
	}
	fprintf(f, "%s_bucket{%s,le=\"+Inf\"} %llu\n", name, labels,
		(unsigned long long)r->st.lat_count);
	fprintf(f, "%s_sum{%s} %.9f\n", name, labels, (double)r->st.lat_sum_ns / 1e9);
	fprintf(f, "%s_count{%s} %llu\n", name, labels, (unsigned long long)r->st.lat_count);
}

/* kind, key, dir[, pid[, vm]] of @r, without braces (as row_labels()) */
static const char *key_labels(char *buf, size_t len, const struct drill_row *r,
			      const struct metrics_meta *m)
{
	const char *vm = vm_names_get(m->names, r->key.tgid);
	char key[24];
	int n;

	n = snprintf(buf, len, "kind=\"%s\",key=\"%s\",dir=\"%s\"", drill_kind_name(r->key.kind),
		     drill_key_text(key, sizeof(key), &r->key), drill_dir_name(&r->key));
	if (r->key.tgid && n >= 0 && (size_t)n < len)
		n += snprintf(buf + n, len - n, ",pid=\"%u\"", r->key.tgid);
	if (r->key.tgid && vm && n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - n, ",vm=\"%s\"", vm);
	return buf;
}

/*
 * The label sets stay bounded: only the top N keys per VM and kind (a
 * key that leaves the top N leaves the metrics, as a restarted counter
 * would; rate() copes).
 */
static void keys_write(FILE *f, enum metrics_format fmt, const struct metrics_meta *m)
{
	const struct drill_snap *keys = m->keys;
	char labels[LABELS_MAX];
	unsigned int i;

	metric_family(f, fmt, &kvm_exit_keys);
	for (i = 0; i < keys->nr; i++)
		fprintf(f, "kvm_exit_keys_total{%s} %llu\n",
			key_labels(labels, sizeof(labels), &keys->rows[i], m),
			(unsigned long long)keys->rows[i].st.count);
	if (!m->latency)
		return;
	metric_family(f, fmt, &kvm_exit_key_latency);
	for (i = 0; i < keys->nr; i++)
		fprintf(f, "kvm_exit_key_latency_seconds_total{%s} %.9f\n",
			key_labels(labels, sizeof(labels), &keys->rows[i], m),
			(double)keys->rows[i].st.lat_sum_ns / 1e9);
}

int metrics_write(FILE *f, enum metrics_format fmt, const struct snapshot *s,
		  const struct metrics_meta *m)
{
	char labels[LABELS_MAX];
	unsigned int i;

	metric_family(f, fmt, &kvm_exits);
	for (i = 0; i < s->nr; i++)
		fprintf(f, "kvm_exits_total{%s} %llu\n",
			row_labels(labels, sizeof(labels), &s->rows[i], true, m),
			(unsigned long long)s->rows[i].st.count);
	if (m->kvm_time) {
		metric_family(f, fmt, &kvm_exit_handling);
		for (i = 0; i < s->nr; i++)
			fprintf(f, "kvm_exit_handling_seconds_total{%s} %.9f\n",
				row_labels(labels, sizeof(labels), &s->rows[i], true, m),
				(double)s->rows[i].st.kvm_sum_ns / 1e9);
	}
	if (m->latency) {
		metric_family(f, fmt, &kvm_exit_latency);
		for (i = 0; i < s->nr; i++)
			latency_histogram(f, &s->rows[i], m);
	}
	if (m->keys)
		keys_write(f, fmt, m);
	metric_family(f, fmt, &dropped);
	fprintf(f, "exittrace_dropped_total{cause=\"map_full\"} %llu\n"
		"exittrace_dropped_total{cause=\"no_exit_reason\"} %llu\n",
		(unsigned long long)m->drops_stats_full, (unsigned long long)m->drops_no_vendor);
	if (m->latency)
		fprintf(f, "exittrace_dropped_total{cause=\"no_task_storage\"} %llu\n",
			(unsigned long long)m->drops_vcpus_full);
	if (m->keys)
		fprintf(f, "exittrace_dropped_total{cause=\"keys_full\"} %llu\n",
			(unsigned long long)m->drops_keys_full);
	metric_family(f, fmt, &info);
	fprintf(f, "exittrace_info{version=\"%s\",attach=\"%s\"} 1\n", m->version, m->attach);
	if (fmt == METRICS_OPENMETRICS)
		fprintf(f, "# EOF\n");
	return ferror(f) ? -EIO : 0;
}

int metrics_file_init(struct metrics_file *mf, const char *path, enum metrics_format fmt)
{
	mf->path = path;
	mf->fmt = fmt;
	mf->err = 0;
	/* not *.prom, so node_exporter's textfile collector never reads it */
	if (snprintf(mf->tmp, sizeof(mf->tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(mf->tmp))
		return mf->err = -ENAMETOOLONG;
	return 0;
}

int metrics_file_update(struct metrics_file *mf, const struct snapshot *s,
			const struct metrics_meta *m)
{
	FILE *f = fopen(mf->tmp, "w");
	int err;

	if (!f)
		return mf->err = -errno;
	err = metrics_write(f, mf->fmt, s, m);
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(mf->tmp, mf->path))
		err = -errno;
	if (err)
		unlink(mf->tmp);
	return mf->err = err;
}
