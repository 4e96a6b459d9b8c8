# SPDX-License-Identifier: GPL-2.0
#
# vmm.mk - the test VMM library, guest images and the VM tests.
#
# Included by the top-level Makefile, which sets BUILD, CC and HOST_CFLAGS.
# Defines VMM_LIB and appends each VM test binary to TEST_VM_BINS.
# Every output is under $(BUILD)/tests/, mirroring tests/.
#
# Guest code: any tests/DIR/NAME.c can be a guest.  Its image is
# $(BUILD)/tests/DIR/NAME.blob.o, exporting NAME_start and NAME_end (so NAME
# must be a C identifier); pattern rules build it as
#   NAME.c -> NAME.guest.o -> NAME.elf (+ guest_start, guest_lib, guest.ld)
#          -> NAME.bin (objcopy -O binary) -> NAME.blob.o (.incbin)
#
# A test is one line:
#   $(eval $(call VMM_TEST,DIR/NAME[,extra host objects]))
# builds the static $(BUILD)/tests/NAME from tests/DIR/NAME.c with the guest
# tests/DIR/NAME_guest.c, and adds it to TEST_VM_BINS.

# Where this fragment lives, so that it works included from anywhere.
VMM_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
VMM_TESTS_DIR := $(patsubst %/,%,$(dir $(VMM_DIR)))
VMM_OUT := $(BUILD)/tests

GUEST_CC ?= $(CC)
GUEST_LD ?= ld
GUEST_OBJCOPY ?= objcopy
AR ?= ar

# HOST_CFLAGS warnings apply to guests too, but not -Wl,/-Wp,/-Wa, options.
VMM_COMMA := ,
VMM_NOT_WARNINGS := -Wl$(VMM_COMMA)% -Wp$(VMM_COMMA)% -Wa$(VMM_COMMA)%

# GCC turns the loop in our own memset() into a call to memset() even when
# freestanding; clang does not, and does not know the option either.
VMM_NO_LOOP_TO_CALL := $(shell $(GUEST_CC) -fno-tree-loop-distribute-patterns \
	-E -x c /dev/null >/dev/null 2>&1 && echo -fno-tree-loop-distribute-patterns)

# 32-bit freestanding: only the compiler's own headers (stdint.h, stdarg.h),
# so no multilib packages.  No FPU/SSE (CR4.OSFXSR is clear), no CET notes.
VMM_GUEST_CFLAGS := -m32 -march=i686 -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-asynchronous-unwind-tables -nostdlib -O2 -g \
	-mgeneral-regs-only -fcf-protection=none $(VMM_NO_LOOP_TO_CALL) \
	$(filter-out $(VMM_NOT_WARNINGS),$(filter -W%,$(HOST_CFLAGS))) \
	-I$(VMM_DIR) -MMD -MP
VMM_HOST_CFLAGS = $(HOST_CFLAGS) -I$(VMM_DIR) -MMD -MP
VMM_LDFLAGS := -static -pthread

VMM_LIB := $(VMM_OUT)/vmm/libvmm.a
VMM_LIB_OBJS := $(VMM_OUT)/vmm/vmm.o
VMM_GUEST_OBJS := $(VMM_OUT)/vmm/guest_start.guest.o $(VMM_OUT)/vmm/guest_lib.guest.o
VMM_GUEST_LDS := $(VMM_DIR)/guest.ld

$(VMM_LIB): $(VMM_LIB_OBJS)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

# host objects of the tests and the library
$(VMM_OUT)/%.o: $(VMM_TESTS_DIR)/%.c
	@mkdir -p $(@D)
	$(CC) $(VMM_HOST_CFLAGS) -c -o $@ $<

# guest objects
$(VMM_OUT)/%.guest.o: $(VMM_TESTS_DIR)/%.c
	@mkdir -p $(@D)
	$(GUEST_CC) $(VMM_GUEST_CFLAGS) -c -o $@ $<

$(VMM_OUT)/%.guest.o: $(VMM_TESTS_DIR)/%.S
	@mkdir -p $(@D)
	$(GUEST_CC) $(VMM_GUEST_CFLAGS) -c -o $@ $<

$(VMM_OUT)/%.elf: $(VMM_OUT)/%.guest.o $(VMM_GUEST_OBJS) $(VMM_GUEST_LDS)
	$(GUEST_LD) -m elf_i386 -nostdlib --build-id=none -T $(VMM_GUEST_LDS) \
		-o $@ $(VMM_GUEST_OBJS) $<

$(VMM_OUT)/%.bin: $(VMM_OUT)/%.elf
	$(GUEST_OBJCOPY) -O binary $< $@

# .incbin is invisible to -MMD: the .bin is listed by hand.
$(VMM_OUT)/%.blob.o: $(VMM_OUT)/%.bin $(VMM_DIR)/guest_blob.S
	$(CC) -c -DGUEST_NAME=$(notdir $*) -DGUEST_BIN='"$<"' -o $@ $(VMM_DIR)/guest_blob.S

# Keep the guest's .elf (for objdump) and .bin between builds.
.PRECIOUS: $(VMM_OUT)/%.guest.o $(VMM_OUT)/%.elf $(VMM_OUT)/%.bin

# $(call VMM_TEST,DIR/NAME[,extra host objects])
define VMM_TEST
$(VMM_OUT)/$(notdir $(1)): $(VMM_OUT)/$(1).o $(VMM_OUT)/$(1)_guest.blob.o $(2) $(VMM_LIB)
	@mkdir -p $$(@D)
	$$(CC) $$(HOST_CFLAGS) $$(VMM_LDFLAGS) -o $$@ $$(filter %.o,$$^) $$(VMM_LIB)
TEST_VM_BINS += $(VMM_OUT)/$(notdir $(1))
endef

$(eval $(call VMM_TEST,smoke/kvm_smoke))

-include $(wildcard $(VMM_OUT)/*/*.d)
