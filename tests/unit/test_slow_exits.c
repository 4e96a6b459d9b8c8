// SPDX-License-Identifier: GPL-2.0
/* Unit tests for --slower-than's event printing (userspace/slow_exits.c). */
#include <stdlib.h>

#include "unit.h"
#include "slow_exits.h"

/* An SVM IOIO exit of vCPU 3, 1.5 s after start, 301 ms long, 45 us of it in KVM. */
static const struct slow_exit io_exit = {
	.exit_ns = 1000000000ULL + 1500000000ULL,
	.latency_ns = 301008263,
	.kvm_ns = 45200,
	.tgid = 59, .tid = 128, .vcpu_id = 3,
	.isa = EXITTRACE_ISA_SVM, .reason = 0x7b,
};

static char *print_one(const struct slow_exit *e, bool json, bool wall_clock)
{
	struct slow_exits_opts o = {
		.json = json, .wall_clock = wall_clock,
		.start_mono_ns = 1000000000ULL, .start_unix_s = 1700000000.0,
	};
	char *buf = NULL;
	size_t len = 0;

	o.out = open_memstream(&buf, &len);
	slow_exit_print(e, &o);
	fclose(o.out);
	return buf;
}

TEST(slow_exit_line)
{
	struct slow_exit e = io_exit;
	char *s = print_one(&e, false, false);

	CHECK_STR(s, "SLOW    1.500000s pid 59 tid 128 vcpu 3 SVM IOIO 301.01ms (in KVM 45.2us)\n");
	free(s);
	/* time in KVM not measured: no parenthesis; a reason no table names */
	e.kvm_ns = 0;
	e.reason = 0x3ff;
	s = print_one(&e, false, false);
	CHECK_STR(s, "SLOW    1.500000s pid 59 tid 128 vcpu 3 SVM UNKNOWN_0x3ff 301.01ms\n");
	free(s);
}

TEST(slow_exit_json)
{
	struct slow_exit e = io_exit;
	char *s = print_one(&e, true, false);

	CHECK_STR(s, "{\"tool\":\"exittrace\",\"slow_exit\":true,\"time\":1700000001.500000,"
		  "\"since_start_s\":1.500000,\"pid\":59,\"tid\":128,\"vcpu\":3,\"isa\":\"SVM\","
		  "\"code\":123,\"name\":\"IOIO\",\"latency_ns\":301008263,\"kvm_ns\":45200,"
		  "\"key_kind\":0,\"key\":0}\n");
	free(s);
	e.kvm_ns = 0;
	s = print_one(&e, true, false);
	CHECK(strstr(s, "\"kvm_ns\":null,") != NULL);
	free(s);
}

TEST(slow_exit_wall_clock)
{
	char *s = print_one(&io_exit, false, true);

	/* -T: the time of day (local), to the microsecond */
	CHECK(!strncmp(s, "SLOW ", 5) && s[7] == ':' && s[10] == ':' && !strncmp(s + 13, ".500000 pid", 11));
	free(s);
}
