#!/bin/sh
# check_cross.sh PROBE_JSON EXITTRACE_JSON PID TSC_KHZ
#
# The two witnesses, reason by reason, for one exit_probe VM: the patch's
# counters as the guest read them at the end readout, against exittrace's
# counts for the VM's whole life (attached before the VM was created,
# filtered to PID, -P rows).
#
# The arithmetic (see exit_probe.c for the readout): the end readout reads
# reason r with its CPUID number seq_r = R - 1 - reads_after[r] (R CPUIDs
# per readout).  By the self-count rule that value E_r includes the
# readout's own CPUIDs 0..seq_r when r is CPUID.  So the VM took
#     C_r = E_r - [r = CPUID] * (R - reads_after[r])
# exits of reason r before the end readout began (point P), and after P
# the guest executed A_r = (executed - executed_at_end) instructions that
# exit with r: the end readout's R CPUIDs, the final ucall's OUT.  For the
# reasons only the guest causes, exittrace must count exactly C_r + A_r.
# For the others (interrupts, EPT/NPF) KVM and the host add exits after P
# that only the tracer sees: exittrace >= C_r.
#
# Cycles: for every reason both witnesses counted, both must have spent
# time on it (the patch's cycles > 0, exittrace's latency sum > 0), and
# the patch's cycles of r (exit taken -> handled in the kernel),
# converted with TSC_KHZ, must not exceed exittrace's latency sum of r
# (exit -> next entry, over at least the same exits); 2% is allowed for
# the TSC calibration.  That is a bound, not an agreement: cycles
# charged to the wrong reason, or too few, pass as long as they stay
# under the latency, and so does a patch that counts only part of each
# exit.  busybox sh + awk.
probe=$1 trace=$2 pid=$3 tsc_khz=$4

flat() {	# flat NAME: the JSON object "NAME":{...} as "key value" lines
	sed -n "s/.*\"$1\":{\([^}]*\)}.*/\1/p" "$probe" | tr ',' '\n' | tr -d '"' | tr ':' ' '
}
{
	echo "R $(sed -n 's/.*"readout_cpuids":\([0-9]*\).*/\1/p' "$probe")"
	echo "VENDOR $(sed -n 's/.*"vendor":"\([A-Z]*\)".*/\1/p' "$probe")"
	echo "TSC $tsc_khz"
	flat executed | sed 's/^/X /'
	flat executed_at_end | sed 's/^/XE /'
	flat reads_after | sed 's/^/RA /'
	# the end readout's reasons: "E code exits cycles"
	sed -n 's/.*"end":{[^[]*\[\([^]]*\)\].*/\1/p' "$probe" | sed 's/},{/}\n{/g' | tr -d '{}"' |
		awk -F'[:,]' '{ for (i = 1; i < NF; i += 2) v[$i] = $(i + 1); print "E", v["code"], v["exits"], v["cycles"] }'
	# exittrace rows of this VM: "B code count lat_sum_ns"
	grep '"reasons":\[' "$trace" | tail -n1 | sed 's/},{/}\n{/g' | grep "\"pid\":$pid," | tr -d '{}[]"' |
		awk -F'[:,]' '{ for (i = 1; i < NF; i++) v[$i] = $(i + 1); print "B", v["code"], v["count"], v["lat_sum_ns"] }'
} | awk '
$1 == "R" { R = $2 } $1 == "VENDOR" { vendor = $2 } $1 == "TSC" { tsc = $2 }
$1 == "X" { x[$2] = $3 } $1 == "XE" { xe[$2] = $3 } $1 == "RA" { ra[$2] = $3 }
$1 == "E" { e[$2] = $3; ecyc[$2] = $4; codes[$2] = 1; nend++ }
$1 == "B" { b[$2] = $3; blat[$2] = $4; codes[$2] = 1; nbpf++ }
function after(k) { return x[k] - xe[k] }
END {
	if (vendor == "VMX") {
		cpuid = 10; exact[10] = "cpuid"; exact[30] = "pio_out pio_in ucall_out"; exact[12] = "hlt"
		exact[31] = "msr_read"; exact[32] = "msr_write"; exact[18] = "hypercall"
	} else {
		cpuid = 114; exact[114] = "cpuid"; exact[123] = "pio_out pio_in ucall_out"; exact[120] = "hlt"
		exact[124] = "msr_read msr_write"; exact[129] = "hypercall"
	}
	printf "  %-6s %10s %8s %10s %10s  %-7s %12s %12s %6s\n", "REASON", "PATCH@P", "+AFTER", "EXPECTED", \
		"EXITTRACE", "", "PATCH_NS", "BPF_LAT_NS", "RATIO"
	bad = 0
	nc = 0
	for (c in codes) list[++nc] = c + 0
	for (i = 2; i <= nc; i++)
		for (j = i; j > 1 && list[j - 1] > list[j]; j--) { t = list[j]; list[j] = list[j - 1]; list[j - 1] = t }
	for (ci = 1; ci <= nc; ci++) {
		c = list[ci]
		n = (c in e) ? e[c] : 0
		if (c == cpuid) n -= R - ra[c]
		a = 0
		if (c in exact) { k = split(exact[c], ks, " "); for (i = 1; i <= k; i++) a += after(ks[i]) }
		want = n + a; got = (c in b) ? b[c] : 0
		if (c in exact) ok = (got == want); else ok = (got >= n)
		verdict = ok ? ((c in exact) ? "exact" : "at least") : "DIFFERS"
		pns = (c in ecyc) ? ecyc[c] * 1e6 / tsc : 0
		lat = (c in blat) ? blat[c] : 0
		ratio = lat ? pns / lat : 0
		# both sides spent time on every exit both saw (a 0 is a lost sum)
		cyc_ok = (n <= 0 || got == 0 || (pns > 0 && lat > 0)) && !(pns > lat * 1.02)
		if (!ok || !cyc_ok) bad++
		printf "  %#-6x %10d %8s %10s %10d  %-8s %12.0f %12d %6.3f%s\n", c, n, (c in exact) ? "+" a : "", \
			(c in exact) ? want : ">=" n, got, verdict, pns, lat, ratio, \
			(ok && cyc_ok) ? "" : "  <-- " (!ok ? "counts differ" : \
			(pns == 0 || lat == 0) ? "no cycles or no latency on one side" : "patch cycles exceed BPF latency")
	}
	print "  cycles are only bounded here (0 < patch <= 1.02 x latency); trace-time-* matches them"
	# nothing to compare is a failure, not a pass: no vendor means no
	# exact reasons, and no end readout means no patch side at all
	if (vendor != "VMX" && vendor != "SVM") { print "  check_cross: no vendor in the probe JSON"; bad++ }
	if (!nend) { print "  check_cross: no end readout in the probe JSON"; bad++ }
	if (!nbpf) { print "  check_cross: no exittrace rows for the VM"; bad++ }
	exit bad ? 1 : 0
}'
