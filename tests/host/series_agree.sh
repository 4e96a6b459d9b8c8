#!/usr/bin/env bash
# The 6.12 series (kvm-patch/) and the 6.1 series (kvm-patch/6.1/) must add
# the same exit_stats.c and exit_stats.h except for the places that
# kvm-patch/SERIES.md lists ("6.1 and 6.12"), whose exact diff is kept in
# tests/host/fixtures/exit_stats-6.1.diff; the selftests must use the same
# ABI constants; and the 6.1 bed.config must be the 6.12 one plus
# CONFIG_MODULES=y.  A change made to one series only fails here.
#
#   tests/host/series_agree.sh           check
#   tests/host/series_agree.sh --update  rewrite the fixture (after a
#                                        deliberate change; update SERIES.md)
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
new=$top/kvm-patch
old=$top/kvm-patch/6.1
fixture=$top/tests/host/fixtures/exit_stats-6.1.diff

# The text of FILE as the patches in DIR add it (a file the series creates)
added_file() {	# added_file DIR FILE
	cat "$1"/0*.patch | awk -v f="+++ b/$2" '
		/^diff --git / { on = 0 }
		$0 == f { on = 1; next }
		on && /^\+/ { print substr($0, 2) }'
}

diffs=""
for f in arch/x86/kvm/exit_stats.c arch/x86/kvm/exit_stats.h; do
	a=$(added_file "$new" "$f")
	b=$(added_file "$old" "$f")
	if [ -z "$a" ] || [ -z "$b" ]; then
		echo "series_agree: $f is not added by both series (6.12: $(echo -n "$a" | wc -l) lines, 6.1: $(echo -n "$b" | wc -l))"
		exit 1
	fi
	diffs+=$(diff -u --label "6.12/$f" --label "6.1/$f" <(echo "$a") <(echo "$b") || true)
	diffs+=$'\n'
done

if [ "${1:-}" = --update ]; then
	echo -n "$diffs" > "$fixture"
	echo "series_agree: wrote $fixture"
	exit 0
fi
if [ "$(echo -n "$diffs")" != "$(cat "$fixture")" ]; then
	echo "series_agree: exit_stats.{c,h} differ between kvm-patch/ and kvm-patch/6.1/ in unlisted places"
	echo "  (< listed in $(basename "$fixture"), > now):"
	diff <(cat "$fixture") <(echo -n "$diffs") | head -40 || true
	echo "  Make the same change in both series, or, if the difference is meant,"
	echo "  list it in kvm-patch/SERIES.md and run: tests/host/series_agree.sh --update"
	exit 1
fi

abi='^\+#define (LEAF_[A-Z_]+|ABI_VERSION|SIGNATURE_E[BCD]X|UNDEFINED_REASON)[[:space:]]'
a=$(grep -hE "$abi" "$new"/0006-*.patch)
b=$(grep -hE "$abi" "$old"/0006-*.patch)
if [ -z "$a" ] || [ "$a" != "$b" ]; then
	echo "series_agree: the two selftests' ABI constants differ:"
	diff <(echo "$a") <(echo "$b") || true
	exit 1
fi

options() { grep -vE '^[[:space:]]*(#|$)' "$1" | sort; }
extra=$(comm -13 <(options "$new/bed.config") <(options "$old/bed.config"))
lost=$(comm -23 <(options "$new/bed.config") <(options "$old/bed.config"))
if [ "$extra" != "CONFIG_MODULES=y" ] || [ -n "$lost" ]; then
	echo "series_agree: kvm-patch/6.1/bed.config is not kvm-patch/bed.config + CONFIG_MODULES=y"
	echo "  only in 6.1: $(echo ${extra:-none}); only in 6.12: $(echo ${lost:-none})"
	exit 1
fi

echo "series_agree: exit_stats.{c,h} differ only as listed ($(grep -c '^[-+][^-+]' "$fixture") changed lines), selftest ABI and bed.config agree"
