// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for decoding the CPUID leaves, on recorded register values:
 * a fake CPUID answers from a table instead of the instruction.
 */
#include <errno.h>
#include <stdlib.h>

#include "unit.h"
#include "exit_stats.h"
#include "exit_stats_abi.h"

struct recorded {
	uint32_t leaf, subleaf;
	struct cpuid_regs regs;
};

struct fake_cpu {
	const struct recorded *answers;
	unsigned int nr;
	unsigned int calls;
};

static void fake_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *out, void *ctx)
{
	struct fake_cpu *cpu = ctx;
	unsigned int i;

	cpu->calls++;
	for (i = 0; i < cpu->nr; i++) {
		const struct recorded *a = &cpu->answers[i];

		if (a->leaf == leaf && (leaf < EXIT_STATS_LEAF_REASON_EXITS || a->subleaf == subleaf)) {
			*out = a->regs;
			return;
		}
	}
	/* reasons not recorded: as a patched KVM answers for "not enabled" */
	*out = (struct cpuid_regs){ 0, 0, 0, 0 };
}

static const struct recorded intel_guest[] = {
	/* "GenuineIntel" */
	{ 0, 0, { 0x16, 0x756e6547, 0x6c65746e, 0x49656e69 } },
	{ EXIT_STATS_LEAF_DISCOVERY, 0, { 1, 0x74697845, 0x63617254, 0x4d564b65 } },
	/* 0x1_0000_0005 exits: EAX low, EDX high */
	{ EXIT_STATS_LEAF_TOTAL_EXITS, 0, { 5, 0, 0, 1 } },
	/* 0x2_8000_0000 cycles: EBX high, ECX low */
	{ EXIT_STATS_LEAF_TOTAL_CYCLES, 0, { 0, 2, 0x80000000, 0 } },
	{ EXIT_STATS_LEAF_REASON_EXITS, 10, { 0xfffffffe, 0, 0, 0 } },
	{ EXIT_STATS_LEAF_REASON_CYCLES, 10, { 0, 1, 7, 0 } },
	{ EXIT_STATS_LEAF_REASON_EXITS, 30, { 7, 1, 0, 0 } },
	{ EXIT_STATS_LEAF_REASON_CYCLES, 30, { 0, 0, 700, 0 } },
	{ EXIT_STATS_LEAF_REASON_EXITS, 35, { 0, 0, 0, 0xffffffff } },
	{ EXIT_STATS_LEAF_REASON_CYCLES, 35, { 0, 0, 0, 0xffffffff } },
};

TEST(discovery_accepts_signature)
{
	struct fake_cpu cpu = { intel_guest, 10, 0 };
	uint32_t version = 0;

	CHECK(exit_stats_discover(fake_cpuid, &cpu, &version) == 0);
	CHECK_EQ_U64(version, 1);
}

TEST(discovery_rejects_unpatched_and_other_versions)
{
	/* an unpatched KVM: zeros, or another hypervisor's values */
	static const struct recorded zeros[] = { { 0, 0, { 0, 0, 0, 0 } } };
	static const struct recorded v2[] = {
		{ EXIT_STATS_LEAF_DISCOVERY, 0, { 2, 0x74697845, 0x63617254, 0x4d564b65 } },
	};
	static const struct recorded kvm_sig[] = {
		{ EXIT_STATS_LEAF_DISCOVERY, 0, { 0x40000001, 0x4b4d564b, 0x564b4d56, 0x4d } },
	};
	struct fake_cpu a = { zeros, 1, 0 }, b = { v2, 1, 0 }, c = { kvm_sig, 1, 0 };
	uint32_t version = 0;

	CHECK(exit_stats_discover(fake_cpuid, &a, &version) == -ENODEV);
	CHECK(exit_stats_discover(fake_cpuid, &b, &version) == -EPROTO);
	CHECK_EQ_U64(version, 2);
	CHECK(exit_stats_discover(fake_cpuid, &c, &version) == -ENODEV);
}

TEST(vendor_picks_table)
{
	static const struct recorded amd[] = {
		/* "AuthenticAMD" */
		{ 0, 0, { 0x10, 0x68747541, 0x444d4163, 0x69746e65 } },
	};
	struct fake_cpu i = { intel_guest, 10, 0 }, a = { amd, 1, 0 };
	enum exit_isa isa = 0;

	CHECK(exit_stats_isa(fake_cpuid, &i, &isa) == 0 && isa == EXIT_ISA_VMX);
	CHECK(exit_stats_isa(fake_cpuid, &a, &isa) == 0 && isa == EXIT_ISA_SVM);
}

TEST(totals_join_64_bit_halves)
{
	struct fake_cpu cpu = { intel_guest, 10, 0 };
	struct exit_stats_snapshot *s = calloc(1, sizeof(*s));

	CHECK(exit_stats_read(fake_cpuid, &cpu, EXIT_ISA_VMX, s) == 0);
	CHECK_EQ_U64(s->total_exits, 0x100000005ULL);
	CHECK_EQ_U64(s->total_cycles, 0x280000000ULL);
	free(s);
}

TEST(reason_values_and_markers)
{
	struct fake_cpu cpu = { intel_guest, 10, 0 };
	struct reason_stats r;

	CHECK(exit_stats_read_reason(fake_cpuid, &cpu, 10, &r));
	CHECK_EQ_U64(r.exits, 0xfffffffeULL);
	CHECK_EQ_U64(r.cycles, 0x100000007ULL);
	CHECK(exit_stats_read_reason(fake_cpuid, &cpu, 30, &r));
	CHECK_EQ_U64(r.exits, 0x100000007ULL);
	CHECK_EQ_U64(r.cycles, 700);
	/* undefined marker: EDX all ones, the rest zero */
	CHECK(!exit_stats_read_reason(fake_cpuid, &cpu, 35, &r));
	CHECK_EQ_U64(r.exits, 0);
	/* defined but never taken: all zeros, still defined */
	CHECK(exit_stats_read_reason(fake_cpuid, &cpu, 11, &r));
	CHECK_EQ_U64(r.exits, 0);
}

TEST(read_walks_the_whole_table)
{
	struct fake_cpu cpu = { intel_guest, 10, 0 };
	struct exit_stats_snapshot *s = calloc(1, sizeof(*s));
	unsigned int n;

	exit_reason_table(EXIT_ISA_VMX, &n);
	CHECK(exit_stats_read(fake_cpuid, &cpu, EXIT_ISA_VMX, s) == 0);
	CHECK_EQ_U64(s->nr_reasons, n);
	/* two totals, then two leaves per reason */
	CHECK_EQ_U64(cpu.calls, 2 + 2 * n);
	free(s);
}

/* --- exitstat's output, from the recorded Intel guest above --------------- */
#include "exitstat_print.h"

static char text[16384];

static const char *render(bool json, const struct exitstat_filter *flt)
{
	struct fake_cpu cpu = { intel_guest, 10, 0 };
	struct exit_stats_snapshot *s = calloc(1, sizeof(*s));
	FILE *f;

	memset(text, 0, sizeof(text));
	f = fmemopen(text, sizeof(text), "w");
	exit_stats_read(fake_cpuid, &cpu, EXIT_ISA_VMX, s);
	if (json)
		exitstat_print_json(f, s, 0, flt);
	else
		exitstat_print_table(f, s, "since the VM started", flt);
	fclose(f);
	free(s);
	return text;
}

TEST(exitstat_table_nonzero_rows)
{
	struct exitstat_filter flt = {};
	const char *t = render(false, &flt);

	CHECK(strstr(t, "since the VM started: 4294967301 exits, 10737418240 cycles (VMX)") != NULL);
	CHECK(strstr(t, "CPUID") != NULL);
	CHECK(strstr(t, "IO_INSTRUCTION") != NULL);
	CHECK(strstr(t, "HLT") == NULL);		/* zero exits: hidden */
	/* IO: EAX 7, EBX 1 -> 0x1_0000_0007 exits */
	CHECK(strstr(t, "4294967303") != NULL);
}

TEST(exitstat_table_all_and_one_reason)
{
	struct exitstat_filter all = { .all = true }, one = { .one_reason = true, .reason = 10 };
	const char *t = render(false, &all);

	CHECK(strstr(t, "HLT") != NULL);
	CHECK(strstr(t, "0x23") == NULL);		/* 35 is undefined: never listed */
	t = render(false, &one);
	CHECK(strstr(t, "CPUID") != NULL);
	CHECK(strstr(t, "IO_INSTRUCTION") == NULL);
}

TEST(exitstat_json)
{
	struct exitstat_filter flt = {};
	const char *t = render(true, &flt);

	CHECK(strstr(t, "{\"tool\":\"exitstat\",\"abi\":1,\"isa\":\"VMX\",") == t);
	CHECK(strstr(t, "\"total_exits\":4294967301,\"total_cycles\":10737418240") != NULL);
	CHECK(strstr(t, "{\"code\":10,\"name\":\"CPUID\",\"exits\":4294967294,\"cycles\":4294967303}") != NULL);
	CHECK(strchr(t, '\n') == t + strlen(t) - 1);
}

TEST(exitstat_delta_and_counters_going_down)
{
	struct exit_stats_snapshot *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct exit_stats_snapshot *d = calloc(1, sizeof(*d));

	a->nr_reasons = b->nr_reasons = 1;
	a->total_exits = 10;
	a->reasons[0].exits = 4;
	b->total_exits = 15;
	b->reasons[0].exits = 6;
	CHECK(exitstat_delta(d, b, a));
	CHECK_EQ_U64(d->total_exits, 5);
	CHECK_EQ_U64(d->reasons[0].exits, 2);
	/* vm -> host and back, or off: a counter smaller than before */
	CHECK(!exitstat_delta(d, a, b));
	free(a);
	free(b);
	free(d);
}
