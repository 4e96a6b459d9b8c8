/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_probe.h - what exit_probe and its guest agree on.
 *
 * One block of guest RAM at PROBE_GPA (VMM_DATA_GPA) holds everything the
 * two sides share: the host's parameters, the guest's per-vCPU instruction
 * counters and rendezvous flags, and vCPU 0's two readouts of the patch
 * counters.  Like vmm_abi.h, only fixed-width types, every 64-bit field at
 * an 8-byte offset, and static asserts that fail if the 32-bit guest and
 * the 64-bit host would lay a structure out differently.
 */
#ifndef EXIT_PROBE_H
#define EXIT_PROBE_H

#include <stdint.h>

#include "vmm_abi.h"

/*
 * What the guest counts: one counter per instruction that exits, bumped
 * right next to the instruction.  The first PROBE_NR_KINDS are the
 * workloads -k selects, in the order the guest runs them; UCALL_OUT is the
 * OUT of each of the guest's own ucalls (vmm_abi.h), which exits too.
 * CPUID also counts the discovery leaf and every readout CPUID.
 */
enum probe_counter {
	PROBE_CPUID,
	PROBE_PIO_OUT,
	PROBE_PIO_IN,
	PROBE_HLT,
	PROBE_MMIO_READ,
	PROBE_MMIO_WRITE,
	PROBE_MSR_READ,
	PROBE_MSR_WRITE,
	PROBE_HYPERCALL,
	PROBE_NR_KINDS,
	PROBE_UCALL_OUT = PROBE_NR_KINDS,
	PROBE_NR_COUNTERS,
};

#define PROBE_KIND(k)		(1U << (k))
#define PROBE_KINDS_MMIO	(PROBE_KIND(PROBE_MMIO_READ) | PROBE_KIND(PROBE_MMIO_WRITE))

/* Workload port: like kvm_smoke's, nothing in KVM claims it. */
#define PROBE_PORT		0x5c20

/* Each vCPU reads and writes its own dword of the unbacked MMIO page. */
#define PROBE_MMIO_ADDR(vcpu)	(VMM_MMIO_GPA + 4U * (uint32_t)(vcpu))

/* Not a hypercall KVM knows: answered -KVM_ENOSYS in the kernel. */
#define PROBE_HC_NR		0x70726f62U	/* "prob" */
#define PROBE_KVM_ENOSYS	1000

/* Values fit the low 24 bits of the data below; MSR values stay 32-bit. */
#define PROBE_MAX_ITERATIONS	10000000U
#define PROBE_MAX_VCPUS		8

/* Reasons read per readout; the larger table (SVM) has fewer than 200. */
#define PROBE_MAX_REASONS	256

enum probe_vendor {
	PROBE_VENDOR_OTHER,
	PROBE_VENDOR_INTEL,	/* VMX, VMCALL */
	PROBE_VENDOR_AMD,	/* SVM, VMMCALL; Hygon too */
};

/*
 * Data on the workload port and the MMIO dword: vCPU and the guest's own
 * count of that access so far, so a lost or reordered access is a
 * mismatch on one side or the other.
 */
static inline uint32_t probe_value(uint32_t tag, uint32_t vcpu, uint64_t count)
{
	return ((tag | vcpu) << 24) | ((uint32_t)count & 0xffffffU);
}

#define PROBE_TAG_OUT		0xa0U
#define PROBE_TAG_IN		0x50U
#define PROBE_TAG_MMIO_W	0xc0U
#define PROBE_TAG_MMIO_R	0x30U

/* Written by the host before the first run; read-only to the guest. */
struct probe_params {
	uint32_t iterations;		/* vCPU 0's, per selected kind */
	uint32_t kinds;			/* PROBE_KIND() mask */
	uint32_t nr_vcpus;
	uint32_t vendor;		/* enum probe_vendor */
	uint32_t msr;			/* the MSR msr_read/msr_write use */
	uint32_t msr_write_back;	/* 1: write what was read (no free bits) */
	uint32_t nr_reasons;
	uint32_t vcpu_step;		/* vCPU i runs iterations + i * this */
	uint32_t reasons[PROBE_MAX_REASONS];	/* defined codes, readout order */
};

/*
 * One vCPU's counters and flags.  Only that vCPU writes them; vCPU 0 reads
 * the counters while the owner spins after setting a flag, so they are
 * stable.  A cache line each keeps the spinners off each other's lines.
 */
struct probe_vcpu {
	uint64_t count[PROBE_NR_COUNTERS];
	uint32_t ready;			/* up, warmed up, waiting for release 1 */
	uint32_t done;			/* workloads done, waiting for release 2 */
	uint32_t pad[10];
};

/* One reason in a readout. */
struct probe_reason {
	uint32_t code;
	uint32_t edx;			/* EXIT_STATS_UNDEFINED: KVM does not define it */
	uint32_t exits_seq;		/* position of its 0x4ffffffe CPUID in the readout */
	uint32_t cycles_seq;		/* position of its 0x4fffffff CPUID */
	uint64_t exits;
	uint64_t cycles;
};

/*
 * One pass over the counter leaves by vCPU 0: total exits, total cycles,
 * then exits and cycles of each reason in params order.  Positions count
 * the readout's CPUIDs from 0; @cpuids is how many it made in all.
 */
struct probe_readout {
	uint32_t cpuids;
	uint32_t total_exits_seq;
	uint32_t total_cycles_seq;
	uint32_t nr_reasons;
	uint64_t total_exits;
	uint64_t total_cycles;
	/* guest counters, all vCPUs summed, just before the first CPUID */
	uint64_t before[PROBE_NR_COUNTERS];
	struct probe_reason r[PROBE_MAX_REASONS];
};

enum probe_release {
	PROBE_RELEASE_NONE,
	PROBE_RELEASE_WORK,		/* start readout taken: run the workloads */
	PROBE_RELEASE_DONE,		/* end readout taken: report DONE */
};

struct probe_shared {
	struct probe_params p;
	uint32_t release;		/* enum probe_release, written by vCPU 0 */
	uint32_t abi;			/* discovery leaf carried the signature */
	uint32_t disc[4];		/* discovery leaf EAX, EBX, ECX, EDX */
	uint32_t pad[18];		/* vcpu[] on 128-byte boundaries */
	struct probe_vcpu vcpu[PROBE_MAX_VCPUS];
	struct probe_readout start, end;
};

#define PROBE_GPA		VMM_DATA_GPA

/* What vCPU @vcpu runs of each selected kind: vCPUs can differ, so a
 * tracer filtered to one vCPU is seen to count that one. */
static inline uint32_t probe_iterations(const struct probe_params *p, uint32_t vcpu)
{
	return p->iterations + vcpu * p->vcpu_step;
}

_Static_assert(sizeof(struct probe_params) == 32 + 4 * PROBE_MAX_REASONS,
	       "probe_params layout differs between host and guest");
_Static_assert(sizeof(struct probe_vcpu) == 128,
	       "probe_vcpu layout differs between host and guest");
_Static_assert(sizeof(struct probe_reason) == 32,
	       "probe_reason layout differs between host and guest");
_Static_assert(__builtin_offsetof(struct probe_readout, r) ==
	       32 + 8 * PROBE_NR_COUNTERS,
	       "probe_readout layout differs between host and guest");
_Static_assert(__builtin_offsetof(struct probe_shared, vcpu) ==
	       sizeof(struct probe_params) + 96,
	       "probe_shared layout differs between host and guest");
_Static_assert(sizeof(struct probe_shared) ==
	       sizeof(struct probe_params) + 96 +
	       PROBE_MAX_VCPUS * sizeof(struct probe_vcpu) +
	       2 * sizeof(struct probe_readout),
	       "probe_shared layout differs between host and guest");
_Static_assert(PROBE_GPA + sizeof(struct probe_shared) <= VMM_RAM_SIZE_DEFAULT,
	       "shared block does not fit the default RAM");

#endif /* EXIT_PROBE_H */
