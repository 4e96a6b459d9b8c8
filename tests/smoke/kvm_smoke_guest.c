// SPDX-License-Identifier: GPL-2.0
/*
 * kvm_smoke_guest.c - guest of kvm_smoke: N CPUID, N OUT, N IN, N HLT.
 *
 * Each phase ends with a SYNC so the host can check its counters at that
 * point; the values are checked on both sides.
 */
#include "guest.h"
#include "kvm_smoke.h"

static void check_cpuid(uint32_t i)
{
	struct guest_cpuid r;

	cpuid(SMOKE_CPUID_LEAF, 0, &r);
	if (r.eax != SMOKE_CPUID_EAX || r.ebx != SMOKE_CPUID_EBX ||
	    r.ecx != SMOKE_CPUID_ECX || r.edx != SMOKE_CPUID_EDX)
		GUEST_FAIL("CPUID 0x%x #%u: got %08x %08x %08x %08x, want %08x %08x %08x %08x",
			   SMOKE_CPUID_LEAF, i, r.eax, r.ebx, r.ecx, r.edx,
			   SMOKE_CPUID_EAX, SMOKE_CPUID_EBX, SMOKE_CPUID_ECX,
			   SMOKE_CPUID_EDX);
}

static void phase_done(enum smoke_stage stage, uint32_t n, uint64_t t0)
{
	guest_sync(stage, n, rdtsc() - t0, 0);
}

void guest_main(uint32_t vcpu, struct vmm_mailbox *mb)
{
	const volatile struct smoke_params *p = (const void *)SMOKE_PARAMS_GPA;
	uint32_t n = p->iterations, i;
	uint64_t t0;

	GUEST_ASSERT(mb == guest_mailbox());
	GUEST_ASSERT_EQ(mb->vcpu, vcpu);

	t0 = rdtsc();
	for (i = 0; i < n; i++)
		check_cpuid(i);
	phase_done(SMOKE_STAGE_CPUID, n, t0);

	t0 = rdtsc();
	for (i = 0; i < n; i++)
		outl(SMOKE_PORT, smoke_out_value(vcpu, i));
	phase_done(SMOKE_STAGE_OUT, n, t0);

	t0 = rdtsc();
	for (i = 0; i < n; i++) {
		uint32_t v = inl(SMOKE_PORT);

		if (v != smoke_in_value(vcpu, i))
			GUEST_FAIL("IN #%u from port 0x%x: got 0x%08x, want 0x%08x",
				   i, SMOKE_PORT, v, smoke_in_value(vcpu, i));
	}
	phase_done(SMOKE_STAGE_IN, n, t0);

	t0 = rdtsc();
	for (i = 0; i < n; i++)
		hlt();
	phase_done(SMOKE_STAGE_HLT, n, t0);

	guest_done(n);
}
