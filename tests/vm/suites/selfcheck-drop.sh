# selfcheck-drop: for tests/vm/selfcheck.sh only.  It reports one of the
# two results its list names, and one that its list does not: run-bed.sh
# must fail the bed for both.
#
# results: selfcheck-reported selfcheck-dropped
result selfcheck-reported pass "this one is reported"
result selfcheck-unlisted pass "this one is not in the results list"
