// SPDX-License-Identifier: GPL-2.0
/*
 * vm_switch - one thread that runs a vCPU of VM A, then a vCPU of VM B,
 * and so on, as a VMM thread serving several vCPUs does.
 *
 * Each guest makes N syncs and then its DONE ucall: N + 1 port I/O exits
 * to userspace, and one KVM_RUN each.  This thread runs A to its next
 * exit, then B to its next, alternately, until both are done.  So every
 * I/O exit but the last is followed, on this thread, by an entry of the
 * other VM's vCPU, and none by an entry of its own: a tracer that pairs
 * an exit with the next entry of the same thread measures a "latency"
 * from one VM to the other each time; one that pairs by vCPU measures
 * none, and counts 2N + 1 exits that never saw their entry.
 *
 * With --one only VM A runs; with --hold-ms MS the thread keeps each vCPU
 * out of the guest MS milliseconds after each exit before it runs it
 * again (a VMM that takes its time: each of those exits takes that long).
 *
 * USAGE: vm_switch [-n N] [--b-id ID] [--one] [--hold-ms MS] [--wait] [-t SECONDS]
 *   -n       syncs per guest (default 100)
 *   --b-id   KVM's vCPU id for B's vCPU (default 0, the same as A's)
 *   --wait   print "vm_switch: ready pid=PID", then create the VMs only
 *            after a line on stdin (for a tracer filtered by pid)
 * Last line: "vm_switch: PASS n=N io_exits=E switches=S", or FAIL/SKIP.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"
#include "vm_switch.h"

VMM_GUEST_DECLARE(vm_switch_guest);

static uint32_t syncs = 100, b_id, hold_ms;
static unsigned int timeout;
static bool wait_release, one_vm;

static void __attribute__((noreturn)) usage(const char *prog, const char *why)
{
	printf("usage: %s [-n N] [--b-id ID] [--one] [--hold-ms MS] [--wait] [-t SECONDS]\n", prog);
	if (!why)
		exit(KSFT_PASS);
	printf("vm_switch: FAIL usage: %s\n", why);
	exit(KSFT_FAIL);
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "b-id", required_argument, NULL, 'b' },
		{ "one", no_argument, NULL, 'o' },
		{ "hold-ms", required_argument, NULL, 'H' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	char why[96];
	int opt;

	while ((opt = getopt_long(argc, argv, "n:t:h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n':
			syncs = vmm_parse_count('n', optarg, SWITCH_MAX_SYNCS, why, sizeof(why));
			if (!syncs)
				usage(argv[0], why);
			break;
		case 'b': {
			char *end;

			/* 0 is an id too: not a count */
			errno = 0;
			b_id = strtoul(optarg, &end, 10);
			if (errno || !*optarg || *end || b_id > 4095)
				usage(argv[0], "--b-id: not a vCPU id in [0, 4095]");
			break;
		}
		case 't':
			timeout = vmm_parse_count('t', optarg, 86400, why, sizeof(why));
			if (!timeout)
				usage(argv[0], why);
			break;
		case 'o':
			one_vm = true;
			break;
		case 'H':
			hold_ms = vmm_parse_count('H', optarg, 600000, why, sizeof(why));
			if (!hold_ms)
				usage(argv[0], why);
			break;
		case 'w':
			wait_release = true;
			break;
		case 'h':
			usage(argv[0], NULL);
		default:
			usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		usage(argv[0], "unexpected argument");
}

static struct vmm_vm *switch_vm(uint32_t id)
{
	struct vmm_vm_opts opts = {
		.guest = VMM_GUEST(vm_switch_guest),
		.nr_vcpus = 1,
		.vcpu_ids = &id,
	};
	struct vmm_vm *vm = vm_create(&opts);
	struct switch_params *p = vm_gpa_to_hva(vm, SWITCH_PARAMS_GPA, sizeof(*p));

	p->syncs = syncs;
	return vm;
}

/* One KVM_RUN of @vcpu up to its next ucall, checked; true when DONE. */
static bool step(struct vmm_vcpu *vcpu, const char *name, uint32_t *seen)
{
	uint64_t runs = vcpu_counts(vcpu)->runs;
	struct vmm_ucall uc;
	uint32_t cmd;

	if (hold_ms && (*seen || vcpu_counts(vcpu)->runs)) {
		struct timespec ts = { hold_ms / 1000, (hold_ms % 1000) * 1000000L };

		vmm_step("VM %s, holding it out of the guest", name);
		while (nanosleep(&ts, &ts))
			;
	}
	vmm_step("VM %s, sync %u", name, *seen);
	cmd = vcpu_run_ucall(vcpu, &uc);
	/* one exit to userspace per step, or the switches are not as said */
	TEST_ASSERT_EQ(vcpu_counts(vcpu)->runs - runs, 1, "VM %s: KVM_RUNs for one ucall", name);
	if (cmd == UCALL_DONE) {
		TEST_ASSERT_EQ(uc.args[0], syncs, "VM %s: DONE value", name);
		TEST_ASSERT_EQ(*seen, syncs, "VM %s: syncs before DONE", name);
		return true;
	}
	TEST_ASSERT_EQ(cmd, UCALL_SYNC, "VM %s: ucall", name);
	TEST_ASSERT_EQ(uc.args[1], *seen, "VM %s: sync number", name);
	(*seen)++;
	return false;
}

int main(int argc, char **argv)
{
	uint32_t seen_a = 0, seen_b = 0, switches = 0;
	bool done_a = false, done_b = false;
	struct vmm_vcpu *a, *b;
	struct vmm_vm *va, *vb;
	char line[16];

	vmm_test_init("vm_switch");
	parse_options(argc, argv);
	vmm_kvm_fd();
	if (wait_release) {
		printf("vm_switch: ready pid=%d\n", (int)getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			TEST_FAIL("--wait: stdin closed before the go line");
	}

	vmm_step("VM setup");
	va = switch_vm(0);
	a = vm_vcpu(va, 0);
	vb = one_vm ? NULL : switch_vm(b_id);
	b = vb ? vm_vcpu(vb, 0) : NULL;
	done_b = one_vm;
	vm_watchdog(va, timeout);
	if (b)
		printf("vm_switch: pid %d, VM A vCPU id %u and VM B vCPU id %u on one thread, %u syncs each\n",
		       (int)getpid(), vcpu_id(a), vcpu_id(b), syncs);
	else
		printf("vm_switch: pid %d, VM A alone, %u syncs\n", (int)getpid(), syncs);
	if (hold_ms)
		printf("vm_switch: each exit held out of the guest for %u ms\n", hold_ms);

	while (!done_a || !done_b) {
		if (!done_a) {
			done_a = step(a, "A", &seen_a);
			switches++;
		}
		if (!done_b) {
			done_b = step(b, "B", &seen_b);
			switches++;
		}
	}
	if (vb)
		vm_free(vb);
	vm_free(va);
	/* with two VMs every step after the first entered the other VM's vCPU */
	vmm_test_pass("n=%u io_exits=%u switches=%u", syncs, (one_vm ? 1 : 2) * (syncs + 1),
		      one_vm ? 0 : switches - 1);
}
