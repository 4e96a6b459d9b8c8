#!/usr/bin/env bash
# Offline proof that exittrace's CO-RE reads land on the fields they mean,
# on kernel layouts no test bed boots.
#
#   tests/host/core_layouts.sh BPF_OBJECT
#
# Each fixture in tests/host/fixtures/btf/ declares one known layout (the
# kernel's structs, abridged to the members that matter); gcc -g and
# pahole -J turn it into BTF.  "bpftool gen min_core_btf" then keeps of
# that BTF exactly what the object's relocations resolved to, and the
# members kept must be exactly the ones listed below for that layout: the
# exit reason, the vCPU id and the SVM exit code, by name and size, and
# nothing of the layouts the kernel does not have.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
obj=${1:?usage: core_layouts.sh BPF_OBJECT}
fx=$top/tests/host/fixtures/btf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

for tool in gcc pahole bpftool; do
	command -v $tool >/dev/null || { echo "core_layouts: needs $tool (make deps)"; exit 1; }
done

# What every layout shares: the vCPU's id, and the classic records.
common='kvm_vcpu: vcpu_id=INT 4
trace_event_raw_kvm_entry: vcpu_id=INT 4
trace_event_raw_kvm_exit: exit_reason=INT 4 isa=INT 4 vcpu_id=INT 4'

# expected LAYOUT: what the object must resolve to there, one struct or
# union a line, "NAME: MEMBER=KIND [NAME] SIZE..." (typedefs resolved)
expected() {
	case $1 in
	vmx-5.10) echo 'vcpu_vmx: vcpu=STRUCT kvm_vcpu exit_reason=INT 4' ;;
	vmx-5.12) echo 'vcpu_vmx: vcpu=STRUCT kvm_vcpu exit_reason=UNION vmx_exit_reason
vmx_exit_reason: full=INT 4' ;;
	vmx-6.16) echo 'vcpu_vmx: vcpu=STRUCT kvm_vcpu vt=STRUCT vcpu_vt
vcpu_vt: exit_reason=UNION vmx_exit_reason
vmx_exit_reason: full=INT 4' ;;
	svm-6.12) echo 'vcpu_svm: vcpu=STRUCT kvm_vcpu vmcb=PTR
vmcb: control=STRUCT vmcb_control_area
vmcb_control_area: exit_code=INT 4' ;;
	svm-7.0) echo 'vcpu_svm: vcpu=STRUCT kvm_vcpu vmcb=PTR
vmcb: control=STRUCT vmcb_control_area
vmcb_control_area: exit_code=INT 8' ;;
	*) return 1 ;;
	esac
	echo "$common"
}

# resolved BTF: the structs and unions of a raw bpftool dump, members
# with their types resolved through typedefs, sorted
resolved() {
	bpftool btf dump file "$1" | awk '
		/^\[[0-9]+\]/ {
			id = substr($1, 2, length($1) - 2); kind[id] = $2; name[id] = $3
			gsub(/\047/, "", name[id])
			for (i = 4; i <= NF; i++) {
				if ($i ~ /^type_id=/) target[id] = substr($i, 9)
				if ($i ~ /^size=/) size[id] = substr($i, 6)
			}
			cur = id; nm[id] = 0
			next
		}
		/^\t\047/ {
			m = $1; gsub(/\047/, "", m)
			t = $2; sub(/^type_id=/, "", t)
			members[cur, ++nm[cur]] = m; mtype[cur, nm[cur]] = t
		}
		function desc(t) {
			while (kind[t] == "TYPEDEF" || kind[t] == "CONST" || kind[t] == "VOLATILE")
				t = target[t]
			if (kind[t] == "INT") return "INT " size[t]
			if (kind[t] == "PTR") return "PTR"
			return kind[t] " " name[t]
		}
		END {
			for (id in kind) {
				if (kind[id] != "STRUCT" && kind[id] != "UNION") continue
				line = name[id] ":"
				for (i = 1; i <= nm[id]; i++) line = line " " members[id, i] "=" desc(mtype[id, i])
				print line
			}
		}' | sort
}

for src in "$fx"/*.c; do
	layout=$(basename "$src" .c)
	want=$(expected "$layout" | sort) || { echo "FAIL $layout: no expectation for this fixture"; fail=$((fail + 1)); continue; }
	if ! gcc -g -c "$src" -I"$fx" -o "$tmp/$layout.o" 2>"$tmp/err" ||
	   ! pahole -J "$tmp/$layout.o" 2>>"$tmp/err" ||
	   ! bpftool gen min_core_btf "$tmp/$layout.o" "$tmp/$layout.min.btf" "$obj" 2>>"$tmp/err"; then
		echo "FAIL core-layout-$layout: could not build or reduce its BTF:"
		sed 's/^/       /' "$tmp/err" | head -n 10
		fail=$((fail + 1))
		continue
	fi
	got=$(resolved "$tmp/$layout.min.btf")
	if [ "$got" = "$want" ]; then
		echo "ok   core-layout-$layout: $(echo "$got" | grep -E '^(vcpu_vmx|vcpu_vt|vmcb_control_area):' | tr '\n' ';' | sed 's/;$//')"
		pass=$((pass + 1))
	else
		echo "FAIL core-layout-$layout: the object resolves to"
		echo "$got" | sed 's/^/       /'
		echo "     expected"
		echo "$want" | sed 's/^/       /'
		fail=$((fail + 1))
	fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ] && [ "$pass" -gt 0 ]
