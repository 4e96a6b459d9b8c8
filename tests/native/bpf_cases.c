// SPDX-License-Identifier: GPL-2.0
/*
 * bpf_cases.c - the BPF observers: exittrace's own hot path in each mode
 * (observer.bpf.c, one loaded object per mode since the modes are
 * rodata), and the floors, pieces and peers of peers.bpf.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "exittrace.h"
#include "native.h"
#include "cases.h"
#include "observer.skel.h"
#include "peers.skel.h"

/* One exittrace mode, as exittrace's loader would set it up. */
struct et_mode {
	const char *id, *label, *group;
	const char *prog;	/* the observer program in observer.bpf.c */
	bool exit_only;		/* --no-latency: nothing on kvm_entry */
	bool per_vm;		/* -P */
	bool classic;		/* --attach classic */
	bool no_self_check;	/* not a mode: the self-check's share of the default */
	bool kvm_time;		/* kvm_time_on (a handled program attached) */
	bool by_port;		/* --by port: one kvm_pio event per exit */
	bool histograms;	/* -H or the metrics: the histograms' maps filled */
	/* exits wait in task storage: no kvm_arch_vcpu_put hook (or --no-latency) */
	bool task_storage;
	bool put;		/* a vCPU put between each exit and its entry */
	__u64 slower_than_ns;	/* --slower-than; 0: off, no ring buffer */
	unsigned int rt_events;	/* 1: kvm_exit only, 2: and kvm_entry, 3: and handled */
};

static const struct et_mode et_modes[] = {
	{ .id = "et_default", .label = "exittrace (counts + latency)", .prog = "bench_round",
	  .rt_events = 2 },
	{ .id = "et_no_latency", .label = "exittrace --no-latency", .prog = "bench_exit_only",
	  .exit_only = true, .rt_events = 1 },
	{ .id = "et_per_vm", .label = "exittrace -P", .prog = "bench_round", .per_vm = true,
	  .rt_events = 2 },
	{ .id = "et_histograms", .label = "exittrace -H / metrics (histograms)", .prog = "bench_round",
	  .histograms = true, .rt_events = 2 },
	{ .id = "et_per_vm_histograms", .label = "exittrace -P -H / metrics", .prog = "bench_round",
	  .per_vm = true, .histograms = true, .rt_events = 2 },
	{ .id = "et_per_vm_no_latency", .label = "exittrace -P --no-latency",
	  .prog = "bench_exit_only", .exit_only = true, .per_vm = true, .rt_events = 1 },
	{ .id = "et_kvm_time", .label = "exittrace + time in KVM (3 programs)",
	  .prog = "bench_round3", .kvm_time = true, .rt_events = 3 },
	{ .id = "et_kvm_time_fast", .label = "exittrace + time in KVM, fastpath exit",
	  .prog = "bench_round", .kvm_time = true, .rt_events = 2 },
	/* the bench's exits take ns: none reaches 1 s, so this is the compare alone */
	{ .id = "et_slower_than", .label = "exittrace --slower-than 1s (none slow)", .prog = "bench_round",
	  .slower_than_ns = 1000000000ULL, .rt_events = 2 },
	{ .id = "et_classic", .label = "exittrace --attach classic", .prog = "bench_round_tp",
	  .classic = true, .rt_events = 2 },
	{ .id = "et_by_port", .label = "exittrace --by port (3 programs)", .prog = "bench_round_by",
	  .by_port = true, .rt_events = 3 },
	{ .id = "et_no_self_check", .label = "exittrace default less the self-check",
	  .group = "piece", .prog = "bench_round", .no_self_check = true, .rt_events = 2 },
	/* the way exittrace ran before the per-CPU slot, and where no put hook attaches */
	{ .id = "et_task_storage", .label = "exittrace, exits in task storage", .group = "piece",
	  .prog = "bench_round", .task_storage = true, .rt_events = 2 },
	/* an exit whose thread leaves the CPU before its entry: moved at the put */
	{ .id = "et_put", .label = "exittrace, exit moved at a vCPU put (3)", .group = "piece",
	  .prog = "bench_round_put", .put = true, .rt_events = 3 },
};

/* Peers and pieces: one program of peers.bpf.c each. */
struct peer_prog {
	const char *id, *label, *group, *prog;
	unsigned int rt_events;
};

static const struct peer_prog peer_progs[] = {
	{ "empty_tp_btf", "empty tp_btf program", "floor", "empty_btf", 2 },
	{ "empty_raw_tp", "empty raw_tp program", "floor", "empty_raw", 2 },
	{ "empty_classic", "empty classic tracepoint program", "floor", "empty_tp", 2 },
	{ "ktime", "tp_btf + bpf_ktime_get_ns", "piece", "ktime_btf", 2 },
	{ "task_storage", "tp_btf + task storage get", "piece", "tstore_btf", 2 },
	{ "latency_floor", "tp_btf: task storage + clock only", "piece", "latency_floor_btf", 2 },
	{ "count_floor", "tp_btf: one per-CPU counter, exit only", "piece", "count_floor_btf", 1 },
	{ "count_global", "tp_btf: the same in global data by CPU", "piece", "count_global_btf", 1 },
	{ "vcpu_standin", "tp_btf: the bench's vCPU stand-in", "piece", "vcpu_standin_btf", 2 },
	{ "bcc_kvmexit", "bcc kvmexit shape (classic, counts)", "peer", "bcc_counts_tp", 1 },
	{ "hash_design", "bpftrace/bcc shape (classic, tid hash)", "peer", "hash_design_tp", 2 },
};

struct bpf_case {
	struct native_observer *obs;	/* exittrace modes */
	const struct et_mode *mode;
	struct bpf_program *prog;
	struct bpf_link *link;
};

static struct native_peers *peers;

static int bpf_attach(struct bench_case *c)
{
	struct bpf_case *b = c->priv;
	int err;

	b->link = bpf_program__attach(b->prog);
	if (b->link)
		return 0;
	err = -errno;
	snprintf(c->skip, sizeof(c->skip), "%s did not attach: %s", bpf_program__name(b->prog),
		 strerror(-err));
	return err;
}

static void bpf_detach(struct bench_case *c)
{
	struct bpf_case *b = c->priv;

	bpf_link__destroy(b->link);
	b->link = NULL;
}

/*
 * The CPUID row exittrace kept: the slot summed over CPUs, or -P's hash
 * row (values of EXIT_COUNTS_SIZE bytes: no histogram in them).
 */
static int et_row(struct bpf_case *b, struct exit_stats *sum)
{
	struct exit_key key = { .isa = NATIVE_ISA, .reason = NATIVE_REASON };
	struct exit_stats one;
	char *per_cpu;
	__u32 slot = exittrace_slot(NATIVE_ISA, NATIVE_REASON);
	int ncpu = libbpf_num_possible_cpus(), i, err;

	memset(sum, 0, sizeof(*sum));
	if (b->mode->per_vm) {
		key.tgid = getpid();
		return bpf_map__lookup_elem(b->obs->maps.stats, &key, sizeof(key), sum,
					    EXIT_COUNTS_SIZE, 0);
	}
	per_cpu = calloc(ncpu, EXIT_COUNTS_SIZE);
	if (!per_cpu)
		return -ENOMEM;
	err = bpf_map__lookup_elem(b->obs->maps.slots, &slot, sizeof(slot), per_cpu,
				   ncpu * EXIT_COUNTS_SIZE, 0);
	for (i = 0; !err && i < ncpu; i++) {
		memcpy(&one, per_cpu + (size_t)i * EXIT_COUNTS_SIZE, EXIT_COUNTS_SIZE);
		sum->count += one.count;
		sum->lat_count += one.lat_count;
		sum->kvm_count += one.kvm_count;
		sum->unpaired += one.unpaired;
	}
	free(per_cpu);
	return err;
}

/* The CPUID row's histogram, summed over its slots (and CPUs); -errno if none. */
static int et_hist_total(struct bpf_case *b, __u64 *total)
{
	struct exit_key key = { .isa = NATIVE_ISA, .reason = NATIVE_REASON, .tgid = getpid() };
	__u32 slot = exittrace_slot(NATIVE_ISA, NATIVE_REASON);
	int ncpu = b->mode->per_vm ? 1 : libbpf_num_possible_cpus(), i, j, err;
	struct exit_hist *h = calloc(ncpu, sizeof(*h));

	*total = 0;
	if (!h)
		return -ENOMEM;
	if (b->mode->per_vm)
		err = bpf_map__lookup_elem(b->obs->maps.row_hists, &key, sizeof(key), h, sizeof(*h), 0);
	else
		err = bpf_map__lookup_elem(b->obs->maps.slot_hists, &slot, sizeof(slot), h,
					   ncpu * sizeof(*h), 0);
	for (i = 0; !err && i < ncpu; i++)
		for (j = 0; j < EXITTRACE_HIST_SLOTS; j++)
			*total += h[i].slots[j];
	free(h);
	return err;
}

/* Every exit counted once, and (with latency) timed once: else the figure is not the code's. */
static void et_verify(struct bench_case *c)
{
	struct bpf_case *b = c->priv;
	const struct et_mode *m = b->mode;
	struct exit_stats s;
	__u64 lat = m->exit_only ? 0 : c->exits;
	__u64 kvm = m->kvm_time ? lat : 0;
	struct drill_key key = { .tgid = getpid(), .kind = DRILL_PORT, .dir = DRILL_DIR_WRITE,
				 .key = NATIVE_PORT };
	struct drill_stats d = {};
	__u64 hist;

	if (et_row(b, &s)) {
		snprintf(c->check, sizeof(c->check), "FAILED: cannot read its CPUID row");
		return;
	}
	/* --by port: the port's row counted each event and timed each exit */
	if (m->by_port && (bpf_map__lookup_elem(b->obs->maps.drills, &key, sizeof(key), &d,
						sizeof(d), 0) || d.count != c->exits ||
			   d.lat_count != c->exits)) {
		snprintf(c->check, sizeof(c->check), "FAILED: port row %llu events, %llu latencies (want %llu)",
			 (unsigned long long)d.count, (unsigned long long)d.lat_count,
			 (unsigned long long)c->exits);
		return;
	}
	/* -H: each latency in one of the row's slots */
	if (m->histograms && (et_hist_total(b, &hist) || hist != lat)) {
		snprintf(c->check, sizeof(c->check), "FAILED: the histogram holds %llu latencies (want %llu)",
			 (unsigned long long)hist, (unsigned long long)lat);
		return;
	}
	/* the put moved each exit out of the slot, so its entry paired it from task storage */
	if (m->put && b->obs->bss->bench_put_left) {
		snprintf(c->check, sizeof(c->check), "FAILED: %llu exits left in the slot by the put",
			 (unsigned long long)b->obs->bss->bench_put_left);
		return;
	}
	snprintf(c->check, sizeof(c->check),
		 "%s: %llu exits, %llu latencies, %llu times in KVM, %llu unpaired (want %llu, %llu, %llu, 0)",
		 s.count == c->exits && s.lat_count == lat && s.kvm_count == kvm && !s.unpaired ?
		 "ok" : "FAILED",
		 (unsigned long long)s.count, (unsigned long long)s.lat_count,
		 (unsigned long long)s.kvm_count, (unsigned long long)s.unpaired,
		 (unsigned long long)c->exits, (unsigned long long)lat, (unsigned long long)kvm);
}

static void peer_verify(struct bench_case *c)
{
	snprintf(c->check, sizeof(c->check), "not counted (the program keeps no count)");
}

/* the hash design's per-reason count, summed over CPUs */
static void hash_verify(struct bench_case *c)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u32 reason = NATIVE_REASON;
	__u64 *n = calloc(ncpu, sizeof(*n)), sum = 0;

	if (!n || bpf_map__lookup_elem(peers->maps.exits, &reason, sizeof(reason), n,
				       ncpu * sizeof(*n), 0)) {
		snprintf(c->check, sizeof(c->check), "FAILED: cannot read its count");
	} else {
		for (i = 0; i < ncpu; i++)
			sum += n[i];
		snprintf(c->check, sizeof(c->check), "%s: %llu exits counted (want %llu)",
			 sum == c->exits ? "ok" : "FAILED", (unsigned long long)sum,
			 (unsigned long long)c->exits);
	}
	free(n);
}

/* the global-data counters, read where the program wrote them: the mapped .bss */
static void global_verify(struct bench_case *c)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	__u64 sum = 0;

	if (ncpu > NATIVE_GLOBAL_CPUS) {
		snprintf(c->check, sizeof(c->check), "FAILED: %d CPUs, rows for %d", ncpu,
			 NATIVE_GLOBAL_CPUS);
		return;
	}
	for (i = 0; i < ncpu; i++)
		sum += peers->bss->global_counts[i][NATIVE_REASON];
	snprintf(c->check, sizeof(c->check), "%s: %llu exits counted (want %llu)",
		 sum == c->exits ? "ok" : "FAILED", (unsigned long long)sum,
		 (unsigned long long)c->exits);
}

static const struct case_ops et_ops = { bpf_attach, bpf_detach, et_verify };
static const struct case_ops peer_ops = { bpf_attach, bpf_detach, peer_verify };
static const struct case_ops hash_ops = { bpf_attach, bpf_detach, hash_verify };
static const struct case_ops global_ops = { bpf_attach, bpf_detach, global_verify };

static struct bpf_case *bpf_case_new(struct bench_case *c)
{
	struct bpf_case *b = calloc(1, sizeof(*b));

	c->priv = b;
	return b;
}

/*
 * Open and load exittrace's object for @m, the way exittrace's loader
 * (open_attach(), kvm_time_configure()) sets it up for that mode, with
 * the kvm programs off and the bench program on.
 */
static int et_load(struct bench_case *c, struct bpf_case *b)
{
	const struct et_mode *m = b->mode;
	struct native_observer *obs;
	struct bpf_program *prog;
	int err;

	obs = native_observer__open();
	if (!obs)
		return -errno;
	b->obs = obs;
	bpf_object__for_each_program(prog, obs->obj)
		bpf_program__set_autoload(prog, false);
	b->prog = bpf_object__find_program_by_name(obs->obj, m->prog);
	bpf_program__set_autoload(b->prog, true);
	obs->rodata->per_vm = m->per_vm;
	obs->rodata->latency = !m->exit_only;
	bpf_map__set_autocreate(obs->maps.vcpus, !m->exit_only);
	/* as exittrace: the histograms' maps made only when asked */
	obs->rodata->histograms = m->histograms;
	bpf_map__set_autocreate(obs->maps.slot_hists, m->histograms);
	bpf_map__set_autocreate(obs->maps.row_hists, m->histograms);
	/* as vcpu_put.c sets them once the put hook attached */
	obs->rodata->pending_slot = !m->exit_only && !m->task_storage;
	obs->bss->pending_slot_on = obs->rodata->pending_slot;
	bpf_map__set_autocreate(obs->maps.pending, !m->exit_only);
	obs->rodata->slower_than_ns = m->slower_than_ns;
	if (!m->slower_than_ns)	/* as exittrace: the least buffer when off */
		bpf_map__set_max_entries(obs->maps.slow_exits, EXITTRACE_SLOW_BUFFER_OFF);
	if (m->classic) {
		/* exittrace's classic programs: preallocated stats, ids for identity */
		bpf_map__set_map_flags(obs->maps.stats, 0);
		bpf_map__set_map_flags(obs->maps.row_hists, 0);
		if (!m->per_vm) {
			bpf_map__set_max_entries(obs->maps.stats, 1024);
			bpf_map__set_max_entries(obs->maps.row_hists, 1024);
		}
		obs->rodata->ident_by_id = true;
	} else {
		/* tp_btf after its self-check passed: the check's cost stays */
		obs->rodata->self_check = !m->no_self_check;
		obs->bss->reason_source = SRC_BTF;
	}
	obs->bss->kvm_time_on = m->kvm_time;
	obs->rodata->drill_kinds = m->by_port ? DRILL_KIND(DRILL_PORT) : 0;
	bpf_map__set_max_entries(obs->maps.drills, m->by_port ? 32768 : 1);
	err = native_observer__load(obs);
	if (err)
		snprintf(c->skip, sizeof(c->skip), "exittrace's object did not load for %s: %s",
			 m->id, strerror(-err));
	return err;
}

int bpf_cases_add(struct case_table *t)
{
	struct bench_case *c;
	struct bpf_case *b;
	size_t i;
	int err;

	peers = native_peers__open_and_load();
	if (!peers) {
		err = -errno;
		fprintf(stderr, "native: the peer programs did not load (%s); run with -v for the verifier's log\n",
			strerror(-err));
		return err;
	}
	for (i = 0; i < sizeof(peer_progs) / sizeof(peer_progs[0]); i++) {
		const struct peer_prog *p = &peer_progs[i];

		c = case_new(t);
		c->id = p->id;
		c->label = p->label;
		c->group = p->group;
		c->rt_events = p->rt_events;
		c->ops = !strcmp(p->id, "hash_design") ? &hash_ops :
			 !strcmp(p->id, "count_global") ? &global_ops : &peer_ops;
		b = bpf_case_new(c);
		if (!b)
			return -ENOMEM;
		b->prog = bpf_object__find_program_by_name(peers->obj, p->prog);
	}
	for (i = 0; i < sizeof(et_modes) / sizeof(et_modes[0]); i++) {
		const struct et_mode *m = &et_modes[i];

		c = case_new(t);
		c->id = m->id;
		c->label = m->label;
		c->group = m->group ? m->group : "exittrace";
		c->rt_events = m->rt_events;
		c->ops = &et_ops;
		b = bpf_case_new(c);
		if (!b)
			return -ENOMEM;
		b->mode = m;
		et_load(c, b);	/* a mode that does not load is reported, not fatal */
	}
	return 0;
}

void bpf_cases_free(struct case_table *t)
{
	struct bpf_case *b;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		if (t->c[i].ops != &et_ops && t->c[i].ops != &peer_ops && t->c[i].ops != &hash_ops &&
		    t->c[i].ops != &global_ops)
			continue;
		b = t->c[i].priv;
		if (!b)
			continue;
		bpf_detach(&t->c[i]);
		native_observer__destroy(b->obs);
		free(b);
		t->c[i].priv = NULL;
	}
	native_peers__destroy(peers);
	peers = NULL;
}
