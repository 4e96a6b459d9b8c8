// SPDX-License-Identifier: GPL-2.0
/*
 * patch_case.c - KVM exits, over and over, through the KVM series' own exit
 * hooks (arch/x86/kvm/exit_stats.h as kvm-patch/ creates it) and through
 * stock KVM's code at the same places, for make bench-patch.
 *
 * native.mk builds this file once per set of kernel stand-ins
 * (kernel_standins.h), each as its own struct patch_variant named by
 * PATCH_VARIANT.  Per exit, in the order KVM runs them:
 *
 *   1. the vendor's vcpu_run(), next to trace_kvm_exit():
 *        stock: nothing;  series: kvm_exit_stats_{vmx,svm}_exit()
 *   2. vcpu_enter_guest(), last_guest_tsc:
 *        stock: rdtsc();  series: kvm_exit_stats_exit_tsc(), which reuses
 *        the TSC that 1. read
 *   3. vcpu_enter_guest(), after ->handle_exit():
 *        stock: nothing;  series: kvm_exit_stats_handled()
 *
 * In KVM the hooks are inlined into three different functions; here each
 * place is a function of its own that the compiler may neither inline nor
 * look into (noipa), so no hook's work merges with another's, and the
 * bare loop, which calls three empty ones, takes the calls away again.
 * kvm_read_l1_tsc(), the same in both, is left out.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "arch/x86/kvm/exit_stats.h"
#include "patch_case.h"
#include "tsc.h"

#define __noipa			__attribute__((noipa))
#define STRINGIFY(x)		#x
#define VARIANT_NAME(x)		STRINGIFY(x)

/* the exit statistics' globals, which exit_stats.c defines in the kernel */
DEFINE_STATIC_KEY_TRUE(kvm_exit_stats_on);
DEFINE_PER_CPU_ALIGNED(struct kvm_exit_stats_counters, kvm_exit_stats_host);
#ifdef STANDIN_TSC_LOAD
u64 standin_tsc_value;
#endif

/* CPUID in each vendor's numbering, read from memory as from the VMCS/VMCB */
#define VMX_CPUID	10
#define SVM_CPUID	0x72
static volatile u32 vmx_reason = VMX_CPUID;
static volatile u32 svm_exit_code = SVM_CPUID;

static struct kvm_vcpu vcpu;
/* exits run through each vendor's hooks, warm-up runs included */
static u64 vmx_exits, svm_exits;

static __noipa void nothing_at_exit(struct kvm_vcpu *v, u32 reason)
{
	(void)v;
	(void)reason;
}

static __noipa void nothing(struct kvm_vcpu *v)
{
	(void)v;
}

static __noipa void stock_guest_tsc(struct kvm_vcpu *v)
{
	v->arch.last_guest_tsc = rdtsc();
}

static __noipa void series_vmx_exit(struct kvm_vcpu *v, u32 reason)
{
	kvm_exit_stats_vmx_exit(v, reason);
}

static __noipa void series_svm_exit(struct kvm_vcpu *v, u32 reason)
{
	kvm_exit_stats_svm_exit(v, reason);
}

static __noipa void series_guest_tsc(struct kvm_vcpu *v)
{
	v->arch.last_guest_tsc = kvm_exit_stats_exit_tsc(v);
}

static __noipa void series_handled(struct kvm_vcpu *v)
{
	kvm_exit_stats_handled(v);
}

/* @n exits through the three places, timed as one fenced TSC window */
static __always_inline u64 run_exits(u64 n, void (*at_exit)(struct kvm_vcpu *, u32),
				     volatile u32 *reason, void (*at_guest_tsc)(struct kvm_vcpu *),
				     void (*at_handled)(struct kvm_vcpu *))
{
	u64 t0, t1, i;

	t0 = tsc_read();
	for (i = 0; i < n; i++) {
		at_exit(&vcpu, *reason);
		at_guest_tsc(&vcpu);
		at_handled(&vcpu);
	}
	t1 = tsc_read();
	return t1 - t0;
}

static u64 run_bare(u64 n)
{
	return run_exits(n, nothing_at_exit, &vmx_reason, nothing, nothing);
}

static u64 run_stock(u64 n)
{
	return run_exits(n, nothing_at_exit, &vmx_reason, stock_guest_tsc, nothing);
}

static u64 run_vmx(u64 n)
{
	vmx_exits += n;
	return run_exits(n, series_vmx_exit, &vmx_reason, series_guest_tsc, series_handled);
}

static u64 run_svm(u64 n)
{
	svm_exits += n;
	return run_exits(n, series_svm_exit, &svm_exit_code, series_guest_tsc, series_handled);
}

/* what this build's stand-ins leave of the counters */
#if defined(STANDIN_KEY_OFF) || defined(STANDIN_NO_COUNTERS)
#define COUNTS_VCPU	false
#else
#define COUNTS_VCPU	true
#endif
#if defined(STANDIN_KEY_OFF) || defined(STANDIN_NO_COUNTERS) || defined(STANDIN_NO_PERCPU_OPS)
#define COUNTS_HOST	false
#else
#define COUNTS_HOST	true
#endif
#if defined(STANDIN_TSC_LOAD) || !COUNTS_VCPU
#define COUNTS_CYCLES	false
#else
#define COUNTS_CYCLES	true
#endif

static bool check_counts(char *buf, size_t len)
{
	/* the copy of the CPU this runs on, found another way than the hooks' */
	const struct kvm_exit_stats_counters *host = per_cpu_ptr(&kvm_exit_stats_host,
								 sched_getcpu());
	const struct kvm_vcpu_exit_stats *st = &vcpu.arch.exit_stats;
	const u64 *exits = vcpu.stat.exit_reason_exits;
	const u64 *cycles = vcpu.stat.exit_reason_cycles;
	u64 want_vmx = COUNTS_VCPU ? vmx_exits : 0, want_svm = COUNTS_VCPU ? svm_exits : 0;
	u64 host_vmx = COUNTS_HOST ? vmx_exits : 0, host_svm = COUNTS_HOST ? svm_exits : 0;
	u64 slot_cycles = cycles[VMX_CPUID] + cycles[SVM_CPUID];
	const char *bad = NULL;

	if (exits[VMX_CPUID] != want_vmx || exits[SVM_CPUID] != want_svm ||
	    st->total.count != want_vmx + want_svm)
		bad = "the vCPU's counts";
	else if (host->slots[VMX_CPUID].count != host_vmx ||
		 host->slots[SVM_CPUID].count != host_svm ||
		 host->total.count != host_vmx + host_svm)
		bad = "this CPU's host-wide counts";
	else if (st->total.cycles != slot_cycles || (COUNTS_CYCLES && !slot_cycles) ||
		 (!COUNTS_CYCLES && slot_cycles))
		bad = "the vCPU's cycles";
	else if (COUNTS_HOST && (host->total.cycles != slot_cycles ||
				 host->slots[VMX_CPUID].cycles != cycles[VMX_CPUID]))
		bad = "this CPU's host-wide cycles";
	else if (st->pending)
		bad = "the pending flag";

	snprintf(buf, len, "%s: vCPU slot %d %llu, slot 0x%x %llu, total %llu; host %llu (%llu VMX + %llu SVM exits run)",
		 bad ? "FAILED" : "ok", VMX_CPUID, (unsigned long long)exits[VMX_CPUID], SVM_CPUID,
		 (unsigned long long)exits[SVM_CPUID], (unsigned long long)st->total.count,
		 (unsigned long long)host->total.count, (unsigned long long)vmx_exits,
		 (unsigned long long)svm_exits);
	if (bad) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, " - %s are wrong", bad);
	}
	return !bad;
}

const struct patch_variant PATCH_VARIANT = {
	.id	= VARIANT_NAME(PATCH_VARIANT),
	.bare	= run_bare,
	.stock	= run_stock,
	.vmx	= run_vmx,
	.svm	= run_svm,
	.check	= check_counts,
};
