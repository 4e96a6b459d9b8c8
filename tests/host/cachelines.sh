#!/usr/bin/env bash
# The series must not make any member of struct vcpu_vmx or vcpu_svm (the
# vCPU state every exit and entry touches, struct kvm_vcpu included)
# straddle a cache line that did not before.  Compares, with pahole, the
# stock modules of Debian's own 6.12 kernel with the patched modules built
# for that same kernel (make modules' way: its config, its BTF): only the
# series differs.  And the series' own hot fields (the exit being handled
# and the totals, in arch.exit_stats) must not straddle a line either; its
# per-vCPU slots are u64 array elements in struct kvm_vcpu_stat, which
# never do.
#
#   tests/host/cachelines.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-build}
d=$build/distro-6.12
rel=$(cat "$d/release")
btf=$d/vmlinux
patched=$build/distro-modules/6.12
# Debian ships them xz-compressed: pahole reads ELF
stock=$(mktemp -d)
trap 'rm -rf "$stock"' EXIT
for m in kvm-intel kvm-amd; do
	xz -dc "$d/modroot/lib/modules/$rel/kernel/arch/x86/kvm/$m.ko.xz" >"$stock/$m.ko"
done
fail=0

for v in vmx:kvm-intel svm:kvm-amd; do
	s=vcpu_${v%%:*}
	m=${v#*:}
	pahole -F btf --btf_base "$btf" -E -C "$s" "$stock/$m.ko" >/tmp/cachelines.stock.E
	pahole -F btf --btf_base "$btf" -E -C "$s" "$patched/$m.ko" >/tmp/cachelines.patched.E
	# the straddling members, sorted by path
	awk -f "$here/cachelines.awk" /tmp/cachelines.stock.E | sort >/tmp/cachelines.stock
	awk -f "$here/cachelines.awk" /tmp/cachelines.patched.E | sort >/tmp/cachelines.patched
	size() { pahole -F btf --btf_base "$btf" -C "$s" "$1" | sed -n 's|.*/\* size: \([0-9]*\),.*|\1|p'; }
	new=$(join -v2 <(cut -d' ' -f1 /tmp/cachelines.stock) \
		<(grep -v '\.exit_stats' /tmp/cachelines.patched | cut -d' ' -f1) || true)
	# inside the series' 64 bytes: what the exit path touches (the exit
	# being handled, the totals: start_tsc to the end of total) must sit in
	# one line
	own=$(awk -v all=1 -f "$here/cachelines.awk" /tmp/cachelines.patched.E |
		awk '$1 ~ /\.arch\.exit_stats\.start_tsc$/ { first = $2 }
		     $1 ~ /\.arch\.exit_stats\.total$/ { last = $2 + $3 - 1 }
		     END { if (first == "" || last == "") print "no arch.exit_stats.start_tsc/total found"
			   else if (int(first / 64) != int(last / 64)) printf "bytes %d-%d span lines %d-%d\n", first, last, int(first / 64), int(last / 64) }')
	echo "cachelines: struct $s: $(size "$stock/$m.ko") -> $(size "$patched/$m.ko") bytes;" \
		"$(wc -l </tmp/cachelines.stock) members straddle a line on stock," \
		"$(grep -vc '\.exit_stats' /tmp/cachelines.patched) on patched (without exit_stats)"
	if [ -n "$new" ]; then
		echo "cachelines: FAILED: $s members that straddle a line only with the series:"
		echo "$new" | sed 's/^/  /'
		fail=1
	fi
	if [ -n "$own" ]; then
		echo "cachelines: FAILED: $s: the series' hot fields straddle a line:"
		echo "$own" | sed 's/^/  /'
		fail=1
	else
		echo "cachelines: $s: the series' hot fields (arch.exit_stats: start_tsc .. total) are in one line"
	fi
done
exit $fail
