#!/bin/sh
# Install, or take back, the patched KVM modules on the running kernel.
#
#   install-kvm.sh install MODDIR   (behind "sudo make install-kvm")
#   install-kvm.sh uninstall        (behind "sudo make uninstall-kvm")
#   install-kvm.sh status
#
# MODDIR holds kvm.ko, kvm-intel.ko and kvm-amd.ko from "make modules"
# (build/modules/$(uname -r)/).  They go to
# /lib/modules/$(uname -r)/updates/exittrace/, and
# /etc/depmod.d/exittrace-$(uname -r).conf tells depmod to take them over
# the kernel's own (kmod's default search order does not prefer updates/),
# so the stock modules are never touched and going back is removing the
# two.  kvmcheck (KVMCHECK=, default
# build/kvmcheck next to this script, else kvmcheck on PATH) is copied
# there too: it runs a tiny VM to see whether KVM answers the exittrace
# CPUID leaves, after install and after uninstall.
#
# Nothing is done while a process holds /dev/kvm (a VM is running): the
# modules cannot be unloaded under it, and stopping a VM is its owner's
# call.  If the installed modules fail their check, the stock ones are
# put back.  POSIX sh and kmod only: runs on a Debian host and in the
# test beds.
set -u

me=install-kvm
release=$(uname -r)
dest=/lib/modules/$release/updates/exittrace
depmod_conf=/etc/depmod.d/exittrace-$release.conf
modules="kvm.ko kvm-intel.ko kvm-amd.ko"

say() { echo "$me: $*"; }
die() { echo "$me: error: $*" >&2; exit 1; }

need_root() {	# need_root HOW_TO_RUN_IT
	[ "$(id -u)" = 0 ] || die "must run as root: $1"
}

# The vendor module this CPU needs: kvm_intel for VT-x, kvm_amd for AMD-V.
vendor_module() {
	if grep -qw vmx /proc/cpuinfo; then
		echo kvm_intel
	elif grep -qw svm /proc/cpuinfo; then
		echo kvm_amd
	else
		die "this CPU shows neither VT-x (vmx) nor AMD-V (svm).
  On a physical machine, turn virtualization on in the firmware setup.
  In a cloud VM, use an instance with nested virtualization (see README)."
	fi
}

# fds_to TARGET [PID]: "PID FD" for each open file of process PID (of
# every process without one) that is TARGET (/dev/kvm, anon_inode:bpf_link).
fds_to() {
	for fd in /proc/${2:-[0-9]*}/fd/*; do
		[ "$(readlink "$fd" 2>/dev/null)" = "$1" ] || continue
		pid=${fd#/proc/}
		echo "${pid%%/*} ${fd##*/}"
	done
}

# Every process with /dev/kvm open, one line each: pid, name, command line.
kvm_holders() {
	fds_to /dev/kvm | cut -d' ' -f1 | sort -un | while read -r pid; do
		cmd=$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | cut -c1-120)
		echo "  pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)): $cmd"
	done
}

# Every process with a BPF link on one of KVM's tracepoints (exittrace,
# bpftrace, perf's BPF tools): the link holds the module that defines the
# tracepoint, and exittrace's fexit on vmx/svm_handle_exit holds the
# vendor module, so modprobe -r would fail under it.  A raw or tp_btf
# link names its tracepoint in its fdinfo (tp_name, since 5.8); a classic
# tracepoint's perf link does so only on newer kernels (6.18 does, 6.12
# does not), so an exittrace with any link is named too.  One line each:
# pid, name, the tracepoints.
kvm_bpf_holders() {
	fds_to anon_inode:bpf_link | while read -r pid fd; do
		tp=$(sed -n 's/^tp_name:[[:space:]]*\(kvm_[a-z_]*\)$/\1/p' "/proc/$pid/fdinfo/$fd" 2>/dev/null)
		if [ -n "$tp" ]; then
			echo "$pid $tp"
		elif [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = exittrace ]; then
			echo "$pid links"
		fi
	done | sort -u | awk '$2 == "links" { l[$1] = 1; next } { tps[$1] = tps[$1] " " $2 }
		END { for (p in l) if (!(p in tps)) tps[p] = " its links"; for (p in tps) print p tps[p] }' |
	sort -n | while read -r pid tps; do
		echo "  pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)): BPF on $tps"
	done
}

# Does process $1 catch SIGUSR2?  An exittrace that does steps aside for a
# reload (userspace/kvm_reload.h); to one that does not, the signal would
# be the end.  SigCgt is a hex mask, bit n-1 for signal n (SIGUSR2 = 12).
catches_usr2() {
	mask=$(sed -n 's/^SigCgt:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	[ -n "$mask" ] || return 1
	mask=${mask#"${mask%????????}"}	# the low 32 signals
	[ $(( 0x$mask & 0x800 )) != 0 ]
}

# The exittraces that will step aside, in $steppers; any other BPF holder
# refuses the reload.
refuse_if_kvm_busy() {	# refuse_if_kvm_busy ACTION
	holders=$(kvm_holders)
	[ -z "$holders" ] || die "cannot $1 while a process holds /dev/kvm (a VM is running):
$holders
  Stop those VMs first; nothing was changed."
	holders=$(kvm_bpf_holders)
	steppers=
	others=
	for pid in $(echo "$holders" | sed -n 's/^  pid \([0-9]*\) .*/\1/p'); do
		if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = exittrace ] && catches_usr2 "$pid"; then
			steppers="$steppers $pid"
		else
			others="$others $pid"
		fi
	done
	[ -z "$others" ] || die "cannot $1 while a BPF tool holds the KVM modules through its tracepoints:
$holders
  Stop it first (exittrace, bpftrace, perf); nothing was changed."
	return 0
}

# Ask the exittraces in $steppers to let go of KVM for the reload, and
# wait until they have.  The lock file (our pid) tells them when KVM is
# ready again: they attach anew once it is gone (removed on exit).
lock=/run/exittrace-kvm-reload
step_aside() {
	[ -n "$steppers" ] || return 0
	echo $$ > "$lock" || die "cannot write $lock"
	trap 'rm -f "$lock"' EXIT
	trap 'exit 1' INT TERM
	for pid in $steppers; do
		kill -USR2 "$pid" 2>/dev/null || continue
		tries=0
		# an exittrace that stepped aside holds no BPF link
		while [ -n "$(fds_to anon_inode:bpf_link "$pid")" ] && [ -d "/proc/$pid" ]; do
			tries=$((tries + 1))
			[ $tries -le 100 ] ||
				die "exittrace pid $pid did not let go of KVM within 10 s; nothing was changed"
			sleep 0.1
		done
		say "exittrace pid $pid stepped aside for the reload; it attaches again by itself"
	done
}

# A kernel with KVM built in has no module to replace.
refuse_if_builtin() {
	if [ -d /sys/module/kvm ] && [ ! -e /sys/module/kvm/initstate ]; then
		die "this kernel has KVM built in (not as modules): there is nothing to replace.
  Boot a kernel with CONFIG_KVM=m (every Debian kernel is), or build a patched kernel."
	fi
}

# With the kernel locked down (Secure Boot), unsigned modules are refused.
check_lockdown() {	# check_lockdown MODULE_FILE
	lockdown=$(cat /sys/kernel/security/lockdown 2>/dev/null || true)
	case $lockdown in
	"" | *"[none]"*) return 0 ;;
	esac
	[ -n "$(modinfo -F signer "$1" 2>/dev/null)" ] && return 0
	die "the kernel is locked down ($lockdown), most likely by Secure Boot:
  it refuses unsigned modules, and these are not signed.  Either turn
  Secure Boot off in the firmware setup, or sign kvm.ko, kvm-intel.ko and
  kvm-amd.ko with a key enrolled in MOK (mokutil --import) using the
  kernel's scripts/sign-file.  Nothing was changed."
}

unload_kvm() {
	for m in kvm_intel kvm_amd kvm; do
		[ -d "/sys/module/$m" ] || continue
		modprobe -r "$m" || return 1
	done
}

# Load the vendor module (kvm comes with it) as depmod now resolves it.
reload_kvm() {	# reload_kvm VENDOR_MODULE
	unload_kvm || { say "could not unload the KVM modules (lsmod | grep kvm)"; return 1; }
	modprobe "$1" || { say "modprobe $1 failed (dmesg | tail says why)"; return 1; }
	[ -c /dev/kvm ] || { say "$1 loaded but there is no /dev/kvm"; return 1; }
}

kvmcheck_path() {
	if [ -n "${KVMCHECK:-}" ]; then
		echo "$KVMCHECK"
	elif [ -x "$(dirname "$0")/../build/kvmcheck" ]; then
		echo "$(dirname "$0")/../build/kvmcheck"
	elif [ -x "$dest/kvmcheck" ]; then
		echo "$dest/kvmcheck"
	else
		command -v kvmcheck || die "no kvmcheck: run make first, or set KVMCHECK="
	fi
}

# Run kvmcheck: 0 leaves present, 2 absent, 1 KVM unusable.
check_leaves() {
	"$check"
}

# Take the installed files back and let depmod forget them.
remove_files() {
	rm -rf "$dest" "$depmod_conf"
	depmod -a "$release"
}

do_install() {
	moddir=${1:-}
	[ -n "$moddir" ] || die "usage: $0 install MODDIR (the modules from make modules)"
	for m in $modules; do
		[ -f "$moddir/$m" ] || die "no $moddir/$m: build the modules first with make modules"
	done
	vendor=$(vendor_module) || exit 1
	check=$(kvmcheck_path) || exit 1

	# Will they load here?  Asked before anything changes.
	want=$(modinfo -F vermagic "$(find "/lib/modules/$release/kernel/arch/x86/kvm" -name 'kvm.ko*' 2>/dev/null | head -n1)" 2>/dev/null)
	for m in $modules; do
		got=$(modinfo -F vermagic "$moddir/$m") || die "$moddir/$m is not a kernel module"
		[ "${got%% *}" = "$release" ] ||
			die "$m is built for kernel ${got%% *}, this one is $release: run make modules on this kernel"
		[ -z "$want" ] || [ "$got" = "$want" ] ||
			die "$m has vermagic '$got', the stock kvm.ko '$want': rebuild with make modules"
	done
	refuse_if_builtin
	check_lockdown "$moddir/kvm.ko"
	refuse_if_kvm_busy install
	step_aside

	say "installing the patched KVM modules into $dest"
	mkdir -p "$dest" || die "cannot create $dest"
	for m in $modules; do
		cp "$moddir/$m" "$dest/$m" || die "cannot copy $m to $dest"
	done
	[ "$check" = "$dest/kvmcheck" ] || cp "$check" "$dest/kvmcheck"
	mkdir -p "$(dirname "$depmod_conf")"
	{
		echo "# exittrace: the patched KVM modules win (scripts/install-kvm.sh)"
		for m in kvm kvm_intel kvm_amd; do
			echo "override $m $release updates/exittrace"
		done
	} > "$depmod_conf" || die "cannot write $depmod_conf"
	depmod -a "$release" || { remove_files; die "depmod failed; nothing was changed"; }
	resolved=$(modinfo -n kvm 2>/dev/null)
	case $resolved in
	"$dest"/*) ;;
	*)
		remove_files
		die "depmod still resolves kvm to $resolved, not $dest/kvm.ko; nothing was changed"
		;;
	esac

	say "reloading $vendor"
	if reload_kvm "$vendor" && [ -e /sys/module/kvm/parameters/exit_stats ] && check_leaves; then
		say "installed: $(modinfo -n kvm)"
		say "exit_stats=$(cat /sys/module/kvm/parameters/exit_stats) (what guests see: vm, host or off)"
		say "to go back: sudo make uninstall-kvm"
		return 0
	fi
	say "the patched modules did not pass their check: putting the stock modules back"
	remove_files
	reload_kvm "$vendor" || die "could not reload the stock $vendor either: modprobe $vendor by hand"
	die "install failed and was rolled back; the stock modules are loaded"
}

do_uninstall() {
	vendor=$(vendor_module) || exit 1
	refuse_if_kvm_busy uninstall
	if [ ! -d "$dest" ] && [ ! -e "$depmod_conf" ]; then
		say "nothing to uninstall: $dest does not exist (the stock modules are in use)"
		return 0
	fi
	step_aside
	check=$(kvmcheck_path) || exit 1
	tmpcheck=
	if [ "$check" = "$dest/kvmcheck" ]; then
		tmpcheck=$(mktemp) && cp "$check" "$tmpcheck" && chmod 755 "$tmpcheck" && check=$tmpcheck
	fi

	say "removing $dest and $depmod_conf"
	remove_files || die "depmod failed; run depmod -a $release by hand"
	say "reloading the stock $vendor"
	reload_kvm "$vendor" || die "could not reload the stock $vendor: modprobe $vendor by hand"
	check_leaves
	rc=$?
	[ -z "$tmpcheck" ] || rm -f "$tmpcheck"
	case $rc in
	2) say "uninstalled: stock $(modinfo -n kvm) loaded, the exittrace leaves are gone" ;;
	0) die "the exittrace leaves still answer after uninstall: is KVM patched in another place?" ;;
	*) die "KVM does not work after uninstall (see above)" ;;
	esac
}

do_status() {
	if [ -d "$dest" ]; then
		say "installed in $dest"
	else
		say "not installed (no $dest)"
	fi
	if [ -d /sys/module/kvm ]; then
		say "loaded kvm: $(modinfo -n kvm 2>/dev/null), exit_stats=$(cat /sys/module/kvm/parameters/exit_stats 2>/dev/null || echo absent)"
	else
		say "kvm is not loaded"
	fi
	holders=$(kvm_holders)
	[ -z "$holders" ] || { say "/dev/kvm is held by:"; echo "$holders"; }
	check=$(kvmcheck_path) || exit 1
	check_leaves
}

case ${1:-} in
install) need_root "sudo make install-kvm"; do_install "${2:-}" ;;
uninstall) need_root "sudo make uninstall-kvm"; do_uninstall ;;
status) need_root "sudo $0 status"; do_status ;;
*) die "usage: $0 install MODDIR | uninstall | status" ;;
esac
