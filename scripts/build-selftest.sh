#!/usr/bin/env bash
# The series' KVM selftest, static, from the patched tree build-modules.sh
# left in MODDIR/src (so it is the series the modules were built from),
# against that tree's own UAPI headers.
#
#   scripts/build-selftest.sh MODDIR    -> MODDIR/exit_stats_test{,.sh}
set -euo pipefail
d=$(readlink -f "${1:?usage: build-selftest.sh MODDIR}")
mkdir -p "$d/kst"
if ! { make -s -C "$d/src" O="$d/kst/hdr" headers >"$d/kst/build.log" 2>&1 &&
       make -s -C "$d/src/tools/testing/selftests/kvm" OUTPUT="$d/kst" \
		KHDR_INCLUDES="-isystem $d/kst/hdr/usr/include" \
		EXTRA_CFLAGS=-static "$d/kst/x86_64/exit_stats_test" >>"$d/kst/build.log" 2>&1; }; then
	tail -20 "$d/kst/build.log" >&2
	exit 1
fi
cp "$d/kst/x86_64/exit_stats_test" "$d/exit_stats_test"
cp "$d/src/tools/testing/selftests/kvm/x86_64/exit_stats_test.sh" "$d/exit_stats_test.sh"
