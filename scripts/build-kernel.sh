#!/usr/bin/env bash
# Build the patched test-bed kernel.
#
#   scripts/build-kernel.sh OUTDIR [KSRC]
#
# KSRC is a kernel tree, or a .tar.xz of one (default: Debian's
# linux-source-6.12).  The series for the kernel's line, as
# scripts/series-dir.sh picks it (kvm-patch/ for 6.12, kvm-patch/6.1/ for
# 6.1; series order, *.patch), is applied to a hard-linked copy of the
# tree, so the user's own checkout is never modified, and the kernel is
# configured from tinyconfig plus that directory's bed.config.
#
# PATCH_DIR and CONFIG_FRAGMENT (several files, space-separated, later
# ones win) name other inputs, for tests of this script and for the
# modular bed kernels (make test-modules).
#
# The result is OUTDIR/bzImage.  A kernel with KVM as modules (CONFIG_KVM=m)
# also gets its modules installed under OUTDIR/modroot/lib/modules/REL/,
# and the kernel's BTF as raw BTF in OUTDIR/vmlinux.btf (what
# /sys/kernel/btf/vmlinux holds when it runs).  It is rebuilt only when
# an input changes: the source identity, the patches, the config
# fragments or this script.
# The object directory is kept across input changes, so a new patch
# recompiles only what it touches.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-kernel.sh OUTDIR [KSRC]}
ksrc=${2:-/usr/src/linux-source-6.12.tar.xz}
jobs=${JOBS:-$(( $(nproc) + 1 ))}
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "build-kernel: error: $*" >&2; exit 1; }

if [ -f "$ksrc" ]; then
	src_id="tarball $(stat -c '%s %Y' "$ksrc") $ksrc"
elif [ -f "$ksrc/Makefile" ] && [ -d "$ksrc/arch/x86/kvm" ]; then
	src_id="tree $ksrc $(cd "$ksrc" && (git rev-parse HEAD 2>/dev/null || true))"
	if (cd "$ksrc" && git rev-parse HEAD >/dev/null 2>&1) &&
	   [ -n "$(cd "$ksrc" && git status --porcelain -uno 2>/dev/null)" ]; then
		src_id="$src_id dirty-$(date +%s)"	# uncommitted edits: always rebuild
	fi
else
	die "KSRC=$ksrc is neither a kernel tree nor a source tarball
  (install Debian's linux-source-6.12 or linux-source-6.1, or point KSRC at a Linux 6.12 or 6.1 checkout)"
fi

series_dir=
if [ -z "${PATCH_DIR:-}" ] || [ -z "${CONFIG_FRAGMENT:-}" ]; then
	series_dir=$("$top/scripts/series-dir.sh" "$ksrc") || exit 1
fi
patches=()
patch_dir=${PATCH_DIR:-$series_dir}
while IFS= read -r p; do patches+=("$p"); done < <(ls "$patch_dir"/*.patch 2>/dev/null | sort)
fragment=${CONFIG_FRAGMENT:-$series_dir/bed.config}
read -r -a fragments <<< "$fragment"

key=$( { echo "$src_id"; cat "${patches[@]}" "${fragments[@]}" "$0"; } | sha256sum | cut -c1-16)
if [ -f "$out/bzImage" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$key" ]; then
	echo "kernel: up to date ($key)"
	exit 0
fi

echo "kernel: building $key from $ksrc with ${#patches[@]} patch(es)"
rm -f "$out/bzImage" "$out/key"

# 1. pristine source, unpacked once per tarball
if [ -f "$ksrc" ]; then
	pristine=$out/pristine
	if [ "$(cat "$pristine.id" 2>/dev/null)" != "$src_id" ]; then
		rm -rf "$pristine" "$pristine.id"
		mkdir -p "$pristine"
		echo "kernel: unpacking $ksrc"
		tar -xf "$ksrc" -C "$pristine" --strip-components=1 ||
			die "cannot unpack $ksrc"
		echo "$src_id" > "$pristine.id"
	fi
else
	pristine=$(cd "$ksrc" && pwd)
fi

# 2. patched tree: hard links to the pristine files, except the ones the
#    series changes.
tree=$out/src
rm -rf "$tree"
cp -al "$pristine" "$tree" 2>/dev/null || cp -a "$pristine" "$tree"
rm -rf "$tree/.git"
# The files the series touches get private copies first: patch(1) may
# write through a hard link (it did, on a failed hunk), and the pristine
# tree, or the user's own checkout, must never change.
touched=$(cat "${patches[@]}" /dev/null | sed -n 's|^+++ b/||p' | sort -u)
for f in $touched; do
	[ -e "$tree/$f" ] && cp --remove-destination "$pristine/$f" "$tree/$f"
done
for p in "${patches[@]}"; do
	echo "kernel: applying $(basename "$p")"
	if ! patch -d "$tree" -p1 --forward --batch --fuzz=0 --quiet < "$p" > "$out/patch.log" 2>&1; then
		cat "$out/patch.log" >&2
		die "patch $(basename "$p") does not apply to $ksrc"
	fi
done

# Files patched now or by the previous build get a fresh mtime, so that
# make notices both a new change and one that was taken back.
for f in $touched $(cat "$out/touched" 2>/dev/null); do
	[ -e "$tree/$f" ] && touch "$tree/$f"
done
echo "$touched" > "$out/touched"

# 3. configure: tinyconfig + fragment, then check every option stuck
obj=$out/obj
mkdir -p "$obj"
kmake() { make -C "$tree" O="$obj" -s "$@"; }
kmake tinyconfig > "$out/config.log" 2>&1 || die "tinyconfig failed: $(tail -5 "$out/config.log")"
"$tree"/scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "${fragments[@]}" >> "$out/config.log" 2>&1 ||
	die "merging $fragment failed"
kmake olddefconfig >> "$out/config.log" 2>&1 || die "olddefconfig failed"
# the last value each option gets in the fragments is the one to check
missing=$(cat "${fragments[@]}" | grep -E '^CONFIG_[A-Z0-9_]+=[ym]$' |
	awk -F= '{ v[$1] = $0 } END { for (k in v) print v[k] }' | while read -r line; do
	grep -qx "$line" "$obj/.config" || echo "${line%=?}"
done)
[ -z "$missing" ] || die "config options dropped by olddefconfig (missing dependency?): $missing"

# 4. build
start=$(date +%s)
targets=bzImage
modular=
if grep -qx 'CONFIG_KVM=m' "$obj/.config"; then
	modular=yes
	targets="bzImage modules"
fi
# shellcheck disable=SC2086 # two words on purpose
if ! kmake -j"$jobs" $targets > "$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -30 >&2
	tail -20 "$out/build.log" >&2
	die "kernel build failed; full log: $out/build.log"
fi
if [ -n "$modular" ]; then
	rm -rf "$out/modroot"
	kmake INSTALL_MOD_PATH="$out/modroot" modules_install >> "$out/build.log" 2>&1 ||
		die "modules_install failed; full log: $out/build.log"
	objcopy -O binary --only-section=.BTF "$obj/vmlinux" "$out/vmlinux.btf" ||
		die "cannot extract the BTF of $obj/vmlinux"
fi
cp "$obj/arch/x86/boot/bzImage" "$out/bzImage"
echo "$key" > "$out/key"
echo "kernel: built in $(( $(date +%s) - start ))s: $out/bzImage"
