#!/usr/bin/env bash
# Build the patched KVM modules (kvm.ko, kvm-intel.ko, kvm-amd.ko) for a
# kernel that is already running, so that they load into it.
#
#   scripts/build-modules.sh OUTROOT          (behind "make modules")
#
# Inputs, from the environment; the defaults describe the running kernel:
#   KRELEASE  its release, what vermagic must say  (uname -r)
#   KVERSION  its upstream version, e.g. 6.1.140   (from uname -v on Debian,
#             /proc/version_signature on Ubuntu, else KRELEASE's numbers)
#   KSRC      the source tree or tarball           (/usr/src/linux-source-X.Y.tar.xz)
#   KCONFIG   its configuration                    (/boot/config-KRELEASE)
#   KSYMVERS  its Module.symvers                   (/usr/src/linux-headers-KRELEASE/Module.symvers)
#   KBTF      its BTF, raw                         (/sys/kernel/btf/vmlinux)
#   KMODDIR   its installed modules, to compare vermagic with
#             (/lib/modules/KRELEASE)
#   PATCH_DIR the series                           (scripts/series-dir.sh KSRC)
#
# The source must be the running kernel's version: the modules are built
# against its configuration, its symbol CRCs and its release string, and
# their BTF is split BTF on top of its own.  Everything is written under
# OUTROOT/KRELEASE/; the three modules end up there, next to "key", a
# hash of every input, so a repeat run with the same inputs does nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
outroot=${1:?usage: build-modules.sh OUTROOT}
jobs=${JOBS:-$(( $(nproc) + 1 ))}

die() { echo "build-modules: error: $*" >&2; exit 1; }

krelease=${KRELEASE:-$(uname -r)}
# What upstream version is that kernel?  Distribution releases hide it
# (Debian's 6.1.0-37-amd64 is 6.1.140); ask where the distribution says.
running_version() {
	if [ -n "${KVERSION:-}" ]; then
		echo "$KVERSION"
	elif [ "$krelease" = "$(uname -r)" ] && grep -q 'Debian [0-9]' <<<"$(uname -v)"; then
		uname -v | sed -n 's/.*Debian \([0-9][0-9.]*[0-9]\).*/\1/p'
	elif [ "$krelease" = "$(uname -r)" ] && [ -r /proc/version_signature ]; then
		awk '{ print $NF }' /proc/version_signature
	else
		echo "$krelease" | grep -o '^[0-9][0-9.]*[0-9]'
	fi
}
kversion=$(running_version) || true
[ -n "$kversion" ] || die "cannot tell the upstream version of kernel $krelease; set KVERSION=X.Y.Z"
kline=$(echo "$kversion" | cut -d. -f1,2)

ksrc=${KSRC:-/usr/src/linux-source-$kline.tar.xz}
kconfig=${KCONFIG:-/boot/config-$krelease}
ksymvers=${KSYMVERS:-/usr/src/linux-headers-$krelease/Module.symvers}
kbtf=${KBTF:-/sys/kernel/btf/vmlinux}
kmoddir=${KMODDIR:-/lib/modules/$krelease}

[ -e "$ksrc" ] || die "no kernel source at $ksrc
  install Debian's: sudo apt-get install linux-source-$kline
  or point KSRC at a Linux $kversion tree or tarball"
[ -r "$kconfig" ] || die "no kernel configuration at $kconfig
  (the running kernel's; set KCONFIG=FILE to use another)"
[ -r "$ksymvers" ] || die "no Module.symvers at $ksymvers
  install the headers of the running kernel: sudo apt-get install linux-headers-$krelease
  (or set KSYMVERS=FILE)"
[ -r "$kbtf" ] || die "no kernel BTF at $kbtf
  exittrace needs BTF for the kvm module, built on the kernel's own
  (CONFIG_DEBUG_INFO_BTF=y); set KBTF=FILE to a raw BTF of that kernel"
grep -qx 'CONFIG_KVM=m' "$kconfig" ||
	die "$kconfig has no CONFIG_KVM=m: that kernel has KVM built in (or none), so there
  is no module to replace; build and boot a patched kernel instead (make kernel)"
grep -qx 'CONFIG_DEBUG_INFO_BTF_MODULES=y' "$kconfig" ||
	die "$kconfig has no CONFIG_DEBUG_INFO_BTF_MODULES=y: exittrace needs the kvm module's BTF"

if [ -z "${PATCH_DIR:-}" ]; then
	if [ -x "$top/scripts/series-dir.sh" ]; then
		PATCH_DIR=$("$top/scripts/series-dir.sh" "$ksrc") ||
			die "no patch series for $ksrc (scripts/series-dir.sh)"
	else
		PATCH_DIR=$top/kvm-patch
	fi
fi

out=$outroot/$krelease
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ -f "$ksrc" ]; then
	src_id="tarball $(stat -c '%s %Y' "$ksrc") $ksrc"
else
	# a git checkout's commit; not that of a repository the tree merely
	# sits in (build/kmod-*/pristine is inside exittrace's own)
	abs=$(cd "$ksrc" && pwd -P)
	head=
	[ "$(git -C "$abs" rev-parse --show-toplevel 2>/dev/null)" = "$abs" ] && head=$(git -C "$abs" rev-parse HEAD)
	src_id="tree $abs $head"
fi
key=$( { echo "$src_id $krelease $kversion"; cat "$PATCH_DIR"/*.patch "$kconfig" "$ksymvers" "$kbtf" \
	"$0" "$top/scripts/patched-tree.sh"; } | sha256sum | cut -c1-16)
modules="kvm.ko kvm-intel.ko kvm-amd.ko"
if [ "$(cat "$out/key" 2>/dev/null)" = "$key" ]; then
	echo "modules: up to date for $krelease ($key): $out"
	exit 0
fi

echo "modules: building for $krelease ($kversion) from $ksrc with $PATCH_DIR"
"$top/scripts/patched-tree.sh" "$out" "$ksrc" "$PATCH_DIR" >/dev/null
tree=$out/src
obj=$out/obj
mkdir -p "$obj"
kmake() { make -C "$tree" O="$obj" -s "$@"; }

srcversion=$(kmake kernelversion 2>/dev/null) || die "cannot read the version of $ksrc"
[ "$srcversion" = "$kversion" ] || die "the source is Linux $srcversion, the kernel ($krelease) is Linux $kversion
  modules built from another version do not load (or worse, misbehave).
  Install the matching source (Debian: sudo apt-get update && sudo apt-get install
  linux-source-$kline, and boot the newest linux-image too), or set KSRC=
  to a Linux $kversion tree or tarball."
rm -f "$out/key"
(cd "$out" && rm -f kvm.ko kvm-intel.ko kvm-amd.ko)

# The running kernel's configuration, brought up to this pahole/compiler.
cp "$kconfig" "$obj/.config"
kmake olddefconfig > "$out/build.log" 2>&1 || die "olddefconfig failed; see $out/build.log"
# The release must be the running kernel's (Debian's 6.1.0-37-amd64, not
# the source's 6.1.140): it is in the modules' vermagic.  6.12 takes it
# on the command line; 6.1 ignores that, so the two files that carry it
# are written after modules_prepare (an M= build does not regenerate them,
# as with a distribution's headers package).
kmake KERNELRELEASE="$krelease" modules_prepare >> "$out/build.log" 2>&1 ||
	die "modules_prepare failed; see $out/build.log"
if [ "$(cat "$obj/include/config/kernel.release")" != "$krelease" ]; then
	echo "$krelease" > "$obj/include/config/kernel.release"
	echo "#define UTS_RELEASE \"$krelease\"" > "$obj/include/generated/utsrelease.h"
fi
# Symbol CRCs of the running kernel (modversions), and its BTF as the
# base of the modules' split BTF (Kbuild skips module BTF without a
# vmlinux; pahole and resolve_btfids read raw BTF as well as ELF).
cp "$ksymvers" "$obj/Module.symvers"
cp "$kbtf" "$obj/vmlinux"

start=$(date +%s)
if ! kmake -j"$jobs" M="$tree/arch/x86/kvm" modules >> "$out/build.log" 2>&1; then
	grep -E 'error|Error' "$out/build.log" | head -30 >&2
	die "module build failed; full log: $out/build.log"
fi
grep -q 'Skipping BTF generation' "$out/build.log" && die "Kbuild skipped the modules' BTF; see $out/build.log"

# vermagic: the release and the features the kernel insists on.  Compare
# with the installed stock module when there is one, else the release.
want=$(modinfo -F vermagic "$(find "$kmoddir/kernel/arch/x86/kvm" -name 'kvm.ko*' 2>/dev/null | head -n1)" 2>/dev/null || true)
for m in $modules; do
	cp "$tree/arch/x86/kvm/$m" "$out/$m"
	got=$(modinfo -F vermagic "$out/$m")
	if [ -n "$want" ]; then
		[ "$got" = "$want" ] || die "$m: vermagic '$got', the installed kvm.ko has '$want'"
	else
		[ "${got%% *}" = "$krelease" ] || die "$m: vermagic '$got' does not start with $krelease"
	fi
done
modinfo -F vermagic "$out/kvm.ko" > "$out/vermagic"
echo "$key" > "$out/key"
echo "modules: built in $(( $(date +%s) - start ))s for $krelease: $out/{${modules// /,}}"
echo "modules: vermagic $(cat "$out/vermagic")"
