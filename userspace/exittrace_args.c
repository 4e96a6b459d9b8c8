// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace_args.c - exittrace's command line, in the libbpf-tools manner:
 * [interval] [count] positionals and short options.
 */
#include <argp.h>
#include <errno.h>
#include <math.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/vfs.h>

#include "drilldown.h"
#include "exittrace_args.h"
#include "vm_names.h"

struct parse_state {
	struct exittrace_args *args;
	unsigned int positional;
	bool bad;
	bool format_given;
	bool interval_given;	/* by -i */
	bool top_given;
	bool slow_buffer_given;
};

const char *argp_program_version = "exittrace 0.1";
static const char doc[] =
"Count KVM VM exits per reason and time each one until its vCPU re-enters.\n"
"\n"
"USAGE: exittrace [OPTIONS] [interval [count]]\n"
"(interval: whole seconds; -i also takes fractions and ms, down to 100 ms)\n"
"\n"
"EXAMPLES:\n"
"    exittrace                 # a table every second; Ctrl-C for a summary\n"
"    exittrace 5 3             # three 5-second tables\n"
"    exittrace -p 1234 -H      # one VM, with latency histograms\n"
"    exittrace -P -p web1      # the VM QEMU runs as -name web1\n"
"    exittrace -P -d 10        # per-VM breakdown for 10 seconds\n"
"    exittrace -s --sort time  # the reasons that took the most time first\n"
"    exittrace -p web1 --per-vcpu    # one VM, a row per vCPU and reason\n"
"    exittrace --cgroup /sys/fs/cgroup/machine.slice   # libvirt's VMs only\n"
"    exittrace -j -s           # one JSON summary when stopped\n"
"    exittrace --by port,mmio  # which I/O ports and MMIO addresses, top 10\n"
"    exittrace -P --by gpa --top 5  # each VM's 5 busiest NPF/EPT fault pages\n"
"    exittrace --metrics /var/lib/prometheus/node-exporter/kvm_exits.prom\n"
"    exittrace -s --listen 127.0.0.1:9435     # /metrics for Prometheus to scrape\n"
"    exittrace -s -i 100ms --record run.csv   # a timeline for scripts/exitplot\n"
"    kill -USR1 $(pidof exittrace)            # put a mark on that timeline\n"
"    exittrace -s --slower-than 20ms          # a line for each exit slower than 20 ms\n"
"\n"
"Two times per exit.  IN KVM runs from kvm_exit to the return of the\n"
"vendor's handle_exit() (to kvm_entry when the fastpath re-entered): the\n"
"window the KVM patch counts cycles in.  The latency runs from a vCPU's\n"
"kvm_exit to that same vCPU's next kvm_entry, so it also holds the VMM's\n"
"work and a halted vCPU's sleep; it counts in the interval of the entry,\n"
"and an interval's MIN and MAX are since the start.  Through tp_btf, the first exits are checked against\n"
"the kernel's own kvm_exit record (see the summary's self-check line).\n";

enum { OPT_METRICS = 1000, OPT_OPENMETRICS, OPT_LISTEN, OPT_MAX_KEYS, OPT_RECORD, OPT_RECORD_FORMAT, OPT_MARK_LABELS,
       OPT_ATTACH, OPT_NO_LATENCY, OPT_KVM_TIME, OPT_BY, OPT_TOP, OPT_SLOWER_THAN, OPT_SLOW_BUFFER,
       OPT_SORT, OPT_UNITS, OPT_PER_VCPU, OPT_CGROUP };

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID|NAME", 0, "Trace only this VM process, by pid or by the name QEMU was given (-name NAME, libvirt's domain name; repeatable, up to 8)", 0 },
	{ "vcpu", 'c', "VCPU", 0, "Trace only the vCPU with this KVM id (vcpu_id, as in kvm_entry: QEMU gives the APIC ID)", 0 },
	{ "per-vm", 'P', NULL, 0, "Break the table down per VM process", 0 },
	{ "per-vcpu", OPT_PER_VCPU, NULL, 0, "Break the table down per VM and vCPU (KVM's vcpu_id); implies -P", 0 },
	{ "cgroup", OPT_CGROUP, "PATH", 0,
	  "Count only the vCPU threads in this cgroup (v2) or below it: /sys/fs/cgroup/machine.slice for libvirt's VMs", 0 },
	{ "histogram", 'H', NULL, 0, "Print log2 latency histograms of the top reasons", 0 },
	{ "sort", OPT_SORT, "KEY", 0,
	  "Order the rows by count (default), time (the latencies' sum), avg or max", 0 },
	{ "units", OPT_UNITS, "UNIT", 0,
	  "The table's times all in ns, us or ms (default: each in the unit that suits it)", 0 },
	{ "wide", 'w', NULL, 0,
	  "Every column: also the rate, the latencies' total and the time in KVM (wider than 80)", 0 },
	{ "json", 'j', NULL, 0, "Print JSON lines", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp with each table", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "summary", 's', NULL, 0, "Print only the final summary", 0 },
	{ "metrics", OPT_METRICS, "FILE", 0,
	  "Replace FILE each interval and at the end with the counts since the start, in the Prometheus text format (node_exporter's textfile collector reads *.prom files)", 0 },
	{ "openmetrics", OPT_OPENMETRICS, "FILE", 0,
	  "The same in OpenMetrics, for readers of OpenMetrics (not node_exporter's textfile collector)", 0 },
	{ "listen", OPT_LISTEN, "ADDR", 0,
	  "Serve the same on http://ADDR/metrics (OpenMetrics when asked for, else the text format): 127.0.0.1:9435, [::1]:9435, :9435 (every address)", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "Rows the kernel keeps for -P (VM x reason) and as many for --by's keys (default 32768, allocated as used)", 0 },
	{ "attach", OPT_ATTACH, "MODE", 0,
	  "How to hook kvm_exit/kvm_entry: auto (default: btf where the kernel's BTF allows, else classic), btf (raw tracepoints) or classic (tracepoint records)", 0 },
	{ "interval", 'i', "TIME", 0,
	  "Time between tables and records: 2, 0.5, 250ms, 1.5s (at least 100ms)", 0 },
	{ "record", OPT_RECORD, "FILE", 0,
	  "Write a timeline: one record per interval per reason, flushed as it goes", 0 },
	{ "record-format", OPT_RECORD_FORMAT, "csv|jsonl", 0,
	  "Format of --record (default: jsonl for *.jsonl/*.json, else csv)", 0 },
	{ "mark-labels", OPT_MARK_LABELS, "L1,L2,..", 0,
	  "Labels of the marks SIGUSR1 puts in the record, in order (default mark1, mark2..)", 0 },
	{ "kvm-time", OPT_KVM_TIME, "HOW", 0,
	  "Where an exit's time in KVM ends, at the return of vmx/svm_handle_exit(): auto (default: fexit, else kretprobe), fexit, kprobe or off", 0 },
	{ "no-latency", OPT_NO_LATENCY, NULL, 0,
	  "Count exits only: no kvm_entry hook, no per-thread state (the cheapest mode)", 0 },
	{ "by", OPT_BY, "KINDS", 0,
	  "Drill down behind the exits, per VM: port (I/O port and direction), mmio (MMIO GPA), msr (MSR and read/write), gpa (NPF/EPT fault page), hypercall (its number); comma-separated or repeated", 0 },
	{ "top", OPT_TOP, "N", 0, "Keys shown per VM and kind with --by (default 10; also bounds the metrics' labels)", 0 },
	{ "slower-than", OPT_SLOWER_THAN, "DURATION", 0,
	  "Print each exit whose latency (exit to that vCPU's next entry) is DURATION or more: 20ms, 500us, 1.5s, 250000ns (with -j: a JSON line each)", 0 },
	{ "slow-buffer", OPT_SLOW_BUFFER, "SIZE", 0,
	  "Ring buffer for --slower-than: a power of two from 4K to 1G (default 256K, 4096 events); events that find it full are counted as lost", 0 },
	{ "verbose", 'v', NULL, 0, "Show libbpf's messages", 0 },
	{},
};

static long parse_long(struct argp_state *state, const char *what, const char *arg,
		       long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v < min || v > max) {
		argp_error(state, "invalid %s '%s': expected a whole number from %ld to %ld",
			   what, arg, min, max);
		((struct parse_state *)state->input)->bad = true;
		return min;
	}
	return v;
}

/* "2", "0.25", "250ms", "1.5s" -> milliseconds; false if not a time. */
static bool parse_time_ms(const char *arg, double *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || !isfinite(v) || v < 0)
		return false;
	if (!strcmp(end, "ms"))
		*ms = v;
	else if (!*end || !strcmp(end, "s"))
		*ms = v * 1000.0;
	else
		return false;
	return true;
}

bool exittrace_parse_duration_ns(const char *arg, __u64 *ns)
{
	static const struct { const char *unit; double ns; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	unsigned int i;
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	/* plain decimals only: no sign, exponent, hex or leading space */
	if (errno || end == arg || !isfinite(v) || v <= 0 ||
	    strspn(arg, "0123456789.") != (size_t)(end - arg))
		return false;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(end, units[i].unit))
			continue;
		v *= units[i].ns;
		if (v < 0.5 || v > 86400e9)
			return false;
		*ns = (__u64)(v + 0.5);
		return true;
	}
	return false;
}

bool exittrace_parse_size(const char *arg, unsigned long long *bytes)
{
	unsigned long long v;
	unsigned int shift;
	char *end;

	if (!(*arg >= '0' && *arg <= '9'))
		return false;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno)
		return false;
	if (!*end)
		shift = 0;
	else if (!strcmp(end, "K") || !strcmp(end, "k"))
		shift = 10;
	else if (!strcmp(end, "M"))
		shift = 20;
	else if (!strcmp(end, "G"))
		shift = 30;
	else
		return false;
	if (v > (~0ULL >> shift))
		return false;
	*bytes = v << shift;
	return true;
}

static void parse_slower_than(struct argp_state *state, const char *arg, __u64 *ns)
{
	if (!exittrace_parse_duration_ns(arg, ns)) {
		argp_error(state, "invalid --slower-than '%s': give a duration above 0 with its unit, up to a day: 20ms, 500us, 1.5s, 250000ns",
			   arg);
		((struct parse_state *)state->input)->bad = true;
	}
}

static void parse_slow_buffer(struct argp_state *state, const char *arg, unsigned int *bytes)
{
	unsigned long long v;

	if (!exittrace_parse_size(arg, &v) || v < EXITTRACE_SLOW_BUFFER_MIN ||
	    v > EXITTRACE_SLOW_BUFFER_MAX || (v & (v - 1))) {
		argp_error(state, "invalid --slow-buffer '%s': give a power of two from 4K to 1G (4096, 64K, 1M)",
			   arg);
		((struct parse_state *)state->input)->bad = true;
		return;
	}
	*bytes = (unsigned int)v;
}

static void parse_interval(struct argp_state *state, const char *arg, unsigned int *interval_ms)
{
	struct parse_state *ps = state->input;
	double ms;

	if (!parse_time_ms(arg, &ms)) {
		argp_error(state, "invalid interval '%s': give seconds (2, 0.5, 1.5s) or milliseconds (250ms)",
			   arg);
		ps->bad = true;
	} else if (ms < EXITTRACE_MIN_INTERVAL_MS) {
		argp_error(state, "interval '%s' is too short: it must be at least %dms (-i %dms)",
			   arg, EXITTRACE_MIN_INTERVAL_MS, EXITTRACE_MIN_INTERVAL_MS);
		ps->bad = true;
	} else if (ms > 86400e3) {
		argp_error(state, "interval '%s' is too long: at most one day (86400)", arg);
		ps->bad = true;
	} else {
		*interval_ms = (unsigned int)(ms + 0.5);
	}
}

static void parse_mark_labels(struct argp_state *state, const char *arg)
{
	struct parse_state *ps = state->input;
	char label[64];
	const char *p = arg;

	while (!ps->bad) {
		size_t n = strcspn(p, ",");

		snprintf(label, sizeof(label), "%.*s", (int)(n < 63 ? n : 63), p);
		if (n > 32 || !record_label_ok(label)) {
			argp_error(state, "bad mark label '%.*s' in --mark-labels: use 1 to 32 of A-Z a-z 0-9 _ . -",
				   (int)n, p);
			ps->bad = true;
		}
		if (!p[n])
			break;
		p += n + 1;
	}
}

bool exittrace_parse_listen(const char *arg, struct sockaddr_storage *addr, socklen_t *len)
{
	struct sockaddr_in *in = (struct sockaddr_in *)addr;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)addr;
	const char *colon = strrchr(arg, ':');
	char host[INET6_ADDRSTRLEN];
	size_t n;
	long port;

	if (!colon || !colon[1] || strspn(colon + 1, "0123456789") != strlen(colon + 1))
		return false;
	port = strlen(colon + 1) <= 5 ? atol(colon + 1) : 0;
	n = colon - arg;
	if (port < 1 || port > 65535 || n >= sizeof(host))
		return false;
	memset(addr, 0, sizeof(*addr));
	if (n && arg[0] != '[') {
		snprintf(host, sizeof(host), "%.*s", (int)n, arg);
		in->sin_family = AF_INET;
		in->sin_port = htons(port);
		*len = sizeof(*in);
		return inet_pton(AF_INET, host, &in->sin_addr) == 1;
	}
	/* "[IPV6]:PORT", or ":PORT": "::", which takes IPv4 too */
	if (n && (n < 3 || arg[n - 1] != ']'))
		return false;
	snprintf(host, sizeof(host), "%.*s", n ? (int)n - 2 : 2, n ? arg + 1 : "::");
	in6->sin6_family = AF_INET6;
	in6->sin6_port = htons(port);
	*len = sizeof(*in6);
	return inet_pton(AF_INET6, host, &in6->sin6_addr) == 1;
}

/*
 * -p NAME: resolved once, here, to the pid of the one QEMU whose -name
 * it is (vm_names.h); a VM started later under that name is not seen.
 */
static bool pid_of_vm_name(struct argp_state *state, const char *name, __u32 *pid)
{
	uint32_t found = 0, other = 0;
	int err = *name ? vm_pid_by_name(NULL, name, &found, &other) : -EINVAL;

	if (err == -EINVAL)
		argp_error(state, "-p needs a PID or the name of a VM");
	else if (err == -ENOENT)
		argp_error(state, "no running VM is named '%s': -p takes a PID or the name a QEMU was given with -name", name);
	else if (err == -EEXIST)
		argp_error(state, "several VMs are named '%s' (pids %u and %u at least): give -p PID", name,
			   found, other);
	else if (err)
		argp_error(state, "cannot look for the VM named '%s' in /proc: %s", name, strerror(-err));
	*pid = found;
	return !err;
}

/*
 * --cgroup: a directory of the cgroup v2 hierarchy, the one
 * bpf_current_task_under_cgroup() tests against; checked here, so that a
 * wrong path is a usage error before anything is loaded.
 */
static bool cgroup2_dir(struct argp_state *state, const char *path)
{
	struct statfs fs;

	if (statfs(path, &fs)) {
		argp_error(state, "cannot use --cgroup '%s': %s", path, strerror(errno));
		return false;
	}
	if (fs.f_type != CGROUP2_SUPER_MAGIC) {
		argp_error(state, "--cgroup '%s' is not in a cgroup v2 hierarchy (mount -t cgroup2 none /sys/fs/cgroup; Linux 4.5)",
			   path);
		return false;
	}
	return true;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct exittrace_args *args = ps->args;

	switch (key) {
	case 'p':
		if (args->nr_pids == EXITTRACE_MAX_PIDS) {
			argp_error(state, "at most %d -p options", EXITTRACE_MAX_PIDS);
			return EINVAL;
		}
		/* all digits: a pid; anything else a name ("-name 4u" is one) */
		if (!*arg || arg[strspn(arg, "0123456789")]) {
			if (!pid_of_vm_name(state, arg, &args->pids[args->nr_pids]))
				return EINVAL;
			args->nr_pids++;
			break;
		}
		args->pids[args->nr_pids] = parse_long(state, "PID", arg, 1, 0x3fffffff);
		if (kill(args->pids[args->nr_pids], 0) && errno == ESRCH) {
			argp_error(state, "no process with PID %s: give the pid of a running VMM (e.g. qemu)",
				   arg);
			return EINVAL;
		}
		args->nr_pids++;
		break;
	case 'c':
		args->vcpu = parse_long(state, "vCPU", arg, 0, 0x7fffffff);
		break;
	case 'P':
		args->per_vm = true;
		break;
	case 'H':
		args->histograms = true;
		break;
	case 'w':
		args->wide = true;
		break;
	case OPT_PER_VCPU:
		args->per_vcpu = true;
		args->per_vm = true;
		break;
	case OPT_CGROUP:
		if (!*arg) {
			argp_error(state, "--cgroup needs the path of a cgroup directory (/sys/fs/cgroup/machine.slice)");
			return EINVAL;
		}
		if (!cgroup2_dir(state, arg))
			return EINVAL;
		args->cgroup = arg;
		break;
	case OPT_SORT:
		if (!report_sort_parse(arg, &args->sort)) {
			argp_error(state, "invalid --sort '%s': expected count, time, avg or max", arg);
			return EINVAL;
		}
		break;
	case OPT_UNITS:
		if (!report_units_parse(arg, &args->units)) {
			argp_error(state, "invalid --units '%s': expected ns, us or ms", arg);
			return EINVAL;
		}
		break;
	case 'j':
		args->json = true;
		break;
	case 'T':
		args->timestamp = true;
		break;
	case 'd':
		args->duration = parse_long(state, "duration", arg, 1, 86400 * 365);
		break;
	case 's':
		args->summary_only = true;
		break;
	case 'v':
		args->verbose = true;
		break;
	case OPT_METRICS:
	case OPT_OPENMETRICS:
		if (!*arg) {
			argp_error(state, "--%s needs a file name",
				   key == OPT_METRICS ? "metrics" : "openmetrics");
			return EINVAL;
		}
		*(key == OPT_METRICS ? &args->metrics : &args->openmetrics) = arg;
		break;
	case OPT_LISTEN:
		if (!exittrace_parse_listen(arg, &args->listen_addr, &args->listen_addrlen)) {
			argp_error(state, "invalid --listen '%s': give IP:PORT (127.0.0.1:9435), [IPV6]:PORT or :PORT", arg);
			return EINVAL;
		}
		args->listen = arg;
		break;
	case 'i':
		if (ps->positional) {
			argp_error(state, "the interval is given twice: use -i or the positional interval");
			return EINVAL;
		}
		parse_interval(state, arg, &args->interval_ms);
		ps->interval_given = true;
		break;
	case OPT_RECORD:
		if (!*arg) {
			argp_error(state, "--record needs a file name");
			return EINVAL;
		}
		args->record = arg;
		if (!ps->format_given)
			args->record_format = record_format_for(arg);
		break;
	case OPT_RECORD_FORMAT:
		if (!strcmp(arg, "csv")) {
			args->record_format = RECORD_CSV;
		} else if (!strcmp(arg, "jsonl")) {
			args->record_format = RECORD_JSONL;
		} else {
			argp_error(state, "unknown --record-format '%s': use csv or jsonl", arg);
			return EINVAL;
		}
		ps->format_given = true;
		break;
	case OPT_MARK_LABELS:
		parse_mark_labels(state, arg);
		args->mark_labels = arg;
		break;
	case OPT_MAX_KEYS:
		args->max_keys = parse_long(state, "--max-keys", arg, 16, 1 << 20);
		break;
	case OPT_NO_LATENCY:
		args->no_latency = true;
		break;
	case OPT_BY:
		if (!drill_parse_by(arg, &args->drill_kinds)) {
			argp_error(state, "invalid --by '%s': expected port, mmio, msr, gpa or hypercall, comma-separated", arg);
			return EINVAL;
		}
		break;
	case OPT_TOP:
		args->top = parse_long(state, "--top", arg, 1, 100000);
		ps->top_given = true;
		break;
	case OPT_SLOWER_THAN:
		parse_slower_than(state, arg, &args->slower_than_ns);
		break;
	case OPT_SLOW_BUFFER:
		parse_slow_buffer(state, arg, &args->slow_buffer);
		ps->slow_buffer_given = true;
		break;
	case OPT_KVM_TIME:
		if (!strcmp(arg, "auto"))
			args->kvm_time = KVM_TIME_AUTO;
		else if (!strcmp(arg, "fexit"))
			args->kvm_time = KVM_TIME_FEXIT;
		else if (!strcmp(arg, "kprobe"))
			args->kvm_time = KVM_TIME_KPROBE;
		else if (!strcmp(arg, "off"))
			args->kvm_time = KVM_TIME_OFF;
		else {
			argp_error(state, "invalid --kvm-time '%s': expected auto, fexit, kprobe or off", arg);
			return EINVAL;
		}
		break;
	case OPT_ATTACH:
		if (!strcmp(arg, "auto"))
			args->attach = ATTACH_AUTO;
		else if (!strcmp(arg, "btf"))
			args->attach = ATTACH_BTF;
		else if (!strcmp(arg, "classic"))
			args->attach = ATTACH_CLASSIC;
		else {
			argp_error(state, "invalid --attach '%s': expected auto, btf or classic", arg);
			return EINVAL;
		}
		break;
	case ARGP_KEY_ARG:
		if (ps->positional == 0 && ps->interval_given) {
			argp_error(state, "the interval is given twice: use -i or the positional interval");
			return EINVAL;
		} else if (ps->positional == 0)
			args->interval_ms = 1000 * parse_long(state, "interval", arg, 1, 86400);
		else if (ps->positional == 1)
			args->count = parse_long(state, "count", arg, 1, 0x7fffffff);
		else {
			argp_error(state, "unexpected argument '%s'", arg);
			return EINVAL;
		}
		ps->positional++;
		break;
	case ARGP_KEY_END:
		if (args->metrics && args->openmetrics && !strcmp(args->metrics, args->openmetrics)) {
			argp_error(state, "--metrics and --openmetrics name the same file: one format per file");
			return EINVAL;
		}
		if (args->mark_labels && !args->record) {
			argp_error(state, "--mark-labels needs --record FILE: marks go into the record");
			return EINVAL;
		}
		if (args->no_latency && (args->kvm_time == KVM_TIME_FEXIT ||
					 args->kvm_time == KVM_TIME_KPROBE)) {
			argp_error(state, "--kvm-time needs the per-thread state that --no-latency turns off: drop one");
			return EINVAL;
		}
		if (ps->top_given && !args->drill_kinds) {
			argp_error(state, "--top ranks the keys of --by: give --by KINDS too");
			return EINVAL;
		}
		if (args->drill_kinds && args->vcpu >= 0 && args->no_latency) {
			argp_error(state, "-c with --by needs the per-thread state that --no-latency turns off: drop one");
			return EINVAL;
		}
		if (args->slower_than_ns && args->no_latency) {
			argp_error(state, "--slower-than judges latencies, which --no-latency does not measure: drop one");
			return EINVAL;
		}
		if (ps->slow_buffer_given && !args->slower_than_ns) {
			argp_error(state, "--slow-buffer sizes the buffer of --slower-than: give that too");
			return EINVAL;
		}
		if (args->histograms && args->no_latency) {
			argp_error(state, "-H shows latencies, which --no-latency does not measure: drop one");
			return EINVAL;
		}
		if (args->sort != SORT_COUNT && args->no_latency) {
			argp_error(state, "--sort by time, avg or max orders by latencies, which --no-latency does not measure: drop one");
			return EINVAL;
		}
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return ps->bad ? EINVAL : 0;
}

int exittrace_parse_args(int argc, char **argv, unsigned int argp_flags,
			 struct exittrace_args *args)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	struct parse_state ps = { .args = args };

	*args = (struct exittrace_args){
		.interval_ms = 1000,
		.count = -1,
		.vcpu = -1,
		.max_keys = 32768,
		.top = 10,
		.slow_buffer = EXITTRACE_SLOW_BUFFER_DEFAULT,
	};
	return argp_parse(&argp, argc, argv, argp_flags, NULL, &ps);
}

bool exittrace_args_histograms(const struct exittrace_args *args)
{
	return !args->no_latency &&
	       (args->histograms || args->metrics || args->openmetrics || args->listen);
}
