/* SPDX-License-Identifier: GPL-2.0 */
/*
 * slow_exit.h - what slow_exit's host and guest share.
 */
#ifndef SLOW_EXIT_H
#define SLOW_EXIT_H

#include <stdint.h>

#include "vmm_abi.h"

/* The two vCPUs: the halting one is the BSP (an AP's LAPIC waits for SIPI) */
#define SLOW_HLT_VCPU		0	/* index: long HLTs, woken by its LAPIC timer */
#define SLOW_IO_VCPU		1	/* index: ucalls the VMM sleeps on */
#define SLOW_HLT_VCPU_ID	0	/* their KVM ids (vcpu_id), as exittrace shows them */
#define SLOW_IO_VCPU_ID		3

/* guest_sync()'s first argument: what the host does with it */
enum slow_sync {
	SLOW_SYNC_FAST = 1,	/* resume at once */
	SLOW_SYNC_SLEEP = 2,	/* sleep io_ms first */
};

struct slow_params {
	uint32_t fast;		/* fast syncs and CPUIDs, before and after */
	uint32_t io;		/* SLOW_SYNC_SLEEP ucalls of SLOW_IO_VCPU */
	uint32_t hlts;		/* long HLTs of SLOW_HLT_VCPU */
	uint32_t hlt_ms;	/* the LAPIC timer's period for each */
};

#define SLOW_PARAMS_GPA		VMM_DATA_GPA

#endif /* SLOW_EXIT_H */
