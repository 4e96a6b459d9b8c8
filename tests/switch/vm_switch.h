/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vm_switch.h - what vm_switch's host and guest share.
 */
#ifndef VM_SWITCH_H
#define VM_SWITCH_H

#include <stdint.h>

#include "vmm_abi.h"

#define SWITCH_MAX_SYNCS	100000U

struct switch_params {
	uint32_t syncs;		/* guest_sync() calls before guest_done() */
};

#define SWITCH_PARAMS_GPA	VMM_DATA_GPA

#endif /* VM_SWITCH_H */
