#!/bin/sh
# check_record.sh RECORD EXITTRACE_JSON
#
# An `exittrace --record` file must read back (exitrecord.awk checks every
# line, each interval's sum and the end record), and its intervals must
# add up, reason by reason, to exactly what the same exittrace process
# printed as its final summary (-s -j): the recording loses nothing and
# invents nothing.  Exits 1 on any difference, or when nothing was counted.
# busybox sh + awk.
rec=$1 summary=$2
here=$(cd "$(dirname "$0")" && pwd)
awkf=$here/exitrecord.awk
[ -f "$awkf" ] || awkf=$here/../../scripts/exitrecord.awk
sums=$(mktemp)
trap 'rm -f "$sums"' EXIT

if ! awk -v sums=1 -f "$awkf" "$rec" >"$sums"; then
	echo "check_record: $rec does not read back"
	exit 1
fi
# the summary: one object per reason row -> "pid code count lat_sum_ns"
grep '"reasons":\[' "$summary" | tail -n1 | sed 's/},{/}\n{/g' | tr -d '{}[]' |
	awk -F'[:,]' '/"code"/ {
		for (i = 1; i < NF; i++) v[$i] = $(i + 1)
		pid = ("\"pid\"" in v) ? v["\"pid\""] : 0
		print pid, v["\"code\""], v["\"count\""], v["\"lat_sum_ns\""]
		delete v
	}' >"$sums.final"
awk -v rec="$rec" '
	FNR == NR {	# the record sums (tab-separated)
		if ($1 == "total") { total = $2; info = $4 " " $5 " " $6; next }
		key = $1 " " $3
		name[key] = $2 " " $4; rcount[key] = $5; rlat[key] = $7
		next
	}
	{	# the final summary
		key = $1 " " $2
		seen[key] = 1
		ok = (key in rcount) && rcount[key] == $3 && rlat[key] == $4
		printf "  pid %-6s %-4s %-20s record %9.0f %15.0f ns  exittrace %9.0f %15.0f ns  %s\n",
			$1, $2, (key in name) ? name[key] : "?", rcount[key] + 0, rlat[key] + 0,
			$3, $4, ok ? "ok" : "<-- MISMATCH"
		if (!ok) bad++
		sum += $3
	}
	END {
		for (key in rcount)
			if (!(key in seen)) {
				printf "  %-35s record %9s  exittrace none  <-- MISMATCH\n", name[key], rcount[key]
				bad++
			}
		printf "  total: record %s, exittrace %s (%s)\n", total, sum, info
		if (total + 0 == 0) { print "  nothing was counted"; bad++ }
		exit bad ? 1 : 0
	}' "$sums" "$sums.final"
rc=$?
rm -f "$sums.final"
exit $rc
