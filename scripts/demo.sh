#!/usr/bin/env bash
# make demo: boot the emulated host (QEMU TCG, AMD SVM) with the patched
# KVM; inside it, real QEMU boots a full Linux guest with -accel kvm, which
# idles a few seconds before powering off, while exittrace records every
# exit.  Shows the host's view and the guest's, and leaves the recorded
# timeline, its picture and summary in BUILD/demo/.
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/demo-lib.sh
log=$build/logs/qemu-demo.log
out=$build/demo
echo "demo: booting the emulated KVM host (QEMU TCG -cpu max: AMD SVM)..."
start=$(date +%s)
if ! tests/vm/run-bed.sh qemu "$build/kernel/bzImage" "$build/vm/full.cpio.gz" demo \
	"${QEMU_TIMEOUT:-300}" "$build/logs" >/dev/null; then
	echo "demo: the emulated host did not finish; see $log" >&2
	exit 1
fi
echo
echo "== The guest (L2: Linux on the patched KVM, under real QEMU) =="
grep -a '  L2| ' "$log" | clean | sed 's/^  L2| /  /'
echo
echo "== The host: exittrace on kvm_exit/kvm_entry for the whole guest run =="
clean < "$log" | sed -n '/^== exittrace, the whole L2 run:/,/^== end of exittrace/p' |
	sed '1d;$d'
echo
echo "== The witnesses at three pauses (QMP stop: no vCPU can exit) =="
echo "   PATCH: the patch's counters read on the host (exitstat -p, KVM's debugfs);"
echo "   BPF: exittrace (the first attached before the VM started, each next one at the"
echo "   pause before: its rows are set beside the patch's growth since then);"
echo "   PATCH_KVM: the patch's cycles at the TSC rate; BPF_KVM: exittrace's time in KVM"
echo "   (kvm_exit to the return of handle_exit); KVM exits: stock KVM's own statistic"
print_pauses realvm early booted idle
agree=$(clean < "$log" | grep -c '^@@RESULT realvm-\(pause-[a-z]*\|qmp-stats\) pass')
echo
if [ "$agree" = 4 ]; then
	echo "verdict: at every pause every reason is equal in the patch and in exittrace, the total equals KVM's own exits statistic and QEMU's query-stats, and the patch's cycles agree with exittrace's time in KVM for every reason of 100 exits or more (residuals above)"
else
	echo "verdict: the witnesses DISAGREE at $((4 - agree)) of the pause checks; see $log"
fi
echo
echo "== The guest's own reading (patch, via CPUID, after the last pause) beside exittrace's whole run =="
echo "   (BPF also saw what the guest did after its last read: printing, poweroff)"
clean < "$log" | sed -n '/^== realvm: guest (patch) vs host/,/^exitdiff:/p' | sed '1d'
echo
# The timeline, carried out of the bed on its console.
mkdir -p "$out"
between @@RECORD-BEGIN @@RECORD-END > "$out/recording.csv"
between @@FINAL-BEGIN @@FINAL-END > "$out/exittrace-final.json"
tsc_khz=$(clean < "$log" | sed -n 's/^@@TSC_KHZ \([0-9]*\)$/\1/p' | tail -n1)
echo "== The timeline (exittrace -i 100ms --record, marks from the guest's console) =="
if scripts/exitplot -o "$out" ${tsc_khz:+-k "$tsc_khz"} "$out/recording.csv" >/dev/null; then
	sed 's/^/  /' "$out/summary.md"
	echo
	echo "demo: timeline in $out/: timeline.png, summary.md, recording.csv"
else
	echo "demo: could not plot $out/recording.csv" >&2
	exit 1
fi
echo
clean < "$log" | grep '^@@RESULT' | sed 's/^@@RESULT /result: /'
echo "demo: done in $(( $(date +%s) - start ))s (console log: $log)"
