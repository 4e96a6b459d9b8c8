// SPDX-License-Identifier: GPL-2.0
/*
 * exittrace - count KVM VM exits per reason and time how long each keeps
 * the vCPU out of the guest, from the kvm_exit/kvm_entry tracepoints.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "drill_load.h"
#include "exit_reasons.h"
#include "exittrace_args.h"
#include "http.h"
#include "kvm_reload.h"
#include "kvm_time.h"
#include "vcpu_put.h"
#include "metrics.h"
#include "per_vm.h"
#include "record.h"
#include "report.h"
#include "probe.h"
#include "prog_stats.h"
#include "self_check.h"
#include "slow_exits.h"
#include "vm_names.h"
#include "exittrace.skel.h"

static struct exittrace_args env;
static struct kvm_time kvm_time;

static volatile sig_atomic_t exiting;

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

	if (env.verbose)
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

static void sig_handler(int sig)
{
	(void)sig;
	exiting = 1;
}

/* SIGUSR2: let KVM be reloaded (kvm_reload.h, step_aside()). */
static volatile sig_atomic_t reload_requested;

static void reload_handler(int sig)
{
	(void)sig;
	reload_requested = 1;
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
static int preflight(void)
{
	const char *format;

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
	if (env.vcpu >= 0 && !file_has(format, "vcpu_id")) {
		fprintf(stderr, "exittrace: -c needs the vcpu_id field of kvm:kvm_exit, which this kernel\n"
			"exittrace: does not record (it came with Linux 5.12); filter with -p instead.\n");
		return -ENOTSUP;
	}
	if (!env.no_latency && !probe_task_storage()) {
		fprintf(stderr, "exittrace: timing exits needs task storage in tracing programs, which came\n"
			"exittrace: with Linux 5.13 (a10787e6d58c) and this kernel lacks; --no-latency counts\n"
			"exittrace: exits without it.\n");
		return -ENOTSUP;
	}
	if (env.slower_than_ns && !probe_ringbuf()) {
		fprintf(stderr, "exittrace: --slower-than sends its events through a BPF ring buffer, which came\n"
			"exittrace: with Linux 5.8 (457f44363a88) and this kernel lacks.\n");
		return -ENOTSUP;
	}
	return 0;
}

/* Without -P: the per-CPU array, all slots in one batch where possible. */
static int collect_slots(struct exittrace_bpf *skel, struct snapshot *s, int nr_cpus)
{
	int fd = bpf_map__fd(skel->maps.slots);
	__u32 keys[EXITTRACE_SLOTS], count = EXITTRACE_SLOTS, out, slot, i;
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct exit_stats *values, *v;
	struct exit_key key;
	int err = 0, cpu;

	values = calloc((size_t)EXITTRACE_SLOTS * nr_cpus, sizeof(*values));
	if (!values)
		return -ENOMEM;
	if (bpf_map_lookup_batch(fd, NULL, &out, keys, values, &count, &opts) &&
	    (errno != ENOENT || count == 0)) {
		/* no batch operations on arrays before Linux 5.6: one by one */
		for (count = 0; count < EXITTRACE_SLOTS; count++) {
			keys[count] = count;
			if (bpf_map_lookup_elem(fd, &count, values + (size_t)count * nr_cpus)) {
				err = -errno;
				goto out;
			}
		}
	}
	for (i = 0; i < count && !err; i++) {
		struct exit_stats sum = {};

		slot = keys[i];
		if (!exittrace_slot_key(slot, &key))
			continue;
		for (cpu = 0; cpu < nr_cpus; cpu++) {
			v = &values[(size_t)i * nr_cpus + cpu];
			stats_merge(&sum, v);
		}
		/* a CPU may hold only the end of an exit that began on another */
		if (sum.count || sum.lat_count || sum.unpaired || sum.kvm_count)
			err = snapshot_append(s, &key, &sum);
	}
out:
	free(values);
	return err;
}

/* Rows per batch read of the hash map: 256 x 344 B of values. */
#define HASH_BATCH	256

/*
 * The hash map one key at a time: before Linux 5.6, two system calls a
 * row.  Nothing deletes keys during the walk (per_vm_retire() runs after
 * it), so it sees each key once.
 */
static int collect_hash_each(int fd, struct snapshot *s)
{
	struct exit_key key, next, *prev = NULL;
	struct exit_stats value;
	int err = 0;

	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &value))
			continue;	/* removed meanwhile */
		err = snapshot_append(s, &key, &value);
	}
	return err;
}

/*
 * -P rows, and reasons without a slot: one shared value per key, read
 * HASH_BATCH rows per system call (25,600 rows: 100 calls, not 51,200).
 */
static int collect_hash(struct exittrace_bpf *skel, struct snapshot *s)
{
	int fd = bpf_map__fd(skel->maps.stats);
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct exit_key keys[HASH_BATCH];
	struct exit_stats *values;
	__u64 batch = 0;	/* the kernel's cursor: a bucket number */
	unsigned int start = s->nr;
	bool first = true, done = false;
	__u32 count, i;
	int err = 0;

	values = calloc(HASH_BATCH, sizeof(*values));
	if (!values)
		return -ENOMEM;
	while (!done && !err) {
		count = HASH_BATCH;
		if (bpf_map_lookup_batch(fd, first ? NULL : &batch, &batch, keys, values, &count, &opts)) {
			if (errno != ENOENT) {
				/* no batch operations (before 5.6): start again, one by one */
				s->nr = start;
				err = collect_hash_each(fd, s);
				break;
			}
			done = true;	/* the last rows come with ENOENT */
		}
		first = false;
		for (i = 0; i < count && !err; i++)
			err = snapshot_append(s, &keys[i], &values[i]);
	}
	free(values);
	return err;
}

/* Every row the maps hold now, in key order (snapshot_delta() needs it). */
static int collect(struct exittrace_bpf *skel, struct snapshot *s, int nr_cpus)
{
	int err;

	s->nr = 0;
	err = env.per_vm ? 0 : collect_slots(skel, s, nr_cpus);
	if (!err)
		err = collect_hash(skel, s);
	snapshot_key_order(s);
	return err;
}

/*
 * -P: the rows of VMs that have exited leave the map once read for the
 * last time (per_vm.h); the totals since start keep them.
 */
static struct per_vm per_vm;
static struct snapshot totals;
/*
 * The counts of the programs closed for a KVM reload (step_aside()),
 * carried into every total since start, so counters never go back.
 */
static struct snapshot carried, with_carried;
static __u64 carried_drops[DROP_NR];

static int forget_key(const struct exit_key *key, void *ctx)
{
	struct exittrace_bpf *skel = ctx;

	return bpf_map_delete_elem(bpf_map__fd(skel->maps.stats), key) ? -errno : 0;
}

/*
 * -P: each VM's name (QEMU's -name), read from /proc when its pid first
 * has rows, and kept for its rows after it is gone.
 */
static struct vm_names vm_names;

static int note_vm_names(const struct snapshot *s)
{
	unsigned int i;
	int err = 0;

	/* key order: a VM's rows are together */
	for (i = 0; i < s->nr && !err; i++)
		if (!i || s->rows[i].key.tgid != s->rows[i - 1].key.tgid)
			err = vm_names_note(&vm_names, NULL, s->rows[i].key.tgid);
	return err;
}

/*
 * One interval: @now is read, @delta = @now - @before, largest first.
 * With -P, which VMs of @before are gone is asked before the read, so
 * that the read holds all their counts.
 */
static int read_interval(struct exittrace_bpf *skel, int nr_cpus, struct snapshot *now,
			 struct snapshot *before, struct snapshot *delta)
{
	int err = 0;

	if (env.per_vm)
		err = per_vm_find_dead(&per_vm, before, per_vm_proc_alive, NULL);
	if (!err)
		err = collect(skel, now, nr_cpus);
	if (!err && env.per_vm)
		err = note_vm_names(now);
	if (!err)
		err = snapshot_delta(delta, now, before);
	if (err)
		fprintf(stderr, "exittrace: reading the statistics failed: %s\n", strerror(-err));
	snapshot_sort_by(delta, env.sort);
	return err;
}

/* After the interval was reported: the exited VMs' rows leave the map. */
static int retire_dead(struct exittrace_bpf *skel, struct snapshot *now)
{
	int err = per_vm_retire(&per_vm, now, forget_key, skel);

	if (err)
		fprintf(stderr, "exittrace: out of memory retiring the rows of exited VMs\n");
	return err;
}

/*
 * The counts since start: what the map holds, the retired rows, and what
 * was counted before a KVM reload.
 */
static const struct snapshot *since_start(const struct snapshot *now)
{
	const struct snapshot *s = per_vm_totals(&per_vm, now, &totals);

	if (s && carried.nr)
		s = snapshot_union(&with_carried, &carried, s) ? NULL : &with_carried;
	if (!s)
		fprintf(stderr, "exittrace: out of memory adding up the totals\n");
	return s;
}

/*
 * --by: the drill-down's rows since start (@keys_now) and over the last
 * interval (@keys_delta); what is shown of them is ranked (keys_rank()).
 */
static struct drill_snap keys_now, keys_before, keys_delta, keys_shown, keys_retired;
static struct drill_dead keys_dead;

static int read_keys(struct exittrace_bpf *skel)
{
	struct drill_snap tmp = keys_before;
	int err;

	if (!env.drill_kinds)
		return 0;
	/* before the read, so that the dead VMs' rows in it are final */
	err = drill_find_dead(&keys_dead, &keys_now, per_vm_proc_alive, NULL);
	if (err) {
		fprintf(stderr, "exittrace: out of memory finding the exited VMs' keys\n");
		return err;
	}
	keys_before = keys_now;
	keys_now = tmp;
	err = drill_read(skel, &keys_now);
	if (!err)
		err = drill_delta(&keys_delta, &keys_now, &keys_before);
	if (err)
		fprintf(stderr, "exittrace: reading the drill-down failed: %s\n", strerror(-err));
	return err;
}

static int forget_drill_key(const struct drill_key *key, void *ctx)
{
	struct exittrace_bpf *skel = ctx;

	return bpf_map_delete_elem(bpf_map__fd(skel->maps.drills), key) ? -errno : 0;
}

/* After the interval was reported: the exited VMs' keys leave the map. */
static int retire_keys(struct exittrace_bpf *skel)
{
	int err;

	if (!env.drill_kinds || !keys_dead.nr)
		return 0;
	err = drill_retire(&keys_now, &keys_dead, &keys_retired, forget_drill_key, skel);
	if (err)
		fprintf(stderr, "exittrace: out of memory retiring the keys of exited VMs\n");
	return err;
}

/*
 * A KVM reload (step_aside()): the map goes with its skeleton; the last
 * read's keys join the retired ones (drill_carry()), which the totals
 * since start keep, and the new map's first read is all delta.
 */
static int keys_step_aside(void)
{
	if (!env.drill_kinds)
		return 0;
	if (drill_carry(&keys_now, &keys_retired))
		return -ENOMEM;
	keys_before.nr = keys_delta.nr = 0;
	keys_dead.nr = 0;
	return 0;
}

/* What is shown of @s: the VMs added up without -P, the top N per VM and kind. */
static void keys_rank(struct drill_snap *s)
{
	if (!env.per_vm)
		drill_merge_vms(s);
	drill_top(s, env.top, env.sort);
}

/* keys_shown: the ranked rows since start, retired ones too; NULL without --by */
static struct drill_snap *keys_since_start(void)
{
	unsigned int i;

	if (!env.drill_kinds || drill_copy(&keys_shown, &keys_now))
		return NULL;
	for (i = 0; i < keys_retired.nr; i++)
		if (drill_append(&keys_shown, &keys_retired.rows[i].key, &keys_retired.rows[i].st))
			return NULL;
	drill_merge_equal(&keys_shown);
	keys_rank(&keys_shown);
	return &keys_shown;
}

static __u64 read_drops(struct exittrace_bpf *skel, int nr_cpus, __u32 why)
{
	__u64 *values, sum = carried_drops[why];
	int cpu;

	if (!skel)
		return sum;	/* stepped aside for a reload, and ended there */
	values = calloc(nr_cpus, sizeof(*values));
	if (values && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.drops), &why, values))
		for (cpu = 0; cpu < nr_cpus; cpu++)
			sum += values[cpu];
	free(values);
	return sum;
}

/*
 * Exits whose entry has not been seen yet (vCPU still out, or gone).
 * Every counted exit ends up paired, unpaired, pending or without task
 * storage, so the pending ones are what the counters leave over.
 */
static __u64 in_flight(const struct snapshot *s, __u64 no_storage)
{
	struct exit_stats t;
	__u64 done;

	snapshot_totals(s, &t);
	done = t.lat_count + t.unpaired + no_storage;
	return t.count > done ? t.count - done : 0;
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
	if (env.verbose)
		fprintf(stderr, "exittrace: %.3fs: %s\n",
			(double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9, what);
}

/*
 * tp_btf reads the exit reason from the vendor's vCPU struct, so it needs
 * that struct's BTF: in vmlinux when KVM is built in, in the module's BTF
 * (CONFIG_DEBUG_INFO_BTF_MODULES) when it is a module.
 */
/* tp_btf: the kvm_exit raw tracepoint's arguments (probe_kvm_exit_args()) */
static int kvm_exit_args;
/* KVM's ISA and its vendor module (probe_kvm_isa()), asked once */
static enum exit_isa kvm_isa;
static const char *kvm_module;

static int choose_attach(enum exittrace_attach want, enum exittrace_attach *mode)
{
	const char *module, *name = NULL;
	bool ok;

	kvm_isa = probe_kvm_isa(&kvm_module, &name);
	module = kvm_module;
	kvm_exit_args = probe_kvm_exit_args();
	ok = name && probe_btf_struct(name, module) && (kvm_exit_args == 2 || kvm_exit_args == 3);

	if (want == ATTACH_CLASSIC || (want == ATTACH_AUTO && !ok)) {
		if (want == ATTACH_AUTO && env.verbose)
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

static const char *attach_name(enum exittrace_attach mode)
{
	return mode == ATTACH_BTF ? "tp_btf" : "classic";
}

/* What counts now: a failed self-check hands the counting to classic. */
static const char *attach_now(enum exittrace_attach mode, const struct self_check_run *check)
{
	return check->state == SELF_CHECK_FAILED ? "classic" : attach_name(mode);
}

/*
 * --cgroup: the directory's fd into the filter's one slot, before the
 * programs attach (the parser checked that it is a cgroup v2 directory).
 */
static int cgroup_filter_set(struct exittrace_bpf *skel)
{
	__u32 slot = 0;
	int fd, err = 0;

	if (!env.cgroup)
		return 0;
	fd = open(env.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || bpf_map_update_elem(bpf_map__fd(skel->maps.cgroup_filter), &slot, &fd, BPF_ANY)) {
		err = -errno;
		fprintf(stderr, "exittrace: cannot filter on the cgroup %s: %s\n", env.cgroup,
			strerror(errno));
	}
	if (fd >= 0)
		close(fd);	/* the map holds the cgroup itself */
	return err;
}

/* Without -P, rows for reasons that have no slot: codes no manual defines. */
#define CLASSIC_UNSLOTTED_ROWS	1024

/* Open, configure, load and attach in @mode. */
static int open_attach(struct exittrace_bpf **out, enum exittrace_attach mode)
{
	struct exittrace_bpf *skel;
	bool btf = mode == ATTACH_BTF, check;
	unsigned int i;
	int err;

	*out = NULL;
	skel = exittrace_bpf__open();
	if (!skel) {
		err = -errno;
		fprintf(stderr, "exittrace: cannot open the BPF object: %s\n", strerror(errno));
		return err ? err : -EINVAL;
	}
	for (i = 0; i < env.nr_pids; i++)
		skel->rodata->targ_tgids[i] = env.pids[i];
	skel->rodata->nr_targ_tgids = env.nr_pids;
	skel->rodata->targ_vcpu = env.vcpu;
	skel->rodata->per_vm = env.per_vm;
	skel->rodata->per_vcpu = env.per_vcpu;
	/* without --cgroup the verifier drops the filter, and no array is made */
	skel->rodata->targ_cgroup = env.cgroup != NULL;
	bpf_map__set_autocreate(skel->maps.cgroup_filter, env.cgroup != NULL);
	skel->rodata->latency = !env.no_latency;
	bpf_map__set_max_entries(skel->maps.stats, env.max_keys);
	drill_configure(skel, env.drill_kinds, btf, env.max_keys);
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
		if (!env.per_vm && env.max_keys > CLASSIC_UNSLOTTED_ROWS)
			bpf_map__set_max_entries(skel->maps.stats, CLASSIC_UNSLOTTED_ROWS);
	}
	bpf_program__set_autoload(skel->progs.exit_btf, btf && kvm_exit_args == 2);
	bpf_program__set_autoload(skel->progs.exit_btf_v515, btf && kvm_exit_args == 3);
	bpf_program__set_autoload(skel->progs.entry_btf, btf && !env.no_latency);
	bpf_program__set_autoload(skel->progs.exit_tp, !btf);
	bpf_program__set_autoload(skel->progs.entry_tp, !btf && !env.no_latency);
	/* counts only: no per-thread state at all (nor task storage, 5.13+) */
	bpf_map__set_autocreate(skel->maps.vcpus, !env.no_latency);
	/*
	 * Without --slower-than its code never runs, but the buffer is made
	 * all the same, at the least size (one page): 6.12's verifier drops
	 * the dead branch and its map reference, 6.1's does not (it cannot
	 * follow clang's "threshold - 1 < lat", a known register against an
	 * unknown one) and refuses a program naming a map that was not made.
	 */
	skel->rodata->slower_than_ns = env.slower_than_ns;
	bpf_map__set_max_entries(skel->maps.slow_exits,
				 env.slower_than_ns ? env.slow_buffer : EXITTRACE_SLOW_BUFFER_OFF);
	/*
	 * tp_btf checks its read of the vCPU struct against the kernel's
	 * record (self_check.c); up to 5.15 the tracepoint passes the reason
	 * itself, and there is no struct to misread.
	 */
	check = btf && kvm_exit_args == 2;
	skel->rodata->self_check = check;
	bpf_program__set_autoload(skel->progs.exit_check, check);
	skel->bss->reason_source = check ? SRC_CHECK : SRC_BTF;
	/* tests only: make tp_btf read a wrong field, to see the check fail */
	skel->rodata->test_misread = btf && getenv("EXITTRACE_TEST_MISREAD") &&
				     !strcmp(getenv("EXITTRACE_TEST_MISREAD"), "1");
	err = kvm_time_configure(&kvm_time, skel, kvm_isa, kvm_module, !btf);
	vcpu_put_configure(skel, kvm_time.no_fexit);
	if (!err)
		err = exittrace_bpf__load(skel);
	if (err && !kvm_time.no_fexit &&
	    ((kvm_time.want == KVM_TIME_AUTO && (bpf_program__autoload(skel->progs.handled_vmx) ||
						 bpf_program__autoload(skel->progs.handled_svm))) ||
	     bpf_program__autoload(skel->progs.put_fentry))) {
		/* a kernel whose trampolines cannot take fentry/fexit: try without */
		exittrace_bpf__destroy(skel);
		kvm_time.no_fexit = true;
		return open_attach(out, mode);
	}
	if (!err)
		err = cgroup_filter_set(skel);
	if (!err)
		err = kvm_time_attach(&kvm_time, skel);
	if (!err)
		vcpu_put_attach(skel, env.verbose);
	if (!err)
		err = exittrace_bpf__attach(skel);
	if (err) {
		exittrace_bpf__destroy(skel);
		return err;
	}
	*out = skel;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The table or JSON line of @s, and with --by the keys of @keys (ranked here). */
static void report(const struct snapshot *s, struct drill_snap *keys, double interval,
		   const struct report_opts *o)
{
	if (env.json)
		print_json(stdout, s, interval, now_s(), o);
	else
		print_table(stdout, s, interval, o);
	if (env.drill_kinds && keys) {
		keys_rank(keys);
		if (env.json) {
			drill_print_json(stdout, keys, interval, now_s(), !o->interval, keys_retired.nr,
					 o->names);
		} else {
			printf("\n");
			drill_print_table(stdout, keys, interval, o);
		}
	}
	fflush(stdout);
}

/* --record: the open file and the marks written so far. */
struct recording {
	struct snapshot folded;	/* --per-vcpu: by_vm_reason()'s rows */
	FILE *f;
	enum record_format fmt;
	unsigned int marks;
};

static volatile sig_atomic_t marks_requested;

static void mark_handler(int sig)
{
	(void)sig;
	marks_requested++;
}

/* The @n-th (from 1) label of --mark-labels, or "mark<n>" past its end. */
static const char *mark_label(unsigned int n, char *buf, size_t len)
{
	const char *p = env.mark_labels;
	unsigned int i;

	for (i = 1; p && i < n; i++) {
		p = strchr(p, ',');
		if (p)
			p++;
	}
	if (p && *p)
		snprintf(buf, len, "%.*s", (int)strcspn(p, ","), p);
	else
		snprintf(buf, len, "mark%u", n);
	return buf;
}

static double mono_s(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

static void ts_add_ms(struct timespec *t, unsigned int ms)
{
	t->tv_sec += ms / 1000;
	t->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static int record_open(struct recording *rec, const struct timespec *start, double start_unix)
{
	static char kernel[65];
	enum exit_isa isa = kvm_isa;
	struct record_meta meta = {
		.tool = argp_program_version,
		.start_unix_s = start_unix,
		.start_mono_s = mono_s(start),
		.isa = isa ? exit_isa_name(isa) : "unknown",
		.kernel = kernel,
		.interval_ms = env.interval_ms,
		.pids = env.pids,
		.nr_pids = env.nr_pids,
		.vcpu = env.vcpu,
		.per_vm = env.per_vm,
	};
	FILE *f = fopen("/proc/sys/kernel/osrelease", "r");

	if (f) {
		if (fgets(kernel, sizeof(kernel), f))
			kernel[strcspn(kernel, "\n")] = 0;
		fclose(f);
	}
	rec->fmt = env.record_format;
	rec->f = fopen(env.record, "w");
	if (!rec->f) {
		fprintf(stderr, "exittrace: cannot create the record file %s: %s\n", env.record,
			strerror(errno));
		return -errno;
	}
	/* big enough for one interval: each is one write() */
	setvbuf(rec->f, NULL, _IOFBF, 1 << 16);
	record_header(rec->f, rec->fmt, &meta);
	return 0;
}

/*
 * --per-vcpu: the record and the metrics stay keyed by VM and reason, so
 * they get each (VM, reason)'s vCPUs added up, in @buf; NULL when out of
 * memory (said here).
 */
static const struct snapshot *by_vm_reason(const struct snapshot *s, struct snapshot *buf)
{
	if (!env.per_vcpu)
		return s;
	if (!snapshot_fold_vcpus(buf, s))
		return buf;
	fprintf(stderr, "exittrace: out of memory adding up the vCPUs' rows\n");
	return NULL;
}

/*
 * --metrics and --openmetrics: each file rewritten from the counts since
 * start; --listen: the same counts served over HTTP.
 */
static struct metrics_file metrics_files[2];
static unsigned int nr_metrics_files;
static struct http_server *http;

static bool metrics_wanted(void)
{
	return nr_metrics_files || http;
}

static void metrics_meta_read(struct metrics_meta *m, struct exittrace_bpf *skel, int nr_cpus,
			      const char *attach)
{
	m->version = strchr(argp_program_version, ' ') + 1;
	m->attach = attach;
	m->latency = !env.no_latency;
	m->kvm_time = kvm_time.got != KVM_TIME_OFF;
	m->drops_stats_full = read_drops(skel, nr_cpus, DROP_STATS_FULL);
	m->drops_vcpus_full = read_drops(skel, nr_cpus, DROP_VCPUS_FULL);
	m->drops_no_vendor = read_drops(skel, nr_cpus, DROP_NO_VENDOR);
	m->drops_keys_full = read_drops(skel, nr_cpus, DROP_KEYS_FULL);
	m->keys = keys_since_start();
	m->names = env.per_vm ? &vm_names : NULL;
}

/*
 * Every metrics file, and what HTTP serves; a failing file is told once,
 * until it works again.
 */
static int metrics_update(const struct snapshot *cumulative, const struct metrics_meta *m)
{
	static struct snapshot folded;
	unsigned int i;
	int err = 0;

	cumulative = by_vm_reason(cumulative, &folded);
	if (!cumulative)
		return -ENOMEM;

	if (http && http_publish(http, cumulative, m))
		fprintf(stderr, "exittrace: out of memory: HTTP serves the counts of an earlier interval\n");

	for (i = 0; i < nr_metrics_files; i++) {
		struct metrics_file *mf = &metrics_files[i];
		int was = mf->err;

		if (metrics_file_update(mf, cumulative, m) && mf->err != was)
			fprintf(stderr, "exittrace: cannot write the metrics file %s: %s\n"
				"exittrace: (written as %s, then renamed over it, so its\n"
				"exittrace: directory must exist and be writable)\n",
				mf->path, strerror(-mf->err), mf->tmp);
		if (mf->err)
			err = mf->err;
	}
	return err;
}

/*
 * Name the files, and write each once before tracing starts (with no
 * exits yet), so that a path that cannot be written ends the run now;
 * the same for an address exittrace cannot listen on.
 */
static int metrics_open(struct exittrace_bpf *skel, int nr_cpus, const char *attach)
{
	const char *paths[] = { env.metrics, env.openmetrics };
	const enum metrics_format fmts[] = { METRICS_TEXT, METRICS_OPENMETRICS };
	struct snapshot none = {};
	struct metrics_meta meta;
	unsigned int i;

	for (i = 0; i < 2; i++) {
		if (!paths[i])
			continue;
		if (metrics_file_init(&metrics_files[nr_metrics_files], paths[i], fmts[i])) {
			fprintf(stderr, "exittrace: the metrics file name %s is too long\n", paths[i]);
			return -ENAMETOOLONG;
		}
		nr_metrics_files++;
	}
	if (env.listen) {
		int err = http_start(&http, (const struct sockaddr *)&env.listen_addr,
				     env.listen_addrlen, env.listen);

		if (err)
			return err;
	}
	if (!metrics_wanted())
		return 0;
	metrics_meta_read(&meta, skel, nr_cpus, attach);
	return metrics_update(&none, &meta);
}

/* --by: the interval's keys, after its interval record (ranks keys_delta) */
static void record_interval_keys(struct recording *rec, double t0_s, double t1_s)
{
	if (!env.drill_kinds)
		return;
	keys_rank(&keys_delta);
	record_keys(rec->f, rec->fmt, t0_s, t1_s, &keys_delta);
}

/*
 * Until @deadline, or a signal (EINTR): with --slower-than printing the
 * slow exits as they come, else asleep.  <0: the ring buffer failed.
 */
static int wait_until(struct slow_exits *slow, const struct timespec *deadline)
{
	int err;

	if (!slow->rb)
		return clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, deadline, NULL);
	err = slow_exits_wait(slow, deadline);
	if (err == -EINTR)
		return EINTR;
	if (err)
		fprintf(stderr, "exittrace: reading the slow exits failed: %s\n", strerror(-err));
	return err;
}

/* Flush what was written for this interval; a full disk stops the run. */
static int record_flush(struct recording *rec)
{
	if (fflush(rec->f) || ferror(rec->f)) {
		fprintf(stderr, "exittrace: writing the record file %s failed: %s\n", env.record,
			strerror(errno));
		return -EIO;
	}
	return 0;
}

/* Probe, open, configure, load and attach: tp_btf, else classic. */
static int attach(struct exittrace_bpf **skel, enum exittrace_attach *mode)
{
	int err;

	phase("probing the kernel");
	err = choose_attach(env.attach, mode);
	if (err)
		return err;
	phase("loading and attaching");
	err = open_attach(skel, *mode);
	if (err && *mode == ATTACH_BTF && env.attach == ATTACH_AUTO) {
		if (env.verbose)
			fprintf(stderr, "exittrace: tp_btf failed (%s): trying the classic tracepoints\n",
				strerror(-err));
		*mode = ATTACH_CLASSIC;
		libbpf_log_len = 0;
		err = open_attach(skel, *mode);
	}
	if (err) {
		libbpf_log_show();
		/* privileges were checked before: -EACCES is the verifier's no */
		if (err == -EPERM)
			explain_load_error(err);
		else if (err == -EACCES)
			fprintf(stderr, "exittrace: the kernel's verifier rejected the %s programs (its log is above)%s\n",
				attach_name(*mode), *mode == ATTACH_BTF ? "; --attach classic may work" : "");
		else
			fprintf(stderr, "exittrace: loading or attaching the %s programs failed: %s\n",
				attach_name(*mode), strerror(-err));
		return err;
	}
	phase("attached");
	probe_release();	/* libbpf has its own copy of the BTF it needs */
	return 0;
}

/* tp_btf's self-check compares its first exits with the kernel's record. */
static void check_start(struct self_check_run *check, struct exittrace_bpf *skel,
			enum exittrace_attach mode, int nr_cpus)
{
	if (mode != ATTACH_BTF || kvm_exit_args != 2)
		return;
	check->state = SELF_CHECK_RUNNING;
	check->map_fd = bpf_map__fd(skel->maps.checks);
	check->nr_cpus = nr_cpus;
	check->reason_source = &skel->bss->reason_source;
	check->link = &skel->links.exit_check;
}

/* --slower-than: read this skeleton's ring buffer, the count going on. */
static int slow_open(struct slow_exits *slow, struct exittrace_bpf *skel)
{
	__u64 reported = slow->reported;
	int err;

	if (!env.slower_than_ns)
		return 0;
	err = slow_exits_open(slow, bpf_map__fd(skel->maps.slow_exits), &slow->opts);
	slow->reported = reported;
	return err;
}

/* The slow exits still in the buffer, printed (after a detach). */
static int slow_drain(struct slow_exits *slow)
{
	int err;

	if (!slow->rb)
		return 0;
	err = slow_exits_drain(slow);
	if (err)
		fprintf(stderr, "exittrace: reading the slow exits failed: %s\n", strerror(-err));
	return err;
}

/*
 * SIGUSR2: let KVM be reloaded (kvm_reload.h).  The interval that ends
 * here has been read and reported; its counts since start are carried
 * over, every program and map is closed, and once KVM is back the tool
 * loads again, relocated against the new modules' BTF.  The metrics keep
 * being served meanwhile, unchanged.  0 once attached again; -EINTR if
 * the run ended while waiting (then *@skel stays NULL).
 */
static int step_aside(struct exittrace_bpf **skel, enum exittrace_attach *mode,
		      struct self_check_run *check, struct slow_exits *slow,
		      struct snapshot *now, struct snapshot *before, int nr_cpus)
{
	const struct snapshot *sum = since_start(now);
	struct snapshot keep = {};
	__u32 why;
	int err;

	reload_requested = 0;
	if (!sum || snapshot_copy(&keep, sum)) {
		snapshot_free(&keep);
		return -ENOMEM;
	}
	snapshot_free(&carried);
	carried = keep;
	if (keys_step_aside())
		return -ENOMEM;
	/* every VM of the old modules has ended: KVM cannot unload under one */
	per_vm_free(&per_vm);
	memset(&per_vm, 0, sizeof(per_vm));
	totals.nr = now->nr = before->nr = 0;
	self_check_poll(check, 0, stderr);
	check->state = SELF_CHECK_OFF;
	exittrace_bpf__detach(*skel);	/* done before the last read: a no-op */
	err = slow_drain(slow);
	if (err)
		return err;
	slow_exits_close(slow);
	for (why = 0; why < DROP_NR; why++)
		carried_drops[why] = read_drops(*skel, nr_cpus, why);
	exittrace_bpf__destroy(*skel);
	*skel = NULL;
	fprintf(stderr, "exittrace: detached for a KVM reload (%s): waiting for %s to be back\n",
		kvm_reload_locked() ? "by install-kvm" : "SIGUSR2", kvm_module);
	err = kvm_reload_wait(kvm_module, &exiting);
	if (err)
		return err;
	err = attach(skel, mode);
	if (err)
		return err;
	check_start(check, *skel, *mode, nr_cpus);
	err = slow_open(slow, *skel);
	if (err)
		return err;
	fprintf(stderr, "exittrace: attached again (%s), to %s\n", attach_name(*mode), kvm_module);
	return 0;
}

int main(int argc, char **argv)
{
	struct report_opts ropts = { .top_hist = 5 };
	struct snapshot now = {}, before = {}, delta = {}, summary = {}, tmp;
	const struct snapshot *cumulative, *rows;
	struct recording rec = {};
	struct exittrace_bpf *skel = NULL;
	enum exittrace_attach mode = ATTACH_CLASSIC;
	struct timespec start, t, deadline, end_at;
	double elapsed = 0, last = 0, start_unix, tsc_hz;
	const char *why = "signal";
	struct metrics_meta meta;
	struct self_check_run check = { .state = SELF_CHECK_OFF };
	struct slow_exits slow = {};
	__u64 slow_lost = 0;
	int err, nr_cpus, waited;
	long printed = 0;

	err = exittrace_parse_args(argc, argv, 0, &env);
	if (err)
		return 64;	/* EX_USAGE, as argp uses */
	kvm_time.want = env.no_latency ? KVM_TIME_OFF : env.kvm_time;
	ropts.per_vm = env.per_vm;
	ropts.per_vcpu = env.per_vcpu;
	ropts.wide = env.wide;
	ropts.units = env.units;
	ropts.names = env.per_vm ? &vm_names : NULL;
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

	err = attach(&skel, &mode);
	if (err)
		goto cleanup;
	check_start(&check, skel, mode, nr_cpus);

	ropts.kvm_time = kvm_time.got != KVM_TIME_OFF;
	signal(SIGINT, sig_handler);
	signal(SIGTERM, sig_handler);
	/* tests only: an exittrace that cannot step aside (install-kvm refuses) */
	if (!getenv("EXITTRACE_TEST_NO_STEP_ASIDE"))
		signal(SIGUSR2, reload_handler);
	clock_gettime(CLOCK_MONOTONIC, &start);
	start_unix = now_s();
	if (env.record) {
		err = record_open(&rec, &start, start_unix);
		if (!err)
			err = record_flush(&rec);
		if (err)
			goto cleanup;
		signal(SIGUSR1, mark_handler);
	}
	err = metrics_open(skel, nr_cpus, attach_name(mode));
	if (err)
		goto cleanup;
	if (env.slower_than_ns) {
		slow.opts = (struct slow_exits_opts){
			.out = stdout,
			.json = env.json,
			.wall_clock = env.timestamp,
			.start_mono_ns = (__u64)start.tv_sec * 1000000000ULL + (__u64)start.tv_nsec,
			.start_unix_s = start_unix,
		};
		err = slow_open(&slow, skel);
		if (err)
			goto cleanup;
	}
	if (!env.json && !env.summary_only)
		fprintf(stderr, "Tracing KVM exits... Hit Ctrl-C to end.\n");
	/* tests wait for this line before starting the workload */
	if (env.summary_only)
		fprintf(stderr, "exittrace: attached (%s)\n", attach_name(mode));

	/*
	 * Intervals follow a fixed grid from start (no drift).  A mark
	 * (SIGUSR1) ends the current interval early, so that every interval
	 * lies wholly before or after it.  The interval in which the run ends
	 * is collected after the loop, from the same snapshot as the summary.
	 */
	end_at = start;
	end_at.tv_sec += env.duration;
	deadline = start;
	ts_add_ms(&deadline, env.interval_ms);
	for (;;) {
		bool marking, due;

		if (env.duration && ts_before(&end_at, &deadline))
			deadline = end_at;
		waited = 0;
		if (!exiting && rec.marks == (unsigned int)marks_requested && !reload_requested)
			waited = wait_until(&slow, &deadline);
		if (waited < 0) {
			err = waited;
			goto cleanup;
		}
		if (waited == EINTR && !exiting && rec.marks == (unsigned int)marks_requested &&
		    !reload_requested)
			continue;	/* some other signal */
		clock_gettime(CLOCK_MONOTONIC, &t);
		elapsed = mono_s(&t) - mono_s(&start);
		if (env.duration && !ts_before(&t, &end_at)) {
			exiting = 1;
			why = "duration";
		}
		if (exiting)
			break;
		/* a reload ends the interval too: its counts are read first */
		marking = rec.marks != (unsigned int)marks_requested || reload_requested;
		due = !ts_before(&t, &deadline);
		while (!ts_before(&t, &deadline))
			ts_add_ms(&deadline, env.interval_ms);
		if (!due && !marking)
			continue;
		if (self_check_poll(&check, elapsed, stderr))
			fprintf(stderr, "exittrace: reading the self-check failed: %s\n", strerror(errno));
		/* -P and --by read each interval all the same, to retire exited VMs */
		if (env.summary_only && !metrics_wanted() && !rec.f && !env.per_vm && !env.drill_kinds &&
		    !reload_requested)
			continue;

		/* a reload: nothing may be counted between this last read and the close */
		if (reload_requested)
			exittrace_bpf__detach(skel);
		err = read_interval(skel, nr_cpus, &now, &before, &delta);
		if (!err)
			err = read_keys(skel);
		if (err)
			goto cleanup;
		if (rec.f) {
			char label[40];

			rows = by_vm_reason(&delta, &rec.folded);
			if (!rows) {
				err = -ENOMEM;
				goto cleanup;
			}
			record_interval(rec.f, rec.fmt, last, elapsed, rows);
			record_interval_keys(&rec, last, elapsed);
			while (rec.marks != (unsigned int)marks_requested) {
				rec.marks++;
				record_mark(rec.f, rec.fmt, elapsed,
					    mark_label(rec.marks, label, sizeof(label)));
			}
			err = record_flush(&rec);
			if (err)
				goto cleanup;
		}
		if (metrics_wanted()) {
			cumulative = since_start(&now);
			if (!cumulative) {
				err = -ENOMEM;
				goto cleanup;
			}
			metrics_meta_read(&meta, skel, nr_cpus, attach_now(mode, &check));
			metrics_update(cumulative, &meta);
		}
		if (!env.summary_only) {
			ropts.interval = true;
			report(&delta, &keys_delta, elapsed - last, &ropts);
			if (!env.json)
				printf("\n");
			if (env.count > 0 && ++printed >= env.count) {
				exiting = 1;
				why = "count";
			}
		}
		if (env.per_vm)
			err = retire_dead(skel, &now);
		if (!err)
			err = retire_keys(skel);
		if (err)
			goto cleanup;
		last = elapsed;
		tmp = before;
		before = now;
		now = tmp;
		if (reload_requested) {
			err = step_aside(&skel, &mode, &check, &slow, &before, &now, nr_cpus);
			if (err == -EINTR)
				break;
			if (err)
				goto cleanup;
		}
	}

	/*
	 * The last (partial) interval, and the summary: cumulative since
	 * start, read once nothing can change them any more.  A check still
	 * running decides here: a disagreement is still a failure.
	 */
	clock_gettime(CLOCK_MONOTONIC, &t);
	elapsed = mono_s(&t) - mono_s(&start);
	tsc_hz = kvm_time_tsc_hz(&kvm_time);
	if (skel) {
		exittrace_bpf__detach(skel);
		/* the slow exits still in the buffer come before the summary */
		err = slow_drain(&slow);
		if (err)
			goto cleanup;
		self_check_poll(&check, elapsed, stderr);
		err = read_interval(skel, nr_cpus, &now, &before, &delta);
		if (!err)
			err = read_keys(skel);
		if (err)
			goto cleanup;
	} else {
		/* ended while stepped aside for a KVM reload: all is carried */
		now.nr = before.nr = delta.nr = 0;
		keys_delta.nr = 0;
	}
	if (env.slower_than_ns)
		slow_lost = read_drops(skel, nr_cpus, DROP_SLOW_EXITS);
	if (!env.summary_only && strcmp(why, "count")) {
		ropts.interval = true;
		report(&delta, &keys_delta, elapsed - last, &ropts);
		if (!env.json)
			printf("\n");
	}
	/* the summary's rows: sorted by count, so no longer in key order */
	cumulative = since_start(&now);
	if (!cumulative || snapshot_copy(&summary, cumulative)) {
		err = -ENOMEM;
		goto cleanup;
	}
	if (rec.f) {
		rows = by_vm_reason(&delta, &rec.folded);
		if (rows) {
			record_interval(rec.f, rec.fmt, last, elapsed, rows);
			record_interval_keys(&rec, last, elapsed);
		}
		rows = rows ? by_vm_reason(&summary, &rec.folded) : NULL;
		if (!rows) {
			err = -ENOMEM;
			goto cleanup;
		}
		record_end(rec.f, rec.fmt, elapsed, rows, why);
		err = record_flush(&rec);
		if (err)
			goto cleanup;
	}
	snapshot_sort_by(&summary, env.sort);
	if (!env.json)
		printf("Summary over %.1fs:\n", elapsed);
	ropts.interval = false;
	report(&summary, keys_since_start(), elapsed, &ropts);
	metrics_meta_read(&meta, skel, nr_cpus, attach_now(mode, &check));
	if (!env.json) {
		if (!env.no_latency)
			printf("in flight at the end (exited, not re-entered): %llu\n",
			       (unsigned long long)in_flight(&summary, meta.drops_vcpus_full));
		if (meta.drops_stats_full || meta.drops_vcpus_full || meta.drops_no_vendor)
			printf("dropped: %llu exits (map full), %llu latencies (no task storage), "
			       "%llu exits (no reason read)\n", (unsigned long long)meta.drops_stats_full,
			       (unsigned long long)meta.drops_vcpus_full,
			       (unsigned long long)meta.drops_no_vendor);
		printf("attach: %s, self-check %s (%llu of %llu exits agreed)\n", meta.attach,
		       self_check_state_name(check.state), (unsigned long long)check.sum.agreed,
		       (unsigned long long)check.sum.compared);
		if (env.slower_than_ns) {
			char thr[16];

			printf("slow exits (latency >= %s): %llu reported, %llu lost\n",
			       fmt_ns(thr, sizeof(thr), (double)env.slower_than_ns),
			       (unsigned long long)slow.reported, (unsigned long long)slow_lost);
		}
		if (kvm_time.got != KVM_TIME_OFF)
			printf("time in KVM: ends at %s of %s; TSC %.3f MHz\n",
			       kvm_time.got == KVM_TIME_FEXIT ? "fexit" : "kretprobe", kvm_time.func,
			       tsc_hz / 1e6);
		else if (!env.no_latency)
			printf("time in KVM: not measured: %s\n", kvm_time.why);
	}
	if (env.json) {
		printf("{\"tool\":\"exittrace\",\"final\":true,\"attach\":\"%s\",\"in_flight\":%llu,"
		       "\"drops_stats_full\":%llu,\"drops_vcpus_full\":%llu,\"drops_no_vendor\":%llu,"
		       "\"self_check\":\"%s\",\"self_check_compared\":%llu,\"self_check_agreed\":%llu,"
		       "\"self_check_unmatched\":%llu,\"kvm_time\":\"%s\",\"kvm_time_func\":\"%s\","
		       "\"tsc_hz\":%.0f",
		       meta.attach,
		       (unsigned long long)(env.no_latency ? 0 : in_flight(&summary, meta.drops_vcpus_full)),
		       (unsigned long long)meta.drops_stats_full, (unsigned long long)meta.drops_vcpus_full,
		       (unsigned long long)meta.drops_no_vendor, self_check_state_name(check.state),
		       (unsigned long long)check.sum.compared, (unsigned long long)check.sum.agreed,
		       (unsigned long long)check.sum.unmatched, kvm_time_name(kvm_time.got),
		       kvm_time.func ? kvm_time.func : "", tsc_hz);
		if (env.slower_than_ns)
			printf(",\"slower_than_ns\":%llu,\"slow_exits\":%llu,\"slow_exits_lost\":%llu",
			       (unsigned long long)env.slower_than_ns, (unsigned long long)slow.reported,
			       (unsigned long long)slow_lost);
		if (skel)
			prog_stats_json(stdout, skel->obj);
		printf("}\n");
	}
	if (meta.drops_stats_full)
		fprintf(stderr, "exittrace: warning: the statistics map was full (%u rows): some exits were not counted; raise --max-keys\n",
			env.max_keys);
	if (meta.drops_keys_full)
		fprintf(stderr, "exittrace: warning: the drill-down's map was full (%u keys): %llu events of --by were not counted; raise --max-keys\n",
			env.max_keys, (unsigned long long)meta.drops_keys_full);
	if (slow_lost)
		fprintf(stderr, "exittrace: warning: %llu slow exits were lost: the ring buffer was full; raise --slow-buffer (%u bytes now)\n",
			(unsigned long long)slow_lost, env.slow_buffer);
	if (meta.drops_vcpus_full)
		fprintf(stderr, "exittrace: warning: no task storage for some vCPU threads (out of memory?): some latencies were not measured\n");
	/* the last interval's counts too, even in a run shorter than one */
	err = metrics_update(&summary, &meta) ? -EIO : 0;
	/* never a confident table of wrong numbers: those exits are missing */
	if (meta.drops_no_vendor) {
		fprintf(stderr, "exittrace: error: %llu exits were not counted: tp_btf found no exit reason it\n"
			"exittrace: knows how to read in this kernel's vCPU struct (bpf/core_fixes.bpf.h);\n"
			"exittrace: the counts above are incomplete.  Use --attach classic, and report\n"
			"exittrace: the kernel version (uname -r).\n",
			(unsigned long long)meta.drops_no_vendor);
		err = -ENOEXEC;
	}

cleanup:
	if (rec.f && fclose(rec.f) && !err) {
		fprintf(stderr, "exittrace: closing the record file %s failed: %s\n", env.record,
			strerror(errno));
		err = -EIO;
	}
	http_stop(http);
	slow_exits_close(&slow);
	exittrace_bpf__destroy(skel);
	probe_release();
	snapshot_free(&now);
	snapshot_free(&before);
	snapshot_free(&delta);
	snapshot_free(&summary);
	snapshot_free(&rec.folded);
	snapshot_free(&totals);
	snapshot_free(&carried);
	snapshot_free(&with_carried);
	per_vm_free(&per_vm);
	drill_free(&keys_now);
	drill_free(&keys_before);
	drill_free(&keys_delta);
	drill_free(&keys_shown);
	drill_free(&keys_retired);
	drill_dead_free(&keys_dead);
	vm_names_free(&vm_names);
	return err ? 1 : 0;
}
