// SPDX-License-Identifier: GPL-2.0
/*
 * loader.c - preflight, then probe, open, configure, load and attach
 * exittrace's BPF object (loader.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "drill_load.h"
#include "loader.h"
#include "probe.h"
#include "vcpu_put.h"
#include "exittrace.skel.h"

/* the command line of this run: loader_log_init() and loader_preflight() set it */
static const struct exittrace_args *env;

/*
 * libbpf's warnings (the verifier's log among them) are kept, not shown:
 * a load that works needs none of them, a load that fails shows them
 * (libbpf_log_show()).  -v shows everything as it comes.
 */
static char libbpf_log[16384];
static size_t libbpf_log_len;

static int libbpf_print_fn(enum libbpf_print_level level, const char *fmt, va_list args)
{
	va_list again;
	int n;

	if (env->verbose)
		return vfprintf(stderr, fmt, args);
	if (level == LIBBPF_DEBUG)
		return 0;
	/* keep the last 16 KiB: the verifier's verdict is at the end */
	va_copy(again, args);
	n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt, args);
	if (n > 0 && libbpf_log_len + n >= sizeof(libbpf_log) - 1) {
		size_t keep = libbpf_log_len < sizeof(libbpf_log) / 2 ? libbpf_log_len : sizeof(libbpf_log) / 2;

		memmove(libbpf_log, libbpf_log + libbpf_log_len - keep, keep);
		libbpf_log_len = keep;
		n = vsnprintf(libbpf_log + libbpf_log_len, sizeof(libbpf_log) - libbpf_log_len, fmt, again);
	}
	va_end(again);
	if (n > 0)
		libbpf_log_len = libbpf_log_len + n < sizeof(libbpf_log) ? libbpf_log_len + n : sizeof(libbpf_log) - 1;
	return n;
}

/* What libbpf said during the load that failed, its last lines. */
static void libbpf_log_show(void)
{
	const char *p = libbpf_log + libbpf_log_len;
	int lines = 0;

	if (!libbpf_log_len)
		return;
	while (p > libbpf_log && lines <= 25)
		if (*--p == '\n')
			lines++;
	if (*p == '\n')
		p++;
	fprintf(stderr, "exittrace: libbpf said:\n%s", p);
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

/* Say what is missing before libbpf fails with something less clear. */
int loader_preflight(const struct exittrace_args *args)
{
	const char *format;

	env = args;

	if (!probe_privileged()) {
		explain_load_error(-EPERM);
		return -EPERM;
	}
	if (!probe_path_exists("/sys/kernel/btf/vmlinux")) {
		fprintf(stderr, "exittrace: this kernel has no BTF (/sys/kernel/btf/vmlinux is missing).\n"
			"exittrace: run a kernel built with CONFIG_DEBUG_INFO_BTF=y (most distribution kernels are).\n");
		return -ENOENT;
	}
	if (!probe_path_exists("/sys/module/kvm")) {
		fprintf(stderr, "exittrace: KVM is not loaded, so its tracepoints do not exist.\n"
			"exittrace: load it: modprobe kvm_intel (Intel) or modprobe kvm_amd (AMD).\n");
		return -ENOENT;
	}
	format = "/sys/kernel/tracing/events/kvm/kvm_exit/format";
	if (!probe_path_exists(format))
		format = "/sys/kernel/debug/tracing/events/kvm/kvm_exit/format";
	if (!probe_path_exists(format)) {
		fprintf(stderr, "exittrace: the kvm:kvm_exit tracepoint is not visible.\n"
			"exittrace: mount tracefs (mount -t tracefs nodev /sys/kernel/tracing) and check\n"
			"exittrace: that the kernel has CONFIG_TRACEPOINTS and CONFIG_KVM.\n");
		return -ENOENT;
	}
	/* the BPF side cannot filter on a field the record does not have */
	if (env->vcpu >= 0 && !file_has(format, "vcpu_id")) {
		fprintf(stderr, "exittrace: -c needs the vcpu_id field of kvm:kvm_exit, which this kernel\n"
			"exittrace: does not record (it came with Linux 5.12); filter with -p instead.\n");
		return -ENOTSUP;
	}
	if (!env->no_latency && !probe_task_storage()) {
		fprintf(stderr, "exittrace: timing exits needs task storage in tracing programs, which came\n"
			"exittrace: with Linux 5.13 (a10787e6d58c) and this kernel lacks; --no-latency counts\n"
			"exittrace: exits without it.\n");
		return -ENOTSUP;
	}
	if (env->slower_than_ns && !probe_ringbuf()) {
		fprintf(stderr, "exittrace: --slower-than sends its events through a BPF ring buffer, which came\n"
			"exittrace: with Linux 5.8 (457f44363a88) and this kernel lacks.\n");
		return -ENOTSUP;
	}
	return 0;
}

/*
 * -v: how far the start has got, and when (a start that stalls shows
 * where, among libbpf's own messages).
 */
static void phase(const char *what)
{
	static struct timespec t0;
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	if (!t0.tv_sec && !t0.tv_nsec)
		t0 = t;
	if (env->verbose)
		fprintf(stderr, "exittrace: %.3fs: %s\n",
			(double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9, what);
}

/*
 * tp_btf reads the exit reason from the vendor's vCPU struct, so it needs
 * that struct's BTF: in vmlinux when KVM is built in, in the module's BTF
 * (CONFIG_DEBUG_INFO_BTF_MODULES) when it is a module.
 */
static int choose_attach(struct loader *l, enum exittrace_attach want, enum exittrace_attach *mode)
{
	const char *module, *name = NULL;
	bool ok;

	l->isa = probe_kvm_isa(&l->module, &name);
	module = l->module;
	l->kvm_exit_args = probe_kvm_exit_args();
	ok = name && probe_btf_struct(name, module) &&
	     (l->kvm_exit_args == 2 || l->kvm_exit_args == 3);

	if (want == ATTACH_CLASSIC || (want == ATTACH_AUTO && !ok)) {
		if (want == ATTACH_AUTO && env->verbose)
			fprintf(stderr, "exittrace: no BTF for struct %s: using the classic tracepoints\n",
				name ? name : "vcpu_vmx/vcpu_svm");
		*mode = ATTACH_CLASSIC;
		return 0;
	}
	if (!ok) {
		fprintf(stderr, "exittrace: --attach btf needs the BTF of struct %s (in vmlinux, or in\n"
			"exittrace: /sys/kernel/btf/%s for a KVM built with CONFIG_DEBUG_INFO_BTF_MODULES);\n"
			"exittrace: without it use --attach classic.\n",
			name ? name : "vcpu_vmx or vcpu_svm", module ? module : "kvm_intel");
		return -ENOENT;
	}
	*mode = ATTACH_BTF;
	return 0;
}

const char *loader_attach_name(enum exittrace_attach mode)
{
	return mode == ATTACH_BTF ? "tp_btf" : "classic";
}

/* What counts now: a failed self-check hands the counting to classic. */
const char *loader_attach_now(const struct loader *l, const struct self_check_run *check)
{
	return check->state == SELF_CHECK_FAILED ? "classic" : loader_attach_name(l->mode);
}

/*
 * --cgroup: the directory's fd into the filter's one slot, before the
 * programs attach (the parser checked that it is a cgroup v2 directory).
 */
static int cgroup_filter_set(struct exittrace_bpf *skel)
{
	__u32 slot = 0;
	int fd, err = 0;

	if (!env->cgroup)
		return 0;
	fd = open(env->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_filter), &slot, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "exittrace: cannot filter on the cgroup %s: %s\n", env->cgroup,
			strerror(errno));
	}
	if (fd >= 0)
		close(fd);	/* the map holds the cgroup itself */
	return err;
}

/* Without -P, rows for reasons that have no slot: codes no manual defines. */
#define CLASSIC_UNSLOTTED_ROWS	1024

/* Open, configure, load and attach in @mode. */
static int open_attach(struct loader *l, struct exittrace_bpf **out, enum exittrace_attach mode)
{
	struct exittrace_bpf *skel;
	bool btf = mode == ATTACH_BTF, check, hists;
	unsigned int i;
	int err;

	*out = NULL;
	skel = exittrace_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "exittrace: cannot open the BPF object: %s\n", strerror(errno));
		return err ? err : -EINVAL;
	}
	for (i = 0; i < env->nr_pids; i++)
		skel->rodata->targ_tgids[i] = env->pids[i];
	skel->rodata->nr_targ_tgids = env->nr_pids;
	skel->rodata->targ_vcpu = env->vcpu;
	skel->rodata->per_vm = env->per_vm;
	skel->rodata->per_vcpu = env->per_vcpu;
	/* without --cgroup the verifier drops the filter, and no array is made */
	skel->rodata->targ_cgroup = env->cgroup != NULL;
	bpf_map__set_autocreate(skel->maps.cgroup_filter, env->cgroup != NULL);
	skel->rodata->latency = !env->no_latency;
	bpf_map__set_max_entries(skel->maps.stats, env->max_keys);
	/* -H and the metrics only: their maps are not made otherwise */
	hists = exittrace_args_histograms(env);
	skel->rodata->histograms = hists;
	bpf_map__set_autocreate(skel->maps.slot_hists, hists);
	bpf_map__set_autocreate(skel->maps.row_hists, hists);
	bpf_map__set_max_entries(skel->maps.row_hists, env->max_keys);
	drill_configure(skel, env->drill_kinds, btf, env->max_keys);
	/*
	 * Before 6.1 (34dd3bad1a6f, "bpf: Relax the requirement to use
	 * preallocated hash maps in tracing progs.") the verifier WARNs when
	 * a tracepoint program uses a hash map allocated at run time (a
	 * tainted host, a panic with panic_on_warn; PREEMPT_RT refuses it);
	 * tp_btf programs never did.  So the classic programs get theirs
	 * preallocated, whatever the kernel: without -P it only holds
	 * reasons outside the slots, so it stays small.
	 */
	if (!btf) {
		bpf_map__set_map_flags(skel->maps.stats, 0);
		bpf_map__set_map_flags(skel->maps.row_hists, 0);
		if (!env->per_vm && env->max_keys > CLASSIC_UNSLOTTED_ROWS) {
			bpf_map__set_max_entries(skel->maps.stats, CLASSIC_UNSLOTTED_ROWS);
			bpf_map__set_max_entries(skel->maps.row_hists, CLASSIC_UNSLOTTED_ROWS);
		}
	}
	bpf_program__set_autoload(skel->progs.exit_btf, btf && l->kvm_exit_args == 2);
	bpf_program__set_autoload(skel->progs.exit_btf_v515, btf && l->kvm_exit_args == 3);
	bpf_program__set_autoload(skel->progs.entry_btf, btf && !env->no_latency);
	bpf_program__set_autoload(skel->progs.exit_tp, !btf);
	bpf_program__set_autoload(skel->progs.entry_tp, !btf && !env->no_latency);
	/* counts only: no per-thread state at all (nor task storage, 5.13+) */
	bpf_map__set_autocreate(skel->maps.vcpus, !env->no_latency);
	/*
	 * Without --slower-than its code never runs, but the buffer is made
	 * all the same, at the least size (one page): 6.12's verifier drops
	 * the dead branch and its map reference, 6.1's does not (it cannot
	 * follow clang's "threshold - 1 < lat", a known register against an
	 * unknown one) and refuses a program naming a map that was not made.
	 */
	skel->rodata->slower_than_ns = env->slower_than_ns;
	bpf_map__set_max_entries(skel->maps.slow_exits,
				 env->slower_than_ns ? env->slow_buffer : EXITTRACE_SLOW_BUFFER_OFF);
	/*
	 * tp_btf checks its read of the vCPU struct against the kernel's
	 * record (self_check.c); up to 5.15 the tracepoint passes the reason
	 * itself, and there is no struct to misread.
	 */
	check = btf && l->kvm_exit_args == 2;
	skel->rodata->self_check = check;
	bpf_program__set_autoload(skel->progs.exit_check, check);
	skel->bss->reason_source = check ? SRC_CHECK : SRC_BTF;
	/* tests only: make tp_btf read a wrong field, to see the check fail */
	skel->rodata->test_misread = btf && getenv("EXITTRACE_TEST_MISREAD") &&
				     !strcmp(getenv("EXITTRACE_TEST_MISREAD"), "1");
	err = kvm_time_configure(l->kvm_time, skel, l->isa, l->module, !btf);
	vcpu_put_configure(skel, l->kvm_time->no_fexit);
	if (!err)
		err = exittrace_bpf__load(skel);
	if (err && !l->kvm_time->no_fexit &&
	    ((l->kvm_time->want == KVM_TIME_AUTO && (bpf_program__autoload(skel->progs.handled_vmx) ||
						     bpf_program__autoload(skel->progs.handled_svm))) ||
	     bpf_program__autoload(skel->progs.put_fentry))) {
		/* a kernel whose trampolines cannot take fentry/fexit: try without */
		exittrace_bpf__destroy(skel);
		l->kvm_time->no_fexit = true;
		return open_attach(l, out, mode);
	}
	if (!err)
		err = cgroup_filter_set(skel);
	if (!err)
		err = kvm_time_attach(l->kvm_time, skel);
	if (!err)
		vcpu_put_attach(skel, env->verbose);
	if (!err)
		err = exittrace_bpf__attach(skel);
	if (err) {
		exittrace_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

/* Probe, open, configure, load and attach: tp_btf, else classic. */
int loader_attach(struct loader *l)
{
	struct exittrace_bpf **skel = &l->skel;
	enum exittrace_attach *mode = &l->mode;
	int err;

	phase("probing the kernel");
	err = choose_attach(l, env->attach, mode);
	if (err)
		return err;
	phase("loading and attaching");
	err = open_attach(l, skel, *mode);
	if (err && *mode == ATTACH_BTF && env->attach == ATTACH_AUTO) {
		if (env->verbose)
			fprintf(stderr, "exittrace: tp_btf failed (%s): trying the classic tracepoints\n",
				strerror(-err));
		*mode = ATTACH_CLASSIC;
		libbpf_log_len = 0;
		err = open_attach(l, skel, *mode);
	}
	if (err) {
		libbpf_log_show();
		/* privileges were checked before: -EACCES is the verifier's no */
		if (err == -EPERM)
			explain_load_error(err);
		else if (err == -EACCES)
			fprintf(stderr, "exittrace: the kernel's verifier rejected the %s programs (its log is above)%s\n",
				loader_attach_name(*mode), *mode == ATTACH_BTF ? "; --attach classic may work" : "");
		else
			fprintf(stderr, "exittrace: loading or attaching the %s programs failed: %s\n",
				loader_attach_name(*mode), strerror(-err));
		return err;
	}
	phase("attached");
	probe_release();	/* libbpf has its own copy of the BTF it needs */
	return 0;
}

/* tp_btf's self-check compares its first exits with the kernel's record. */
void loader_check_start(const struct loader *l, struct self_check_run *check, int nr_cpus)
{
	struct exittrace_bpf *skel = l->skel;

	if (l->mode != ATTACH_BTF || l->kvm_exit_args != 2)
		return;
	check->state = SELF_CHECK_RUNNING;
	check->map_fd = bpf_map__fd(skel->maps.checks);
	check->nr_cpus = nr_cpus;
	check->reason_source = &skel->bss->reason_source;
	check->link = &skel->links.exit_check;
}

void loader_log_init(const struct exittrace_args *args)
{
	env = args;
	libbpf_set_print(libbpf_print_fn);
}
