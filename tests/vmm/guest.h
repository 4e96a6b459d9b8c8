/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest.h - helpers for test guest code.
 *
 * Guests are freestanding 32-bit C, run in flat protected mode without
 * paging, interrupts off and no IDT: any exception becomes a triple fault,
 * which the host reports as KVM_EXIT_SHUTDOWN with the guest EIP.
 *
 * A guest defines
 *
 *	void guest_main(uint32_t vcpu, struct vmm_mailbox *mb);
 *
 * and ends with guest_done(); returning from guest_main is guest_done(0).
 * Globals are shared by all vCPUs (one image); per-vCPU state belongs on
 * the stack or in the mailbox.
 */
#ifndef VMM_GUEST_H
#define VMM_GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vmm_abi.h"

void guest_main(uint32_t vcpu, struct vmm_mailbox *mb);

struct guest_cpuid {
	uint32_t eax, ebx, ecx, edx;
};

static inline void cpuid(uint32_t leaf, uint32_t subleaf, struct guest_cpuid *r)
{
	asm volatile("cpuid"
		     : "=a"(r->eax), "=b"(r->ebx), "=c"(r->ecx), "=d"(r->edx)
		     : "a"(leaf), "c"(subleaf)
		     : "memory");
}

/* Port I/O: one instruction each, so one KVM_EXIT_IO each. */
static inline void outb(uint16_t port, uint8_t v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outw(uint16_t port, uint16_t v)
{
	asm volatile("outw %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline void outl(uint16_t port, uint32_t v)
{
	asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}

static inline uint8_t inb(uint16_t port)
{
	uint8_t v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint16_t inw(uint16_t port)
{
	uint16_t v;

	asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port) : "memory");
	return v;
}

static inline void hlt(void)
{
	asm volatile("hlt" : : : "memory");
}

static inline void cli(void)
{
	asm volatile("cli" : : : "memory");
}

static inline void sti(void)
{
	asm volatile("sti" : : : "memory");
}

static inline void cpu_relax(void)
{
	asm volatile("pause" : : : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint64_t v;

	asm volatile("rdtsc" : "=A"(v) : : "memory");
	return v;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint64_t v;

	asm volatile("rdmsr" : "=A"(v) : "c"(msr) : "memory");
	return v;
}

static inline void wrmsr(uint32_t msr, uint64_t v)
{
	asm volatile("wrmsr" : : "c"(msr), "A"(v) : "memory");
}

/*
 * Hypercalls, KVM convention: number in EAX, arguments in EBX, ECX, EDX,
 * ESI; result in EAX.  An unknown number answers -KVM_ENOSYS (-1000).
 */
static inline long vmcall(uint32_t nr, uint32_t a0, uint32_t a1,
			  uint32_t a2, uint32_t a3)
{
	long ret;

	asm volatile("vmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
		     : "memory");
	return ret;
}

static inline long vmmcall(uint32_t nr, uint32_t a0, uint32_t a1,
			   uint32_t a2, uint32_t a3)
{
	long ret;

	asm volatile("vmmcall"
		     : "=a"(ret)
		     : "a"(nr), "b"(a0), "c"(a1), "d"(a2), "S"(a3)
		     : "memory");
	return ret;
}

enum guest_vendor {
	GUEST_VENDOR_OTHER,
	GUEST_VENDOR_INTEL,
	GUEST_VENDOR_AMD,	/* also Hygon: SVM, VMMCALL */
};

/* From CPUID leaf 0, i.e. what the host put in the vCPU's CPUID table. */
enum guest_vendor guest_vendor(void);

/* VMCALL on Intel, VMMCALL on AMD, so that KVM need not patch it. */
long guest_hypercall(uint32_t nr, uint32_t a0, uint32_t a1, uint32_t a2, uint32_t a3);

/*
 * MMIO at any 32-bit GPA.  Written as a single plain MOV because KVM has
 * to decode and emulate the instruction when the GPA has no memslot.
 */
static inline uint8_t mmio_read8(uint32_t gpa)
{
	uint8_t v;

	asm volatile("movb (%1), %0" : "=q"(v) : "r"(gpa) : "memory");
	return v;
}

static inline uint16_t mmio_read16(uint32_t gpa)
{
	uint16_t v;

	asm volatile("movw (%1), %0" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static inline uint32_t mmio_read32(uint32_t gpa)
{
	uint32_t v;

	asm volatile("movl (%1), %0" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static inline void mmio_write8(uint32_t gpa, uint8_t v)
{
	asm volatile("movb %0, (%1)" : : "q"(v), "r"(gpa) : "memory");
}

static inline void mmio_write16(uint32_t gpa, uint16_t v)
{
	asm volatile("movw %0, (%1)" : : "r"(v), "r"(gpa) : "memory");
}

static inline void mmio_write32(uint32_t gpa, uint32_t v)
{
	asm volatile("movl %0, (%1)" : : "r"(v), "r"(gpa) : "memory");
}

/* This vCPU's mailbox; the host points the FS base at it. */
static inline struct vmm_mailbox *guest_mailbox(void)
{
	uint32_t self;

	asm volatile("movl %%fs:0, %0" : "=r"(self));
	return (struct vmm_mailbox *)self;
}

static inline uint32_t guest_vcpu(void)
{
	return guest_mailbox()->vcpu;
}

/* ucalls */
void guest_done(uint64_t result) __attribute__((noreturn));
void guest_sync(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3);
void guest_puts(const char *s);
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void guest_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 3, 4)));

/* printf-lite: %d %i %u %x %X %p %s %c %%, flags '0' '-', width, l/ll. */
int guest_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int guest_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define GUEST_SYNC(stage)	guest_sync((stage), 0, 0, 0)
#define GUEST_DONE()		guest_done(0)
#define GUEST_FAIL(fmt, ...)	guest_fail(__FILE__, __LINE__, fmt, ##__VA_ARGS__)

#define GUEST_ASSERT(cond)						\
	do {								\
		if (!(cond))						\
			guest_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

/* Both sides evaluated once, compared and printed as 64-bit values. */
#define GUEST_ASSERT_EQ(got, expected)					\
	do {								\
		uint64_t __g = (uint64_t)(got);				\
		uint64_t __e = (uint64_t)(expected);			\
		if (__g != __e)						\
			guest_fail(__FILE__, __LINE__,			\
				   "%s: expected 0x%llx, got 0x%llx",	\
				   #got " == " #expected,		\
				   (unsigned long long)__e,		\
				   (unsigned long long)__g);		\
	} while (0)

void *memset(void *s, int c, size_t n);
void *memcpy(void *d, const void *s, size_t n);
void *memmove(void *d, const void *s, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif /* VMM_GUEST_H */
