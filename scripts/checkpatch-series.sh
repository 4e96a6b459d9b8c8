#!/usr/bin/env bash
# checkpatch --strict over a series, judged on everything checkpatch says.
#
#   scripts/checkpatch-series.sh CHECKPATCH_PL SERIES_DIR
#
# Passes only when checkpatch exits 0 with nothing on stdout and nothing
# on stderr.  A clean series gives exactly that; a checkpatch that cannot
# open a patch or breaks in Perl exits non-zero or speaks on stderr, with
# stdout empty, and must not pass as clean.  The patches are given by
# absolute path: given "kvm-patch/..." from inside this git tree,
# checkpatch 6.12 takes the patches' blank context lines for trailing
# whitespace.
set -uo pipefail
checkpatch=${1:?usage: checkpatch-series.sh CHECKPATCH_PL SERIES_DIR}
series=${2:?usage: checkpatch-series.sh CHECKPATCH_PL SERIES_DIR}

[ -f "$checkpatch" ] || { echo "checkpatch: no $checkpatch (build the kernel first: make kernel)" >&2; exit 1; }
series=$(cd "$series" 2>/dev/null && pwd) || { echo "checkpatch: no series directory $2" >&2; exit 1; }
patches=("$series"/0*.patch)
# (a patch that is there but cannot be read is checkpatch's to refuse)
[ -e "${patches[0]}" ] || [ -L "${patches[0]}" ] || { echo "checkpatch: no 0*.patch in $series" >&2; exit 1; }

err=$(mktemp)
trap 'rm -f "$err"' EXIT
out=$(perl "$checkpatch" --no-tree --strict --terse "${patches[@]}" 2>"$err")
rc=$?
if [ "$rc" = 0 ] && [ -z "$out" ] && [ ! -s "$err" ]; then
	echo "checkpatch: ${#patches[@]} patches in $series: clean (--strict)"
	exit 0
fi
echo "checkpatch: FAILED on $series (exit $rc)" >&2
[ -n "$out" ] && echo "$out" >&2
[ -s "$err" ] && sed 's/^/  stderr: /' "$err" >&2
exit 1
