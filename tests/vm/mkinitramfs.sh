#!/usr/bin/env bash
# Build a test-bed initramfs.
#
#   mkinitramfs.sh OUT.cpio.gz [SRC:DST]...
#
# The image holds busybox (static) with its applets, tests/vm/init as
# /init, tests/vm/lib.sh, the check scripts (and scripts/exitrecord.awk,
# which one of them uses) and tests/vm/suites/ under /tests, and every
# SRC:DST pair given (DST absolute inside the image).  A SRC ending in
# "+libs" is an ELF binary copied together with the shared libraries and
# the loader that ldd lists for it.  A SRC of the form "link=TARGET"
# makes DST a symbolic link to TARGET.  A pair replaces whatever DST was
# (a busybox applet of that name, say).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: mkinitramfs.sh OUT.cpio.gz [SRC:DST]...}
shift
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && grep -q 'statically linked' <<<"$(file -L "$busybox")" ||
	busybox=/bin/busybox
grep -q 'statically linked' <<<"$(file -L "$busybox" 2>/dev/null)" ||
	{ echo "mkinitramfs: need a static busybox (apt-get install busybox-static)" >&2; exit 1; }

stage=$(mktemp -d "${out%.cpio.gz}.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run,etc,tests,lib64}
cp "$busybox" "$stage/bin/busybox"
for applet in $("$busybox" --list-full); do
	[ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
done
install -m 0755 "$here/init" "$stage/init"
cp "$here/lib.sh" "$here/pause.sh" "$here/bench_lib.sh" "$here/check_record.sh" \
	"$here/../../scripts/exitrecord.awk" "$stage/tests/"
cp -r "$here/suites" "$stage/tests/"

copy_with_libs() {	# copy_with_libs SRC DST
	install -D -m 0755 "$1" "$stage$2"
	ldd "$1" 2>/dev/null | grep -o '/[^ ]*' | while read -r lib; do
		[ -e "$stage$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$stage$lib"
	done
}

for pair in "$@"; do
	src=${pair%%:*}
	dst=${pair#*:}
	if [ -L "$stage$dst" ] || [ -f "$stage$dst" ]; then rm -f "$stage$dst"; fi
	case $src in
	link=*) mkdir -p "$(dirname "$stage$dst")" && ln -s "${src#link=}" "$stage$dst" ;;
	*+libs) copy_with_libs "${src%+libs}" "$dst" ;;
	*)
		[ -e "$src" ] || { echo "mkinitramfs: missing $src" >&2; exit 1; }
		if [ -d "$src" ]; then
			mkdir -p "$stage$dst" && cp -r "$src"/. "$stage$dst"
		else
			install -D -m 0755 "$src" "$stage$dst"
		fi
		;;
	esac
done

(cd "$stage" && find . -print0 | sort -z | cpio --null -o -H newc --quiet) | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "initramfs: $out ($(du -h "$out" | cut -f1))"
