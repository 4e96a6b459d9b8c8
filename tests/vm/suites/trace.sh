# trace: exittrace, filtered in the kernel by VMM pid, counts exactly what
# test-VMM guests did.  The per-VM one also records a timeline (--record),
# whose per-VM rows must add up to its final summary.  Two exit_probe VMs
# run at once: A has 2 vCPUs whose workloads differ (vCPU 0 runs 300 of
# each kind, vCPU 1 400) and whose KVM ids are not their indices (0 and
# 5, as a VMM's ids need not be); B has 1.  One exittrace breaks the
# counts down per VM (-P -p A -p B); one follows only vCPU 1 of A by its
# KVM id (-c 5 -p A), which must count exactly vCPU 1's workload and so
# not vCPU 0's; one asks for id 1, which A's index 1 is not, and must see
# nothing (so -c goes by id), through the classic tracepoint, where the
# vCPU comes from the event's vcpu_id field; and one counts B alone
# through the classic tracepoints, filtered to B's only vCPU, id 0
# (--attach classic -c 0 -p B: the classic vCPU filter must keep what it
# should, too; the others use the default, tp_btf).  So both ways in and both kinds of map (the
# per-CPU slot array without -P, the hash with it) are checked.  All
# attach before the probes create their VMs (exit_probe --wait), so they
# see each VM's whole life.
#
# The drill-down (--by): a sixth instance, tp_btf, -P, with every kind,
# and the classic instance with every kind too (its programs on the
# classic tracepoints, behind its -c 0 filter), must count each port,
# MMIO address, MSR, hypercall number and (SVM) NPF page the probes'
# guests used exactly as often as they used it, and no other key of the
# first four kinds (bedcheck keys), the rows of the exited VMs retired
# from the map included; the sixth's record, key lines and all, must
# read back and add up.
#
# results: trace-attach-mode trace-exittrace-exit trace-probe-a trace-probe-b
# results: trace-exact-vm-a trace-exact-vm-b trace-exact-classic crosscheck-a crosscheck-b
# results: trace-vcpu-filter trace-vcpu-filter-other trace-vcpu-id-not-index
# results: trace-per-vm trace-record trace-pair-btf trace-pair-classic
# results: trace-self-check trace-self-check-misread trace-exact-misread trace-long-exit
# results: trace-host-a trace-host-b trace-host-classic
# results: trace-time-fexit trace-time-kprobe trace-time-early trace-time-residual
# results: trace-cgroup trace-cgroup-other trace-per-vcpu-0 trace-per-vcpu-1 trace-table
# results: trace-keys-a trace-keys-b trace-keys-classic trace-keys-record trace-keys-table
# results: trace-keys-retired trace-cgroup-keys trace-cgroup-keys-other
#
# The host's view: both probes hold their VM after its last exit
# (--hold) while exitstat -p reads the patch's counters for it (the VM's
# exit_stats files in KVM's debugfs), so every exit of the VM's life is in
# both witnesses, and every reason must agree exactly.  The times are
# compared in runs of their own (time_run, below the pairing checks).
#
# The self-check: each tp_btf instance compares its own read of the exit
# reason with the kernel's kvm_exit record for its first exits, and must
# end "passed"; a fifth instance, with the test knob that makes tp_btf
# read a wrong field (EXITTRACE_TEST_MISREAD=1), must fail the check, fall
# back to the record's reasons, and still count B exactly.
#
# --cgroup: B's process is moved into a cgroup of its own before it
# creates its VM; an exittrace with --cgroup on that cgroup and no pid
# filter must count exactly B's workload (so none of A's exits), and the
# same check against A's workload must fail.  --per-vcpu -p A: A's rows of
# KVM id 0 must be exactly vCPU 0's workload, those of id 5 vCPU 1's.
na=300 nb=200 step=100 ids=0,5 id1=5
rm -f /tmp/pa.in /tmp/pb.in
mkfifo /tmp/pa.in /tmp/pb.in
exit_probe --wait --hold --require-abi -j -n $na -c 2 --vcpu-step $step --vcpu-ids $ids -t 240 \
	</tmp/pa.in >/tmp/pa.out 2>&1 &
pa=$!
exit_probe --wait --hold --require-abi -j -n $nb -c 1 -t 240 </tmp/pb.in >/tmp/pb.out 2>&1 &
pb=$!
exec 7>/tmp/pa.in 8>/tmp/pb.in

wait_for /tmp/pa.out 'ready pid' && wait_for /tmp/pb.out 'ready pid' ||
	result trace-setup fail "exit_probe --wait did not get ready"
# cgroup v2 (the init mounts none): B alone in et-b, before its VM exists
cg=/sys/fs/cgroup
grep -q "^[^ ]* $cg cgroup2 " /proc/mounts || mount -t cgroup2 none $cg ||
	result trace-setup fail "cannot mount cgroup2 on $cg"
mkdir -p $cg/et-b && echo $pb >$cg/et-b/cgroup.procs ||
	result trace-setup fail "cannot move exit_probe B (pid $pb) into $cg/et-b"
exittrace -s -j --cgroup $cg/et-b --by port,mmio,msr,gpa,hypercall --top 100 \
	>/tmp/et-cg.json 2>/tmp/et-cg.err &
etcg=$!
exittrace -s --per-vcpu -p $pa >/tmp/et-pv.txt 2>/tmp/et-pv.err &
etpvt=$!
exittrace -s --sort time -p $pb --by port >/tmp/et-tbl.txt 2>/tmp/et-tbl.err &
ettbl=$!
exittrace -s -j --per-vcpu -p $pa >/tmp/et-pv.json 2>/tmp/et-pv-j.err &
etpv=$!
exittrace -s -j -H -P -p $pa -p $pb -i 100ms --record /tmp/et-vm.csv >/tmp/et-vm.json 2>/tmp/et-vm.err &
etvm=$!
exittrace -s -j -H -c $id1 -p $pa >/tmp/et-vcpu.json 2>/tmp/et-vcpu.err &
etvcpu=$!
exittrace -s -j --attach classic -c 1 -p $pa >/tmp/et-noid.json 2>/tmp/et-noid.err &
etnoid=$!
exittrace -s -j --attach classic --kvm-time kprobe -c 0 -p $pb --by port,mmio,msr,gpa,hypercall \
	--top 100 >/tmp/et-classic.json 2>/tmp/et-classic.err &
etclassic=$!
exittrace -s -j -P -p $pa -p $pb --by port,mmio,msr,gpa,hypercall --top 100 -i 100ms \
	--record /tmp/et-keys.csv >/tmp/et-keys.json 2>/tmp/et-keys.err &
etkeys=$!
EXITTRACE_TEST_MISREAD=1 exittrace -s -j -p $pb >/tmp/et-misread.json 2>/tmp/et-misread.err &
etmisread=$!
wait_for /tmp/et-vm.err attached && wait_for /tmp/et-vcpu.err attached &&
	wait_for /tmp/et-noid.err attached && wait_for /tmp/et-classic.err attached &&
	wait_for /tmp/et-misread.err attached && wait_for /tmp/et-keys.err attached &&
	wait_for /tmp/et-cg.err attached && wait_for /tmp/et-pv.err attached &&
	wait_for /tmp/et-pv-j.err attached && wait_for /tmp/et-tbl.err attached ||
	result trace-setup fail "exittrace did not attach: $(cat /tmp/et-vm.err /tmp/et-vcpu.err /tmp/et-noid.err /tmp/et-classic.err /tmp/et-keys.err /tmp/et-cg.err /tmp/et-pv.err /tmp/et-pv-j.err /tmp/et-tbl.err)"
echo "exittrace: -P: $(cat /tmp/et-vm.err); -c $id1: $(cat /tmp/et-vcpu.err); -c 1: $(cat /tmp/et-noid.err); B: $(cat /tmp/et-classic.err)"
# Every bed kernel carries the BTF of the vendor's vCPU struct (vmlinux,
# or module BTF for the modular beds), so the default must be tp_btf: a
# silent fallback to classic would hide a broken raw-tracepoint path.
if grep -q 'attached (tp_btf)' /tmp/et-vm.err && grep -q 'attached (tp_btf)' /tmp/et-vcpu.err &&
   grep -q 'attached (classic)' /tmp/et-noid.err && grep -q 'attached (classic)' /tmp/et-classic.err; then
	result trace-attach-mode pass "default instances on tp_btf, --attach classic on classic"
else
	result trace-attach-mode fail "$(cat /tmp/et-vm.err /tmp/et-vcpu.err /tmp/et-classic.err | tr '\n' ' ')"
fi
echo go >&7
echo go >&8
# held: the VMs' last exits are behind them; read the patch on the host
for p in a b; do
	eval "pid=\$p$p"
	wait_for /tmp/p$p.out 'held pid' || echo "trace: probe $p was not held: $(tail -n1 /tmp/p$p.out)"
	exitstat -p "$pid" -j >/tmp/p$p.host.json 2>/tmp/p$p.host.err
done
echo go >&7
echo go >&8
wait $pa
rca=$?
wait $pb
rcb=$?
exec 7>&- 8>&-
# a few 100 ms intervals after both VMs exited: the -P and --by instances
# retire their rows (taken out of the maps, kept for the totals), so the
# exact checks below also check the retired rows
sleep 0.5
kill -INT $etvm $etvcpu $etnoid $etclassic $etmisread $etkeys $etcg $etpvt $etpv $ettbl
etrcs=
for p in $etvm $etvcpu $etnoid $etclassic $etmisread $etkeys $etcg $etpvt $etpv $ettbl; do
	wait $p
	etrcs="$etrcs $?"
done
if [ "$etrcs" = " 0 0 0 0 0 0 0 0 0 0" ]; then
	result trace-exittrace-exit pass "all ten exittrace instances exited 0 on SIGINT"
else
	result trace-exittrace-exit fail "exit codes (-P, -c $id1, -c 1, classic, misread, --by, --cgroup, --per-vcpu table, JSON, --sort time):$etrcs"
fi

# The host's view against exittrace, counted (see the top).
host_check() {	# host_check NAME PATCH_JSON EXITTRACE_JSON [exitdiff options]
	name=$1 pj=$2 bj=$3
	shift 3
	echo "== $name: the patch on the host (exitstat -p, held VM) vs exittrace $*"
	exitdiff -e "$@" "$pj" "$bj" >/tmp/$name.diff 2>&1
	rc=$?
	cat /tmp/$name.diff
}
for p in a b classic; do
	pj=/tmp/p$p.host.json bj=/tmp/et-vm.json opts="--pid"
	eval "pid=\$p$p"
	[ $p = classic ] && pj=/tmp/pb.host.json bj=/tmp/et-classic.json opts= pid=
	host_check trace-host-$p $pj $bj $opts $pid
	if [ "$rc" = 0 ] && grep -q 'all [0-9]* reasons agree' /tmp/trace-host-$p.diff; then
		result trace-host-$p pass "$(grep -c '^0x' /tmp/trace-host-$p.diff) reasons, each exactly as the patch counted on the host"
	else
		result trace-host-$p fail "exitdiff rc=$rc: $(grep -h 'differ\|exitdiff: \(no\|the\|cannot\)' /tmp/trace-host-$p.diff /tmp/p$p.host.err 2>/dev/null | head -n2 | tr '\n' ' ')"
	fi
done

# final() FILE: exittrace's final JSON line, as "attach self_check compared agreed"
final() {
	bedcheck get "$1" final attach self_check self_check_compared self_check_agreed | cut -d' ' -f2-
}
set -- $(final /tmp/et-vm.json) $(final /tmp/et-vcpu.json)
if [ "$1 $2 $5 $6" = "tp_btf passed tp_btf passed" ] && [ "$3" -gt 0 ] && [ "$3" = "$4" ] &&
   [ "$7" -gt 0 ] && [ "$7" = "$8" ]; then
	result trace-self-check pass "tp_btf agreed with the kvm_exit record: -P on $3 exits, -c $id1 on $7"
else
	result trace-self-check fail "-P: $1 $2 $3/$4, -c $id1: $5 $6 $7/$8 (attach, check, agreed/compared)"
fi
set -- $(final /tmp/et-misread.json)
if [ "$1 $2" = "classic failed" ] && [ "$3" -gt "$4" ] &&
   grep -q 'self-check failed: tp_btf read' /tmp/et-misread.err; then
	result trace-self-check-misread pass "a wrong read fails the check ($4 of $3 agreed): back to the record's reasons"
else
	result trace-self-check-misread fail "with the knob: $* ; $(grep self-check /tmp/et-misread.err | head -n1)"
fi

for p in a b; do
	eval "rc=\$rc$p pid=\$p$p"
	grep '^{' /tmp/p$p.out | tail -n1 >/tmp/p$p.json
	echo "== exit_probe $p (pid $pid):"
	grep -v '^{' /tmp/p$p.out
	if [ "$rc" = 0 ]; then
		result trace-probe-$p pass "$(grep 'exit_probe: PASS' /tmp/p$p.out | cut -c1-120)"
	else
		result trace-probe-$p fail "exit_probe rc=$rc: $(grep 'exit_probe: FAIL' /tmp/p$p.out | cut -c1-120)"
	fi
	echo "== exittrace -P, rows of pid $pid vs what the guest executed:"
	if bedcheck trace /tmp/p$p.json /tmp/et-vm.json --pid $pid >/tmp/check.out 2>&1; then
		cat /tmp/check.out
		result trace-exact-vm-$p pass "exittrace -P -p: $(agreed /tmp/check.out), latencies sane"
	else
		cat /tmp/check.out
		result trace-exact-vm-$p fail "$(differs /tmp/check.out)"
	fi
done

echo "== exittrace with a wrong tp_btf read (the test knob), -p B, vs what B's guest executed:"
if bedcheck trace /tmp/pb.json /tmp/et-misread.json >/tmp/check.out 2>&1; then
	cat /tmp/check.out
	result trace-exact-misread pass "fallen back to the record: $(agreed /tmp/check.out)"
else
	cat /tmp/check.out
	result trace-exact-misread fail "$(differs /tmp/check.out)"
fi

echo "== exittrace --attach classic -c 0 -p B (no -P: the slot array) vs what B's guest executed:"
if bedcheck trace /tmp/pb.json /tmp/et-classic.json >/tmp/check.out 2>&1; then
	cat /tmp/check.out
	result trace-exact-classic pass "exittrace --attach classic -c 0 -p B: $(agreed /tmp/check.out)"
else
	cat /tmp/check.out
	result trace-exact-classic fail "$(differs /tmp/check.out)"
fi

# The cross-check: the patch's view (the probe's end readout) against
# exittrace's, every reason, exactly where only the guest causes them.
mhz=$(dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n1)
[ -n "$mhz" ] || mhz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n1)
tsc_khz=$(echo "$mhz" | awk '{ printf "%d", $1 * 1000 }')
for p in a b; do
	eval "pid=\$p$p"
	echo "== patch (end readout of probe $p) vs exittrace, tsc ${tsc_khz} kHz:"
	if bedcheck cross /tmp/p$p.json /tmp/et-vm.json --pid $pid --tsc-khz "$tsc_khz" >/tmp/cross.out 2>&1; then
		cat /tmp/cross.out
		result crosscheck-$p pass "$(agreed /tmp/cross.out): the plan's reasons exact, $(grep -c '(at least' /tmp/cross.out) others at least; cycles 0 < patch <= latency (a bound)"
	else
		cat /tmp/cross.out
		result crosscheck-$p fail "$(differs /tmp/cross.out)"
	fi
done

# -c $id1 -p A: only vCPU 1 of VM A (KVM id $id1): exactly its own workload,
# and the same check against vCPU 0's workload, which differs by $step of
# each kind, must fail (else this check could not tell them apart)
echo "== exittrace -c $id1 -p A vs what vCPU 1 (KVM id $id1) of A executed:"
if bedcheck trace /tmp/pa.json /tmp/et-vcpu.json --vcpu 1 >/tmp/check.out 2>&1; then
	cat /tmp/check.out
	result trace-vcpu-filter pass "exittrace -c $id1 -p A: vCPU 1's workload, $(agreed /tmp/check.out)"
else
	cat /tmp/check.out
	result trace-vcpu-filter fail "-c $id1: $(differs /tmp/check.out)"
fi
bedcheck trace /tmp/pa.json /tmp/et-vcpu.json --vcpu 0 >/tmp/check.out 2>&1
rc=$?
# rc 1 is also "nothing could be judged": a reason's row must differ
if [ "$rc" = 1 ] && grep -q '<-- differs' /tmp/check.out; then
	result trace-vcpu-filter-other pass "vCPU 0's workload differs: $(differs /tmp/check.out)"
else
	cat /tmp/check.out
	result trace-vcpu-filter-other fail "bedcheck rc=$rc: exittrace -c $id1 matched vCPU 0's workload too (or nothing was compared)"
fi
noid=$(bedcheck get /tmp/et-noid.json total_exits)
if grep -q '"final":true' /tmp/et-noid.json && [ "$noid" = 0 ]; then
	result trace-vcpu-id-not-index pass "exittrace --attach classic -c 1 -p A: 0 exits (index 1 is KVM id $id1)"
else
	result trace-vcpu-id-not-index fail "exittrace -c 1 -p A counted ${noid:-no total}: -c went by the index, not KVM's id"
fi
# --cgroup $cg/et-b, no -p: B's workload exactly, so nothing of A's
# trace_exact NAME WHAT ARGS...: bedcheck trace ARGS, shown; a pass says WHAT
trace_exact() {
	name=$1 what=$2
	shift 2
	bedcheck trace "$@" >/tmp/check.out 2>&1
	rc=$?
	cat /tmp/check.out
	if [ "$rc" = 0 ]; then
		result "$name" pass "$what, $(agreed /tmp/check.out)"
	else
		result "$name" fail "$what? $(differs /tmp/check.out)"
	fi
}
echo "== exittrace --cgroup $cg/et-b (B's cgroup, no -p) vs what B's guest executed:"
trace_exact trace-cgroup "exittrace --cgroup: B's workload only" /tmp/pb.json /tmp/et-cg.json
# not_counted NAME WHAT ARGS...: bedcheck ARGS must find a difference
# (rc 1 with a row that differs: rc 1 alone may be "nothing could be
# judged"; 0 matched, 2 unreadable); a pass says WHAT is not counted
not_counted() {
	name=$1 what=$2
	shift 2
	bedcheck "$@" >/tmp/check.out 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -Eq '<-+ (differs|missing)' /tmp/check.out; then
		result "$name" pass "$what is not what --cgroup counted: $(grep -c '<-' /tmp/check.out) rows differ"
	else
		cat /tmp/check.out
		result "$name" fail "bedcheck $1 rc=$rc: exittrace --cgroup matched $what too (or nothing was compared)"
	fi
}
not_counted trace-cgroup-other "A's workload" trace /tmp/pa.json /tmp/et-cg.json

# --per-vcpu -p A: the rows of KVM id 0 are vCPU 0's workload, of id
# $id1 vCPU 1's (which differ by $step of each kind)
for v in 0 1; do
	id=0
	[ $v = 1 ] && id=$id1
	echo "== exittrace --per-vcpu -p A, rows of vCPU id $id vs what vCPU $v of A executed:"
	trace_exact trace-per-vcpu-$v "vCPU id $id's rows: vCPU $v's workload" \
		/tmp/pa.json /tmp/et-pv.json --pid $pa --vcpu $v --et-vcpu $id
done
# the table people read: within 80 columns without -P (its widest line
# here), with a TOTAL row and a VCPU column under --per-vcpu
echo "== exittrace --per-vcpu -p A, its summary table:"
cat /tmp/et-pv.txt
echo "== exittrace --sort time -p B, its summary table:"
cat /tmp/et-tbl.txt
width=$(sed -n '/^ISA REASON/,/^ *TOTAL/p' /tmp/et-tbl.txt | awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }')
# the key table: its header and the rows of its kinds that follow it
kwidth=$(awk '/^KIND  *KEY/ { t = 1 } t && !/^(KIND|port|mmio|msr|gpa|hypercall) / { t = 0 }
	t && length($0) > w { w = length($0) } END { print w + 0 }' /tmp/et-tbl.txt)
if [ "$width" -le 80 ] && grep -q '^ISA REASON  *COUNT COUNT%  TIME%  *AVG  STDDEV  *MIN  *MAX$' /tmp/et-tbl.txt &&
   [ "$kwidth" -gt 0 ] && [ "$kwidth" -le 80 ] && grep -q '^KIND  *KEY  *DIR  *COUNT  *AVG  *MIN  *MAX$' /tmp/et-tbl.txt &&
   grep -Eq '^port +0x5c20 +(in|out) +[0-9]+ ' /tmp/et-tbl.txt &&
   grep -q "^PID  *VM  *VCPU ISA REASON  *COUNT COUNT%  TIME%  *AVG  STDDEV  *MIN  *MAX$" /tmp/et-pv.txt &&
   grep -q "^$pa  *-  *$id1  *SVM \|^$pa  *-  *$id1  *VMX " /tmp/et-pv.txt && grep -q '^ *TOTAL' /tmp/et-pv.txt; then
	result trace-table pass "default table $width columns wide, --by's $kwidth; --per-vcpu: a VCPU column, vCPU id $id1's rows, a TOTAL row"
else
	result trace-table fail "default table $width columns wide, --by's ${kwidth:-no} table (each at most 80), or the --per-vcpu table lacks its header, a row of vCPU id $id1 or TOTAL: $(head -n3 /tmp/et-pv.txt | tr '\n' '|')"
fi

others=$(bedcheck row /tmp/et-vm.json CPUID --pid $pb count)
if [ "$others" -gt 0 ]; then
	result trace-per-vm pass "exittrace -P kept VM B apart from VM A: a row of its own, $others CPUID exits of pid $pb"
else
	result trace-per-vm fail "exittrace -P had no CPUID row for VM B (pid $pb)"
fi

# keys_check NAME PROBE_JSON EXITTRACE_JSON PID: exittrace --by vs the guest
keys_check() {
	echo "== $1: exittrace --by, keys of pid $4, vs what the guest used:"
	if bedcheck keys "$2" "$3" --pid "$4" >/tmp/keys.out 2>&1; then
		cat /tmp/keys.out
		result "$1" pass "$(tail -n1 /tmp/keys.out), each exactly as the guest used it"
	else
		cat /tmp/keys.out
		result "$1" fail "$(grep -m1 'differs\|missing\|never\|latencies\|bedcheck' /tmp/keys.out)"
	fi
}
keys_check trace-keys-a /tmp/pa.json /tmp/et-keys.json $pa
keys_check trace-keys-b /tmp/pb.json /tmp/et-keys.json $pb
keys_check trace-keys-classic /tmp/pb.json /tmp/et-classic.json 0
# --cgroup with --by, no -P (its key rows pid 0, the VMs added up): B's
# keys exactly, so none of A's (A's counts are not B's: na, nb above)
keys_check trace-cgroup-keys /tmp/pb.json /tmp/et-cg.json 0
not_counted trace-cgroup-keys-other "A's keys" keys /tmp/pa.json /tmp/et-cg.json --pid 0
retired=$(bedcheck get /tmp/et-keys.json retired_keys)
if [ "${retired:-0}" -gt 0 ]; then
	result trace-keys-retired pass "$retired keys of the exited VMs left the map before the end, and still count (trace-keys-a, -b)"
else
	result trace-keys-retired fail "no key retired: ${retired:-no retired_keys in /tmp/et-keys.json}"
fi
echo "== exittrace -P --by --record: key lines read back, the intervals add up"
if /tests/check_record.sh /tmp/et-keys.csv /tmp/et-keys.json >/tmp/rec.out 2>&1 &&
   grep -q ',key,' /tmp/et-keys.csv; then
	cat /tmp/rec.out
	result trace-keys-record pass "$(grep -c ',key,' /tmp/et-keys.csv) key lines; $(agreed /tmp/rec.out)"
else
	cat /tmp/rec.out
	result trace-keys-record fail "$(grep -m1 'differs\|exitrecord\|check_record\|bedcheck' /tmp/rec.out) ($(grep -c ',key,' /tmp/et-keys.csv) key lines)"
fi

echo "== exittrace -P --record: the timeline's per-VM sums vs its final summary"
if /tests/check_record.sh /tmp/et-vm.csv /tmp/et-vm.json >/tmp/rec.out 2>&1; then
	cat /tmp/rec.out
	result trace-record pass "(VM, reason) rows, interval sums == final summary: $(agreed /tmp/rec.out)"
else
	cat /tmp/rec.out
	result trace-record fail "$(grep -m1 'differs\|exitrecord\|check_record\|bedcheck' /tmp/rec.out)"
fi

# Pairing by vCPU: vm_switch runs a vCPU of VM A and a vCPU of VM B on
# one thread, in turn, one exit each.  No I/O exit is ever followed by an
# entry of its own vCPU, so none may get a latency, and all but the last
# (still pending at the end) are unpaired.  tp_btf tells the vCPUs apart
# by their struct kvm_vcpu, so both have KVM id 0 there; the classic
# tracepoints only have vcpu_id, so B's vCPU gets id 1 for them.
# Every exit here leaves KVM_RUN before its entry, so each one waits in
# the per-CPU slot and is moved to task storage at kvm_arch_vcpu_put():
# the bed kernels take fentry there, and the classic run takes the
# kprobe instead (EXITTRACE_TEST_PUT), so both hooks are proved; a
# silent fallback to task storage fails the check.  On a kernel before
# 6.10 the slot is off and exits wait in task storage from the start: the
# line saying so, with its reason, is required there instead.
# true on a kernel older than 6.10 (the Debian 6.1 beds)
kernel_before_6_10() {
	local r major minor
	r=$(uname -r)
	major=${r%%.*}
	minor=${r#*.}
	minor=${minor%%.*}
	[ "$major" -lt 6 ] || { [ "$major" = 6 ] && [ "$minor" -lt 10 ]; }
}
pair_check() {	# pair_check NAME EXITTRACE_OPTS VM_SWITCH_OPTS PUT_HOOK
	pn=50
	rm -f /tmp/sw.in
	mkfifo /tmp/sw.in
	vm_switch --wait -n $pn -t 120 $3 </tmp/sw.in >/tmp/sw.out 2>&1 &
	sw=$!
	exec 9>/tmp/sw.in
	if ! wait_for /tmp/sw.out 'ready pid'; then
		exec 9>&-
		result "$1" fail "vm_switch --wait did not get ready: $(tail -n1 /tmp/sw.out)"
		return
	fi
	# -v: its start, step by step with libbpf's messages, so that a start
	# that stalls (seen twice, with --attach classic, cause open) shows where
	EXITTRACE_TEST_PUT=$4 exittrace -v -s -j $2 -p $sw >/tmp/et-sw.json 2>/tmp/et-sw.err &
	etsw=$!
	if ! wait_for /tmp/et-sw.err 'attached ('; then
		echo "pair: exittrace $2 did not attach; state $(cut -d' ' -f3 /proc/$etsw/stat 2>/dev/null), wchan $(cat /proc/$etsw/wchan 2>/dev/null), stack: $(tr '\n' ' ' </proc/$etsw/stack 2>/dev/null)"
		echo "pair: its last words:"
		tail -n 20 /tmp/et-sw.err
	fi
	echo go >&9
	wait $sw
	swrc=$?
	exec 9>&-
	stop_exittrace $etsw /tmp/et-sw.json
	cat /tmp/sw.out
	grep -v '^libbpf: ' /tmp/et-sw.err
	set -- "$@" $(bedcheck row /tmp/et-sw.json IO_INSTRUCTION,IOIO count unpaired lat_count)
	count=$5 unpaired=$6 lat=$7
	want=$((2 * (pn + 1)))
	got="I/O exits $count, unpaired $unpaired, with a latency $lat"
	# before 6.10 (no bpf_preempt_disable()) the slot stays off, and says why
	slot="per-CPU slot, moved to task storage by $4 on kvm_arch_vcpu_put"
	kernel_before_6_10 && slot="task storage: the kernel has no bpf_preempt_disable() (Linux 6.10)"
	grep -q "$slot" /tmp/et-sw.err || slot="NOT: $(grep -m1 'pending exits' /tmp/et-sw.err)"
	if [ "$swrc" = 0 ] && [ "$etrc" = 0 ] && [ "$count" = $want ] && [ "$lat" = 0 ] &&
	   [ "$unpaired" = $((want - 1)) ] && [ "${slot#NOT}" = "$slot" ]; then
		result "$1" pass "exittrace $2 over vm_switch $3: $got: no latency crossed vCPUs (exits in the $slot)"
	else
		result "$1" fail "vm_switch rc=$swrc exittrace rc=$etrc: $got (want $want, $((want - 1)), 0); the $4 slot: $slot"
	fi
}
pair_check trace-pair-btf "" "" fentry
pair_check trace-pair-classic "--attach classic" "--b-id 1" kprobe

# Time in KVM, one exittrace at a time.  Every instance's kvm_exit program
# runs before the patch's cycle window opens and its fexit program inside
# it, so a second instance's programs would land in one witness's window
# and not in the other's.  exit_probe (1 vCPU, 300 of each kind) holds its
# VM after the last exit, exitstat -p reads the patch's cycles, and
# exitdiff --time judges every reason of 100 exits or more: within 5%.
# Where the times are judged strictly: in Bochs, whose TSC and clocks
# follow the instructions it executed, within 5% (the kretprobe, whose
# return path is about 5% of Bochs' shortest exits, within 10%).  In QEMU
# the TSC follows the host's clock: when the host deschedules the
# emulator's thread (a 4 ms slice) inside the few hundred ns of an exit
# that only one witness's window covers, that reason's sum moves by up to
# 30% (seen in 3 of 14 QEMU runs, BPF_LAT_MAX shows the stalled exit); so
# there the judged reasons are judged together, within QEMU_TIME_PCT
# (lib.sh says why 15%), which the early witness (+68% to +75%) fails.
tol_fexit=5 tol_kprobe=10
if [ "$(arg bed)" = qemu ]; then
	tol_fexit=$QEMU_TIME_PCT tol_kprobe=$QEMU_TIME_PCT
fi
time_verdict() { sed -n 's/^exitdiff: time in KVM //p' "/tmp/$1.diff" | cut -c1-160; }
echo "time: clocksource $(cat /sys/devices/system/clocksource/clocksource0/current_clocksource 2>/dev/null) (bpf_ktime_get_ns reads it; the patch reads the TSC)"
for how in fexit kprobe; do
	eval "pct=\$tol_$how"
	time_run trace-time-$how "" "--kvm-time $how" $pct
	if [ "$trrc $etrc $diffrc" = "0 0 0" ] && grep -q 'judged reasons \(together \)*within' /tmp/trace-time-$how.diff; then
		result trace-time-$how pass "$(time_verdict trace-time-$how)"
	else
		result trace-time-$how fail "probe rc=$trrc exittrace rc=$etrc exitdiff rc=$diffrc: $(grep -h 'differs\|exitdiff: \(no\|exittrace\|the\|cannot\)\|exittrace: --kvm' /tmp/trace-time-$how.diff /tmp/trace-time-$how.err | head -n2 | tr -s ' \n' ' ')"
	fi
done
# the broken witness: ending at fentry (handle_exit() called, not returned).
# On 6.1's SVM, whose kvm_exit fires inside svm_handle_exit(), the fentry
# comes before the exit it would end, so every exit then ends at its
# kvm_entry instead: late rather than early, and it must fail all the same.
# (judged with the tolerance the good fexit witness passed with)
time_run trace-time-early EXITTRACE_TEST_KVM_END=fentry "--kvm-time fexit" $tol_fexit
if [ "$trrc $etrc $diffrc" = "0 0 1" ] && grep -q 'all [0-9]* reasons agree' /tmp/trace-time-early.diff &&
   grep -q 'time differs' /tmp/trace-time-early.diff; then
	result trace-time-early pass "ending early fails, counts exact: $(sed -n 's/^exitdiff: time in KVM ([^)]*): //p' /tmp/trace-time-early.diff | cut -c1-120)"
else
	result trace-time-early fail "probe rc=$trrc exittrace rc=$etrc exitdiff rc=$diffrc (want 1, time differs): $(tail -n1 /tmp/trace-time-early.diff)"
fi
# The residual, explained: the same run with the kernel counting each
# program's run time (kernel.bpf_stats_enabled, which adds two clock reads
# per run: so a run of its own).  The residual per exit of the fexit run
# must not exceed what exittrace's own exit and fexit programs take per run.
echo 1 >/proc/sys/kernel/bpf_stats_enabled
time_run trace-time-stats "" "--kvm-time fexit"
echo 0 >/proc/sys/kernel/bpf_stats_enabled
prog_ns() {	# prog_ns NAME: ns per run of program NAME in the stats run
	bedcheck get /tmp/trace-time-stats.json prog_stats.$1.runs prog_stats.$1.ns 2>/dev/null |
		awk '$1 > 0 { printf "%d", $2 / $1 }'
}
exit_ns=$(prog_ns exit_btf)
handled_ns=$(prog_ns handled_svm)$(prog_ns handled_vmx)
entry_ns=$(prog_ns entry_btf)
resid=$(sed -n 's/^exitdiff: time in KVM .*(\([-+][0-9]*\) ns per exit)$/\1/p' /tmp/trace-time-fexit.diff)
echo "time: residual (patch - exittrace) ${resid:-?} ns per exit; per run: kvm_exit ${exit_ns:-?} ns, handled ${handled_ns:-?} ns, kvm_entry ${entry_ns:-?} ns"
if [ -n "$resid" ] && [ -n "$exit_ns" ] && [ -n "$handled_ns" ] &&
   [ "${resid#[-+]}" -le $((exit_ns + handled_ns)) ]; then
	result trace-time-residual pass "residual $resid ns/exit, within the programs' own cost: kvm_exit $exit_ns + handled $handled_ns ns/run (kvm_entry $entry_ns)"
else
	result trace-time-residual fail "residual ${resid:-?} ns/exit vs kvm_exit ${exit_ns:-?} + handled ${handled_ns:-?} ns/run"
fi

# A 5.5 s exit: vm_switch holds its one vCPU out of the guest that long
# after its one sync.  Its latency must land in the histogram's last slot
# (2^31 ns and more), not wrap round to the first, and in OpenMetrics in
# +Inf but in no finite bucket.
rm -f /tmp/lx.prom
start_waiting lx vm_switch --wait --one -n 1 --hold-ms 5500 -t 120
lx=$waiting_pid
exittrace -s -j -H -i 250ms --openmetrics /tmp/lx.prom -p $lx >/tmp/et-lx.json 2>/tmp/et-lx.err &
etlx=$!
wait_for /tmp/et-lx.err attached
echo go >&9
wait $lx
lxrc=$?
exec 9>&-
sleep 1		# a tick after the VM's end, so the metrics file has it
kill -INT $etlx
wait $etlx
etlxrc=$?
cat /tmp/lx.out /tmp/et-lx.err
set -- $(bedcheck row /tmp/et-lx.json IO_INSTRUCTION,IOIO name lat_max_ns hist_log2_ns)
lxname=$1 lxmax=$2
last=$(echo "$3" | tr -d '[]' | awk -F, '{ print $NF }')
fin=$(grep "^kvm_exit_latency_seconds_bucket{isa=\"[A-Z]*\",reason=\"$lxname\",le=\"2.147483648\"}" /tmp/lx.prom | awk '{ print $2 }')
inf=$(grep "^kvm_exit_latency_seconds_bucket{isa=\"[A-Z]*\",reason=\"$lxname\",le=\"+Inf\"}" /tmp/lx.prom | awk '{ print $2 }')
if [ "$lxrc" = 0 ] && [ "$etlxrc" = 0 ] && [ "$last" = 1 ] && [ "${lxmax:-0}" -ge 5500000000 ] &&
   [ "$fin" = 0 ] && [ "$inf" = 1 ]; then
	result trace-long-exit pass "a ${lxmax} ns $lxname exit: in the last slot; OpenMetrics le=2.147483648 0, +Inf 1"
else
	result trace-long-exit fail "vm_switch rc=$lxrc exittrace rc=$etlxrc: last slot ${last:-?}, max ${lxmax:-?} ns, le=2.147483648 ${fin:-?}, +Inf ${inf:-?}"
fi

# The drill-down as people read it: exittrace's table (-P --by, top 4 per
# kind) over a short exit_probe run of 2 vCPUs, 100 of each kind each;
# its busiest port must be the workload's OUT, 200 of them, on a row of
# its pid and no VM name (exit_probe's VM has none: "-").
start_waiting pt exit_probe --wait -n 100 -c 2 -t 120
pt=$waiting_pid
exittrace -s -P -p $pt --by port,mmio,msr,gpa,hypercall --top 4 >/tmp/et-table.out 2>/tmp/et-table.err &
ettable=$!
wait_for /tmp/et-table.err attached
echo go >&9
wait $pt
ptrc=$?
exec 9>&-
kill -INT $ettable
wait $ettable
ettablerc=$?
echo "== exittrace -s -P -p $pt --by port,mmio,msr,gpa,hypercall --top 4:"
cat /tmp/et-table.out
if [ "$ptrc" = 0 ] && [ "$ettablerc" = 0 ] &&
   grep -Eq "^$pt +- +port +0x5c20 +out +200 " /tmp/et-table.out; then
	result trace-keys-table pass "exittrace --by's table: VM $pt, port 0x5c20 out 200"
else
	result trace-keys-table fail "exit_probe rc=$ptrc exittrace rc=$ettablerc: $(grep -m1 'port' /tmp/et-table.out)"
fi
