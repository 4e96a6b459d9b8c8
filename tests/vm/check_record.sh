#!/bin/sh
# check_record.sh RECORD EXITTRACE_JSON
#
# An `exittrace --record` file must read back (exitrecord.awk checks every
# line, each interval's sum and the end record), and its intervals must
# add up, per (VM, reason), to exactly what the same exittrace process
# printed as its final summary (-s -j): the recording loses nothing and
# invents nothing.  bedcheck compares the two (exits and latency sums);
# exits 1 on any difference, or when nothing was counted.  busybox sh.
rec=$1 summary=$2
here=$(cd "$(dirname "$0")" && pwd)
awkf=$here/exitrecord.awk
[ -f "$awkf" ] || awkf=$here/../../scripts/exitrecord.awk
bedcheck=${BEDCHECK:-bedcheck}
sums=$(mktemp)
trap 'rm -f "$sums"' EXIT

if ! awk -v sums=1 -f "$awkf" "$rec" >"$sums"; then
	echo "check_record: $rec does not read back"
	exit 1
fi
"$bedcheck" record "$sums" "$summary"
