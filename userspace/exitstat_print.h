/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exitstat_print.h - exitstat's output, apart from main() for unit tests.
 */
#ifndef EXITSTAT_PRINT_H
#define EXITSTAT_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include "exit_stats.h"

struct exitstat_filter {
	bool all;		/* include reasons with zero exits */
	bool one_reason;	/* only @reason */
	uint32_t reason;
};

void exitstat_print_table(FILE *f, const struct exit_stats_snapshot *s, const char *what,
			  const struct exitstat_filter *flt);
void exitstat_print_json(FILE *f, const struct exit_stats_snapshot *s, unsigned int interval,
			 const struct exitstat_filter *flt);
/* The same, with @extra ("\"key\":value," pairs, or NULL) after "isa" */
void exitstat_print_json_with(FILE *f, const struct exit_stats_snapshot *s, unsigned int interval,
			      const struct exitstat_filter *flt, const char *extra);
bool exitstat_delta(struct exit_stats_snapshot *d, const struct exit_stats_snapshot *now,
		    const struct exit_stats_snapshot *before);

#endif /* EXITSTAT_PRINT_H */
