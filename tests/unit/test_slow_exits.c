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
		  "\"key_kind\":null,\"key\":null,\"key_value\":null,\"key_dir\":null}\n");
	free(s);
	e.kvm_ns = 0;
	s = print_one(&e, true, false);
	CHECK(strstr(s, "\"kvm_ns\":null,") != NULL);
	free(s);
}

/* --by: the exit's drill-down key, as the keys table writes it */
TEST(slow_exit_with_key)
{
	struct slow_exit e = io_exit;
	char *s;

	e.key_kind = DRILL_PORT;
	e.key_dir = DRILL_DIR_WRITE;
	e.key = 0x5c00;
	s = print_one(&e, false, false);
	CHECK_STR(s, "SLOW    1.500000s pid 59 tid 128 vcpu 3 SVM IOIO 301.01ms (in KVM 45.2us) key port 0x5c00 out\n");
	free(s);
	s = print_one(&e, true, false);
	CHECK(strstr(s, ",\"key_kind\":\"port\",\"key\":\"0x5c00\",\"key_value\":23552,\"key_dir\":\"out\"}\n") != NULL);
	free(s);
	/* a hypercall has no direction; its number in decimal */
	e.key_kind = DRILL_HYPERCALL;
	e.key_dir = DRILL_DIR_NONE;
	e.key = 12;
	s = print_one(&e, false, false);
	CHECK(strstr(s, " key hypercall 12\n") != NULL);
	free(s);
	s = print_one(&e, true, false);
	CHECK(strstr(s, ",\"key_kind\":\"hypercall\",\"key\":\"12\",\"key_value\":12,\"key_dir\":\"-\"}\n") != NULL);
	free(s);
	/* an MMIO read */
	e.key_kind = DRILL_MMIO;
	e.key_dir = DRILL_DIR_READ;
	e.key = 0xfee00030;
	s = print_one(&e, false, false);
	CHECK(strstr(s, " key mmio 0xfee00030 read\n") != NULL);
	free(s);
}

TEST(slow_exit_wall_clock)
{
	char *s = print_one(&io_exit, false, true);

	/* -T: the time of day (local), to the microsecond */
	CHECK(!strncmp(s, "SLOW ", 5) && s[7] == ':' && s[10] == ':' && !strncmp(s + 13, ".500000 pid", 11));
	free(s);
}
