// SPDX-License-Identifier: GPL-2.0
/*
 * witness.c - read the two witnesses' JSON lines and compare them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_scan.h"
#include "witness.h"

/* exittrace's final line: the TSC rate and how time in KVM was taken */
static void read_final(const char *path, struct witness *w)
{
	char *line = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");
	struct json_span obj;

	if (!f)
		return;
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, "\"exittrace\"") || !strstr(line, "\"final\":true"))
			continue;
		obj = json_span_of(line);
		json_get_double(&obj, "tsc_hz", &w->tsc_hz);
		json_get_str(&obj, "kvm_time", w->kvm_time, sizeof(w->kvm_time));
	}
	free(line);
	fclose(f);
}

static enum exit_isa get_isa(const struct json_span *obj)
{
	char isa[8];

	if (!json_get_str(obj, "isa", isa, sizeof(isa)))
		return 0;
	return !strcmp(isa, "VMX") ? EXIT_ISA_VMX : !strcmp(isa, "SVM") ? EXIT_ISA_SVM : 0;
}

struct witness_row *witness_row(struct witness *w, uint32_t pid, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->rows[i].pid == pid && w->rows[i].code == code)
			return &w->rows[i];
	if (w->nr == WITNESS_MAX_ROWS)
		return NULL;
	memset(&w->rows[w->nr], 0, sizeof(w->rows[0]));
	w->rows[w->nr].pid = pid;
	w->rows[w->nr].code = code;
	return &w->rows[w->nr++];
}

/* Add exittrace's (@bpf) or the patch's row @obj to @r. */
static void add_row(struct witness_row *r, const struct json_span *obj, bool bpf)
{
	uint64_t v = 0, lo = 0, hi = 0;

	if (!bpf) {
		r->exits += json_get_u64(obj, "exits", &v) ? v : 0;
		r->cycles += json_get_u64(obj, "cycles", &v) ? v : 0;
		return;
	}
	r->exits += json_get_u64(obj, "count", &v) ? v : 0;
	r->lat_ns += json_get_u64(obj, "lat_sum_ns", &v) ? v : 0;
	r->lat_count += json_get_u64(obj, "lat_count", &v) ? v : 0;
	r->kvm_count += json_get_u64(obj, "kvm_count", &v) ? v : 0;
	r->kvm_ns += json_get_u64(obj, "kvm_sum_ns", &v) ? v : 0;
	if (json_get_u64(obj, "kvm_max_ns", &hi) && hi > r->kvm_max_ns)
		r->kvm_max_ns = hi;
	if (json_get_u64(obj, "lat_max_ns", &hi) && hi > r->lat_max_ns)
		r->lat_max_ns = hi;
	if (json_get_u64(obj, "lat_min_ns", &lo) && lo && (!r->lat_min_ns || lo < r->lat_min_ns))
		r->lat_min_ns = lo;
}

/* A row's histogram, if it has one (-H), holds its lat_count. */
static bool hist_agrees(const char *path, const struct json_span *obj)
{
	struct json_span hist, cur = {}, slot;
	uint64_t sum = 0, v, lat_count = 0;

	if (!json_get(obj, "hist_log2_ns", &hist))
		return true;	/* not asked for */
	while (json_next(&hist, &cur, &slot))
		if (json_u64(&slot, &v))
			sum += v;
	json_get_u64(obj, "lat_count", &lat_count);
	if (sum == lat_count)
		return true;
	fprintf(stderr, "%s: a row's histogram holds %" PRIu64 " latencies, its lat_count %" PRIu64 "\n",
		path, sum, lat_count);
	return false;
}

int witness_hists_agree(const char *path)
{
	struct json_span line, reasons, cur = {}, obj, hist;
	int bad = 0, rows = 0;
	char *json;

	json = json_last_line("bedcheck", path, "\"exittrace\"", "\"reasons\":[");
	if (!json)
		return -ENOENT;
	line = json_span_of(json);
	if (json_get(&line, "reasons", &reasons))
		while (json_next(&reasons, &cur, &obj)) {
			bad += !hist_agrees(path, &obj);
			rows += json_get(&obj, "hist_log2_ns", &hist);
		}
	free(json);
	return bad ? -EINVAL : rows;
}

int witness_read(const char *path, bool bpf, uint32_t pid, struct witness *w)
{
	return witness_read_vcpu(path, bpf, pid, -1, w);
}

int witness_read_vcpu(const char *path, bool bpf, uint32_t pid, long vcpu, struct witness *w)
{
	struct json_span line, reasons, cur = {}, obj;
	char *json;

	memset(w, 0, sizeof(*w));
	w->bpf = bpf;
	snprintf(w->kvm_time, sizeof(w->kvm_time), "off");
	json = json_last_line("exitdiff", path, bpf ? "\"exittrace\"" : "\"exitstat\"",
			      "\"reasons\":[");
	if (!json)
		return -ENOENT;
	if (bpf)
		read_final(path, w);
	line = json_span_of(json);
	w->isa = get_isa(&line);
	if (!json_get(&line, "reasons", &reasons)) {
		fprintf(stderr, "exitdiff: %s: its last line's \"reasons\" is not an array\n", path);
		free(json);
		return -EINVAL;
	}
	while (json_next(&reasons, &cur, &obj)) {
		enum exit_isa isa = get_isa(&obj);
		uint64_t code = 0, row_pid = 0, row_vcpu;
		struct witness_row *r;

		json_get_u64(&obj, "pid", &row_pid);
		if (pid && pid != WITNESS_EACH_PID && row_pid != pid)
			continue;
		if (vcpu >= 0 && (!json_get_u64(&obj, "vcpu", &row_vcpu) || row_vcpu != (uint64_t)vcpu))
			continue;
		if (!json_get_u64(&obj, "code", &code) || code > UINT32_MAX) {
			fprintf(stderr, "exitdiff: %s: a reason without a code\n", path);
			free(json);
			return -EINVAL;
		}
		r = witness_row(w, pid == WITNESS_EACH_PID ? (uint32_t)row_pid : 0, (uint32_t)code);
		if (!r) {
			fprintf(stderr, "exitdiff: %s: more than %d rows\n", path, WITNESS_MAX_ROWS);
			free(json);
			return -E2BIG;
		}
		add_row(r, &obj, bpf);
		if (isa)
			w->isa = isa;
	}
	free(json);
	return 0;
}

static int find_row(const struct witness *w, uint32_t pid, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->rows[i].pid == pid && w->rows[i].code == code)
			return (int)i;
	return -1;
}

void witness_subtract(struct witness *w, const struct witness *before)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++) {
		struct witness_row *r = &w->rows[i];
		int b = find_row(before, r->pid, r->code);

		if (b < 0)
			continue;
		r->exits -= before->rows[b].exits;
		r->cycles -= before->rows[b].cycles;
		r->lat_ns -= before->rows[b].lat_ns;
		r->lat_count -= before->rows[b].lat_count;
		r->kvm_count -= before->rows[b].kvm_count;
		r->kvm_ns -= before->rows[b].kvm_ns;
	}
}

static const struct witness_rule *rule_of(const struct witness_opts *o, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < o->nr_rules; i++)
		if (o->rules[i].code == code)
			return &o->rules[i];
	return NULL;
}

struct key {
	uint32_t pid, code;
};

static bool key_before(const struct key *a, const struct key *b)
{
	return a->pid < b->pid || (a->pid == b->pid && a->code < b->code);
}

/* every (VM, reason) either side saw, ascending */
static unsigned int all_keys(const struct witness *a, const struct witness *b, struct key *keys)
{
	const struct witness *sides[2] = { a, b };
	unsigned int i, j, s, nr = 0;

	for (s = 0; s < 2; s++)
		for (i = 0; i < sides[s]->nr; i++) {
			const struct witness_row *r = &sides[s]->rows[i];

			if (!r->exits)
				continue;
			for (j = 0; j < nr && (keys[j].pid != r->pid || keys[j].code != r->code); j++)
				;
			if (j == nr)
				keys[nr++] = (struct key){ r->pid, r->code };
		}
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && key_before(&keys[j], &keys[j - 1]); j--) {
			struct key t = keys[j];

			keys[j] = keys[j - 1];
			keys[j - 1] = t;
		}
	return nr;
}

static void print_time(FILE *f, double ns)
{
	if (ns < 1e6)
		fprintf(f, " %9.1fus", ns / 1e3);
	else
		fprintf(f, " %9.3fms", ns / 1e6);
}

/* A judged reason's latencies: paired but for the unpaired, 0 < min <= avg <= max. */
static const char *latency_wrong(const struct witness_row *br, uint64_t unpaired, char *buf, size_t len)
{
	uint64_t want = br->exits > unpaired ? br->exits - unpaired : 0;
	double avg;

	if (br->lat_count != want) {
		snprintf(buf, len, "%" PRIu64 " paired, want %" PRIu64, br->lat_count, want);
		return buf;
	}
	if (!br->lat_count)
		return NULL;
	avg = (double)br->lat_ns / (double)br->lat_count;
	if (br->lat_min_ns > 0 && br->lat_min_ns <= avg && avg <= br->lat_max_ns)
		return NULL;
	snprintf(buf, len, "min %" PRIu64 " avg %.0f max %" PRIu64 " ns", br->lat_min_ns, avg,
		 br->lat_max_ns);
	return buf;
}

int witness_compare(FILE *f, const struct witness *patch, const struct witness *bpf,
		    const struct witness_opts *o, struct witness_verdict *v)
{
	static struct key keys[2 * WITNESS_MAX_ROWS];
	const char *who = o->who ? o->who : "exitdiff";
	double tsc_hz = o->tsc_hz ? o->tsc_hz : bpf->tsc_hz;
	bool kvm = strcmp(bpf->kvm_time, "off") != 0;
	/* times side by side: whenever both are there; judged with ->time */
	bool times = tsc_hz > 0 && kvm && (o->time || !o->lat_bound);
	bool lat_cols = !times && tsc_hz > 0, pids = false;
	enum exit_isa isa = patch->isa ? patch->isa : bpf->isa;
	uint64_t tp = 0, tb = 0;
	double tpn = 0, tbn = 0;
	unsigned int i, nr;

	memset(v, 0, sizeof(*v));
	if (patch->isa && bpf->isa && patch->isa != bpf->isa) {
		fprintf(f, "%s: the %s view is %s but exittrace's is %s\n", who,
			o->patch_label ? o->patch_label : "patch's", exit_isa_name(patch->isa),
			exit_isa_name(bpf->isa));
		return -EINVAL;
	}
	if (o->time && !kvm) {
		fprintf(f, "%s: exittrace did not measure time in KVM (its final line says kvm_time \"%s\")\n",
			who, bpf->kvm_time);
		return -EINVAL;
	}
	if ((o->time || o->lat_bound > 0) && tsc_hz <= 0) {
		fprintf(f, "%s: no TSC rate to convert the patch's cycles: give --tsc-khz, or\n"
			"%s: exittrace's JSON with its final line (it measures the rate)\n", who, who);
		return -EINVAL;
	}

	nr = all_keys(patch, bpf, keys);
	for (i = 0; i < nr; i++)
		pids |= keys[i].pid != 0;
	if (pids)
		fprintf(f, "%-7s ", "PID");
	fprintf(f, "%-10s %-20s %12s %12s %8s", "REASON", "NAME", o->patch_label ? o->patch_label : "PATCH",
		"BPF", "DIFF");
	if (times)
		fprintf(f, " %11s %11s %8s %9s %11s %11s", "PATCH_KVM", "BPF_KVM", "RESIDUAL", "PER_EXIT",
			"BPF_KVM_MAX", "BPF_LAT_MAX");
	else if (lat_cols)
		fprintf(f, " %11s %11s", "PATCH_TIME", "BPF_LATENCY");
	if (o->latency)
		fprintf(f, " %9s %9s %9s %9s", "PAIRED", "LAT_MIN", "LAT_AVG", "LAT_MAX");
	if (o->lat_equal)
		fprintf(f, " %16s %16s", "LAT_SUM_NS", "BPF_LAT_SUM_NS");
	fprintf(f, "\n");
	for (i = 0; i < nr; i++) {
		int p = find_row(patch, keys[i].pid, keys[i].code);
		int b = find_row(bpf, keys[i].pid, keys[i].code);
		const struct witness_row zero = {};
		const struct witness_row *pr = p >= 0 ? &patch->rows[p] : &zero;
		const struct witness_row *br = b >= 0 ? &bpf->rows[b] : &zero;
		const struct witness_rule *rule = rule_of(o, keys[i].code);
		int64_t diff = (int64_t)(br->exits - pr->exits), want = rule ? rule->delta : 0;
		const char *name = exit_reason_name(isa, keys[i].code), *lat_bad = NULL;
		double pns = tsc_hz > 0 ? (double)pr->cycles * 1e9 / tsc_hz : 0;
		double bns = (double)br->kvm_ns, rel = pns > 0 ? (pns - bns) / pns : 0;
		bool judge = rule || !o->only_ruled, judged = false, slow = false, bad;
		char why[80];

		bad = judge && (rule && rule->at_least ? diff < want : diff != want);
		v->judged += judge;
		v->count_differs += bad;
		tp += pr->exits;
		tb += br->exits;
		if (pids)
			fprintf(f, "%-7u ", keys[i].pid);
		fprintf(f, "%#-10x %-20s %12" PRIu64 " %12" PRIu64 " %+8" PRId64, keys[i].code,
			name ? name : "?", pr->exits, br->exits, diff);
		if (times) {
			print_time(f, pns);
			print_time(f, bns);
			fprintf(f, " %+7.2f%% %7.0fns", 100 * rel,
				pr->exits ? (pns - bns) / (double)pr->exits : 0.0);
			/* the longest single exits: where one outlier would show */
			print_time(f, (double)br->kvm_max_ns);
			print_time(f, (double)br->lat_max_ns);
			/* judged: enough exits, and every one of them timed */
			judged = o->time && judge && !bad && pr->exits >= o->time_min_exits &&
				 br->kvm_count == br->exits;
			if (judged) {
				v->time_judged++;
				v->residual_ns += pns - bns;
				v->judged_exits += pr->exits;
				tpn += pns;
				tbn += bns;
				slow = !o->time_total && fabs(rel) > o->time_tolerance &&
				       !(pr->exits && fabs(pns - bns) / (double)pr->exits <= o->time_slack_ns);
				v->time_differs += slow;
			}
		} else if (lat_cols) {
			print_time(f, pns);
			print_time(f, (double)br->lat_ns);
		}
		if (o->latency)
			fprintf(f, " %9" PRIu64 " %9" PRIu64 " %9.0f %9" PRIu64, br->lat_count, br->lat_min_ns,
				br->lat_count ? (double)br->lat_ns / (double)br->lat_count : 0.0, br->lat_max_ns);
		if (o->lat_equal)
			fprintf(f, " %16" PRIu64 " %16" PRIu64, pr->lat_ns, br->lat_ns);
		if (judge && !bad && o->latency)
			lat_bad = latency_wrong(br, rule ? rule->unpaired : 0, why, sizeof(why));
		/* both spent time on the exits both saw (a 0 is a lost sum),
		 * and the patch's part of each exit fits in exittrace's whole */
		if (judge && !bad && !lat_bad && o->lat_bound > 0 && pr->exits && br->exits) {
			if (pns <= 0 || !br->lat_ns)
				lat_bad = "no cycles or no latency on one side";
			else if (pns > o->lat_bound * (double)br->lat_ns)
				lat_bad = "the patch's time exceeds exittrace's latency";
		}
		if (judge && !bad && !lat_bad && o->lat_equal && pr->lat_ns != br->lat_ns) {
			snprintf(why, sizeof(why), "latency sums %" PRIu64 " and %" PRIu64 " ns",
				 pr->lat_ns, br->lat_ns);
			lat_bad = why;
		}
		v->lat_bad += lat_bad != NULL;
		if (!judge)
			fprintf(f, "  (not judged)");
		else if (rule && rule->at_least)
			fprintf(f, "  (at least %+" PRId64 ")", want);
		else if (want)
			fprintf(f, "  (expected %+" PRId64 ")", want);
		if (bad)
			fprintf(f, "  <-- differs");
		else if (lat_bad)
			fprintf(f, "  <-- %s", lat_bad);
		else if (slow)
			fprintf(f, "  <-- time differs");
		else if (o->time && times && judge && !judged)
			fprintf(f, "  (time not judged: %s)", pr->exits < o->time_min_exits ?
				"too few exits" : "not every exit timed");
		fprintf(f, "\n");
	}
	if (pids)
		fprintf(f, "%-7s ", "");
	fprintf(f, "%-10s %-20s %12" PRIu64 " %12" PRIu64 " %+8" PRId64 "\n", "", "TOTAL", tp, tb,
		(int64_t)(tb - tp));
	v->reasons = nr;
	if (o->time && o->time_total && v->time_judged && fabs(tpn - tbn) > o->time_tolerance * tpn)
		v->time_differs = 1;
	if (v->count_differs)
		fprintf(f, "%s: %u reason(s) differ\n", who, v->count_differs);
	else if (v->judged == nr)
		fprintf(f, "%s: all %u reasons agree\n", who, nr);
	else
		fprintf(f, "%s: all %u judged reasons agree (%u more shown, not judged)\n", who,
			v->judged, nr - v->judged);
	if (v->lat_bad)
		fprintf(f, "%s: %u reason(s) fail the latency check\n", who, v->lat_bad);
	if (o->time) {
		char slack[48] = "";

		if (o->time_slack_ns > 0)
			snprintf(slack, sizeof(slack), " or %.0f ns per exit", o->time_slack_ns);
		fprintf(f, "%s: time in KVM (%s, TSC %.3f MHz): ", who, bpf->kvm_time, tsc_hz / 1e6);
		if (!v->time_judged)
			fprintf(f, "no reason has %" PRIu64 " exits to judge\n", o->time_min_exits);
		else if (o->time_total)
			fprintf(f, "%u judged reasons together %s %.1f%%; patch %.3f ms, exittrace %.3f ms, "
				"residual %+.2f%% (%+.0f ns per exit)%s\n",
				v->time_judged, v->time_differs ? "differ by more than" : "within",
				100 * o->time_tolerance, tpn / 1e6, tbn / 1e6, 100 * (tpn - tbn) / tpn,
				v->residual_ns / (double)v->judged_exits,
				v->time_differs ? "  <-- time differs" : "");
		else
			fprintf(f, "%u of %u judged reasons within %.1f%%%s; patch %.3f ms, exittrace %.3f ms, "
				"residual %+.2f%% (%+.0f ns per exit)\n",
				v->time_judged - v->time_differs, v->time_judged, 100 * o->time_tolerance,
				slack,
				tpn / 1e6, tbn / 1e6, 100 * (tpn - tbn) / tpn,
				v->residual_ns / (double)v->judged_exits);
	}
	return 0;
}
