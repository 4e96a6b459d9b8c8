/* SPDX-License-Identifier: GPL-2.0 */
/*
 * exit_reasons.h - names of VM exit reasons for Intel VMX and AMD SVM.
 *
 * One table per instruction set, shared by exittrace, exitstat and the
 * diff tool, so that every tool prints the same name for the same number.
 * Numbers are the vendor's: the basic exit reason (VMCS exit reason
 * bits 15:0) for VMX, the VMCB EXITCODE for SVM.
 */
#ifndef EXIT_REASONS_H
#define EXIT_REASONS_H

#include <stdbool.h>
#include <stdint.h>

enum exit_isa {
	EXIT_ISA_VMX = 1,	/* same values as the kvm_exit tracepoint's isa */
	EXIT_ISA_SVM = 2,
};

struct exit_reason {
	uint32_t code;
	const char *name;
};

/* Name of @code, or NULL if the vendor's manual does not define it. */
const char *exit_reason_name(enum exit_isa isa, uint32_t code);

/* True if the vendor's manual defines @code. */
bool exit_reason_defined(enum exit_isa isa, uint32_t code);

/* The whole table for @isa, in ascending code order. */
const struct exit_reason *exit_reason_table(enum exit_isa isa, unsigned int *count);

/* Reverse lookup; accepts names case-insensitively and numbers (10, 0x7b). */
int exit_reason_parse(enum exit_isa isa, const char *text, uint32_t *code);

/* "VMX" or "SVM" */
const char *exit_isa_name(enum exit_isa isa);

/* The basic reason: VMX keeps flags in bits 31:16, SVM uses all 32 bits. */
static inline uint32_t exit_reason_basic(enum exit_isa isa, uint32_t raw)
{
	return isa == EXIT_ISA_VMX ? (raw & 0xffff) : raw;
}

#endif /* EXIT_REASONS_H */
