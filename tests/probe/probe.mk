# SPDX-License-Identifier: GPL-2.0
#
# probe.mk - exit_probe, a known guest exit mix for cross-checking the
# patch counters, the VMM and exittrace.  Included by the top-level
# Makefile after tests/vmm/vmm.mk, whose VMM_TEST rule it uses.
#
# The host side links the exit reason tables (userspace/exit_reasons.c,
# built by the top-level Makefile); both sides include the CPUID ABI
# header from userspace/.
PROBE_US := $(dir $(VMM_TESTS_DIR))userspace

$(VMM_OUT)/probe/exit_probe.o: VMM_HOST_CFLAGS += -I$(PROBE_US)
$(VMM_OUT)/probe/exit_probe_guest.guest.o: VMM_GUEST_CFLAGS += -I$(PROBE_US)

$(eval $(call VMM_TEST,probe/exit_probe,$(BUILD)/us/exit_reasons.o))
