#!/usr/bin/env bash
# Print the directory of the KVM patch series (and its bed.config) that
# fits a kernel source, a tree or a tarball of one.
#
#   scripts/series-dir.sh KSRC
#
# The kernel line (major.minor) comes from `make -s kernelversion` for a
# tree, and for a tarball from its name (linux-source-6.1.tar.xz,
# linux-6.12.117.tar.xz) or else from its top-level Makefile.  Each
# supported line has its own directory; see kvm-patch/SERIES.md.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${1:?usage: series-dir.sh KSRC (a kernel tree or a .tar.* of one)}
supported="6.1 6.12"

die() { echo "series-dir: error: $*" >&2; exit 1; }

series_for_line() {
	case $1 in
	6.12)	echo "$top/kvm-patch" ;;
	6.1)	echo "$top/kvm-patch/6.1" ;;
	*)	return 1 ;;
	esac
}

# VERSION.PATCHLEVEL from a top-level kernel Makefile on stdin
makefile_line() {
	awk -F' *= *' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		END { if (v != "" && p != "") print v "." p }'
}

if [ -d "$ksrc" ]; then
	[ -f "$ksrc/Makefile" ] || die "$ksrc is a directory without a top-level Makefile, not a kernel tree"
	version=$(make -s -C "$ksrc" kernelversion 2>/dev/null) ||
		die "'make kernelversion' failed in $ksrc: is it a kernel tree?"
	line=$(echo "$version" | cut -d. -f1,2)
elif [ -f "$ksrc" ]; then
	name=$(basename "$ksrc")
	if [[ $name =~ ^linux(-source)?-([0-9]+\.[0-9]+)(\.[0-9]+)?\.tar ]]; then
		line=${BASH_REMATCH[2]}
	else
		line=$(tar -xOf "$ksrc" --wildcards --no-wildcards-match-slash '*/Makefile' \
			2>/dev/null | makefile_line) || true
		[ -n "$line" ] ||
			die "cannot tell the kernel version of $ksrc: neither its name (linux-source-X.Y.tar.xz) nor a top-level Makefile says"
	fi
else
	die "KSRC=$ksrc does not exist (give a kernel tree or a source tarball, e.g. /usr/src/linux-source-6.12.tar.xz)"
fi

dir=$(series_for_line "$line") ||
	die "Linux $line ($ksrc) is not supported; the series exists for Linux ${supported// /, } (Debian's linux-source-6.1 and linux-source-6.12)"
[ -d "$dir" ] || die "series directory $dir for Linux $line is missing"
echo "$dir"
