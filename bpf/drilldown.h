/* SPDX-License-Identifier: GPL-2.0 */
/*
 * drilldown.h - the drill-down's types (--by), shared by
 * drilldown.bpf.h and the loader (userspace/drilldown.c).
 *
 * Behind an exit reason, the thing the guest touched: the I/O port of an
 * IOIO/IO_INSTRUCTION exit, the GPA of an MMIO access, the MSR of an
 * RDMSR/WRMSR, the guest-physical page of an NPF/EPT violation, the
 * number of a VMCALL/VMMCALL.  KVM names each in a tracepoint of its own,
 * which fires between the exit's kvm_exit and the vCPU's next kvm_entry.
 */
#ifndef DRILLDOWN_H
#define DRILLDOWN_H

#include <linux/types.h>

/* What a key is: --by port|mmio|msr|gpa|hypercall */
enum drill_kind {
	DRILL_NONE,
	DRILL_PORT,		/* kvm_pio: the port */
	DRILL_MMIO,		/* kvm_mmio, kvm_fast_mmio: the GPA accessed */
	DRILL_MSR,		/* kvm_msr: the MSR index (ECX) */
	DRILL_GPA,		/* kvm_page_fault: the faulting GPA's 4 KiB page */
	DRILL_HYPERCALL,	/* kvm_hypercall: the hypercall number (RAX) */
	DRILL_NR,
};

#define DRILL_KIND(k)		(1U << (k))

/* in/read, out/write; a hypercall has none */
enum drill_dir {
	DRILL_DIR_NONE,
	DRILL_DIR_READ,		/* IN, MMIO read, RDMSR, a read or fetch fault */
	DRILL_DIR_WRITE,	/* OUT, MMIO write, WRMSR, a write fault */
};

/* One row: per VM process, kind, key and direction.  16 bytes, no holes. */
struct drill_key {
	__u32 tgid;		/* the VMM's process id */
	__u16 kind;		/* enum drill_kind; DRILL_NONE: no key (vcpu_state) */
	__u16 dir;		/* enum drill_dir */
	__u64 key;		/* port, GPA, MSR, GPA & ~0xfff, hypercall nr */
};

/*
 * @count counts the tracepoint's events; the latency (exit -> entry) of
 * an exit goes to the last key recorded between its kvm_exit and its
 * kvm_entry, once, so lat_count <= count (see drilldown.bpf.h).
 */
struct drill_stats {
	__u64 count;
	__u64 lat_count;
	__u64 lat_sum_ns;
	__u64 lat_min_ns;
	__u64 lat_max_ns;
};

/* The GPA page of a fault: the 4 KiB frame (a huge page's too). */
#define DRILL_PAGE_MASK		(~0xfffULL)

#endif /* DRILLDOWN_H */
