// SPDX-License-Identifier: GPL-2.0
/*
 * drill_load.c - load and read the drill-down (see drill_load.h).
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "drill_load.h"
#include "probe.h"
#include "exittrace.skel.h"

/* One tracepoint's two programs, and the kind they count. */
struct drill_prog {
	unsigned int kind;
	const char *tracepoint;
	struct bpf_program *btf, *classic;
	int btf_args;		/* the raw tracepoint's arguments tp_btf declares */
};

void drill_configure(struct exittrace_bpf *skel, __u32 kinds, bool btf, unsigned int max_keys)
{
	struct drill_prog progs[] = {
		{ DRILL_PORT, "kvm_pio", skel->progs.drill_pio_btf, skel->progs.drill_pio_tp, 5 },
		{ DRILL_MMIO, "kvm_mmio", skel->progs.drill_mmio_btf, skel->progs.drill_mmio_tp, 4 },
		{ DRILL_MMIO, "kvm_fast_mmio", skel->progs.drill_fast_mmio_btf,
		  skel->progs.drill_fast_mmio_tp, 1 },
		{ DRILL_MSR, "kvm_msr", skel->progs.drill_msr_btf, skel->progs.drill_msr_tp, 4 },
		/* (vcpu, fault_address, error_code) in 6.1 and 6.12 alike */
		{ DRILL_GPA, "kvm_page_fault", skel->progs.drill_fault_btf, skel->progs.drill_fault_tp, 3 },
		{ DRILL_HYPERCALL, "kvm_hypercall", skel->progs.drill_hypercall_btf,
		  skel->progs.drill_hypercall_tp, 5 },
	};
	unsigned int i;

	skel->rodata->drill_kinds = kinds;
	for (i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
		const struct drill_prog *p = &progs[i];
		bool on = kinds & DRILL_KIND(p->kind);
		/* tp_btf takes the arguments by position: only where they match */
		bool raw = on && btf && probe_kvm_tp_args(p->tracepoint) == p->btf_args;

		bpf_program__set_autoload(p->btf, raw);
		bpf_program__set_autoload(p->classic, on && !raw);
	}
	/*
	 * on_exit() and on_entry() name the map even when the verifier drops
	 * the code that uses it, so it always exists: one row when unused.
	 * The classic programs get it preallocated (see open_attach() in loader.c).
	 */
	bpf_map__set_max_entries(skel->maps.drills, kinds ? max_keys : 1);
	if (!btf)
		bpf_map__set_map_flags(skel->maps.drills, 0);
}

int drill_read(struct exittrace_bpf *skel, struct drill_snap *s)
{
	int fd = bpf_map__fd(skel->maps.drills);
	struct drill_key key, next, *prev = NULL;
	struct drill_stats st;
	int err = 0;

	s->nr = 0;
	/* keys are only added during a run: the walk sees each once */
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(fd, &key, &st))
			err = drill_append(s, &key, &st);
	}
	drill_key_order(s);
	return err;
}
