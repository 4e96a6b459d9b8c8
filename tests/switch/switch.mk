# SPDX-License-Identifier: GPL-2.0
#
# switch.mk - vm_switch: one thread running the vCPUs of two VMs in turn,
# for exittrace's exit/entry pairing.  Included by the top-level Makefile
# after tests/vmm/vmm.mk.
$(eval $(call VMM_TEST,switch/vm_switch))
