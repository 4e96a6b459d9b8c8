/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmm_abi.h - what the test VMM and its guests agree on.
 *
 * Included by both sides: the 64-bit host (vmm.c, the tests) and the 32-bit
 * freestanding guests (guest.h).  Only fixed-width types, and every 64-bit
 * field sits at an 8-byte offset, because i386 aligns uint64_t to 4 inside
 * structs while x86-64 aligns it to 8; the static asserts below catch a
 * layout that would differ between the two compilers.
 *
 * Guest physical memory (no paging, so GPA == linear address):
 *
 *   0x00001000  guest image (code, data, bss), entry point at its start
 *   0x00100000  mailboxes, one 4 KiB page per vCPU
 *   0x00200000  stacks, VMM_STACK_SIZE per vCPU, growing down
 *   0x00300000  free for the test (parameters, buffers), up to RAM end
 *   0xc0000000  VMM_MMIO_GPA: not backed by RAM, accesses exit as MMIO
 */
#ifndef VMM_ABI_H
#define VMM_ABI_H

#include <stdint.h>

#define VMM_MAX_VCPUS		16

#define VMM_GUEST_GPA		0x00001000U
#define VMM_GUEST_MAX_SIZE	(VMM_MAILBOX_GPA - VMM_GUEST_GPA)
#define VMM_MAILBOX_GPA		0x00100000U
#define VMM_MAILBOX_STRIDE	0x1000U
#define VMM_STACK_GPA		0x00200000U
#define VMM_STACK_SIZE		0x8000U
#define VMM_DATA_GPA		0x00300000U
#define VMM_RAM_SIZE_DEFAULT	0x00400000U
#define VMM_MMIO_GPA		0xc0000000U

/* Mailbox and stack top of vCPU @i. */
#define VMM_MAILBOX(i)		(VMM_MAILBOX_GPA + (uint32_t)(i) * VMM_MAILBOX_STRIDE)
#define VMM_STACK_TOP(i)	(VMM_STACK_GPA + ((uint32_t)(i) + 1) * VMM_STACK_SIZE)

/*
 * The guest writes its request into its mailbox, then does "outl" of the
 * mailbox GPA to this port.  The port is otherwise unused: without an
 * in-kernel irqchip KVM emulates no port at all, with one it only claims
 * the PIC/ELCR ports, so this OUT always reaches userspace.
 */
#define VMM_UCALL_PORT		0x5c00

enum vmm_ucall_cmd {
	UCALL_NONE	= 0,
	UCALL_DONE	= 1,	/* args[0] = result; the vCPU stops */
	UCALL_PRINT	= 2,	/* msg = text to print; the vCPU resumes */
	UCALL_FAIL	= 3,	/* msg, file, line; the test fails */
	UCALL_SYNC	= 4,	/* args[0..3]; host callback, then resume */
};

#define VMM_UCALL_ARGS		4
#define VMM_UCALL_MSG_LEN	200

struct vmm_mailbox {
	uint32_t self;		/* GPA of this mailbox; the guest finds it at %fs:0 */
	uint32_t vcpu;		/* vCPU index */
	uint32_t cmd;		/* enum vmm_ucall_cmd */
	uint32_t line;		/* UCALL_FAIL: source line */
	uint32_t file;		/* UCALL_FAIL: GPA of the file name, or 0 */
	uint32_t reserved;
	uint64_t args[VMM_UCALL_ARGS];
	char msg[VMM_UCALL_MSG_LEN];
};

_Static_assert(__builtin_offsetof(struct vmm_mailbox, args) == 24,
	       "mailbox layout differs between host and guest");
_Static_assert(sizeof(struct vmm_mailbox) == 256,
	       "mailbox layout differs between host and guest");
_Static_assert(sizeof(struct vmm_mailbox) <= VMM_MAILBOX_STRIDE,
	       "mailbox does not fit its page");

#endif /* VMM_ABI_H */
