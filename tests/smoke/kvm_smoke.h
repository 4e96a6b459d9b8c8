/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm_smoke.h - what kvm_smoke and its guest agree on.
 */
#ifndef KVM_SMOKE_H
#define KVM_SMOKE_H

#include <stdint.h>

#include "vmm_abi.h"

/* Workload port: nothing in KVM claims it, so every access exits to us. */
#define SMOKE_PORT		0x5c10

/*
 * The host replaces KVM's hypervisor leaf with this signature, so a guest
 * reading it back proves KVM answered CPUID from our table, in the kernel.
 * EAX keeps its meaning (highest hypervisor leaf).
 */
#define SMOKE_CPUID_LEAF	0x40000000U
#define SMOKE_CPUID_EAX		0x40000001U
#define SMOKE_CPUID_EBX		0x74697845U	/* "Exit" */
#define SMOKE_CPUID_ECX		0x6b6f6d53U	/* "Smok" */
#define SMOKE_CPUID_EDX		0x4d4d5665U	/* "eVMM" */

/* Iterations fit the low 24 bits of the port values below. */
#define SMOKE_MAX_ITERATIONS	10000000U

struct smoke_params {
	uint32_t iterations;	/* per vCPU, per instruction kind */
};

#define SMOKE_PARAMS_GPA	VMM_DATA_GPA

/* guest_sync(stage, count, guest TSC cycles, 0) after each phase */
enum smoke_stage {
	SMOKE_STAGE_CPUID = 1,
	SMOKE_STAGE_OUT,
	SMOKE_STAGE_IN,
	SMOKE_STAGE_HLT,
	SMOKE_STAGES,
};

/*
 * Values on the port name the vCPU and the iteration: a lost or swapped
 * access shows up as a mismatch, not only as a wrong count.
 */
static inline uint32_t smoke_out_value(uint32_t vcpu, uint32_t i)
{
	return ((0xa0U | vcpu) << 24) | (i & 0xffffffU);
}

static inline uint32_t smoke_in_value(uint32_t vcpu, uint32_t i)
{
	return ((0x50U | vcpu) << 24) | (i & 0xffffffU);
}

#endif /* KVM_SMOKE_H */
