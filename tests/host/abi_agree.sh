#!/usr/bin/env bash
# The ABI is written down in the kernel (arch/x86/kvm/exit_stats.h, added by
# each kernel line's series: kvm-patch/ for 6.12, kvm-patch/6.1/ for 6.1)
# and for userspace (userspace/exit_stats_abi.h).  Check that every ABI
# constant has the same value in each series and in userspace, and that no
# side has one another lacks.  That includes the slot layout that the
# host's reader of patch 7's statistics (userspace/kvm_debugfs.c) relies on.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
names='LEAF_[A-Z_]+|ABI_VERSION|SIGNATURE_E[BCD]X|UNDEFINED|NR_SLOTS|VMX_NR_REASONS|SVM_[A-Z_]+'
user=$(sed -nE "s/^#define EXIT_STATS_($names)[[:space:]]+([0-9a-fA-FxU]+).*/\1 \2/p" \
	"$top/userspace/exit_stats_abi.h" | sort)
[ -n "$user" ] || { echo "abi_agree: found no ABI constants in userspace/exit_stats_abi.h"; exit 1; }
for series in kvm-patch kvm-patch/6.1; do
	kernel=$(cat "$top/$series"/0*.patch 2>/dev/null |
		sed -nE "s/^\+#define KVM_EXIT_STATS_($names)[[:space:]]+([0-9a-fA-FxU]+).*/\1 \2/p" | sort)
	if [ -z "$kernel" ]; then
		echo "abi_agree: found no ABI constants in $series/0*.patch"
		exit 1
	fi
	if [ "$kernel" != "$user" ]; then
		echo "abi_agree: $series and userspace ABI headers differ (< kernel, > userspace):"
		diff <(echo "$kernel") <(echo "$user") || true
		exit 1
	fi
done
echo "abi_agree: $(echo "$user" | wc -l) constants agree (userspace, kvm-patch/, kvm-patch/6.1/)"
