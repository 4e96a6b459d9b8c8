#!/usr/bin/env bash
# What watching VM exits costs each exit: boot the QEMU bed once with the
# "bench" suite (tests/vm/suites/bench.sh), then summarise its
# "@@BENCH round= config= kind= ns_per_exit=" lines.
#
#   scripts/bench.sh BUILD_DIR [qemu|bochs]   (make bench runs both)
#   scripts/bench.sh BUILD_DIR qemu-stock|bochs-stock
#                                      the patch against stock KVM: the
#                                      "benchstock" suite on the modular
#                                      6.12 kernel (configs S, A, B)
#   BENCH_LOG=FILE scripts/bench.sh BUILD_DIR
#                                      re-summarise a saved console log
#
# Writes BUILD_DIR/bench/BED/bench.csv and bench.png.  The target checks are
# reported, never enforced: the bed is an emulator (TCG running nested
# SVM), so its noise can exceed the effects being measured.
set -euo pipefail

build=${1:-build}
bed=${2:-qemu}
kernel=$build/kernel/bzImage initrd=$build/vm/bench.cpio.gz suite=bench
configs="A B C M D E G K F H I" base=A
case $bed in
qemu) bed_name="QEMU bed (TCG, AMD SVM)" ;;
bochs) bed_name="Bochs bed (Intel VMX)" ;;
qemu-stock | bochs-stock)
	bed_name="$([ "$bed" = qemu-stock ] && echo QEMU || echo Bochs) bed, modular 6.12 kernel, stock vs patched modules"
	kernel=$build/kmod-6.12/bzImage initrd=$build/vm/modules-6.12.cpio.gz suite=benchstock
	configs="S A B" base=S
	;;
*) echo "bench: unknown bed '$bed' (qemu, bochs, qemu-stock or bochs-stock)" >&2; exit 64 ;;
esac
out=$build/bench/$bed
timeout=${BENCH_TIMEOUT:-900}
bed_rc=0
mkdir -p "$out"

if [ -z "${BENCH_LOG:-}" ]; then
	# its own log directory: run-bed.sh appends to LOGDIR/results.txt,
	# which belongs to `make test`
	# a failed measurement still leaves the others worth summarising;
	# the failure is passed on at the end
	tests/vm/run-bed.sh "${bed%-stock}" "$kernel" "$initrd" \
		"$suite" "$timeout" "$out" || bed_rc=$?
	BENCH_LOG=$out/${bed%-stock}-$suite.log
fi

raw=$out/bench.raw
grep -a '^@@BENCH ' "$BENCH_LOG" | tr -d '\r' |
	sed -n 's/^@@BENCH round=\([0-9]*\) config=\([A-Z]\) kind=\([a-z]*\) ns_per_exit=\([0-9.]*\)$/\2 \3 \1 \4/p' \
	>"$raw"
if [ ! -s "$raw" ]; then
	echo "bench: no @@BENCH lines in $BENCH_LOG" >&2
	exit 1
fi


# Per (config, kind): median, min, max over the rounds.  Sorting by value
# inside each group lets awk take the median from the middle.
csv=$out/bench.csv
sort -k1,1 -k2,2 -k4,4n "$raw" | awk '
	function flush() {
		if (n == 0) return
		med = n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		print cfg, kind, n, med, v[1], v[n]
	}
	$1 != cfg || $2 != kind { flush(); cfg = $1; kind = $2; n = 0 }
	{ v[++n] = $4 }
	END { flush() }' >"$out/bench.stats"

# Ratios to the base (A, exit_stats=off; S, stock KVM) of the same kind.
awk -v b="$base" '
	BEGIN { OFS = ","; print "config,kind,runs,median_ns,ratio_to_" b ",min_ns,max_ns" }
	NR == FNR { if ($1 == b) base[$2] = $4; next }
	{ r = ($2 in base) && base[$2] > 0 ? sprintf("%.4f", $4 / base[$2]) : ""
	  print $1, $2, $3, $4, r, $5, $6 }' "$out/bench.stats" "$out/bench.stats" >"$csv.tmp"
# rows in setup order, kinds cheapest-path first (sort put hlt before io)
{
	head -n1 "$csv.tmp"
	for c in $configs; do
		for k in cpuid io hlt; do
			grep "^$c,$k," "$csv.tmp" || true
		done
	done
} >"$csv"
rm -f "$csv.tmp"

desc() {
	case $1 in
	S) echo "stock KVM (unpatched)" ;;
	A) echo "off, nothing attached" ;;
	B) echo "exit_stats=vm" ;;
	C) echo "vm + exittrace (tp_btf)" ;;
	M) echo "vm + exittrace, self-check on" ;;
	D) echo "vm + exittrace -H" ;;
	E) echo "vm + exittrace -P" ;;
	G) echo "vm + exittrace classic tp" ;;
	K) echo "vm + exittrace --no-latency" ;;
	F) echo "vm + tracefs kvm_exit/entry" ;;
	H) echo "vm + perf stat -a (count)" ;;
	I) echo "vm + perf record -a" ;;
	*) echo "?" ;;
	esac
}

# Paired ratios: within each round, X/A of the same kind; the median over
# rounds.  A drift of the emulator's speed (other load on the machine)
# moves both sides of a pair, so these are steadier than medians alone.
# pair X Y KIND -> median over rounds of X_r / Y_r
pair() {
	awk -v x="$1" -v y="$2" -v k="$3" '
		$2 == k && $1 == x { vx[$3] = $4 }
		$2 == k && $1 == y { vy[$3] = $4 }
		END {
			for (r in vx) if ((r in vy) && vy[r] > 0) v[++n] = vx[r] / vy[r]
			if (!n) exit
			for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
			printf "%.4f\n", n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
		}' "$raw"
}

echo
echo "== make bench: ns per exit, kvm_smoke on 1 vCPU in the $bed_name (median of $(cut -d' ' -f3 "$raw" | sort -u | wc -l) rounds)"
printf '  %-3s %-28s %-6s %4s %10s %7s %7s %19s\n' cfg setup kind runs "median ns" "vs $base" "paired" "min-max ns"
tail -n +2 "$csv" | while IFS=, read -r c k n med ratio lo hi; do
	printf '  %-3s %-28s %-6s %4s %10.0f %7s %7s %9.0f-%-9.0f\n' "$c" "$(desc "$c")" "$k" "$n" "$med" \
		"${ratio:+$(printf '%.3f' "$ratio")}" "$(pair "$c" "$base" "$k" | cut -c1-5)" "$lo" "$hi"
done
echo "  (vs $base: ratio of the medians; paired: median over rounds of that round's X/$base)"

if [ "$base" = S ]; then
	echo
	echo "== the patch against stock KVM (paired ratios, reported, not enforced)"
	for k in cpuid io hlt; do
		printf '  %-5s  off A/S = %s   vm B/S = %s   vm vs off B/A = %s\n' "$k" \
			"$(pair A S "$k")" "$(pair B S "$k")" "$(pair B A "$k")"
	done
	echo "bench: wrote $csv"
	exit $bed_rc
fi

# The targets, on CPUID (the exit KVM handles without leaving the
# kernel, so the observers' share of it is the largest).
pab=$(pair B A cpuid) pcb=$(pair C B cpuid) pfb=$(pair F B cpuid) pgb=$(pair G B cpuid)
phb=$(pair H B cpuid) pib=$(pair I B cpuid) pkb=$(pair K B cpuid)
echo
echo "== targets (cpuid, paired ratios; reported, not enforced)"
if [ -n "$pab" ] && [ -n "$pcb" ] && [ -n "$pfb" ]; then
	awk -v ab="$pab" -v cb="$pcb" -v fb="$pfb" -v gb="${pgb:-0}" -v hb="${phb:-0}" -v ib="${pib:-0}" -v kb="${pkb:-0}" 'BEGIN {
		printf "  patch on vs off          B/A = %.3f  <= 1.01            %s\n", ab, ab <= 1.01 ? "holds" : "does not hold"
		printf "  exittrace vs patch only  C/B = %.3f  <= 1.05            %s\n", cb, cb <= 1.05 ? "holds" : "does not hold"
		q = fb > 1 ? (cb - 1) / (fb - 1) : 99
		printf "  vs tracefs ring buffer   (C/B-1)/(F/B-1) = %.2f  <= 0.25  %s\n", q, q <= 0.25 ? "holds" : "does not hold"
		if (gb > 0)
			printf "  (classic tracepoints     G/B = %.3f)\n", gb
		if (kb > 0)
			printf "  (exittrace --no-latency  K/B = %.3f; vs tracefs %.2f)\n", kb, (fb > 1 ? (kb - 1) / (fb - 1) : 99)
		if (hb > 0)
			printf "  (perf stat -a, counting  H/B = %.3f)\n", hb
		if (ib > 0)
			printf "  (perf record -a          I/B = %.3f)\n", ib
	}'
else
	echo "  cannot check: a cpuid measurement of A, B, C or F is missing"
fi

# section TAG FILE TITLE: the bed's "@@TAG ..." lines, shown under TITLE
# and kept in FILE without the tag
section() {
	lines=$(grep -a "^@@$1 " "$BENCH_LOG" | tr -d '\r' | sed "s/^@@$1 //")
	[ -n "$lines" ] || return 0
	echo
	echo "== $3"
	echo "$lines" | sed 's/^/  /'
	echo "$lines" >"$out/$2"
}
section BENCHCPU bench-cpu.txt "exittrace's own CPU (1 s tables, a window after its first table, two VMs exiting; target < 1% of one core)"
section BENCHMAP bench-maps.txt "exittrace's BPF maps in the bed (fdinfo; map types: 2 hash, 6 per-CPU array, 29 task storage)"

# Bar chart: one group per setup, one bar per exit kind, min-max as error
# bars.  gnuplot's errorbar histogram wants per row: label, then
# (median, min, max) per kind.
dat=$out/bench.dat
{
	# a comment, not a header: gnuplot would count a header as a row
	echo "# setup cpuid cpuid_min cpuid_max io io_min io_max hlt hlt_min hlt_max"
	for c in $configs; do
		row="\"$c: $(desc "$c")\""
		for k in cpuid io hlt; do
			v=$(awk -F, -v c="$c" -v k="$k" '$1 == c && $2 == k { print $4, $6, $7 }' "$csv")
			row="$row ${v:-NaN NaN NaN}"
		done
		echo "$row"
	done
} >"$dat"

if command -v gnuplot >/dev/null; then
	if grep -qw pngcairo <<<"$(gnuplot -e 'set terminal' 2>&1)"; then
		term="pngcairo noenhanced size 1280,720 font 'Sans,11'"
	else
		term="png noenhanced size 1280,720"
	fi
	gnuplot <<-EOF
	set terminal $term
	set output '$out/bench.png'
	set title "Cost of observing KVM exits: kvm_smoke, 1 vCPU, $bed_name (median of rounds; bars: min-max)"
	set ylabel "time per exit (ns)"
	set xlabel "setup"
	set yrange [0:*]
	set grid ytics
	set key top left
	set style data histogram
	set style histogram errorbars gap 2 lw 1
	set style fill solid 0.8 border -1
	set boxwidth 0.9
	set xtics rotate by 20 right scale 0
	set bmargin 8
	plot '$dat' using 2:3:4:xtic(1) title "CPUID (in kernel)", \
	     '' using 5:6:7 title "OUT (port I/O, to VMM)", \
	     '' using 8:9:10 title "HLT (to VMM)"
	EOF
	echo
	echo "bench: wrote $csv and $out/bench.png"
else
	echo
	echo "bench: wrote $csv (no gnuplot: no chart)"
fi
if [ "$bed_rc" != 0 ]; then
	echo "bench: the bed reported a failed measurement (see above); the table uses the rest" >&2
	exit "$bed_rc"
fi
