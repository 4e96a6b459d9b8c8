# exittrace - where a KVM virtual machine's time goes, exit by exit.
#
#   make            build ./exittrace (host) and ./exitstat (guest)
#   make test       unit tests, host checks, then both emulated test beds
#   make demo       boot the emulated host and run a real guest on the
#                   patched KVM; its exit timeline (picture, summary)
#                   lands in build/demo/
#   make demo-debian  the same with a real Debian 12 system as the guest,
#                   boot to login, idle, power button: build/demo-debian/
#   make kernel     the patched test-bed kernel (KSRC=tree-or-tarball)
#   make deps       install the Debian packages the project needs
#   make install    exittrace, exitstat, exitdiff, their man pages and the
#                   exporter's systemd unit (PREFIX=/usr/local, DESTDIR=)
#   make bench      what observing exits costs per exit (both beds; not
#                   part of make test)
#   make bench-native  the same, natively on this host's CPU (root, Linux
#                   6.10+; not part of make test): build/bench/native/,
#                   then make bench-patch
#   make bench-patch   what the KVM series' own exit hooks add per exit,
#                   natively on this CPU, in userspace: build/bench/patch/
#   make modules    the patched kvm modules for the running kernel
#   sudo make install-kvm / uninstall-kvm
#                   load them (stock ones kept) / go back to the stock ones
#   make test-modules  both on modular stock kernels, inside the QEMU bed
#   make test-6.1   both beds on a Linux 6.1 kernel (Debian's
#                   linux-source-6.1, kvm-patch/6.1/); not part of make test
#
# KLINE=6.1 makes any target use Linux 6.1 (Debian's linux-source-6.1 and
# kvm-patch/6.1/), with everything generated under build/6.1/; the default
# is KLINE=6.12.
#
# Everything generated lives under build/ (BUILD=...), except the two
# programs a user runs.  V=1 shows full commands.

KLINE		?= 6.12
ifeq ($(KLINE),6.1)
BUILD		?= build/6.1
KSRC		?= /usr/src/linux-source-6.1.tar.xz
else ifneq ($(KLINE),6.12)
$(error KLINE=$(KLINE) is not a supported kernel line: use KLINE=6.12 (the default) or KLINE=6.1)
endif
BUILD		?= build
KSRC		?= /usr/src/linux-source-6.12.tar.xz
CC		?= gcc
CLANG		?= clang
BPFTOOL		?= $(shell command -v bpftool || echo /usr/sbin/bpftool)
HOST_CFLAGS	?= -O2 -g -Wall -Wextra -Werror
# Boot limits (seconds): generous for a loaded CI machine, still bounded.
QEMU_TIMEOUT	?= 300
BOCHS_TIMEOUT	?= 600
# The install suite in Bochs runs every other suite on a modular kernel:
# 620 s for Debian's 6.12 on a loaded machine (3 Dec), so more room
# than the self-built kernel's beds need
DISTRO_BOCHS_TIMEOUT ?= 1500

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

.DELETE_ON_ERROR:
.PHONY: all deps kernel initramfs unit install uninstall test test-host test-beds test-qemu checkpatch test-bad-patch \
	test-checkpatch-fails flake \
	test-bochs test-6.1 demo demo-debian bench bench-stock clean distclean modules install-kvm uninstall-kvm test-modules

all: exittrace exitstat $(BUILD)/exitdiff

deps:
	$(Q)scripts/deps.sh

# Every target that needs the toolchain or the emulators checks the
# packages first; scripts/deps.sh only calls apt-get when one is missing.
$(BUILD)/.deps-ok: scripts/deps.sh
	$(Q)mkdir -p $(@D)
	$(Q)scripts/deps.sh
	$(Q)touch $@

# ---- userspace ----------------------------------------------------------
US_CFLAGS := $(HOST_CFLAGS) -MMD -MP -Iuserspace -Ibpf
COMMON_SRCS := userspace/exit_reasons.c userspace/exit_stats.c

$(BUILD)/us/%.o: userspace/%.c | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(US_CFLAGS) -c $< -o $@

COMMON_OBJS := $(COMMON_SRCS:userspace/%.c=$(BUILD)/us/%.o)

EXITSTAT_OBJS := $(BUILD)/us/exitstat.o $(BUILD)/us/exitstat_print.o $(BUILD)/us/kvm_debugfs.o

$(BUILD)/exitstat: $(EXITSTAT_OBJS) $(COMMON_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -o $@

# The guest tool is static: it must run in any guest, including the
# test beds' busybox initramfs.
$(BUILD)/exitstat.static: $(EXITSTAT_OBJS) $(COMMON_OBJS)
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -static $^ -o $@

exitstat: $(BUILD)/exitstat.static
	$(Q)cp $< $@

# exitdiff: the two witnesses side by side (static: the beds use it too).
$(BUILD)/exitdiff: $(BUILD)/us/exitdiff.o $(BUILD)/us/witness.o $(BUILD)/us/json_scan.o $(BUILD)/us/exit_reasons.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -static $^ -o $@

# ---- BPF: object -> skeleton -> loader -----------------------------------
# The BPF side includes only UAPI and libbpf headers: the kvm tracepoint
# records it reads are declared in the source and relocated by CO-RE, so
# the build needs no vmlinux.h and no BTF on the build machine.
ARCH_INC := /usr/include/$(shell uname -m)-linux-gnu
BPF_CFLAGS := -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_x86 -I$(ARCH_INC) -Ibpf

$(BUILD)/bpf/exittrace.bpf.o: bpf/exittrace.bpf.c bpf/exittrace.h bpf/core_fixes.bpf.h bpf/drilldown.h bpf/drilldown.bpf.h \
		bpf/slow_exits.bpf.h bpf/cgroup_filter.bpf.h | $(BUILD)/.deps-ok
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.full
	$(Q)llvm-strip -g $@.full -o $@ && rm -f $@.full

$(BUILD)/bpf/exittrace.skel.h: $(BUILD)/bpf/exittrace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name exittrace_bpf > $@

REPORT_OBJS := $(BUILD)/us/report.o $(BUILD)/us/report_table.o $(BUILD)/us/report_sort.o $(BUILD)/us/stddev.o
ET_OBJS := $(BUILD)/us/exittrace.o $(BUILD)/us/exittrace_args.o $(REPORT_OBJS) $(BUILD)/us/per_vm.o $(BUILD)/us/metrics.o \
	$(BUILD)/us/record.o $(BUILD)/us/self_check.o $(BUILD)/us/probe.o $(BUILD)/us/exit_reasons.o \
	$(BUILD)/us/kvm_time.o $(BUILD)/us/kvm_reload.o $(BUILD)/us/prog_stats.o $(BUILD)/us/vm_names.o \
	$(BUILD)/us/slow_exits.o $(BUILD)/us/slow_exits_ring.o $(BUILD)/us/drilldown.o $(BUILD)/us/drill_load.o \
	$(BUILD)/us/loader.o $(BUILD)/us/collect.o $(BUILD)/us/event_loop.o $(BUILD)/us/vcpu_put.o \
	$(BUILD)/us/sink_stdout.o $(BUILD)/us/sink_record.o $(BUILD)/us/sink_metrics.o
# --listen: libmicrohttpd in ./exittrace; the static build has no HTTP
# server (no static GnuTLS or p11-kit in Debian for libmicrohttpd.a)
HTTP_LIBS := $(shell pkg-config --libs libmicrohttpd 2>/dev/null || echo -lmicrohttpd) -lpthread

# the ones that use the skeleton
SKEL_USERS := exittrace kvm_time drill_load loader collect vcpu_put
$(SKEL_USERS:%=$(BUILD)/us/%.o): $(BUILD)/us/%.o: userspace/%.c $(BUILD)/bpf/exittrace.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(US_CFLAGS) -Ibpf -I$(BUILD)/bpf -c $< -o $@

$(BUILD)/exittrace: $(ET_OBJS) $(BUILD)/us/http.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -lbpf -lelf -lz $(HTTP_LIBS) -lm -o $@

# Static: runs unchanged in the test beds' initramfs.
$(BUILD)/exittrace.static: $(ET_OBJS) $(BUILD)/us/http_none.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -static $^ -lbpf -lelf -lz -lm -o $@

exittrace: $(BUILD)/exittrace
	$(Q)cp $< $@

# The tests' own programs on exittrace's code.  bedcheck: the test beds'
# checks of exittrace, on the comparison exitdiff uses (static: it runs in
# the beds).  metrics_sample: exittrace's metrics for a made-up VM, for
# promtool and node_exporter to read (tests/host/metrics.sh).
$(BUILD)/us/bedcheck.o: tests/vm/bedcheck.c
$(BUILD)/us/bedcheck_slow.o: tests/vm/bedcheck_slow.c
$(BUILD)/us/metrics_sample.o: tests/host/metrics_sample.c
$(BUILD)/us/bedcheck.o $(BUILD)/us/bedcheck_slow.o $(BUILD)/us/metrics_sample.o: | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(US_CFLAGS) -c $< -o $@

$(BUILD)/bedcheck: $(BUILD)/us/bedcheck.o $(BUILD)/us/bedcheck_slow.o $(BUILD)/us/witness.o $(BUILD)/us/json_scan.o $(BUILD)/us/exit_reasons.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -static $^ -o $@

# kvmcheck: a tiny VM asking KVM for the discovery leaf (install-kvm.sh
# runs it on the host and in the beds: static).
$(BUILD)/kvmcheck: $(BUILD)/us/kvmcheck.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) -static $^ -o $@

# ---- unit tests ----------------------------------------------------------
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_OBJS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%.o)

$(BUILD)/unit/%.o: tests/unit/%.c | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(US_CFLAGS) -Itests/unit -c $< -o $@

$(BUILD)/unit/unit_tests: $(UNIT_OBJS) $(COMMON_OBJS) $(BUILD)/us/exitstat_print.o $(BUILD)/us/kvm_debugfs.o $(REPORT_OBJS) $(BUILD)/us/record.o $(BUILD)/us/exittrace_args.o \
	$(BUILD)/us/per_vm.o $(BUILD)/us/metrics.o $(BUILD)/us/witness.o $(BUILD)/us/json_scan.o $(BUILD)/us/vm_names.o \
	$(BUILD)/us/slow_exits.o $(BUILD)/us/drilldown.o $(BUILD)/us/event_loop.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -lm -o $@

unit: $(BUILD)/unit/unit_tests
	$(Q)$<

# bench-merge: one -P interval's userspace cost, old and new, on made-up
# rows (tests/bench/bench_merge.c; a few seconds, prints, never fails).
$(BUILD)/bench/bench_merge.o: tests/bench/bench_merge.c | $(BUILD)/.deps-ok
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(US_CFLAGS) -c $< -o $@

$(BUILD)/bench/bench_merge: $(BUILD)/bench/bench_merge.o $(REPORT_OBJS) $(BUILD)/us/exit_reasons.o $(BUILD)/us/vm_names.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -lm -o $@

.PHONY: bench-merge
bench-merge: $(BUILD)/bench/bench_merge
	$(Q)$< $(BENCH_MERGE_ARGS)

# ---- test VMM and in-bed test programs -----------------------------------
TEST_VM_BINS := $(BUILD)/bedcheck
include tests/vmm/vmm.mk
include tests/probe/probe.mk
include tests/switch/switch.mk
include tests/slow/slow.mk

# ---- kernel ----------------------------------------------------------------
# The script keys the build on its inputs and leaves bzImage untouched
# when they are unchanged, so what depends on it is not rebuilt.
$(BUILD)/kernel/bzImage: FORCE | $(BUILD)/.deps-ok
	$(Q)scripts/build-kernel.sh $(BUILD)/kernel $(KSRC)

kernel: $(BUILD)/kernel/bzImage

FORCE:

# The series' KVM selftest, built static from the patched tree the kernel
# was built from (bzImage being current means that tree is current).
KST := $(BUILD)/kernel/kst
$(BUILD)/tests/exit_stats_test: $(BUILD)/kernel/bzImage
	$(call msg,KST,$@)
	$(Q)mkdir -p $(@D) $(KST)
	$(Q)$(MAKE) -s -C $(BUILD)/kernel/src O=$(abspath $(BUILD)/kernel/obj) headers >$(KST)/build.log 2>&1 || \
		{ tail -20 $(KST)/build.log; exit 1; }
	$(Q)$(MAKE) -s -C $(BUILD)/kernel/src/tools/testing/selftests/kvm OUTPUT=$(abspath $(KST)) \
		KHDR_INCLUDES="-isystem $(abspath $(BUILD)/kernel/obj/usr/include)" \
		EXTRA_CFLAGS=-static $(abspath $(KST))/x86_64/exit_stats_test >>$(KST)/build.log 2>&1 || \
		{ tail -20 $(KST)/build.log; exit 1; }
	$(Q)cp $(KST)/x86_64/exit_stats_test $@

TEST_VM_BINS += $(BUILD)/tests/exit_stats_test

# Its kselftest wrapper, which puts kvm.exit_stats back even when the test
# is killed (tests/vm/suites/abi.sh checks that it does).
$(BUILD)/tests/exit_stats_test.sh: $(BUILD)/tests/exit_stats_test
	$(Q)cp $(BUILD)/kernel/src/tools/testing/selftests/kvm/x86_64/exit_stats_test.sh $@
TEST_VM_BINS += $(BUILD)/tests/exit_stats_test.sh

# ---- initramfs -------------------------------------------------------------
VM_FILES := tests/vm/init tests/vm/lib.sh tests/vm/pause.sh tests/vm/bench_lib.sh \
	tests/vm/check_record.sh scripts/exitrecord.awk $(wildcard tests/vm/suites/*.sh)
BED_PAYLOAD := $(BUILD)/exitstat.static:/bin/exitstat \
	$(BUILD)/exittrace.static:/bin/exittrace \
	$(BUILD)/exitdiff:/bin/exitdiff \
	$(foreach b,$(TEST_VM_BINS),$(b):/bin/$(notdir $(b)))

$(BUILD)/vm/base.cpio.gz: tests/vm/mkinitramfs.sh $(VM_FILES) $(BUILD)/exitstat.static \
		$(BUILD)/exittrace.static $(BUILD)/exitdiff $(TEST_VM_BINS)
	$(call msg,INITRD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tests/vm/mkinitramfs.sh $@ $(BED_PAYLOAD) >/dev/null

# The L2 guest: busybox, exitstat and its own init.
$(BUILD)/vm/guest.cpio.gz: tests/vm/mkinitramfs.sh tests/vm/guest-init $(BUILD)/exitstat.static
	$(call msg,INITRD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tests/vm/mkinitramfs.sh $@ tests/vm/guest-init:/init \
		$(BUILD)/exitstat.static:/bin/exitstat >/dev/null

# The QEMU bed's "full" image also carries QEMU itself, its libraries and
# firmware, the kernel and the L2 guest image.
QEMU_BIN := /usr/bin/qemu-system-x86_64
QEMU_FW := bios-microvm.bin qboot.rom linuxboot_dma.bin pvh.bin multiboot_dma.bin kvmvapic.bin
$(BUILD)/vm/full.cpio.gz: tests/vm/mkinitramfs.sh $(VM_FILES) $(BUILD)/exitstat.static \
		$(BUILD)/exittrace.static $(BUILD)/exitdiff \
		$(TEST_VM_BINS) $(BUILD)/vm/guest.cpio.gz $(BUILD)/kernel/bzImage
	$(call msg,INITRD,$@)
	$(Q)tests/vm/mkinitramfs.sh $@ $(BED_PAYLOAD) \
		$(QEMU_BIN)+libs:$(QEMU_BIN) \
		$(foreach f,$(QEMU_FW),/usr/share/qemu/$(f):/usr/share/qemu/$(f)) \
		$(BUILD)/kernel/bzImage:/l2/bzImage \
		$(BUILD)/vm/guest.cpio.gz:/l2/guest.cpio.gz >/dev/null

initramfs: $(BUILD)/vm/base.cpio.gz $(BUILD)/vm/full.cpio.gz

# The real Debian guest (make demo-debian): its disk image comes into the
# bed as a virtio disk (run-bed.sh's BED_DISK); its kernel and initramfs,
# and the PC firmware -M q35 loads, in the bed's initramfs.  The script
# keys the image on its package list and kernel version.
DEBIAN_GUEST := $(BUILD)/debian-guest
$(DEBIAN_GUEST)/disk.img: scripts/debian-guest.sh FORCE | $(BUILD)/.deps-ok
	$(Q)scripts/debian-guest.sh $(DEBIAN_GUEST)

$(BUILD)/vm/debian.cpio.gz: $(BUILD)/vm/full.cpio.gz $(DEBIAN_GUEST)/disk.img
	$(call msg,INITRD,$@)
	$(Q)tests/vm/mkinitramfs.sh $@ $(BED_PAYLOAD) \
		$(QEMU_BIN)+libs:$(QEMU_BIN) \
		$(foreach f,$(QEMU_FW),/usr/share/qemu/$(f):/usr/share/qemu/$(f)) \
		/usr/share/seabios/bios-256k.bin:/usr/share/qemu/bios-256k.bin \
		$(DEBIAN_GUEST)/vmlinuz:/l2/debian/vmlinuz \
		$(DEBIAN_GUEST)/initrd.img:/l2/debian/initrd.img >/dev/null

# perf for `make bench` only: static, from the tree the bed kernel is
# built from (the script keys it on its inputs, like the kernel's), in an
# image of its own so the test images stay small.
$(BUILD)/perf/perf: $(BUILD)/kernel/bzImage FORCE | $(BUILD)/.deps-ok
	$(Q)scripts/build-perf.sh $(BUILD)/perf $(BUILD)/kernel/src

$(BUILD)/vm/bench.cpio.gz: tests/vm/mkinitramfs.sh $(VM_FILES) $(BUILD)/exitstat.static \
		$(BUILD)/exittrace.static $(BUILD)/exitdiff $(TEST_VM_BINS) $(BUILD)/perf/perf
	$(call msg,INITRD,$@)
	$(Q)mkdir -p $(@D)
	$(Q)tests/vm/mkinitramfs.sh $@ $(BED_PAYLOAD) $(BUILD)/perf/perf:/bin/perf >/dev/null

# ---- the patched modules on a real host -----------------------------------
# "make modules" builds for the running kernel (scripts/build-modules.sh
# says which inputs it takes: KSRC, KCONFIG, KSYMVERS, KRELEASE, KBTF).
# KSRC has a 6.12 default above for the bed kernel; here only a KSRC the
# user gave counts, else the script picks the running kernel's line.
export KCONFIG KSYMVERS KRELEASE KBTF KVERSION KMODDIR
MODULES_KSRC = $(if $(filter command line environment,$(origin KSRC)),KSRC=$(KSRC))
RUNNING := $(shell uname -r)

modules: $(BUILD)/kvmcheck | $(BUILD)/.deps-ok
	$(Q)$(MODULES_KSRC) scripts/build-modules.sh $(BUILD)/modules

# Run as root; they build nothing (no root-owned files in build/).
install-kvm:
	$(Q)KVMCHECK=$(abspath $(BUILD)/kvmcheck) scripts/install-kvm.sh install $(BUILD)/modules/$(or $(KRELEASE),$(RUNNING))

uninstall-kvm:
	$(Q)KVMCHECK=$(abspath $(BUILD)/kvmcheck) scripts/install-kvm.sh uninstall

# ---- the same, tested in the QEMU bed on modular stock kernels -------------
# Per kernel line L: $(BUILD)/kmod-L/ is a stock (unpatched) kernel with
# KVM as modules (kvm-patch/modular.config), its modules installed under
# modroot/; $(BUILD)/bed-modules/L/ the patched modules, built by
# build-modules.sh from that kernel's config, Module.symvers, release and
# BTF, exactly as "make modules" does on a host; the bed image carries
# both, real kmod, dash (Debian's /bin/sh: busybox sh would run its own
# modprobe and depmod applets instead of kmod's), install-kvm.sh and
# kvmcheck, and the install suite runs there.  The install script never
# runs on the build host.
MOD_LINES := 6.12 6.1
KSRC_6.12 := $(if $(filter 6.12,$(KLINE)),$(KSRC),/usr/src/linux-source-6.12.tar.xz)
KSRC_6.1 := $(if $(filter 6.1,$(KLINE)),$(KSRC),/usr/src/linux-source-6.1.tar.xz)
SERIES_DIR = $(shell scripts/series-dir.sh $(1) 2>/dev/null || echo kvm-patch)
KMOD_LINK_CMDS := modprobe depmod insmod rmmod lsmod modinfo

# An empty series: the modular bed kernels are stock.
$(BUILD)/no-patches:
	$(Q)mkdir -p $@

define MOD_LINE
$(BUILD)/kmod-$(1)/bzImage: FORCE | $(BUILD)/.deps-ok $(BUILD)/no-patches
	$(Q)PATCH_DIR=$(BUILD)/no-patches \
		CONFIG_FRAGMENT="$(abspath $(call SERIES_DIR,$(KSRC_$(1)))/bed.config kvm-patch/modular.config)" \
		scripts/build-kernel.sh $(BUILD)/kmod-$(1) $(KSRC_$(1))

# The stock kernel's unpacked tree is the source (no second unpack).
$(BUILD)/bed-modules/$(1)/kvm.ko: $(BUILD)/kmod-$(1)/bzImage FORCE
	$(Q)scripts/build-bed-modules.sh $(BUILD)/kmod-$(1) $(KSRC_$(1)) $(call SERIES_DIR,$(KSRC_$(1))) \
		$(BUILD)/bed-modules $(1)

# The series' selftest, from the tree the modules were built from.
$(BUILD)/bed-modules/$(1)/exit_stats_test: $(BUILD)/bed-modules/$(1)/kvm.ko
	$$(call msg,KST,$$@)
	$(Q)scripts/build-selftest.sh $(BUILD)/bed-modules/$(1)

$(BUILD)/vm/modules-$(1).cpio.gz: tests/vm/mkinitramfs.sh $(VM_FILES) scripts/install-kvm.sh \
		$(BUILD)/exitstat.static $(BUILD)/exittrace.static $(BUILD)/exitdiff $(BUILD)/kvmcheck \
		$(MOD_BED_BINS) $(BUILD)/bed-modules/$(1)/kvm.ko $(BUILD)/bed-modules/$(1)/exit_stats_test \
		$(LATE_DEPS_$(1))
	$$(call msg,INITRD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)tests/vm/mkinitramfs.sh $$@ $(call MOD_IMAGE_PAYLOAD,$(1)) \
		$(BUILD)/bed-modules/$(1)/exit_stats_test:/bin/exit_stats_test \
		$(BUILD)/bed-modules/$(1)/exit_stats_test.sh:/bin/exit_stats_test.sh $(LATE_PAYLOAD_$(1)) >/dev/null

test-modules-$(1): $(BUILD)/kmod-$(1)/bzImage $(BUILD)/vm/modules-$(1).cpio.gz
	@echo "== QEMU bed, modular stock $(1) kernel: install-kvm.sh, patched modules, uninstall$(LATE_SAYS_$(1))"
	$(Q)BED_LABEL=qemu-$(1)m $$(RUN_BED) qemu $(BUILD)/kmod-$(1)/bzImage $(BUILD)/vm/modules-$(1).cpio.gz \
		install$(LATE_SUITE_$(1)) $(QEMU_TIMEOUT) $(BUILD)/logs

# The same in the Bochs bed (Intel VMX: kvm_intel); not in make test.
test-modules-bochs-$(1): $(BUILD)/kmod-$(1)/bzImage $(BUILD)/vm/modules-$(1).cpio.gz
	@echo "== Bochs bed, modular stock $(1) kernel: install-kvm.sh, patched modules, uninstall"
	$(Q)BED_LABEL=bochs-$(1)m $$(RUN_BED) bochs $(BUILD)/kmod-$(1)/bzImage $(BUILD)/vm/modules-$(1).cpio.gz \
		install $(DISTRO_BOCHS_TIMEOUT) $(BUILD)/logs
endef

# The in-bed programs, without the selftest of the patched bed kernel:
# each line brings its own, built from its own patched tree.
MOD_BED_BINS = $(filter-out $(BUILD)/tests/exit_stats_test%,$(TEST_VM_BINS))
MOD_BED_PAYLOAD = $(BUILD)/exitstat.static:/bin/exitstat \
	$(BUILD)/exittrace.static:/bin/exittrace \
	$(BUILD)/exitdiff:/bin/exitdiff \
	$(foreach b,$(MOD_BED_BINS),$(b):/bin/$(notdir $(b)))
# What every image of a modular bed holds: the programs, a stock module
# tree ($(1)), the patched modules ($(2)), install-kvm and real kmod.
MODULAR_PAYLOAD = $(MOD_BED_PAYLOAD) \
	$(1):/lib/modules \
	$(foreach m,kvm kvm-intel kvm-amd,$(2)/$(m).ko:/opt/exittrace/modules/$(m).ko) \
	scripts/install-kvm.sh:/bin/install-kvm $(BUILD)/kvmcheck:/bin/kvmcheck \
	/usr/bin/kmod+libs:/usr/bin/kmod /usr/bin/dash+libs:/usr/bin/dash \
	$(foreach c,$(KMOD_LINK_CMDS),link=/usr/bin/kmod:/sbin/$(c))
# ... for the line's own modular stock kernel
MOD_IMAGE_PAYLOAD = $(call MODULAR_PAYLOAD,$(BUILD)/kmod-$(1)/modroot/lib/modules,$(BUILD)/bed-modules/$(1))

# A deliberately broken patch on the 6.12 line: the series plus
# tests/late-end/*.patch, whose cycles end one step late, built like the
# bed modules; the late suite installs them and the comparison of the
# cycles with exittrace's time in KVM must fail (tests/vm/suites/late.sh).
LATE_PATCHES := $(wildcard tests/late-end/*.patch)
$(BUILD)/late-series/.stamp: $(wildcard kvm-patch/*.patch) $(LATE_PATCHES)
	$(Q)rm -rf $(@D) && mkdir -p $(@D) && cp kvm-patch/*.patch $(LATE_PATCHES) $(@D)/ && touch $@

$(BUILD)/late-modules/6.12/kvm.ko: $(BUILD)/kmod-6.12/bzImage $(BUILD)/late-series/.stamp FORCE
	$(Q)scripts/build-bed-modules.sh $(BUILD)/kmod-6.12 $(KSRC_6.12) $(BUILD)/late-series \
		$(BUILD)/late-modules 6.12

LATE_DEPS_6.12 = $(BUILD)/late-modules/6.12/kvm.ko
LATE_PAYLOAD_6.12 = $(foreach m,kvm kvm-intel kvm-amd,$(BUILD)/late-modules/6.12/$(m).ko:/opt/exittrace/late/$(m).ko)
LATE_SUITE_6.12 = ,late
LATE_SAYS_6.12 = ; a broken series (late)

$(foreach l,$(MOD_LINES),$(eval $(call MOD_LINE,$(l))))

test-modules: $(foreach l,$(MOD_LINES),test-modules-$(l))

# ---- the distro bed: Debian's own binary kernels ----------------------------
# Per line L: $(BUILD)/distro-L/ is Debian's linux-image and linux-headers
# of linux-source-L's version, unpacked (scripts/distro-kernel.sh);
# $(BUILD)/distro-modules/L/ the patched modules built against them by
# build-modules.sh as "make modules" does on such a host (its config,
# Module.symvers and the headers' BTF vmlinux); the install suite then
# runs on Debian's kernel, with Debian's own stock KVM modules.
DISTRO_LINES := 6.12 6.1
# The broken series (late, above) on Debian's 6.12 too: make test runs
# the late suite there.
$(BUILD)/distro-late-modules/6.12/kvm.ko: $(BUILD)/distro-6.12/vmlinuz $(BUILD)/late-series/.stamp FORCE
	$(Q)scripts/build-distro-modules.sh $(BUILD)/distro-6.12 $(KSRC_6.12) $(BUILD)/late-series \
		$(BUILD)/distro-late-modules 6.12
DLATE_DEPS_6.12 = $(BUILD)/distro-late-modules/6.12/kvm.ko
DLATE_PAYLOAD_6.12 = $(foreach m,kvm kvm-intel kvm-amd,$(BUILD)/distro-late-modules/6.12/$(m).ko:/opt/exittrace/late/$(m).ko)
# What every image of the distro bed holds: Debian's stock modules, the
# patched ones and their selftest
DISTRO_PAYLOAD = $(call MODULAR_PAYLOAD,$(BUILD)/distro-$(1)/modroot/lib/modules,$(BUILD)/distro-modules/$(1)) \
	$(BUILD)/distro-modules/$(1)/exit_stats_test:/bin/exit_stats_test \
	$(BUILD)/distro-modules/$(1)/exit_stats_test.sh:/bin/exit_stats_test.sh
define DISTRO_LINE
$(BUILD)/distro-$(1)/vmlinuz: FORCE | $(BUILD)/.deps-ok
	$(Q)scripts/distro-kernel.sh $(1) $(BUILD)/distro-$(1)

$(BUILD)/distro-modules/$(1)/kvm.ko: $(BUILD)/distro-$(1)/vmlinuz FORCE
	$(Q)scripts/build-distro-modules.sh $(BUILD)/distro-$(1) $(KSRC_$(1)) \
		$(call SERIES_DIR,$(KSRC_$(1))) $(BUILD)/distro-modules $(1)

$(BUILD)/distro-modules/$(1)/exit_stats_test: $(BUILD)/distro-modules/$(1)/kvm.ko
	$$(call msg,KST,$$@)
	$(Q)scripts/build-selftest.sh $(BUILD)/distro-modules/$(1)

$(BUILD)/vm/distro-$(1).cpio.gz: tests/vm/mkinitramfs.sh $(VM_FILES) scripts/install-kvm.sh \
		$(BUILD)/exitstat.static $(BUILD)/exittrace.static $(BUILD)/exitdiff $(BUILD)/kvmcheck \
		$(MOD_BED_BINS) $(BUILD)/distro-modules/$(1)/kvm.ko $(BUILD)/distro-modules/$(1)/exit_stats_test \
		$(DLATE_DEPS_$(1))
	$$(call msg,INITRD,$$@)
	$(Q)mkdir -p $$(@D)
	$(Q)tests/vm/mkinitramfs.sh $$@ $$(call DISTRO_PAYLOAD,$(1)) $(DLATE_PAYLOAD_$(1)) >/dev/null

test-distro-$(1): $(BUILD)/distro-$(1)/vmlinuz $(BUILD)/vm/distro-$(1).cpio.gz
	@echo "== QEMU bed, Debian's $(1) kernel: install-kvm.sh, patched modules, uninstall$(LATE_SAYS_$(1))"
	$(Q)BED_LABEL=qemu-deb$(1) $$(RUN_BED) qemu $(BUILD)/distro-$(1)/vmlinuz $(BUILD)/vm/distro-$(1).cpio.gz \
		install$(LATE_SUITE_$(1)) $(QEMU_TIMEOUT) $(BUILD)/logs

test-distro-bochs-$(1): $(BUILD)/distro-$(1)/vmlinuz $(BUILD)/vm/distro-$(1).cpio.gz
	@echo "== Bochs bed, Debian's $(1) kernel: install-kvm.sh, patched modules, uninstall"
	$(Q)BED_LABEL=bochs-deb$(1) $$(RUN_BED) bochs $(BUILD)/distro-$(1)/vmlinuz $(BUILD)/vm/distro-$(1).cpio.gz \
		install $(DISTRO_BOCHS_TIMEOUT) $(BUILD)/logs
.PHONY: test-distro-$(1) test-distro-bochs-$(1)
endef
$(foreach l,$(DISTRO_LINES),$(eval $(call DISTRO_LINE,$(l))))
test-distro: $(foreach l,$(DISTRO_LINES),test-distro-$(l))
test-distro-bochs: $(foreach l,$(DISTRO_LINES),test-distro-bochs-$(l))
.PHONY: test-distro test-distro-bochs test-more

# KVM's own selftests (x86), from the same patched 6.12 tree as the
# modules, stripped: tests/vm/suites/kst.sh runs them on Debian's own 6.12
# kernel, on its stock KVM modules and on the patched ones, in both beds.
KST_612 = $(BUILD)/distro-modules/6.12/kst-bin
$(KST_612).built: $(BUILD)/distro-modules/6.12/exit_stats_test
	$(call msg,KST,$(KST_612))
	$(Q)d=$$(readlink -f $(BUILD)/distro-modules/6.12) && rm -rf $$d/kst-all $$d/kst-bin && \
	$(MAKE) -s -C $$d/src/tools/testing/selftests/kvm OUTPUT=$$d/kst-all \
		KHDR_INCLUDES="-isystem $$d/kst/hdr/usr/include" EXTRA_CFLAGS=-static \
		>$$d/kst-all.log 2>&1 || { tail -20 $$d/kst-all.log; exit 1; }
	$(Q)d=$$(readlink -f $(BUILD)/distro-modules/6.12) && cd $$d/kst-all && \
	for f in $$(find . -type f -perm -u+x ! -name '*.o' ! -name '*.d' ! -path './lib/*'); do \
		mkdir -p $$d/kst-bin/$$(dirname $$f) && strip -o $$d/kst-bin/$$f $$f || exit 1; \
	done
	$(Q)touch $@

$(BUILD)/vm/kst-6.12.cpio.gz: $(BUILD)/vm/distro-6.12.cpio.gz $(KST_612).built
	$(call msg,INITRD,$@)
	$(Q)tests/vm/mkinitramfs.sh $@ $(call DISTRO_PAYLOAD,6.12) $(KST_612):/opt/kst >/dev/null

# No member of vcpu_vmx/vcpu_svm may straddle a cache line because of the
# series (pahole on Debian's stock 6.12 modules and the patched ones built
# for that kernel).
test-cachelines: $(BUILD)/distro-modules/6.12/kvm.ko
	$(Q)tests/host/cachelines.sh $(BUILD)

# Stock vs patched: every test must end the same (QEMU: the whole x86
# suite; Bochs: the subset named in kst.sh).
test-kst: $(BUILD)/distro-6.12/vmlinuz $(BUILD)/vm/kst-6.12.cpio.gz
	@echo "== QEMU bed, Debian's 6.12 kernel: KVM selftests, stock vs patched modules"
	$(Q)BED_LABEL=qemu-deb6.12 $(RUN_BED) qemu $(BUILD)/distro-6.12/vmlinuz $(BUILD)/vm/kst-6.12.cpio.gz \
		kst 900 $(BUILD)/logs
	@echo "== Bochs bed, Debian's 6.12 kernel: KVM selftests (subset), stock vs patched modules"
	$(Q)BED_LABEL=bochs-deb6.12 $(RUN_BED) bochs $(BUILD)/distro-6.12/vmlinuz $(BUILD)/vm/kst-6.12.cpio.gz \
		kst 1800 $(BUILD)/logs
.PHONY: $(foreach l,$(MOD_LINES),test-modules-$(l) test-modules-bochs-$(l)) test-kst test-cachelines

# ---- make install -----------------------------------------------------------
# The user's tools, their man pages and the exporter's systemd unit, under
# PREFIX (default /usr/local), staged under DESTDIR for packagers.  The
# unit goes to PREFIX/lib/systemd/system, not /etc/systemd/system: /etc
# is the administrator's (their overrides, "systemctl edit", win over it),
# and systemd looks in /usr/local/lib/systemd/system as in /usr/lib's.
# kvmcheck is install-kvm.sh's own, not a user's: it stays in build/.
PREFIX		?= /usr/local
BINDIR		?= $(PREFIX)/bin
SBINDIR		?= $(PREFIX)/sbin
MANDIR		?= $(PREFIX)/share/man
UNITDIR		?= $(PREFIX)/lib/systemd/system
MAN_PAGES	:= docs/man/exittrace.8 docs/man/exitstat.1 docs/man/exitdiff.1
# what make install puts where, for install and uninstall alike
INSTALLED	:= $(SBINDIR)/exittrace $(BINDIR)/exitstat $(BINDIR)/exitdiff \
	$(MANDIR)/man8/exittrace.8 $(MANDIR)/man1/exitstat.1 $(MANDIR)/man1/exitdiff.1 \
	$(UNITDIR)/exittrace.service

# exittrace with its HTTP server (dynamic); exitstat and exitdiff static,
# as make builds them: exitstat runs in any guest
# (the unit's ExecStart is filled in here: SBINDIR may differ at each call)
install: $(BUILD)/exittrace $(BUILD)/exitstat.static $(BUILD)/exitdiff $(MAN_PAGES) userspace/exittrace.service.in
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX))
	$(Q)install -D -m 0755 $(BUILD)/exittrace $(DESTDIR)$(SBINDIR)/exittrace
	$(Q)install -D -m 0755 $(BUILD)/exitstat.static $(DESTDIR)$(BINDIR)/exitstat
	$(Q)install -D -m 0755 $(BUILD)/exitdiff $(DESTDIR)$(BINDIR)/exitdiff
	$(Q)install -D -m 0644 docs/man/exittrace.8 $(DESTDIR)$(MANDIR)/man8/exittrace.8
	$(Q)install -D -m 0644 docs/man/exitstat.1 $(DESTDIR)$(MANDIR)/man1/exitstat.1
	$(Q)install -D -m 0644 docs/man/exitdiff.1 $(DESTDIR)$(MANDIR)/man1/exitdiff.1
	$(Q)mkdir -p $(DESTDIR)$(UNITDIR)
	$(Q)sed 's|@SBINDIR@|$(SBINDIR)|g' userspace/exittrace.service.in >$(DESTDIR)$(UNITDIR)/exittrace.service.tmp
	$(Q)chmod 0644 $(DESTDIR)$(UNITDIR)/exittrace.service.tmp
	$(Q)mv $(DESTDIR)$(UNITDIR)/exittrace.service.tmp $(DESTDIR)$(UNITDIR)/exittrace.service

uninstall:
	$(call msg,UNINSTALL,$(DESTDIR)$(PREFIX))
	$(Q)rm -f $(addprefix $(DESTDIR),$(INSTALLED))

# ---- tests -----------------------------------------------------------------
RUN_BED = tests/vm/run-bed.sh

# Every bed runs even when one fails (-k), so the summary shows them all;
# the summary's failures and make's own status both decide.  A skip is
# only counted here if its suite listed it as expected (run-bed.sh makes
# any other skip a failure).
# run_beds TARGET NAME: make TARGET with -k, then the table of every bed's
# checks from results.txt; fails if any failed, or none passed.
define run_beds
	$(Q)rm -f $(BUILD)/logs/results.txt
	$(Q)$(MAKE) -k --no-print-directory $(1); st=$$?; \
	echo; echo "== make $(2): which bed ran which check"; \
	sort -s -k1,1 $(BUILD)/logs/results.txt 2>/dev/null | \
		awk '{ d = ""; for (i = 4; i <= NF; i++) d = d " " $$i; \
		       printf "  %-6s %-24s %-5s%s\n", $$1, $$2, $$3, substr(d, 1, 60) } \
		     $$3 == "pass" { p++ } $$3 == "skip" { s++ } $$3 != "pass" && $$3 != "skip" { f++ } \
		     END { printf "beds: %d passed, %d failed, %d skipped\n", p, f, s; exit f > 0 || p == 0 }' && \
	exit $$st; echo "make $(2): FAILED (see the failed checks above)" >&2; exit 1
endef

test: all unit test-host checkpatch test-checkpatch-fails test-bad-patch
	$(call run_beds,test-beds,test)

# What does not fit make test's budget (45 minutes cold, on 2 cores): KVM's
# own selftests, stock against patched, in both beds (about 14 minutes),
# and the install path on Debian's kernels in Bochs (Intel VMX).  A second
# CI job's command.
test-more: all
	$(call run_beds,test-kst test-distro-bochs,test-more)

$(BUILD)/metrics_sample: $(BUILD)/us/metrics_sample.o $(BUILD)/us/metrics.o $(BUILD)/us/drilldown.o $(REPORT_OBJS) \
	$(BUILD)/us/exit_reasons.o $(BUILD)/us/vm_names.o
	$(call msg,LD,$@)
	$(Q)$(CC) $(HOST_CFLAGS) $^ -lm -o $@

test-host: all $(BUILD)/kvmcheck $(BUILD)/bedcheck $(BUILD)/native/native_bench $(BUILD)/native/patch_bench \
		$(BUILD)/metrics_sample
	$(Q)tests/host/run.sh $(BUILD)

# The install path, the late patch, KVM's selftests and the cache lines
# all run on Debian's own kernels (6.12 and 6.1): no modular kernel is
# built for make test (test-modules builds stock ones, for the same checks
# on a kernel the project configures itself).
#
# Their inputs are built first, one build at a time (a kernel build takes
# both cores); then the beds run BED_JOBS at a time: a TCG QEMU
# (thread=single) and Bochs keep one core busy each, so Bochs's five
# minutes run beside the QEMU beds instead of after them.  Each bed's
# lines carry its name, so -Oline keeps them readable side by side.
BED_JOBS ?= 2
BED_TARGETS := test-qemu test-bochs test-distro test-cachelines
test-beds:
	$(Q)$(MAKE) --no-print-directory bed-inputs
	$(Q)$(MAKE) --no-print-directory -j$(BED_JOBS) -Oline $(BED_TARGETS)

bed-inputs: $(BUILD)/kernel/bzImage initramfs $(BUILD)/vm/base.cpio.gz \
	$(foreach l,$(DISTRO_LINES),$(BUILD)/distro-$(l)/vmlinuz $(BUILD)/vm/distro-$(l).cpio.gz) \
	$(BUILD)/distro-modules/6.12/kvm.ko
.PHONY: bed-inputs

test-bad-patch: $(BUILD)/kernel/bzImage
	$(Q)tests/host/bad_patch.sh $(BUILD)

# make checkpatch's judge, on a patch checkpatch cannot open, a
# checkpatch that cannot run and a real style error
test-checkpatch-fails: $(BUILD)/kernel/bzImage
	$(Q)tests/host/checkpatch_fails.sh $(BUILD) $(KSRC)

# The series must stay checkpatch --strict clean (the checker comes from
# the kernel tree the series is built against, the series is the one
# scripts/series-dir.sh picks for it).  Absolute paths: given
# "kvm-patch/..." from this directory, checkpatch 6.12 takes the patch's
# blank context lines for trailing whitespace.
# Judged by its exit status and both its outputs: a checkpatch that cannot
# run (no such file, a Perl error) exits non-zero or speaks on stderr with
# nothing on stdout.
CHECKPATCH = $(BUILD)/kernel/src/scripts/checkpatch.pl
checkpatch: $(BUILD)/kernel/bzImage
	$(call msg,CHECK,$(KSRC))
	$(Q)series=$$(scripts/series-dir.sh $(KSRC)) && \
	scripts/checkpatch-series.sh $(CHECKPATCH) "$$series"

test-qemu: $(BUILD)/kernel/bzImage initramfs
	@echo "== QEMU bed (TCG -cpu max: AMD SVM, kvm_amd)"
	$(Q)tests/vm/selfcheck.sh qemu $(BUILD)/kernel/bzImage $(BUILD)/vm/base.cpio.gz $(BUILD)/logs
	$(Q)$(RUN_BED) qemu $(BUILD)/kernel/bzImage $(BUILD)/vm/base.cpio.gz smoke,abi,probe,trace,slow $(QEMU_TIMEOUT) $(BUILD)/logs
	$(Q)$(RUN_BED) qemu $(BUILD)/kernel/bzImage $(BUILD)/vm/full.cpio.gz realvm $(QEMU_TIMEOUT) $(BUILD)/logs

test-bochs: $(BUILD)/kernel/bzImage $(BUILD)/vm/base.cpio.gz
	@echo "== Bochs bed (corei7_skylake_x: Intel VMX + EPT, kvm_intel)"
	$(Q)tests/vm/selfcheck.sh bochs $(BUILD)/kernel/bzImage $(BUILD)/vm/base.cpio.gz $(BUILD)/logs
	$(Q)$(RUN_BED) bochs $(BUILD)/kernel/bzImage $(BUILD)/vm/base.cpio.gz smoke,abi,probe,trace $(BOCHS_TIMEOUT) $(BUILD)/logs

# The beds on Linux 6.1: a kernel, selftest, initramfs and logs of its own
# under build/6.1/.  Not part of make test (CI time); the series' host
# checks (tests/host/series_agree.sh, abi_agree.sh) cover 6.1 in test-host.
test-6.1:
	$(Q)$(MAKE) --no-print-directory KLINE=6.1 BUILD=$(BUILD)/6.1 test-qemu test-bochs

# A benchmark, not a test: its numbers depend on the machine and are
# reported, never checked, so it stays out of `make test`.
# Bochs is ~10x slower than QEMU: fewer exits per run, fewer rounds.
BENCH_BOCHS_ARGS ?= et.bench_n=1000 et.bench_rounds=5 et.bench_cpu_s=2
bench: $(BUILD)/kernel/bzImage $(BUILD)/vm/bench.cpio.gz bench-stock
	$(Q)scripts/bench.sh $(BUILD) qemu
	$(Q)ET_CMDLINE="$(BENCH_BOCHS_ARGS)" BENCH_TIMEOUT=1200 scripts/bench.sh $(BUILD) bochs

# The BPF side natively, on this host's CPU: exittrace's own hot path in
# each mode and its peers on the test tracepoint bpf_test_run:bpf_trigger_tp
# (Linux 6.10+), as root.  Reports, never asserts (docs/bench-native.md).
# BENCH_NATIVE_ARGS: e.g. -r 41 -n 2400000 -c 0.
BENCH_NATIVE_ARGS ?=
include tests/native/native.mk
.PHONY: bench-native bench-patch
bench-native: $(NATIVE_BIN) $(PATCH_BIN)
	$(Q)mkdir -p $(BUILD)/bench/native
	$(Q)$(NATIVE_BIN) -o $(BUILD)/bench/native $(BENCH_NATIVE_ARGS)
	$(Q)$(MAKE) --no-print-directory bench-patch

# The KVM series' exit hooks (exit_stats.h, taken from kvm-patch/ at build
# time) against stock KVM's code at the same places, in userspace on this
# CPU; no root needed (docs/bench-native.md, "The KVM patch's own cost").
# BENCH_PATCH_ARGS: e.g. -r 401 -n 16384 -c 0.
BENCH_PATCH_ARGS ?=
bench-patch: $(PATCH_BIN)
	$(Q)mkdir -p $(BUILD)/bench/patch
	$(Q)$(PATCH_BIN) -o $(BUILD)/bench/patch $(BENCH_PATCH_ARGS)

# The patch against stock KVM (S), off (A) and on (B), on the modular 6.12
# kernel, swapping its stock and patched modules within each round.
bench-stock: $(BUILD)/kmod-6.12/bzImage $(BUILD)/vm/modules-6.12.cpio.gz
	$(Q)scripts/bench.sh $(BUILD) qemu-stock
	$(Q)ET_CMDLINE="$(BENCH_BOCHS_ARGS)" BENCH_TIMEOUT=1800 scripts/bench.sh $(BUILD) bochs-stock

# The known flakes, counted (not part of make test): exit_probe FLAKE_RUNS
# times and FLAKE_IPIS self-IPIs (self_ipi_hlt) on the stock modules of the
# modular 6.12 kernel, then as many on the patched ones, in the QEMU bed
# (QEMU_ACCEL= to try other TCG flags) or, with FLAKE_BED=bochs, in Bochs.
FLAKE_RUNS ?= 100
FLAKE_IPIS ?= 100000
FLAKE_BED ?= qemu
SELF_IPI_HLT := $(BUILD)/bed-modules/6.12/self_ipi_hlt
$(SELF_IPI_HLT): tests/kst/self_ipi_hlt.c tests/kst/self_ipi_hlt.mk $(BUILD)/bed-modules/6.12/exit_stats_test
	$(call msg,KST,$@)
	$(Q)d=$$(readlink -f $(BUILD)/bed-modules/6.12) && \
	$(MAKE) -s -C $$d/src/tools/testing/selftests/kvm -f Makefile -f $(abspath tests/kst/self_ipi_hlt.mk) \
		OUTPUT=$$d/kst KHDR_INCLUDES="-isystem $$d/kst/hdr/usr/include" EXTRA_CFLAGS=-static \
		SELF_IPI_HLT_SRC=$(abspath tests/kst/self_ipi_hlt.c) $$d/kst/self_ipi_hlt >>$$d/kst/build.log 2>&1 || \
		{ tail -20 $$d/kst/build.log; exit 1; }
	$(Q)cp $$(readlink -f $(BUILD)/bed-modules/6.12)/kst/self_ipi_hlt $@

$(BUILD)/vm/flake-6.12.cpio.gz: $(BUILD)/vm/modules-6.12.cpio.gz $(SELF_IPI_HLT)
	$(call msg,INITRD,$@)
	$(Q)tests/vm/mkinitramfs.sh $@ $(call MOD_IMAGE_PAYLOAD,6.12) \
		$(BUILD)/bed-modules/6.12/exit_stats_test:/bin/exit_stats_test \
		$(SELF_IPI_HLT):/bin/self_ipi_hlt >/dev/null

flake: $(BUILD)/kmod-6.12/bzImage $(BUILD)/vm/flake-6.12.cpio.gz
	$(Q)BED_LABEL=flake ET_CMDLINE="et.flake_runs=$(FLAKE_RUNS) et.flake_ipis=$(FLAKE_IPIS)" \
		$(RUN_BED) $(FLAKE_BED) $(BUILD)/kmod-6.12/bzImage $(BUILD)/vm/flake-6.12.cpio.gz flake 3000 $(BUILD)/flake
	$(Q)grep -a '^@@FLAKE' $(BUILD)/flake/flake-flake.log | tr -d '\r'

demo: all $(BUILD)/kernel/bzImage $(BUILD)/vm/full.cpio.gz
	$(Q)scripts/demo.sh $(BUILD)

demo-debian: all $(BUILD)/bedcheck $(BUILD)/kernel/bzImage $(BUILD)/vm/debian.cpio.gz
	$(Q)scripts/demo-debian.sh $(BUILD)

clean:
	rm -rf $(BUILD)/us $(BUILD)/unit $(BUILD)/tests $(BUILD)/vm $(BUILD)/logs $(BUILD)/demo $(BUILD)/perf exittrace exitstat

distclean:
	rm -rf $(BUILD) exittrace exitstat

-include $(wildcard $(BUILD)/us/*.d $(BUILD)/unit/*.d $(BUILD)/bench/*.d)
