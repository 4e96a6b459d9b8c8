# flake: not part of make test.  Counts exit_probe's failures over many
# runs, first on the stock modules of a modular bed kernel, then on the
# patched ones (install-kvm), to tell whether a rare failure follows the
# patch.  et.flake_runs=N (default 100).  One line per failure, and
#   @@FLAKE kernel=stock|patched runs=N fail=F hang=H mmio=M
# results: flake-stock flake-patched
runs=$(arg flake_runs)
runs=${runs:-100}
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
/sbin/modprobe $vendor
flake_loop stock
dash /bin/install-kvm install /opt/exittrace/modules >/tmp/fl-install.out 2>&1 || cat /tmp/fl-install.out
flake_loop patched
