#!/usr/bin/env bash
# The ABI is written down twice: in the kernel (arch/x86/kvm/exit_stats.h,
# added by kvm-patch/) and for userspace (userspace/exit_stats_abi.h).
# Check that every ABI constant has the same value in both, and that
# neither side has one the other lacks.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
names='LEAF_[A-Z_]+|ABI_VERSION|SIGNATURE_E[BCD]X|UNDEFINED'
kernel=$(cat "$top"/kvm-patch/0*.patch |
	sed -nE "s/^\+#define KVM_EXIT_STATS_($names)[[:space:]]+([0-9a-fA-FxU]+).*/\1 \2/p" | sort)
user=$(sed -nE "s/^#define EXIT_STATS_($names)[[:space:]]+([0-9a-fA-FxU]+).*/\1 \2/p" \
	"$top/userspace/exit_stats_abi.h" | sort)
if [ -z "$kernel" ] || [ -z "$user" ]; then
	echo "abi_agree: found no ABI constants (kernel: $(echo "$kernel" | wc -w), user: $(echo "$user" | wc -w))"
	exit 1
fi
if [ "$kernel" != "$user" ]; then
	echo "abi_agree: kernel and userspace ABI headers differ (< kernel, > userspace):"
	diff <(echo "$kernel") <(echo "$user") || true
	exit 1
fi
echo "abi_agree: $(echo "$kernel" | wc -l) constants agree"
