// SPDX-License-Identifier: GPL-2.0
/* csv.c - the CSV files the native benchmarks leave beside their tables. */
#include <stdio.h>

#include "csv.h"

FILE *csv_create(const char *dir, const char *name, const char *header)
{
	char path[512];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	out = fopen(path, "w");
	if (out)
		fprintf(out, "%s\n", header);
	return out;
}

void csv_bare_runs(FILE *out, const uint64_t *bare, unsigned int nr, unsigned int per_round,
		   uint64_t events)
{
	unsigned int r;

	for (r = 0; r < nr; r++)
		fprintf(out, "%u,bare,%llu,%llu\n", r / per_round, (unsigned long long)events,
			(unsigned long long)bare[r]);
}
