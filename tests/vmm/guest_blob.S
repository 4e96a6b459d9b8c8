/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_blob.S - embed a flat guest image in the host program.
 *
 * vmm.mk assembles this once per guest with GUEST_NAME (a C identifier)
 * and GUEST_BIN (the quoted path of the .bin); the host declares the image
 * with VMM_GUEST_DECLARE(GUEST_NAME).  .incbin keeps the symbol names ours,
 * where "ld -r -b binary" would derive them from the file's path.
 */
#define GLUE2(a, b)	a##b
#define GLUE(a, b)	GLUE2(a, b)

	.section .rodata.vmm_guest, "a"
	.balign	16
	.globl	GLUE(GUEST_NAME, _start)
	.globl	GLUE(GUEST_NAME, _end)
GLUE(GUEST_NAME, _start):
	.incbin	GUEST_BIN
GLUE(GUEST_NAME, _end):

	.section .note.GNU-stack, "", @progbits
