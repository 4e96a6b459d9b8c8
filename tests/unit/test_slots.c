// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the slot map shared by the BPF side and the loader: every
 * defined exit reason has a slot of its own, and each slot maps back to the
 * reason it came from (a wrong inverse would report one reason's exits
 * under another's name).
 */
#include "unit.h"
#include "exit_reasons.h"
#include <linux/types.h>

#include "../bpf/exittrace.h"

static void check_round_trip(__u32 isa, __u32 reason)
{
	struct exit_key key = {};
	__u32 slot = exittrace_slot(isa, reason);

	CHECK(slot < EXITTRACE_SLOTS);
	CHECK(exittrace_slot_key(slot, &key) == 1);
	CHECK_EQ_U64(key.isa, isa);
	CHECK_EQ_U64(key.reason, reason);
	CHECK_EQ_U64(key.tgid, 0);
}

TEST(slots_every_slot_maps_back)
{
	struct exit_key key = {};
	unsigned int seen[EXITTRACE_SLOTS] = {};
	__u32 slot;

	for (slot = 0; slot < EXITTRACE_SLOTS; slot++) {
		CHECK(exittrace_slot_key(slot, &key) == 1);
		CHECK_EQ_U64(exittrace_slot(key.isa, key.reason), slot);
		seen[slot]++;
	}
	for (slot = 0; slot < EXITTRACE_SLOTS; slot++)
		CHECK_EQ_U64(seen[slot], 1);
	CHECK(exittrace_slot_key(EXITTRACE_SLOTS, &key) == 0);
	CHECK(exittrace_slot_key(EXITTRACE_NO_SLOT, &key) == 0);
}

TEST(slots_cover_the_defined_reasons)
{
	__u32 r;

	for (r = 0; r < 0x10000; r++) {
		if (exit_reason_name(EXIT_ISA_VMX, r))
			check_round_trip(EXITTRACE_ISA_VMX, r);
		if (exit_reason_name(EXIT_ISA_SVM, r))
			check_round_trip(EXITTRACE_ISA_SVM, r);
	}
	check_round_trip(EXITTRACE_ISA_SVM, 0xffffffffU);	/* VMEXIT_INVALID */
	check_round_trip(EXITTRACE_ISA_SVM, 0x400);		/* NPF */
}

TEST(slots_leave_the_rest_to_the_hash)
{
	CHECK_EQ_U64(exittrace_slot(EXITTRACE_ISA_VMX, 128), EXITTRACE_NO_SLOT);
	CHECK_EQ_U64(exittrace_slot(EXITTRACE_ISA_VMX, 0xdead), EXITTRACE_NO_SLOT);
	CHECK_EQ_U64(exittrace_slot(EXITTRACE_ISA_SVM, 0xc0), EXITTRACE_NO_SLOT);
	CHECK_EQ_U64(exittrace_slot(EXITTRACE_ISA_SVM, 0x410), EXITTRACE_NO_SLOT);
	CHECK_EQ_U64(exittrace_slot(EXITTRACE_ISA_SVM, 0xfffffffe), EXITTRACE_NO_SLOT);
	CHECK_EQ_U64(exittrace_slot(0, 1), EXITTRACE_NO_SLOT);
	CHECK_EQ_U64(exittrace_slot(3, 1), EXITTRACE_NO_SLOT);
}

/*
 * The latency histogram's slots at their edges: each power of two starts
 * a slot, and everything from 2^31 ns on (a long halt, a paused VM) lands
 * in the last one, never wrapping round to the first.
 */
TEST(hist_slot_edges)
{
	CHECK_EQ_U64(exittrace_hist_slot(0), 0);
	CHECK_EQ_U64(exittrace_hist_slot(1), 0);
	CHECK_EQ_U64(exittrace_hist_slot(2), 1);
	CHECK_EQ_U64(exittrace_hist_slot(3), 1);
	CHECK_EQ_U64(exittrace_hist_slot(1023), 9);
	CHECK_EQ_U64(exittrace_hist_slot(1024), 10);
	CHECK_EQ_U64(exittrace_hist_slot((1ULL << 31) - 1), 30);
	CHECK_EQ_U64(exittrace_hist_slot(1ULL << 31), EXITTRACE_HIST_SLOTS - 1);
	CHECK_EQ_U64(exittrace_hist_slot((1ULL << 32) - 1), EXITTRACE_HIST_SLOTS - 1);
	CHECK_EQ_U64(exittrace_hist_slot(1ULL << 32), EXITTRACE_HIST_SLOTS - 1);
	CHECK_EQ_U64(exittrace_hist_slot(5000000000ULL), EXITTRACE_HIST_SLOTS - 1);
	CHECK_EQ_U64(exittrace_hist_slot(~0ULL), EXITTRACE_HIST_SLOTS - 1);
}

TEST(log2_every_power_and_its_neighbours)
{
	unsigned int i;

	for (i = 1; i < 64; i++) {
		CHECK_EQ_U64(exittrace_log2(1ULL << i), i);
		CHECK_EQ_U64(exittrace_log2((1ULL << i) - 1), i - 1);
		CHECK_EQ_U64(exittrace_log2((1ULL << i) + 1), i);
	}
	CHECK_EQ_U64(exittrace_log2(1), 0);
}
