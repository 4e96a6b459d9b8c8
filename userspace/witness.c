// SPDX-License-Identifier: GPL-2.0
/*
 * witness.c - read the two witnesses' JSON lines and compare them.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "witness.h"

/* The value of "key": in [obj, end), as a number or a string's start. */
static const char *find_key(const char *obj, const char *end, const char *key)
{
	size_t n = strlen(key);
	const char *p;

	for (p = obj; p + n + 3 <= end; p++)
		if (p[0] == '"' && !strncmp(p + 1, key, n) && p[n + 1] == '"' && p[n + 2] == ':')
			return p + n + 3;
	return NULL;
}

static bool get_u64(const char *obj, const char *end, const char *key, uint64_t *v)
{
	const char *p = find_key(obj, end, key);

	if (!p)
		return false;
	*v = strtoull(p, NULL, 10);
	return true;
}

static enum exit_isa get_isa(const char *obj, const char *end)
{
	const char *p = find_key(obj, end, "isa");

	if (p && !strncmp(p, "\"VMX\"", 5))
		return EXIT_ISA_VMX;
	if (p && !strncmp(p, "\"SVM\"", 5))
		return EXIT_ISA_SVM;
	return 0;
}

/* exittrace's final line: the TSC rate and how time in KVM was taken */
static void read_final(const char *line, struct witness *w)
{
	const char *end = line + strlen(line), *p;
	size_t n;

	p = find_key(line, end, "tsc_hz");
	if (p)
		w->tsc_hz = strtod(p, NULL);
	p = find_key(line, end, "kvm_time");
	if (p && *p == '"') {
		n = strcspn(p + 1, "\"");
		snprintf(w->kvm_time, sizeof(w->kvm_time), "%.*s", (int)n, p + 1);
	}
}

/* The last line of @path that contains @tool and "reasons". */
static char *last_line(const char *path, const char *tool, struct witness *w)
{
	char *line = NULL, *best = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "exitdiff: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (getline(&line, &cap, f) > 0) {
		if (!strstr(line, tool))
			continue;
		if (strstr(line, "\"reasons\":[")) {
			free(best);
			best = strdup(line);
		} else if (strstr(line, "\"final\":true")) {
			read_final(line, w);
		}
	}
	free(line);
	fclose(f);
	if (!best)
		fprintf(stderr, "exitdiff: %s has no %s JSON line with \"reasons\"\n", path, tool);
	return best;
}

/*
 * Every object of the "reasons" array.  Objects hold numbers, strings
 * without quotes inside, and at most one level of arrays.
 */
int witness_read(const char *path, bool bpf, uint32_t pid, struct witness *w)
{
	const char *p, *obj;
	char *json;
	int depth = 0;

	memset(w, 0, sizeof(*w));
	w->bpf = bpf;
	snprintf(w->kvm_time, sizeof(w->kvm_time), "off");
	json = last_line(path, bpf ? "\"exittrace\"" : "\"exitstat\"", w);
	if (!json)
		return -ENOENT;
	w->isa = get_isa(json, json + strlen(json));
	p = strstr(json, "\"reasons\":[") + strlen("\"reasons\":[");
	for (obj = NULL; *p && !(depth == 0 && *p == ']'); p++) {
		if (*p == '{' && depth++ == 0)
			obj = p;
		if (*p == '}' && --depth == 0 && w->nr < WITNESS_MAX_ROWS) {
			struct witness_row *r = &w->rows[w->nr];
			enum exit_isa isa = get_isa(obj, p);
			uint64_t code = 0, row_pid = 0;

			if (pid && (!get_u64(obj, p, "pid", &row_pid) || row_pid != pid))
				continue;
			memset(r, 0, sizeof(*r));
			get_u64(obj, p, "code", &code);
			r->code = (uint32_t)code;
			if (bpf) {
				get_u64(obj, p, "count", &r->exits);
				get_u64(obj, p, "lat_sum_ns", &r->lat_ns);
				get_u64(obj, p, "kvm_count", &r->kvm_count);
				get_u64(obj, p, "kvm_sum_ns", &r->kvm_ns);
				get_u64(obj, p, "kvm_max_ns", &r->kvm_max_ns);
				get_u64(obj, p, "lat_max_ns", &r->lat_max_ns);
			} else {
				get_u64(obj, p, "exits", &r->exits);
				get_u64(obj, p, "cycles", &r->cycles);
			}
			if (isa)
				w->isa = isa;
			w->nr++;
		}
	}
	free(json);
	return 0;
}

static int find_row(const struct witness *w, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++)
		if (w->rows[i].code == code)
			return (int)i;
	return -1;
}

void witness_subtract(struct witness *w, const struct witness *before)
{
	unsigned int i;

	for (i = 0; i < w->nr; i++) {
		int b = find_row(before, w->rows[i].code);

		if (b < 0)
			continue;
		w->rows[i].exits -= before->rows[b].exits;
		w->rows[i].cycles -= before->rows[b].cycles;
		w->rows[i].lat_ns -= before->rows[b].lat_ns;
		w->rows[i].kvm_count -= before->rows[b].kvm_count;
		w->rows[i].kvm_ns -= before->rows[b].kvm_ns;
	}
}

static int64_t allowed(const struct witness_opts *o, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < o->nr_allow; i++)
		if (o->allow[i].code == code)
			return o->allow[i].delta;
	return 0;
}

/* every code either side saw, ascending */
static unsigned int all_codes(const struct witness *a, const struct witness *b, uint32_t *codes)
{
	const struct witness *sides[2] = { a, b };
	unsigned int i, j, s, nr = 0;

	for (s = 0; s < 2; s++)
		for (i = 0; i < sides[s]->nr; i++) {
			if (!sides[s]->rows[i].exits)
				continue;
			for (j = 0; j < nr && codes[j] != sides[s]->rows[i].code; j++)
				;
			if (j == nr)
				codes[nr++] = sides[s]->rows[i].code;
		}
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && codes[j - 1] > codes[j]; j--) {
			uint32_t t = codes[j];

			codes[j] = codes[j - 1];
			codes[j - 1] = t;
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

int witness_compare(FILE *f, const struct witness *patch, const struct witness *bpf,
		    const struct witness_opts *o, struct witness_verdict *v)
{
	static uint32_t codes[2 * WITNESS_MAX_ROWS];
	double tsc_hz = o->tsc_hz ? o->tsc_hz : bpf->tsc_hz;
	bool kvm = strcmp(bpf->kvm_time, "off") != 0;
	/* times side by side: whenever both are there; judged with ->time */
	bool times = tsc_hz > 0 && kvm;
	enum exit_isa isa = patch->isa ? patch->isa : bpf->isa;
	uint64_t tp = 0, tb = 0;
	double tpn = 0, tbn = 0;
	unsigned int i, nr;

	memset(v, 0, sizeof(*v));
	if (patch->isa && bpf->isa && patch->isa != bpf->isa) {
		fprintf(f, "exitdiff: the patch's view is %s but exittrace's is %s\n",
			exit_isa_name(patch->isa), exit_isa_name(bpf->isa));
		return -EINVAL;
	}
	if (o->time && !kvm) {
		fprintf(f, "exitdiff: exittrace did not measure time in KVM (its final line says kvm_time \"%s\")\n",
			bpf->kvm_time);
		return -EINVAL;
	}
	if (o->time && tsc_hz <= 0) {
		fprintf(f, "exitdiff: no TSC rate to convert the patch's cycles: give --tsc-khz, or\n"
			"exitdiff: exittrace's JSON with its final line (it measures the rate)\n");
		return -EINVAL;
	}

	nr = all_codes(patch, bpf, codes);
	fprintf(f, "%-10s %-20s %12s %12s %8s", "REASON", "NAME", "PATCH", "BPF", "DIFF");
	if (times)
		fprintf(f, " %11s %11s %8s %9s %11s %11s", "PATCH_KVM", "BPF_KVM", "RESIDUAL", "PER_EXIT",
			"BPF_KVM_MAX", "BPF_LAT_MAX");
	else if (tsc_hz > 0)
		fprintf(f, " %11s %11s", "PATCH_TIME", "BPF_LATENCY");
	fprintf(f, "\n");
	for (i = 0; i < nr; i++) {
		int p = find_row(patch, codes[i]), b = find_row(bpf, codes[i]);
		const struct witness_row zero = {};
		const struct witness_row *pr = p >= 0 ? &patch->rows[p] : &zero;
		const struct witness_row *br = b >= 0 ? &bpf->rows[b] : &zero;
		int64_t diff = (int64_t)(br->exits - pr->exits), want = allowed(o, codes[i]);
		const char *name = exit_reason_name(isa, codes[i]);
		double pns = tsc_hz > 0 ? (double)pr->cycles * 1e9 / tsc_hz : 0;
		double bns = (double)br->kvm_ns, rel = pns > 0 ? (pns - bns) / pns : 0;
		bool bad = diff != want, judged = false, slow = false;

		v->count_differs += bad;
		tp += pr->exits;
		tb += br->exits;
		fprintf(f, "%#-10x %-20s %12" PRIu64 " %12" PRIu64 " %+8" PRId64, codes[i],
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
			judged = o->time && !bad && pr->exits >= o->time_min_exits &&
				 br->kvm_count == br->exits;
			if (judged) {
				v->time_judged++;
				v->residual_ns += pns - bns;
				v->judged_exits += pr->exits;
				tpn += pns;
				tbn += bns;
				slow = fabs(rel) > o->time_tolerance &&
				       !(pr->exits && fabs(pns - bns) / (double)pr->exits <= o->time_slack_ns);
				v->time_differs += slow;
			}
		} else if (tsc_hz > 0) {
			print_time(f, pns);
			print_time(f, (double)br->lat_ns);
		}
		if (want)
			fprintf(f, "  (expected %+" PRId64 ")", want);
		if (bad)
			fprintf(f, "  <-- differs");
		else if (slow)
			fprintf(f, "  <-- time differs");
		else if (o->time && times && !judged)
			fprintf(f, "  (time not judged: %s)", pr->exits < o->time_min_exits ?
				"too few exits" : "not every exit timed");
		fprintf(f, "\n");
	}
	fprintf(f, "%-10s %-20s %12" PRIu64 " %12" PRIu64 " %+8" PRId64 "\n", "", "TOTAL", tp, tb,
		(int64_t)(tb - tp));
	v->reasons = nr;
	if (v->count_differs)
		fprintf(f, "exitdiff: %u reason(s) differ\n", v->count_differs);
	else
		fprintf(f, "exitdiff: all %u reasons agree\n", nr);
	if (o->time) {
		char slack[48] = "";

		if (o->time_slack_ns > 0)
			snprintf(slack, sizeof(slack), " or %.0f ns per exit", o->time_slack_ns);
		fprintf(f, "exitdiff: time in KVM (%s, TSC %.3f MHz): ", bpf->kvm_time, tsc_hz / 1e6);
		if (!v->time_judged)
			fprintf(f, "no reason has %" PRIu64 " exits to judge\n", o->time_min_exits);
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
