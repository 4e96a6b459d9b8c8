#!/usr/bin/env bash
# make checkpatch must fail whenever checkpatch does not say "clean":
# a patch it cannot open, a checkpatch that cannot run, and a patch with
# a style error each fail scripts/checkpatch-series.sh, and the real
# series passes it.  Uses the checkpatch.pl of the last kernel build.
#
#   tests/host/checkpatch_fails.sh BUILD_DIR KSRC
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-build}" && pwd)
ksrc=${2:-/usr/src/linux-source-6.12.tar.xz}
cp=$build/kernel/src/scripts/checkpatch.pl
run=$top/scripts/checkpatch-series.sh
series=$("$top/scripts/series-dir.sh" "$ksrc") || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

check() {	# check NAME WANT_RC PATTERN CHECKPATCH SERIES
	local name=$1 want=$2 pattern=$3 out rc
	out=$("$run" "$4" "$5" 2>&1)
	rc=$?
	if [ "$rc" = "$want" ] && echo "$out" | grep -Eq -- "$pattern"; then
		echo "ok   $name: $(echo "$out" | grep -E -- "$pattern" | head -n1 | cut -c1-90)"
		pass=$((pass + 1))
	else
		echo "FAIL $name: rc=$rc (want $want), output:"
		echo "$out" | head -n 10 | sed 's/^/       /'
		fail=$((fail + 1))
	fi
}

check checkpatch-series-clean 0 'clean \(--strict\)' "$cp" "$series"

# a patch checkpatch cannot open: it exits non-zero, stdout empty
mkdir "$tmp/unreadable"
ln -s /nonexistent/0001-gone.patch "$tmp/unreadable/0001-gone.patch"
check checkpatch-cannot-open 1 'FAILED .*exit [1-9]' "$cp" "$tmp/unreadable"

# a checkpatch that cannot run: Perl stops on a syntax error
sed '1a sub {' "$cp" >"$tmp/broken-checkpatch.pl"
cp "$(dirname "$cp")/spelling.txt" "$tmp/" 2>/dev/null
check checkpatch-cannot-run 1 'stderr: .*syntax error|stderr: .*Missing right curly' \
	"$tmp/broken-checkpatch.pl" "$series"

# a real style error in a copy of the first patch: a line of added code
# with trailing whitespace
mkdir "$tmp/styled"
first=$(ls "$series"/0001-*.patch)
awk '!done && /^\+[^+].*;$/ { print $0 "  "; done = 1; next } { print }' "$first" \
	>"$tmp/styled/$(basename "$first")"
check checkpatch-style-error 1 'trailing whitespace' "$cp" "$tmp/styled"

echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
