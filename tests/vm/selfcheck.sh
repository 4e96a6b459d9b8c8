#!/usr/bin/env bash
# The harness must not pass what it cannot see, and must not leave an
# emulator behind.  In each bed:
#  - harness-panic: boot into a kernel panic (init= and rdinit= name no
#    program, so the kernel panics with "Requested init ... failed"):
#    run-bed.sh fails, says why, and stops the emulator long before its
#    time limit;
#  - harness-stop-term (and, in QEMU, -int and -orphan): stop run-bed.sh
#    mid-boot with SIGTERM (a timeout), SIGINT (Ctrl-C), or by killing
#    its parent with SIGKILL: the emulator must be gone within seconds.
# In QEMU (the judging does not depend on the bed):
#  - harness-skip: a suite whose test skips fails the bed;
#  - harness-missing: a suite that drops a listed result, and reports an
#    unlisted one, fails the bed, naming both.
# The deliberately failing boots write their results under LOGDIR/selfcheck/,
# so that they do not count in make test's summary.
#
#   tests/vm/selfcheck.sh BED KERNEL INITRD LOGDIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bed=$1 kernel=$2 initrd=$3 logdir=$4
limit=300
scratch=$logdir/selfcheck
mkdir -p "$scratch"
failed=0

report() {	# report NAME pass|fail DETAIL
	if [ "$2" = pass ]; then
		printf '  %-6s %-24s pass  %s\n' "$bed" "$1" "$3"
	else
		printf '  %-6s %-24s FAIL  %s\n' "$bed" "$1" "$3" >&2
		failed=1
	fi
	echo "$bed $1 $2 $3" >> "$logdir/results.txt"
}

# harness-panic
start=$(date +%s)
out=$(ET_CMDLINE="rdinit=/no-such-init init=/no-such-init" "$here/run-bed.sh" "$bed" "$kernel" "$initrd" \
	panic "$limit" "$scratch" 2>&1)
rc=$?
took=$(( $(date +%s) - start ))
if [ "$rc" != 0 ] && grep -q "FAILED: kernel panic" <<<"$out" && [ "$took" -lt "$limit" ]; then
	report harness-panic pass "a panicking kernel fails the bed in ${took}s"
else
	report harness-panic fail "rc=$rc after ${took}s: $(echo "$out" | grep 'run-bed' | head -n1)"
	echo "$out" | tail -n 20 >&2
fi

# emulators_of LABEL: pids of anything still running with that bed's
# console log or rc file on its command line (qemu -serial file:LOG,
# script/bochs -f RC)
emulators_of() {
	pgrep -f -- "$scratch/$1-selfcheck-wait\.(log|rc)" | tr '\n' ' '
}

# stop_check HOW: start a bed that waits, stop it mid-boot, look for
# what is left.  HOW is TERM or INT (sent to run-bed.sh) or orphan
# (SIGKILL to the shell that started run-bed.sh).
stop_check() {
	local how=$1 label=$bed-stop-$1 i rb wrapper left
	rm -f "$scratch/$label"-selfcheck-wait.*
	if [ "$how" = orphan ]; then
		BED_LABEL=$label bash -c '"$@"; exit $?' wrapper "$here/run-bed.sh" "$bed" "$kernel" "$initrd" \
			selfcheck-wait "$limit" "$scratch" >"$scratch/$label.out" 2>&1 &
		wrapper=$!
	else
		# A background job of a script starts with SIGINT ignored, and
		# an ignored signal cannot be trapped: env puts back the default
		# that a foreground run-bed.sh under make has, so that the
		# signal reaches its trap as Ctrl-C's does.
		BED_LABEL=$label env --default-signal=INT "$here/run-bed.sh" "$bed" "$kernel" "$initrd" \
			selfcheck-wait "$limit" "$scratch" >"$scratch/$label.out" 2>&1 &
		rb=$!
	fi
	# mid-boot: the emulator is up and has been booting for 3 s
	for i in $(seq 100); do
		[ -n "$(emulators_of "$label")" ] && break
		sleep 0.1
	done
	if [ -z "$(emulators_of "$label")" ]; then
		report "harness-stop-$how" fail "the emulator never started: $(tail -n3 "$scratch/$label.out")"
		return
	fi
	sleep 3
	case $how in
	orphan)
		rb=$(pgrep -P "$wrapper" -f run-bed.sh | head -n1)
		kill -KILL "$wrapper"
		wait "$wrapper" 2>/dev/null	# no "Killed" notice from bash
		;;
	*) kill "-$how" "$rb" ;;
	esac
	# run-bed.sh notices within its 1 s poll and takes 0.5 s more
	for i in $(seq 100); do
		left=$(emulators_of "$label")
		[ -z "$left" ] && ! kill -0 "${rb:-0}" 2>/dev/null && break
		sleep 0.1
	done
	if [ -n "$left" ]; then
		report "harness-stop-$how" fail "emulator pid(s) $left still running 10 s after the stop"
		kill -KILL "${rb:-0}" $left 2>/dev/null
	elif kill -0 "${rb:-0}" 2>/dev/null; then
		report "harness-stop-$how" fail "run-bed.sh (pid $rb) still running 10 s after the stop"
		kill -KILL "$rb" 2>/dev/null
	else
		local by="SIG$how to run-bed.sh"
		[ "$how" = orphan ] && by="SIGKILL to run-bed.sh's parent"
		report "harness-stop-$how" pass "stopped mid-boot by $by: nothing left ($(grep -o 'stopp.*emulator' "$scratch/$label.out" | head -n1))"
	fi
}

stop_check TERM
if [ "$bed" = qemu ]; then
	stop_check INT
	stop_check orphan

	# harness-skip
	out=$("$here/run-bed.sh" "$bed" "$kernel" "$initrd" selfcheck-skip "$limit" "$scratch" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] && grep -q 'selfcheck-skipper *fail *skipped, and no skip is expected here' <<<"$out"; then
		report harness-skip pass "an unexpected skip fails the bed"
	else
		report harness-skip fail "rc=$rc: $(echo "$out" | grep selfcheck-skipper | head -n1)"
	fi

	# harness-missing
	out=$("$here/run-bed.sh" "$bed" "$kernel" "$initrd" selfcheck-drop "$limit" "$scratch" 2>&1)
	rc=$?
	if [ "$rc" != 0 ] && grep -q 'selfcheck-dropped *fail *missing: the suite did not report it' <<<"$out" &&
	   grep -q 'selfcheck-unlisted *fail *passed, but the suite.s results list does not name it' <<<"$out"; then
		report harness-missing pass "a dropped result and an unlisted one fail the bed"
	else
		report harness-missing fail "rc=$rc: $(echo "$out" | grep 'selfcheck-' | tr '\n' ' ')"
	fi
fi
exit $failed
