/* SPDX-License-Identifier: GPL-2.0 */
/*
 * unit.h - a minimal unit-test harness for exittrace's userspace code.
 *
 * TEST(name) { ... } registers a test at load time; CHECK*() record a
 * failure with file, line and the values involved, and let the test go on.
 * unit_main.c runs every test and ends with "N passed, N failed".
 */
#ifndef UNIT_H
#define UNIT_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
void unit_fail(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)							\
	static void test_##name(void);					\
	static struct unit_test unit_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		unit_register(&unit_##name);				\
	}								\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond))						\
			unit_fail(__FILE__, __LINE__, "%s", #cond);	\
	} while (0)

#define CHECK_EQ_U64(got, want)						\
	do {								\
		uint64_t g_ = (got), w_ = (want);			\
		if (g_ != w_)						\
			unit_fail(__FILE__, __LINE__, "%s == %" PRIu64	\
				  ", expected %" PRIu64, #got, g_, w_);	\
	} while (0)

#define CHECK_STR(got, want)						\
	do {								\
		const char *g_ = (got), *w_ = (want);			\
		if (!g_ || strcmp(g_, w_))				\
			unit_fail(__FILE__, __LINE__, "%s == \"%s\", expected \"%s\"", \
				  #got, g_ ? g_ : "(null)", w_);	\
	} while (0)

/* CAPTURE(call): what @call, which prints to FILE *f, printed (in captured). */
extern char captured[65536];
#define CAPTURE(call)							\
	do {								\
		FILE *f;						\
		memset(captured, 0, sizeof(captured));			\
		f = fmemopen(captured, sizeof(captured), "w");		\
		call;							\
		fclose(f);						\
	} while (0)

#endif /* UNIT_H */
