#!/usr/bin/env bash
# make demo-debian: the emulated host (QEMU TCG, AMD SVM, patched KVM)
# boots a real Debian 12 system as its guest under real QEMU, from power-on
# to the login prompt, lets it idle and presses its power button, while
# exittrace records every exit.  Prints the boot census (exits and time by
# phase and reason), the witnesses at three pause points, and leaves the
# timeline, its picture and summary in BUILD/demo-debian/.
set -uo pipefail
build=${1:-build}
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. scripts/demo-lib.sh
log=$build/logs/qemu-debian.log
out=$build/demo-debian
echo "demo-debian: booting the emulated KVM host; inside it, Debian 12 boots under QEMU -accel kvm..."
start=$(date +%s)
BED_DISK=$build/debian-guest/disk.img tests/vm/run-bed.sh qemu "$build/kernel/bzImage" \
	"$build/vm/debian.cpio.gz" debian "${DEBIAN_TIMEOUT:-1500}" "$build/logs" >/dev/null
bedrc=$?
if ! grep -aq '^@@RECORD-END' "$log"; then
	echo "demo-debian: the emulated host did not finish; see $log" >&2
	clean < "$log" | tail -n 30 >&2
	exit 1
fi
echo
echo "== The guest's console (first and last lines) =="
grep -a '  L2| ' "$log" | clean | sed 's/^  L2| /  /' | sed -n '1,5p'
echo "  ..."
grep -a '  L2| ' "$log" | clean | sed 's/^  L2| /  /' | grep -v '^ *$' | tail -n 6
clean < "$log" | grep '^debian: marked'
echo
echo "== The witnesses at three pauses (QMP stop: no vCPU can exit) =="
echo "   PATCH: the patch's counters read on the host (exitstat -p); BPF: exittrace, growth"
echo "   since the pause before; PATCH_KVM / BPF_KVM: the patch's cycles at the TSC rate and"
echo "   exittrace's time in KVM; KVM exits: stock KVM's own statistic"
print_pauses debian systemd login idle
mkdir -p "$out"
between @@RECORD-BEGIN @@RECORD-END >"$out/recording.csv"
between @@FINAL-BEGIN @@FINAL-END >"$out/exittrace-final.json"
between @@LOGIN-BEGIN @@LOGIN-END >"$out/patch-at-login.json"
between @@LOGINTABLE-BEGIN @@LOGINTABLE-END >"$out/patch-at-login.txt"
cp "$build/debian-guest/packages" "$out/packages"
tsc_khz=$(clean < "$log" | sed -n 's/^@@TSC_KHZ \([0-9]*\)$/\1/p' | tail -n1)
echo
echo "== Power-on to the login prompt: the patch's counters at that pause (exitstat -p) =="
sed 's/^/  /' "$out/patch-at-login.txt"
if [ -n "$tsc_khz" ]; then
	cycles=$("$build/bedcheck" get "$out/patch-at-login.json" total_cycles)
	echo "  = $(awk -v c="$cycles" -v k="$tsc_khz" 'BEGIN { printf "%.3f", c / k / 1000 }') s in KVM at the bed's TSC rate ($tsc_khz kHz)"
fi
echo
echo "== The life, phase by phase (exittrace -i 100ms --record; marks from the console) =="
if scripts/exitplot -o "$out" --first-phase power-on ${tsc_khz:+-k "$tsc_khz"} "$out/recording.csv" >/dev/null; then
	sed 's/^/  /' "$out/summary.md"
	echo
	echo "demo-debian: in $out/: timeline.png, summary.md, recording.csv, the patch at login, packages"
else
	echo "demo-debian: could not plot $out/recording.csv" >&2
	bedrc=1
fi
echo
clean < "$log" | grep '^@@RESULT' | sed 's/^@@RESULT /result: /'
echo "demo-debian: done in $(( $(date +%s) - start ))s (console log: $log)"
exit $bedrc
