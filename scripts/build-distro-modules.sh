#!/usr/bin/env bash
# Build patched KVM modules for one of Debian's own kernels (unpacked by
# scripts/distro-kernel.sh), exactly as "make modules" builds them on a
# host running it: scripts/build-modules.sh with that kernel's config,
# Module.symvers, release, version and BTF.
#
#   scripts/build-distro-modules.sh DISTRO_DIR KSRC PATCH_DIR OUTROOT LINE
#
# DISTRO_DIR is build/distro-LINE, KSRC the linux-source of its version.
# The modules land in OUTROOT/RELEASE/, and OUTROOT/LINE links to it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
d=${1:?usage: build-distro-modules.sh DISTRO_DIR KSRC PATCH_DIR OUTROOT LINE}
ksrc=${2:?} patch_dir=${3:?} outroot=${4:?} line=${5:?}

rel=$(cat "$d/release")
KSRC=$ksrc KRELEASE=$rel KVERSION=$(cat "$d/version") KCONFIG=$d/config \
	KSYMVERS=$d/Module.symvers KBTF=$d/vmlinux KMODDIR=$d/modroot/lib/modules/$rel \
	PATCH_DIR=$patch_dir "$top/scripts/build-modules.sh" "$outroot"
ln -sfn "$rel" "$outroot/$line"
