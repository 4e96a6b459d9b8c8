// SPDX-License-Identifier: GPL-2.0
/*
 * kvmcheck - does this host's KVM answer the exittrace CPUID leaves?
 *
 * Makes a tiny VM of its own through /dev/kvm: one vCPU in real mode
 * running "mov eax, 0x4ffffffb; xor ecx, ecx; cpuid; hlt", then reads the
 * registers the discovery leaf left.  scripts/install-kvm.sh runs it after
 * loading the patched modules (and after going back to the stock ones).
 *
 * Exit status: 0 the leaves answer (version and signature printed),
 * 2 KVM works but does not answer them (stock KVM, or exit_stats=off),
 * 1 KVM could not be used (the message says why).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "exit_stats_abi.h"

#define KVMCHECK_NO_LEAVES	2
#define GUEST_CODE_GPA		0x1000
#define GUEST_MEM_SIZE		0x1000

/* 16-bit code: 0x66 makes the moves and the xor 32-bit wide. */
static const uint8_t guest_code[] = {
	0x66, 0xb8, 0xfb, 0xff, 0xff, 0x4f,	/* mov eax, 0x4ffffffb */
	0x66, 0x31, 0xc9,			/* xor ecx, ecx */
	0x0f, 0xa2,				/* cpuid */
	0xf4,					/* hlt */
};

static int fail(const char *what)
{
	fprintf(stderr, "kvmcheck: %s: %s\n", what, strerror(errno));
	return 1;
}

static int open_kvm(void)
{
	int kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);

	if (kvm_fd >= 0)
		return kvm_fd;
	if (errno == ENOENT)
		fprintf(stderr, "kvmcheck: no /dev/kvm: KVM is not loaded (modprobe kvm_intel or kvm_amd)\n");
	else if (errno == EACCES)
		fprintf(stderr, "kvmcheck: /dev/kvm: permission denied (run as root, or join the kvm group)\n");
	else
		fail("open /dev/kvm");
	return -1;
}

/* Run the guest code to its HLT; the vCPU's registers are left in *regs. */
static int run_guest(int kvm_fd, struct kvm_regs *regs)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_run *run;
	int vm_fd, vcpu_fd, run_size;
	uint8_t *mem;

	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		return fail("KVM_CREATE_VM");
	mem = mmap(NULL, GUEST_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return fail("mmap guest memory");
	memcpy(mem, guest_code, sizeof(guest_code));
	region = (struct kvm_userspace_memory_region) {
		.slot = 0,
		.guest_phys_addr = GUEST_CODE_GPA,
		.memory_size = GUEST_MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail("KVM_SET_USER_MEMORY_REGION");

	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0)
		return fail("KVM_CREATE_VCPU");
	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (run_size < (int)sizeof(*run))
		return fail("KVM_GET_VCPU_MMAP_SIZE");
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED)
		return fail("mmap kvm_run");

	/* Real mode at CS:IP = 0:GUEST_CODE_GPA. */
	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs) < 0)
		return fail("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs) < 0)
		return fail("KVM_SET_SREGS");
	memset(regs, 0, sizeof(*regs));
	regs->rip = GUEST_CODE_GPA;
	regs->rflags = 0x2;	/* bit 1 is reserved and must be set */
	if (ioctl(vcpu_fd, KVM_SET_REGS, regs) < 0)
		return fail("KVM_SET_REGS");

	while (ioctl(vcpu_fd, KVM_RUN, 0) < 0) {
		if (errno != EINTR && errno != EAGAIN)
			return fail("KVM_RUN");
	}
	if (run->exit_reason != KVM_EXIT_HLT) {
		fprintf(stderr, "kvmcheck: the check VM stopped with KVM exit reason %u, not at its HLT\n",
			run->exit_reason);
		return 1;
	}
	if (ioctl(vcpu_fd, KVM_GET_REGS, regs) < 0)
		return fail("KVM_GET_REGS");
	return 0;
}

int main(int argc, char **argv)
{
	struct kvm_regs regs;
	char signature[13];
	uint32_t sig[3];
	int kvm_fd, api;

	if (argc > 1) {
		fprintf(stderr, "usage: %s\n"
			"  runs a tiny VM and reports whether KVM answers the exittrace\n"
			"  CPUID leaves (exit 0: yes, 2: no, 1: KVM unusable)\n", argv[0]);
		return 1;
	}
	kvm_fd = open_kvm();
	if (kvm_fd < 0)
		return 1;
	api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		fprintf(stderr, "kvmcheck: KVM API version %d, expected %d\n", api, KVM_API_VERSION);
		return 1;
	}
	if (run_guest(kvm_fd, &regs))
		return 1;

	sig[0] = (uint32_t)regs.rbx;
	sig[1] = (uint32_t)regs.rcx;
	sig[2] = (uint32_t)regs.rdx;
	memcpy(signature, sig, sizeof(sig));
	signature[12] = '\0';
	if (sig[0] != EXIT_STATS_SIGNATURE_EBX || sig[1] != EXIT_STATS_SIGNATURE_ECX ||
	    sig[2] != EXIT_STATS_SIGNATURE_EDX) {
		printf("kvmcheck: no exittrace leaves: CPUID 0x%x answered eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x "
		       "(stock KVM, or exit_stats=off)\n", EXIT_STATS_LEAF_DISCOVERY,
		       (uint32_t)regs.rax, sig[0], sig[1], sig[2]);
		return KVMCHECK_NO_LEAVES;
	}
	printf("kvmcheck: exittrace leaves present: CPUID 0x%x says \"%s\", ABI version %u\n",
	       EXIT_STATS_LEAF_DISCOVERY, signature, (uint32_t)regs.rax);
	return 0;
}
