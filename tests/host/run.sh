#!/usr/bin/env bash
# Host checks: the tools' error paths, and exittrace's BPF object loading,
# passing the verifier and attaching on this machine's own kernel (a real
# CO-RE portability check: it is not the kernel the beds run).
#
#   tests/host/run.sh BUILD_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${1:-build}
pass=0 fail=0 skip=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

check() {	# check NAME EXPECTED_RC PATTERN COMMAND...
	local name=$1 want=$2 pattern=$3
	shift 3
	"$@" >"$out" 2>&1
	local rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" "$out"; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name: rc=$rc (expected $want), output:"
		sed 's/^/       /' "$out" | head -n 20
		echo "       expected to match: $pattern"
		fail=$((fail + 1))
	fi
}

skip() {
	echo "skip $1: $2"
	skip=$((skip + 1))
}

check abi-headers-agree 0 'constants agree' tests/host/abi_agree.sh
# CO-RE: every known kernel layout, offline (fixtures as BTF)
check core-layouts 0 '^[1-9][0-9]* passed, 0 failed' tests/host/core_layouts.sh "$build/bpf/exittrace.bpf.o"
check series-agree 0 'differ only as listed' tests/host/series_agree.sh

# scripts/series-dir.sh: the series for each supported kernel line, and a
# clear error for any other (judged by the tarball's name, so empty files
# named like Debian's tarballs stand in for them)
odd=$(mktemp -d)
touch "$odd/linux-source-5.10.tar.xz" "$odd/linux-source-6.12.tar.xz" "$odd/linux-source-6.1.tar.xz"
check series-dir-6.12 0 '/kvm-patch$' scripts/series-dir.sh "$odd/linux-source-6.12.tar.xz"
check series-dir-6.1 0 '/kvm-patch/6\.1$' scripts/series-dir.sh "$odd/linux-source-6.1.tar.xz"
check series-dir-unsupported 1 'Linux 5\.10 .* not supported.*6\.1, 6\.12' \
	scripts/series-dir.sh "$odd/linux-source-5.10.tar.xz"
check series-dir-missing 1 'does not exist' scripts/series-dir.sh "$odd/none"
rm -rf "$odd"

# scripts/build-modules.sh ("make modules"): its refusals, before it
# builds anything (output under a scratch directory; it never installs)
mods=$(mktemp -d)
check modules-no-source 1 'sudo apt-get install linux-source-6\.12$' \
	env KRELEASE=6.12.99-test KSRC="$mods/none.tar.xz" scripts/build-modules.sh "$mods"
check modules-no-config 1 'no kernel configuration at /boot/config-6\.12\.99-test' \
	env KRELEASE=6.12.99-test KSRC=/usr/src/linux-source-6.12.tar.xz KCONFIG= scripts/build-modules.sh "$mods"
check modules-kvm-builtin 1 'no CONFIG_KVM=m: that kernel has KVM built in' \
	env KRELEASE=6.12.99-test KSRC=/usr/src/linux-source-6.12.tar.xz KCONFIG=kvm-patch/bed.config \
	KSYMVERS=/dev/null KBTF=/dev/null scripts/build-modules.sh "$mods"
rm -rf "$mods"

# exitdiff on recorded JSON: side by side, --allow, --exact
fx=tests/host/fixtures
check exitdiff-shows-diff 0 '0x7b +IOIO +200 +201 +\+1  <-- differs' "$build/exitdiff" $fx/guest.json $fx/host.json
check exitdiff-exact-fails 1 '2 reason\(s\) differ' "$build/exitdiff" -e $fx/guest.json $fx/host.json
check exitdiff-allow 0 'all 4 reasons agree' "$build/exitdiff" -e --allow 0x7b=+1 --allow 0x60=+9 \
	$fx/guest.json $fx/host.json
check exitdiff-missing-file 2 'cannot open' "$build/exitdiff" $fx/none.json $fx/host.json
check exitdiff-bad-allow 64 'bad --allow' "$build/exitdiff" --allow 7b $fx/guest.json $fx/host.json
# --time: the patch's cycles (TSC rate from exittrace's final line) against
# exittrace's time in KVM; IOIO is 10.5% under, CPUID 1.7%, NPF too few
check exitdiff-time-differs 1 '0x7b .*+10.53%.*<-- time differs' "$build/exitdiff" -e --time \
	$fx/guest.json $fx/host-time.json
check exitdiff-time-total 0 '2 judged reasons together within 6.0%' "$build/exitdiff" -e --time=6 --time-total \
	$fx/guest.json $fx/host-time.json
check exitdiff-time-total-differs 1 'together differ by more than 5.0%.*<-- time differs' "$build/exitdiff" -e --time --time-total \
	$fx/guest.json $fx/host-time.json
check exitdiff-time-tolerance 0 '2 of 2 judged reasons within 12.0%' "$build/exitdiff" -e --time=12 \
	$fx/guest.json $fx/host-time.json
check exitdiff-time-few-exits 0 '0x400 .*time not judged: too few exits' "$build/exitdiff" --time=12 \
	$fx/guest.json $fx/host-time.json
check exitdiff-time-needs-kvm-time 2 'did not measure time in KVM' "$build/exitdiff" --time \
	$fx/guest.json $fx/host.json
check exitdiff-time-bad-tolerance 64 'bad --time' "$build/exitdiff" --time=0 $fx/guest.json $fx/host-time.json

# exitstat: this machine is a guest of a hypervisor without the patch
check exitstat-no-abi 1 'no exit counters here' ./exitstat
check exitstat-bad-watch 64 'invalid -w' ./exitstat -w 0
check exitstat-bad-reason 64 'unknown (VMX|SVM) exit reason' ./exitstat -r NOSUCH
check exitstat-extra-arg 64 'unexpected argument' ./exitstat foo

# exitstat -p: the host's reader of patch 7's debugfs files.  The real
# files are read in the QEMU bed (realvm's pause points); here a tree in
# their format (made by this script, for this shell's pid) shows the sums
# over vCPUs and what each missing part is called.
dbg=$(mktemp -d)
vm=$dbg/kvm/$$-11
mkdir -p "$vm/vcpu0" "$vm/vcpu1"
echo 7 >"$vm/exits"
# exitstat names the slots by this CPU's vendor, as on a real host: the
# CPUID exit is VMX reason 10 on Intel, SVM code 0x72 elsewhere
cpuid_code=114
grep -q '^vendor_id.*GenuineIntel' /proc/cpuinfo && cpuid_code=10
for c in 0 1; do
	awk -v c=$c -v k=$cpuid_code 'BEGIN { for (i = 0; i < 173; i++)
		printf "%d %d %d\n", i, (i == k) ? 2 + c : (i == 172), (i == k) ? 100 : 0 }' \
		>"$vm/vcpu$c/exit_stats"
done
check exitstat-pid-sums 0 "\"vms\":1,\"vcpus\":2,\"kvm_exits\":7,\"total_exits\":7,\"total_cycles\":200,.*\"code\":$cpuid_code,\"name\":\"CPUID\",\"exits\":5," \
	./exitstat --debugfs "$dbg" -p $$ -j
check exitstat-pid-no-process 1 'no process' ./exitstat --debugfs "$dbg" -p "$(( $(cat /proc/sys/kernel/pid_max) ))"
check exitstat-pid-no-vm 1 "process 1 has no VM in $dbg/kvm" ./exitstat --debugfs "$dbg" -p 1
check exitstat-pid-no-debugfs 1 'mount debugfs' ./exitstat --debugfs "$dbg/none" -p $$
head -n 3 "$vm/vcpu1/exit_stats" >"$vm/vcpu1/short" && mv "$vm/vcpu1/short" "$vm/vcpu1/exit_stats"
check exitstat-pid-other-version 1 'not 173 lines .*another version' ./exitstat --debugfs "$dbg" -p $$
rm "$vm/vcpu1/exit_stats"
check exitstat-pid-no-patch7 1 'lacks patch 7' ./exitstat --debugfs "$dbg" -p $$
rm -rf "$dbg"

# kvmcheck (install-kvm.sh's check): this machine's KVM, if it has one,
# answers as it is: stock KVM has no leaves (exit 2); after
# "make install-kvm" on a developer's machine, the patched modules (their
# exit_stats parameter says so) must answer them (exit 0)
if [ -c /dev/kvm ] && [ -e /sys/module/kvm/parameters/exit_stats ] &&
   [ "$(cat /sys/module/kvm/parameters/exit_stats)" != off ]; then
	echo "note: this machine runs the patched kvm (make install-kvm): expecting the leaves"
	check kvmcheck-patched-kvm 0 'exittrace leaves present' "$build/kvmcheck"
elif [ -c /dev/kvm ]; then
	check kvmcheck-stock-kvm 2 'no exittrace leaves' "$build/kvmcheck"
else
	skip kvmcheck-stock-kvm "no /dev/kvm on this machine"
fi
check kvmcheck-usage 1 'usage:' "$build/kvmcheck" extra

# exittrace: arguments are checked before anything is loaded
check exittrace-bad-interval 64 'invalid interval' ./exittrace 0
check exittrace-bad-count 64 'invalid count' ./exittrace 1 x
# a pid that cannot exist: one above this machine's pid_max
check exittrace-bad-pid 64 'no process with PID' ./exittrace -p $(( $(cat /proc/sys/kernel/pid_max) + 1 ))
check exittrace-bad-vcpu 64 'invalid vCPU' ./exittrace -c -1
# -p NAME: no QEMU on this machine runs as that VM (the bed's realvm suite
# picks a real one by name)
check exittrace-bad-vm-name 64 "no running VM is named 'no-such-vm'" ./exittrace -p no-such-vm
check exittrace-too-many 64 'unexpected argument' ./exittrace 1 2 3
check exittrace-help 0 'USAGE: exittrace' ./exittrace --help
check exittrace-no-latency-hist 64 'which --no-latency does not measure' ./exittrace --no-latency -H
check exittrace-bad-attach 64 'expected auto, btf or classic' ./exittrace --attach raw

check exittrace-short-interval 64 'at least 100ms' ./exittrace -i 50ms
check exittrace-bad-interval-unit 64 'invalid interval' ./exittrace -i 1m
check exittrace-bad-record-format 64 'use csv or jsonl' ./exittrace --record x.csv --record-format xml
check exittrace-marks-need-record 64 'needs --record' ./exittrace --mark-labels boot
check exittrace-bad-mark-label 64 'bad mark label' ./exittrace --record x.csv --mark-labels 'a;b'
check exittrace-bad-by 64 "invalid --by 'ioport'" ./exittrace --by ioport
check exittrace-top-needs-by 64 'give --by KINDS too' ./exittrace --top 5
# --slower-than: a duration with its unit (ns, us, ms, s), above 0, at
# most a day; a bare number is refused (seconds or microseconds?)
for d in 20 0ms -5ms 20min ms 1e3ns 86401s '20 ms' ''; do
	check "exittrace-slower-than-bad[$d]" 64 "invalid --slower-than '$d': give a duration above 0 with its unit" \
		./exittrace --slower-than "$d"
done
# each unit is accepted: --help after it ends the run (exit 0) only once
# the whole command line parsed
for d in 250000ns 500us 20ms 1.5s; do
	check "exittrace-slower-than-unit[$d]" 0 'USAGE: exittrace' ./exittrace --slower-than "$d" --help
done
check exittrace-slower-than-no-latency 64 'which --no-latency does not measure' \
	./exittrace --slower-than 20ms --no-latency
check exittrace-slow-buffer-alone 64 'give that too' ./exittrace --slow-buffer 64K
check exittrace-slow-buffer-not-pow2 64 "invalid --slow-buffer '3000': give a power of two from 4K to 1G" \
	./exittrace --slower-than 20ms --slow-buffer 3000
check exittrace-slow-buffer-too-big 64 "invalid --slow-buffer '2G'" ./exittrace --slower-than 20ms --slow-buffer 2G
check exittrace-bad-sort 64 "invalid --sort 'total': expected count, time, avg or max" ./exittrace --sort total
check exittrace-sort-no-latency 64 'which --no-latency does not measure' ./exittrace --sort avg --no-latency
check exittrace-bad-units 64 "invalid --units 's': expected ns, us or ms" ./exittrace --units s
check exittrace-cgroup-missing 64 "cannot use --cgroup '/no/such/cgroup': No such file or directory" \
	./exittrace --cgroup /no/such/cgroup
check exittrace-cgroup-not-v2 64 "--cgroup '/proc' is not in a cgroup v2 hierarchy" ./exittrace --cgroup /proc

work=$(mktemp -d)
# servers a check starts (node_exporter, prometheus, exittrace --listen):
# stopped by their pid, by the check or on the way out
daemons=()
stop_daemon() {	# stop_daemon PID [SIGNAL]: its exit status in daemon_rc
	local d kept=()
	kill -"${2:-TERM}" "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	daemon_rc=$?
	for d in "${daemons[@]}"; do [ "$d" = "$1" ] || kept+=("$d"); done
	daemons=("${kept[@]}")
}

# a port nothing listens on at 127.0.0.1, chosen at random (bash's
# /dev/tcp connects when something does)
free_port() {
	local port i
	for i in $(seq 50); do
		port=$((20000 + RANDOM % 30000))
		(exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null || { echo $port; return 0; }
	done
	return 1
}

# start_server LOG PATH COMMAND...: start COMMAND, in which @PORT@ stands
# for a free port, and wait (10 s) until http://127.0.0.1:PORT/PATH
# answers; a port taken meanwhile is retried with another.  Sets
# server_pid and server_port, or returns 1 with the log in LOG.
start_server() {
	local log=$1 path=$2 try i
	shift 2
	for try in 1 2 3; do
		server_port=$(free_port) || break
		"${@//@PORT@/$server_port}" >"$log" 2>&1 &
		server_pid=$!
		daemons+=($server_pid)
		for i in $(seq 100); do
			kill -0 $server_pid 2>/dev/null || break
			curl -sf -o /dev/null "http://127.0.0.1:$server_port/$path" && return 0
			sleep 0.1
		done
		stop_daemon $server_pid
	done
	server_pid=
	return 1
}
cleanup() {
	while [ ${#daemons[@]} -gt 0 ]; do stop_daemon "${daemons[0]}"; done
	rm -f "$out"
	rm -rf "$work"
}
trap cleanup EXIT
# bedcheck: the beds' checks of exittrace against exit_probe's guest and
# the patch's end readout, on a probe's JSON and an exittrace -P summary
# (tests/host/fixtures/probe*.json), and each deliberately broken copy
# refused with the row that broke.
export BEDCHECK=$build/bedcheck
bc=$build/bedcheck
check bedcheck-trace 0 'all 5 judged reasons agree \(2 more shown' $bc trace $fx/probe.json $fx/probe-trace.json --pid 4242
check bedcheck-trace-vcpu-other 1 '0x7b +IOIO +92 +204 .*<-- differs' $bc trace $fx/probe.json $fx/probe-trace.json --pid 4242 --vcpu 0
check bedcheck-cross 0 'bedcheck: all 7 reasons agree' $bc cross $fx/probe.json $fx/probe-trace.json --pid 4242 --tsc-khz 1000000
check bedcheck-other-pid 1 'CPUID +1072 +99 +-973 .*<-- differs' $bc trace $fx/probe.json $fx/probe-trace.json --pid 5151
sed 's/"code":114,"name":"CPUID","count":1072,"unpaired":0,"lat_count":1072/"code":114,"name":"CPUID","count":1071,"unpaired":0,"lat_count":1071/' \
	$fx/probe-trace.json >"$work/bc-count.json"
check bedcheck-trace-count 1 'CPUID +1072 +1071 +-1 .*<-- differs' $bc trace $fx/probe.json "$work/bc-count.json" --pid 4242
check bedcheck-cross-count 1 'CPUID +1036 +1071 +\+35 .*\(expected \+36\)  <-- differs' \
	$bc cross $fx/probe.json "$work/bc-count.json" --pid 4242 --tsc-khz 1000000
sed 's/"name":"IOIO","count":204,"unpaired":2,"lat_count":202/"name":"IOIO","count":204,"unpaired":1,"lat_count":203/' \
	$fx/probe-trace.json >"$work/bc-paired.json"
check bedcheck-trace-paired 1 'IOIO .*<-- 203 paired, want 202' $bc trace $fx/probe.json "$work/bc-paired.json" --pid 4242
sed 's/"code":120,"exits":10,"cycles":9000/"code":120,"exits":10,"cycles":90000/' $fx/probe.json >"$work/bc-cycles.json"
check bedcheck-cross-cycles 1 "HLT .*<-- the patch's time exceeds exittrace's latency" \
	$bc cross "$work/bc-cycles.json" $fx/probe-trace.json --pid 4242 --tsc-khz 1000000
sed 's/"vendor":"SVM"/"vendor":"other"/' $fx/probe.json >"$work/bc-vendor.json"
check bedcheck-no-vendor 1 'no vendor' $bc trace "$work/bc-vendor.json" $fx/probe-trace.json
sed 's/"plan":/"planned":/' $fx/probe.json >"$work/bc-plan.json"
check bedcheck-no-plan 2 'has no "plan"' $bc trace "$work/bc-plan.json" $fx/probe-trace.json
check bedcheck-no-rows 1 'exittrace has no rows for pid 7' $bc cross $fx/probe.json $fx/probe-trace.json --pid 7 --tsc-khz 1000000
check bedcheck-usage 64 'usage: bedcheck' $bc cross $fx/probe.json $fx/probe-trace.json
check bedcheck-get 0 '^tp_btf 0$' $bc get $fx/probe-trace.json attach tsc_hz
check bedcheck-row 0 '^204 2 202$' $bc row $fx/probe-trace.json IO_INSTRUCTION,IOIO --pid 4242 count unpaired lat_count
check bedcheck-qmp 0 '^8 3$' $bc qmp $fx/query-stats.json exit_reason_exits
check bedcheck-order 0 'all 4 reasons agree' $bc order $fx/guest.json $fx/guest.json $fx/host.json
sed 's/"exits":1000,/"exits":999,/' $fx/guest.json >"$work/bc-guest.json"
check bedcheck-order-bad 1 'CPUID +1000 +999 +-1 .*<-- differs' $bc order $fx/guest.json "$work/bc-guest.json" $fx/host.json

# bench-native's harness on this host's kernel (Linux 6.10+): a short run
# whose every observer must count exactly the events fired (its figures
# are reported, never judged)
check bench-native-counts 0 'perf record -a .* ok: ' "$build/native/native_bench" -n 4800 -r 1 -o "$work/native"
# bench-patch: every build of the series' exit hooks (exit_stats.h from
# kvm-patch/, kernel stand-ins) counts exactly the exits it ran
check bench-patch-counts 0 'patch_tls +ok: vCPU slot 10 [1-9]' \
	"$build/native/patch_bench" -n 640 -r 1 -o "$work/patch"
check bench-patch-bad-n 2 '^bench-patch: -n wants a number of exits from 64' \
	"$build/native/patch_bench" -n 10 -o "$work/patch"

# The timeline: a recording made by `make demo` in the QEMU bed (the
# exittrace that wrote it printed timeline-final.json when it stopped).
tl=$fx/timeline.csv
check record-fixture-sums 0 'bedcheck: all 13 reasons agree' \
	tests/vm/check_record.sh $tl $fx/timeline-final.json
# ... and must differ when the summary does: a count, a reason missing
sed 's/"name":"HLT","count":1310,/"name":"HLT","count":1311,/' $fx/timeline-final.json >"$work/final1.json"
check record-sums-differ 1 'HLT +1310 +1311 +\+1 .*<-- differs' \
	tests/vm/check_record.sh $tl "$work/final1.json"
sed 's/{"isa":"SVM","code":55,[^}]*},\{0,1\}//; s/,\]/]/' $fx/timeline-final.json >"$work/final2.json"
check record-sums-missing 1 'WRITE_DR7 +1 +0 +-1 .*<-- differs' \
	tests/vm/check_record.sh $tl "$work/final2.json"
# each altered copy must be refused, saying where and why
sed '0,/,exits,0,SVM,1024,NPF,/s/\(,exits,0,SVM,1024,NPF,\)\([0-9]*\)/\1999\2/' $tl >"$work/count.csv"
check record-bad-interval-sum 1 'count.csv:[0-9]+: interval count .* exits records sum to' \
	awk -f scripts/exitrecord.awk "$work/count.csv"
# the 30th interval left out, its exits records and all
awk '/,exits,/ { held = held $0 "\n"; next }
	/,interval,/ && ++n == 30 { held = ""; next }
	{ printf "%s%s\n", held, $0; held = "" }' $tl >"$work/gap.csv"
check record-gap 1 'gap.csv:[0-9]+: interval starts at [0-9.]+ but the previous one ended at' \
	awk -f scripts/exitrecord.awk "$work/gap.csv"
sed 's/,end,,,,signal,21905,/,end,,,,signal,21904,/' $tl >"$work/end.csv"
check record-bad-end 1 'the end record says 21904 exits' awk -f scripts/exitrecord.awk "$work/end.csv"
sed '15s/$/,/' $tl >"$work/fields.csv"
check record-bad-fields 1 'fields.csv:15: expected 10 comma-separated fields' awk -f scripts/exitrecord.awk "$work/fields.csv"
check record-not-a-record 1 'not an exittrace record' awk -f scripts/exitrecord.awk $fx/host.json
# a killed recorder leaves whole intervals and no end record: readable
awk '/,interval,/ { n++ } { print } n == 50 { exit }' $tl >"$work/killed.csv"
check record-killed-reads 0 'no end record.*50 complete intervals' awk -f scripts/exitrecord.awk "$work/killed.csv"

# --by's key records (a small made-up recording): read back, summed between
# two marks; one that is not right after its interval's record is refused
kx=$fx/keys.csv
check record-keys-window 0 "$(printf 'key\t0\tgpa\t0xfee00000/write\t3\t3\t210')" \
	awk -v key_window=idle -f scripts/exitrecord.awk $kx
sed 's/^0.200,0.300,key,/0.100,0.300,key,/' $kx >"$work/key-misplaced.csv"
check record-key-misplaced 1 'key record for \[0.100, 0.300\) is not after that interval' \
	awk -f scripts/exitrecord.awk "$work/key-misplaced.csv"

# exitplot: a picture and a summary from the fixture; the summary's total
# must be the sum of the interval records (counted here separately)
want=$(awk -F, '$3 == "interval" { n += $8 } END { printf "%d", n }' $tl |
	sed ':a;s/\B[0-9]\{3\}\>/ &/;ta')
check exitplot-fixture 0 'timeline.png' scripts/exitplot -o "$work/plot" -k 2596109 $tl
check exitplot-png 0 'PNG image data, 1280 x 960' file "$work/plot/timeline.png"
check exitplot-png-size 0 '^[0-9]{5,}$' stat -c %s "$work/plot/timeline.png"
check exitplot-summary-total 0 "\| whole recording \| $want \|" cat "$work/plot/summary.md"
check exitplot-summary-phases 0 '^\| idle \| [0-9.]+ \| [0-9.]+ \| [0-9 ]+ \| [0-9]+ \| ' cat "$work/plot/summary.md"
check exitplot-summary-idle 0 'Idle rate.*mean [0-9.]+ exits/s, standard deviation [0-9.]+, min–max' cat "$work/plot/summary.md"
check exitplot-killed 0 'no end record' sh -c "scripts/exitplot -o '$work/killed' '$work/killed.csv' 2>/dev/null && cat '$work/killed/summary.md'"
check exitplot-bad-input 1 'not a valid recording' scripts/exitplot -o "$work/bad" $fx/host.json
check exitplot-bad-top 1 '\-n 0: give the number' scripts/exitplot -n 0 $tl
check exitplot-no-file 1 "cannot read" scripts/exitplot "$work/none.csv"

if [ "$(id -u)" != 0 ]; then
	skip exittrace-host-attach "needs root (run make test as root)"
	skip exittrace-unprivileged "needs root to drop privileges"
elif [ ! -e /sys/kernel/btf/vmlinux ]; then
	check exittrace-no-btf 1 'has no BTF' ./exittrace -s -d 1
elif [ ! -e /sys/module/kvm ]; then
	check exittrace-no-kvm 1 'KVM is not loaded' ./exittrace -s -d 1
else
	mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	check exittrace-host-attach 0 '"final":true' ./exittrace -s -j -d 1
	check exittrace-host-classic 0 '"attach":"classic"' ./exittrace -s -j -d 1 --attach classic
	check exittrace-host-no-latency 0 '"final":true' ./exittrace -s -j -d 1 --no-latency
	# --by: its programs load on this kernel (the verifier's word) and
	# its JSON line comes after the summary's
	check exittrace-host-by 0 '"since_start":true,"retired_keys":0,"keys":\[' \
		./exittrace -s -j -d 1 --by port,mmio,msr,gpa,hypercall
	# --no-latency keeps no per-thread state: no task storage map at all
	# (BPF_MAP_TYPE_TASK_STORAGE is 29), while the default has one
	# Read while it runs: it runs until stopped (-d 60 is a backstop), and
	# the wait for its "attached" line is a precondition, not a timing:
	# with 5 s (and -d 2), a loaded machine once read before the maps
	# existed and the check failed on an empty list.
	# An exittrace that never attached has no maps to read: that fails
	# the check (map_types returns 1 and leaves $work/mt.failed for the
	# callers that count what it printed), or a refused option would pass
	# every "none of these maps" check.
	map_types() {	# map_types OPTIONS...: map types of a running exittrace
		rm -f "$work/mt.failed"
		./exittrace -s -d 60 --attach classic "$@" >/dev/null 2>"$work/mt.err" &
		local pid=$! i
		for i in $(seq 600); do
			grep -q attached "$work/mt.err" && break
			kill -0 $pid 2>/dev/null || break
			sleep 0.1
		done
		if ! grep -q attached "$work/mt.err"; then
			echo "exittrace $*: did not attach (within 60 s, or ended): $(tail -n2 "$work/mt.err")" >&2
			: >"$work/mt.failed"
			kill -INT $pid 2>/dev/null
			wait $pid
			return 1
		fi
		# read while it still runs, and it has maps: an exittrace that
		# attached and then ended (or crashed) has none left to read
		cat /proc/$pid/fdinfo/* >"$work/mt.fdinfo" 2>/dev/null
		if ! kill -0 $pid 2>/dev/null || ! grep -q '^map_type:' "$work/mt.fdinfo"; then
			echo "exittrace $*: no maps to read (it ended? $(tail -n2 "$work/mt.err"))" >&2
			: >"$work/mt.failed"
			kill -INT $pid 2>/dev/null
			wait $pid
			return 1
		fi
		# each map's type, or (MAP_FIELD, MAP_TYPE) that field of the maps of that type
		awk -v field="${MAP_FIELD:-}" -v type="${MAP_TYPE:-}" '
			/^map_type:/ { t = $2; if (field == "") print t }
			field != "" && $1 == field ":" && (type == "" || t == type) { print $2 }' \
			"$work/mt.fdinfo" | sort -n | tr '\n' ' '
		echo
		kill -INT $pid
		wait $pid
	}
	check exittrace-task-storage-default 0 '(^| )29( |$)' map_types
	no_task_storage() {
		local t
		t=$(map_types "$@") || return 1
		echo "map types: $t"
		case " $t " in *" 29 "*) return 1 ;; esac
	}
	check exittrace-no-latency-no-task-storage 0 'map types: [0-9]' no_task_storage --no-latency
	# --slower-than's ring buffer (BPF_MAP_TYPE_RINGBUF is 27) exists only
	# when asked for: without it the programs load with no buffer at all
	# The buffer is made either way (6.1's verifier refuses a program
	# naming a map that was not made, dead branch or not), at one page
	# when the option is off.
	ringbufs() {	# ringbufs OPTIONS...: "ring buffers: SIZE..." of a running exittrace
		MAP_FIELD=max_entries MAP_TYPE=27 map_types "$@" | sed 's/^/ring buffers: /; s/ *$//'
	}
	check exittrace-ringbuf-one-page-by-default 0 'ring buffers: 4096$' ringbufs
	# The histograms' maps (values of struct exit_hist, 256 B; no other map
	# of exittrace's has that size) are made for -H and the metrics only
	hist_maps() {	# hist_maps OPTIONS...: "histogram maps: N" of a running exittrace
		local n
		n=$(MAP_FIELD=value_size map_types "$@" | tr ' ' '\n' | grep -cx 256)
		[ ! -e "$work/mt.failed" ] || return 1
		echo "histogram maps: $n"
	}
	check exittrace-no-hist-maps-by-default 0 'histogram maps: 0$' hist_maps
	check exittrace-hist-maps-for-H 0 'histogram maps: 2$' hist_maps -H
	check exittrace-hist-maps-for-metrics 0 'histogram maps: 2$' hist_maps --metrics "$work/h.prom"
	# the metrics without latencies have no histograms to write; -H without
	# them is refused (this check once ran -H --no-latency, which exits
	# 64, and read the maps of no process after 60 s: it could not fail)
	check exittrace-no-hist-maps-no-latency 0 'histogram maps: 0$' hist_maps --metrics "$work/h2.prom" --no-latency
	check exittrace-H-no-latency-refused 64 '-H shows latencies, which --no-latency does not measure' \
		./exittrace -s -d 1 -H --no-latency
	check exittrace-map-check-fails-unattached 1 'did not attach' hist_maps -H --no-latency
	check exittrace-slower-than-ringbuf 0 'ring buffers: 65536$' ringbufs --slower-than 20ms --slow-buffer 64K
	check exittrace-host-slower-than 0 '"slower_than_ns":20000000,"slow_exits":0,"slow_exits_lost":0' \
		./exittrace -s -j -d 1 --slower-than 20ms
	# --cgroup's array (BPF_MAP_TYPE_CGROUP_ARRAY is 8) likewise: loaded,
	# filled and attached on this host's cgroup v2 (what it lets through
	# is checked in the QEMU bed, where exits happen)
	cgroup_arrays() {	# cgroup_arrays OPTIONS...: "cgroup arrays: N"
		local t
		t=$(map_types "$@") || return 1
		echo "map types: $t"
		echo "cgroup arrays: $(echo " $t " | grep -o ' 8 ' | wc -l)"
	}
	cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	check exittrace-no-cgroup-array-by-default 0 'cgroup arrays: 0$' cgroup_arrays
	if [ -n "$cg2" ]; then
		check exittrace-cgroup-array 0 'cgroup arrays: 1$' cgroup_arrays --cgroup "$cg2"
		check exittrace-host-cgroup 0 '"final":true' ./exittrace -s -j -d 1 --cgroup "$cg2" --per-vcpu
	else
		skip exittrace-cgroup-array "no cgroup2 mounted on this host"
		skip exittrace-host-cgroup "no cgroup2 mounted on this host"
	fi
	# tp_btf needs the vendor's vCPU struct in the BTF.  Which answer is
	# right is decided here, from the kernel's BTF, not from what
	# exittrace says: with the struct (a host with kvm_intel/kvm_amd and
	# module BTF), it must attach through tp_btf; without it (this kind
	# of machine: KVM without a vendor module), it must refuse, naming the
	# struct and the way out.
	case $(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1) in
	GenuineIntel) vstruct=vcpu_vmx vmod=kvm_intel ;;
	*) vstruct=vcpu_svm vmod=kvm_amd ;;
	esac
	has_struct=no
	for f in /sys/kernel/btf/vmlinux /sys/kernel/btf/$vmod; do
		[ -e "$f" ] || continue
		# the whole dump read first: grep -q stops at its match, and
		# under pipefail bpftool's SIGPIPE would make a match false
		grep -q "^\[[0-9]*\] STRUCT '$vstruct'" <<<"$(bpftool -B /sys/kernel/btf/vmlinux \
			btf dump file "$f" 2>/dev/null)" && has_struct=yes
	done
	if [ $has_struct = yes ]; then
		echo "note: struct $vstruct is in this kernel's BTF: --attach btf must attach"
		check exittrace-host-btf 0 '"attach":"tp_btf"' ./exittrace -s -j -d 1 --attach btf
	else
		echo "note: no struct $vstruct in this kernel's BTF ($vmod not loaded): --attach btf must refuse"
		check exittrace-host-btf-refused 1 "needs the BTF of struct $vstruct " ./exittrace -s -j -d 1 --attach btf
	fi
	# the recorder on this kernel: no VM runs here, so it records empty
	# intervals, but every line must read back, in both formats.  How
	# many intervals fit in -d 1 depends on the machine's load; what must
	# hold is the grid: intervals that follow each other from 0 (the
	# reader checks that) up to the end record's time, none longer than
	# the interval asked for plus its own lateness.
	grid() {	# grid FILE INTERVAL_S: the reader's verdict, then the grid's
		local sums
		sums=$(awk -v sums=1 -f scripts/exitrecord.awk "$1") || return 1
		grep -q '	marks=0	end=duration$' <<<"$sums" || { echo "$sums"; return 1; }
		awk -f scripts/exitrecord.awk "$1" | awk -F'\t' -v ival="$2" '
			$1 == "interval" { n++; last = $3; if ($3 - $2 <= 0) bad = bad " empty@" $2 }
			$1 == "end" { end = $2 }
			END {
				if (!n) { print "grid: no interval"; exit 1 }
				if (end == "" || end + 0 != last + 0) { print "grid: end at " end ", last interval ends at " last; exit 1 }
				if (bad != "") { print "grid:" bad; exit 1 }
				printf "grid: %d intervals of about %s s from 0 to %s, sums agree, end=duration\n", n, ival, end
			}'
	}
	./exittrace -s -i 100ms -d 1 --record "$work/host.csv" >/dev/null 2>&1
	check exittrace-record-csv 0 'grid: [1-9][0-9]* intervals .* end=duration' grid "$work/host.csv" 0.1
	./exittrace -s -i 250ms -d 1 --record "$work/host.jsonl" >/dev/null 2>&1
	check exittrace-record-jsonl 0 'grid: [1-9][0-9]* intervals .* end=duration' grid "$work/host.jsonl" 0.25
	# SIGKILL: no end record, but what was written is whole intervals
	check exittrace-record-killed 0 'no end record: .* [1-9][0-9]* complete intervals' sh -c \
		"./exittrace -s -i 100ms --record '$work/killed-host.csv' >/dev/null 2>&1 & pid=\$!
		 for i in \$(seq 100); do
			[ \$(grep -c ,interval, '$work/killed-host.csv' 2>/dev/null) -ge 3 ] 2>/dev/null && break
			sleep 0.1
		 done
		 kill -KILL \$pid; wait \$pid
		 awk -f scripts/exitrecord.awk '$work/killed-host.csv' >/dev/null"
	# a mark asked for with the stop (SIGUSR1 then SIGINT at once, both
	# pending in one wait) is still written: after the last interval,
	# before the end record
	check exittrace-record-mark-at-stop 0 '^mark[[:space:]][0-9.]+[[:space:]]last$' sh -c \
		"./exittrace -s -i 1s --record '$work/mark-stop.csv' --mark-labels last >/dev/null 2>'$work/mark-stop.err' & pid=\$!
		 for i in \$(seq 600); do grep -q attached '$work/mark-stop.err' && break; sleep 0.1; done
		 kill -USR1 \$pid; kill -INT \$pid; wait \$pid &&
		 awk -f scripts/exitrecord.awk '$work/mark-stop.csv' | grep '^mark'"
	check exittrace-record-unwritable 1 'cannot create the record file' \
		./exittrace -s -d 1 --record /nonexistent/dir/run.csv
	check exittrace-unprivileged 1 'not allowed to load BPF' \
		setpriv --reuid=65534 --regid=65534 --clear-groups ./exittrace -s -d 1
	# what the systemd unit grants (userspace/exittrace.service.in): root
	# with CAP_BPF and CAP_PERFMON only loads and attaches; either alone
	# is refused, so neither can be dropped
	check exittrace-caps-bpf-perfmon 0 '"final":true' \
		setpriv --inh-caps=-all --bounding-set=-all,+bpf,+perfmon ./exittrace -s -j -d 1
	check exittrace-caps-bpf-only 1 'not allowed to load BPF' \
		setpriv --inh-caps=-all --bounding-set=-all,+bpf ./exittrace -s -d 1
	check exittrace-caps-perfmon-only 1 'not allowed to load BPF' \
		setpriv --inh-caps=-all --bounding-set=-all,+perfmon ./exittrace -s -d 1
fi

# the metrics files, read by promtool and node_exporter
. tests/host/metrics.sh
# exittrace --listen, scraped by Prometheus
. tests/host/http.sh
# the man pages, make install and the systemd unit
. tests/host/install.sh

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
