// SPDX-License-Identifier: GPL-2.0
/* Unit tests for exittrace's command line. */
#include <argp.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include "unit.h"
#include "exittrace_args.h"

static int parse(struct exittrace_args *a, const char *line)
{
	char buf[256], *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "exittrace %s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	return exittrace_parse_args(argc, argv, ARGP_NO_EXIT | ARGP_NO_ERRS, a);
}

TEST(args_defaults)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK_EQ_U64(a.interval_ms, 1000);
	CHECK(!a.record && a.record_format == RECORD_CSV);
	CHECK(a.count == -1);
	CHECK(a.vcpu == -1);
	CHECK_EQ_U64(a.nr_pids, 0);
	CHECK_EQ_U64(a.max_keys, 32768);
	CHECK(!a.json && !a.histograms && !a.per_vm && !a.summary_only);
}

TEST(args_interval_and_count)
{
	struct exittrace_args a;

	CHECK(parse(&a, "5 3") == 0);
	CHECK_EQ_U64(a.interval_ms, 5000);
	CHECK(a.count == 3);
	CHECK(parse(&a, "0") != 0);
	CHECK(parse(&a, "1 0") != 0);
	CHECK(parse(&a, "1x") != 0);
	CHECK(parse(&a, "1 2 3") != 0);
	CHECK(parse(&a, "99999999999999999999") != 0);
}

TEST(args_interval_option)
{
	struct exittrace_args a;

	CHECK(parse(&a, "-i 100ms") == 0);
	CHECK_EQ_U64(a.interval_ms, 100);
	CHECK(parse(&a, "-i 0.25") == 0);
	CHECK_EQ_U64(a.interval_ms, 250);
	CHECK(parse(&a, "-i 1.5s") == 0);
	CHECK_EQ_U64(a.interval_ms, 1500);
	CHECK(parse(&a, "--interval 3") == 0);
	CHECK_EQ_U64(a.interval_ms, 3000);
	CHECK(parse(&a, "-i 99ms") != 0);
	CHECK(parse(&a, "-i 0.05") != 0);
	CHECK(parse(&a, "-i 0") != 0);
	CHECK(parse(&a, "-i -1") != 0);
	CHECK(parse(&a, "-i 1m") != 0);
	CHECK(parse(&a, "-i nan") != 0);
	CHECK(parse(&a, "-i 100000s") != 0);
	CHECK(parse(&a, "-i 0.5 2") != 0);		/* given twice */
	CHECK(parse(&a, "2 -i 0.5") != 0);
}

TEST(args_record)
{
	struct exittrace_args a;

	CHECK(parse(&a, "--record run.csv") == 0);
	CHECK_STR(a.record, "run.csv");
	CHECK(a.record_format == RECORD_CSV);
	CHECK(parse(&a, "--record run.jsonl") == 0);
	CHECK(a.record_format == RECORD_JSONL);
	CHECK(parse(&a, "--record-format jsonl --record run.txt") == 0);
	CHECK(a.record_format == RECORD_JSONL);
	CHECK(parse(&a, "--record run.jsonl --record-format csv") == 0);
	CHECK(a.record_format == RECORD_CSV);
	CHECK(parse(&a, "--record r.csv --record-format xml") != 0);
	CHECK(parse(&a, "--record r.csv --mark-labels boot,idle,shutdown") == 0);
	CHECK_STR(a.mark_labels, "boot,idle,shutdown");
	CHECK(parse(&a, "--mark-labels boot") != 0);		/* needs --record */
	CHECK(parse(&a, "--record r.csv --mark-labels boot,,idle") != 0);
	CHECK(parse(&a, "--record r.csv --mark-labels a;b") != 0);
}

TEST(args_flags)
{
	struct exittrace_args a;

	CHECK(parse(&a, "-P -H -j -T -s -v -d 10 -c 3 --max-keys 100 --openmetrics /tmp/x.prom") == 0);
	CHECK(a.per_vm && a.histograms && a.json && a.timestamp && a.summary_only && a.verbose);
	CHECK_EQ_U64(a.duration, 10);
	CHECK(a.vcpu == 3);
	CHECK_EQ_U64(a.max_keys, 100);
	CHECK_STR(a.openmetrics, "/tmp/x.prom");
	CHECK(parse(&a, "-c -1") != 0);
	CHECK(parse(&a, "-d 0") != 0);
	CHECK(parse(&a, "--max-keys 1") != 0);
	CHECK(parse(&a, "--no-such-option") != 0);
}

/* --metrics: the text format; --openmetrics: OpenMetrics; both, to two files. */
TEST(args_metrics_files)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK(!a.metrics && !a.openmetrics);
	CHECK(parse(&a, "--metrics /tmp/a.prom --openmetrics /tmp/b.om") == 0);
	CHECK_STR(a.metrics, "/tmp/a.prom");
	CHECK_STR(a.openmetrics, "/tmp/b.om");
	CHECK(parse(&a, "--metrics /tmp/a.prom --openmetrics /tmp/a.prom") != 0);
	CHECK(parse(&a, "--metrics=") != 0);
}

TEST(args_pids)
{
	struct exittrace_args a;
	char line[128];
	int me = getpid();

	snprintf(line, sizeof(line), "-p %d -p 1", me);
	CHECK(parse(&a, line) == 0);
	CHECK_EQ_U64(a.nr_pids, 2);
	CHECK_EQ_U64(a.pids[0], me);
	CHECK_EQ_U64(a.pids[1], 1);
	CHECK(parse(&a, "-p 0") != 0);
	CHECK(parse(&a, "-p abc") != 0);
	/* pid_max is at most 2^22: this one cannot exist */
	CHECK(parse(&a, "-p 999999999") != 0);
	CHECK(parse(&a, "-p 1 -p 1 -p 1 -p 1 -p 1 -p 1 -p 1 -p 1 -p 1") != 0);
}

TEST(args_attach)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK(a.attach == ATTACH_AUTO);
	CHECK(parse(&a, "--attach btf") == 0);
	CHECK(a.attach == ATTACH_BTF);
	CHECK(parse(&a, "--attach classic") == 0);
	CHECK(a.attach == ATTACH_CLASSIC);
	CHECK(parse(&a, "--attach auto") == 0);
	CHECK(a.attach == ATTACH_AUTO);
	CHECK(parse(&a, "--attach raw") != 0);
	CHECK(parse(&a, "--attach") != 0);
}

TEST(args_no_latency)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK(!a.no_latency);
	CHECK(parse(&a, "--no-latency -P") == 0);
	CHECK(a.no_latency && a.per_vm);
	CHECK(parse(&a, "--no-latency -H") != 0);
}

TEST(args_kvm_time)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK(a.kvm_time == KVM_TIME_AUTO);
	CHECK(parse(&a, "--kvm-time fexit") == 0);
	CHECK(a.kvm_time == KVM_TIME_FEXIT);
	CHECK(parse(&a, "--kvm-time kprobe") == 0);
	CHECK(a.kvm_time == KVM_TIME_KPROBE);
	CHECK(parse(&a, "--kvm-time off") == 0);
	CHECK(a.kvm_time == KVM_TIME_OFF);
	CHECK(parse(&a, "--kvm-time fentry") != 0);
	/* the end of the time in KVM needs the per-thread state */
	CHECK(parse(&a, "--no-latency --kvm-time fexit") != 0);
	CHECK(parse(&a, "--no-latency --kvm-time off") == 0);
}

TEST(args_listen_addresses)
{
	struct exittrace_args a;
	struct sockaddr_in *in = (struct sockaddr_in *)&a.listen_addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&a.listen_addr;

	CHECK(parse(&a, "--listen 127.0.0.1:9435") == 0);
	CHECK(a.listen_addr.ss_family == AF_INET && ntohs(in->sin_port) == 9435 &&
	      ntohl(in->sin_addr.s_addr) == 0x7f000001 && a.listen_addrlen == sizeof(*in));
	CHECK(parse(&a, "--listen [::1]:80") == 0);
	CHECK(a.listen_addr.ss_family == AF_INET6 && ntohs(in6->sin6_port) == 80 &&
	      IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	CHECK(parse(&a, "--listen :9435") == 0);
	CHECK(a.listen_addr.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&in6->sin6_addr));
	CHECK(parse(&a, "--listen 127.0.0.1") != 0);
	CHECK(parse(&a, "--listen 127.0.0.1:") != 0);
	CHECK(parse(&a, "--listen 127.0.0.1:0") != 0);
	CHECK(parse(&a, "--listen 127.0.0.1:65536") != 0);
	CHECK(parse(&a, "--listen localhost:9435") != 0);
	CHECK(parse(&a, "--listen ::1:9435") != 0);
	CHECK(parse(&a, "--listen 127.0.0.1:94x5") != 0);
}

TEST(args_by_and_top)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK_EQ_U64(a.drill_kinds, 0);
	CHECK_EQ_U64(a.top, 10);
	CHECK(parse(&a, "--by port --by msr --top 3") == 0);
	CHECK_EQ_U64(a.drill_kinds, DRILL_KIND(DRILL_PORT) | DRILL_KIND(DRILL_MSR));
	CHECK_EQ_U64(a.top, 3);
	CHECK(parse(&a, "--by ioport") != 0);
	CHECK(parse(&a, "--top 3") != 0);		/* nothing to rank */
	CHECK(parse(&a, "--by gpa --top 0") != 0);
	CHECK(parse(&a, "--by gpa -c 0 --no-latency") != 0);
	CHECK(parse(&a, "--by gpa --no-latency") == 0);
}

TEST(args_slower_than)
{
	struct exittrace_args a;
	__u64 ns;

	CHECK(parse(&a, "") == 0);
	CHECK_EQ_U64(a.slower_than_ns, 0);
	CHECK_EQ_U64(a.slow_buffer, EXITTRACE_SLOW_BUFFER_DEFAULT);
	CHECK(parse(&a, "--slower-than 20ms") == 0);
	CHECK_EQ_U64(a.slower_than_ns, 20000000);
	CHECK(parse(&a, "--slower-than 1.5s --slow-buffer 64K") == 0);
	CHECK_EQ_U64(a.slower_than_ns, 1500000000);
	CHECK_EQ_U64(a.slow_buffer, 65536);
	CHECK(exittrace_parse_duration_ns("500us", &ns) && ns == 500000);
	CHECK(exittrace_parse_duration_ns("250000ns", &ns) && ns == 250000);
	CHECK(exittrace_parse_duration_ns("0.5ms", &ns) && ns == 500000);
	CHECK(exittrace_parse_duration_ns("86400s", &ns) && ns == 86400000000000ULL);
	/* a unit is required; nothing signed, empty, zero or past a day */
	CHECK(!exittrace_parse_duration_ns("20", &ns));
	CHECK(!exittrace_parse_duration_ns("20 ms", &ns));
	CHECK(!exittrace_parse_duration_ns("20min", &ns));
	CHECK(!exittrace_parse_duration_ns("ms", &ns));
	CHECK(!exittrace_parse_duration_ns("", &ns));
	CHECK(!exittrace_parse_duration_ns("0ms", &ns));
	CHECK(!exittrace_parse_duration_ns("-5ms", &ns));
	CHECK(!exittrace_parse_duration_ns("+5ms", &ns));
	CHECK(!exittrace_parse_duration_ns("1e3ns", &ns));
	CHECK(!exittrace_parse_duration_ns("0.1ns", &ns));
	CHECK(!exittrace_parse_duration_ns("86401s", &ns));
	CHECK(parse(&a, "--slower-than 20") != 0);
	CHECK(parse(&a, "--slower-than 20ms --no-latency") != 0);
	CHECK(parse(&a, "--slow-buffer 64K") != 0);
	CHECK(parse(&a, "--slower-than 1ms --slow-buffer 3000") != 0);
	CHECK(parse(&a, "--slower-than 1ms --slow-buffer 2K") != 0);
	CHECK(parse(&a, "--slower-than 1ms --slow-buffer 2G") != 0);
	CHECK(parse(&a, "--slower-than 1ms --slow-buffer 1M") == 0);
	CHECK_EQ_U64(a.slow_buffer, 1 << 20);
}

/* -p NAME is looked up in this machine's /proc: no QEMU here has this name */
TEST(args_pid_by_vm_name)
{
	struct exittrace_args a;

	CHECK(parse(&a, "-p no-such-vm.exittrace-unit") != 0);
	CHECK(parse(&a, "-p 1") == 0);
	CHECK_EQ_U64(a.pids[0], 1);
}

TEST(args_columns_and_order)
{
	struct exittrace_args a;

	CHECK(parse(&a, "") == 0);
	CHECK(a.sort == SORT_COUNT && a.units == UNITS_AUTO && !a.wide && !a.per_vcpu && !a.cgroup);
	CHECK(parse(&a, "--sort max --units us -w") == 0);
	CHECK(a.sort == SORT_MAX && a.units == UNITS_US && a.wide);
	CHECK(parse(&a, "--sort avg --units ms") == 0);
	CHECK(a.sort == SORT_AVG && a.units == UNITS_MS);
	CHECK(parse(&a, "--sort time --units ns") == 0);
	CHECK(a.sort == SORT_TIME && a.units == UNITS_NS);
	CHECK(parse(&a, "--sort total") != 0);
	CHECK(parse(&a, "--units s") != 0);
	CHECK(parse(&a, "--sort max --no-latency") != 0);
	CHECK(parse(&a, "--sort count --no-latency") == 0);
	/* rows per vCPU are rows per VM too */
	CHECK(parse(&a, "--per-vcpu") == 0);
	CHECK(a.per_vcpu && a.per_vm);
	/* a cgroup v2 directory, and only that */
	CHECK(parse(&a, "--cgroup /proc") != 0);
	CHECK(parse(&a, "--cgroup /no/such/cgroup") != 0);
	CHECK(!a.cgroup);
}
