# selfcheck-skip: for tests/vm/selfcheck.sh only.  Its one test skips
# (exit 4, KSFT_SKIP), as a test whose feature is missing does; it is not
# on a "skips:" line, so run-bed.sh must fail the bed for it.
#
# results: selfcheck-skipper
run_test selfcheck-skipper sh -c 'echo "selfcheck: the feature this test needs is missing"; exit 4'
