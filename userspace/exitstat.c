// SPDX-License-Identifier: GPL-2.0
/*
 * exitstat - show, from inside a guest, the VM exits its KVM host counted.
 *
 * Needs no privilege: CPUID is an unprivileged instruction, and a KVM with
 * the exittrace patch answers leaves 0x4ffffffb-0x4fffffff with counters
 * (see exit_stats_abi.h).
 *
 * With -p PID it runs on the host instead and reads the same counters of
 * the VM that process PID runs, from KVM's debugfs (kvm_debugfs.h): the
 * patch's view without the guest's help.
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
#include "kvm_debugfs.h"

static struct env {
	bool all;
	bool json;
	bool reason_set;
	uint32_t reason;
	const char *reason_text;
	unsigned int watch;
	pid_t pid;		/* host mode: the VMM's pid */
	const char *debugfs;	/* where debugfs is mounted, for -p */
} env;

enum { OPT_DEBUGFS = 256 };

static volatile sig_atomic_t exiting;

const char *argp_program_version = "exitstat 0.1";
static const char doc[] =
"Show the VM exits the KVM host counted for this guest.\n"
"\n"
"USAGE: exitstat [-a] [-j] [-r REASON] [-w SECONDS] [-p PID]\n"
"\n"
"EXAMPLES:\n"
"    exitstat            # reasons with a non-zero count\n"
"    exitstat -a         # every reason the vendor defines\n"
"    exitstat -r CPUID   # one reason, by name or number\n"
"    exitstat -j         # one JSON object\n"
"    exitstat -w 1       # per-second deltas until Ctrl-C\n"
"    sudo exitstat -p 4711  # on the host: the VM of VMM process 4711\n"
"\v"
"CYCLES are the host's TSC cycles from the kvm_exit tracepoint until KVM's\n"
"exit handler returns (or, for a fastpath exit, until re-entry).  They leave\n"
"out the time the VMM (e.g. QEMU) spends on exits it handles and the time a\n"
"halted vCPU waits; they include host interrupts, preemption of the vCPU's\n"
"thread and sleeps inside KVM's handlers (e.g. faulting guest memory in).\n"
"With -p the counters come from KVM's debugfs (root): the exit_stats file\n"
"of every vCPU of every VM of process PID, summed; KVM's own 'exits'\n"
"statistic of those VMs is shown beside them.\n"
"See docs/abi.md.\n";

static const struct argp_option opts[] = {
	{ "all", 'a', NULL, 0, "Include reasons with zero exits", 0 },
	{ "json", 'j', NULL, 0, "Print JSON", 0 },
	{ "reason", 'r', "REASON", 0, "Show only this reason (name or number)", 0 },
	{ "watch", 'w', "SECONDS", 0, "Print deltas every SECONDS until interrupted", 0 },
	{ "pid", 'p', "PID", 0, "On the host: read the VMs of VMM process PID (debugfs)", 0 },
	{ "debugfs", OPT_DEBUGFS, "DIR", 0, "With -p: debugfs is mounted at DIR (default /sys/kernel/debug)", 0 },
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
	case 'p':
		errno = 0;
		v = strtol(arg, &end, 10);
		if (errno || *end || v < 1 || v > INT32_MAX)
			argp_error(state, "invalid -p '%s': give a process id", arg);
		env.pid = (pid_t)v;
		break;
	case OPT_DEBUGFS:
		env.debugfs = arg;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static struct kvm_vm_counters vmc;

/* One reading: the CPUID leaves in a guest, KVM's debugfs with -p */
static int read_counters(enum exit_isa isa, struct exit_stats_snapshot *snap)
{
	char why[256];
	int err;

	if (!env.pid) {
		exit_stats_read(cpuid_native, NULL, isa, snap);
		return 0;
	}
	err = kvm_debugfs_read_pid(env.debugfs, env.pid, &vmc, why, sizeof(why));
	if (err) {
		fprintf(stderr, "exitstat: %s\n", why);
		return err;
	}
	kvm_debugfs_snapshot(&vmc, isa, snap);
	return 0;
}

/* @kvm_exits: KVM's own count over the same span as @s (with -p) */
static void print_json(const struct exit_stats_snapshot *s, unsigned int interval,
		       const struct exitstat_filter *flt, uint64_t kvm_exits)
{
	char extra[160];

	if (!env.pid) {
		exitstat_print_json(stdout, s, interval, flt);
		return;
	}
	snprintf(extra, sizeof(extra),
		 "\"source\":\"debugfs\",\"pid\":%d,\"vms\":%u,\"vcpus\":%u,\"kvm_exits\":%" PRIu64 ",",
		 (int)env.pid, vmc.vms, vmc.vcpus, kvm_exits);
	exitstat_print_json_with(stdout, s, interval, flt, extra);
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

	err = env.pid ? 0 : exit_stats_discover(cpuid_native, NULL, &version);
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
	if (read_counters(isa, &now))
		return 1;
	if (!env.watch) {
		if (env.json) {
			print_json(&now, 0, &flt, vmc.kvm_exits);
		} else {
			exitstat_print_table(stdout, &now, "since the VM started", &flt);
			if (env.pid)
				printf("VMM pid %d: %u VM(s), %u vCPU(s); KVM's own exits statistic: %" PRIu64 "\n",
				       (int)env.pid, vmc.vms, vmc.vcpus, vmc.kvm_exits);
		}
		return 0;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	while (!exiting) {
		uint64_t kvm_exits_before = vmc.kvm_exits;

		before = now;
		sleep(env.watch);
		if (read_counters(isa, &now))
			return 1;
		if (!exitstat_delta(&d, &now, &before)) {
			fprintf(stderr, "exitstat: the counters went down: the host changed exit_stats (vm/host/off); skipping this interval\n");
			continue;
		}
		if (env.json) {
			print_json(&d, env.watch, &flt, vmc.kvm_exits - kvm_exits_before);
		} else {
			exitstat_print_table(stdout, &d, "last interval", &flt);
			printf("rate: %.1f exits/s\n\n", (double)d.total_exits / env.watch);
		}
		fflush(stdout);
	}
	return 0;
}
