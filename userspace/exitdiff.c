// SPDX-License-Identifier: GPL-2.0
/*
 * exitdiff - put the two witnesses side by side: the KVM patch's counters
 * (exitstat -j: the guest's view through CPUID, or the host's with -p) and
 * exittrace's (-j, from the kvm_exit/kvm_entry tracepoints), reason by
 * reason; with --time, the patch's cycles against exittrace's time in KVM.
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

#include "witness.h"

static struct {
	const char *patch_path, *bpf_path, *before_path;
	bool exact;
	uint32_t pid;
	struct witness_opts cmp;
} opt = { .cmp = { .time_tolerance = 0.05, .time_min_exits = 100 } };

const char *argp_program_version = "exitdiff 0.1";
static const char doc[] =
"Compare exitstat's (patch) and exittrace's (BPF) counts per exit reason.\n"
"\n"
"USAGE: exitdiff [OPTIONS] EXITSTAT.json EXITTRACE.json\n"
"\n"
"EXAMPLES:\n"
"    exitdiff guest.json host.json\n"
"    exitdiff -e --allow 0x7b=+1 guest.json host.json  # BPF sees one more IOIO\n"
"    exitdiff --before start.json end.json host.json   # patch delta end - start\n"
"    exitdiff -e --time --pid 1234 patch-host.json host.json  # counts and cycles\n";

enum { OPT_ALLOW = 1000, OPT_BEFORE, OPT_TSC, OPT_PID, OPT_TIME, OPT_MIN_EXITS, OPT_SLACK, OPT_TOTAL };

static const struct argp_option opts[] = {
	{ "exact", 'e', NULL, 0, "Exit 1 unless every reason agrees (after --allow)", 0 },
	{ "allow", OPT_ALLOW, "CODE=DELTA", 0,
	  "Expect BPF - patch == DELTA for CODE (repeatable)", 0 },
	{ "before", OPT_BEFORE, "EXITSTAT.json", 0,
	  "Subtract this earlier exitstat reading from the patch side", 0 },
	{ "tsc-khz", OPT_TSC, "KHZ", 0,
	  "Convert patch cycles to time with this TSC rate (default: the rate exittrace measured)", 0 },
	{ "pid", OPT_PID, "PID", 0, "Use only exittrace's -P rows of this VM process", 0 },
	{ "time", OPT_TIME, "PCT", OPTION_ARG_OPTIONAL,
	  "Exit 1 unless the patch's cycles and exittrace's time in KVM agree within PCT % (default 5) for every reason with enough exits", 0 },
	{ "time-total", OPT_TOTAL, NULL, 0,
	  "With --time, judge the judged reasons' times together, not each", 0 },
	{ "min-exits", OPT_MIN_EXITS, "N", 0, "Judge the time of reasons with at least N exits (default 100)", 0 },
	{ "time-slack", OPT_SLACK, "NS", 0,
	  "A reason's time also agrees when the two differ by at most NS per exit (default 0)", 0 },
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
		if (!eq)
			argp_error(state, "bad --allow '%s': expected CODE=DELTA, e.g. 0x7b=+1", arg);
		errno = 0;
		code = strtoull(arg, &end, 0);
		if (opt.cmp.nr_rules == WITNESS_MAX_RULES)
			argp_error(state, "too many --allow (at most %d)", WITNESS_MAX_RULES);
		if (errno || end != eq || code > UINT32_MAX)
			argp_error(state, "bad reason code in --allow '%s'", arg);
		delta = strtoll(eq + 1, &end, 0);
		if (errno || *end || end == eq + 1)
			argp_error(state, "bad delta in --allow '%s'", arg);
		opt.cmp.rules[opt.cmp.nr_rules].code = (uint32_t)code;
		opt.cmp.rules[opt.cmp.nr_rules++].delta = delta;
		break;
	case OPT_BEFORE:
		opt.before_path = arg;
		break;
	case OPT_TSC:
		opt.cmp.tsc_hz = strtod(arg, &end) * 1e3;
		if (*end || !(opt.cmp.tsc_hz > 0))
			argp_error(state, "bad --tsc-khz '%s'", arg);
		break;
	case OPT_PID:
		errno = 0;
		opt.pid = (uint32_t)strtoul(arg, &end, 10);
		if (errno || *end || !opt.pid)
			argp_error(state, "bad --pid '%s'", arg);
		break;
	case OPT_TIME:
		opt.cmp.time = true;
		if (arg) {
			opt.cmp.time_tolerance = strtod(arg, &end) / 100;
			if (*end || !(opt.cmp.time_tolerance > 0) || opt.cmp.time_tolerance >= 1)
				argp_error(state, "bad --time '%s': a percentage above 0 and below 100", arg);
		}
		break;
	case OPT_TOTAL:
		opt.cmp.time_total = true;
		break;
	case OPT_SLACK:
		opt.cmp.time_slack_ns = strtod(arg, &end);
		if (*end || !(opt.cmp.time_slack_ns >= 0))
			argp_error(state, "bad --time-slack '%s'", arg);
		break;
	case OPT_MIN_EXITS:
		errno = 0;
		opt.cmp.time_min_exits = strtoull(arg, &end, 10);
		if (errno || *end || !opt.cmp.time_min_exits)
			argp_error(state, "bad --min-exits '%s'", arg);
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

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	static struct witness patch, bpf, before;
	struct witness_verdict v;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 64;
	if (witness_read(opt.patch_path, false, 0, &patch) ||
	    witness_read(opt.bpf_path, true, opt.pid, &bpf))
		return 2;
	if (opt.before_path) {
		if (witness_read(opt.before_path, false, 0, &before))
			return 2;
		witness_subtract(&patch, &before);
	}
	if (witness_compare(stdout, &patch, &bpf, &opt.cmp, &v))
		return 2;
	if (opt.exact && v.count_differs)
		return 1;
	return opt.cmp.time && v.time_differs ? 1 : 0;
}
