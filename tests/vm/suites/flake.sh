# flake: not part of make test.  Counts the known rare failures over many
# runs, first on the stock modules of a modular bed kernel, then on the
# patched ones (install-kvm), to tell whether they follow the patch:
#  - exit_probe runs (et.flake_runs=N, default 100): hangs, and accesses
#    emulated at a wrong MMIO address;
#  - self_ipi_hlt (et.flake_ipis=N, default 100000): self-IPIs sent with
#    interrupts off and taken after STI; HLT, each exactly once (the
#    series' selftest once counted 21 for its 20).  A run that hangs (its
#    watchdog: a lost wakeup) is counted and the next one goes on until N
#    IPIs were sent.
# One line per failure, and
#   @@FLAKE kernel=stock|patched runs=N fail=F hang=H mmio=M
#   @@FLAKE-IPI kernel=stock|patched ipis=N runs=R hangs=H doubled_batches=D
# results: flake-stock flake-install flake-patched flake-ipi-stock flake-ipi-patched
runs=$(arg flake_runs)
runs=${runs:-100}
ipis=$(arg flake_ipis)
ipis=${ipis:-100000}
vendor=$(kvm_vendor_module)
flake_loop() {	# flake_loop LABEL
	i=0 f=0 h=0 m=0
	while [ $i -lt "$runs" ]; do
		exit_probe -n 1000 -c 2 -t 60 >/tmp/fl.out 2>&1
		rc=$?
		if [ $rc != 0 ]; then
			f=$((f + 1))
			grep -q 'timed out' /tmp/fl.out && h=$((h + 1))
			grep -q 'unexpected MMIO' /tmp/fl.out && m=$((m + 1))
			echo "flake: $1 run $i: $(grep 'exit_probe: FAIL' /tmp/fl.out | head -n1)"
		fi
		i=$((i + 1))
	done
	echo "@@FLAKE kernel=$1 runs=$runs fail=$f hang=$h mmio=$m"
	result "flake-$1" pass "$f of $runs runs failed ($h hangs, $m wrong MMIO addresses)"
}
ipi_loop() {	# ipi_loop LABEL: $ipis self-IPIs over as many runs as it takes
	sent=0 hangs=0 dups=0 runs_ipi=0
	while [ $sent -lt "$ipis" ]; do
		# by its full path: the selftest library reads its own ELF through argv[0]
		/bin/self_ipi_hlt $((ipis - sent)) >/tmp/ipi.out 2>&1
		rc=$?
		runs_ipi=$((runs_ipi + 1))
		grep -E '^(batch|self_ipi_hlt: HANG)' /tmp/ipi.out | sed "s/^/flake: $1: /"
		dups=$((dups + $(grep -c '^batch' /tmp/ipi.out)))
		n=$(sed -n 's/^self_ipi_hlt: ipis=\([0-9]*\) .*/\1/p; s/^self_ipi_hlt: HANG .*: iteration \([0-9]*\),.*/\1/p' /tmp/ipi.out)
		if [ -z "$n" ]; then
			result "flake-ipi-$1" fail "self_ipi_hlt ended with $rc: $(tail -n1 /tmp/ipi.out)"
			return
		fi
		[ $rc = 2 ] && hangs=$((hangs + 1))
		# a run that hangs before its first IPI would never end the loop
		[ "$n" -gt 0 ] || n=1
		sent=$((sent + n))
	done
	echo "@@FLAKE-IPI kernel=$1 ipis=$sent runs=$runs_ipi hangs=$hangs doubled_batches=$dups"
	result "flake-ipi-$1" pass "$sent self-IPIs in $runs_ipi runs: $hangs lost wakeups (hangs), $dups batches with an IPI taken twice"
	ipi_traced "$1"
}
# ipi_traced LABEL: twice more with KVM's events traced, first stopping at
# the first IPI taken twice (-s), then running on to the end or to the
# watchdog; the trace's tail shows what KVM saw and did before each end.
ipi_traced() {
	t=/sys/kernel/tracing	# init mounted it
	for stop in -s ""; do
		echo 0 >$t/tracing_on
		echo 512 >$t/buffer_size_kb
		echo >$t/trace
		for e in kvm_exit kvm_entry kvm_inj_virq kvm_apic_accept_irq kvm_msr kvm_eoi; do
			echo 1 >$t/events/kvm/$e/enable
		done
		echo 1 >$t/tracing_on
		# shellcheck disable=SC2086 # $stop is empty or one option
		/bin/self_ipi_hlt $stop "$ipis" >/tmp/ipi.out 2>&1
		rc=$?
		echo 0 >$t/tracing_on
		cat /tmp/ipi.out
		echo "flake: $1 traced run ${stop:-(to the end)} ended with $rc; the trace's last 48 events:"
		grep -v '^#' $t/trace | tail -n 48
	done
	echo 0 >$t/events/kvm/enable
}
/sbin/modprobe "$vendor"
ipi_loop stock
flake_loop stock
if ! dash /bin/install-kvm install /opt/exittrace/modules >/tmp/fl-install.out 2>&1; then
	# the "patched" loops would run on the stock modules
	cat /tmp/fl-install.out
	result flake-install fail "$(tail -n1 /tmp/fl-install.out)"
	exit 0
fi
result flake-install pass "the patched modules in"
ipi_loop patched
flake_loop patched
