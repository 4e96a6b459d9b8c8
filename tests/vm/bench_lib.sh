# bench_lib.sh: what the bench suites share (sourced after lib.sh): the
# run's parameters from the kernel command line and one timed workload.
# N and the number of rounds can be set there (et.bench_n=,
# et.bench_rounds=) to recalibrate without a rebuild.
bn=$(arg bench_n)
bn=${bn:-5000}
brounds=$(arg bench_rounds)
brounds=${brounds:-7}
bcpu=$(arg bench_cpu_s)
bcpu=${bcpu:-10}
bparam=/sys/module/kvm/parameters/exit_stats
btr=/sys/kernel/tracing
bfail=0

# bench_fail WHAT DETAIL: one failed measurement; carry on with the rest,
# so one broken setup still leaves numbers for the others.
bench_fail() {
	bfail=$((bfail + 1))
	result "bench-$1" fail "$2"
}

# bench_workload ROUND CONFIG: run kvm_smoke once, print its per-exit times
bench_workload() {
	if ! kvm_smoke -n "$bn" -t 300 >/tmp/bench.out 2>&1; then
		bench_fail "$2-r$1" "kvm_smoke failed: $(tail -n1 /tmp/bench.out)"
		return 1
	fi
	# "vcpu0: cpuid x5000:    36941 ns, ..." -> 36941; OUT stands for
	# port I/O (IN costs the same round trip through the VMM).
	for k in cpuid:cpuid out:io hlt:hlt; do
		v=$(awk -v s="${k%%:*}" '$1 == "vcpu0:" && $2 == s { print $4; exit }' /tmp/bench.out)
		if [ -n "$v" ]; then
			echo "@@BENCH round=$1 config=$2 kind=${k#*:} ns_per_exit=$v"
		else
			bench_fail "$2-r$1" "no '${k%%:*}' timing in kvm_smoke's output"
		fi
	done
}
