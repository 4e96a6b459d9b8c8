# probe: exit_probe's known guest exit mix, counted by the guest, by the
# test VMM and by the patch's CPUID leaves (exact deltas for CPUID, I/O,
# HLT, MSR and hypercall exits between two readouts).
#
# The patch is in every bed kernel, so its leaves must answer
# (--require-abi: a probe that finds no ABI fails instead of skipping the
# per-reason checks).
#
# Known flake: about once in ten QEMU-bed runs a vCPU used to stay inside
# KVM_RUN without exiting, under multi-threaded TCG (which the QEMU bed
# no longer uses: see run-bed.sh; make flake saw no hang in 400 runs,
# either way).  exit_probe's watchdog turns a hang into "FAIL timed out".
# Until its cause is known a hang is a failure, "exit-probe-hang", that
# fails the bed; the run is then made once more, so that the rest of the
# probe's checks still report.  A count that differs fails at once.
#
# results: exit-probe
probe_once_more_after_hang() {
	exit_probe "$@" >/tmp/probe-first.out 2>&1
	rc=$?
	cat /tmp/probe-first.out
	grep -q 'exit_probe: FAIL timed out' /tmp/probe-first.out || return $rc
	result exit-probe-hang fail "$(grep 'exit_probe: FAIL' /tmp/probe-first.out | cut -c1-150)"
	echo "probe: the first run hung (watchdog): a failure; running it once more for the other checks"
	exit_probe "$@"
}
run_test exit-probe probe_once_more_after_hang --require-abi -n 1000 -c 2 -t 120
