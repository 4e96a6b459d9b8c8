# SPDX-License-Identifier: GPL-2.0
#
# slow.mk - slow_exit: a VM whose slow exits are known (a VMM sleeping on
# ucalls, HLTs that wait for the LAPIC timer), for exittrace --slower-than.
# Included by the top-level Makefile after tests/vmm/vmm.mk.
$(eval $(call VMM_TEST,slow/slow_exit))
