#!/usr/bin/env bash
# Boot the test-bed kernel in an emulator and collect the suite's results.
#
#   run-bed.sh BED KERNEL INITRD SUITE TIMEOUT_S LOGDIR
#
# The emulator is stopped at TIMEOUT_S, or right after a kernel panic.
# BED is "qemu" (TCG, -cpu max: AMD SVM, kvm_amd) or "bochs"
# (corei7_skylake_x: Intel VMX with EPT, kvm_intel).  The boot is killed
# after TIMEOUT_S seconds.  The guest reports on its serial console with
# "@@" lines (see init); this script prints them as a table and fails,
# with the log's tail, on a failed test, a panic, a hang or a missing
# result.  The console log is LOGDIR/BED-SUITE.log; BED_LABEL=NAME (e.g.
# qemu-6.1m, a second kernel in the same bed) replaces BED in the log's
# name and in the result lines.  BED_DISK=FILE (QEMU only) gives the bed a
# virtio disk, FILE as a raw image in snapshot mode: the bed writes to it,
# the file stays as it was.
#
# What each suite must report is read here, on the host, from the
# suite's own header (tests/vm/suites/NAME.sh), so a suite that dies
# half-way cannot shrink its own list:
#   # results: NAME...   every one must come, as pass (or an expected
#                        skip); brace ranges (abi-{1..11}) and @SUITE (that
#                        suite's list, for a suite that sources another)
#   # skips: NAME...     results that may skip in these beds; any other
#                        skip is a failure: in a bed every feature the
#                        tests need is known to be there
# A result that passes without being listed fails too: the list is the
# suite's contract, kept exact.
#
# Stopping this script (Ctrl-C, a timeout's SIGTERM, its parent dying)
# takes the emulator down with it.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bed=$1 kernel=$2 initrd=$3 suite=$4 limit=$5 logdir=$6
mkdir -p "$logdir"
label=${BED_LABEL:-$bed}
log=$logdir/$label-${suite//,/+}.log
# kvm.force_emulation_prefix=1 (for a built-in kvm, and for the modules
# of the modular kernels when they load): the series' selftest reads a
# leaf through KVM's instruction emulator.  It only changes what KVM does
# with a #UD raised by its magic prefix, which nothing else here executes.
cmdline="console=ttyS0,115200 panic=-1 quiet kvm.force_emulation_prefix=1 et.bed=$bed et.suite=$suite ${ET_CMDLINE:-}"
rm -f "$log"

# Run the emulator in the background and watch its console: stop it at
# the time limit, or as soon as the kernel panics (Bochs has no
# -no-reboot and would boot again and again).
emu_pid=
# stop_emulator SIGNAL: the emulator's whole session (bochs under script(1)
# too), then what is left of it by force
stop_emulator() {
	[ -n "$emu_pid" ] || return 0
	kill "-$1" -- "-$emu_pid" 2>/dev/null
	sleep 0.5
	kill -KILL -- "-$emu_pid" 2>/dev/null
	wait "$emu_pid" 2>/dev/null
}
# The emulator runs in a session of its own, out of reach of the
# terminal's Ctrl-C and of a timeout's signal to this process group: so
# this script must pass them on before it goes.
on_signal() {
	echo "run-bed: $label/$suite: stopped by SIG$1; stopping the emulator" >&2
	stop_emulator TERM
	exit $(( 128 + $2 ))
}
trap 'on_signal INT 2' INT
trap 'on_signal TERM 15' TERM
trap 'on_signal HUP 1' HUP

watch_emulator() {	# watch_emulator COMMAND...; sets rc (124: timed out)
	# own session: killing the group also ends bochs under script(1)
	setsid "$@" </dev/null >"$log.emu" 2>&1 &
	emu_pid=$!
	local pid=$emu_pid deadline=$(( $(date +%s) + limit )) parent=$PPID screen= drain=
	rc=
	while kill -0 "$pid" 2>/dev/null; do
		# Bochs's term display draws the VGA screen into a pty of its
		# own ("Bochs connected to screen /dev/pts/N") for a terminal
		# to attach to.  Unread, that pty's buffer fills and Bochs
		# blocks in its write for good: a Debian kernel in the Bochs
		# bed stopped that way 6.5 minutes in, twice, silent, in
		# different suites.  So it is read, and dropped.
		if [ -z "$screen" ]; then
			screen=$(sed -n 's/^Bochs connected to screen "\(\/dev\/pts\/[0-9]*\)".*/\1/p' "$log.emu" 2>/dev/null | head -n1)
			if [ -n "$screen" ]; then
				(stty -F "$screen" raw -echo 2>/dev/null; exec cat "$screen" >/dev/null 2>&1) &
				drain=$!
			fi
		fi
		# a parent killed by SIGKILL passes nothing on: once this script
		# has been handed to another parent, nobody waits for the bed
		if [ "$(cut -d' ' -f4 /proc/$$/stat)" != "$parent" ]; then
			echo "run-bed: $label/$suite: parent $parent is gone; stopping the emulator" >&2
			stop_emulator TERM
			exit 129
		fi
		# with panic=-1 the kernel reboots before any "end Kernel
		# panic" line; give it two seconds to print the rest
		if grep -aq 'Kernel panic - not syncing' "$log" 2>/dev/null; then
			sleep 2
			kill -TERM -- "-$pid" 2>/dev/null
			rc=125
			break
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			kill -TERM -- "-$pid" 2>/dev/null
			rc=124
			break
		fi
		sleep 1
	done
	sleep 0.5
	kill -KILL -- "-$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	local status=$?
	# (it ends by itself when Bochs closes the pty; a killed bed's too)
	[ -z "$drain" ] || { kill "$drain" 2>/dev/null; wait "$drain" 2>/dev/null; }
	emu_pid=
	[ -n "$rc" ] || rc=$status
}

start=$(date +%s)
case $bed in
qemu)
	# One TCG thread for both vCPUs, not one each (thread=multi): with
	# multi-threaded TCG, the bed's KVM (stock kvm_amd as much as the
	# patched one) sometimes emulated a guest access at an address that
	# was the data of one of the guest's earlier accesses: make flake
	# counted 8 and 3 failed exit_probe runs of 100 on the stock and the
	# patched modules with thread=multi, 0 and 0 with thread=single.
	# The real L2 Linux guest (realvm, demo: no exit_probe there) keeps
	# thread=multi: on one TCG thread it had not booted after 120 s
	# (62,167 exits; a whole run takes about 21,500 with thread=multi).
	case ",$suite," in
	*,realvm,* | *,demo,* | *,debian,*) accel="-accel tcg,thread=multi" ;;
	*) accel="-accel tcg,thread=single" ;;
	esac
	watch_emulator qemu-system-x86_64 \
		${QEMU_ACCEL:-$accel} -cpu max -smp 2 -m 1536 \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		-nographic -no-reboot -serial "file:$log" -monitor none \
		-display none -nic none \
		${BED_DISK:+-drive "file=$BED_DISK,if=virtio,format=raw,snapshot=on"}
	;;
bochs)
	# Bochs boots from a CD: isolinux loads the kernel and initramfs.
	iso=$logdir/$label-${suite//,/+}.iso
	tree=$(mktemp -d)
	mkdir -p "$tree/isolinux"
	cp /usr/lib/ISOLINUX/isolinux.bin /usr/lib/syslinux/modules/bios/ldlinux.c32 "$tree/isolinux/"
	cp "$kernel" "$tree/isolinux/bzimage"
	cp "$initrd" "$tree/isolinux/initrd.gz"
	printf 'DEFAULT et\nPROMPT 0\nTIMEOUT 0\nLABEL et\n  KERNEL bzimage\n  APPEND initrd=initrd.gz %s\n' \
		"$cmdline" > "$tree/isolinux/isolinux.cfg"
	genisoimage -quiet -o "$iso" -b isolinux/isolinux.bin -c isolinux/boot.cat \
		-no-emul-boot -boot-load-size 4 -boot-info-table "$tree"
	rm -rf "$tree"
	rc_file=$logdir/$label-${suite//,/+}.rc
	dbg=$logdir/$label-${suite//,/+}.dbg
	echo c > "$dbg"
	cat > "$rc_file" <<-RC
	megs: 1024
	cpu: model=corei7_skylake_x, count=1, ips=200000000
	romimage: file=/usr/share/bochs/BIOS-bochs-latest
	vgaromimage: file=/usr/share/vgabios/vgabios.bin
	ata0-master: type=cdrom, path=$iso, status=inserted
	boot: cdrom
	display_library: term
	com1: enabled=1, mode=file, dev=$log
	speaker: enabled=0
	sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy
	clock: sync=none, time0=local
	panic: action=fatal
	# KVM reads MSR_IA32_DEBUGCTL (0x1d9) around every VM entry; Bochs
	# logged each read as an error (380 MB in one make bench)
	error: action=report, cpu0=ignore
	log: $logdir/$label-${suite//,/+}.bxlog
	RC
	# Debian's bochs has its debugger built in: "-rc" with "c" runs on.
	# The term display needs a tty: script(1) provides one, headless.
	watch_emulator script -qfec "bochs -q -f $rc_file -rc $dbg" /dev/null
	;;
*)
	echo "run-bed: unknown bed '$bed' (qemu or bochs)" >&2
	exit 2
	;;
esac
took=$(( $(date +%s) - start ))
touch "$log"

tail_log() {
	echo "---- last 40 lines of $log ----"
	tail -n 40 "$log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
	echo "---- end of log ----"
}

# suite_list KEY SUITE: the names in SUITE's "# KEY:" header lines
suite_list() {
	local f=$here/suites/$2.sh w
	[ -f "$f" ] || return 0
	for w in $(sed -n "s/^# $1: //p" "$f"); do
		case $w in
		@*) suite_list "$1" "${w#@}" ;;
		*[!A-Za-z0-9_.{},-]*) echo "run-bed: $f: bad name '$w' in its '# $1:' line" >&2 ;;
		*) eval "printf '%s\\n' $w" ;;
		esac
	done
}
expected=() may_skip=()
for s in ${suite//,/ }; do
	while read -r n; do expected+=("$n"); done < <(suite_list results "$s")
	while read -r n; do may_skip+=("$n"); done < <(suite_list skips "$s")
done
listed() {	# listed NAME ARRAY...
	local n=$1 x
	shift
	for x in "$@"; do [ "$x" = "$n" ] && return 0; done
	return 1
}

# Each result as the suite said it, then as this script judges it: an
# unexpected skip, a pass the list does not name and a listed name that
# never came are failures.
pass=0 fail=0 skip=0 seen=()
record() {	# record NAME VERDICT DETAIL
	printf '  %-6s %-24s %-5s %s\n' "$label" "$1" "$2" "$3"
	printf '%s %s %s %s\n' "$label" "$1" "$2" "$3" >> "$logdir/results.txt"
	case $2 in
	pass) pass=$((pass + 1)) ;;
	skip) skip=$((skip + 1)) ;;
	*) fail=$((fail + 1)) ;;
	esac
}
while read -r _ name verdict detail; do
	seen+=("$name")
	if [ "$verdict" = skip ] && ! listed "$name" "${may_skip[@]}"; then
		record "$name" fail "skipped, and no skip is expected here: $detail"
	elif [ "$verdict" = pass ] && [ ${#expected[@]} -gt 0 ] && ! listed "$name" "${expected[@]}"; then
		record "$name" fail "passed, but the suite's results list does not name it: $detail"
	else
		record "$name" "$verdict" "$detail"
	fi
done < <(grep -a '^@@RESULT' "$log" | tr -d '\r')
for n in "${expected[@]}"; do
	listed "$n" "${seen[@]}" || record "$n" fail "missing: the suite did not report it"
done

done_line=$(grep -a '^@@DONE' "$log" | tr -d '\r' | tail -n1)
if [ -z "$done_line" ]; then
	why="no @@DONE line"
	[ "$rc" = 124 ] && why="timed out after ${limit}s"
	grep -aq 'Kernel panic' "$log" && why="kernel panic"
	echo "run-bed: $label/$suite FAILED: $why (emulator exit $rc, ${took}s)" >&2
	tail_log >&2
	[ -s "$log.emu" ] && { echo "---- emulator output ----"; tail -n 10 "$log.emu" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'; } >&2
	exit 1
fi
echo "  $label/$suite: ${done_line#@@DONE } in ${took}s; judged here: pass=$pass fail=$fail skip=$skip"
guest_fail=$(echo "$done_line" | sed -n 's/.*fail=\([0-9]*\).*/\1/p')
if [ "${guest_fail:-1}" != 0 ] || [ "$fail" != 0 ]; then
	echo "run-bed: $label/$suite: FAILED: $fail result(s) failed (the guest counted ${guest_fail:-?})" >&2
	grep " fail " "$logdir/results.txt" | grep "^$label " | tail -n 20 | sed 's/^/  /' >&2
	tail_log >&2
	exit 1
fi
exit 0
