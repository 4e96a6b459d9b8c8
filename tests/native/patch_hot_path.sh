#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# patch_hot_path.sh PATCH_DIR OUT_DIR - the KVM series' exit-path code, as
# the series itself creates it, for make bench-patch to compile in userspace.
#
#   OUT_DIR/arch/x86/kvm/exit_stats.h   every patch of PATCH_DIR that touches
#                                       it, applied in order (git apply)
#   OUT_DIR/kvm_host_types.h            what the series adds to kvm_host.h
#                                       outside any struct: the slot count
#                                       and the three exit-stats structs
#   OUT_DIR/kvm_vcpu_arch_members.h     what it adds to struct kvm_vcpu_arch
#   OUT_DIR/kvm_vcpu_stat_members.h     what it adds to struct kvm_vcpu_stat
#   OUT_DIR/include/<header>            for each #include <header> of
#                                       exit_stats.h, a file that includes
#                                       the bench's kernel stand-ins instead
#
# Nothing is copied into tests/: a change to the series changes the bench.
# A hunk that is missing or lands elsewhere stops the build, so the bench
# cannot silently time code the series no longer has.
set -euo pipefail

if [ $# -ne 2 ] || [ ! -d "$1" ]; then
	echo "usage: $0 PATCH_DIR OUT_DIR (PATCH_DIR holds the series' 0*.patch files)" >&2
	exit 2
fi
patch_dir=$1
out=$2
header=arch/x86/kvm/exit_stats.h
host_h=arch/x86/include/asm/kvm_host.h

rm -rf "$out"
mkdir -p "$out"
# git apply works like patch(1) outside a repository; inside one (build/
# is in the worktree) it would skip paths outside the current directory
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shopt -s nullglob
patches=("$patch_dir"/0*.patch)
applied=0
for p in "${patches[@]}"; do
	grep -q "^+++ b/$header\$" "$p" || continue
	abs=$(realpath "$p")
	(cd "$work" && git apply --include="$header" "$abs")
	applied=$((applied + 1))
done
if [ -s "$work/$header" ]; then
	mkdir -p "$out/$(dirname "$header")"
	cp "$work/$header" "$out/$header"
fi
if [ "$applied" -eq 0 ] || [ ! -s "$out/$header" ]; then
	echo "$0: no patch in $patch_dir creates $header" >&2
	exit 1
fi

# The '+' lines of each hunk of kvm_host.h, sorted by the line git names
# as the hunk's context: the struct it is in, or the one before it.
awk -v host="$host_h" -v out="$out" '
	/^diff --git / { in_host = ($3 == "a/" host); dest = ""; next }
	!in_host { next }
	/^@@ / {
		if ($0 ~ /@@ struct kvm_vcpu_arch \{$/)
			dest = out "/kvm_vcpu_arch_members.h"
		else if ($0 ~ /@@ struct kvm_vcpu_stat \{$/)
			dest = out "/kvm_vcpu_stat_members.h"
		else if ($0 ~ /@@ struct kvm_queued_exception \{$/)
			dest = out "/kvm_host_types.h"
		else
			dest = ""
		next
	}
	dest != "" && /^\+/ { print substr($0, 2) > dest }
' "${patches[@]}"

for f in kvm_host_types.h kvm_vcpu_arch_members.h kvm_vcpu_stat_members.h; do
	if [ ! -s "$out/$f" ]; then
		echo "$0: the series no longer adds $f's part of $host_h where this script looks for it" >&2
		exit 1
	fi
done
grep -q 'struct kvm_vcpu_exit_stats exit_stats;' "$out/kvm_vcpu_arch_members.h" &&
	grep -q 'exit_reason_exits\[' "$out/kvm_vcpu_stat_members.h" &&
	grep -q '^struct kvm_vcpu_exit_stats {' "$out/kvm_host_types.h" || {
	echo "$0: $host_h's exit-stats members are not where they were: update this script" >&2
	exit 1
}

# exit_stats.h's kernel headers all lead to the stand-ins
sed -n 's/^#include <\(.*\)>$/\1/p' "$out/$header" | while read -r inc; do
	mkdir -p "$out/include/$(dirname "$inc")"
	printf '#include "kernel_standins.h"\n' >"$out/include/$inc"
done
