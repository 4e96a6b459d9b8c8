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
"    exitstat -w 1       # per-second deltas until Ctrl-C\n";

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

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static bool wanted(const struct reason_stats *r)
{
	if (!r->defined)
		return false;
	if (env.reason_set)
		return r->code == env.reason;
	return env.all || r->exits;
}

static void print_table(const struct exit_stats_snapshot *s, const char *what)
{
	unsigned int i;

	printf("%s: %" PRIu64 " exits, %" PRIu64 " cycles (%s)\n", what,
	       s->total_exits, s->total_cycles, exit_isa_name(s->isa));
	printf("%10s %-20s %12s %6s %16s %12s\n",
	       "REASON", "NAME", "EXITS", "SHARE", "CYCLES", "CYCLES/EXIT");
	for (i = 0; i < s->nr_reasons; i++) {
		const struct reason_stats *r = &s->reasons[i];

		if (!wanted(r))
			continue;
		printf("%#10x %-20s %12" PRIu64 " %5.1f%% %16" PRIu64 " %12" PRIu64 "\n",
		       r->code, exit_reason_name(s->isa, r->code), r->exits,
		       share(r->exits, s->total_exits), r->cycles,
		       r->exits ? r->cycles / r->exits : 0);
	}
}

static void print_json(const struct exit_stats_snapshot *s, unsigned int interval)
{
	unsigned int i;
	bool first = true;

	printf("{\"tool\":\"exitstat\",\"abi\":%d,\"isa\":\"%s\",", EXIT_STATS_ABI_VERSION,
	       exit_isa_name(s->isa));
	if (interval)
		printf("\"interval_s\":%u,", interval);
	printf("\"total_exits\":%" PRIu64 ",\"total_cycles\":%" PRIu64 ",\"reasons\":[",
	       s->total_exits, s->total_cycles);
	for (i = 0; i < s->nr_reasons; i++) {
		const struct reason_stats *r = &s->reasons[i];

		if (!wanted(r))
			continue;
		printf("%s{\"code\":%u,\"name\":\"%s\",\"exits\":%" PRIu64 ",\"cycles\":%" PRIu64 "}",
		       first ? "" : ",", r->code, exit_reason_name(s->isa, r->code),
		       r->exits, r->cycles);
		first = false;
	}
	printf("]}\n");
}

/* now - before, per field; counters only grow, so no underflow */
static void delta(struct exit_stats_snapshot *d, const struct exit_stats_snapshot *now,
		  const struct exit_stats_snapshot *before)
{
	unsigned int i;

	*d = *now;
	d->total_exits -= before->total_exits;
	d->total_cycles -= before->total_cycles;
	for (i = 0; i < d->nr_reasons; i++) {
		d->reasons[i].exits -= before->reasons[i].exits;
		d->reasons[i].cycles -= before->reasons[i].cycles;
	}
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	static struct exit_stats_snapshot now, before, d;
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

	exit_stats_read(cpuid_native, NULL, isa, &now);
	if (!env.watch) {
		if (env.json)
			print_json(&now, 0);
		else
			print_table(&now, "since the VM started");
		return 0;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	while (!exiting) {
		before = now;
		sleep(env.watch);
		exit_stats_read(cpuid_native, NULL, isa, &now);
		delta(&d, &now, &before);
		if (env.json) {
			print_json(&d, env.watch);
		} else {
			print_table(&d, "last interval");
			printf("rate: %.1f exits/s\n\n", (double)d.total_exits / env.watch);
		}
		fflush(stdout);
	}
	return 0;
}
