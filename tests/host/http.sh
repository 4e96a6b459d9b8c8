# exittrace --listen, scraped by a real Prometheus (sourced by
# tests/host/run.sh after metrics.sh: its check, skip, start_server,
# stop_daemon, promtool_check, $work).
#
# exittrace runs on this host (as root) with --listen 127.0.0.1:PORT;
# curl asks it for each format, and Debian's prometheus (config and
# storage in a temp dir, 127.0.0.1, scrape interval 1 s) scrapes it.
# This host runs no VM, so the kvm_* families have no samples: Prometheus
# must still hold their types (/api/v1/metadata), report the target up,
# and return for exittrace's own samples the values exittrace served.
# The judges are shown to fail on a value and a type that are wrong.

if [ "$(id -u)" != 0 ]; then
	skip http-prometheus "needs root to run exittrace (run make test as root)"
	return 0
elif [ ! -e /sys/kernel/btf/vmlinux ] || [ ! -e /sys/module/kvm ]; then
	skip http-prometheus "exittrace cannot run on this kernel (no BTF or no KVM)"
	return 0
fi
http_tools() {
	command -v prometheus >/dev/null && echo "http: prometheus present" && return 0
	echo "http: prometheus is not installed (Debian package prometheus: run scripts/deps.sh)"
	return 1
}
check http-prometheus-installed 0 'present$' http_tools
http_tools >/dev/null || return 0

hdir=$work/http
mkdir -p "$hdir"
start_server "$hdir/exittrace.log" metrics ./exittrace -s -i 250ms --listen 127.0.0.1:@PORT@
et_pid=$server_pid et_port=$server_port
et_url=http://127.0.0.1:$et_port/metrics
up() {	# up NAME PID LOG: NAME answers, or its log
	[ -n "$2" ] && echo "$1: pid $2 answers" && return 0
	echo "$1 did not answer; its log:"
	cat "$3"
	return 1
}
check http-exittrace-up 0 'answers$' up exittrace "$et_pid" "$hdir/exittrace.log"

# asked FILE [ACCEPT]: exittrace's answer (to Accept: ACCEPT) into FILE;
# prints its Content-Type and last line
asked() {	# asked FILE [ACCEPT]
	local file=$1 accept=()
	[ $# -lt 2 ] || accept=(-H "Accept: $2")
	curl -sf "${accept[@]}" -D "$file.head" -o "$file" "$et_url" || return 1
	echo "$(grep -i '^content-type:' "$file.head" | tr -d '\r'); last line: $(tail -n 1 "$file")"
}
check http-text-by-default 0 '^Content-Type: text/plain; version=0\.0\.4; charset=utf-8; last line: exittrace_info' \
	asked "$hdir/text"
check http-text-promtool 0 'clean$' promtool_check "$hdir/text"
check http-openmetrics-when-asked 0 'Content-Type: application/openmetrics-text; version=1\.0\.0.*last line: # EOF' \
	asked "$hdir/om" 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5'
check http-text-when-openmetrics-refused 0 'text/plain; version=0\.0\.4.*last line: exittrace_info' \
	asked "$hdir/refused" 'application/openmetrics-text;q=0,text/plain'
check http-not-found 0 '^404$' curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$et_port/"

# Prometheus, scraping exittrace every second
cat >"$hdir/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: exittrace
    static_configs:
      - targets: ['127.0.0.1:$et_port']
EOF
start_server "$hdir/prometheus.log" -/ready prometheus --config.file="$hdir/prometheus.yml" \
	--storage.tsdb.path="$hdir/data" --web.listen-address=127.0.0.1:@PORT@
prom_pid=$server_pid prom_port=$server_port
check http-prometheus-up 0 'answers$' up prometheus "$prom_pid" "$hdir/prometheus.log"
api=http://127.0.0.1:$prom_port/api/v1

# prom_value QUERY WANT: Prometheus' one answer to QUERY has the value WANT
# (an instant query gives [time,"value"]); tried for 30 s, as the first
# scrapes come a few seconds after Prometheus starts (TRIES=N: N times,
# half a second apart)
prom_value() {
	local said i
	for i in $(seq "${TRIES:-60}"); do
		said=$(curl -sf -G "$api/query" --data-urlencode "query=$1")
		case $said in
		*'"result":[{'*'"value":['*",\"$2\"]}]}}") echo "$1 = $2"; return 0 ;;
		esac
		sleep 0.5
	done
	echo "no $1 = $2 in: $said"
	return 1
}
# prom_type FAMILY TYPE: what Prometheus learnt of FAMILY's type
prom_type() {
	local said
	said=$(curl -sf -G "$api/metadata" --data-urlencode "metric=$1")
	case $said in
	*"\"$1\":[{\"type\":\"$2\""*) echo "$1: $2"; return 0 ;;
	esac
	echo "not a $2: $said"
	return 1
}

check http-prometheus-target-up 0 '= 1$' prom_value 'up{job="exittrace"}' 1
# the values exittrace served to curl, as Prometheus stored them
dropped=$(sed -n 's/^exittrace_dropped_total{cause="map_full"} //p' "$hdir/text")
info=$(sed -n 's/^exittrace_info{\(.*\)} 1$/\1/p' "$hdir/text")
check http-prometheus-dropped 0 "= ${dropped:-?}\$" prom_value 'exittrace_dropped_total{cause="map_full"}' "${dropped:-?}"
check http-prometheus-info 0 '= 1$' prom_value "exittrace_info{${info:-?}}" 1
# the judge fails on a wrong value: asked once, as the series is there
# (http-prometheus-dropped found it)
prom_value_once() { TRIES=1 prom_value "$@"; }
check http-prometheus-wrong-value 1 '^no .* in: .*"result":\[\{' \
	prom_value_once 'exittrace_dropped_total{cause="map_full"}' 7
# its types, from the OpenMetrics Prometheus asked for: families by the
# OpenMetrics name, the latency with its unit
check http-prometheus-kvm-exits-type 0 'kvm_exits: counter' prom_type kvm_exits counter
check http-prometheus-latency-type 0 'kvm_exit_latency_seconds: histogram' \
	prom_type kvm_exit_latency_seconds histogram
check http-prometheus-latency-unit 0 '"unit":"seconds"' \
	curl -sf -G "$api/metadata" --data-urlencode metric=kvm_exit_latency_seconds
check http-prometheus-dropped-type 0 'exittrace_dropped: counter' prom_type exittrace_dropped counter
# the judge fails on a wrong type: Prometheus answered, with another type
check http-prometheus-wrong-type 1 '^not a gauge: .*"kvm_exits":\[\{"type":"counter"' prom_type kvm_exits gauge

# an address in use (Prometheus'): refused at the start, saying why
check http-exittrace-port-taken 1 "cannot listen on 127\\.0\\.0\\.1:$prom_port: Address already in use" \
	./exittrace -s -d 1 --listen 127.0.0.1:$prom_port

[ -z "$prom_pid" ] || stop_daemon "$prom_pid"
# exittrace ends as on Ctrl-C, with its summary, while being served
daemon_rc=none
[ -z "$et_pid" ] || stop_daemon "$et_pid" INT
check http-exittrace-stopped 0 'rc=0 .*Summary over' sh -c \
	"printf 'rc=%s ' $daemon_rc; tr '\n' ' ' <'$hdir/exittrace.log'"
