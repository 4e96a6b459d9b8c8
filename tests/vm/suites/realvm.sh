# realvm: QEMU with -accel kvm runs inside the bed and boots a full Linux
# guest (the same kernel) on the bed's patched KVM, while exittrace
# records every exit on the bed's side.  The guest's own init
# (guest-init) prints "@@L2" lines, which are checked here.
l2log=/tmp/l2.log
etout=/tmp/exittrace.out
eterr=/tmp/exittrace.err

echo "== realvm: exittrace on the host side"
exittrace -s -H >"$etout" 2>"$eterr" &
etpid=$!
i=0
while ! grep -q attached "$eterr" 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done

echo "== realvm: qemu -accel kvm -M microvm (L2 guest)"
timeout -s KILL "${L2_TIMEOUT:-120}" qemu-system-x86_64 -accel kvm -M microvm -cpu host -smp 1 -m 256 \
	-kernel /l2/bzImage -initrd /l2/guest.cpio.gz \
	-append "console=ttyS0 panic=-1 quiet" \
	-nodefaults -no-user-config -nographic -no-reboot -serial stdio \
	-L /usr/share/qemu </dev/null >"$l2log" 2>&1
rc=$?
kill -INT $etpid
wait $etpid
etrc=$?
sed 's/^/  L2| /' "$l2log"
if grep -q '^@@L2 up' "$l2log" && grep -q '^@@L2 end' "$l2log"; then
	result realvm-boot pass "L2 $(grep '^@@L2 up' "$l2log" | tr -d '\r' | cut -c8-)"
else
	result realvm-boot fail "qemu rc=$rc; no @@L2 up/end from the L2 guest"
fi

echo "== exittrace, the whole L2 run:"
cat "$etout" "$eterr"
total=$(sed -n 's/^ *TOTAL *\([0-9]*\).*/\1/p' "$etout" | head -n1)
if [ "$etrc" = 0 ] && [ "${total:-0}" -gt 0 ]; then
	result realvm-exittrace pass "exittrace saw $total exits of the L2 boot"
else
	result realvm-exittrace fail "exittrace rc=$etrc, total=${total:-none}"
fi
