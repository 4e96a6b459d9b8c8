# exittrace's metrics files, read by the programs that read them for real
# (sourced by tests/host/run.sh: its check, skip, start_server, $build,
# $work):
#   - promtool check metrics (Prometheus' own linter of the text format);
#   - Debian's prometheus-node-exporter, whose textfile collector serves
#     every *.prom file of a directory: what it serves on /metrics is what
#     Prometheus would store.
# Two sources: build/metrics_sample (the writer, for a made-up VM with
# counts, times and histograms: this host runs no VM) and, as root, a real
# exittrace run on this kernel (no exits, but every exittrace_* sample).
# The OpenMetrics file of the same snapshot is the control: node_exporter
# must serve its counters untyped and promtool must refuse it, or these
# checks could not tell a good file from the one issue 18 was about.

metrics_tools() {	# the consumers are installed, or say which are not
	local tool missing=
	for tool in promtool prometheus-node-exporter curl; do
		command -v $tool >/dev/null || missing="$missing $tool"
	done
	if [ -n "$missing" ]; then
		echo "metrics: not installed:$missing (Debian packages prometheus,"
		echo "  prometheus-node-exporter, curl: run scripts/deps.sh)"
		return 1
	fi
	echo "metrics: promtool, prometheus-node-exporter and curl present"
}
check metrics-consumers-installed 0 'present$' metrics_tools
metrics_tools >/dev/null || return 0

# promtool check metrics: exit 0 and not a word (a lint complaint is a line)
promtool_check() {
	local said rc
	# promtool passes an empty input: there must be something to judge
	if ! grep -q '^[a-z]' "$1" 2>/dev/null; then
		echo "promtool: $1 holds no sample to check"
		return 1
	fi
	said=$(promtool check metrics <"$1" 2>&1)
	rc=$?
	echo "$said"
	[ $rc = 0 ] && [ -z "$said" ] && echo "promtool: $(basename "$1"): clean"
	[ $rc = 0 ] && [ -z "$said" ]
}

mdir=$work/metrics
nedir=$mdir/textfile
mkdir -p "$nedir"
sample_written() {	# sample_written FORMAT FILE
	"$build/metrics_sample" "$1" "$2" && [ -s "$2" ] && echo "written: $2"
}
check metrics-sample-text 0 '^written' sample_written text "$mdir/sample.prom"
check metrics-sample-openmetrics 0 '^written' sample_written openmetrics "$mdir/sample-om.prom"

check metrics-promtool-sample 0 'clean$' promtool_check "$mdir/sample.prom"
check metrics-promtool-caught-openmetrics 1 '^kvm_exits_total no help text' \
	promtool_check "$mdir/sample-om.prom"

# node_exporter with only its textfile collector, on 127.0.0.1
start_server "$mdir/node_exporter.log" metrics prometheus-node-exporter \
	--web.listen-address=127.0.0.1:@PORT@ --collector.disable-defaults \
	--collector.textfile --collector.textfile.directory="$nedir"
ne_pid=$server_pid ne_port=$server_port
ne_up() {
	[ -n "$ne_pid" ] && echo "node_exporter: pid $ne_pid on 127.0.0.1:$ne_port" && return 0
	echo "node_exporter did not start; its log:"
	cat "$mdir/node_exporter.log"
	return 1
}
check metrics-node-exporter-up 0 '^node_exporter: pid [0-9]+ on 127\.0\.0\.1:' ne_up

# served FILE: what node_exporter serves with FILE alone in its directory
served() {
	rm -f "$nedir"/*
	cp "$1" "$nedir/kvm.prom"
	curl -sf "http://127.0.0.1:$ne_port/metrics"
}

# serves FILE LINE...: node_exporter serves each LINE (whole lines), reads
# FILE without error, and serves none of its samples untyped or with the
# help text it gives a family that had none
serves() {
	local file=$1 line bad=0
	shift
	served "$file" >"$mdir/served" || { echo "no answer from node_exporter"; return 1; }
	for line in "$@" 'node_textfile_scrape_error 0'; do
		grep -Fxq -- "$line" "$mdir/served" && continue
		echo "not served: $line"
		bad=1
	done
	if grep -E '^# TYPE (kvm|exittrace)_[a-z_]* untyped$|^# HELP (kvm|exittrace)_.* Metric read from' \
		"$mdir/served"; then
		bad=1
	fi
	[ $bad = 0 ] && echo "node_exporter served all $(($# + 1)) lines, typed"
	return $bad
}

# The made-up VM (tests/host/metrics_sample.c): node_exporter sorts the
# labels and prints the values its own way
sample_lines=(
	'# TYPE kvm_exits_total counter'
	'kvm_exits_total{code="114",isa="SVM",pid="4242",reason="CPUID"} 1072'
	'kvm_exits_total{code="123",isa="SVM",pid="4242",reason="IOIO"} 204'
	'kvm_exits_total{code="120",isa="SVM",pid="4242",reason="HLT"} 10'
	'# TYPE kvm_exit_handling_seconds_total counter'
	'kvm_exit_handling_seconds_total{code="114",isa="SVM",pid="4242",reason="CPUID"} 0.0012'
	'# TYPE kvm_exit_latency_seconds histogram'
	'kvm_exit_latency_seconds_bucket{isa="SVM",pid="4242",reason="CPUID",le="2.048e-06"} 1000'
	'kvm_exit_latency_seconds_bucket{isa="SVM",pid="4242",reason="CPUID",le="4.096e-06"} 1072'
	'kvm_exit_latency_seconds_bucket{isa="SVM",pid="4242",reason="IOIO",le="1.6384e-05"} 150'
	'kvm_exit_latency_seconds_bucket{isa="SVM",pid="4242",reason="IOIO",le="2.147483648"} 200'
	'kvm_exit_latency_seconds_bucket{isa="SVM",pid="4242",reason="IOIO",le="+Inf"} 202'
	'kvm_exit_latency_seconds_sum{isa="SVM",pid="4242",reason="IOIO"} 6.0025'
	'kvm_exit_latency_seconds_count{isa="SVM",pid="4242",reason="IOIO"} 202'
	'kvm_exit_latency_seconds_count{isa="SVM",pid="4242",reason="HLT"} 10'
	'# TYPE kvm_exit_keys_total counter'
	'kvm_exit_keys_total{dir="out",key="0x5c20",kind="port",pid="4242"} 150'
	'kvm_exit_keys_total{dir="write",key="0xfee00300",kind="mmio",pid="4242"} 30'
	'# TYPE kvm_exit_key_latency_seconds_total counter'
	'kvm_exit_key_latency_seconds_total{dir="out",key="0x5c20",kind="port",pid="4242"} 0.0021'
	'# TYPE exittrace_dropped_total counter'
	'exittrace_dropped_total{cause="no_task_storage"} 3'
	'exittrace_dropped_total{cause="keys_full"} 0'
	'# TYPE exittrace_info gauge'
	'exittrace_info{attach="tp_btf",version="sample"} 1'
)
check metrics-node-exporter-sample 0 'served all 26 lines, typed' \
	serves "$mdir/sample.prom" "${sample_lines[@]}"
check metrics-node-exporter-caught-openmetrics 1 '^# TYPE kvm_exits_total untyped$' \
	serves "$mdir/sample-om.prom" "${sample_lines[@]}"

# A real run on this kernel: a file at the start, rewritten at the end
# even when the run is shorter than one interval; an unwritable path
# refused before tracing starts, with exit status 1
if [ "$(id -u)" != 0 ]; then
	skip metrics-exittrace-run "needs root (run make test as root)"
elif [ ! -e /sys/kernel/btf/vmlinux ] || [ ! -e /sys/module/kvm ]; then
	skip metrics-exittrace-run "exittrace cannot run on this kernel (no BTF or no KVM)"
else
	# -d 2 -i 10: no interval ends in the run, so a file whose mtime is
	# about 2 s after the one of the start was written at the end
	written_at_end() {
		local t0 t1 rc
		rm -f "$mdir/host.prom" "$mdir/host-om.prom"
		./exittrace -s -d 2 -i 10 --metrics "$mdir/host.prom" --openmetrics "$mdir/host-om.prom" \
			>/dev/null 2>"$mdir/host.err" &
		local pid=$!
		for i in $(seq 100); do grep -q attached "$mdir/host.err" && break; sleep 0.1; done
		t0=$(stat -c %.3Y "$mdir/host.prom" 2>/dev/null)
		wait $pid
		rc=$?
		t1=$(stat -c %.3Y "$mdir/host.prom" 2>/dev/null)
		cat "$mdir/host.err"
		echo "exittrace rc=$rc; the file written at ${t0:-never}, again at ${t1:-never}"
		[ $rc = 0 ] && [ -n "$t0" ] && [ -n "$t1" ] &&
			awk -v a="$t0" -v b="$t1" 'BEGIN { if (b - a < 1.5) exit 1
				printf "rewritten at the end, %.1f s after the start\n", b - a }'
	}
	check metrics-exittrace-end-of-run 0 'rewritten at the end, [0-9.]+ s after' written_at_end
	check metrics-exittrace-one-second 0 'rc=0 exists' sh -c \
		"rm -f '$mdir/short.prom'; ./exittrace -s -d 1 --metrics '$mdir/short.prom' >/dev/null 2>&1
		 echo rc=\$? \$([ -s '$mdir/short.prom' ] && echo exists)"
	check metrics-promtool-exittrace 0 'clean$' promtool_check "$mdir/host.prom"
	info=$(sed -n 's/^exittrace_info{version="\([^"]*\)",attach="\([a-z_]*\)"} 1$/attach="\2",version="\1"/p' \
		"$mdir/host.prom")
	host_lines=(
		'# TYPE exittrace_dropped_total counter'
		'exittrace_dropped_total{cause="map_full"} 0'
		'exittrace_dropped_total{cause="no_exit_reason"} 0'
		'# TYPE exittrace_info gauge'
		"exittrace_info{${info:-?}} 1"
	)
	check metrics-node-exporter-exittrace 0 'served all 6 lines, typed' \
		serves "$mdir/host.prom" "${host_lines[@]}"
	check metrics-node-exporter-caught-exittrace-openmetrics 1 '^# TYPE exittrace_dropped_total untyped$' \
		serves "$mdir/host-om.prom" "${host_lines[@]}"
	check metrics-exittrace-unwritable 1 'cannot write the metrics file /nonexistent/dir/kvm\.prom: No such file' \
		./exittrace -s -d 1 --metrics /nonexistent/dir/kvm.prom
fi

[ -z "$ne_pid" ] || stop_daemon $ne_pid
