# demo: what "make demo" shows.  The realvm scenario with a longer idle
# phase, the host's exittrace histograms and the guest's own exitstat view
# printed in full; then the recorded timeline, exittrace's final summary
# and the bed's TSC rate go to the console for scripts/demo.sh to carry out.
#
# results: @realvm
L2_IDLE=${L2_IDLE:-$(arg idle)}
L2_IDLE=${L2_IDLE:-5}
. /tests/suites/realvm.sh
mhz=$(dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n1)
[ -n "$mhz" ] || mhz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n1)
echo "@@TSC_KHZ $(echo "$mhz" | awk '{ printf "%d", $1 * 1000 }')"
echo "@@RECORD-BEGIN"
cat "$timeline"
echo "@@RECORD-END"
echo "@@FINAL-BEGIN"
cat "$etout"
echo "@@FINAL-END"
