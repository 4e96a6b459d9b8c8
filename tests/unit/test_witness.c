// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the comparison of the two witnesses (witness.c): counts
 * exact, times judged within the tolerance only where enough exits were
 * all timed, and the comparisons that cannot be made refused.
 */
#include <stdio.h>
#include <string.h>

#include "unit.h"
#include "witness.h"

/* a patch and an exittrace view of one reason, at a 1 GHz TSC */
static void one_reason(struct witness *p, struct witness *b, uint64_t exits,
		       uint64_t cycles, uint64_t kvm_ns)
{
	memset(p, 0, sizeof(*p));
	memset(b, 0, sizeof(*b));
	p->isa = b->isa = EXIT_ISA_SVM;
	b->bpf = true;
	b->tsc_hz = 1e9;
	snprintf(b->kvm_time, sizeof(b->kvm_time), "fexit");
	p->nr = b->nr = 1;
	p->rows[0] = (struct witness_row){ .code = 0x72, .exits = exits, .cycles = cycles };
	b->rows[0] = (struct witness_row){ .code = 0x72, .exits = exits, .kvm_count = exits,
					   .kvm_ns = kvm_ns };
}

static int compare(const struct witness *p, const struct witness *b, struct witness_verdict *v)
{
	struct witness_opts o = { .time = true, .time_tolerance = 0.05, .time_min_exits = 100 };
	FILE *f = fopen("/dev/null", "w");
	int r = witness_compare(f, p, b, &o, v);

	fclose(f);
	return r;
}

TEST(witness_time_within_tolerance_agrees)
{
	static struct witness p, b;
	struct witness_verdict v;

	one_reason(&p, &b, 200, 1000000, 960000);	/* 4% under */
	CHECK(compare(&p, &b, &v) == 0);
	CHECK_EQ_U64(v.count_differs, 0);
	CHECK_EQ_U64(v.time_judged, 1);
	CHECK_EQ_U64(v.time_differs, 0);
	CHECK(v.residual_ns > 39999 && v.residual_ns < 40001);
}

TEST(witness_time_beyond_tolerance_differs)
{
	static struct witness p, b;
	struct witness_verdict v;

	one_reason(&p, &b, 200, 1000000, 1060000);	/* 6% over */
	CHECK(compare(&p, &b, &v) == 0);
	CHECK_EQ_U64(v.time_differs, 1);
}

TEST(witness_time_not_judged_below_min_exits_or_untimed)
{
	static struct witness p, b;
	struct witness_verdict v;

	one_reason(&p, &b, 99, 1000000, 2000000);
	CHECK(compare(&p, &b, &v) == 0);
	CHECK_EQ_U64(v.time_judged, 0);
	one_reason(&p, &b, 200, 1000000, 2000000);
	b.rows[0].kvm_count = 199;	/* one exit still in KVM */
	CHECK(compare(&p, &b, &v) == 0);
	CHECK_EQ_U64(v.time_judged, 0);
}

TEST(witness_counts_differ_and_time_is_then_not_judged)
{
	static struct witness p, b;
	struct witness_verdict v;

	one_reason(&p, &b, 200, 1000000, 1000000);
	b.rows[0].exits = 201;
	CHECK(compare(&p, &b, &v) == 0);
	CHECK_EQ_U64(v.count_differs, 1);
	CHECK_EQ_U64(v.time_judged, 0);
}

TEST(witness_refuses_what_cannot_be_compared)
{
	static struct witness p, b;
	struct witness_verdict v;

	one_reason(&p, &b, 200, 1000000, 1000000);
	b.tsc_hz = 0;
	CHECK(compare(&p, &b, &v) < 0);		/* no TSC rate */
	one_reason(&p, &b, 200, 1000000, 1000000);
	snprintf(b.kvm_time, sizeof(b.kvm_time), "off");
	CHECK(compare(&p, &b, &v) < 0);		/* no time in KVM */
	one_reason(&p, &b, 200, 1000000, 1000000);
	b.isa = EXIT_ISA_VMX;
	CHECK(compare(&p, &b, &v) < 0);		/* other ISAs */
}

static int compare_with(const struct witness *p, const struct witness *b,
			const struct witness_opts *o, struct witness_verdict *v)
{
	FILE *f = fopen("/dev/null", "w");
	int r = witness_compare(f, p, b, o, v);

	fclose(f);
	return r;
}

TEST(witness_at_least_rule_and_unjudged_reasons)
{
	static struct witness p, b;
	struct witness_opts o = { .nr_rules = 1, .rules = { { .code = 0x72, .at_least = true, .delta = 2 } } };
	struct witness_verdict v;

	one_reason(&p, &b, 200, 0, 0);
	b.rows[0].exits = 202;			/* exactly the delta: at least holds */
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.count_differs, 0);
	b.rows[0].exits = 201;			/* one short */
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.count_differs, 1);
	o.rules[0].code = 0x7b;			/* CPUID now has no rule ... */
	o.only_ruled = true;			/* ... and is not judged */
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.count_differs, 0);
	CHECK_EQ_U64(v.judged, 0);
}

TEST(witness_latency_check_counts_the_unpaired)
{
	static struct witness p, b;
	struct witness_opts o = { .latency = true, .nr_rules = 1,
				  .rules = { { .code = 0x72, .unpaired = 2 } } };
	struct witness_verdict v;

	one_reason(&p, &b, 200, 0, 0);
	b.rows[0].lat_count = 198;
	b.rows[0].lat_ns = 198000;
	b.rows[0].lat_min_ns = 500;
	b.rows[0].lat_max_ns = 2000;
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.lat_bad, 0);
	CHECK(witness_agree(&o, &v));
	b.rows[0].lat_count = 199;		/* one paired too many */
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.lat_bad, 1);
	CHECK(!witness_agree(&o, &v));
	b.rows[0].lat_count = 198;
	b.rows[0].lat_min_ns = 1500;		/* min above the average */
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.lat_bad, 1);
}

TEST(witness_latency_bound_on_the_patch_cycles)
{
	static struct witness p, b;
	struct witness_opts o = { .lat_bound = 1.02 };
	struct witness_verdict v;

	one_reason(&p, &b, 200, 1020000, 0);	/* 1.02 ms at 1 GHz */
	snprintf(b.kvm_time, sizeof(b.kvm_time), "off");
	b.rows[0].lat_ns = 1000000;
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.lat_bad, 0);
	p.rows[0].cycles = 1030000;
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.lat_bad, 1);
	p.rows[0].cycles = 0;			/* a lost sum */
	CHECK(compare_with(&p, &b, &o, &v) == 0);
	CHECK_EQ_U64(v.lat_bad, 1);
}

TEST(witness_rows_keyed_by_vm)
{
	static struct witness w;

	memset(&w, 0, sizeof(w));
	CHECK(witness_row(&w, 7, 0x72) == &w.rows[0]);
	CHECK(witness_row(&w, 8, 0x72) == &w.rows[1]);
	CHECK(witness_row(&w, 7, 0x72) == &w.rows[0]);
	CHECK_EQ_U64(w.nr, 2);
}
