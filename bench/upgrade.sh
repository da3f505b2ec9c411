#!/usr/bin/env bash
# Measures `goport upgrade` on a generated go 1.20 module of 200 Go files
# (20 packages × 10 files, plus a main package), in one run:
#   1. the report without the compiler-backed analyses (--no-loops --no-vet),
#      which the design wants under 2 s;
#   2. the loop-variable analysis alone, next to one `go build` of the same
#      module, which it should not exceed.
# Before every timed command a shared base package is edited, so every
# module package is recompiled (the standard library stays cached for
# both, as it would in CI with a warm cache). Prints medians.
#
#   bench/upgrade.sh [RUNS]     (default 7 runs of each, interleaved)
#
# On the shared 2-core development machine (Go 1.26.8, 5 runs, two
# sessions): report 0.5-0.8 s; loop analysis 2.0 s and 2.6 s against
# go build 2.0 s and 3.2 s.
set -euo pipefail
runs=${1:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS= GOTOOLCHAIN=local GOPROXY=off

go build -o "$work/goport" "$root/cmd/goport"

mod="$work/mod"
mkdir -p "$mod/base" "$mod/cmd/app"
printf 'module example.com/bench\n\ngo 1.20\n' >"$mod/go.mod"
for p in $(seq 1 20); do
	mkdir -p "$mod/pkg$p"
	for f in $(seq 1 10); do
		cat >"$mod/pkg$p/file$f.go" <<GO
package pkg$p

import (
	"fmt"
	"strings"
	"sync"
	"time"

	"example.com/bench/base"
)

// Item$f collects names and callbacks.
type Item$f struct {
	mu    sync.Mutex
	names []string
	calls []func() string
}

// Add appends names; each callback captures the loop variable.
func (it *Item$f) Add(names ...string) {
	it.mu.Lock()
	defer it.mu.Unlock()
	for _, n := range names {
		it.names = append(it.names, strings.TrimSpace(n))
		it.calls = append(it.calls, func() string { return n })
	}
}

// Wait waits for a timer.
func (it *Item$f) Wait(d time.Duration) {
	t := time.NewTimer(d)
	<-t.C
}

// String joins the names.
func (it *Item$f) String() string {
	total := 0
	for i := 0; i < len(it.names); i++ {
		total += len(it.names[i])
	}
	return fmt.Sprintf("%s %d %s", base.Version, total, strings.Join(it.names, ","))
}
GO
	done
done
printf 'package main\n\nimport (\n' >"$mod/cmd/app/main.go"
for p in $(seq 1 20); do printf '\t_ "example.com/bench/pkg%d"\n' "$p" >>"$mod/cmd/app/main.go"; done
printf ')\n\nfunc main() {}\n' >>"$mod/cmd/app/main.go"

n=0
touch_base() { n=$((n + 1)); printf 'package base\n\nconst Version = "v%d"\n' "$n" >"$mod/base/base.go"; }
ms() { local s e; s=$(date +%s%N); "$@" >/dev/null 2>&1 || true; e=$(date +%s%N); echo $(((e - s) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

touch_base
(cd "$mod" && go build -o /dev/null ./... && "$work/goport" upgrade --no-vet >/dev/null) || true # warm the std cache

report=() loops=() build=() total=()
for _ in $(seq 1 "$runs"); do
	touch_base; report+=("$(cd "$mod" && ms "$work/goport" upgrade --no-loops --no-vet)")
	touch_base; total+=("$(cd "$mod" && ms "$work/goport" upgrade --no-vet)")
	touch_base; build+=("$(cd "$mod" && ms go build -o /dev/null ./...)")
done
for i in $(seq 0 $((runs - 1))); do loops+=($((total[i] - report[i]))); done

files=$(find "$mod" -name '*.go' | wc -l)
echo "module: $files Go files, go 1.20 → $(go env GOVERSION), $runs runs, medians"
echo "upgrade --no-loops --no-vet:       $(printf '%s\n' "${report[@]}" | median) ms"
echo "upgrade --no-vet (with loops):     $(printf '%s\n' "${total[@]}" | median) ms"
echo "  loop analysis alone (difference): $(printf '%s\n' "${loops[@]}" | median) ms"
echo "go build ./... (same module):      $(printf '%s\n' "${build[@]}" | median) ms"
