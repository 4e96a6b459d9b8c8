#!/usr/bin/env bash
# Build a static perf from a kernel tree's tools/perf, for the benchmark's
# "what a user would otherwise run" setups (perf stat / perf record on the
# kvm:kvm_exit and kvm:kvm_entry tracepoints).
#
#   scripts/build-perf.sh OUTDIR [KSRC_TREE]
#
# KSRC_TREE is an unpacked kernel tree (default: build/kernel/src, the
# patched tree the bed kernel is built from, so perf and the kernel agree
# on the tracepoints).  The files perf's own source tarball would carry
# (tools/perf/MANIFEST) are copied to OUTDIR/src first, so nothing is ever
# written into KSRC_TREE (which may be hard links to a pristine tree or a
# user's checkout); objects go to OUTDIR/obj.
#
# The binary is static, so it runs in the beds' busybox initramfs: every
# optional library is switched off except libelf (symbols) and
# libtraceevent (tracepoint formats, needed for kvm:* events), both linked
# from Debian's static archives (libelf-dev, zlib1g-dev, libtraceevent-dev).
#
# The result is OUTDIR/perf, rebuilt only when an input changes: the
# copied sources, the options or this script.  JOBS (default 2) bounds
# the parallel make.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: build-perf.sh OUTDIR [KSRC_TREE]}
ksrc=${2:-$top/build/kernel/src}
jobs=${JOBS:-2}

die() { echo "build-perf: error: $*" >&2; exit 1; }

if [ ! -f "$ksrc/tools/perf/Makefile.perf" ] || [ ! -f "$ksrc/tools/perf/MANIFEST" ]; then
	die "$ksrc is not a kernel tree with tools/perf (build the kernel first: make kernel)"
fi

# The static archives perf links; the packages that ship them.
libdir=/usr/lib/$(gcc -dumpmachine)
for need in libtraceevent.a:libtraceevent-dev libelf.a:libelf-dev libz.a:zlib1g-dev; do
	[ -f "$libdir/${need%%:*}" ] ||
		die "no $libdir/${need%%:*}: install ${need#*:} (scripts/deps.sh)"
done
for tool in flex bison pkg-config; do
	command -v "$tool" >/dev/null || die "no $tool: install it (scripts/deps.sh)"
done

# Everything optional that either needs a library without a static
# archive on Debian or is of no use in the bed is off.
# WERROR=0: a newer compiler's warning must not stop a tool build.
opts=(
	LDFLAGS=-static WERROR=0 NO_SHELLCHECK=1
	NO_LIBPYTHON=1 NO_LIBPERL=1 NO_JEVENTS=1 NO_JVMTI=1
	NO_LIBBPF=1 BUILD_BPF_SKEL=0 NO_LIBUNWIND=1 NO_LIBDW_DWARF_UNWIND=1
	NO_DWARF=1 NO_LIBDEBUGINFOD=1 NO_SLANG=1 NO_GTK2=1 NO_LIBNUMA=1
	NO_LIBCAP=1 NO_LIBAUDIT=1 NO_LIBCRYPTO=1 NO_LIBBABELTRACE=1
	NO_CAPSTONE=1 NO_LIBLLVM=1 NO_DEMANGLE=1 NO_LZMA=1 NO_LIBZSTD=1
	NO_LIBPFM4=1 NO_AIO=1 NO_SDT=1 NO_PERF_READ_VDSO32=1
	NO_PERF_READ_VDSOX32=1
)

# The files perf's tarball carries, as paths in ksrc: its entries are
# words, some of them globs (arch/*/include/...), expanded in ksrc.
# shellcheck disable=SC2013
mapfile -t manifest < <(cd "$ksrc" && for p in $(cat tools/perf/MANIFEST); do
	[ -e "$p" ] && echo "$p"; done)
[ ${#manifest[@]} -gt 0 ] || die "tools/perf/MANIFEST in $ksrc names no existing file"

mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(sed -n 's/^\(VERSION\|PATCHLEVEL\|SUBLEVEL\) = \([0-9]*\)$/\2/p' "$ksrc/Makefile" | paste -sd.)
[ -n "$version" ] || die "cannot read the kernel version from $ksrc/Makefile"

# Key: the content of every file built from, the options and this script.
# (Hashing ~35 MB takes a second or two; mtimes would be cheaper but a
# hard-linked tree shares them with its origin.)
src_sum=$(cd "$ksrc" && find "${manifest[@]}" -type f -print0 | sort -z |
	xargs -0 sha256sum | sha256sum | cut -c1-64)
key=$( { echo "$version $src_sum"; printf '%s\n' "${opts[@]}"; cat "$0"; } | sha256sum | cut -c1-16)
if [ -x "$out/perf" ] && [ "$(cat "$out/key" 2>/dev/null)" = "$key" ]; then
	echo "perf: up to date ($key)"
	exit 0
fi

echo "perf: building $key (perf $version) from $ksrc"
rm -f "$out/perf" "$out/key"

# A private copy: perf's build is meant to write only to O=, but a copy
# makes sure of it.  PERF-VERSION-FILE at its top stands for the kernel
# Makefile perf would otherwise ask for its version.
src=$out/src
rm -rf "$src"
mkdir -p "$src"
(cd "$ksrc" && cp -a --parents "${manifest[@]}" "$src/") || die "cannot copy the perf sources from $ksrc"
echo "#define PERF_VERSION \"$version\"" > "$src/PERF-VERSION-FILE"

# Objects are kept while the sources are the same (a change of options or
# of this script rebuilds incrementally); other sources start afresh, as
# copied files keep their mtimes and an older one would look built.
obj=$out/obj
if [ "$(cat "$out/src.sum" 2>/dev/null)" != "$src_sum" ]; then
	rm -rf "$obj"
	echo "$src_sum" > "$out/src.sum"
fi
mkdir -p "$obj"
start=$(date +%s)
# only the perf binary: "all" also links the dlfilter .so files, which
# cannot be built with -static
if ! make -C "$src/tools/perf" -f Makefile.perf O="$obj" -j"$jobs" "${opts[@]}" "$obj/perf" \
	> "$out/build.log" 2>&1; then
	grep -E 'error|Error|No such file' "$out/build.log" | head -30 >&2
	tail -20 "$out/build.log" >&2
	die "perf build failed; full log: $out/build.log"
fi
[ -x "$obj/perf" ] || die "the build left no $obj/perf; log: $out/build.log"
grep -q 'statically linked' <<<"$(file -L "$obj/perf")" ||
	die "$obj/perf is not static (a library fell back to dynamic?); log: $out/build.log"
# the tracepoint support is what the benchmark needs
grep -q 'libtraceevent: \[ on' <<<"$("$obj/perf" version --build-options 2>/dev/null)" ||
	die "$obj/perf was built without libtraceevent (no tracepoint events); log: $out/build.log"
strip -o "$out/perf.tmp" "$obj/perf"
mv "$out/perf.tmp" "$out/perf"
echo "$key" > "$out/key"
echo "perf: built in $(( $(date +%s) - start ))s: $out/perf ($(du -h "$out/perf" | cut -f1), stripped)"
