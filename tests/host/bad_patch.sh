#!/usr/bin/env bash
# A series that does not apply must stop the kernel build at once, naming
# the patch.  Uses the unpacked source of the last kernel build as KSRC
# (a tree: only hard links are made) and a copy of the series whose first
# patch has one context line changed, which --fuzz=0 must refuse, and
# the given source tree must come out of it unchanged.
#
#   tests/host/bad_patch.sh BUILD_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/series"
series=$("$top/scripts/series-dir.sh" "$build/kernel/pristine") || exit 1
first=$(ls "$series"/0001-*.patch)
sed 's/^ #include "lapic.h"$/ #include "lapic-renamed.h"/' "$first" > "$tmp/series/$(basename "$first")"
cmp -s "$first" "$tmp/series/$(basename "$first")" && { echo "bad_patch: could not break the patch"; exit 1; }
# the failed run must leave the source it was given untouched
touched=$(sed -n 's|^+++ b/||p' "$first" | sort -u)
sums_before=$(cd "$build/kernel/pristine" && md5sum $touched 2>/dev/null)
out=$(PATCH_DIR=$tmp/series "$top/scripts/build-kernel.sh" "$tmp/out" "$build/kernel/pristine" 2>&1)
rc=$?
sums_after=$(cd "$build/kernel/pristine" && md5sum $touched 2>/dev/null)
if [ "$sums_before" != "$sums_after" ]; then
	echo "FAIL bad-patch-stops-build: the failed build changed the source tree it was given"
	echo "0 passed, 1 failed"
	exit 1
fi
if [ "$rc" != 0 ] && grep -q "error: patch $(basename "$first") does not apply" <<<"$out" &&
   [ ! -e "$tmp/out/obj/vmlinux" ]; then
	echo "ok   bad-patch-stops-build: $(echo "$out" | grep 'error: patch')"
	echo "1 passed, 0 failed"
	exit 0
fi
echo "FAIL bad-patch-stops-build: rc=$rc"
echo "$out" | tail -n 10
echo "0 passed, 1 failed"
exit 1
