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
NATIVE_OBJS := $(patsubst %,$(NATIVE_OUT)/%.o,native_bench bpf_cases tracefs_case perf_case report tsc machine stats csv)
NATIVE_CFLAGS = $(HOST_CFLAGS) -MMD -MP -Ibpf -I$(NATIVE_DIR) -I$(NATIVE_OUT)/bpf

$(NATIVE_OUT)/bpf/%.bpf.o: $(NATIVE_DIR)/%.bpf.c $(NATIVE_DIR)/native.h \
		bpf/exittrace.bpf.c bpf/exittrace.h bpf/core_fixes.bpf.h bpf/drilldown.h bpf/drilldown.bpf.h \
		bpf/slow_exits.bpf.h | $(BUILD)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -I$(NATIVE_DIR) -c $< -o $@.full
	$(Q)llvm-strip -g $@.full -o $@ && rm -f $@.full

$(NATIVE_OUT)/bpf/%.skel.h: $(NATIVE_OUT)/bpf/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name native_$* > $@

# shared with bench-patch, which needs no BPF: no skeletons for these
NATIVE_COMMON := $(patsubst %,$(NATIVE_OUT)/%.o,machine stats csv tsc)
$(NATIVE_COMMON): $(NATIVE_OUT)/%.o: $(NATIVE_DIR)/%.c | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(NATIVE_CFLAGS) -c $< -o $@

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

# ---- make bench-patch: the KVM series' own exit hooks, natively ----------
# patch_hot_path.sh takes arch/x86/kvm/exit_stats.h and the series' parts
# of kvm_host.h out of the patches at build time; patch_case.c is built
# once per set of kernel stand-ins (kernel_standins.h says what each one
# takes away), and patch_bench times them all in one run.
PATCH_SERIES := $(if $(filter 6.1,$(KLINE)),kvm-patch/6.1,kvm-patch)
PATCH_SRC := $(NATIVE_OUT)/patch-src
PATCH_BIN := $(NATIVE_OUT)/patch_bench
PATCH_VARIANTS := real key_off tsc_load no_percpu no_counters tls
PATCH_FLAGS_key_off := -DSTANDIN_KEY_OFF
PATCH_FLAGS_tsc_load := -DSTANDIN_TSC_LOAD
PATCH_FLAGS_no_percpu := -DSTANDIN_NO_PERCPU_OPS
PATCH_FLAGS_no_counters := -DSTANDIN_NO_COUNTERS
PATCH_FLAGS_tls := -DSTANDIN_PERCPU_TLS
PATCH_CFLAGS = $(HOST_CFLAGS) -MMD -MP -I$(NATIVE_DIR) -I$(PATCH_SRC) -I$(PATCH_SRC)/include
PATCH_CASE_OBJS := $(patsubst %,$(NATIVE_OUT)/patch_case_%.o,$(PATCH_VARIANTS))
PATCH_OBJS := $(PATCH_CASE_OBJS) \
	$(patsubst %,$(NATIVE_OUT)/%.o,patch_bench percpu_standin machine stats tsc csv)

$(PATCH_SRC)/.stamp: $(NATIVE_DIR)/patch_hot_path.sh $(wildcard $(PATCH_SERIES)/0*.patch)
	$(call msg,EXTRACT,$(PATCH_SRC))
	$(Q)$(NATIVE_DIR)/patch_hot_path.sh $(PATCH_SERIES) $(PATCH_SRC)
	$(Q)touch $@

# each build's globals get its own names: exit_stats.h declares them extern
$(PATCH_CASE_OBJS): $(NATIVE_OUT)/patch_case_%.o: $(NATIVE_DIR)/patch_case.c $(PATCH_SRC)/.stamp | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PATCH_CFLAGS) $(PATCH_FLAGS_$*) -DPATCH_VARIANT=patch_$* \
		-Dkvm_exit_stats_on=kvm_exit_stats_on_$* -Dkvm_exit_stats_host=kvm_exit_stats_host_$* \
		-c $< -o $@

$(NATIVE_OUT)/patch_bench.o $(NATIVE_OUT)/percpu_standin.o: $(NATIVE_OUT)/%.o: $(NATIVE_DIR)/%.c \
		$(PATCH_SRC)/.stamp | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(PATCH_CFLAGS) -c $< -o $@

$(PATCH_BIN): $(PATCH_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -o $@

-include $(PATCH_OBJS:.o=.d)
