// SPDX-License-Identifier: GPL-2.0
/*
 * slow_exit_guest.c - guest of slow_exit.  Both vCPUs make fast exits
 * (syncs the host answers at once, CPUIDs KVM answers) before and after
 * their slow ones: SLOW_IO_VCPU's syncs the host sleeps on, and
 * SLOW_HLT_VCPU's HLTs, each woken only by its LAPIC timer.
 *
 * The halting vCPU takes one interrupt, so it brings its own GDT (the
 * same flat selectors the host put in the segment caches) and an IDT
 * with one gate; the handler counts the interrupt and ends it (EOI).
 */
#include "guest.h"
#include "slow_exit.h"

#define APIC_BASE	0xfee00000U
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TDCR	0x3e0
#define APIC_SVR_ENABLE	0x100
#define APIC_TDCR_DIV1	0xb
#define TIMER_VECTOR	0x40

/* KVM's LAPIC counts at 1 GHz (one bus cycle a ns) unless told otherwise */
#define APIC_TICKS_PER_MS	1000000U

volatile uint32_t timer_irqs;

/* null, code (0x08: execute/read, 4 GiB, 32-bit), data (0x10: read/write) */
static const uint64_t gdt[3] = { 0, 0x00cf9b000000ffffULL, 0x00cf93000000ffffULL };

struct idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t zero;
	uint8_t type;		/* 0x8e: present, DPL 0, 32-bit interrupt gate */
	uint16_t offset_hi;
} __attribute__((packed));

static struct idt_gate idt[TIMER_VECTOR + 1];

struct table_register {
	uint16_t limit;
	uint32_t base;
} __attribute__((packed));

void timer_isr(void);
asm(".text\n"
    ".globl timer_isr\n"
    "timer_isr:\n"
    "	lock incl timer_irqs\n"
    "	movl $0, " "0xfee000b0" "\n"	/* APIC_BASE + APIC_EOI */
    "	iret\n");

static void setup_timer_irq(void)
{
	struct table_register g = { sizeof(gdt) - 1, (uint32_t)gdt };
	struct table_register i = { sizeof(idt) - 1, (uint32_t)idt };
	uint32_t isr = (uint32_t)timer_isr;

	idt[TIMER_VECTOR] = (struct idt_gate){ isr & 0xffff, 0x08, 0, 0x8e, isr >> 16 };
	asm volatile("lgdt %0\n\tlidt %1" : : "m"(g), "m"(i) : "memory");
	mmio_write32(APIC_BASE + APIC_SVR, APIC_SVR_ENABLE | 0xff);
	mmio_write32(APIC_BASE + APIC_TDCR, APIC_TDCR_DIV1);
	mmio_write32(APIC_BASE + APIC_LVTT, TIMER_VECTOR);	/* one-shot, unmasked */
}

/* One HLT that only the timer, @ms from now, ends. */
static void long_hlt(uint32_t ms)
{
	uint32_t before = timer_irqs;

	mmio_write32(APIC_BASE + APIC_TMICT, ms * APIC_TICKS_PER_MS);
	/* STI's shadow: no interrupt between it and the HLT */
	asm volatile("sti\n\thlt\n\tcli" : : : "memory");
	GUEST_ASSERT_EQ(timer_irqs, before + 1);
}

static void fast_exits(uint32_t n)
{
	struct guest_cpuid r;
	uint32_t i;

	for (i = 0; i < n; i++) {
		guest_sync(SLOW_SYNC_FAST, i, 0, 0);
		cpuid(0, 0, &r);
	}
}

void guest_main(uint32_t vcpu, struct vmm_mailbox *mb)
{
	const volatile struct slow_params *p = (const void *)SLOW_PARAMS_GPA;
	uint32_t i;

	GUEST_ASSERT(mb == guest_mailbox());
	fast_exits(p->fast);
	if (vcpu == SLOW_HLT_VCPU) {
		setup_timer_irq();
		for (i = 0; i < p->hlts; i++)
			long_hlt(p->hlt_ms);
	} else {
		for (i = 0; i < p->io; i++)
			guest_sync(SLOW_SYNC_SLEEP, i, 0, 0);
	}
	fast_exits(p->fast);
	guest_done(vcpu == SLOW_HLT_VCPU ? timer_irqs : p->io);
}
