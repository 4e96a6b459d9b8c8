/* SPDX-License-Identifier: GPL-2.0 */
/*
 * guest_start.S - entry point of every test guest, first byte of the image.
 *
 * The host enters here in flat 32-bit protected mode with ESP pointing at
 * a cdecl argument frame it wrote: [esp] = vCPU index, [esp+4] = mailbox
 * GPA.  ESP is 16-byte aligned, as the i386 ABI wants at a call.
 */
	.code32
	.section .text.start, "ax"
	.globl	_start
_start:
	call	guest_main
	/* guest_main returned without a ucall: treat it as guest_done(0) */
	call	guest_main_returned
1:	hlt
	jmp	1b

	.section .note.GNU-stack, "", @progbits
