# SPDX-License-Identifier: GPL-2.0
#
# native.mk - the native benchmark (make bench-native): exittrace's hot
# path and its peers on bpf_test_run:bpf_trigger_tp, on this host's CPU.
#
# Included by the top-level Makefile, which sets BUILD, CC, CLANG,
# BPFTOOL, HOST_CFLAGS and BPF_CFLAGS.  The BPF side follows exittrace's
# own pipeline (clang -target bpf -> bpftool gen skeleton -> loader);
# observer.bpf.c includes bpf/exittrace.bpf.c, so it is rebuilt when the
# shipped hot path changes.  Everything lands in $(BUILD)/native/.

NATIVE_DIR := $(patsubst %/,%,$(dir $(lastword $(MAKEFILE_LIST))))
NATIVE_OUT := $(BUILD)/native
NATIVE_BIN := $(NATIVE_OUT)/native_bench

NATIVE_SKELS := $(patsubst %,$(NATIVE_OUT)/bpf/%.skel.h,driver observer peers)
NATIVE_OBJS := $(patsubst %,$(NATIVE_OUT)/%.o,native_bench bpf_cases tracefs_case perf_case report tsc)
NATIVE_CFLAGS = $(HOST_CFLAGS) -MMD -MP -Ibpf -I$(NATIVE_DIR) -I$(NATIVE_OUT)/bpf

$(NATIVE_OUT)/bpf/%.bpf.o: $(NATIVE_DIR)/%.bpf.c $(NATIVE_DIR)/native.h \
		bpf/exittrace.bpf.c bpf/exittrace.h bpf/core_fixes.bpf.h bpf/drilldown.h bpf/drilldown.bpf.h | $(BUILD)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(NATIVE_DIR) -c $< -o $@.full
	$(Q)llvm-strip -g $@.full -o $@ && rm -f $@.full

$(NATIVE_OUT)/bpf/%.skel.h: $(NATIVE_OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name native_$* > $@

$(NATIVE_OUT)/%.o: $(NATIVE_DIR)/%.c $(NATIVE_SKELS) | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NATIVE_CFLAGS) -c $< -o $@

$(NATIVE_BIN): $(NATIVE_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -lbpf -lelf -lz -o $@

# generated, not intermediate: kept for a look at the skeletons
.SECONDARY: $(NATIVE_SKELS) $(NATIVE_SKELS:.skel.h=.bpf.o)

-include $(NATIVE_OBJS:.o=.d)
