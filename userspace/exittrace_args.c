// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace_args.c - exittrace's command line, in the libbpf-tools manner:
 * [interval] [count] positionals and short options.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "exittrace_args.h"

struct parse_state {
	struct exittrace_args *args;
	unsigned int positional;
	bool bad;
};

const char *argp_program_version = "exittrace 0.1";
static const char doc[] =
"Count KVM VM exits per reason and time each one until its vCPU re-enters.\n"
"\n"
"USAGE: exittrace [OPTIONS] [interval [count]]\n"
"\n"
"EXAMPLES:\n"
"    exittrace                 # a table every second; Ctrl-C for a summary\n"
"    exittrace 5 3             # three 5-second tables\n"
"    exittrace -p 1234 -H      # one VM, with latency histograms\n"
"    exittrace -P -d 10        # per-VM breakdown for 10 seconds\n"
"    exittrace -j -s           # one JSON summary when stopped\n"
"    exittrace --openmetrics /var/lib/node_exporter/kvm_exits.prom\n";

enum { OPT_OPENMETRICS = 1000, OPT_MAX_KEYS, OPT_ATTACH };

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace only this VM process (repeatable, up to 8)", 0 },
	{ "vcpu", 'c', "VCPU", 0, "Trace only this vCPU index", 0 },
	{ "per-vm", 'P', NULL, 0, "Break the table down per VM process", 0 },
	{ "histogram", 'H', NULL, 0, "Print log2 latency histograms of the top reasons", 0 },
	{ "json", 'j', NULL, 0, "Print JSON lines", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp with each table", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "summary", 's', NULL, 0, "Print only the final summary", 0 },
	{ "openmetrics", OPT_OPENMETRICS, "FILE", 0,
	  "Rewrite FILE atomically each interval in OpenMetrics text format", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "Rows the kernel keeps for -P (VM x reason; default 32768, allocated as used)", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0,
	  "How to hook kvm_exit/kvm_entry: auto (default: btf where the kernel's BTF allows, else classic), btf (raw tracepoints) or classic (tracepoint records)", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{},
};

static long parse_long(struct argp_state *state, const char *what, const char *arg,
		       long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		argp_error(state, "invalid %s '%s': expected a whole number from %ld to %ld",
			   what, arg, min, max);
		((struct parse_state *)state->input)->bad = true;
		return min;
	}
	return v;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct exittrace_args *args = ps->args;

	switch (key) {
	case 'p':
		if (args->nr_pids == EXITTRACE_MAX_PIDS) {
			argp_error(state, "at most %d -p options", EXITTRACE_MAX_PIDS);
			return EINVAL;
		}
		args->pids[args->nr_pids] = parse_long(state, "PID", arg, 1, 0x3fffffff);
		if (kill(args->pids[args->nr_pids], 0) && errno == ESRCH) {
			argp_error(state, "no process with PID %s: give the pid of a running VMM (e.g. qemu)",
				   arg);
			return EINVAL;
		}
		args->nr_pids++;
		break;
	case 'c':
		args->vcpu = parse_long(state, "vCPU", arg, 0, 0x7fffffff);
		break;
	case 'P':
		args->per_vm = true;
		break;
	case 'H':
		args->histograms = true;
		break;
	case 'j':
		args->json = true;
		break;
	case 'T':
		args->timestamp = true;
		break;
	case 'd':
		args->duration = parse_long(state, "duration", arg, 1, 86400 * 365);
		break;
	case 's':
		args->summary_only = true;
		break;
	case 'v':
		args->verbose = true;
		break;
	case OPT_OPENMETRICS:
		args->openmetrics = arg;
		break;
	case OPT_MAX_KEYS:
		args->max_keys = parse_long(state, "--max-keys", arg, 16, 1 << 20);
		break;
	case OPT_ATTACH:
		if (!strcmp(arg, "auto"))
			args->attach = ATTACH_AUTO;
		else if (!strcmp(arg, "btf"))
			args->attach = ATTACH_BTF;
		else if (!strcmp(arg, "classic"))
			args->attach = ATTACH_CLASSIC;
		else {
			argp_error(state, "invalid --attach '%s': expected auto, btf or classic", arg);
			return EINVAL;
		}
		break;
	case ARGP_KEY_ARG:
		if (ps->positional == 0)
			args->interval = parse_long(state, "interval", arg, 1, 86400);
		else if (ps->positional == 1)
			args->count = parse_long(state, "count", arg, 1, 0x7fffffff);
		else {
			argp_error(state, "unexpected argument '%s'", arg);
			return EINVAL;
		}
		ps->positional++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return ps->bad ? EINVAL : 0;
}

int exittrace_parse_args(int argc, char **argv, unsigned int argp_flags,
			 struct exittrace_args *args)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	struct parse_state ps = { .args = args };

	*args = (struct exittrace_args){
		.interval = 1,
		.count = -1,
		.vcpu = -1,
		.max_keys = 32768,
	};
	return argp_parse(&argp, argc, argv, argp_flags, NULL, &ps);
}
