// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the host reader of the patch's binary statistics: the
 * slot of each exit reason must be the one arch/x86/kvm/exit_stats.h
 * counts it in (a wrong one would show one reason's exits under another's
 * name), and a snapshot must keep what lands in the "other" slot in its
 * totals.
 */
#include <string.h>

#include "unit.h"
#include "kvm_debugfs.h"

TEST(debugfs_slots_follow_the_kernel)
{
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_VMX, 0), 0);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_VMX, 79), 79);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_VMX, 80), 172);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_VMX, 0xffff), 172);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0x72), 0x72);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0xa6), 0xa6);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0xa7), 172);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0x400), 167);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0x403), 170);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0x404), 172);
	CHECK_EQ_U64(kvm_debugfs_slot(EXIT_ISA_SVM, 0xffffffff), 171);
}

TEST(debugfs_snapshot_has_every_slot_in_its_totals)
{
	static struct exit_stats_snapshot s;
	static struct kvm_vm_counters bs;
	unsigned int i;
	bool seen_npf = false;

	memset(&bs, 0, sizeof(bs));
	bs.exits[0x72] = 5;
	bs.cycles[0x72] = 500;
	bs.exits[167] = 7;	/* SVM NPF, 0x400 */
	bs.exits[172] = 2;	/* other: no reason of the table */
	kvm_debugfs_snapshot(&bs, EXIT_ISA_SVM, &s);
	CHECK_EQ_U64(s.total_exits, 14);
	CHECK_EQ_U64(s.total_cycles, 500);
	for (i = 0; i < s.nr_reasons; i++) {
		if (s.reasons[i].code == 0x400) {
			CHECK_EQ_U64(s.reasons[i].exits, 7);
			seen_npf = true;
		}
		if (s.reasons[i].code == 0x72)
			CHECK_EQ_U64(s.reasons[i].cycles, 500);
	}
	CHECK(seen_npf);
}
