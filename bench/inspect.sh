#!/usr/bin/env bash
# Measures `goport inspect` against the tools users run one after the
# other for the same answers, in one run:
#
#  1. full facts for the toolchain's own `go` binary, against the summed
#     time of `file` + `readelf -d -V` + `go version -m` on it
#     (goal: ratio ≤ 0.5);
#  2. every binary under $(go env GOROOT)/pkg/tool in one call, against
#     `go version -m` over that directory (goal: ratio ≤ 2).
#
# Prints the median of RUNS interleaved runs of each, and the ratios.
#
#   bench/inspect.sh [RUNS]     (default 21)
set -euo pipefail
runs=${1:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for tool in file readelf go; do
	command -v "$tool" >/dev/null || { echo "bench/inspect.sh: $tool not found" >&2; exit 3; }
done
CGO_ENABLED=0 go build -o "$work/goport" "$root/cmd/goport"
gobin="$(go env GOROOT)/bin/go"
tooldir="$(go env GOROOT)/pkg/tool/$(go env GOHOSTOS)_$(go env GOHOSTARCH)"
tools=("$tooldir"/*)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f", m/1e6}'; }
for f in goport peers dir_goport dir_go; do : >"$work/$f.ns"; done

# Warm the page cache so that both sides read from memory.
cat "$gobin" "${tools[@]}" >/dev/null

for _ in $(seq 1 "$runs"); do
	t0=$(now)
	"$work/goport" inspect "$gobin" >/dev/null
	t1=$(now)
	file "$gobin" >/dev/null
	readelf -d -V "$gobin" >/dev/null
	go version -m "$gobin" >/dev/null
	t2=$(now)
	"$work/goport" inspect "${tools[@]}" >/dev/null
	t3=$(now)
	go version -m "$tooldir" >/dev/null
	t4=$(now)
	echo $((t1 - t0)) >>"$work/goport.ns"
	echo $((t2 - t1)) >>"$work/peers.ns"
	echo $((t3 - t2)) >>"$work/dir_goport.ns"
	echo $((t4 - t3)) >>"$work/dir_go.ns"
done

g=$(median <"$work/goport.ns")
p=$(median <"$work/peers.ns")
dg=$(median <"$work/dir_goport.ns")
dv=$(median <"$work/dir_go.ns")
echo "$runs runs each, interleaved; medians; $(go version)"
echo "1. $gobin ($(stat -c %s "$gobin") bytes)"
echo "   goport inspect:                          ${g} ms"
echo "   file + readelf -d -V + go version -m:    ${p} ms"
awk -v a="$g" -v b="$p" 'BEGIN {printf "   ratio goport/peers:                      %.2f (goal ≤ 0.50)\n", a/b}'
echo "2. ${#tools[@]} binaries in $tooldir"
echo "   goport inspect (one call):               ${dg} ms"
echo "   go version -m DIR:                       ${dv} ms"
awk -v a="$dg" -v b="$dv" 'BEGIN {printf "   ratio goport/go:                         %.2f (goal ≤ 2.00)\n", a/b}'
