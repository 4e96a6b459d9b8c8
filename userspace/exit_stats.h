/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_stats.h - read the exittrace CPUID leaves into a snapshot.
 *
 * The register access goes through a function pointer so that the same
 * decoding runs on a live CPU (exitstat) and on recorded register values
 * (the unit tests).
 */
#ifndef EXIT_STATS_H
#define EXIT_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "exit_reasons.h"

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

typedef void (*cpuid_fn)(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out, void *ctx);

/* Execute the CPUID instruction. */
void cpuid_native(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out, void *ctx);

struct reason_stats {
	uint32_t code;
	bool defined;		/* false: the KVM answered the undefined marker */
	uint64_t exits;
	uint64_t cycles;
};

/* Largest reason table (SVM); enough for either ISA. */
#define EXIT_STATS_MAX_REASONS 256

struct exit_stats_snapshot {
	enum exit_isa isa;
	uint64_t total_exits;
	uint64_t total_cycles;
	unsigned int nr_reasons;
	struct reason_stats reasons[EXIT_STATS_MAX_REASONS];
};

/*
 * Check the discovery leaf.  Returns 0 when the exittrace ABI version 1 is
 * served, -ENODEV when the signature is absent (no patch, or exit_stats is
 * off), -EPROTO for an ABI version this program does not know.
 */
int exit_stats_discover(cpuid_fn fn, void *ctx, uint32_t *version);

/* The guest CPU's vendor decides which reason table applies. */
int exit_stats_isa(cpuid_fn fn, void *ctx, enum exit_isa *isa);

/* Decoders for one leaf's registers. */
uint64_t exit_stats_decode_total_exits(const struct cpuid_regs *r);
uint64_t exit_stats_decode_total_cycles(const struct cpuid_regs *r);
bool exit_stats_decode_reason(const struct cpuid_regs *exits,
			      const struct cpuid_regs *cycles,
			      struct reason_stats *out);

/* Read one reason; returns false if the KVM reports it undefined. */
bool exit_stats_read_reason(cpuid_fn fn, void *ctx, uint32_t code, struct reason_stats *out);

/* Read totals, then every reason the vendor's table defines. */
int exit_stats_read(cpuid_fn fn, void *ctx, enum exit_isa isa,
		    struct exit_stats_snapshot *snap);

#endif /* EXIT_STATS_H */
