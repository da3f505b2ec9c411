#!/usr/bin/env bash
# Measures `goport doctor` end to end on a generated module of 200 Go files,
# next to what the go command itself needs to read the same facts
# (`go env -json` + `go list -m`), in one run. Prints medians and the ratio.
#
#   bench/doctor.sh [RUNS]     (default 21 runs of each, interleaved)
set -euo pipefail
runs=${1:-21}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

go build -o "$work/goport" "$root/cmd/goport"

# The module: 20 packages × 10 files, with imports, loops and comments, so
# the source checks parse realistic code.
mod="$work/mod"
mkdir -p "$mod"
printf 'module example.com/bench\n\ngo 1.22\n' >"$mod/go.mod"
for p in $(seq 1 20); do
	mkdir -p "$mod/pkg$p"
	for f in $(seq 1 10); do
		cat >"$mod/pkg$p/file$f.go" <<GO
// Package pkg$p is generated for the doctor benchmark.
package pkg$p

import (
	"fmt"
	"strings"
	"sync"
)

// Item$f is a value with some behaviour.
type Item$f struct {
	mu    sync.Mutex
	names []string
}

// Add appends names.
func (it *Item$f) Add(names ...string) {
	it.mu.Lock()
	defer it.mu.Unlock()
	for _, n := range names {
		it.names = append(it.names, strings.TrimSpace(n))
	}
}

// String joins the names.
func (it *Item$f) String() string {
	var b strings.Builder
	for i, n := range it.names {
		fmt.Fprintf(&b, "%d=%s;", i, n)
	}
	return b.String()
}
GO
	done
done
n=$(find "$mod" -name '*.go' | wc -l)

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }

: >"$work/goport.ns"
: >"$work/go.ns"
cd "$mod"
for _ in $(seq 1 "$runs"); do
	t0=$(now)
	"$work/goport" doctor --fail-on none >/dev/null
	t1=$(now)
	go env -json >/dev/null
	go list -m >/dev/null
	t2=$(now)
	echo $((t1 - t0)) >>"$work/goport.ns"
	echo $((t2 - t1)) >>"$work/go.ns"
done
g=$(median <"$work/goport.ns")
b=$(median <"$work/go.ns")
echo "module: $n Go files; $runs runs each, interleaved; medians"
echo "goport doctor:             ${g} ms"
echo "go env -json + go list -m: ${b} ms"
awk -v g="$g" -v b="$b" 'BEGIN {printf "ratio goport/go:          %.2fx\n", g/b}'
