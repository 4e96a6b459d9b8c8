#!/usr/bin/env bash
# Debian's own binary kernel of a line, for the distro bed: the
# linux-image (unsigned: the same kernel as the signed one, without the
# shim chain the bed has no use for) and linux-headers packages whose
# version is that of the linux-source package the series builds from.
# Fetched with apt-get download and unpacked, never installed.
#
#   scripts/distro-kernel.sh LINE OUTDIR      (LINE: 6.12 or 6.1)
#
# OUTDIR gets what a user's host has and build-modules.sh reads:
#   vmlinuz  release  version  config  Module.symvers
#   vmlinux       the kernel's BTF, raw, as /sys/kernel/btf/vmlinux has it
#                 (from the headers' BTF-only vmlinux, or out of vmlinuz)
#   modroot/lib/modules/REL/   the stock KVM modules and what they need,
#                 as Debian ships them (xz), with their depmod files
# Keyed on the package versions: a second run with the same ones does
# nothing.
set -euo pipefail
line=${1:?usage: distro-kernel.sh LINE OUTDIR}
out=${2:?usage: distro-kernel.sh LINE OUTDIR}
die() { echo "distro-kernel: error: $*" >&2; exit 1; }
# Does ELF $1 carry a .BTF section?  (Read objdump's whole answer first:
# with pipefail, "objdump | grep -q" fails whenever grep stops reading
# before objdump has written all of its section list.)
has_btf() { grep -q ' \.BTF ' <<<"$(objdump -h "$1" 2>/dev/null)"; }

# the archive's version of package $1 (the first apt-cache lists)
pkg_version() { apt-cache show --no-all-versions "$1" 2>/dev/null | sed -n 's/^Version: //p' | head -n1; }

# no package lists yet (a machine whose packages were all there, so
# deps.sh never ran apt-get update): read them once
if [ -z "$(apt-cache search --names-only "^linux-image-$line" 2>/dev/null)" ]; then
	apt-get update -q >/dev/null || die "apt-get update failed"
fi

srcver=$(dpkg-query -W -f='${Version}' "linux-source-$line" 2>/dev/null) ||
	die "linux-source-$line is not installed (scripts/deps.sh installs it)"
upstream=${srcver%%-*}

# the image package built from that source version
image=
case $line in
6.12)	image=linux-image-$upstream+deb12-amd64-unsigned ;;
6.1)	# 6.1.0-ABI-amd64: the ABI number is not in the source's version
	for p in $(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64-unsigned$' | cut -d' ' -f1); do
		# (no grep -q straight off apt-cache: with pipefail its SIGPIPE fails the test)
		if [ "$(pkg_version "$p")" = "$srcver" ]; then
			image=$p
			break
		fi
	done ;;
*)	die "no Debian kernel line $line (6.12 or 6.1)" ;;
esac
[ -n "$image" ] && [ "$(pkg_version "$image")" = "$srcver" ] ||
	die "Debian's archive has no linux-image for linux-source-$line $srcver
  (apt-get update first; the archive may have moved on: then install the
  linux-source-$line that matches the newest linux-image)"
release=${image#linux-image-}
release=${release%-unsigned}
key="$image $srcver $(sha256sum "$0" | cut -c1-16)"
if [ "$(cat "$out/key" 2>/dev/null)" = "$key" ] && [ -f "$out/vmlinuz" ]; then
	echo "distro-kernel: up to date: Debian $release ($srcver)"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/debs" "$out/root"
out=$(cd "$out" && pwd)
common=$(apt-cache show "linux-headers-$release" | sed -n 's/^Depends: .*\(linux-headers-[^ ,]*-common\).*/\1/p' | head -n1)
kbuild=$(apt-cache show "linux-headers-$release" | sed -n 's/^Depends: .*\(linux-kbuild-[^ ,]*\).*/\1/p' | head -n1)
echo "distro-kernel: fetching $image, linux-headers-$release, $common, $kbuild ($srcver)"
(cd "$out/debs" && apt-get download -q -o APT::Sandbox::User=root "$image=$srcver" "linux-headers-$release=$srcver" \
	"$common=$srcver" "$kbuild=$srcver" >/dev/null) || die "apt-get download failed"
for d in "$out"/debs/*.deb; do
	dpkg-deb -x "$d" "$out/root" || die "cannot unpack $d"
done

r=$out/root
hdr=$r/usr/src/linux-headers-$release
cp "$r/boot/vmlinuz-$release" "$out/vmlinuz"
cp "$r/boot/config-$release" "$out/config"
cp "$hdr/Module.symvers" "$out/Module.symvers"
# The kernel's BTF, the base of the modules' own.  6.12's headers package
# ships a BTF-only vmlinux for that; 6.1's does not, so there it comes out
# of vmlinuz: the ELF vmlinux is the compressed payload that starts at the
# first xz (or zstd, gzip) magic, and its .BTF section is what
# /sys/kernel/btf/vmlinux holds on such a host.
if [ -f "$hdr/vmlinux" ]; then
	elf=$hdr/vmlinux
else
	elf=$out/vmlinux.elf
	for z in 'xz -dc --single-stream:\xfd7zXZ\x00' 'zstd -dcq:\x28\xb5\x2f\xfd' 'gzip -dc:\x1f\x8b\x08'; do
		off=$(LC_ALL=C grep -obUaP -m1 "${z#*:}" "$out/vmlinuz" | head -n1 | cut -d: -f1 || true)
		[ -n "$off" ] || continue
		tail -c +$((off + 1)) "$out/vmlinuz" | ${z%%:*} >"$elf" 2>/dev/null || true
		has_btf "$elf" && break
	done
fi
has_btf "$elf" || die "no BTF for $release (in $elf)"
objcopy -O binary --only-section=.BTF "$elf" "$out/vmlinux"
rm -f "$out/vmlinux.elf"
echo "$release" >"$out/release"
echo "$upstream" >"$out/version"

# The KVM modules and their dependencies, as shipped
mods=$r/lib/modules/$release
dst=$out/modroot/lib/modules/$release
want="kvm kvm-intel kvm-amd"
have=
while [ -n "$(echo $want)" ]; do
	set -- $want
	m=$1
	shift
	want="$*"
	case " $have " in *" $m "*) continue ;; esac
	f=$(find "$mods/kernel" -name "$m.ko*" -o -name "$(echo "$m" | tr - _).ko*" | head -n1)
	[ -n "$f" ] || die "no module $m in $image"
	mkdir -p "$dst/$(dirname "${f#$mods/}")"
	cp "$f" "$dst/${f#$mods/}"
	have="$have $m"
	want="$want $(/sbin/modinfo -F depends "$f" | tr ',' ' ')"
done
cp "$mods"/modules.builtin "$mods"/modules.builtin.modinfo "$mods"/modules.order "$dst/"
/sbin/depmod -b "$out/modroot" "$release" || die "depmod failed"
rm -rf "$out/root" "$out/debs"
echo "$key" >"$out/key"
echo "distro-kernel: Debian $release ($srcver):$have"
