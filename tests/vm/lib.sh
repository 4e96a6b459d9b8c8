# lib.sh - helpers for test-bed suites (sourced by /init, busybox sh).
#
# A test is a command: exit 0 passes, 4 skips (KSFT_SKIP), anything else
# fails.  Its output goes to the console as it runs, and a one-line
# verdict follows.
PASS=0
FAIL=0
SKIP=0

# kvm_vendor_module: the KVM vendor module for this CPU (kvm_intel on a
# CPU with VMX, kvm_amd otherwise), for the suites that load modules
kvm_vendor_module() {
	if grep -qw vmx /proc/cpuinfo; then echo kvm_intel; else echo kvm_amd; fi
}

result() {	# result NAME pass|fail|skip DETAIL...
	name=$1 verdict=$2
	shift 2
	echo "@@RESULT $name $verdict $*"
	case $verdict in
	pass) PASS=$((PASS + 1)) ;;
	skip) SKIP=$((SKIP + 1)) ;;
	*) FAIL=$((FAIL + 1)) ;;
	esac
}

# stop_exittrace PID JSON: SIGINT, then its final line; a stuck exittrace
# must fail the check that waits for it, not hang the bed (SIGKILL).
# Sets etrc.
stop_exittrace() {
	kill -INT "$1"
	wait_for "$2" '"final":true' || kill -KILL "$1"
	wait "$1"
	etrc=$?
}

# In QEMU the times are judged for the judged reasons together, within
# QEMU_TIME_PCT: its TSC follows the host's clock, and one exit whose
# emulator thread the host descheduled (4 ms, inside one witness's window
# only) moved a 300-exit reason's sum by 42% and 56% in one warm make
# test, the whole by a few %.  Together the good witnesses came within
# -1.1% to +6.8% (fexit, kprobe, the real guests' pauses), the broken ones
# off by +34.7% (the late patch on Debian's 6.12) to +75% (BPF ending
# early): 15% lies between, with twice the good ones' worst.  Bochs's
# clocks follow its instructions: there each reason, within 5%.
TIME_TOTAL=
QEMU_TIME_PCT=15
grep -qw 'et.bed=qemu' /proc/cmdline && TIME_TOTAL=--time-total

# time_run NAME ENV EXITTRACE_OPTS [PCT]: one exit_probe VM (1 vCPU, 300
# of each kind) held after its last exit, one exittrace (ENV in its
# environment) the only one timing exits in KVM, the patch read on the
# host (exitstat -p); exitdiff --time judges every reason of 100 exits
# or more within PCT % (5), or all of them together ($TIME_TOTAL).
# Sets trrc, etrc, diffrc; /tmp/NAME.diff.
time_run() {	# time_run NAME ENV EXITTRACE_OPTS [PCT]
	rm -f /tmp/tr.in
	mkfifo /tmp/tr.in
	exit_probe --wait --hold --require-abi -n 300 -c 1 -t 120 </tmp/tr.in >/tmp/tr.out 2>&1 &
	trp=$!
	exec 6>/tmp/tr.in
	wait_for /tmp/tr.out 'ready pid' || echo "time: exit_probe not ready: $(tail -n1 /tmp/tr.out)"
	# shellcheck disable=SC2086 # ENV and OPTS are word lists
	env $2 exittrace -s -j $3 -p $trp >/tmp/$1.json 2>/tmp/$1.err &
	ettr=$!
	wait_for /tmp/$1.err attached || echo "time: exittrace $3 did not attach: $(cat /tmp/$1.err)"
	echo go >&6
	wait_for /tmp/tr.out 'held pid' || echo "time: exit_probe not held: $(tail -n1 /tmp/tr.out)"
	exitstat -p $trp -j >/tmp/$1.patch.json 2>/tmp/$1.patch.err
	echo go >&6
	wait $trp
	trrc=$?
	exec 6>&-
	stop_exittrace $ettr /tmp/$1.json
	echo "== $1: exit_probe rc=$trrc, $2 exittrace $3 rc=$etrc: the patch (host) vs exittrace's time in KVM"
	# shellcheck disable=SC2086 # empty or one option
	exitdiff -e --time="${4:-5}" $TIME_TOTAL /tmp/$1.patch.json /tmp/$1.json >/tmp/$1.diff 2>&1
	diffrc=$?
	cat /tmp/$1.diff
}
# A comparison's table (bedcheck, exitdiff) in a result line: its verdict
# when all agreed, else its first row that did not, and the verdicts.
agreed() {	# agreed TABLE_FILE
	sed -n 's/^[a-z]*: \(all .* agree.*\)/\1/p' "$1" | head -n1
}
differs() {	# differs TABLE_FILE
	echo "$(grep -m1 '<--' "$1" | tr -s ' ') $(grep '^[a-z]*: ' "$1" | grep -v ' agree' | head -n2 | tr '\n' ' ')"
}

run_test() {	# run_test NAME COMMAND [ARGS...]
	name=$1
	shift
	echo "== $name: $*"
	out=/tmp/$name.out
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"
	last=$(grep -v '^[[:space:]]*$' "$out" | tail -n1 | tr -d '\r' | cut -c1-200)
	case $rc in
	0) result "$name" pass "$last" ;;
	4) result "$name" skip "$last" ;;
	*) result "$name" fail "rc=$rc $last" ;;
	esac
}

# wait_for FILE PATTERN [SECONDS]: until FILE has a line matching PATTERN,
# or SECONDS (60) (a program's "ready"/"attached" line).  Only the file is
# watched: a liveness check with kill -0 gave up early in the beds.
wait_for() {
	# local (busybox ash has it): a caller's own "end" must survive this
	local deadline=$(($(cut -d. -f1 /proc/uptime) + ${3:-60}))
	while ! grep -q "$2" "$1" 2>/dev/null && [ "$(cut -d. -f1 /proc/uptime)" -lt $deadline ]; do
		sleep 0.1
	done
	grep -q "$2" "$1" 2>/dev/null
}

# start_waiting NAME CMD...: start CMD, a program that prints "ready pid"
# and then waits for a line on stdin (exit_probe --wait, vm_switch
# --wait), with its stdin on the fifo /tmp/NAME.in, held open on fd 9,
# and its output in /tmp/NAME.out; return once it is ready.  Its pid is
# $waiting_pid.  Release it with "echo go >&9", close fd 9 after it ends.
start_waiting() {
	local fifo=/tmp/$1.in out=/tmp/$1.out
	shift
	rm -f "$fifo"
	mkfifo "$fifo"
	"$@" <"$fifo" >"$out" 2>&1 &
	waiting_pid=$!
	exec 9>"$fifo"
	wait_for "$out" 'ready pid'
}

done_line() {
	echo "@@DONE pass=$PASS fail=$FAIL skip=$SKIP"
}

# Userspace console output is queued in the tty layer and leaves at the
# UART's pace, which Bochs emulates: wait until the transmit counter stops
# moving, or "poweroff -f" cuts the last lines off.
drain_console() {
	prev=
	i=0
	while [ $i -lt 600 ]; do
		cur=$(grep -o 'tx:[0-9]*' /proc/tty/driver/serial 2>/dev/null | head -n1)
		[ -n "$cur" ] && [ "$cur" = "$prev" ] && return 0
		prev=$cur
		i=$((i + 1))
		sleep 0.2
	done
}
