# demo-lib.sh - what scripts/demo.sh and scripts/demo-debian.sh both
# print from a bed's console log $log (sourced, bash).

# the console without carriage returns and terminal colour codes
clean() { tr -d '\r' | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'; }
# the lines between two marker lines of the log
between() { clean < "$log" | sed -n "/^$1\$/,/^$2\$/p" | sed '1d;$d'; }

# print_pauses SUITE POINT...: the query-stats sums, then each pause
# point's table and result, as tests/vm/pause.sh printed them
print_pauses() {
	local suite=$1 p
	shift
	clean < "$log" | sed -n "/^$suite: pause .*query-stats/p" | sed "s/^$suite: /  /"
	for p in "$@"; do
		echo
		echo "-- paused: $p"
		clean < "$log" | sed -n "/^-- pause '$p'/,/^exitdiff: time/p" | sed '1d'
		clean < "$log" | sed -n "s/^@@RESULT $suite-pause-$p /  /p"
	done
}
