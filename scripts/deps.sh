#!/usr/bin/env bash
# Install every Debian package exittrace needs to build, test and demo.
#
# Idempotent: packages already present are left alone and apt-get is not
# called at all when nothing is missing.  Non-interactive.  Needs root (or
# sudo) only when something has to be installed.
set -euo pipefail

PKGS=(
	# toolchain
	build-essential clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
	pkg-config
	# kernel build (BTF needs pahole from dwarves)
	linux-source-6.12 linux-source-6.1 dwarves flex bison bc libssl-dev xz-utils kmod
	# initramfs and test beds
	cpio busybox-static qemu-system-x86
	bochs bochs-term bochsbios vgabios
	isolinux syslinux-common genisoimage
	# checkpatch.pl's SPDX check
	python3-ply python3-git
	# reports and benchmarks (libtraceevent-dev: the static perf of
	# make bench; file: mkinitramfs.sh and build-perf.sh check binaries)
	gnuplot-nox libtraceevent-dev file
	# make bench-native: perf stat and perf record as peers on the host
	linux-perf
	# exittrace --listen (libmicrohttpd), and the metrics' real readers
	# (tests/host/metrics.sh, http.sh)
	libmicrohttpd-dev prometheus prometheus-node-exporter curl
	# the man pages rendered with groff's warnings, the systemd unit
	# verified, exittrace run with only the unit's capabilities
	# (tests/host/install.sh, run.sh)
	man-db groff-base systemd util-linux
	# make demo-debian: the real Debian guest's disk image
	mmdebstrap e2fsprogs
)

missing=()
for p in "${PKGS[@]}"; do
	if [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != 'install ok installed' ]; then
		missing+=("$p")
	fi
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "deps: all ${#PKGS[@]} packages present"
	exit 0
fi

echo "deps: installing ${#missing[@]} missing package(s): ${missing[*]}"
SUDO=
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null; then
		SUDO=sudo
	else
		echo "deps: need root to install packages; run as root: $0" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
if ! $SUDO apt-get update -q; then
	echo "deps: 'apt-get update' failed; check the network and /etc/apt/sources.list" >&2
	exit 1
fi
if ! $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"; then
	echo "deps: 'apt-get install' failed for: ${missing[*]}" >&2
	echo "deps: exittrace targets Debian 12 (bookworm); see README.md" >&2
	exit 1
fi
echo "deps: done"
