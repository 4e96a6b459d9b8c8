#!/bin/sh
# check_trace.sh PROBE_JSON EXITTRACE_JSON [PID [VCPU]]
#
# exittrace, attached before exit_probe created its VM and filtered to its
# pid, must count exactly what the probe's guest executed, reason by
# reason, for the reasons only the guest causes: CPUID, port I/O (its
# workload and its ucalls), HLT, MSR access, hypercall.  With PID, only
# exittrace rows of that pid count (exittrace -P; "" for none); with VCPU
# (an index), only what that vCPU executed (exittrace -c).
#
# Latencies: every one of those exits is followed by the vCPU's next
# entry, except each vCPU's last exit, its DONE ucall (an I/O exit after
# which the VMM stops running it).  So each row's latency count must be
# its exit count, less one per vCPU for I/O, and 0 < min <= avg <= max.
# busybox sh + awk.
probe=$1 trace=$2 pid=${3:-} vcpu=${4:-}

obj=executed nvcpus=$(sed -n 's/.*"vcpus":\([0-9]*\).*/\1/p' "$probe")
[ -n "$vcpu" ] && obj=executed_vcpu$vcpu nvcpus=1
grep -q "\"$obj\":{" "$probe" || { echo "check_trace: no \"$obj\" in $probe"; exit 1; }
executed() {	# executed KIND -> count
	sed -n "s/.*\"$obj\":{\([^}]*\)}.*/\1/p" "$probe" | tr ',' '\n' |
		sed -n "s/^\"$1\":\([0-9]*\)$/\1/p"
}

vendor=$(sed -n 's/.*"vendor":"\([A-Z]*\)".*/\1/p' "$probe")
case $vendor in
VMX)	# name code kinds...
	plan="CPUID:10:cpuid IO:30:pio_out,pio_in,ucall_out HLT:12:hlt"
	plan="$plan MSR_READ:31:msr_read MSR_WRITE:32:msr_write VMCALL:18:hypercall" ;;
SVM)
	plan="CPUID:114:cpuid IOIO:123:pio_out,pio_in,ucall_out HLT:120:hlt"
	plan="$plan MSR:124:msr_read,msr_write VMMCALL:129:hypercall" ;;
*)
	echo "check_trace: no vendor in $probe"
	exit 1 ;;
esac

# the summary line: one object per reason row
rows=$(grep '"reasons":\[' "$trace" | tail -n1 | sed 's/},{/}\n{/g')
bad=0
for step in $plan; do
	name=${step%%:*} rest=${step#*:}
	code=${rest%%:*} kinds=${rest#*:}
	want=0
	for k in $(echo "$kinds" | tr ',' ' '); do
		n=$(executed "$k")
		want=$((want + ${n:-0}))
	done
	row=$(echo "$rows" | grep "\"code\":$code,")
	[ -n "$pid" ] && row=$(echo "$row" | grep "\"pid\":$pid,")
	got=$(echo "$row" | sed -n 's/.*"count":\([0-9]*\).*/\1/p')
	got=${got:-0}
	unpaired=0
	case $name in IO*) unpaired=$nvcpus ;; esac
	lat=$(echo "$row" | tr -d '{}[]' | awk -F'[:,]' -v want=$((got - unpaired)) '{
		for (i = 1; i < NF; i++) v[$i] = $(i + 1) + 0
		n = v["\"lat_count\""]; s = v["\"lat_sum_ns\""]
		lo = v["\"lat_min_ns\""]; hi = v["\"lat_max_ns\""]
		if (n != want) { print "lat_count=" n " (want " want ")"; exit }
		if (n == 0) { print "ok"; exit }
		avg = s / n
		if (lo > 0 && lo <= avg && avg <= hi) print "ok"; else print "bad min=" lo " avg=" avg " max=" hi
	}')
	[ "$want" = 0 ] && [ "$got" = 0 ] && continue
	if [ "$got" = "$want" ] && [ "$lat" = ok ]; then
		printf '  %-10s %5s  guest executed %7s  exittrace %7s  ok\n' "$name" "$code" "$want" "$got"
	else
		printf '  %-10s %5s  guest executed %7s  exittrace %7s  latency %s  <-- MISMATCH\n' \
			"$name" "$code" "$want" "$got" "$lat"
		bad=$((bad + 1))
	fi
done
[ "$bad" = 0 ]
