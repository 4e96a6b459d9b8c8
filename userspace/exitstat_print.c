// SPDX-License-Identifier: GPL-2.0
/*
 * exitstat_print.c - exitstat's output: the table, JSON, interval deltas.
 */
#include <inttypes.h>

#include "exit_stats_abi.h"
#include "exitstat_print.h"

static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static bool wanted(const struct reason_stats *r, const struct exitstat_filter *flt)
{
	if (!r->defined)
		return false;
	if (flt->one_reason)
		return r->code == flt->reason;
	return flt->all || r->exits;
}

void exitstat_print_table(FILE *f, const struct exit_stats_snapshot *s, const char *what,
			  const struct exitstat_filter *flt)
{
	unsigned int i;

	fprintf(f, "%s: %" PRIu64 " exits, %" PRIu64 " cycles (%s)\n", what,
	       s->total_exits, s->total_cycles, exit_isa_name(s->isa));
	fprintf(f, "%10s %-20s %12s %6s %16s %12s\n",
	       "REASON", "NAME", "EXITS", "SHARE", "CYCLES", "CYCLES/EXIT");
	for (i = 0; i < s->nr_reasons; i++) {
		const struct reason_stats *r = &s->reasons[i];

		if (!wanted(r, flt))
			continue;
		fprintf(f, "%#10x %-20s %12" PRIu64 " %5.1f%% %16" PRIu64 " %12" PRIu64 "\n",
		       r->code, exit_reason_name(s->isa, r->code), r->exits,
		       share(r->exits, s->total_exits), r->cycles,
		       r->exits ? r->cycles / r->exits : 0);
	}
}

void exitstat_print_json(FILE *f, const struct exit_stats_snapshot *s, unsigned int interval,
			 const struct exitstat_filter *flt)
{
	exitstat_print_json_with(f, s, interval, flt, NULL);
}

void exitstat_print_json_with(FILE *f, const struct exit_stats_snapshot *s, unsigned int interval,
			      const struct exitstat_filter *flt, const char *extra)
{
	unsigned int i;
	bool first = true;

	fprintf(f, "{\"tool\":\"exitstat\",\"abi\":%d,\"isa\":\"%s\",%s", EXIT_STATS_ABI_VERSION,
	       exit_isa_name(s->isa), extra ? extra : "");
	if (interval)
		fprintf(f, "\"interval_s\":%u,", interval);
	fprintf(f, "\"total_exits\":%" PRIu64 ",\"total_cycles\":%" PRIu64 ",\"reasons\":[",
	       s->total_exits, s->total_cycles);
	for (i = 0; i < s->nr_reasons; i++) {
		const struct reason_stats *r = &s->reasons[i];

		if (!wanted(r, flt))
			continue;
		fprintf(f, "%s{\"code\":%u,\"name\":\"%s\",\"exits\":%" PRIu64 ",\"cycles\":%" PRIu64 "}",
		       first ? "" : ",", r->code, exit_reason_name(s->isa, r->code),
		       r->exits, r->cycles);
		first = false;
	}
	fprintf(f, "]}\n");
}

/*
 * now - before, per field.  The counters are 64-bit and only grow within
 * one scope; false if any went down (the host switched exit_stats between
 * vm and host, or off and back), when this interval means nothing.
 */
bool exitstat_delta(struct exit_stats_snapshot *d, const struct exit_stats_snapshot *now,
		  const struct exit_stats_snapshot *before)
{
	bool went_down = now->total_exits < before->total_exits ||
			 now->total_cycles < before->total_cycles;
	unsigned int i;

	*d = *now;
	d->total_exits -= before->total_exits;
	d->total_cycles -= before->total_cycles;
	for (i = 0; i < d->nr_reasons; i++) {
		went_down |= now->reasons[i].exits < before->reasons[i].exits ||
			     now->reasons[i].cycles < before->reasons[i].cycles;
		d->reasons[i].exits -= before->reasons[i].exits;
		d->reasons[i].cycles -= before->reasons[i].cycles;
	}
	return !went_down;
}

