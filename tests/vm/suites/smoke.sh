# smoke: KVM is up in the bed and a test-VMM guest's exits reach the VMM.
#
# results: kvm-device kvm-smoke kvm-smoke-2vcpu
if [ -c /dev/kvm ]; then
	result kvm-device pass "/dev/kvm present, vendor module ${kvm}"
else
	result kvm-device fail "no /dev/kvm: KVM did not come up ($(dmesg | grep -i kvm | tail -n1))"
fi
run_test kvm-smoke /bin/kvm_smoke -n 1000
run_test kvm-smoke-2vcpu /bin/kvm_smoke -n 500 -c 2
