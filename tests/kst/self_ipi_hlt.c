// SPDX-License-Identifier: GPL-2.0-only
/*
 * self_ipi_hlt - the HLT step of exit_stats_test, on any KVM: N times a
 * self-IPI sent with interrupts off, then STI; HLT.  Each IPI must be
 * taken exactly once.  Built against the KVM selftest library of the
 * tree it runs on, so that it can be run on stock KVM and on the patched
 * one alike (make flake): exit_stats_test once saw 21 IPIs for its 20.
 *
 * For every batch of BATCH iterations the guest reports how many IPIs its
 * handler took, and the host reads the vCPU's binary statistics
 * (irq_injections, halt_exits, exits): a duplicate is then seen as either
 * KVM injecting twice (irq_injections +1) or the guest taking one
 * injection twice (irq_injections as expected).
 *
 * A batch that does not come back within WATCHDOG_S seconds is a hang:
 * the watchdog prints where the guest was (iteration, IPIs taken, RIP),
 * the vCPU's MP state, IRR/ISR of the vector and the statistics, and
 * ends the run with exit status 2.
 *
 * With -s the run stops at the first IPI taken twice, right after it (the
 * guest checks after each HLT), so that a trace of KVM's events ends
 * there; exit status 3.
 *
 * What it found (make flake, 2 Dec 2026), in the QEMU bed only, with the
 * stock kvm_amd as with the patched one; never in the Bochs bed (VMX):
 *
 * 1. The lost wakeup.  kvm_exit/kvm_entry/kvm_inj_virq on stock kvm_amd,
 *    guest addresses: 0x402170 sti, 0x402171 hlt, 0x402172 cli.
 *      kvm_exit: reason interrupt rip 0x402171   host IRQ inside the STI shadow
 *      kvm_entry: rip 0x402171                   VMCB int_state has the shadow
 *      kvm_exit: reason vintr rip 0x402171       window opens: shadow lost
 *      kvm_inj_virq: IRQ 0xee                    KVM injects before the HLT
 *      kvm_exit: reason msr rip ... (EOI)        the handler runs
 *      kvm_exit: reason hlt rip 0x402171         HLT with nothing pending
 *    QEMU before 9.1 does not load the interrupt shadow from the VMCB on
 *    VMRUN (upstream: "target/i386: fix INHIBIT_IRQ/TF/RF handling for
 *    VMRUN", June 2024); Debian 12 ships 7.2.
 * 2. One IPI taken twice.  One kvm_inj_virq, then a host interrupt exits
 *    at the first instruction of the 0xee handler stub with EXITINTINFO
 *    0x3ee (valid bit clear: KVM rightly injects nothing again), and the
 *    guest runs the handler twice: two EOIs, the second with an empty ISR
 *    (kvm_eoi vector -1).  The second delivery is the emulated CPU's.
 *
 * USAGE: self_ipi_hlt [-s] [N]   (default 100000, rounded up to a batch)
 * One line per batch that differs, then
 *   self_ipi_hlt: ipis=N taken=T extra_batches=B injections=I halts=H
 * exit 0 when T == N, 1 otherwise.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apic.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define IPI_VECTOR	0xee
#define BATCH		1000
#define WATCHDOG_S	10

static volatile uint64_t nr_ipis;
static volatile uint64_t progress;	/* iterations started, guest side */
static bool stop_at_first;

/* args[0] of the guest's ucall: a batch's end, or an IPI taken twice */
#define DUPLICATE	(1ull << 32)

static void guest_ipi_handler(struct ex_regs *regs)
{
	nr_ipis++;
	x2apic_write_reg(APIC_EOI, 0);
}

static void guest_code(uint64_t batches)
{
	uint64_t b, i, before;

	x2apic_enable();
	for (b = 0; b < batches; b++) {
		before = nr_ipis;
		for (i = 0; i < BATCH; i++) {
			progress++;
			x2apic_write_reg(APIC_ICR,
					 APIC_DEST_SELF | APIC_DM_FIXED | IPI_VECTOR);
			asm volatile("sti; hlt; cli" : : : "memory");
			if (stop_at_first && nr_ipis - before != i + 1)
				GUEST_SYNC2(DUPLICATE | i, nr_ipis - before);
		}
		GUEST_SYNC2(b, nr_ipis - before);
	}
	GUEST_DONE();
}

static uint64_t stat(struct kvm_vcpu *vcpu, const char *name)
{
	struct kvm_stats_header header;
	struct kvm_stats_desc *descs, *desc;
	int fd = vcpu_get_stats_fd(vcpu);
	uint64_t val = 0;
	int i;

	read_stats_header(fd, &header);
	descs = read_stats_descriptors(fd, &header);
	for (i = 0; i < header.num_desc; i++) {
		desc = get_stats_descriptor(descs, i, &header);
		if (!strcmp(desc->name, name)) {
			read_stat_data(fd, &header, desc, &val, 1);
			break;
		}
	}
	TEST_ASSERT(i < header.num_desc, "no statistic '%s'", name);
	free(descs);
	close(fd);
	return val;
}

static struct kvm_vcpu *watched;
static struct kvm_vm *watched_vm;

/* APIC register bit of @vec in the 8 x 32-bit IRR/ISR block at @base */
static int apic_bit(struct kvm_lapic_state *s, int base, int vec)
{
	uint32_t word = *(uint32_t *)&s->regs[base + (vec / 32) * 0x10];

	return !!(word & (1u << (vec % 32)));
}

/*
 * The signal took the vCPU out of KVM_RUN (KVM_RUN returns once the
 * handler has run), so its state can be read here.
 */
static void watchdog(int sig)
{
	struct kvm_lapic_state lapic;
	struct kvm_mp_state mp;
	struct kvm_regs regs;

	vcpu_ioctl(watched, KVM_GET_LAPIC, &lapic);
	vcpu_ioctl(watched, KVM_GET_MP_STATE, &mp);
	vcpu_regs_get(watched, &regs);
	printf("self_ipi_hlt: HANG after %d s: iteration %lu, %lu IPIs taken, rip=%#llx rflags=%#llx mp_state=%u irr=%d isr=%d, %lu injections, %lu HLT exits, %lu exits\n",
	       WATCHDOG_S, *(uint64_t *)addr_gva2hva(watched_vm, (vm_vaddr_t)&progress),
	       *(uint64_t *)addr_gva2hva(watched_vm, (vm_vaddr_t)&nr_ipis),
	       regs.rip, regs.rflags, mp.mp_state,
	       apic_bit(&lapic, 0x200, IPI_VECTOR), apic_bit(&lapic, 0x100, IPI_VECTOR),
	       stat(watched, "irq_injections"), stat(watched, "halt_exits"),
	       stat(watched, "exits"));
	fflush(stdout);
	_exit(2);
}

int main(int argc, char *argv[])
{
	uint64_t n, taken = 0, extra = 0, batches = 0;
	uint64_t inj0, halt0, inj_prev, halt_prev, inj, halt;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	if (argc > 1 && !strcmp(argv[1], "-s")) {
		stop_at_first = true;
		argc--;
		argv++;
	}
	n = argc > 1 ? strtoull(argv[1], NULL, 0) : 100000;
	/* whole batches: N rounded up */
	n = (n + BATCH - 1) / BATCH * BATCH;
	TEST_ASSERT(n, "N must be at least 1");
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_install_exception_handler(vm, IPI_VECTOR, guest_ipi_handler);
	vcpu_args_set(vcpu, 1, n / BATCH);
	sync_global_to_guest(vm, stop_at_first);
	watched = vcpu;
	watched_vm = vm;
	signal(SIGALRM, watchdog);
	inj0 = inj_prev = stat(vcpu, "irq_injections");
	halt0 = halt_prev = stat(vcpu, "halt_exits");
	for (;;) {
		alarm(WATCHDOG_S);
		vcpu_run(vcpu);
		alarm(0);
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			if (uc.args[0] & DUPLICATE) {
				printf("self_ipi_hlt: DUPLICATE: %lu IPIs taken after %lu sent in batch %lu\n",
				       uc.args[1], (uc.args[0] & 0xffffffff) + 1, batches);
				fflush(stdout);
				exit(3);
			}
			taken += uc.args[1];
			batches++;
			/* since the previous batch's end */
			inj = stat(vcpu, "irq_injections");
			halt = stat(vcpu, "halt_exits");
			if (uc.args[1] != BATCH) {
				extra++;
				printf("batch %lu: %lu IPIs taken for %d sent, %lu injections, %lu HLT exits\n",
				       uc.args[0], uc.args[1], BATCH, inj - inj_prev, halt - halt_prev);
			}
			inj_prev = inj;
			halt_prev = halt;
			continue;
		case UCALL_DONE:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT(uc);
		default:
			TEST_FAIL("exit reason %u (%s)", vcpu->run->exit_reason,
				  exit_reason_str(vcpu->run->exit_reason));
		}
		break;
	}
	inj = stat(vcpu, "irq_injections") - inj0;
	halt = stat(vcpu, "halt_exits") - halt0;
	kvm_vm_free(vm);
	printf("self_ipi_hlt: ipis=%lu taken=%lu extra_batches=%lu injections=%lu halts=%lu\n",
	       n, taken, extra, inj, halt);
	return taken == n ? 0 : 1;
}
