# kst: KVM's own selftests (tools/testing/selftests/kvm, x86, built from
# the same linux-source as the modules) on the stock modules of a modular
# kernel (Debian's own 6.12 in make test), then on the patched ones, in the
# same boot: every test must end
# the same way on both (pass, skip, fail or timeout).  A test that fails on
# both is the bed's limit (the emulator, or the bed kernel's config), not a
# difference the series makes; the table shows it and why.
#
# What runs: every test the selftests' Makefile builds for x86_64, except
# the series' own exit_stats_test (the abi suite runs that), each with a
# 120 s limit.  Five long ones get smaller arguments (kst_args below), two
# are left out in QEMU (KST_QEMU_OUT).  In
# the Bochs bed, about ten times slower, a named subset (KST_BOCHS) runs.
#
# results: kst-stock-load kst-install kst-same kst-uninstall
moddir=/opt/exittrace/modules
kst=/opt/kst
vendor=$(kvm_vendor_module)

# Long tests, with the arguments that keep each under a minute in TCG.
kst_args() {
	case $1 in
	# 3 iterations, the fewest it accepts (with 2 it fails on its
	# arguments and tests nothing), and one of its three log modes: with
	# all three, 3 iterations took 117 s on Debian's stock modules and
	# ran past 120 s on the patched ones, 4 took 115-121 s on the
	# self-built kernel: at the limit either way
	dirty_log_test) echo "-i 3 -M dirty-log" ;;
	dirty_log_perf_test) echo "-b 64M" ;;
	demand_paging_test) echo "-b 64M" ;;
	kvm_page_table_test) echo "-b 64M" ;;
	memslot_modification_stress_test) echo "-i 100" ;;
	esac
}

# The Bochs subset: the tests that exercise the exit paths the series
# hooks (CPUID, MSRs, I/O, APIC, HLT, nested VMX, failed entry, emulation,
# binary stats) and took at most a second in the QEMU bed.  Not in it:
# vmx_preemption_timer_test, which on the stock modules ran for over 25
# minutes in Bochs without ending (its 120 s limit counts Bochs's virtual
# time; cause not looked into: it is a bed limit either way, as it is the
# same on stock KVM).  Nor kvm_create_max_vcpus: Debian's config allows
# 4,096 vCPUs (the self-built kernel 1,024); on the patched modules, whose
# vCPUs each get one more debugfs file and 2.7 KB more of statistics,
# creating them ran over 6 minutes of real time in Bochs without ending,
# while the whole stock subset, it included, took about 5.  In QEMU, which
# runs it, it took 20 s on the patched modules and 15 s on the stock ones.
# Why Bochs makes that so much larger is not known yet.
KST_BOCHS="x86_64/cpuid_test x86_64/cr4_cpuid_sync_test
x86_64/exit_on_emulation_failure_test x86_64/fix_hypercall_test
x86_64/get_msr_index_features x86_64/hwcr_msr_test x86_64/kvm_pv_test
x86_64/platform_info_test x86_64/set_sregs_test x86_64/smm_test
x86_64/state_test x86_64/tsc_msrs_test x86_64/userspace_io_test
x86_64/userspace_msr_exit_test x86_64/vmx_apic_access_test
x86_64/vmx_close_while_nested_test x86_64/vmx_exception_with_invalid_guest_state
x86_64/vmx_invalid_nested_guest_state x86_64/vmx_msrs_test
x86_64/vmx_set_nested_state_test
x86_64/vmx_tsc_adjust_test x86_64/xcr0_cpuid_test x86_64/triple_fault_event_test
kvm_binary_stats_test guest_print_test"

# Left out in the QEMU bed, each past its 120 s on Debian's 6.12 in TCG on
# the stock and the patched modules alike (4 minutes a test that show
# nothing): rseq_test, whose 100,000 task migrations are a fixed count (on
# the self-built kernel, without CONFIG_RSEQ, it skipped), and
# memslot_perf_test, even at 1 s per test (-l 1): its setup is the cost.
KST_QEMU_OUT="rseq_test memslot_perf_test"

kst_list() {
	if [ "$vendor" = kvm_intel ]; then
		for t in $KST_BOCHS; do echo "$t"; done
	else
		(cd $kst && find . -type f | sed 's|^\./||' |
			grep -v 'exit_stats_test' | grep -vxF "$(echo $KST_QEMU_OUT | tr ' ' '\n')" | sort)
	fi
}

# kst_run LABEL: every test once; "name verdict" lines in /tmp/kst-LABEL,
# and one @@KST line each on the console with its time and last line.
kst_run() {
	: >/tmp/kst-$1
	for t in $(kst_list); do
		[ -x "$kst/$t" ] || { echo "$t missing" >>/tmp/kst-$1; continue; }
		s=$(cut -d. -f1 /proc/uptime)
		# shellcheck disable=SC2046 # the arguments are words
		(cd $kst && timeout -s KILL 120 ./$t $(kst_args "${t#x86_64/}")) >/tmp/kst.out 2>&1
		rc=$?
		case $rc in
		0) v=pass ;;
		4) v=skip ;;
		137) v=timeout ;;
		*) v=fail ;;
		esac
		why=$(grep -v '^[[:space:]]*$' /tmp/kst.out | grep -v '^Random seed' |
			tail -n1 | tr -d '\r' | cut -c1-120)
		echo "$t $v" >>/tmp/kst-$1
		echo "@@KST $1 $t $v rc=$rc $(( $(cut -d. -f1 /proc/uptime) - s ))s $why"
	done
}

echo "== KVM selftests on the stock modules ($vendor)"
if /sbin/modprobe $vendor && [ -c /dev/kvm ]; then
	result kst-stock-load pass "stock $(/sbin/modinfo -n kvm)"
else
	result kst-stock-load fail "modprobe $vendor: $(dmesg | tail -n1)"
fi
kst_run stock

echo "== install-kvm install $moddir"
if dash /bin/install-kvm install $moddir >/tmp/install.out 2>&1 &&
   [ -e /sys/module/kvm/parameters/exit_stats ]; then
	result kst-install pass "$(grep 'leaves present' /tmp/install.out)"
else
	cat /tmp/install.out
	result kst-install fail "$(tail -n1 /tmp/install.out)"
fi
echo "== KVM selftests on the patched modules"
kst_run patched

n=$(wc -l </tmp/kst-stock)
counts=$(awk '{ c[$2]++ } END { for (v in c) printf "%s %d, ", v, c[v] }' /tmp/kst-stock)
if grep ' missing$' /tmp/kst-stock; then
	result kst-same fail "tests of the list are not in the image"
elif ! grep -q ' pass$' /tmp/kst-stock; then
	# a selftest image that cannot run, or a KVM no test can use, ends
	# every test the same on both sides: that is not an agreement
	result kst-same fail "no test passed on stock KVM: ${counts%, }"
elif [ "$n" -gt 0 ] && cmp -s /tmp/kst-stock /tmp/kst-patched; then
	result kst-same pass "$n tests end the same on stock and patched KVM: ${counts%, }"
else
	diff /tmp/kst-stock /tmp/kst-patched
	# busybox diff speaks unified: the patched side's lines are "+name verdict"
	result kst-same fail "$(diff /tmp/kst-stock /tmp/kst-patched | grep -c '^+[^+]') of $n tests end differently on patched KVM: $(diff /tmp/kst-stock /tmp/kst-patched | grep '^+[^+]' | tr '\n' ' ')"
fi

if dash /bin/install-kvm uninstall >/tmp/uninstall.out 2>&1; then
	result kst-uninstall pass "stock modules back"
else
	cat /tmp/uninstall.out
	result kst-uninstall fail "$(tail -n1 /tmp/uninstall.out)"
fi
