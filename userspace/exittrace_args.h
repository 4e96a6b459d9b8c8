/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exittrace_args.h - exittrace's command line.
 *
 * Apart from the loader so that the unit tests can parse command lines.
 */
#ifndef EXITTRACE_ARGS_H
#define EXITTRACE_ARGS_H

#include <stdbool.h>
#include <linux/types.h>
#include <sys/socket.h>

#include "../bpf/exittrace.h"
#include "record.h"
#include "report.h"
#include "report_sort.h"

/* How the BPF programs hook kvm_exit/kvm_entry (see exittrace.bpf.c). */
enum exittrace_attach {
	ATTACH_AUTO,		/* tp_btf if the BTF has what it needs, else classic */
	ATTACH_BTF,		/* raw tracepoints (tp_btf) */
	ATTACH_CLASSIC,		/* tracepoints with their tracefs records */
};

/* Where an exit's time in KVM ends (kvm_time.c). */
enum exittrace_kvm_time {
	KVM_TIME_AUTO,		/* fexit, else kretprobe, else not measured */
	KVM_TIME_FEXIT,		/* fexit on vmx/svm_handle_exit (BPF trampoline) */
	KVM_TIME_KPROBE,	/* kretprobe on the same function */
	KVM_TIME_OFF,		/* not measured */
};

struct exittrace_args {
	unsigned int interval_ms;	/* between tables and records, >= 100 */
	long count;			/* tables to print; -1: until stopped */
	__u32 pids[EXITTRACE_MAX_PIDS];
	unsigned int nr_pids;
	int vcpu;			/* -1: all vCPUs */
	bool per_vm;
	bool per_vcpu;			/* --per-vcpu: rows per vCPU (sets per_vm) */
	bool wide;			/* -w: every column */
	enum report_sort sort;
	enum report_units units;
	const char *cgroup;		/* --cgroup PATH, or NULL */
	bool histograms;
	bool json;
	bool timestamp;
	bool summary_only;
	bool verbose;
	unsigned int duration;		/* seconds; 0: until stopped */
	unsigned int max_keys;
	enum exittrace_attach attach;
	bool no_latency;		/* count exits only: no kvm_entry hook */
	enum exittrace_kvm_time kvm_time;
	const char *metrics;		/* --metrics FILE: Prometheus text format */
	const char *openmetrics;	/* --openmetrics FILE: OpenMetrics */
	const char *listen;		/* --listen ADDR: /metrics over HTTP, or NULL */
	struct sockaddr_storage listen_addr;	/* ADDR, parsed */
	socklen_t listen_addrlen;
	const char *record;		/* --record FILE, or NULL */
	enum record_format record_format;
	const char *mark_labels;	/* comma-separated labels for SIGUSR1 marks */
	__u32 drill_kinds;		/* --by: DRILL_KIND() mask, 0: no drill-down */
	unsigned int top;		/* --top: keys shown per VM and kind */
	__u64 slower_than_ns;		/* --slower-than: report exits this slow; 0: off */
	unsigned int slow_buffer;	/* --slow-buffer: the ring buffer's bytes */
};

/* --slow-buffer: a power of two from one (x86) page on; 256 KiB = 4096 events */
#define EXITTRACE_SLOW_BUFFER_MIN	4096U
#define EXITTRACE_SLOW_BUFFER_MAX	(1U << 30)
#define EXITTRACE_SLOW_BUFFER_DEFAULT	(256U * 1024)

/*
 * "20ms", "1.5s", "500us", "250000ns" -> nanoseconds (> 0, at most a
 * day); false if it is not such a duration.  The unit is required: a
 * bare number means seconds to some tools and microseconds to others.
 */
bool exittrace_parse_duration_ns(const char *arg, __u64 *ns);

/* "256K", "1M", "65536" -> bytes; false if not a size in bytes, K, M or G. */
bool exittrace_parse_size(const char *arg, unsigned long long *bytes);

/* Shortest interval: below it the map walk itself would be the workload. */
#define EXITTRACE_MIN_INTERVAL_MS	100

/*
 * "HOST:PORT" (numeric IPv4), "[IPV6]:PORT" or ":PORT" (every address,
 * IPv6 and IPv4) into @addr; false if it is none of those.
 */
bool exittrace_parse_listen(const char *arg, struct sockaddr_storage *addr, socklen_t *len);

/*
 * The latencies' histograms are kept (and read) only for -H and the
 * metrics (--metrics, --openmetrics, --listen), and only with latencies.
 */
bool exittrace_args_histograms(const struct exittrace_args *args);

/*
 * Parse @argv into @args (defaults first).  @argp_flags go to argp_parse():
 * 0 for the program (a bad command line prints why and exits with 64),
 * ARGP_NO_EXIT | ARGP_NO_ERRS for tests.  Returns 0 or an errno.
 */
int exittrace_parse_args(int argc, char **argv, unsigned int argp_flags,
			 struct exittrace_args *args);

#endif /* EXITTRACE_ARGS_H */
