#!/usr/bin/env bash
# Host checks: the tools' error paths, and exittrace's BPF object loading,
# passing the verifier and attaching on this machine's own kernel (a real
# CO-RE portability check: it is not the kernel the beds run).
#
#   tests/host/run.sh BUILD_DIR
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
build=${1:-build}
pass=0 fail=0 skip=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

check() {	# check NAME EXPECTED_RC PATTERN COMMAND...
	local name=$1 want=$2 pattern=$3
	shift 3
	"$@" >"$out" 2>&1
	local rc=$?
	if [ "$rc" = "$want" ] && grep -Eq -- "$pattern" "$out"; then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name: rc=$rc (expected $want), output:"
		sed 's/^/       /' "$out" | head -n 20
		echo "       expected to match: $pattern"
		fail=$((fail + 1))
	fi
}

skip() {
	echo "skip $1: $2"
	skip=$((skip + 1))
}

check abi-headers-agree 0 'constants agree' tests/host/abi_agree.sh
check series-agree 0 'differ only as listed' tests/host/series_agree.sh

# scripts/series-dir.sh: the series for each supported kernel line, and a
# clear error for any other (judged by the tarball's name, so empty files
# named like Debian's tarballs stand in for them)
odd=$(mktemp -d)
touch "$odd/linux-source-5.10.tar.xz" "$odd/linux-source-6.12.tar.xz" "$odd/linux-source-6.1.tar.xz"
check series-dir-6.12 0 '/kvm-patch$' scripts/series-dir.sh "$odd/linux-source-6.12.tar.xz"
check series-dir-6.1 0 '/kvm-patch/6\.1$' scripts/series-dir.sh "$odd/linux-source-6.1.tar.xz"
check series-dir-unsupported 1 'Linux 5\.10 .* not supported.*6\.1, 6\.12' \
	scripts/series-dir.sh "$odd/linux-source-5.10.tar.xz"
check series-dir-missing 1 'does not exist' scripts/series-dir.sh "$odd/none"
rm -rf "$odd"

# scripts/build-modules.sh ("make modules"): its refusals, before it
# builds anything (output under a scratch directory; it never installs)
mods=$(mktemp -d)
check modules-no-source 1 'sudo apt-get install linux-source-6\.12$' \
	env KRELEASE=6.12.99-test KSRC="$mods/none.tar.xz" scripts/build-modules.sh "$mods"
check modules-no-config 1 'no kernel configuration at /boot/config-6\.12\.99-test' \
	env KRELEASE=6.12.99-test KSRC=/usr/src/linux-source-6.12.tar.xz KCONFIG= scripts/build-modules.sh "$mods"
check modules-kvm-builtin 1 'no CONFIG_KVM=m: that kernel has KVM built in' \
	env KRELEASE=6.12.99-test KSRC=/usr/src/linux-source-6.12.tar.xz KCONFIG=kvm-patch/bed.config \
	KSYMVERS=/dev/null KBTF=/dev/null scripts/build-modules.sh "$mods"
rm -rf "$mods"

# exitdiff on recorded JSON: side by side, --allow, --exact
fx=tests/host/fixtures
check exitdiff-shows-diff 0 '0x7b +IOIO +200 +201 +\+1  <-- differs' "$build/exitdiff" $fx/guest.json $fx/host.json
check exitdiff-exact-fails 1 '2 reason\(s\) differ' "$build/exitdiff" -e $fx/guest.json $fx/host.json
check exitdiff-allow 0 'all 4 reasons agree' "$build/exitdiff" -e --allow 0x7b=+1 --allow 0x60=+9 \
	$fx/guest.json $fx/host.json
check exitdiff-missing-file 2 'cannot open' "$build/exitdiff" $fx/none.json $fx/host.json
check exitdiff-bad-allow 64 'bad --allow' "$build/exitdiff" --allow 7b $fx/guest.json $fx/host.json

# exitstat: this machine is a guest of a hypervisor without the patch
check exitstat-no-abi 1 'no exit counters here' ./exitstat
check exitstat-bad-watch 64 'invalid -w' ./exitstat -w 0
check exitstat-bad-reason 64 'unknown (VMX|SVM) exit reason' ./exitstat -r NOSUCH
check exitstat-extra-arg 64 'unexpected argument' ./exitstat foo

# kvmcheck (install-kvm.sh's check): this machine's KVM, if it has one,
# is unpatched, so the leaves must be reported absent (exit 2)
if [ -c /dev/kvm ]; then
	check kvmcheck-stock-kvm 2 'no exittrace leaves' "$build/kvmcheck"
else
	skip kvmcheck-stock-kvm "no /dev/kvm on this machine"
fi
check kvmcheck-usage 1 'usage:' "$build/kvmcheck" extra

# exittrace: arguments are checked before anything is loaded
check exittrace-bad-interval 64 'invalid interval' ./exittrace 0
check exittrace-bad-count 64 'invalid count' ./exittrace 1 x
check exittrace-bad-pid 64 'no process with PID' ./exittrace -p 999999
check exittrace-bad-vcpu 64 'invalid vCPU' ./exittrace -c -1
check exittrace-too-many 64 'unexpected argument' ./exittrace 1 2 3
check exittrace-help 0 'USAGE: exittrace' ./exittrace --help

if [ "$(id -u)" != 0 ]; then
	skip exittrace-host-attach "needs root (run make test as root)"
	skip exittrace-unprivileged "needs root to drop privileges"
elif [ ! -e /sys/kernel/btf/vmlinux ]; then
	check exittrace-no-btf 1 'has no BTF' ./exittrace -s -d 1
elif [ ! -e /sys/module/kvm ]; then
	check exittrace-no-kvm 1 'KVM is not loaded' ./exittrace -s -d 1
else
	mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null
	check exittrace-host-attach 0 '"final":true' ./exittrace -s -j -d 1
	check exittrace-unprivileged 1 'not allowed to load BPF' \
		setpriv --reuid=65534 --regid=65534 --clear-groups ./exittrace -s -d 1
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
