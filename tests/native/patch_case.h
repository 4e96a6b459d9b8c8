/* SPDX-License-Identifier: GPL-2.0 */
/*
 * patch_case.h - one build of the KVM series' exit hooks (patch_case.c
 * with one set of kernel stand-ins), as make bench-patch times it.
 */
#ifndef NATIVE_PATCH_CASE_H
#define NATIVE_PATCH_CASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct patch_variant {
	const char *id;		/* the build's symbol, e.g. "patch_real" */
	/*
	 * Each runs @n exits through the three places the series hooks
	 * (the vendor's exit, vcpu_enter_guest()'s last_guest_tsc, the end
	 * of handling) and returns the TSC cycles of the whole loop.
	 *  bare:  nothing at the three places (the calls only)
	 *  stock: stock KVM's code there: last_guest_tsc = rdtsc()
	 *  vmx:   the series' hooks, a VMX CPUID exit (basic reason 10)
	 *  svm:   the series' hooks, an SVM CPUID exit (EXITCODE 0x72)
	 */
	uint64_t (*bare)(uint64_t n);
	uint64_t (*stock)(uint64_t n);
	uint64_t (*vmx)(uint64_t n);
	uint64_t (*svm)(uint64_t n);
	/*
	 * After all runs: whether the counters hold exactly the exits run
	 * (or nothing, where this build takes them away); says what it
	 * found in @buf.
	 */
	bool (*check)(char *buf, size_t len);
};

/* the builds, from native.mk's PATCH_VARIANTS */
extern const struct patch_variant patch_real, patch_key_off, patch_tsc_load,
	patch_no_percpu, patch_no_counters, patch_tls;

#endif /* NATIVE_PATCH_CASE_H */
