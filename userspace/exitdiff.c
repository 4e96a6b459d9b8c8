// SPDX-License-Identifier: GPL-2.0
/*
 * exitdiff - put the two witnesses side by side: the guest's view (exitstat
 * -j, from the KVM patch's counters) and the host's (exittrace -j, from the
 * kvm_exit/kvm_entry tracepoints), reason by reason.
 *
 *   exitdiff [options] EXITSTAT.json EXITTRACE.json
 *
 * Both files may hold several JSON lines; the last exitstat object and the
 * last exittrace object with a "reasons" array are used.
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exit_reasons.h"

#define MAX_ROWS 512
#define MAX_ALLOW 32

struct side {
	enum exit_isa isa;
	unsigned int nr;
	struct {
		uint32_t code;
		uint64_t exits;
		uint64_t cycles;	/* patch: TSC cycles; BPF: latency sum in ns */
	} rows[MAX_ROWS];
};

static struct {
	const char *patch_path, *bpf_path, *before_path;
	bool exact;
	double tsc_khz;
	unsigned int nr_allow;
	struct {
		uint32_t code;
		int64_t delta;
	} allow[MAX_ALLOW];
} opt;

const char *argp_program_version = "exitdiff 0.1";
static const char doc[] =
"Compare exitstat's (patch) and exittrace's (BPF) counts per exit reason.\n"
"\n"
"USAGE: exitdiff [OPTIONS] EXITSTAT.json EXITTRACE.json\n"
"\n"
"EXAMPLES:\n"
"    exitdiff guest.json host.json\n"
"    exitdiff -e --allow 0x7b=+1 guest.json host.json  # BPF sees one more IOIO\n"
"    exitdiff --before start.json end.json host.json   # patch delta end - start\n";

enum { OPT_ALLOW = 1000, OPT_BEFORE, OPT_TSC };

static const struct argp_option opts[] = {
	{ "exact", 'e', NULL, 0, "Exit 1 unless every reason agrees (after --allow)", 0 },
	{ "allow", OPT_ALLOW, "CODE=DELTA", 0,
	  "Expect BPF - patch == DELTA for CODE (repeatable)", 0 },
	{ "before", OPT_BEFORE, "EXITSTAT.json", 0,
	  "Subtract this earlier exitstat reading from the patch side", 0 },
	{ "tsc-khz", OPT_TSC, "KHZ", 0,
	  "Convert patch cycles to time, to set beside BPF latency sums", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end, *eq;
	unsigned long long code;
	long long delta;

	switch (key) {
	case 'e':
		opt.exact = true;
		break;
	case OPT_ALLOW:
		eq = strchr(arg, '=');
		if (!eq || opt.nr_allow == MAX_ALLOW)
			argp_error(state, "bad --allow '%s': expected CODE=DELTA, e.g. 0x7b=+1", arg);
		errno = 0;
		code = strtoull(arg, &end, 0);
		if (errno || end != eq || code > UINT32_MAX)
			argp_error(state, "bad reason code in --allow '%s'", arg);
		delta = strtoll(eq + 1, &end, 0);
		if (errno || *end || end == eq + 1)
			argp_error(state, "bad delta in --allow '%s'", arg);
		opt.allow[opt.nr_allow].code = (uint32_t)code;
		opt.allow[opt.nr_allow++].delta = delta;
		break;
	case OPT_BEFORE:
		opt.before_path = arg;
		break;
	case OPT_TSC:
		opt.tsc_khz = strtod(arg, &end);
		if (*end || opt.tsc_khz <= 0)
			argp_error(state, "bad --tsc-khz '%s'", arg);
		break;
	case ARGP_KEY_ARG:
		if (!opt.patch_path)
			opt.patch_path = arg;
		else if (!opt.bpf_path)
			opt.bpf_path = arg;
		else
			argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (!opt.bpf_path)
			argp_error(state, "need two files: EXITSTAT.json EXITTRACE.json");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

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

/* The last line of @path that contains @tool and "reasons". */
static char *last_line(const char *path, const char *tool)
{
	char *line = NULL, *best = NULL;
	size_t cap = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "exitdiff: cannot open %s: %s\n", path, strerror(errno));
		return NULL;
	}
	while (getline(&line, &cap, f) > 0) {
		if (strstr(line, tool) && strstr(line, "\"reasons\":[")) {
			free(best);
			best = strdup(line);
		}
	}
	free(line);
	fclose(f);
	if (!best)
		fprintf(stderr, "exitdiff: %s has no %s JSON line with \"reasons\"\n", path, tool);
	return best;
}

/*
 * Read every object of the "reasons" array.  Objects hold numbers,
 * strings without quotes inside, and at most one level of arrays.
 */
static int read_side(const char *path, bool patch, struct side *s)
{
	char *json = last_line(path, patch ? "\"exitstat\"" : "\"exittrace\"");
	const char *p, *obj;
	int depth = 0;

	if (!json)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	s->isa = get_isa(json, json + strlen(json));
	p = strstr(json, "\"reasons\":[") + strlen("\"reasons\":[");
	for (obj = NULL; *p && !(depth == 0 && *p == ']'); p++) {
		if (*p == '{' && depth++ == 0)
			obj = p;
		if (*p == '}' && --depth == 0 && s->nr < MAX_ROWS) {
			uint64_t code = 0, exits = 0, cycles = 0;
			enum exit_isa isa = get_isa(obj, p);

			get_u64(obj, p, "code", &code);
			get_u64(obj, p, patch ? "exits" : "count", &exits);
			get_u64(obj, p, patch ? "cycles" : "lat_sum_ns", &cycles);
			if (isa)
				s->isa = isa;
			s->rows[s->nr].code = (uint32_t)code;
			s->rows[s->nr].exits = exits;
			s->rows[s->nr++].cycles = cycles;
		}
	}
	free(json);
	return 0;
}

static int find_row(const struct side *s, uint32_t code)
{
	unsigned int i;

	for (i = 0; i < s->nr; i++)
		if (s->rows[i].code == code)
			return (int)i;
	return -1;
}

static int64_t allowed(uint32_t code)
{
	unsigned int i;

	for (i = 0; i < opt.nr_allow; i++)
		if (opt.allow[i].code == code)
			return opt.allow[i].delta;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	static struct side patch, bpf, before;
	uint32_t codes[2 * MAX_ROWS];
	unsigned int i, j, nr = 0, mismatches = 0;
	uint64_t tp = 0, tb = 0;
	enum exit_isa isa;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 64;
	if (read_side(opt.patch_path, true, &patch) || read_side(opt.bpf_path, false, &bpf))
		return 2;
	if (opt.before_path) {
		if (read_side(opt.before_path, true, &before))
			return 2;
		for (i = 0; i < patch.nr; i++) {
			int b = find_row(&before, patch.rows[i].code);

			if (b >= 0) {
				patch.rows[i].exits -= before.rows[b].exits;
				patch.rows[i].cycles -= before.rows[b].cycles;
			}
		}
	}
	isa = patch.isa ? patch.isa : bpf.isa;
	if (patch.isa && bpf.isa && patch.isa != bpf.isa) {
		fprintf(stderr, "exitdiff: the guest view is %s but the host view is %s\n",
			exit_isa_name(patch.isa), exit_isa_name(bpf.isa));
		return 2;
	}

	/* every code either side saw, in ascending order */
	for (i = 0; i < patch.nr; i++)
		if (patch.rows[i].exits)
			codes[nr++] = patch.rows[i].code;
	for (i = 0; i < bpf.nr; i++) {
		for (j = 0; j < nr && codes[j] != bpf.rows[i].code; j++)
			;
		if (j == nr && bpf.rows[i].exits)
			codes[nr++] = bpf.rows[i].code;
	}
	for (i = 1; i < nr; i++)
		for (j = i; j > 0 && codes[j - 1] > codes[j]; j--) {
			uint32_t t = codes[j];

			codes[j] = codes[j - 1];
			codes[j - 1] = t;
		}

	printf("%-10s %-20s %12s %12s %8s", "REASON", "NAME", "PATCH", "BPF", "DIFF");
	if (opt.tsc_khz)
		printf(" %12s %12s", "PATCH_TIME", "BPF_LATENCY");
	printf("\n");
	for (i = 0; i < nr; i++) {
		int p = find_row(&patch, codes[i]), b = find_row(&bpf, codes[i]);
		uint64_t pe = p >= 0 ? patch.rows[p].exits : 0;
		uint64_t be = b >= 0 ? bpf.rows[b].exits : 0;
		int64_t diff = (int64_t)(be - pe), want = allowed(codes[i]);
		const char *name = exit_reason_name(isa, codes[i]);
		bool bad = diff != want;

		mismatches += bad;
		tp += pe;
		tb += be;
		printf("%#-10x %-20s %12" PRIu64 " %12" PRIu64 " %+8" PRId64, codes[i],
		       name ? name : "?", pe, be, diff);
		if (opt.tsc_khz)
			printf(" %10.3fms %10.3fms",
			       p >= 0 ? (double)patch.rows[p].cycles / opt.tsc_khz : 0.0,
			       b >= 0 ? (double)bpf.rows[b].cycles / 1e6 : 0.0);
		if (want)
			printf("  (expected %+" PRId64 ")", want);
		printf("%s\n", bad ? "  <-- differs" : "");
	}
	printf("%-10s %-20s %12" PRIu64 " %12" PRIu64 " %+8" PRId64 "\n", "", "TOTAL", tp, tb,
	       (int64_t)(tb - tp));
	if (mismatches)
		printf("exitdiff: %u reason(s) differ\n", mismatches);
	else
		printf("exitdiff: all %u reasons agree\n", nr);
	return opt.exact && mismatches ? 1 : 0;
}
