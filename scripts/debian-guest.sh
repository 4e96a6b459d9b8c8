#!/usr/bin/env bash
# A small real Debian 12 system for the L2 guest of make demo-debian:
# systemd as init, dbus and logind (so the ACPI power button that QMP's
# system_powerdown presses shuts it down the way it does any Debian
# machine), a getty on the serial console, and Debian's own 6.12 kernel,
# the version of the linux-source the series builds from.  Built with
# mmdebstrap from Debian's archive; nothing is installed on this machine.
#
#   scripts/debian-guest.sh OUTDIR
#
# OUTDIR gets:
#   disk.img     ext4 root file system (sparse, 1 GiB), the guest's /dev/vda
#   vmlinuz, initrd.img   the kernel and the initramfs initramfs-tools made
#                in the image (QEMU boots them directly, as libvirt can)
#   packages     what is installed (dpkg-query), for the docs
#   key          the inputs: the package list, the kernel's version, this
#                script; a second run with the same ones does nothing
set -euo pipefail
out=${1:?usage: debian-guest.sh OUTDIR}
die() { echo "debian-guest: error: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "mmdebstrap's root mode needs root (it unpacks into a chroot)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (scripts/deps.sh installs it)"
command -v mke2fs >/dev/null || die "mke2fs is missing (e2fsprogs)"

srcver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) ||
	die "linux-source-6.12 is not installed (scripts/deps.sh installs it)"
release=${srcver%%-*}+deb12-amd64
image=linux-image-$release-unsigned
# minbase plus what a small server has: the rest comes in as dependencies
packages="systemd-sysv udev dbus kmod initramfs-tools $image"
mirrors=("deb http://deb.debian.org/debian bookworm main"
	 "deb http://deb.debian.org/debian-security bookworm-security main")
key="bookworm minbase $packages $(sha256sum "$0" | cut -c1-16)"
if [ "$(cat "$out/key" 2>/dev/null)" = "$key" ] && [ -f "$out/disk.img" ]; then
	echo "debian-guest: up to date: Debian 12 with $release"
	exit 0
fi

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
root=$out/root
start=$(date +%s)
echo "debian-guest: mmdebstrap bookworm (minbase + $packages)"
# The initramfs holds only what finds and mounts the root disk (virtio
# PCI, virtio-blk, ext4: MODULES=list): Debian's default ("most") would
# make it five times larger, with drivers this machine does not have.
# Documentation and locales are left out: nothing reads them.
# shellcheck disable=SC2016 # $1 is mmdebstrap's, in the hook's shell
mmdebstrap --mode=root --variant=minbase --include="${packages// /,}" \
	--essential-hook='mkdir -p "$1/etc/initramfs-tools/conf.d" &&
		echo MODULES=list >"$1/etc/initramfs-tools/conf.d/exittrace" &&
		printf "virtio_pci\nvirtio_blk\next4\n" >>"$1/etc/initramfs-tools/modules"' \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	--dpkgopt='path-exclude=/usr/share/locale/*' \
	bookworm "$root" "${mirrors[@]}" >"$out/mmdebstrap.log" 2>&1 ||
	{ tail -n 20 "$out/mmdebstrap.log" >&2; die "mmdebstrap failed (log: $out/mmdebstrap.log)"; }

echo exittrace-guest >"$root/etc/hostname"
echo '/dev/vda / ext4 defaults 0 1' >"$root/etc/fstab"
cp "$root/boot/vmlinuz-$release" "$out/vmlinuz" || die "no vmlinuz-$release in the image"
cp "$root/boot/initrd.img-$release" "$out/initrd.img" || die "initramfs-tools made no initrd.img-$release"
chroot "$root" dpkg-query -W -f='${Package} ${Version}\n' >"$out/packages"
mke2fs -q -t ext4 -L debian -d "$root" "$out/disk.img" 1G >/dev/null || die "mke2fs failed"
rm -rf "$root"
echo "$key" >"$out/key"
echo "debian-guest: Debian 12, $(wc -l <"$out/packages") packages, kernel $release," \
	"$(du -m "$out/disk.img" | cut -f1) MB used of 1 GiB, in $(( $(date +%s) - start ))s"
