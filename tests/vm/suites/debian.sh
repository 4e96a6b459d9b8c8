# debian: a real Debian 12 system (systemd, logind, a getty on the serial
# console, Debian's own 6.12 kernel: scripts/debian-guest.sh) boots as the
# L2 guest under real QEMU (-accel kvm -M q35, SeaBIOS, its root file
# system on a virtio disk: the bed's own disk, /dev/vda, passed on whole)
# to its login prompt, idles L2_IDLE seconds (et.idle=N, default 30), and
# shuts down the way any Debian machine does when QMP's system_powerdown
# presses its ACPI power button.
#
# exittrace records the whole life (--record, 100 ms intervals) with a
# mark at each phase's first console line: the kernel's banner ("Linux
# version"), systemd's ("Welcome to Debian"), the login prompt, and the
# power button; the first phase, from QEMU's start to the kernel, is the
# firmware's.  At three pause points (systemd's start, the login prompt
# and the end of idling) the witnesses are compared exactly (tests/pause.sh).
#
# The kernel command line is Debian's cloud images' (console=ttyS0, no
# "quiet"): the boot log goes out through the emulated UART, as it does on
# a cloud VM; lapic=notscdeadline as in realvm (prompt timers when
# nested under TCG).
#
# results: debian-attach debian-login debian-shutdown debian-record
# results: debian-qmp-stats debian-pause-{systemd,login,idle}
SUITE_NAME=debian
. /tests/pause.sh
l2log=/tmp/l2.log
etout=/tmp/exittrace.json
eterr=/tmp/exittrace.err
timeline=/tmp/timeline.csv
L2_IDLE=${L2_IDLE:-$(arg idle)}
L2_IDLE=${L2_IDLE:-30}
L2_TIMEOUT=${L2_TIMEOUT:-900}
pauses="systemd login idle"

echo "== debian: exittrace on the host side"
exittrace -s -j -i 100ms --kvm-time off --record "$timeline" \
	--mark-labels kernel,systemd,idle,shutdown >"$etout" 2>"$eterr" &
etpid=$!
attached=0
wait_for "$eterr" attached && attached=1
start_pause systemd && attached=$((attached + 1))
if [ -b /dev/vda ] && [ $attached = 2 ]; then
	result debian-attach pass "two exittrace instances attached; the Debian disk is /dev/vda ($(($(cat /sys/block/vda/size) / 2048)) MiB)"
else
	result debian-attach fail "$attached of 2 attached, /dev/vda: $(ls -l /dev/vda 2>&1): $(tail -qn1 "$eterr" /tmp/pause-systemd.err | tr '\n' ' ')"
fi

# The marks: SIGUSR1 when the guest's console shows the line (polled
# every 0.1 s, so a mark is up to that late); the pauses right after.
rm -f "$l2log"
# mark PATTERN LABEL SECONDS: the mark once the console has the line
mark() {
	wait_for "$l2log" "$1" "$3" && kill -USR1 $etpid &&
		echo "debian: marked '$2' at $(cut -d' ' -f1 /proc/uptime)s"
}
(
	mark 'Linux version' kernel 120 &&
	mark 'Welcome to .*Debian' systemd "$L2_TIMEOUT" && pause systemd login &&
	mark ' login: ' idle "$L2_TIMEOUT" && pause login idle &&
	sleep "$L2_IDLE" && pause idle &&
	kill -USR1 $etpid && qmp system_powerdown >/tmp/powerdown.reply &&
		echo "debian: marked 'shutdown': pressed the power button: $(cat /tmp/powerdown.reply)"
) &
markpid=$!

echo "== debian: qemu -accel kvm -M q35 (L2: Debian 12 from /dev/vda)"
l2_start=$(cut -d' ' -f1 /proc/uptime)
# shellcheck disable=SC2086 # QMP_ARGS is a word list
timeout -s KILL "$L2_TIMEOUT" qemu-system-x86_64 -accel kvm -M q35 -cpu host -smp 1 -m 512 \
	-kernel /l2/debian/vmlinuz -initrd /l2/debian/initrd.img \
	-append "root=/dev/vda rw console=ttyS0,115200 lapic=notscdeadline" \
	-drive file=/dev/vda,if=virtio,format=raw,cache=none \
	-nodefaults -no-user-config -nographic -serial stdio \
	$QMP_ARGS -L /usr/share/qemu </dev/null >"$l2log" 2>&1
rc=$?
l2_end=$(cut -d' ' -f1 /proc/uptime)
kill $markpid 2>/dev/null
stop_pauses "$pauses"
stop_exittrace $etpid "$etout"
tr -d '\r' <"$l2log" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g; s/^/  L2| /'

# (the kernel's late messages follow the prompt on its line)
login=$(tr -d '\r' <"$l2log" | grep -o -m1 '[^ ]* login: ')
if [ -n "$login" ]; then
	result debian-login pass "the login prompt came: '$login'"
else
	result debian-login fail "no login prompt within ${L2_TIMEOUT}s (qemu rc=$rc)"
fi
if [ $rc = 0 ] && grep -q 'reboot: Power down' "$l2log"; then
	result debian-shutdown pass "the power button shut it down; QEMU ran $(echo "$l2_start $l2_end" | awk '{ printf "%.1f", $2 - $1 }')s"
else
	result debian-shutdown fail "qemu rc=$rc (137: killed at ${L2_TIMEOUT}s), $(grep -c 'reboot: Power down' "$l2log") power-down lines"
fi

# The recording reads back, adds up to exittrace's final summary, and has
# all four marks.
echo "== debian: the recorded life ($timeline) vs exittrace's final summary"
marks=$(grep -c ',mark,' "$timeline")
if /tests/check_record.sh "$timeline" "$etout" >/tmp/rec.out 2>&1 && [ "$etrc" = 0 ] && [ "$marks" = 4 ]; then
	cat /tmp/rec.out
	result debian-record pass "$(bedcheck get "$etout" total_exits) exits; interval sums == final summary; 4 marks"
else
	cat /tmp/rec.out
	result debian-record fail "exittrace rc=$etrc, $marks marks of 4: $(grep -m1 'differs\|exitrecord\|check_record\|bedcheck' /tmp/rec.out)"
fi

echo "== debian: pause points (the patch via debugfs and QMP, exittrace, KVM's exits)"
check_pauses "$pauses"

# for scripts/demo-debian.sh: the recording, the final summary, the
# patch's counters at the login prompt, the TSC rate
mhz=$(dmesg | sed -n 's/.*tsc: Refined TSC clocksource calibration: \([0-9.]*\) MHz.*/\1/p' | tail -n1)
[ -n "$mhz" ] || mhz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -n1)
echo "@@TSC_KHZ $(echo "$mhz" | awk '{ printf "%d", $1 * 1000 }')"
for part in RECORD:$timeline FINAL:$etout LOGIN:/tmp/pause-login.patch.json \
	    LOGINTABLE:/tmp/pause-login.patch.txt; do
	echo "@@${part%%:*}-BEGIN"
	cat "${part#*:}"
	echo "@@${part%%:*}-END"
done
