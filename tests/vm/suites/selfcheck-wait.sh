# selfcheck-wait: for tests/vm/selfcheck.sh only.  Waits, so that the bed
# is surely still running when the harness is stopped from outside.
#
# results: selfcheck-waited
sleep 600
result selfcheck-waited fail "nobody stopped this bed"
