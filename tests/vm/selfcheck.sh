#!/usr/bin/env bash
# The harness must not pass what it cannot see: boot each bed into a
# kernel panic (init= and rdinit= name no program, so the kernel panics
# with "Requested init ... failed") and check that run-bed.sh fails, says why, and
# stops the emulator long before its time limit.
#
#   tests/vm/selfcheck.sh BED KERNEL INITRD LOGDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bed=$1 kernel=$2 initrd=$3 logdir=$4
limit=300
start=$(date +%s)
out=$(ET_CMDLINE="rdinit=/no-such-init init=/no-such-init" "$here/run-bed.sh" "$bed" "$kernel" "$initrd" \
	panic "$limit" "$logdir" 2>&1)
rc=$?
took=$(( $(date +%s) - start ))
if [ "$rc" != 0 ] && echo "$out" | grep -q "FAILED: kernel panic" && [ "$took" -lt "$limit" ]; then
	echo "  $bed   harness-panic            pass  a panicking kernel fails the bed in ${took}s"
	echo "$bed harness-panic pass panic detected in ${took}s" >> "$logdir/results.txt"
	exit 0
fi
echo "  $bed   harness-panic            FAIL  rc=$rc after ${took}s; run-bed said:" >&2
echo "$out" | tail -n 20 >&2
exit 1
