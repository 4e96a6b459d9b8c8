/* SPDX-License-Identifier: GPL-2.0 */
/* csv.h - the CSV files the native benchmarks leave beside their tables. */
#ifndef NATIVE_CSV_H
#define NATIVE_CSV_H

#include <stdint.h>
#include <stdio.h>

/* @dir/@name for writing, @header its first line; NULL with errno set */
FILE *csv_create(const char *dir, const char *name, const char *header);

/*
 * Every bare run as a "round,bare,events,cycles" line; @per_round of
 * them were timed in each round.
 */
void csv_bare_runs(FILE *out, const uint64_t *bare, unsigned int nr, unsigned int per_round,
		   uint64_t events);

#endif /* NATIVE_CSV_H */
