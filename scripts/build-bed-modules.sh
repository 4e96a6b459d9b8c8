#!/usr/bin/env bash
# Build patched KVM modules for a modular bed kernel, exactly as "make
# modules" builds them for a host: scripts/build-modules.sh with that
# kernel's config, Module.symvers, release and BTF, and its unpacked tree
# as the source.
#
#   scripts/build-bed-modules.sh KMOD_DIR KSRC PATCH_DIR OUTROOT LINE
#
# KMOD_DIR is the stock kernel's build (build/kmod-LINE), KSRC its source
# when the unpacked tree is not there.  The modules land in
# OUTROOT/RELEASE/, and OUTROOT/LINE links to it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
k=${1:?usage: build-bed-modules.sh KMOD_DIR KSRC PATCH_DIR OUTROOT LINE}
ksrc=${2:?} patch_dir=${3:?} outroot=${4:?} line=${5:?}

rel=$(cat "$k/obj/include/config/kernel.release")
src=$ksrc
[ -d "$k/pristine" ] && src=$k/pristine
KSRC=$src KRELEASE=$rel KVERSION= KCONFIG=$k/obj/.config KSYMVERS=$k/obj/Module.symvers \
	KBTF=$k/vmlinux.btf KMODDIR=$k/modroot/lib/modules/$rel PATCH_DIR=$patch_dir \
	"$top/scripts/build-modules.sh" "$outroot"
ln -sfn "$rel" "$outroot/$line"
