# pause.sh - pause points of an L2 guest under the bed's QEMU (sourced by
# the realvm and debian suites, busybox sh).
#
# At a pause point the VM is stopped through QMP, so that no vCPU can
# exit.  The patch's counters are read on the host (exitstat -p: the
# exit_stats files of QEMU's vCPUs in KVM's debugfs, and KVM's own
# "exits" there) and through QEMU itself (QMP query-stats, which returns
# KVM's binary statistics as it finds them; exitstat -p's table too, for
# people), and that point's exittrace
# (the one timing exits in KVM while it runs) is stopped; then the next
# point's exittrace attaches and the VM goes on (cont).  check_pauses
# judges them: every reason equal, the patch's slots adding up to KVM's
# "exits" and to query-stats' sum, and the cycles against exittrace's
# time in KVM.
#
# Each pause's exittrace is the only one timing exits in KVM while it
# runs: it attaches after the others (which take no time in KVM), so
# their kvm_exit programs run before its own and fall in neither window.
# The first attaches before QEMU starts; the next ones while the VM
# stands still at the pause before, and are compared with the patch's
# counters then subtracted (exitdiff --before).
#
# The QEMU command line takes $QMP_ARGS; files are /tmp/pause-POINT.*.

# QMP through a pair of FIFOs (the bed's kernel has no sockets): QEMU's
# pipe chardev holds /tmp/qmp.in and /tmp/qmp.out open, so the session
# below (fds 3 and 4, opened at the first command) never sees an EOF.
rm -f /tmp/qmp.in /tmp/qmp.out
mkfifo /tmp/qmp.in /tmp/qmp.out
QMP_ARGS="-chardev pipe,id=qmp,path=/tmp/qmp -mon chardev=qmp,mode=control"
qmp_open=0
# qmp_reply: the next line that answers a command (events are skipped)
qmp_reply() {
	# shellcheck disable=SC3045 # busybox ash has read -t
	while read -r -t 10 line <&4; do
		case "$line" in
		*'"return"'* | *'"error"'*) echo "$line"; return 0 ;;
		esac
	done
	return 1
}
# qmp COMMAND [ARGUMENTS]: one QMP command, its reply on stdout
qmp() {
	if [ $qmp_open = 0 ]; then
		exec 3>/tmp/qmp.in 4</tmp/qmp.out
		echo '{"execute":"qmp_capabilities"}' >&3
		qmp_reply >/dev/null
		qmp_open=1
	fi
	if [ -n "$2" ]; then
		printf '{"execute":"%s","arguments":%s}\n' "$1" "$2" >&3
	else
		printf '{"execute":"%s"}\n' "$1" >&3
	fi
	qmp_reply
}

# start_pause POINT: that pause's exittrace, the one timing exits in KVM
start_pause() {
	exittrace -s -j >/tmp/pause-$1.bpf.json 2>/tmp/pause-$1.err &
	eval "pause_${1}_pid=$!"
	wait_for /tmp/pause-$1.err attached
}

# pause POINT [NEXT]: stop the VM, read the patch (debugfs, which init
# mounted, and QMP), stop that point's exittrace and wait for its final
# line (it has read its maps then), start the next point's, then let the
# VM go on
pause() {
	qpid=$(pidof qemu-system-x86_64)
	qmp stop >/tmp/pause-$1.stop
	exitstat -p "$qpid" -j >/tmp/pause-$1.patch.json 2>/tmp/pause-$1.exitstat.err
	exitstat -p "$qpid" >/tmp/pause-$1.patch.txt 2>&1
	qmp query-stats '{"target":"vcpu"}' >/tmp/pause-$1.qmp
	eval "etp=\$pause_${1}_pid"
	kill -INT "$etp"
	wait_for /tmp/pause-$1.bpf.json '"final":true'
	pause_hook "$1"
	[ -n "$2" ] && start_pause "$2"
	qmp cont >/tmp/pause-$1.cont
	echo "$SUITE_NAME: paused at '$1': $(wc -c </tmp/pause-$1.patch.json) bytes from exitstat -p, $(wc -c </tmp/pause-$1.qmp) from query-stats"
}

# pause_hook POINT: a suite's own step while the VM stands still at POINT,
# before the next point's exittrace attaches (so an exittrace it starts
# there runs its kvm_exit program before that one's, in neither window)
pause_hook() { :; }

# stop_pauses POINTS: the exittraces of points never reached
stop_pauses() {
	for p in $1; do eval "kill -INT \$pause_${p}_pid 2>/dev/null"; done
}

# exits_so_far: the patch's total for the L2 guest, on the host (0 before
# QEMU has made its VM)
exits_so_far() {
	q=$(pidof qemu-system-x86_64) && exitstat -p "$q" -j >/tmp/so-far.json 2>/dev/null &&
		bedcheck get /tmp/so-far.json total_exits || echo 0
}

# check_pauses POINTS: results SUITE_NAME-qmp-stats and
# SUITE_NAME-pause-POINT.  QMP first: QEMU's query-stats must return the
# two new statistics unmodified (173 values each), and at every pause the
# slots it shows must add up to the "exits" value it shows beside them,
# and to what exitstat -p read at the same pause.  Then each point: every
# reason equal, the total equal to KVM's exits, and for every reason of
# 100 exits or more the patch's cycles (at the TSC rate exittrace
# measured) against exittrace's time in KVM, for the judged reasons
# together within QEMU_TIME_PCT (lib.sh says why: these suites run in the
# QEMU bed only).
check_pauses() {
	points=$1
	n=0
	qmp_bad=
	for p in $points; do
		n=$((n + 1))
		f=/tmp/pause-$p.qmp
		set -- $(bedcheck qmp "$f" exit_reason_exits)
		qsum=$1 qn=$2
		set -- $(bedcheck qmp "$f" exit_reason_cycles)
		qcn=$2
		set -- $(bedcheck qmp "$f" exits)
		qexits=$1
		ptotal=$(bedcheck get /tmp/pause-$p.patch.json total_exits)
		echo "$SUITE_NAME: pause '$p': query-stats: $qn+$qcn slot values, sum $qsum, exits $qexits; exitstat -p: total $ptotal"
		if [ "$qn" != 173 ] || [ "$qcn" != 173 ] || [ "$qsum" != "$qexits" ] || [ "$qsum" != "$ptotal" ]; then
			qmp_bad="$qmp_bad $p"
		fi
	done
	if [ -z "$qmp_bad" ]; then
		result "$SUITE_NAME-qmp-stats" pass "query-stats returned exit_reason_exits/cycles (173 each); at all $n pauses slots sum == exits == exitstat -p"
	else
		result "$SUITE_NAME-qmp-stats" fail "query-stats disagreed at:$qmp_bad ($(head -c 200 /tmp/pause-${points%% *}.qmp))"
	fi
	prev=
	for p in $points; do
		pj=/tmp/pause-$p.patch.json
		bj=/tmp/pause-$p.bpf.json
		before=
		[ -n "$prev" ] && before="--before /tmp/pause-$prev.patch.json"
		prev=$p
		set -- $(bedcheck get "$pj" kvm_exits total_exits)
		kexits=$1 ptotal=$2
		echo "-- pause '$p': the patch (exitstat -p, debugfs) vs exittrace: counts exactly, cycles vs time in KVM"
		# shellcheck disable=SC2086 # empty or two words
		exitdiff -e --time=$QEMU_TIME_PCT $TIME_TOTAL $before "$pj" "$bj" >/tmp/pause-$p.diff 2>&1
		rc=$?
		# A window with no reason of 100 exits (an idle guest on a busy
		# host made 163 exits in 3 s once): its time is judged over all
		# its reasons together, if they add up to 100 exits.
		since=
		if [ $rc = 0 ] && [ -n "$TIME_TOTAL" ] && grep -q 'no reason has 100 exits to judge' /tmp/pause-$p.diff; then
			wtotal=$(awk '$1 == "TOTAL" { print $2 }' /tmp/pause-$p.diff)
			if [ "${wtotal:-0}" -ge 100 ]; then
				# shellcheck disable=SC2086
				exitdiff -e --time=$QEMU_TIME_PCT $TIME_TOTAL --min-exits 1 $before "$pj" "$bj" >/tmp/pause-$p.all.diff 2>&1
				rc=$?
				grep '^exitdiff: time in KVM' /tmp/pause-$p.all.diff >>/tmp/pause-$p.diff
				since=" (no reason of 100 exits: all $wtotal of the window together)"
			fi
		fi
		if [ $rc = 0 ] && [ -n "$kexits" ] && [ "$kexits" = "$ptotal" ] &&
		   grep -q 'judged reasons \(together \)*within' /tmp/pause-$p.diff; then
			cat /tmp/pause-$p.diff
			result "$SUITE_NAME-pause-$p" pass "every reason equal; total $ptotal = KVM's exits $kexits; time in KVM$since $(grep -v 'no reason has' /tmp/pause-$p.diff | sed -n 's/^exitdiff: time in KVM ([^)]*): //p' | cut -c1-110)"
		else
			cat /tmp/pause-$p.diff /tmp/pause-$p.exitstat.err
			result "$SUITE_NAME-pause-$p" fail "patch total ${ptotal:-none}, KVM exits ${kexits:-none}: $(grep -i 'differ\|error\|^exitdiff: ' /tmp/pause-$p.diff | tail -n2 | tr '\n' ' ')"
		fi
	done
}
