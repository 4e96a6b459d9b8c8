// SPDX-License-Identifier: GPL-2.0
/*
 * exitstat - show, from inside a guest, the VM exits its KVM host counted.
 *
 * Needs no privilege: CPUID is an unprivileged instruction, and a KVM with
 * the exittrace patch answers leaves 0x4ffffffb-0x4fffffff with counters
 * (see exit_stats_abi.h).
 */
#include <argp.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exit_stats.h"
#include "exit_stats_abi.h"
#include "exitstat_print.h"

static struct env {
	bool all;
	bool json;
	bool reason_set;
	uint32_t reason;
	const char *reason_text;
	unsigned int watch;
} env;

static volatile sig_atomic_t exiting;

const char *argp_program_version = "exitstat 0.1";
static const char doc[] =
"Show the VM exits the KVM host counted for this guest.\n"
"\n"
"USAGE: exitstat [-a] [-j] [-r REASON] [-w SECONDS]\n"
"\n"
"EXAMPLES:\n"
"    exitstat            # reasons with a non-zero count\n"
"    exitstat -a         # every reason the vendor defines\n"
"    exitstat -r CPUID   # one reason, by name or number\n"
"    exitstat -j         # one JSON object\n"
"    exitstat -w 1       # per-second deltas until Ctrl-C\n"
"\v"
"CYCLES are the host's TSC cycles from the kvm_exit tracepoint until KVM's\n"
"exit handler returns (or, for a fastpath exit, until re-entry).  They leave\n"
"out the time the VMM (e.g. QEMU) spends on exits it handles and the time a\n"
"halted vCPU waits; they include host interrupts, preemption of the vCPU's\n"
"thread and sleeps inside KVM's handlers (e.g. faulting guest memory in).\n"
"See docs/abi.md.\n";

static const struct argp_option opts[] = {
	{ "all", 'a', NULL, 0, "Include reasons with zero exits", 0 },
	{ "json", 'j', NULL, 0, "Print JSON", 0 },
	{ "reason", 'r', "REASON", 0, "Show only this reason (name or number)", 0 },
	{ "watch", 'w', "SECONDS", 0, "Print deltas every SECONDS until interrupted", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	char *end;
	long v;

	switch (key) {
	case 'a':
		env.all = true;
		break;
	case 'j':
		env.json = true;
		break;
	case 'r':
		env.reason_text = arg;
		break;
	case 'w':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > 86400)
			argp_error(state, "invalid -w '%s': give whole seconds, 1..86400", arg);
		env.watch = (unsigned int)v;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	static struct exit_stats_snapshot now, before, d;
	struct exitstat_filter flt;
	enum exit_isa isa;
	uint32_t version = 0;
	int err;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 64;

	err = exit_stats_isa(cpuid_native, NULL, &isa);
	if (err) {
		fprintf(stderr, "exitstat: unknown CPU vendor: exit reasons are defined for Intel VMX and AMD SVM only\n");
		return 1;
	}
	if (env.reason_text) {
		err = exit_reason_parse(isa, env.reason_text, &env.reason);
		if (err) {
			fprintf(stderr, "exitstat: unknown %s exit reason '%s' (try a number, or a name such as CPUID or HLT)\n",
				exit_isa_name(isa), env.reason_text);
			return 64;	/* EX_USAGE, as argp uses */
		}
		env.reason_set = true;
	}

	err = exit_stats_discover(cpuid_native, NULL, &version);
	if (err == -EPROTO) {
		fprintf(stderr, "exitstat: the host serves exit counters ABI version %u; this exitstat knows version %d: update exitstat\n",
			version, EXIT_STATS_ABI_VERSION);
		return 1;
	}
	if (err) {
		fprintf(stderr,
			"exitstat: no exit counters here: CPUID leaf %#x does not carry the exittrace signature.\n"
			"exitstat: run this inside a guest of a KVM host with the exittrace patch (kvm-patch/),\n"
			"exitstat: with /sys/module/kvm/parameters/exit_stats set to 'vm' or 'host' on the host.\n",
			EXIT_STATS_LEAF_DISCOVERY);
		return 1;
	}

	flt = (struct exitstat_filter){ .all = env.all, .one_reason = env.reason_set,
					.reason = env.reason };
	exit_stats_read(cpuid_native, NULL, isa, &now);
	if (!env.watch) {
		if (env.json)
			exitstat_print_json(stdout, &now, 0, &flt);
		else
			exitstat_print_table(stdout, &now, "since the VM started", &flt);
		return 0;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	while (!exiting) {
		before = now;
		sleep(env.watch);
		exit_stats_read(cpuid_native, NULL, isa, &now);
		if (!exitstat_delta(&d, &now, &before)) {
			fprintf(stderr, "exitstat: the counters went down: the host changed exit_stats (vm/host/off); skipping this interval\n");
			continue;
		}
		if (env.json) {
			exitstat_print_json(stdout, &d, env.watch, &flt);
		} else {
			exitstat_print_table(stdout, &d, "last interval", &flt);
			printf("rate: %.1f exits/s\n\n", (double)d.total_exits / env.watch);
		}
		fflush(stdout);
	}
	return 0;
}
