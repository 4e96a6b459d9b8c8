// SPDX-License-Identifier: GPL-2.0
/*
 * vm_switch_guest.c - guest of vm_switch: N syncs, then done.  Each is
 * one OUT to the ucall port, so each KVM_RUN of this vCPU ends at the
 * next one, and the host decides which VM runs next.
 */
#include "guest.h"
#include "vm_switch.h"

void guest_main(uint32_t vcpu, struct vmm_mailbox *mb)
{
	const volatile struct switch_params *p = (const void *)SWITCH_PARAMS_GPA;
	uint32_t n = p->syncs, i;

	GUEST_ASSERT(mb == guest_mailbox());
	for (i = 0; i < n; i++)
		guest_sync(vcpu, i, 0, 0);
	guest_done(n);
}
