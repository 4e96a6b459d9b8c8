// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace - count KVM VM exits per reason and time how long each keeps
 * the vCPU out of the guest, from the kvm_exit/kvm_entry tracepoints.
 */
#include <argp.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "exit_reasons.h"
#include "report.h"
#include "exittrace.skel.h"

static struct env {
	unsigned int interval;
	long count;
	__u32 pids[EXITTRACE_MAX_PIDS];
	unsigned int nr_pids;
	int vcpu;
	bool per_vm;
	bool histograms;
	bool json;
	bool timestamp;
	bool summary_only;
	bool verbose;
	unsigned int duration;
	unsigned int max_keys;
	const char *openmetrics;
} env = {
	.interval = 1,
	.count = -1,
	.vcpu = -1,
	.max_keys = 4096,
};

static volatile sig_atomic_t exiting;

const char *argp_program_version = "exittrace 0.1";
static const char doc[] =
"Count KVM VM exits per reason and time each one until its vCPU re-enters.\n"
"\n"
"USAGE: exittrace [OPTIONS] [interval [count]]\n"
"\n"
"EXAMPLES:\n"
"    exittrace                 # a table every second; Ctrl-C for a summary\n"
"    exittrace 5 3             # three 5-second tables\n"
"    exittrace -p 1234 -H      # one VM, with latency histograms\n"
"    exittrace -P -d 10        # per-VM breakdown for 10 seconds\n"
"    exittrace -j -s           # one JSON summary when stopped\n"
"    exittrace --openmetrics /var/lib/node_exporter/kvm_exits.prom\n";

enum { OPT_OPENMETRICS = 1000, OPT_MAX_KEYS };

static const struct argp_option opts[] = {
	{ "pid", 'p', "PID", 0, "Trace only this VM process (repeatable, up to 8)", 0 },
	{ "vcpu", 'c', "VCPU", 0, "Trace only this vCPU index", 0 },
	{ "per-vm", 'P', NULL, 0, "Break the table down per VM process", 0 },
	{ "histogram", 'H', NULL, 0, "Print log2 latency histograms of the top reasons", 0 },
	{ "json", 'j', NULL, 0, "Print JSON lines", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a timestamp with each table", 0 },
	{ "duration", 'd', "SECONDS", 0, "Stop after SECONDS", 0 },
	{ "summary", 's', NULL, 0, "Print only the final summary", 0 },
	{ "openmetrics", OPT_OPENMETRICS, "FILE", 0,
	  "Rewrite FILE atomically each interval in OpenMetrics text format", 0 },
	{ "max-keys", OPT_MAX_KEYS, "N", 0, "Rows the kernel keeps (VM x reason; default 4096)", 0 },
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
	if (errno || end == arg || *end || v < min || v > max)
		argp_error(state, "invalid %s '%s': expected a whole number from %ld to %ld",
			   what, arg, min, max);
	return v;
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	static unsigned int positional;

	switch (key) {
	case 'p':
		if (env.nr_pids == EXITTRACE_MAX_PIDS)
			argp_error(state, "at most %d -p options", EXITTRACE_MAX_PIDS);
		env.pids[env.nr_pids] = parse_long(state, "PID", arg, 1, 0x3fffffff);
		if (kill(env.pids[env.nr_pids], 0) && errno == ESRCH)
			argp_error(state, "no process with PID %s: give the pid of a running VMM (e.g. qemu)",
				   arg);
		env.nr_pids++;
		break;
	case 'c':
		env.vcpu = parse_long(state, "vCPU", arg, 0, 0x7fffffff);
		break;
	case 'P':
		env.per_vm = true;
		break;
	case 'H':
		env.histograms = true;
		break;
	case 'j':
		env.json = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'd':
		env.duration = parse_long(state, "duration", arg, 1, 86400 * 365);
		break;
	case 's':
		env.summary_only = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case OPT_OPENMETRICS:
		env.openmetrics = arg;
		break;
	case OPT_MAX_KEYS:
		env.max_keys = parse_long(state, "--max-keys", arg, 16, 1 << 20);
		break;
	case ARGP_KEY_ARG:
		if (positional == 0)
			env.interval = parse_long(state, "interval", arg, 1, 86400);
		else if (positional == 1)
			env.count = parse_long(state, "count", arg, 1, 0x7fffffff);
		else
			argp_error(state, "unexpected argument '%s'", arg);
		positional++;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

static bool exists(const char *path)
{
	struct stat st;

	return !stat(path, &st);
}

static void explain_load_error(int err)
{
	if (err == -EPERM || err == -EACCES)
		fprintf(stderr, "exittrace: not allowed to load BPF programs: run as root (sudo), or grant\n"
			"exittrace: CAP_BPF and CAP_PERFMON (setcap cap_bpf,cap_perfmon+ep ./exittrace).\n");
	else
		fprintf(stderr, "exittrace: loading the BPF program failed: %s (run with -v for libbpf's log)\n",
			strerror(-err));
}

static bool has_cap(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

/* Root, CAP_SYS_ADMIN, or CAP_BPF with CAP_PERFMON (Linux 5.8+). */
static bool privileged(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = {};

	if (geteuid() == 0)
		return true;
	if (syscall(SYS_capget, &h, d))
		return false;
	return has_cap(d, CAP_SYS_ADMIN) || (has_cap(d, 39) && has_cap(d, 38));
}

/* Say what is missing before libbpf fails with something less clear. */
static int preflight(void)
{
	if (!privileged()) {
		explain_load_error(-EPERM);
		return -EPERM;
	}
	if (!exists("/sys/kernel/btf/vmlinux")) {
		fprintf(stderr, "exittrace: this kernel has no BTF (/sys/kernel/btf/vmlinux is missing).\n"
			"exittrace: run a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels are).\n");
		return -ENOENT;
	}
	if (!exists("/sys/module/kvm")) {
		fprintf(stderr, "exittrace: KVM is not loaded, so its tracepoints do not exist.\n"
			"exittrace: load it: modprobe kvm_intel (Intel) or modprobe kvm_amd (AMD).\n");
		return -ENOENT;
	}
	if (!exists("/sys/kernel/tracing/events/kvm/kvm_exit") &&
	    !exists("/sys/kernel/debug/tracing/events/kvm/kvm_exit")) {
		fprintf(stderr, "exittrace: the kvm:kvm_exit tracepoint is not visible.\n"
			"exittrace: mount tracefs (mount -t tracefs nodev /sys/kernel/tracing) and check\n"
			"exittrace: that the kernel has CONFIG_TRACEPOINTS and CONFIG_KVM.\n");
		return -ENOENT;
	}
	return 0;
}

static int collect(struct exittrace_bpf *skel, struct snapshot *s, int nr_cpus)
{
	int fd = bpf_map__fd(skel->maps.stats);
	struct exit_key key, next, *prev = NULL;
	struct exit_stats *values;
	int err = 0, cpu;

	values = calloc(nr_cpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	s->nr = 0;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, values))
			continue;	/* removed meanwhile */
		for (cpu = 0; cpu < nr_cpus && !err; cpu++)
			err = snapshot_add(s, &key, &values[cpu]);
		if (err)
			break;
	}
	free(values);
	return err;
}

static __u64 read_drops(struct exittrace_bpf *skel, int nr_cpus, __u32 why)
{
	__u64 *values = calloc(nr_cpus, sizeof(*values)), sum = 0;
	int cpu;

	if (values && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.drops), &why, values))
		for (cpu = 0; cpu < nr_cpus; cpu++)
			sum += values[cpu];
	free(values);
	return sum;
}

/* Exits whose entry has not been seen yet (vCPU still out, or gone). */
static __u64 count_in_flight(struct exittrace_bpf *skel)
{
	int fd = bpf_map__fd(skel->maps.vcpus);
	__u32 key, next, *prev = NULL;
	struct vcpu_state st;
	__u64 n = 0;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &st) && st.exit_ns)
			n++;
	}
	return n;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report(const struct snapshot *s, double interval, const struct report_opts *o)
{
	if (env.json)
		print_json(stdout, s, interval, now_s(), o);
	else
		print_table(stdout, s, interval, o);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { .options = opts, .parser = parse_arg, .doc = doc };
	struct report_opts ropts = { .top_hist = 5 };
	struct snapshot now = {}, before = {}, delta = {}, tmp;
	struct exittrace_bpf *skel = NULL;
	struct timespec start, t;
	double elapsed = 0, last = 0;
	int err, nr_cpus;
	unsigned int i;
	long printed = 0;

	err = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (err)
		return 64;
	ropts.per_vm = env.per_vm;
	ropts.histograms = env.histograms;
	ropts.timestamp = env.timestamp;

	libbpf_set_print(libbpf_print_fn);
	if (preflight())
		return 1;
	nr_cpus = libbpf_num_possible_cpus();
	if (nr_cpus <= 0) {
		fprintf(stderr, "exittrace: cannot read the number of possible CPUs\n");
		return 1;
	}

	skel = exittrace_bpf__open();
	if (!skel) {
		fprintf(stderr, "exittrace: cannot open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < env.nr_pids; i++)
		skel->rodata->targ_tgids[i] = env.pids[i];
	skel->rodata->nr_targ_tgids = env.nr_pids;
	skel->rodata->targ_vcpu = env.vcpu;
	skel->rodata->per_vm = env.per_vm;
	bpf_map__set_max_entries(skel->maps.stats, env.max_keys);

	err = exittrace_bpf__load(skel);
	if (err) {
		explain_load_error(err);
		goto cleanup;
	}
	err = exittrace_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "exittrace: attaching to kvm:kvm_exit/kvm_entry failed: %s\n",
			strerror(-err));
		goto cleanup;
	}

	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	if (!env.json && !env.summary_only)
		fprintf(stderr, "Tracing KVM exits... Hit Ctrl-C to end.\n");
	/* tests wait for this line before starting the workload */
	if (env.summary_only)
		fprintf(stderr, "exittrace: attached\n");

	clock_gettime(CLOCK_MONOTONIC, &start);
	while (!exiting) {
		unsigned int tick = env.summary_only ? 1 : env.interval;

		if (env.duration && elapsed + tick > env.duration)
			tick = env.duration - (unsigned int)elapsed;
		if (tick)
			sleep(tick);
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = (t.tv_sec - start.tv_sec) + (t.tv_nsec - start.tv_nsec) / 1e9;
		if (env.duration && elapsed + 0.001 >= env.duration)
			exiting = 1;
		if (env.summary_only && !env.openmetrics)
			continue;

		err = collect(skel, &now, nr_cpus);
		if (!err)
			err = snapshot_delta(&delta, &now, &before);
		if (err) {
			fprintf(stderr, "exittrace: reading the statistics failed: %s\n", strerror(-err));
			goto cleanup;
		}
		if (env.openmetrics && write_openmetrics_file(env.openmetrics, &now))
			fprintf(stderr, "exittrace: cannot write %s: %s\n", env.openmetrics,
				strerror(errno));
		if (!env.summary_only) {
			snapshot_sort(&delta);
			report(&delta, elapsed - last, &ropts);
			if (!env.json)
				printf("\n");
			if (env.count > 0 && ++printed >= env.count)
				exiting = 1;
		}
		last = elapsed;
		tmp = before;
		before = now;
		now = tmp;
	}

	/* final summary: cumulative since start */
	err = collect(skel, &now, nr_cpus);
	if (err)
		goto cleanup;
	snapshot_sort(&now);
	if (!env.json)
		printf("Summary over %.1fs:\n", elapsed);
	report(&now, elapsed, &ropts);
	if (env.json)
		printf("{\"tool\":\"exittrace\",\"final\":true,\"in_flight\":%llu,"
		       "\"drops_stats_full\":%llu,\"drops_vcpus_full\":%llu}\n",
		       (unsigned long long)count_in_flight(skel),
		       (unsigned long long)read_drops(skel, nr_cpus, DROP_STATS_FULL),
		       (unsigned long long)read_drops(skel, nr_cpus, DROP_VCPUS_FULL));
	if (read_drops(skel, nr_cpus, DROP_STATS_FULL))
		fprintf(stderr, "exittrace: warning: the statistics map was full (%u rows): some exits were not counted; raise --max-keys\n",
			env.max_keys);
	if (read_drops(skel, nr_cpus, DROP_VCPUS_FULL))
		fprintf(stderr, "exittrace: warning: the vCPU thread map was full: some latencies were not measured\n");
	err = 0;

cleanup:
	exittrace_bpf__destroy(skel);
	snapshot_free(&now);
	snapshot_free(&before);
	snapshot_free(&delta);
	return err ? 1 : 0;
}
