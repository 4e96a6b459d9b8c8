// SPDX-License-Identifier: GPL-2.0
/*
 * exit_probe_guest.c - guest of exit_probe: a known mix of exits on each
 * vCPU, every exiting instruction counted in shared memory, bracketed by
 * two readouts of the patch's exit counters taken by vCPU 0.
 *
 *   vCPU 0                              vCPU 1..n-1
 *   discovery CPUID, warm-up            warm-up
 *   wait until every ready is set       ready = 1, spin until WORK
 *   start readout, release = WORK
 *   workloads                           workloads
 *   wait until every done is set        done = 1, spin until DONE
 *   end readout, release = DONE
 *   DONE ucall                          DONE ucall
 *
 * The spins are plain loads, without PAUSE (which may exit): while vCPU 0
 * reads the counters, the only instructions that exit anywhere in the VM
 * are its own CPUIDs.  They do let the host's interrupts in (see spin()).
 *
 * Nothing here executes an exiting instruction without counting it: no
 * guest_vendor() (a hidden CPUID; the host passes the vendor in), no
 * printing, and the only ucall is the final DONE, counted first (a failed
 * GUEST_FAIL check ends the test anyway).
 */
#include "guest.h"
#include "exit_stats_abi.h"
#include "exit_probe.h"

#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#define WRITE_ONCE(x, v)	(*(volatile __typeof__(x) *)&(x) = (v))

#define PAGE_SIZE		4096U

static inline void barrier(void)
{
	asm volatile("" : : : "memory");
}

/* guest.ld: end of the image, bss included */
extern char _end[];

static struct probe_shared *const sh = (struct probe_shared *)PROBE_GPA;

/* --- counted instructions ------------------------------------------------- */

static void p_cpuid(struct probe_vcpu *me, uint32_t leaf, uint32_t subleaf,
		    struct guest_cpuid *r)
{
	me->count[PROBE_CPUID]++;
	cpuid(leaf, subleaf, r);
}

static uint64_t p_rdmsr(struct probe_vcpu *me, uint32_t msr)
{
	me->count[PROBE_MSR_READ]++;
	return rdmsr(msr);
}

static void __attribute__((noreturn)) p_done(struct probe_vcpu *me, uint64_t result)
{
	me->count[PROBE_UCALL_OUT]++;
	guest_done(result);
}

/* --- warm-up ---------------------------------------------------------------- */

/*
 * Guest RAM is mapped by KVM on first touch, so the first access to each
 * page is an EPT violation (VMX) or NPF (SVM) exit, and a first read of a
 * page the host never wrote maps the zero page read-only, so the first
 * write exits again.  Touching every page the run uses, for writing where
 * it writes, keeps those exits out of the window between the readouts.
 * "lock add $0" writes without changing anything, so it cannot undo a
 * flag another vCPU sets on the same page at the same time.
 */
static void touch_read(const void *start, uint32_t len)
{
	uint32_t a = (uint32_t)start & ~(PAGE_SIZE - 1);

	for (; a < (uint32_t)start + len; a += PAGE_SIZE)
		(void)READ_ONCE(*(const uint32_t *)a);
}

static void touch_write(void *start, uint32_t len)
{
	uint32_t a = (uint32_t)start & ~(PAGE_SIZE - 1);

	for (; a < (uint32_t)start + len; a += PAGE_SIZE)
		asm volatile("lock addl $0, %0" : "+m"(*(uint32_t *)a) : : "memory");
}

static void warm_up(uint32_t vcpu, struct probe_vcpu *me, struct vmm_mailbox *mb)
{
	uint32_t kinds = sh->p.kinds;

	touch_read((const void *)VMM_GUEST_GPA, (uint32_t)_end - VMM_GUEST_GPA);
	touch_write(sh, sizeof(*sh));
	touch_write(mb, sizeof(*mb));
	/* the stack page below the one in use, in case a call reaches it */
	touch_write((void *)(VMM_STACK_TOP(vcpu) - 2 * PAGE_SIZE), PAGE_SIZE);

	/*
	 * On VMX the first access to an unbacked GPA is an EPT violation,
	 * after which KVM has an MMIO SPTE there and every further access
	 * is an EPT misconfiguration: have that first one now.  Counted as
	 * any other access; the host serves and checks it the same way.
	 */
	if (kinds & PROBE_KIND(PROBE_MMIO_READ)) {
		uint64_t c = me->count[PROBE_MMIO_READ]++;
		uint32_t v = mmio_read32(PROBE_MMIO_ADDR(vcpu));

		if (v != probe_value(PROBE_TAG_MMIO_R, vcpu, c))
			GUEST_FAIL("warm-up MMIO read: got 0x%08x, want 0x%08x",
				   v, probe_value(PROBE_TAG_MMIO_R, vcpu, c));
	}
	if (kinds & PROBE_KIND(PROBE_MMIO_WRITE)) {
		uint64_t c = me->count[PROBE_MMIO_WRITE]++;

		mmio_write32(PROBE_MMIO_ADDR(vcpu), probe_value(PROBE_TAG_MMIO_W, vcpu, c));
	}
}

/* --- workloads -------------------------------------------------------------- */

static void run_cpuid(struct probe_vcpu *me, uint32_t n)
{
	struct guest_cpuid first, r;
	uint32_t i;

	for (i = 0; i < n; i++) {
		p_cpuid(me, 0, 0, &r);
		if (!i)
			first = r;
		else if (memcmp(&r, &first, sizeof(r)))
			GUEST_FAIL("CPUID 0 #%u: got %08x %08x %08x %08x, first %08x %08x %08x %08x",
				   i, r.eax, r.ebx, r.ecx, r.edx,
				   first.eax, first.ebx, first.ecx, first.edx);
	}
}

static void run_pio_out(uint32_t vcpu, struct probe_vcpu *me, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t c = me->count[PROBE_PIO_OUT]++;

		outl(PROBE_PORT, probe_value(PROBE_TAG_OUT, vcpu, c));
	}
}

static void run_pio_in(uint32_t vcpu, struct probe_vcpu *me, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t c = me->count[PROBE_PIO_IN]++;
		uint32_t v = inl(PROBE_PORT);

		if (v != probe_value(PROBE_TAG_IN, vcpu, c))
			GUEST_FAIL("IN #%u from port 0x%x: got 0x%08x, want 0x%08x",
				   i, PROBE_PORT, v, probe_value(PROBE_TAG_IN, vcpu, c));
	}
}

static void run_hlt(struct probe_vcpu *me, uint32_t n)
{
	uint32_t i;

	/* IF is clear and there is no irqchip: each HLT exits to the host */
	for (i = 0; i < n; i++) {
		me->count[PROBE_HLT]++;
		hlt();
	}
}

static void run_mmio_read(uint32_t vcpu, struct probe_vcpu *me, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t c = me->count[PROBE_MMIO_READ]++;
		uint32_t v = mmio_read32(PROBE_MMIO_ADDR(vcpu));

		if (v != probe_value(PROBE_TAG_MMIO_R, vcpu, c))
			GUEST_FAIL("MMIO read #%u at 0x%x: got 0x%08x, want 0x%08x", i,
				   PROBE_MMIO_ADDR(vcpu), v, probe_value(PROBE_TAG_MMIO_R, vcpu, c));
	}
}

static void run_mmio_write(uint32_t vcpu, struct probe_vcpu *me, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		uint64_t c = me->count[PROBE_MMIO_WRITE]++;

		mmio_write32(PROBE_MMIO_ADDR(vcpu), probe_value(PROBE_TAG_MMIO_W, vcpu, c));
	}
}

static void run_msr_read(struct probe_vcpu *me, uint32_t n)
{
	uint32_t msr = sh->p.msr, i;
	uint64_t first = 0, v;

	/* nothing writes the MSR meanwhile: every read must agree */
	for (i = 0; i < n; i++) {
		v = p_rdmsr(me, msr);
		if (!i)
			first = v;
		else if (v != first)
			GUEST_FAIL("RDMSR 0x%x #%u: got 0x%llx, first 0x%llx", msr, i,
				   (unsigned long long)v, (unsigned long long)first);
	}
}

static void run_msr_write(uint32_t vcpu, struct probe_vcpu *me, uint32_t n)
{
	uint32_t msr = sh->p.msr, i;
	uint64_t v = 0;

	/* An MSR without free bits gets its own value back: one counted read. */
	if (sh->p.msr_write_back)
		v = p_rdmsr(me, msr);
	for (i = 0; i < n; i++) {
		uint64_t c = me->count[PROBE_MSR_WRITE]++;

		wrmsr(msr, sh->p.msr_write_back ? v : probe_value(PROBE_TAG_OUT, vcpu, c));
	}
}

static void run_hypercall(struct probe_vcpu *me, uint32_t n)
{
	bool amd = sh->p.vendor == PROBE_VENDOR_AMD;
	uint32_t i;
	long r;

	/*
	 * The vendor's own instruction: the other one would #UD and have
	 * KVM patch the code, exits of other reasons.
	 */
	for (i = 0; i < n; i++) {
		me->count[PROBE_HYPERCALL]++;
		if (amd)
			r = vmmcall(PROBE_HC_NR, 0, 0, 0, 0);
		else
			r = vmcall(PROBE_HC_NR, 0, 0, 0, 0);
		if (r != -PROBE_KVM_ENOSYS)
			GUEST_FAIL("hypercall 0x%x #%u: got %ld, want -KVM_ENOSYS (%d)",
				   PROBE_HC_NR, i, r, -PROBE_KVM_ENOSYS);
	}
}

static void run_workloads(uint32_t vcpu, struct probe_vcpu *me)
{
	uint32_t kinds = sh->p.kinds, n = probe_iterations(&sh->p, vcpu);

	if (kinds & PROBE_KIND(PROBE_CPUID))
		run_cpuid(me, n);
	if (kinds & PROBE_KIND(PROBE_PIO_OUT))
		run_pio_out(vcpu, me, n);
	if (kinds & PROBE_KIND(PROBE_PIO_IN))
		run_pio_in(vcpu, me, n);
	if (kinds & PROBE_KIND(PROBE_HLT))
		run_hlt(me, n);
	if (kinds & PROBE_KIND(PROBE_MMIO_READ))
		run_mmio_read(vcpu, me, n);
	if (kinds & PROBE_KIND(PROBE_MMIO_WRITE))
		run_mmio_write(vcpu, me, n);
	if (kinds & PROBE_KIND(PROBE_MSR_READ))
		run_msr_read(me, n);
	if (kinds & PROBE_KIND(PROBE_MSR_WRITE))
		run_msr_write(vcpu, me, n);
	if (kinds & PROBE_KIND(PROBE_HYPERCALL))
		run_hypercall(me, n);
}

/* --- rendezvous ------------------------------------------------------------ */

/*
 * Wait for *@p >= @v with loads only.  The wait needs another vCPU's
 * thread to run, and with fewer host CPUs than vCPUs only the host's
 * timer interrupt, which exits, gets it scheduled.  KVM makes external
 * interrupts exit whatever the guest's IF, but Bochs' VMX does not while
 * IF is clear (the vCPU spins on and the host hangs): hence STI.  With no
 * irqchip KVM never injects an interrupt, so the guest never takes one.
 */
static void spin(const uint32_t *p, uint32_t v)
{
	sti();
	while (READ_ONCE(*p) < v)
		;
	cli();
}

/* --- readouts (vCPU 0) ------------------------------------------------------ */

/* Every vCPU's counters, summed; the others are spinning, so they hold. */
static void snapshot(uint64_t *sum)
{
	uint32_t i, k;

	for (k = 0; k < PROBE_NR_COUNTERS; k++)
		sum[k] = 0;
	for (i = 0; i < sh->p.nr_vcpus; i++)
		for (k = 0; k < PROBE_NR_COUNTERS; k++)
			sum[k] += READ_ONCE(sh->vcpu[i].count[k]);
}

/*
 * Each value read includes the CPUID exit that read it (the self-count
 * rule), so the host needs to know where in the pass each one was read:
 * the positions are recorded as the CPUIDs happen, not assumed.
 */
static void readout(struct probe_vcpu *me, struct probe_readout *ro)
{
	uint32_t seq = 0, i, nr = sh->p.nr_reasons;
	struct guest_cpuid r;

	snapshot(ro->before);
	ro->nr_reasons = 0;
	ro->cpuids = 0;
	if (!sh->abi)
		return;

	p_cpuid(me, EXIT_STATS_LEAF_TOTAL_EXITS, 0, &r);
	ro->total_exits = r.eax | (uint64_t)r.edx << 32;
	ro->total_exits_seq = seq++;
	p_cpuid(me, EXIT_STATS_LEAF_TOTAL_CYCLES, 0, &r);
	ro->total_cycles = (uint64_t)r.ebx << 32 | r.ecx;
	ro->total_cycles_seq = seq++;
	for (i = 0; i < nr; i++) {
		struct probe_reason *pr = &ro->r[i];

		pr->code = sh->p.reasons[i];
		p_cpuid(me, EXIT_STATS_LEAF_REASON_EXITS, pr->code, &r);
		pr->exits = r.eax | (uint64_t)r.ebx << 32;
		pr->edx = r.edx;
		pr->exits_seq = seq++;
		p_cpuid(me, EXIT_STATS_LEAF_REASON_CYCLES, pr->code, &r);
		pr->cycles = (uint64_t)r.ebx << 32 | r.ecx;
		pr->cycles_seq = seq++;
	}
	ro->nr_reasons = nr;
	ro->cpuids = seq;
}

static void discover(struct probe_vcpu *me)
{
	struct guest_cpuid r;

	p_cpuid(me, EXIT_STATS_LEAF_DISCOVERY, 0, &r);
	sh->disc[0] = r.eax;
	sh->disc[1] = r.ebx;
	sh->disc[2] = r.ecx;
	sh->disc[3] = r.edx;
	sh->abi = r.ebx == EXIT_STATS_SIGNATURE_EBX && r.ecx == EXIT_STATS_SIGNATURE_ECX &&
		  r.edx == EXIT_STATS_SIGNATURE_EDX;
}

static void vcpu0_main(struct probe_vcpu *me)
{
	uint32_t i;

	for (i = 1; i < sh->p.nr_vcpus; i++)
		spin(&sh->vcpu[i].ready, 1);
	readout(me, &sh->start);
	barrier();
	WRITE_ONCE(sh->release, PROBE_RELEASE_WORK);

	run_workloads(0, me);

	for (i = 1; i < sh->p.nr_vcpus; i++)
		spin(&sh->vcpu[i].done, 1);
	readout(me, &sh->end);
	barrier();
	WRITE_ONCE(sh->release, PROBE_RELEASE_DONE);
}

void guest_main(uint32_t vcpu, struct vmm_mailbox *mb)
{
	struct probe_vcpu *me = &sh->vcpu[vcpu];

	GUEST_ASSERT(vcpu < sh->p.nr_vcpus && vcpu < PROBE_MAX_VCPUS);
	GUEST_ASSERT(mb == guest_mailbox());

	if (!vcpu)
		discover(me);
	warm_up(vcpu, me, mb);

	if (!vcpu) {
		vcpu0_main(me);
	} else {
		barrier();
		WRITE_ONCE(me->ready, 1);
		spin(&sh->release, PROBE_RELEASE_WORK);
		run_workloads(vcpu, me);
		barrier();
		WRITE_ONCE(me->done, 1);
		spin(&sh->release, PROBE_RELEASE_DONE);
	}
	p_done(me, probe_iterations(&sh->p, vcpu));
}
