/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kernel_standins.h - just enough of the kernel for the KVM series' exit
 * hooks (arch/x86/kvm/exit_stats.h, extracted from kvm-patch/ at build time
 * by patch_hot_path.sh) to compile and run in userspace, so that make
 * bench-patch times the series' own code.
 *
 * Each stand-in produces the instructions the x86-64 kernel's does, where
 * userspace allows it:
 *
 *  - a static key is a 5-byte nop in the code (a jmp when the key is off),
 *    like arch_static_branch() once the kernel has patched it; no jump
 *    table, since nothing flips it at run time;
 *  - array_index_nospec() is x86's cmp/sbb mask;
 *  - rdtsc() is the bare instruction, unfenced, as the kernel's rdtsc();
 *  - WRITE_ONCE() is a volatile store;
 *  - a per-CPU variable lives in a section of its own that is copied once
 *    per CPU at start-up, and this_cpu_*() reaches this CPU's copy through
 *    a per-CPU offset, as the kernel's generic per-CPU code does.  x86's
 *    kernel does the same in one %gs-prefixed instruction, with no offset
 *    to load; userspace cannot use %gs, and the offset stays in a register
 *    across one hook.  STANDIN_PERCPU_TLS instead puts the variable in
 *    thread-local storage, reached with the same one-instruction, segment
 *    (%fs) relative read-modify-write as the kernel's.
 *
 * Switches, one build of the bench's hooks each (see native.mk), that take
 * one piece away so the bench can price it:
 *  STANDIN_KEY_OFF        the static key off: the kernel's exit_stats=off
 *  STANDIN_TSC_LOAD       rdtsc() is a load from memory instead
 *  STANDIN_NO_PERCPU_OPS  this_cpu_inc()/this_cpu_add() do nothing
 *  STANDIN_NO_COUNTERS    neither they nor WRITE_ONCE() store anything
 */
#ifndef NATIVE_KERNEL_STANDINS_H
#define NATIVE_KERNEL_STANDINS_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <x86intrin.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int64_t s64;

#ifndef __always_inline
#define __always_inline		inline __attribute__((__always_inline__))
#endif
#define likely(x)		__builtin_expect(!!(x), 1)

struct dentry;

/* ---- READ_ONCE / WRITE_ONCE: exactly one access the compiler keeps ---- */
#define READ_ONCE(x)		(*(const volatile __typeof__(x) *)&(x))
#if defined(STANDIN_NO_COUNTERS)
#define WRITE_ONCE(x, val)	((void)(val))
#else
#define WRITE_ONCE(x, val)	(*(volatile __typeof__(x) *)&(x) = (val))
#endif

/* ---- static keys: a patched-in nop (key on) or jmp (key off) ---- */
struct static_key {
	int enabled;
};

struct static_key_true {
	struct static_key key;
};

#define DECLARE_STATIC_KEY_TRUE(name)	extern struct static_key_true name
#define DEFINE_STATIC_KEY_TRUE(name)	struct static_key_true name = { .key = { 1 } }

/* false while the code at 1: is a nop, true once it is a jmp */
static __always_inline bool standin_arch_static_branch(void)
{
#ifdef STANDIN_KEY_OFF
	asm goto("1: jmp %l[l_yes]" : : : : l_yes);
#else
	asm goto("1: .byte 0x0f, 0x1f, 0x44, 0x00, 0x00" : : : : l_yes);
#endif
	return false;
l_yes:
	return true;
}

/*
 * A true key is likely on: the nop falls through to the counting code.
 * The key itself is not read: the code is what the kernel patches.
 */
#define static_branch_likely(x)	likely(!standin_arch_static_branch())

/* ---- array_index_nospec: index, or 0 if out of bounds, with no branch ---- */
static __always_inline unsigned long standin_index_mask(unsigned long index,
							unsigned long size)
{
	unsigned long mask;

	/* borrow (all ones) exactly when index < size */
	asm volatile("cmp %1, %2; sbb %0, %0" : "=r"(mask) : "g"(size), "r"(index) : "cc");
	return mask;
}

#define array_index_nospec(index, size)					\
({									\
	__typeof__(index) _idx = (index);				\
	unsigned long _mask = standin_index_mask(_idx, (size));	\
	(__typeof__(_idx))(_idx & _mask);				\
})

/* ---- the time stamp counter ---- */
#ifdef STANDIN_TSC_LOAD
/* a load from memory in place of the instruction: what rdtsc costs beyond a load */
extern u64 standin_tsc_value;
static __always_inline u64 rdtsc(void)
{
	return READ_ONCE(standin_tsc_value);
}
#else
static __always_inline u64 rdtsc(void)
{
	return __rdtsc();
}
#endif

/* ---- per-CPU variables ---- */
#ifdef STANDIN_PERCPU_TLS
#define STANDIN_PERCPU_ATTR	__attribute__((aligned(64), tls_model("local-exec")))
#define DECLARE_PER_CPU_ALIGNED(type, name)					\
	extern __thread __typeof__(type) name STANDIN_PERCPU_ATTR
#define DEFINE_PER_CPU_ALIGNED(type, name)					\
	__thread __typeof__(type) name STANDIN_PERCPU_ATTR
/* one segment-relative read-modify-write, as x86's this_cpu ops */
#define this_cpu_add(pcp, val)	asm volatile("addq %1, %0" : "+m"(pcp) : "er"((u64)(val)))
#define this_cpu_inc(pcp)	asm volatile("incq %0" : "+m"(pcp))
#define this_cpu_ptr(ptr)	(ptr)
/* the thread's copy: the bench's one thread stays on one CPU */
#define per_cpu_ptr(ptr, cpu)	((void)(cpu), (ptr))
#else
/* CPU 0's copy of every per-CPU variable; start-up copies the section per CPU */
#define DECLARE_PER_CPU_ALIGNED(type, name)	extern __typeof__(type) name
#define DEFINE_PER_CPU_ALIGNED(type, name)					\
	__typeof__(type) name __attribute__((section("standin_percpu"), aligned(64)))

/* this CPU's copy less CPU 0's: the address of any per-CPU variable plus it */
extern unsigned long standin_this_cpu_off;

#define this_cpu_ptr(ptr)	((__typeof__(ptr))((unsigned long)(ptr) + standin_this_cpu_off))
#define this_cpu_add(pcp, val)	(*this_cpu_ptr(&(pcp)) += (val))
#define this_cpu_inc(pcp)	this_cpu_add(pcp, 1)

/* copy the per-CPU section once per CPU and use @cpu's copy; 0 or -errno */
int standin_percpu_setup(int cpu);
/* @cpu's copy of the per-CPU variable at @ptr, found from the copies, not the offset */
void *standin_per_cpu_ptr(const void *ptr, int cpu);
#define per_cpu_ptr(ptr, cpu)	((__typeof__(ptr))standin_per_cpu_ptr(ptr, cpu))
#endif

#if defined(STANDIN_NO_PERCPU_OPS) || defined(STANDIN_NO_COUNTERS)
#undef this_cpu_add
#undef this_cpu_inc
#define this_cpu_add(pcp, val)	((void)(val))
#define this_cpu_inc(pcp)	do { } while (0)
#endif

/* ---- struct kvm_vcpu: only what the hooks touch, and the series' additions ---- */
#include "kvm_host_types.h"

struct kvm_vcpu_arch {
	/* vcpu_enter_guest()'s, set from the exit's TSC */
	u64 last_guest_tsc;
	u64 members_before[7];
#include "kvm_vcpu_arch_members.h"
};

struct kvm_vcpu_stat {
	u64 exits;
	u64 members_before[7];
#include "kvm_vcpu_stat_members.h"
};

struct kvm_vcpu {
	struct kvm_vcpu_arch arch;
	struct kvm_vcpu_stat stat;
} __attribute__((aligned(64)));

#endif /* NATIVE_KERNEL_STANDINS_H */
