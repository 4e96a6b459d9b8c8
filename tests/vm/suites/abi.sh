# abi: the CPUID ABI of the exit-statistics patch, checked from inside
# guests by the series' own KVM selftest (discovery, exact per-reason
# deltas, undefined/not-enabled answers, ECX sweep, vCPUs, VM isolation,
# vm/host/off scopes), then a look at dmesg: the sweep must leave the host
# silent.  Each KTAP result of the selftest becomes a result line, a
# "# SKIP" one a skip (which fails the bed: the bed's kernel has every
# feature the selftest asks for).
#
# results: kvm-selftest-exit-stats abi-{1..11} dmesg-clean
run_test kvm-selftest-exit-stats /bin/exit_stats_test
tr -d '\r' <"/tmp/kvm-selftest-exit-stats.out" | while read -r a b c rest; do
	case "$a $b $c $rest" in
	"ok "[0-9]*" # SKIP"*) echo "@@RESULT abi-$b skip $rest" ;;
	"ok "[0-9]*) echo "@@RESULT abi-$b pass $c $rest" ;;
	"not ok "*) echo "@@RESULT abi-$c fail $rest" ;;
	esac
done
if dmesg | grep -E 'WARNING|BUG|Call Trace|general protection' >/tmp/dmesg.bad; then
	cat /tmp/dmesg.bad
	result dmesg-clean fail "kernel warnings after the ABI tests"
else
	result dmesg-clean pass "no WARNING/BUG/Call Trace in dmesg"
fi
