#!/usr/bin/env bash
# Make a patched copy of a kernel source, leaving the source untouched.
#
#   scripts/patched-tree.sh WORKDIR KSRC PATCH_DIR
#
# KSRC is a kernel tree or a .tar.xz of one.  A tarball is unpacked once
# into WORKDIR/pristine (kept while the tarball is unchanged).  The copy,
# WORKDIR/src, is hard links to the pristine files, except the files the
# series in PATCH_DIR (*.patch, in name order) touches: those get private
# copies before patch(1) runs, because patch may write through a hard link
# and the pristine tree, or the user's own checkout, must never change.
# Prints the source's identity (what a cache key should hold) on stdout.
#
# The same steps as scripts/build-kernel.sh's 1 and 2, for the module
# build (scripts/build-modules.sh).
set -euo pipefail

work=${1:?usage: patched-tree.sh WORKDIR KSRC PATCH_DIR}
ksrc=${2:?usage: patched-tree.sh WORKDIR KSRC PATCH_DIR}
patch_dir=${3:?usage: patched-tree.sh WORKDIR KSRC PATCH_DIR}

die() { echo "patched-tree: error: $*" >&2; exit 1; }

if [ -f "$ksrc" ]; then
	src_id="tarball $(stat -c '%s %Y' "$ksrc") $ksrc"
elif [ -f "$ksrc/Makefile" ] && [ -d "$ksrc/arch/x86/kvm" ]; then
	src_id="tree $ksrc $(cd "$ksrc" && (git rev-parse HEAD 2>/dev/null || true))"
else
	die "KSRC=$ksrc is neither a kernel tree nor a source tarball"
fi

mkdir -p "$work"
if [ -f "$ksrc" ]; then
	pristine=$work/pristine
	if [ "$(cat "$pristine.id" 2>/dev/null)" != "$src_id" ]; then
		rm -rf "$pristine" "$pristine.id"
		mkdir -p "$pristine"
		echo "patched-tree: unpacking $ksrc" >&2
		tar -xf "$ksrc" -C "$pristine" --strip-components=1 ||
			die "cannot unpack $ksrc"
		echo "$src_id" > "$pristine.id"
	fi
else
	pristine=$(cd "$ksrc" && pwd)
fi

patches=()
while IFS= read -r p; do patches+=("$p"); done < <(ls "$patch_dir"/*.patch 2>/dev/null | sort)
[ ${#patches[@]} -gt 0 ] || die "no *.patch in $patch_dir"

tree=$work/src
rm -rf "$tree"
cp -al "$pristine" "$tree" 2>/dev/null || cp -a "$pristine" "$tree"
rm -rf "$tree/.git"
touched=$(cat "${patches[@]}" | sed -n 's|^+++ b/||p' | sort -u)
for f in $touched; do
	[ -e "$tree/$f" ] && cp --remove-destination "$pristine/$f" "$tree/$f"
done
for p in "${patches[@]}"; do
	echo "patched-tree: applying $(basename "$p")" >&2
	if ! patch -d "$tree" -p1 --forward --batch --fuzz=0 --quiet < "$p" > "$work/patch.log" 2>&1; then
		cat "$work/patch.log" >&2
		die "patch $(basename "$p") does not apply to $ksrc (is it the kernel line $patch_dir is for?)"
	fi
done
echo "$src_id"
