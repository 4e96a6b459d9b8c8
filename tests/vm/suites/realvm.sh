# realvm: QEMU with -accel kvm runs inside the bed and boots a full Linux
# guest (the same kernel) on the bed's patched KVM, while exittrace
# records every exit on the bed's side.  Then the two views are compared:
# the guest's last exitstat reading (patch counters, vm scope, from VM
# creation up to that read) and exittrace's counts for the whole run.
#
# The guest idles L2_IDLE seconds after boot (et.idle=N on the bed's
# command line; default 1, the demo sets more), and the JSON exittrace
# also records the run's timeline (--record, 100 ms intervals), with marks
# where the guest's console says boot ended and idling ended.
l2log=/tmp/l2.log
etout=/tmp/exittrace.json
eterr=/tmp/exittrace.err
timeline=/tmp/timeline.csv
L2_IDLE=${L2_IDLE:-$(arg idle)}
L2_IDLE=${L2_IDLE:-1}
#
# Pause points: three times (1 s after QEMU started, at the boot-end mark
# and at the idle-end mark) the VM is stopped through QMP, so
# that no vCPU can exit.  At each, the patch's counters are read on the
# host (exitstat -p: the exit_stats files of QEMU's vCPUs in KVM's
# debugfs, and KVM's own "exits" there) and through QEMU itself (QMP
# query-stats, which returns KVM's binary statistics as it finds them),
# and an exittrace instance that attached before the VM started is
# stopped; then the VM goes on (cont).  While it stands still every reason
# must agree exactly between the patch and exittrace, the patch's slots
# must add up to KVM's own "exits" statistic, and for every reason of 100
# exits or more the patch's cycles (at the TSC rate exittrace measured)
# must agree with exittrace's time in KVM within 40% (the QEMU bed's
# bound: see trace.sh; they came within 0.3-0.6% in the runs so far).
#
# Each pause's exittrace is the only one timing exits in KVM while it
# runs: it attaches after the others (which take no time in KVM), so
# their kvm_exit programs run before its own and fall in neither window.
# The first attaches before QEMU starts; the next ones while the VM
# stands still at the pause before, and are compared with the patch's
# counters then subtracted (exitdiff --before).
#
# results: realvm-attach realvm-boot realvm-exittrace realvm-table realvm-crosscheck
# results: realvm-record realvm-record-sigint realvm-qmp-stats
# results: realvm-pause-{early,booted,idle}

# Six independent exittrace instances: JSON and the timeline for the
# checks, the table with histograms for people to read, one more recorder
# that is stopped with SIGINT while the guest still runs, and one for each
# pause point, stopped there.
echo "== realvm: exittrace on the host side"
exittrace -s -j -i 100ms --kvm-time off --record "$timeline" --mark-labels idle,shutdown >"$etout" 2>"$eterr" &
etpid=$!
exittrace -s -H --kvm-time off >/tmp/exittrace.table 2>/tmp/exittrace.table.err &
tablepid=$!
exittrace -s -j -i 100ms --kvm-time off --record /tmp/cut.csv >/tmp/cut.json 2>/tmp/cut.err &
cutpid=$!
pauses="early booted idle"
attach_errs="$eterr /tmp/exittrace.table.err /tmp/cut.err"
attached=0
for f in $attach_errs; do
	wait_for "$f" attached && attached=$((attached + 1))
done
# start_pause POINT: that pause's exittrace, the one timing exits in KVM
start_pause() {
	exittrace -s -j >/tmp/pause-$1.bpf.json 2>/tmp/pause-$1.err &
	eval "pause_${1}_pid=$!"
	wait_for /tmp/pause-$1.err attached
}
start_pause early && attached=$((attached + 1))
if [ $attached = 4 ]; then
	result realvm-attach pass "four exittrace instances attached before the L2 guest started"
else
	# shellcheck disable=SC2086 # a list of files
	result realvm-attach fail "$attached of 4 attached: $(tail -qn1 $attach_errs /tmp/pause-early.err | tr '\n' ' ')"
fi


# QMP through a pair of FIFOs (the bed's kernel has no sockets): QEMU's
# pipe chardev holds /tmp/qmp.in and /tmp/qmp.out open, so the session
# below (fds 3 and 4, opened at the first command) never sees an EOF.
rm -f /tmp/qmp.in /tmp/qmp.out
mkfifo /tmp/qmp.in /tmp/qmp.out
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
# pause POINT [NEXT]: stop the VM, read the patch (debugfs, which init
# mounted, and QMP), stop that point's exittrace and wait for its final
# line (it has read its maps then), start the next point's, then let the
# VM go on
pause() {
	qpid=$(pidof qemu-system-x86_64)
	qmp stop >/tmp/pause-$1.stop
	exitstat -p "$qpid" -j >/tmp/pause-$1.patch.json 2>/tmp/pause-$1.exitstat.err
	qmp query-stats '{"target":"vcpu"}' >/tmp/pause-$1.qmp
	eval "etp=\$pause_${1}_pid"
	kill -INT "$etp"
	wait_for /tmp/pause-$1.bpf.json '"final":true'
	[ -n "$2" ] && start_pause "$2"
	qmp cont >/tmp/pause-$1.cont
	echo "realvm: paused at '$1': $(wc -c </tmp/pause-$1.patch.json) bytes from exitstat -p, $(wc -c </tmp/pause-$1.qmp) from query-stats"
}

# The marks: SIGUSR1 when the guest's console shows the line (polled
# every 0.1 s, so a mark is up to that late).  At the first, the third
# recorder gets its SIGINT.
rm -f "$l2log"
# exits_so_far: the patch's total for the L2 guest, on the host (0 before
# QEMU has made its VM)
exits_so_far() {
	q=$(pidof qemu-system-x86_64) && exitstat -p "$q" -j >/tmp/so-far.json 2>/dev/null &&
		bedcheck get /tmp/so-far.json total_exits || echo 0
}
(
	# the early pause: in the guest's boot, once it has taken 2,000 exits
	# (after a fixed sleep, a loaded host found it only 81 exits in, too
	# few for any reason's time to be judged); at most 60 s
	end=$(($(cut -d. -f1 /proc/uptime) + 60))
	while [ "$(exits_so_far)" -lt 2000 ] && [ "$(cut -d. -f1 /proc/uptime)" -lt $end ]; do
		sleep 0.05
	done
	pause early booted
	wait_for "$l2log" '^@@L2 booted' && kill -USR1 $etpid && kill -INT $cutpid &&
		echo "realvm: marked boot end, stopped the cut recorder" && pause booted idle
	wait_for "$l2log" '^@@L2 idle-end' && kill -USR1 $etpid && echo "realvm: marked idle end" &&
		pause idle
) &
markpid=$!

# lapic=notscdeadline: with the TSC-deadline timer, the L2 guest's timer
# interrupts arrived seconds late in this nested, TCG-emulated setup (two
# HLTs of 5-13 s and once an RCU stall per run, 22 s instead of 5 s);
# the LAPIC one-shot timer is prompt.
echo "== realvm: qemu -accel kvm -M microvm (L2 guest)"
timeout -s KILL "${L2_TIMEOUT:-120}" qemu-system-x86_64 -accel kvm -M microvm -cpu host -smp 1 -m 256 \
	-kernel /l2/bzImage -initrd /l2/guest.cpio.gz \
	-append "console=ttyS0,115200 panic=-1 quiet lapic=notscdeadline et.idle=$L2_IDLE" \
	-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
	-chardev pipe,id=qmp,path=/tmp/qmp -mon chardev=qmp,mode=control \
	-L /usr/share/qemu </dev/null >"$l2log" 2>&1
rc=$?
kill $markpid 2>/dev/null
kill -INT $etpid $tablepid $cutpid 2>/dev/null
for p in $pauses; do eval "kill -INT \$pause_${p}_pid 2>/dev/null"; done
wait $etpid
etrc=$?
wait $tablepid
tablerc=$?
wait $cutpid
cutrc=$?
tr -d '\r' <"$l2log" | grep -v '^@@L2 \(first\|last\|boot\)' | sed 's/^/  L2| /'
tr -d '\r' <"$l2log" | sed -n 's/^@@L2 first //p' >/tmp/first.json
tr -d '\r' <"$l2log" | sed -n 's/^@@L2 last //p' >/tmp/guest.json
# the guest's three exitstat readings (boot end, first, last) must all
# have worked: the crosscheck below uses two of them
up=$(grep -a '^@@L2 up' "$l2log" | tr -d '\r' | cut -c8-)
if [ -n "$up" ] && grep -q '^@@L2 end' "$l2log" && echo "$up" | grep -q 'exitstat_rc=0,0,0$'; then
	result realvm-boot pass "L2 $up"
else
	result realvm-boot fail "qemu rc=$rc; L2 ${up:-gave no @@L2 up line}$(grep -q '^@@L2 end' "$l2log" || echo ', no @@L2 end')"
fi

echo "== exittrace, the whole L2 run:"
cat /tmp/exittrace.table "$eterr"
echo "== end of exittrace"
grep -q '"final":true' "$etout" && etok=1 || etok=0
total=$(bedcheck get "$etout" total_exits)
if [ "$etrc" = 0 ] && [ "$etok" = 1 ] && [ "${total:-0}" -gt 0 ]; then
	result realvm-exittrace pass "exittrace saw $total exits of the L2 run"
else
	result realvm-exittrace fail "exittrace rc=$etrc, total=${total:-none}"
fi
if [ "$tablerc" = 0 ] && grep -q '^ *TOTAL' /tmp/exittrace.table && grep -q 'exit -> entry latency' /tmp/exittrace.table; then
	result realvm-table pass "exittrace -H: table and histograms, exit 0"
else
	result realvm-table fail "exittrace -H rc=$tablerc: $(tail -n1 /tmp/exittrace.table.err)"
fi

# The guest's own view, read after the idle pause and before the end.
# The exact checks are at the pause points (below); this one only puts
# the guest's reading in order: counters never go down, so for every
# reason the idle pause's count (host, debugfs) <= the guest's last
# reading (CPUID) <= exittrace's count of the whole run.
echo "== realvm: guest (patch) vs host (exittrace)"
exitdiff /tmp/guest.json "$etout" | tee /tmp/diff.out
echo "== realvm: idle pause (host) <= guest's last reading <= exittrace, every reason"
if bedcheck order /tmp/pause-idle.patch.json /tmp/guest.json "$etout" >/tmp/order.out 2>&1; then
	cat /tmp/order.out
	result realvm-crosscheck pass "every reason: idle pause <= guest's last reading ($(bedcheck get /tmp/guest.json total_exits)) <= BPF's whole run ($total)"
else
	cat /tmp/order.out
	result realvm-crosscheck fail "out of order: $(differs /tmp/order.out)"
fi

# The timeline: it reads back, and its intervals add up to exactly the
# final summary of the same exittrace process; both marks are in it.
echo "== realvm: the recorded timeline ($timeline) vs exittrace's final summary"
marks=$(grep -c ',mark,' "$timeline")
if /tests/check_record.sh "$timeline" "$etout" >/tmp/rec.out 2>&1; then
	cat /tmp/rec.out
	if [ "$marks" = 2 ]; then
		result realvm-record pass "interval sums == final summary: $(agreed /tmp/rec.out)"
	else
		result realvm-record fail "$marks marks in the timeline, expected 2 (idle, shutdown)"
	fi
else
	cat /tmp/rec.out
	result realvm-record fail "$(grep -m1 'differs\|exitrecord\|check_record\|bedcheck' /tmp/rec.out)"
fi

# SIGINT mid-run: the file must still read back whole, end with an end
# record, and add up to what that process printed when it stopped, which
# must be less than the whole run (it did stop mid-run).
echo "== realvm: the recorder stopped with SIGINT at boot end (/tmp/cut.csv)"
cut_total=$(bedcheck get /tmp/cut.json total_exits)
if /tests/check_record.sh /tmp/cut.csv /tmp/cut.json >/tmp/cut.out 2>&1 &&
	grep -q '^0\.000,[0-9.]*,end,,,,signal,' /tmp/cut.csv &&
	[ "$cutrc" = 0 ] && [ "${cut_total:-0}" -lt "${total:-0}" ]; then
	cat /tmp/cut.out
	result realvm-record-sigint pass "stopped at $(sed -n 's/^0\.000,\([0-9.]*\),end,.*/\1/p' /tmp/cut.csv)s: $cut_total of $total exits, every line reads back, sums == its summary"
else
	cat /tmp/cut.out
	result realvm-record-sigint fail "rc=$cutrc, $cut_total (cut) vs $total (whole run) exits, end: $(grep ',end,' /tmp/cut.csv)"
fi

# The pause points.  QMP first: QEMU's query-stats must return the two new
# statistics unmodified (173 values each), and at every pause the slots
# it shows must add up to the "exits" value it shows beside them, and to
# what exitstat -p read at the same pause.
echo "== realvm: pause points (the patch via debugfs and QMP, exittrace, KVM's exits)"
qmp_bad=
for p in $pauses; do
	f=/tmp/pause-$p.qmp
	set -- $(bedcheck qmp "$f" exit_reason_exits)
	qsum=$1 qn=$2
	set -- $(bedcheck qmp "$f" exit_reason_cycles)
	qcn=$2
	set -- $(bedcheck qmp "$f" exits)
	qexits=$1
	ptotal=$(bedcheck get /tmp/pause-$p.patch.json total_exits)
	echo "realvm: pause '$p': query-stats: $qn+$qcn slot values, sum $qsum, exits $qexits; exitstat -p: total $ptotal"
	if [ "$qn" != 173 ] || [ "$qcn" != 173 ] || [ "$qsum" != "$qexits" ] || [ "$qsum" != "$ptotal" ]; then
		qmp_bad="$qmp_bad $p"
	fi
done
if [ -z "$qmp_bad" ]; then
	result realvm-qmp-stats pass "query-stats returned exit_reason_exits/cycles (173 each); at all 3 pauses slots sum == exits == exitstat -p"
else
	result realvm-qmp-stats fail "query-stats disagreed at:$qmp_bad ($(head -c 200 /tmp/pause-early.qmp))"
fi
prev=
for p in $pauses; do
	pj=/tmp/pause-$p.patch.json
	bj=/tmp/pause-$p.bpf.json
	before=
	[ -n "$prev" ] && before="--before /tmp/pause-$prev.patch.json"
	prev=$p
	set -- $(bedcheck get "$pj" kvm_exits total_exits)
	kexits=$1 ptotal=$2
	echo "-- pause '$p': the patch (exitstat -p, debugfs) vs exittrace: counts exactly, cycles vs time in KVM"
	# shellcheck disable=SC2086 # empty or two words
	# within 40%: QEMU's TSC follows the host clock (see trace.sh's time runs)
	if exitdiff -e --time=40 $TIME_TOTAL $before "$pj" "$bj" >/tmp/pause-$p.diff 2>&1 && [ -n "$kexits" ] && [ "$kexits" = "$ptotal" ] &&
	   grep -q 'judged reasons \(together \)*within' /tmp/pause-$p.diff; then
		cat /tmp/pause-$p.diff
		result "realvm-pause-$p" pass "every reason equal; total $ptotal = KVM's exits $kexits; time in KVM $(sed -n 's/^exitdiff: time in KVM ([^)]*): //p' /tmp/pause-$p.diff | cut -c1-110)"
	else
		cat /tmp/pause-$p.diff /tmp/pause-$p.exitstat.err
		result "realvm-pause-$p" fail "patch total ${ptotal:-none}, KVM exits ${kexits:-none}: $(grep -i 'differ\|error\|^exitdiff: ' /tmp/pause-$p.diff | tail -n2 | tr '\n' ' ')"
	fi
done
