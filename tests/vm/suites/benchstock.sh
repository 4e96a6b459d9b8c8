# benchstock: what the patch itself costs each exit, against stock KVM (for
# `make bench`, not `make test`).  On the modular 6.12 kernel, kvm_smoke
# times N CPUID, N OUT and N HLT on one vCPU under
#   S the stock modules: KVM as Debian's linux-source builds it
#   A the patched modules, exit_stats=off
#   B the patched modules, exit_stats=vm
# S, A and B alternate within each round (install-kvm swaps the modules
# between them), so a drift of the emulator's speed spreads over all three.
# One line per measurement, as in the bench suite:
#   @@BENCH round=R config=X kind=cpuid|io|hlt ns_per_exit=V
#
# results: bench
. /tests/bench_lib.sh
moddir=/opt/exittrace/modules
vendor=$(kvm_vendor_module)

# swap install|uninstall: the patched modules in, or the stock ones back
swap() {
	# shellcheck disable=SC2046 # no directory for uninstall
	if ! dash /bin/install-kvm "$1" $([ "$1" = install ] && echo $moddir) >/tmp/swap.out 2>&1; then
		bench_fail "swap-$1" "install-kvm $1: $(tail -n1 /tmp/swap.out)"
		return 1
	fi
}

/sbin/modprobe $vendor || bench_fail stock-load "modprobe $vendor failed"
r=1
while [ $r -le "$brounds" ]; do
	echo "bench: round $r S: stock $(/sbin/modinfo -n kvm)"
	bench_workload $r S
	if swap install; then
		echo off >$bparam && bench_workload $r A
		echo vm >$bparam && bench_workload $r B
		swap uninstall
	fi
	r=$((r + 1))
done

if [ $bfail = 0 ]; then
	result bench pass "$brounds rounds of S, A and B"
else
	result bench fail "$bfail measurement(s) failed"
fi
