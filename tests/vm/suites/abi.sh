# abi: the CPUID ABI of the exit-statistics patch, checked from inside
# guests by the series' own KVM selftest (discovery, exact per-reason
# deltas, undefined/not-enabled answers, ECX sweep, vCPUs, VM isolation,
# vm/host/off scopes), then a look at dmesg: the sweep must leave the host
# silent.
run_test kvm-selftest-exit-stats /bin/exit_stats_test
if dmesg | grep -E 'WARNING|BUG|Call Trace|general protection' >/tmp/dmesg.bad; then
	cat /tmp/dmesg.bad
	result dmesg-clean fail "kernel warnings after the ABI tests"
else
	result dmesg-clean pass "no WARNING/BUG/Call Trace in dmesg"
fi
