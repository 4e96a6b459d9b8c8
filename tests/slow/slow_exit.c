// SPDX-License-Identifier: GPL-2.0
/*
 * slow_exit - a VM whose slow exits are known, for exittrace --slower-than.
 *
 * One VM with an in-kernel irqchip and two vCPUs.  Each makes 2F fast
 * exits of two kinds (syncs the host answers at once, CPUIDs KVM answers),
 * half before and half after its slow ones:
 *  - vCPU SLOW_IO_VCPU (KVM id 3): IO ucalls the host sleeps IO_MS on
 *    before it runs the vCPU again (a VMM that takes its time);
 *  - vCPU SLOW_HLT_VCPU (KVM id 0): HLTs that KVM keeps in the kernel
 *    until the vCPU's LAPIC timer, HLT_MS after it was armed, wakes it.
 * Every other exit is fast; the VM's last (DONE) ucall of each vCPU is
 * never followed by an entry, so it has no latency at all.
 *
 * USAGE: slow_exit [-n F] [--io N] [--io-ms MS] [--hlts N] [--hlt-ms MS] [--wait] [-j] [-t SECONDS]
 *   --wait  print "slow_exit: ready pid=PID", then make the VM only after
 *           a line on stdin (for a tracer filtered by pid)
 *   -j      a last JSON line naming the slow exits a tracer must report:
 *           {"tool":"slow_exit","pid":P,"slow":[{"reasons":"IO_INSTRUCTION,IOIO",
 *           "vcpu":3,"count":N,"at_least_ns":NS,"key_kind":"port","key_value":P,
 *           "key_dir":"out"},...],"fast":F}; the key is the one exittrace
 *           --by port must give the exit ("key_kind":"none": no port)
 * Last line before it: "slow_exit: PASS ...", or FAIL/SKIP.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"
#include "slow_exit.h"

VMM_GUEST_DECLARE(slow_exit_guest);

static uint32_t fast = 100, io = 3, io_ms = 300, hlts = 3, hlt_ms = 300;
static unsigned int timeout;
static bool wait_release, json;

static void __attribute__((noreturn)) usage(const char *prog, const char *why)
{
	printf("usage: %s [-n F] [--io N] [--io-ms MS] [--hlts N] [--hlt-ms MS] [--wait] [-j] [-t SECONDS]\n",
	       prog);
	if (!why)
		exit(KSFT_PASS);
	printf("slow_exit: FAIL usage: %s\n", why);
	exit(KSFT_FAIL);
}

static void parse_options(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "io", required_argument, NULL, 'i' },
		{ "io-ms", required_argument, NULL, 'I' },
		{ "hlts", required_argument, NULL, 'l' },
		{ "hlt-ms", required_argument, NULL, 'L' },
		{ "wait", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	const struct { int opt; const char *name; uint32_t *v; unsigned long max; } counts[] = {
		{ 'n', "-n", &fast, 100000 }, { 'i', "--io", &io, 1000 },
		{ 'I', "--io-ms", &io_ms, 60000 }, { 'l', "--hlts", &hlts, 1000 },
		{ 'L', "--hlt-ms", &hlt_ms, 4000 },	/* the LAPIC counts ns in 32 bits */
	};
	char why[96];
	unsigned int k;
	int opt;

	while ((opt = getopt_long(argc, argv, "n:t:jh", longopts, NULL)) != -1) {
		for (k = 0; k < sizeof(counts) / sizeof(counts[0]); k++) {
			if (counts[k].opt != opt)
				continue;
			*counts[k].v = vmm_parse_count(opt, optarg, counts[k].max, why, sizeof(why));
			if (!*counts[k].v) {
				snprintf(why, sizeof(why), "%s '%.32s' is not a number in [1, %lu]",
					 counts[k].name, optarg, counts[k].max);
				usage(argv[0], why);
			}
			break;
		}
		if (k < sizeof(counts) / sizeof(counts[0]))
			continue;
		switch (opt) {
		case 't':
			timeout = vmm_parse_count('t', optarg, 86400, why, sizeof(why));
			if (!timeout)
				usage(argv[0], why);
			break;
		case 'w':
			wait_release = true;
			break;
		case 'j':
			json = true;
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

static void sleep_ms(uint32_t ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
}

/* The host's part: a SLOW_SYNC_SLEEP keeps the vCPU out IO_MS more. */
static void on_sync(struct vmm_vcpu *vcpu, const struct vmm_ucall *uc)
{
	if (uc->args[0] == SLOW_SYNC_FAST)
		return;
	TEST_ASSERT_EQ(uc->args[0], SLOW_SYNC_SLEEP, "vCPU %u: sync kind", vcpu_index(vcpu));
	TEST_ASSERT_EQ(vcpu_index(vcpu), SLOW_IO_VCPU, "the vCPU that asks to be slept on");
	vmm_step("vCPU %u: sleeping %u ms on slow ucall %" PRIu64, vcpu_index(vcpu), io_ms, uc->args[1]);
	sleep_ms(io_ms);
}

int main(int argc, char **argv)
{
	static const uint32_t ids[2] = { [SLOW_HLT_VCPU] = SLOW_HLT_VCPU_ID,
					 [SLOW_IO_VCPU] = SLOW_IO_VCPU_ID };
	struct vmm_handlers h = { .sync = on_sync };
	struct vmm_vm_opts opts = {
		.guest = VMM_GUEST(slow_exit_guest),
		.nr_vcpus = 2,
		.flags = VMM_F_IRQCHIP,
		.vcpu_ids = ids,
	};
	struct vmm_vcpu *hv, *iv;
	struct slow_params *p;
	struct vmm_vm *vm;
	uint64_t result;
	char line[16];

	vmm_test_init("slow_exit");
	parse_options(argc, argv);
	vmm_kvm_fd();
	if (wait_release) {
		printf("slow_exit: ready pid=%d\n", (int)getpid());
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			TEST_FAIL("--wait: stdin closed before the go line");
	}

	vmm_step("VM setup");
	vm = vm_create(&opts);
	vm_set_handlers(vm, &h);
	p = vm_gpa_to_hva(vm, SLOW_PARAMS_GPA, sizeof(*p));
	*p = (struct slow_params){ .fast = fast, .io = io, .hlts = hlts, .hlt_ms = hlt_ms };
	vm_watchdog(vm, timeout);
	hv = vm_vcpu(vm, SLOW_HLT_VCPU);
	iv = vm_vcpu(vm, SLOW_IO_VCPU);
	printf("slow_exit: pid %d: vCPU id %u sleeps %u x %u ms on IO ucalls, vCPU id %u halts %u x %u ms; %u fast syncs and CPUIDs each, twice\n",
	       (int)getpid(), vcpu_id(iv), io, io_ms, vcpu_id(hv), hlts, hlt_ms, fast);
	fflush(stdout);

	vm_run(vm);
	TEST_ASSERT(vcpu_done(hv, &result), "vCPU %u did not finish", SLOW_HLT_VCPU);
	TEST_ASSERT_EQ(result, hlts, "timer interrupts the halting vCPU took");
	TEST_ASSERT(vcpu_done(iv, &result), "vCPU %u did not finish", SLOW_IO_VCPU);
	TEST_ASSERT_EQ(result, io, "slow ucalls of vCPU %u", SLOW_IO_VCPU);
	/* the in-kernel irqchip keeps each HLT in KVM: never one to userspace */
	TEST_ASSERT_EQ(vcpu_exits(hv, KVM_EXIT_HLT), 0, "HLTs that reached the VMM");
	vcpu_counts_print(hv);
	vcpu_counts_print(iv);
	vm_free(vm);
	if (json) {
		/*
		 * A HLT's latency starts at its exit, a little after the timer
		 * was armed (the TMICT write's own exit, the STI): it is at
		 * least 90% of the period; a slept-on ucall's, the whole sleep.
		 * The ucall is one OUT to the ucall port, the HLT no port at all.
		 */
		printf("slow_exit: PASS io=%u x %u ms hlts=%u x %u ms fast=%u\n", io, io_ms, hlts, hlt_ms, fast);
		printf("{\"tool\":\"slow_exit\",\"pid\":%d,\"fast\":%u,\"slow\":["
		       "{\"reasons\":\"IO_INSTRUCTION,IOIO\",\"vcpu\":%u,\"count\":%u,\"at_least_ns\":%llu,"
		       "\"key_kind\":\"port\",\"key_value\":%u,\"key_dir\":\"out\"},"
		       "{\"reasons\":\"HLT\",\"vcpu\":%u,\"count\":%u,\"at_least_ns\":%llu,"
		       "\"key_kind\":\"none\"}]}\n",
		       (int)getpid(), fast, SLOW_IO_VCPU_ID, io, (unsigned long long)io_ms * 1000000ULL,
		       VMM_UCALL_PORT, SLOW_HLT_VCPU_ID, hlts, (unsigned long long)hlt_ms * 900000ULL);
		fflush(stdout);
		exit(KSFT_PASS);
	}
	vmm_test_pass("io=%u x %u ms hlts=%u x %u ms fast=%u", io, io_ms, hlts, hlt_ms, fast);
}
