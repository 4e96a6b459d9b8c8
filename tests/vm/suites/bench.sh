# bench: what observing exits costs each exit, for `make bench` (not part
# of `make test`).  kvm_smoke times N CPUID (answered in the kernel), N OUT
# and N HLT (both returned to the VMM) on one vCPU under ten setups:
#   A exit_stats=off, nothing attached (baseline)
#   B exit_stats=vm (the patch's counters)
#   C B + exittrace -s (default: tp_btf)   D B + exittrace -s -H
#   M B + exittrace -s with the self-check never ending (EXITTRACE_TEST_MISREAD=1
#     fails it at once, so both kvm_exit programs run on every exit: the
#     cost of the check's window, at most 1,000 exits or 1 s of a run)
#   E B + exittrace -s -P                   G B + exittrace -s --attach classic
#   K B + exittrace -s --no-latency (counts only: no kvm_entry hook)
#   F B + tracefs ring buffer recording kvm_exit and kvm_entry
#   H B + perf stat -a counting kvm_exit and kvm_entry
#   I B + perf record -a of kvm_exit and kvm_entry (to /tmp, tmpfs)
# (H and I use the static perf built from the bed kernel's tree, which only
# the bench initramfs carries.)
# The setups alternate within each round, in the same order every round,
# so a slow drift of the emulator's speed spreads over all of them rather
# than landing on one.  Each measurement becomes a line for the host:
#   @@BENCH round=R config=X kind=cpuid|io|hlt ns_per_exit=V
# N and the number of rounds can be set on the kernel command line
# (et.bench_n=, et.bench_rounds=) to recalibrate without a rebuild.
#
# results: bench
# After the rounds: exittrace's own CPU time at a 1 s interval while
# guests exit, and what its BPF maps hold (fdinfo), as
#   @@BENCHCPU setup=... cpu_pct=... exits_per_s=...
#   @@BENCHMAP setup=... map=... type=... max_entries=... memlock=...
. /tests/bench_lib.sh

# bench_exittrace ROUND CONFIG OPTIONS...: the workload under exittrace,
# started only once it has attached so the whole run is observed.
bench_exittrace() {
	r=$1 c=$2
	shift 2
	misread=0
	[ "$c" = M ] && misread=1	# the self-check's window, held open
	EXITTRACE_TEST_MISREAD=$misread exittrace "$@" >/tmp/bench-et.out 2>/tmp/bench-et.err &
	et=$!
	if wait_for /tmp/bench-et.err attached; then
		bench_workload "$r" "$c"
	else
		bench_fail "$c-r$r" "exittrace $* did not attach (state $(cut -d' ' -f3 /proc/$et/stat 2>/dev/null)): $(tail -n1 /tmp/bench-et.err)"
	fi
	bench_stop $et
}

# bench_stop PID: SIGINT exittrace, bounded.  A background job of this
# non-interactive shell starts with SIGINT ignored, so one signalled before
# it installed its handler would run on, observing the later setups: after
# 10 s it gets SIGKILL.  The pause after gives the kernel time to release
# the BPF links (that happens after the process is gone) before the next
# setup attaches.
bench_stop() {
	kill -INT "$1" 2>/dev/null
	i=0
	while [ -d /proc/$1 ] && [ "$(cut -d' ' -f3 /proc/$1/stat 2>/dev/null)" != Z ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ $i -ge 100 ]; then
		echo "bench: exittrace pid $1 ignored SIGINT (wchan $(cat /proc/$1/wchan 2>/dev/null)); SIGKILL"
		kill -KILL "$1" 2>/dev/null
	fi
	wait "$1" 2>/dev/null
	sleep 1
}

# bench_tracefs ROUND: the workload with the kvm_exit/kvm_entry events
# recorded to the ring buffer.  The buffer may wrap; the cost per event is
# the same either way, and nobody reads it during the run.
bench_tracefs() {
	echo "bench: round $1 F: enabling kvm_exit/kvm_entry"
	echo 0 >$btr/tracing_on
	echo >$btr/trace
	echo 1 >$btr/events/kvm/kvm_exit/enable &&
		echo 1 >$btr/events/kvm/kvm_entry/enable &&
		echo 1 >$btr/tracing_on ||
		bench_fail "F-r$1" "could not enable the kvm tracepoints"
	bench_workload "$1" F
	echo 0 >$btr/tracing_on
	echo 0 >$btr/events/kvm/kvm_exit/enable
	echo 0 >$btr/events/kvm/kvm_entry/enable
	# shows the events were recorded at all (and how many the buffer lost)
	ev=$(cat $btr/per_cpu/cpu*/stats 2>/dev/null |
		awk '/^entries:/ { e += $2 } /^overrun:/ { o += $2 } END { printf "%d kept, %d overwritten", e, o }')
	echo "bench: round $1 F: tracefs $ev"
	echo >$btr/trace
}

# bench_perf ROUND CONFIG SUBCOMMAND [OPTIONS...]: the workload under the
# perf built from the bed kernel's own tree (the tool a user would reach
# for), system-wide on the two tracepoints exittrace reads.  perf starts
# with its events disabled (-D -1) and enables them on "enable" on its
# control FIFO; its "ack" means they are on, so the whole run is observed.
# Stopped like exittrace (SIGINT, bounded).
bench_perf() {
	r=$1 c=$2
	shift 2
	if ! command -v perf >/dev/null; then
		bench_fail "$c-r$r" "no perf in this initramfs (make bench uses build/vm/bench.cpio.gz)"
		return 1
	fi
	rm -f /tmp/bench-pctl /tmp/bench-pack
	mkfifo /tmp/bench-pctl /tmp/bench-pack
	# both FIFOs held open read-write here, so that no open blocks and
	# perf's open of the ack FIFO for writing finds a reader
	exec 5<>/tmp/bench-pctl 6<>/tmp/bench-pack
	perf "$@" -D -1 --control fifo:/tmp/bench-pctl,/tmp/bench-pack \
		-e kvm:kvm_exit -e kvm:kvm_entry -a >/tmp/bench-perf.out 2>&1 &
	pp=$!
	echo enable >&5
	ack=
	read -t 30 ack <&6
	if [ "$ack" = ack ]; then
		bench_workload "$r" "$c"
	else
		bench_fail "$c-r$r" "perf $1 did not enable its events: $(tail -n1 /tmp/bench-perf.out)"
	fi
	bench_stop $pp
	exec 5>&- 6>&-
	# shows the events were counted or recorded at all
	echo "bench: round $r $c: perf $1: $(grep -E 'kvm:kvm_exit|samples' /tmp/bench-perf.out | tr -s ' ' | tr '\n' ' ')"
	rm -f /tmp/bench-perf.data /tmp/bench-pctl /tmp/bench-pack
}

# bench_cpu NAME INTERVAL [OPTIONS...]: exittrace printing a table every
# INTERVAL seconds for et.bench_cpu_s seconds (10 by default) while two VMs exit; its CPU time from
# /proc/PID/stat (utime + stime, in USER_HZ = 100 ticks/s on x86) over
# that window, and its maps' fdinfo.
bench_cpu() {
	name=$1 ival=$2
	shift 2
	exittrace "$@" "$ival" >/tmp/bench-cpu.out 2>/tmp/bench-cpu.err &
	et=$!
	# steady state only: from its first table on (loading the BPF object
	# and parsing the kernel's BTF is a one-off cost)
	wait_for /tmp/bench-cpu.out TOTAL
	t0=$(cut -d' ' -f1 /proc/uptime)
	ticks0=$(awk '{ print $14 + $15 }' /proc/$et/stat)
	while awk -v t0="$t0" -v t="$(cut -d' ' -f1 /proc/uptime)" -v w="$bcpu" 'BEGIN { exit !(t - t0 < w) }'; do
		kvm_smoke -n "$bn" -c 2 -t 300 >/dev/null 2>&1 &
		ks=$!
		kvm_smoke -n "$bn" -t 300 >/dev/null 2>&1
		wait $ks
	done
	t1=$(cut -d' ' -f1 /proc/uptime)
	ticks1=$(awk '{ print $14 + $15 }' /proc/$et/stat)
	for fd in /proc/$et/fdinfo/*; do
		grep -q '^map_type' "$fd" 2>/dev/null || continue
		echo "@@BENCHMAP setup=$name map=$(awk '/^map_id/ { print $2 }' "$fd")" \
			"type=$(awk '/^map_type/ { print $2 }' "$fd")" \
			"max_entries=$(awk '/^max_entries/ { print $2 }' "$fd")" \
			"value_size=$(awk '/^value_size/ { print $2 }' "$fd")" \
			"memlock=$(awk '/^memlock/ { print $2 }' "$fd")"
	done
	kill -INT $et
	wait $et
	tables=$(grep -c TOTAL /tmp/bench-cpu.out)
	exits=$(sed -n 's/^ *TOTAL *\([0-9]*\) .*/\1/p' /tmp/bench-cpu.out | tail -n1)
	awk -v d="$((ticks1 - ticks0))" -v t0="$t0" -v t1="$t1" -v name="$name" -v e="${exits:-0}" \
		-v n="$tables" 'BEGIN {
		printf "@@BENCHCPU setup=%s interval_s=1 window_s=%.1f cpu_s=%.2f cpu_pct=%.2f tables=%d exits=%d\n",
			name, t1 - t0, d / 100, 100 * d / 100 / (t1 - t0), n, e }'
	sleep 1
}

if [ ! -w $bparam ]; then
	bench_fail setup "no $bparam: not the patched kernel"
else
	# room for most of a run's events per CPU; see bench_tracefs for why
	# wrapping is acceptable
	echo 16384 >$btr/buffer_size_kb
	echo "bench: $brounds rounds of A B C M D E G K F H I, kvm_smoke -n $bn on 1 vCPU"
	r=1
	while [ $r -le "$brounds" ]; do
		echo off >$bparam
		bench_workload $r A
		echo vm >$bparam
		bench_workload $r B
		bench_exittrace $r C -s
		bench_exittrace $r M -s
		bench_exittrace $r D -s -H
		bench_exittrace $r E -s -P
		bench_exittrace $r G -s --attach classic
		bench_exittrace $r K -s --no-latency
		bench_tracefs $r
		bench_perf $r H stat -x,
		bench_perf $r I record -o /tmp/bench-perf.data
		echo "bench: round $r done ($(cut -d' ' -f1 /proc/uptime) s uptime)"
		r=$((r + 1))
	done
	bench_cpu table 1
	bench_cpu per-vm 1 -P
	# leave the default scope behind
	echo vm >$bparam
	if [ $bfail = 0 ]; then
		result bench pass "$brounds rounds x 11 configs, kvm_smoke -n $bn"
	fi
fi
