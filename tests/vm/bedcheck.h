/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bedcheck.h - what bedcheck's commands (bedcheck.c, bedcheck_slow.c)
 * share.
 */
#ifndef BEDCHECK_H
#define BEDCHECK_H

#include <stdbool.h>

#include "json_scan.h"

#define WHO	"bedcheck"

/* Does @obj's reason ("isa", "code") have one of the comma-separated @names? */
bool row_named(const struct json_span *obj, const char *names);

/* bedcheck slow SLOW_EXIT.out EXITTRACE.json [--keys] */
int slow(int argc, char **argv);
/* bedcheck slow-all EXITTRACE.json */
int slow_all(int argc, char **argv);

#endif /* BEDCHECK_H */
