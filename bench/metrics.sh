#!/usr/bin/env bash
# Measures `goport metrics --textfile` (and `goport report trend`) on a
# history of 1,000 runs. The records are real: one matrix run of two main
# packages over the first-class ports, one doctor and one preflight run on a
# generated module, each then copied under 1,000 successive timestamps (70%
# matrix, 20% doctor, 10% preflight). Prints medians; the goal is < 1 s.
#
#   bench/metrics.sh [RUNS] [RECORDS]     (default 11 runs, 1000 records)
set -euo pipefail
runs=${1:-11}
records=${2:-1000}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/goport" "$root/cmd/goport"

mod="$work/mod"
mkdir -p "$mod/cmd/api" "$mod/cmd/cli" "$work/textfile"
printf 'module example.com/bench\n\ngo 1.22\n' >"$mod/go.mod"
printf 'history:\n  keep: %d\n' $((records + 10)) >"$mod/goport.yaml"
printf 'package main\n\nimport "net/http"\n\nfunc main() { _ = http.ListenAndServe(":0", nil) }\n' >"$mod/cmd/api/main.go"
printf 'package main\n\nimport "fmt"\n\nfunc main() { fmt.Println("cli") }\n' >"$mod/cmd/cli/main.go"

cd "$mod"
unset GOPORT_NO_HISTORY
"$work/goport" matrix --cgo off >/dev/null 2>&1
"$work/goport" doctor --fail-on none >/dev/null
"$work/goport" preflight --fail-on none >/dev/null 2>&1 || true
hist="$mod/.goport/history"
for c in matrix doctor preflight; do
	cp "$hist"/*-"$c"-*.json "$work/$c.json"
done
tmpl_matrix=$work/matrix.json tmpl_doctor=$work/doctor.json tmpl_preflight=$work/preflight.json
rm "$hist"/*.json

# Copy the templates under successive times, one minute apart, rewriting
# the record's time so names and contents agree.
export TZ=UTC
start=$(($(date +%s) - records * 60))
for i in $(seq 1 "$records"); do
	t=$((start + i * 60))
	printf -v stamp '%(%Y%m%dT%H%M%S)T' "$t"
	printf -v iso '%(%Y-%m-%dT%H:%M:%S)T' "$t"
	case $((i % 10)) in
	0) cmd=preflight tmpl=$tmpl_preflight ;;
	1 | 2) cmd=doctor tmpl=$tmpl_doctor ;;
	*) cmd=matrix tmpl=$tmpl_matrix ;;
	esac
	sed "s/\"time\":\"[^\"]*\"/\"time\":\"${iso}Z\"/" "$tmpl" >"$hist/${stamp}.000000000Z-${cmd}-1-$(printf %08x "$i").json"
done
n=$(ls "$hist" | wc -l)
bytes=$(du -sk "$hist" | cut -f1)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }

: >"$work/metrics.ns"
: >"$work/trend.ns"
for _ in $(seq 1 "$runs"); do
	t0=$(now)
	"$work/goport" metrics --textfile "$work/textfile/goport.prom"
	t1=$(now)
	"$work/goport" report trend >/dev/null
	t2=$(now)
	echo $((t1 - t0)) >>"$work/metrics.ns"
	echo $((t2 - t1)) >>"$work/trend.ns"
done
pairs=$(grep -c '^goport_build_success{' "$work/textfile/goport.prom")
echo "history: $n records, ${bytes} KiB; latest matrix run: $pairs pairs; $runs runs each; medians"
echo "goport metrics --textfile: $(median <"$work/metrics.ns") ms"
echo "goport report trend:       $(median <"$work/trend.ns") ms"
