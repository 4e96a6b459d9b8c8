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
# name and in the result lines.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
bed=$1 kernel=$2 initrd=$3 suite=$4 limit=$5 logdir=$6
mkdir -p "$logdir"
label=${BED_LABEL:-$bed}
log=$logdir/$label-${suite//,/+}.log
cmdline="console=ttyS0,115200 panic=-1 quiet et.bed=$bed et.suite=$suite ${ET_CMDLINE:-}"
rm -f "$log"

# Run the emulator in the background and watch its console: stop it at
# the time limit, or as soon as the kernel panics (Bochs has no
# -no-reboot and would boot again and again).
watch_emulator() {	# watch_emulator COMMAND...; sets rc (124: timed out)
	# own session: killing the group also ends bochs under script(1)
	setsid "$@" </dev/null >"$log.emu" 2>&1 &
	local pid=$! deadline=$(( $(date +%s) + limit ))
	rc=
	while kill -0 "$pid" 2>/dev/null; do
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
	[ -n "$rc" ] || rc=$status
}

start=$(date +%s)
case $bed in
qemu)
	watch_emulator qemu-system-x86_64 \
		${QEMU_ACCEL:--accel tcg,thread=multi} -cpu max -smp 2 -m 1536 \
		-kernel "$kernel" -initrd "$initrd" -append "$cmdline" \
		-nographic -no-reboot -serial "file:$log" -monitor none \
		-display none -nic none
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

grep -a '^@@RESULT' "$log" | tr -d '\r' | while read -r _ name verdict detail; do
	printf '  %-6s %-24s %-5s %s\n' "$label" "$name" "$verdict" "$detail"
	printf '%s %s %s %s\n' "$label" "$name" "$verdict" "$detail" >> "$logdir/results.txt"
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
fail=$(echo "$done_line" | sed -n 's/.*fail=\([0-9]*\).*/\1/p')
echo "  $label/$suite: ${done_line#@@DONE } in ${took}s"
if [ "${fail:-1}" != 0 ]; then
	echo "run-bed: $label/$suite: $fail test(s) failed" >&2
	tail_log >&2
	exit 1
fi
exit 0
