# install: scripts/install-kvm.sh on a modular stock kernel, as on a
# Debian host.  The bed kernel was built without the series, KVM as
# modules; the patched modules come from scripts/build-modules.sh run on
# the build host with this kernel's config, Module.symvers, release and
# BTF (the real-host path).  Real kmod does the loading, and the script
# runs under dash, as on Debian: busybox sh prefers its own applets to
# kmod's modprobe, depmod and modinfo, so this suite names kmod's by path.
#
# stock modules: no leaves -> a VM holds /dev/kvm: install refuses, names
# it, changes nothing -> an install whose check fails rolls back -> install:
# discovery answers -> the abi, probe and
# trace suites on the patched modules -> a VM holds /dev/kvm: uninstall
# refuses -> uninstall: stock modules back, discovery gone.
#
# results: mod-stock-load mod-stock-no-leaves mod-refuse-no-modules mod-refuse-busy-install
# results: mod-rollback mod-install mod-discovery mod-status mod-off-is-stock
# results: @abi @probe @trace
# results: mod-refuse-busy-uninstall mod-refuse-bpf-uninstall mod-uninstall mod-step-aside
moddir=/opt/exittrace/modules
rel=$(uname -r)
updates=/lib/modules/$rel/updates/exittrace
vendor=$(kvm_vendor_module)

# What this kernel is, for the log: on Debian's own kernels (the distro
# bed) the differences the README's real-host section lists show here
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
echo "install: kernel $(uname -r) ($(uname -v | cut -c1-60)); lockdown: $(cat /sys/kernel/security/lockdown 2>/dev/null || echo 'no lockdown LSM'); taint $(cat /proc/sys/kernel/tainted); stock kvm from $(/sbin/modinfo -n kvm 2>/dev/null)"

install_kvm() {
	dash /bin/install-kvm "$@"
}

loaded_from() {	# the file kvm loads from, per depmod
	/sbin/modinfo -n kvm 2>/dev/null
}

# hold_kvm: a test VM that has /dev/kvm open and waits; its pid in $holder
hold_kvm() {
	rm -f /tmp/hold.in
	mkfifo /tmp/hold.in
	exit_probe --wait -n 10 -t 120 </tmp/hold.in >/tmp/hold.out 2>&1 &
	holder=$!
	exec 6>/tmp/hold.in
	wait_for /tmp/hold.out 'ready pid'
}

release_kvm() {
	echo go >&6
	exec 6>&-
	wait "$holder"
}

# refused ACTION TEST: install-kvm ACTION must fail while a VM holds
# /dev/kvm, naming the VM's pid, with the modules left as they were.
refused() {
	before=$(loaded_from)
	had_updates=$([ -d "$updates" ] && echo yes)
	if ! hold_kvm; then
		result "$2" fail "exit_probe --wait did not get ready: $(cat /tmp/hold.out)"
		return
	fi
	install_kvm "$1" $moddir >/tmp/refuse.out 2>&1
	rc=$?
	cat /tmp/refuse.out
	release_kvm
	if [ $rc = 0 ]; then
		result "$2" fail "$1 went ahead while pid $holder held /dev/kvm"
	elif ! grep -q "pid $holder (exit_probe)" /tmp/refuse.out; then
		result "$2" fail "$1 refused (rc=$rc) without naming pid $holder"
	elif [ "$(loaded_from)" != "$before" ] ||
	     [ "$([ -d "$updates" ] && echo yes)" != "$had_updates" ]; then
		result "$2" fail "$1 refused but changed the modules: $before -> $(loaded_from)"
	else
		result "$2" pass "refused, named pid $holder, nothing changed"
	fi
}

echo "== stock kernel $rel: modprobe $vendor"
if /sbin/modprobe $vendor && [ -c /dev/kvm ]; then
	result mod-stock-load pass "stock $(loaded_from)"
else
	result mod-stock-load fail "modprobe $vendor: $(dmesg | tail -n1)"
fi
kvmcheck
rc=$?
if [ $rc = 2 ]; then
	result mod-stock-no-leaves pass "kvmcheck: no exittrace leaves on the stock modules"
else
	result mod-stock-no-leaves fail "kvmcheck rc=$rc on the stock modules (want 2)"
fi

# What guests of both vendors read from the five leaves and a neighbour
# on the stock modules; the patched ones with exit_stats=off must give the
# very same answers.
# (6.12's selftest library prints its random seed first: only the
# answers are compared)
/bin/exit_stats_test -l 2>&1 | grep 'guest: leaf' >/tmp/leaves.stock
echo "stock answers ($(wc -l </tmp/leaves.stock) lines), e.g.:"
grep 'leaf 0x4ffffffb index 0x0:' /tmp/leaves.stock

install_kvm install /nonexistent >/tmp/bad.out 2>&1
rc=$?
cat /tmp/bad.out
if [ $rc != 0 ] && grep -q 'make modules' /tmp/bad.out; then
	result mod-refuse-no-modules pass "$(head -n1 /tmp/bad.out)"
else
	result mod-refuse-no-modules fail "rc=$rc: $(head -n1 /tmp/bad.out)"
fi

refused install mod-refuse-busy-install

# A check that fails after the modules are in: with exit_stats=off from
# modprobe.d the leaves stay silent, so install must put the stock
# modules back by itself.
mkdir -p /etc/modprobe.d
echo 'options kvm exit_stats=off' >/etc/modprobe.d/exittrace-test.conf
echo "== install-kvm install $moddir, with kvm exit_stats=off"
install_kvm install $moddir >/tmp/rollback.out 2>&1
rc=$?
cat /tmp/rollback.out
rm -f /etc/modprobe.d/exittrace-test.conf
kvmcheck >/dev/null
checkrc=$?
case $(loaded_from) in
"/lib/modules/$rel/kernel/"*) stock=yes ;;
*) stock= ;;
esac
if [ $rc != 0 ] && grep -q 'rolled back' /tmp/rollback.out && [ -n "$stock" ] &&
   [ ! -d "$updates" ] && [ $checkrc = 2 ] && [ ! -e /sys/module/kvm/parameters/exit_stats ]; then
	result mod-rollback pass "failed check rolled back: stock $(loaded_from) loaded and working"
else
	result mod-rollback fail "rc=$rc kvmcheck=$checkrc kvm from $(loaded_from): $(tail -n1 /tmp/rollback.out)"
fi

echo "== install-kvm install $moddir"
install_kvm install $moddir >/tmp/install.out 2>&1
rc=$?
cat /tmp/install.out
case $(loaded_from) in
"$updates"/kvm.ko) from_updates=yes ;;
*) from_updates= ;;
esac
if [ $rc = 0 ] && [ -n "$from_updates" ] && [ -e /sys/module/kvm/parameters/exit_stats ] &&
   grep -q 'exittrace leaves present' /tmp/install.out; then
	result mod-install pass "$(grep 'leaves present' /tmp/install.out)"
else
	result mod-install fail "rc=$rc, kvm from $(loaded_from), $(tail -n1 /tmp/install.out)"
fi
kvmcheck
rc=$?
if [ $rc = 0 ]; then
	result mod-discovery pass "exit_stats=$(cat /sys/module/kvm/parameters/exit_stats)"
else
	result mod-discovery fail "kvmcheck rc=$rc after install"
fi

echo off >/sys/module/kvm/parameters/exit_stats
/bin/exit_stats_test -l 2>&1 | grep 'guest: leaf' >/tmp/leaves.off
echo vm >/sys/module/kvm/parameters/exit_stats
if [ "$(wc -l </tmp/leaves.stock)" = 48 ] && cmp -s /tmp/leaves.stock /tmp/leaves.off; then
	result mod-off-is-stock pass "exit_stats=off: 48 answers (2 vendors, 6 leaves, 4 ECX) as on the stock modules"
else
	diff /tmp/leaves.stock /tmp/leaves.off
	result mod-off-is-stock fail "exit_stats=off answers differ from the stock modules' (or no list)"
fi

install_kvm status >/tmp/status.out 2>&1
rc=$?
cat /tmp/status.out
if [ $rc = 0 ] && grep -q "installed in $updates" /tmp/status.out &&
   grep -q "loaded kvm: $updates/kvm.ko, exit_stats=vm" /tmp/status.out; then
	result mod-status pass "status: installed, patched kvm loaded, leaves present"
else
	result mod-status fail "rc=$rc: $(head -n2 /tmp/status.out | tr '\n' ' ')"
fi

# The project's own suites, now on the patched modules.
. /tests/suites/abi.sh
. /tests/suites/probe.sh
. /tests/suites/trace.sh

refused uninstall mod-refuse-busy-uninstall

# An exittrace attached to KVM holds its modules (tp_btf links on kvm's
# tracepoints, its fexit on the vendor's handle_exit), so modprobe -r
# would fail half-way: uninstall must refuse first, naming it.
before=$(loaded_from)
EXITTRACE_TEST_NO_STEP_ASIDE=1 exittrace -s >/tmp/holder-et.out 2>/tmp/holder-et.err &
etholder=$!
if wait_for /tmp/holder-et.err attached; then
	install_kvm uninstall >/tmp/refuse-bpf.out 2>&1
	rc=$?
	cat /tmp/refuse-bpf.out
	if [ $rc = 0 ]; then
		result mod-refuse-bpf-uninstall fail "uninstall went ahead under exittrace (pid $etholder)"
	elif ! grep -q "pid $etholder (exittrace): BPF on .*kvm_exit" /tmp/refuse-bpf.out; then
		result mod-refuse-bpf-uninstall fail "refused (rc=$rc) without naming exittrace's pid $etholder"
	elif [ "$(loaded_from)" != "$before" ] || [ ! -d "$updates" ]; then
		result mod-refuse-bpf-uninstall fail "refused but changed the modules: $before -> $(loaded_from)"
	else
		result mod-refuse-bpf-uninstall pass "refused, named $(grep -o "pid $etholder (exittrace): BPF on.*" /tmp/refuse-bpf.out)"
	fi
else
	result mod-refuse-bpf-uninstall fail "exittrace did not attach: $(cat /tmp/holder-et.err)"
fi
kill -INT $etholder 2>/dev/null
wait $etholder

# An exporter that lives through the uninstall: it steps aside when the
# script asks (SIGUSR2), attaches again to the stock modules by itself,
# and its counts since start carry both lives: a VM counted before the
# reload and one after, each exactly what its guest executed.
exittrace -s -j -P --metrics /tmp/aside.prom -i 500ms >/tmp/aside.json 2>/tmp/aside.err &
aside=$!
wait_for /tmp/aside.err attached || result mod-step-aside fail "exittrace did not attach: $(cat /tmp/aside.err)"
exit_probe -j -n 200 -t 120 >/tmp/aside1.out 2>&1 &
aside1=$!
wait $aside1

echo "== install-kvm uninstall"
install_kvm uninstall >/tmp/uninstall.out 2>&1
rc=$?
cat /tmp/uninstall.out
kvmcheck
checkrc=$?
case $(loaded_from) in
"/lib/modules/$rel/kernel/"*) stock=yes ;;
*) stock= ;;
esac
if [ $rc = 0 ] && [ $checkrc = 2 ] && [ -n "$stock" ] && [ ! -d "$updates" ] &&
   [ ! -e "/etc/depmod.d/exittrace-$rel.conf" ] &&
   [ ! -e /sys/module/kvm/parameters/exit_stats ] && [ -c /dev/kvm ]; then
	result mod-uninstall pass "stock $(loaded_from) loaded, discovery gone"
else
	result mod-uninstall fail "rc=$rc kvmcheck=$checkrc kvm from $(loaded_from)"
fi

if grep -q "exittrace pid $aside stepped aside" /tmp/uninstall.out &&
   wait_for /tmp/aside.err 'attached again'; then
	exit_probe -j -n 150 -t 120 >/tmp/aside2.out 2>&1 &
	aside2=$!
	wait $aside2
	kill -INT $aside
	wait $aside
	etrc=$?
	cat /tmp/aside.err
	grep '^{' /tmp/aside1.out | tail -n1 >/tmp/aside1.json
	grep '^{' /tmp/aside2.out | tail -n1 >/tmp/aside2.json
	if [ $etrc = 0 ] &&
	   bedcheck trace /tmp/aside1.json /tmp/aside.json --pid $aside1 >/tmp/aside1.check 2>&1 &&
	   bedcheck trace /tmp/aside2.json /tmp/aside.json --pid $aside2 >/tmp/aside2.check 2>&1; then
		cat /tmp/aside1.check /tmp/aside2.check
		result mod-step-aside pass "exittrace stepped aside for the uninstall, attached again by itself; VM $aside1 (patched) and VM $aside2 (stock) both exact in its summary"
	else
		cat /tmp/aside1.check /tmp/aside2.check 2>/dev/null
		result mod-step-aside fail "exittrace rc=$etrc; VM $aside1 before the reload, $aside2 after: $(tail -n1 /tmp/aside1.check 2>/dev/null) / $(tail -n1 /tmp/aside2.check 2>/dev/null)"
	fi
else
	kill -INT $aside 2>/dev/null
	wait $aside
	result mod-step-aside fail "no step aside: $(grep -i 'exittrace\|error' /tmp/uninstall.out | head -n2) / $(tail -n2 /tmp/aside.err)"
fi
# the patched modules are not signed with the kernel's key: a kernel with
# CONFIG_MODULE_SIG (Debian's) loads them, tainted, unless it enforces
# signatures (module.sig_enforce=1, or lockdown under Secure Boot)
echo "install: taint after the run $(cat /proc/sys/kernel/tainted); $(dmesg | grep -c 'module verification failed') 'module verification failed' line(s) in dmesg"
