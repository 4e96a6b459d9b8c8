// SPDX-License-Identifier: GPL-2.0
/*
 * exit_stats.c - decode the exittrace CPUID leaves (see exit_stats_abi.h).
 */
#include <errno.h>
#include <string.h>

#include "exit_stats.h"
#include "exit_stats_abi.h"

void cpuid_native(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out, void *ctx)
{
	(void)ctx;
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

static uint64_t join(uint32_t high, uint32_t low)
{
	return (uint64_t)high << 32 | low;
}

int exit_stats_discover(cpuid_fn fn, void *ctx, uint32_t *version)
{
	struct cpuid_regs r;

	fn(EXIT_STATS_LEAF_DISCOVERY, 0, &r, ctx);
	if (r.ebx != EXIT_STATS_SIGNATURE_EBX || r.ecx != EXIT_STATS_SIGNATURE_ECX ||
	    r.edx != EXIT_STATS_SIGNATURE_EDX)
		return -ENODEV;
	if (version)
		*version = r.eax;
	return r.eax == EXIT_STATS_ABI_VERSION ? 0 : -EPROTO;
}

int exit_stats_isa(cpuid_fn fn, void *ctx, enum exit_isa *isa)
{
	struct cpuid_regs r;
	char vendor[13];

	fn(0, 0, &r, ctx);
	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	vendor[12] = '\0';
	if (!strcmp(vendor, "GenuineIntel")) {
		*isa = EXIT_ISA_VMX;
		return 0;
	}
	if (!strcmp(vendor, "AuthenticAMD") || !strcmp(vendor, "HygonGenuine")) {
		*isa = EXIT_ISA_SVM;
		return 0;
	}
	return -ENOTSUP;
}

uint64_t exit_stats_decode_total_exits(const struct cpuid_regs *r)
{
	return join(r->edx, r->eax);
}

uint64_t exit_stats_decode_total_cycles(const struct cpuid_regs *r)
{
	return join(r->ebx, r->ecx);
}

bool exit_stats_decode_reason(const struct cpuid_regs *exits,
			      const struct cpuid_regs *cycles,
			      struct reason_stats *out)
{
	out->defined = !(exits->edx == EXIT_STATS_UNDEFINED &&
			 !exits->eax && !exits->ebx && !exits->ecx);
	out->exits = out->defined ? join(exits->ebx, exits->eax) : 0;
	out->cycles = out->defined ? join(cycles->ebx, cycles->ecx) : 0;
	return out->defined;
}

bool exit_stats_read_reason(cpuid_fn fn, void *ctx, uint32_t code, struct reason_stats *out)
{
	struct cpuid_regs exits, cycles;

	fn(EXIT_STATS_LEAF_REASON_EXITS, code, &exits, ctx);
	fn(EXIT_STATS_LEAF_REASON_CYCLES, code, &cycles, ctx);
	out->code = code;
	return exit_stats_decode_reason(&exits, &cycles, out);
}

int exit_stats_read(cpuid_fn fn, void *ctx, enum exit_isa isa,
		    struct exit_stats_snapshot *snap)
{
	const struct exit_reason *table;
	struct cpuid_regs r;
	unsigned int i, n;

	table = exit_reason_table(isa, &n);
	if (!table || n > EXIT_STATS_MAX_REASONS)
		return -EINVAL;
	memset(snap, 0, sizeof(*snap));
	snap->isa = isa;
	fn(EXIT_STATS_LEAF_TOTAL_EXITS, 0, &r, ctx);
	snap->total_exits = exit_stats_decode_total_exits(&r);
	fn(EXIT_STATS_LEAF_TOTAL_CYCLES, 0, &r, ctx);
	snap->total_cycles = exit_stats_decode_total_cycles(&r);
	for (i = 0; i < n; i++)
		exit_stats_read_reason(fn, ctx, table[i].code, &snap->reasons[i]);
	snap->nr_reasons = n;
	return 0;
}
