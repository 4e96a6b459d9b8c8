// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_smoke - check that the test VMM and KVM count exits exactly.
 *
 * Each vCPU's guest runs N CPUID, N OUT, N IN and N HLT.  CPUID must stay
 * in the kernel (KVM answers it from the table we gave it, with a leaf we
 * planted); every OUT, IN and HLT must reach us exactly once, in order.
 * Counters are checked after each phase, per vCPU.
 *
 * USAGE: kvm_smoke [-n N] [-c VCPUS] [-t SECONDS] [-v]
 * Last line: "kvm_smoke: PASS cpuid=N io_out=N io_in=N hlt=N vcpus=C"
 * (counts per vCPU), or FAIL/SKIP with the reason; exit 0, 1 or 4.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"
#include "kvm_smoke.h"

VMM_GUEST_DECLARE(kvm_smoke_guest);

static const char *const stage_names[SMOKE_STAGES + 1] = {
	[0] = "start",
	[SMOKE_STAGE_CPUID] = "cpuid",
	[SMOKE_STAGE_OUT] = "out",
	[SMOKE_STAGE_IN] = "in",
	[SMOKE_STAGE_HLT] = "hlt",
	[SMOKE_STAGES] = "done",
};

/* Per-vCPU host state; each entry is touched only by its vCPU's thread. */
struct smoke_vcpu {
	uint32_t out_seen;
	uint32_t in_served;
	uint32_t stage;			/* last stage synced */
	uint64_t cpuid_checked;		/* as reported by the guest */
	uint64_t io_out, io_in, hlt;	/* exits counted by the VMM, at the end */
	struct timespec t_last;
	double ns_each[SMOKE_STAGES];
	double cycles_each[SMOKE_STAGES];
};

static uint32_t iterations = 1000;
static struct smoke_vcpu state[VMM_MAX_VCPUS];

static double elapsed_ns(struct timespec *last)
{
	struct timespec now;
	double ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - last->tv_sec) * 1e9 + (now.tv_nsec - last->tv_nsec);
	*last = now;
	return ns;
}

static void smoke_io(struct vmm_vcpu *vcpu, uint16_t port, bool in,
		     unsigned int size, void *data)
{
	unsigned int idx = vcpu_index(vcpu);
	struct smoke_vcpu *s = &state[idx];
	uint32_t v;

	TEST_ASSERT(port == SMOKE_PORT && size == 4,
		    "unexpected %s of %u bytes on port 0x%x", in ? "IN" : "OUT", size, port);
	if (in) {
		v = smoke_in_value(idx, s->in_served++);
		memcpy(data, &v, sizeof(v));
		return;
	}
	memcpy(&v, data, sizeof(v));
	TEST_ASSERT_EQ(v, smoke_out_value(idx, s->out_seen), "OUT #%u on port 0x%x",
		       s->out_seen, SMOKE_PORT);
	s->out_seen++;
}

/*
 * Exact counts once @stage is complete.  Every exit to userspace so far
 * must be a ucall or a workload OUT/IN/HLT: in particular, none for the
 * N CPUIDs, which KVM must have answered in the kernel.
 */
static void check_counts(struct vmm_vcpu *vcpu, uint32_t stage)
{
	const struct vmm_counts *c = vcpu_counts(vcpu);
	uint64_t n_out = stage >= SMOKE_STAGE_OUT ? iterations : 0;
	uint64_t n_in = stage >= SMOKE_STAGE_IN ? iterations : 0;
	uint64_t n_hlt = stage >= SMOKE_STAGE_HLT ? iterations : 0;

	TEST_ASSERT_EQ(vcpu_io_exits(vcpu, SMOKE_PORT, VMM_IO_OUT), n_out,
		       "KVM_EXIT_IO out on port 0x%x", SMOKE_PORT);
	TEST_ASSERT_EQ(vcpu_io_exits(vcpu, SMOKE_PORT, VMM_IO_IN), n_in,
		       "KVM_EXIT_IO in on port 0x%x", SMOKE_PORT);
	TEST_ASSERT_EQ(vcpu_exits(vcpu, KVM_EXIT_HLT), n_hlt, "KVM_EXIT_HLT");
	TEST_ASSERT_EQ(vcpu_exits(vcpu, KVM_EXIT_IO), c->ucalls + n_out + n_in,
		       "KVM_EXIT_IO on all ports (%" PRIu64 " ucalls)", c->ucalls);
	TEST_ASSERT_EQ(c->runs, vcpu_exits(vcpu, KVM_EXIT_IO) + n_hlt,
		       "exits to userspace (any reason besides IO and HLT is unexpected)");
}

static void smoke_sync(struct vmm_vcpu *vcpu, const struct vmm_ucall *uc)
{
	struct smoke_vcpu *s = &state[vcpu_index(vcpu)];
	uint64_t stage = uc->args[0];

	TEST_ASSERT_EQ(stage, s->stage + 1, "SYNC stage from the guest");
	s->stage = (uint32_t)stage;
	vmm_step("end of %s phase", stage_names[stage]);
	TEST_ASSERT_EQ(uc->args[1], iterations, "iterations the guest ran");
	if (stage == SMOKE_STAGE_CPUID)
		s->cpuid_checked = uc->args[1];
	s->ns_each[stage] = elapsed_ns(&s->t_last) / iterations;
	s->cycles_each[stage] = (double)uc->args[2] / iterations;
	check_counts(vcpu, s->stage);
	vmm_step("%s phase", stage_names[stage + 1]);
}

static void report_vcpu(struct vmm_vcpu *vcpu, bool verbose)
{
	struct smoke_vcpu *s = &state[vcpu_index(vcpu)];
	unsigned int st;

	for (st = SMOKE_STAGE_CPUID; st < SMOKE_STAGES; st++)
		printf("vcpu%u: %-5s x%u: %8.0f ns, %8.0f guest TSC cycles each%s\n",
		       vcpu_index(vcpu), stage_names[st], iterations, s->ns_each[st],
		       s->cycles_each[st], st == SMOKE_STAGE_CPUID ? " (in kernel)" : "");
	if (verbose)
		vcpu_counts_print(vcpu);
}

static void check_vcpu_done(struct vmm_vcpu *vcpu)
{
	struct smoke_vcpu *s = &state[vcpu_index(vcpu)];
	uint64_t result;

	vmm_step("vcpu %u after DONE", vcpu_index(vcpu));
	TEST_ASSERT(vcpu_done(vcpu, &result), "vcpu %u did not finish", vcpu_index(vcpu));
	TEST_ASSERT_EQ(result, iterations, "vcpu %u DONE value", vcpu_index(vcpu));
	TEST_ASSERT_EQ(s->stage, SMOKE_STAGE_HLT, "vcpu %u phases synced", vcpu_index(vcpu));
	TEST_ASSERT_EQ(s->out_seen, iterations, "vcpu %u OUT values seen", vcpu_index(vcpu));
	TEST_ASSERT_EQ(s->in_served, iterations, "vcpu %u IN values served", vcpu_index(vcpu));
	check_counts(vcpu, SMOKE_STAGE_HLT);
	s->io_out = vcpu_io_exits(vcpu, SMOKE_PORT, VMM_IO_OUT);
	s->io_in = vcpu_io_exits(vcpu, SMOKE_PORT, VMM_IO_IN);
	s->hlt = vcpu_exits(vcpu, KVM_EXIT_HLT);
}

static void plant_cpuid(struct vmm_vm *vm)
{
	struct kvm_cpuid_entry2 e = {
		.function = SMOKE_CPUID_LEAF,
		.eax = SMOKE_CPUID_EAX,
		.ebx = SMOKE_CPUID_EBX,
		.ecx = SMOKE_CPUID_ECX,
		.edx = SMOKE_CPUID_EDX,
	};

	vm_cpuid_set(vm, &e);
}

/* A bad command line still ends with the machine-readable FAIL line. */
static void __attribute__((noreturn)) usage(const char *prog, const char *why)
{
	printf("usage: %s [-n ITERATIONS] [-c VCPUS] [-t SECONDS] [-v]\n"
	       "  -n  CPUID, OUT, IN and HLT each per vCPU (default 1000, max %u)\n"
	       "  -c  vCPUs, each in its own thread (default 1, max %d)\n"
	       "  -t  fail if not finished after SECONDS (default: wait forever)\n"
	       "  -v  print every exit counter\n",
	       prog, SMOKE_MAX_ITERATIONS, VMM_MAX_VCPUS);
	if (!why)
		exit(KSFT_PASS);
	printf("kvm_smoke: FAIL usage: %s\n", why);
	exit(KSFT_FAIL);
}

static unsigned long parse_num(const char *prog, char opt, const char *arg,
			       unsigned long max)
{
	char why[96];
	unsigned long v = vmm_parse_count(opt, arg, max, why, sizeof(why));

	if (!v)
		usage(prog, why);
	return v;
}

int main(int argc, char **argv)
{
	struct vmm_vm_opts opts = { .guest = VMM_GUEST(kvm_smoke_guest), .nr_vcpus = 1 };
	struct vmm_handlers h = { .io = smoke_io, .sync = smoke_sync };
	struct smoke_params *p;
	struct vmm_vm *vm;
	bool verbose = false;
	unsigned int timeout = 0;
	unsigned int i;
	int opt;

	vmm_test_init("kvm_smoke");
	while ((opt = getopt(argc, argv, "n:c:t:vh")) != -1) {
		switch (opt) {
		case 'n':
			iterations = parse_num(argv[0], 'n', optarg, SMOKE_MAX_ITERATIONS);
			break;
		case 'c':
			opts.nr_vcpus = parse_num(argv[0], 'c', optarg, VMM_MAX_VCPUS);
			break;
		case 't':
			timeout = parse_num(argv[0], 't', optarg, 86400);
			break;
		case 'v':
			verbose = true;
			break;
		case 'h':
			usage(argv[0], NULL);
		default:
			usage(argv[0], "unknown option");
		}
	}
	if (optind < argc)
		usage(argv[0], "unexpected argument");

	vmm_step("VM setup");
	vm = vm_create(&opts);
	p = vm_gpa_to_hva(vm, SMOKE_PARAMS_GPA, sizeof(*p));
	p->iterations = iterations;
	plant_cpuid(vm);
	vm_set_handlers(vm, &h);

	printf("kvm_smoke: %u vCPU(s), %u each of CPUID 0x%x, OUT/IN port 0x%x, HLT\n",
	       opts.nr_vcpus, iterations, SMOKE_CPUID_LEAF, SMOKE_PORT);
	for (i = 0; i < opts.nr_vcpus; i++)
		clock_gettime(CLOCK_MONOTONIC, &state[i].t_last);
	vmm_step("run");
	vm_watchdog(vm, timeout);
	vm_run(vm);

	for (i = 0; i < opts.nr_vcpus; i++) {
		check_vcpu_done(vm_vcpu(vm, i));
		report_vcpu(vm_vcpu(vm, i), verbose);
	}
	vm_free(vm);
	vmm_step("%s", "");
	/* all vCPUs were checked to have the same counts: print vcpu 0's */
	vmm_test_pass("cpuid=%" PRIu64 " io_out=%" PRIu64 " io_in=%" PRIu64
		      " hlt=%" PRIu64 " vcpus=%u",
		      state[0].cpuid_checked, state[0].io_out, state[0].io_in,
		      state[0].hlt, opts.nr_vcpus);
}
