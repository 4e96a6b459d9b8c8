# late: a KVM patch that ends each exit's cycles one step late (at the
# next VM-Entry instead of when ->handle_exit() returns:
# tests/late-end/*.patch on top of the series), installed on a modular
# kernel (Debian's own 6.12 in make test) with install-kvm like the real
# series.  The counts still
# agree exactly, but the patch's cycles must no longer agree with
# exittrace's time in KVM: exitdiff --time must fail, naming the reasons,
# within the same tolerance the good series passes (5% in Bochs, 15% for
# the judged reasons together in QEMU: lib.sh says why).  Then uninstall puts the stock modules back.
#
# results: late-install late-time-differs late-uninstall
late=/opt/exittrace/late

if dash /bin/install-kvm install $late >/tmp/late-install.out 2>&1; then
	result late-install pass "$(tail -n1 /tmp/late-install.out)"
else
	cat /tmp/late-install.out
	result late-install fail "$(tail -n1 /tmp/late-install.out)"
fi

tol=5
[ "$(arg bed)" = qemu ] && tol=$QEMU_TIME_PCT
time_run late-time "" "--kvm-time fexit" $tol
if [ "$trrc $etrc $diffrc" = "0 0 1" ] && grep -q 'all [0-9]* reasons agree' /tmp/late-time.diff &&
   grep -q '<-- time differs' /tmp/late-time.diff; then
	result late-time-differs pass "counts exact, and ending late fails: $(sed -n 's/^exitdiff: time in KVM //p' /tmp/late-time.diff | cut -c1-140)"
else
	result late-time-differs fail "probe rc=$trrc exittrace rc=$etrc exitdiff rc=$diffrc (want 0 0 1, counts equal, time differs): $(tail -n1 /tmp/late-time.diff)"
fi

dash /bin/install-kvm uninstall >/tmp/late-uninstall.out 2>&1
rc=$?
kvmcheck >/dev/null 2>&1
checkrc=$?
if [ "$rc $checkrc" = "0 2" ]; then
	result late-uninstall pass "stock modules back (kvmcheck: no leaves): $(tail -n1 /tmp/late-uninstall.out)"
else
	cat /tmp/late-uninstall.out
	result late-uninstall fail "uninstall rc=$rc, kvmcheck rc=$checkrc (want 0 2): $(tail -n1 /tmp/late-uninstall.out)"
fi
