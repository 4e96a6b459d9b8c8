// SPDX-License-Identifier: GPL-2.0
/* unit_main.c - run every registered TEST, report "N passed, N failed". */
#include <stdarg.h>
#include <stdlib.h>

#include "unit.h"

char captured[65536];

static struct unit_test *tests;
static int current_failed;

void unit_register(struct unit_test *t)
{
	struct unit_test **p = &tests;

	/* keep registration order stable: append */
	while (*p)
		p = &(*p)->next;
	*p = t;
}

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failed = 1;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;
	struct unit_test *t;

	for (t = tests; t; t = t->next) {
		if (only && !strstr(t->name, only))
			continue;
		current_failed = 0;
		t->fn();
		printf("%s %s\n", current_failed ? "FAIL" : "ok  ", t->name);
		if (current_failed)
			failed++;
		else
			passed++;
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
