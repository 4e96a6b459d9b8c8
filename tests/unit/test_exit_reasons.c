// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the exit reason tables. */
#include "unit.h"
#include "exit_reasons.h"

static void check_sorted_unique(enum exit_isa isa)
{
	unsigned int i, n;
	const struct exit_reason *t = exit_reason_table(isa, &n);

	CHECK(t && n > 0);
	for (i = 1; i < n; i++) {
		if (t[i - 1].code >= t[i].code)
			unit_fail(__FILE__, __LINE__, "%s table not sorted at %#x",
				  exit_isa_name(isa), t[i].code);
	}
	for (i = 0; i < n; i++)
		CHECK(t[i].name && t[i].name[0]);
}

TEST(tables_sorted_and_named)
{
	check_sorted_unique(EXIT_ISA_VMX);
	check_sorted_unique(EXIT_ISA_SVM);
}

TEST(vmx_well_known_reasons)
{
	CHECK_STR(exit_reason_name(EXIT_ISA_VMX, 10), "CPUID");
	CHECK_STR(exit_reason_name(EXIT_ISA_VMX, 12), "HLT");
	CHECK_STR(exit_reason_name(EXIT_ISA_VMX, 18), "VMCALL");
	CHECK_STR(exit_reason_name(EXIT_ISA_VMX, 30), "IO_INSTRUCTION");
	CHECK_STR(exit_reason_name(EXIT_ISA_VMX, 48), "EPT_VIOLATION");
	CHECK_STR(exit_reason_name(EXIT_ISA_VMX, 49), "EPT_MISCONFIG");
}

TEST(vmx_reserved_reasons_undefined)
{
	/* SDM: 35, 38, 42 and 71 are not used; nothing beyond 79 yet */
	CHECK(!exit_reason_defined(EXIT_ISA_VMX, 35));
	CHECK(!exit_reason_defined(EXIT_ISA_VMX, 38));
	CHECK(!exit_reason_defined(EXIT_ISA_VMX, 42));
	CHECK(!exit_reason_defined(EXIT_ISA_VMX, 71));
	CHECK(!exit_reason_defined(EXIT_ISA_VMX, 80));
	CHECK(!exit_reason_defined(EXIT_ISA_VMX, 0xffffffff));
	CHECK(exit_reason_name(EXIT_ISA_VMX, 0x10000) == NULL);
}

TEST(svm_well_known_reasons)
{
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x72), "CPUID");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x78), "HLT");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x7b), "IOIO");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x7c), "MSR");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x81), "VMMCALL");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x400), "NPF");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x0f), "READ_CR15");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x37), "WRITE_DR7");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x4e), "EXCP_PF");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0x93), "CR3_WRITE_TRAP");
	CHECK_STR(exit_reason_name(EXIT_ISA_SVM, 0xffffffff), "INVALID");
}

TEST(svm_gaps_undefined)
{
	CHECK(!exit_reason_defined(EXIT_ISA_SVM, 0xa7));
	CHECK(!exit_reason_defined(EXIT_ISA_SVM, 0x3ff));
	CHECK(!exit_reason_defined(EXIT_ISA_SVM, 0x404));
	CHECK(!exit_reason_defined(EXIT_ISA_SVM, 0xf0000000));
}

TEST(parse_names_and_numbers)
{
	uint32_t code = 0;

	CHECK(exit_reason_parse(EXIT_ISA_VMX, "cpuid", &code) == 0);
	CHECK_EQ_U64(code, 10);
	CHECK(exit_reason_parse(EXIT_ISA_SVM, "IOIO", &code) == 0);
	CHECK_EQ_U64(code, 0x7b);
	CHECK(exit_reason_parse(EXIT_ISA_SVM, "0x400", &code) == 0);
	CHECK_EQ_U64(code, 0x400);
	CHECK(exit_reason_parse(EXIT_ISA_VMX, "48", &code) == 0);
	CHECK_EQ_U64(code, 48);
	CHECK(exit_reason_parse(EXIT_ISA_VMX, "nosuch", &code) != 0);
	CHECK(exit_reason_parse(EXIT_ISA_VMX, "12abc", &code) != 0);
	CHECK(exit_reason_parse(EXIT_ISA_VMX, "0x100000000", &code) != 0);
	CHECK(exit_reason_parse(EXIT_ISA_VMX, "", &code) != 0);
}

TEST(basic_reason_masks_vmx_flags)
{
	/* bit 31 = failed VM-entry; the basic reason is bits 15:0 */
	CHECK_EQ_U64(exit_reason_basic(EXIT_ISA_VMX, 0x80000021), 33);
	CHECK_EQ_U64(exit_reason_basic(EXIT_ISA_SVM, 0xffffffff), 0xffffffff);
}
