#!/usr/bin/env bash
# Measures `goport preflight` next to a bare `go env -json` (the one go
# command preflight must run anyway): the median of RUNS runs of each, for
# one target and for all first-class targets, the time per target and the
# ratio preflight/go env. Goal: < 100 ms per target.
#
#   bench/preflight.sh                   # goport built from HEAD, in goport's module
#   RUNS=21 MODULE=/path/to/mod bench/preflight.sh
#
# The all-targets run includes CGO_ENABLED=1 with CC=gcc, so that every
# target takes the C compiler path (a -dumpmachine probe) too.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-11}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir "$work/src"
git -C "$here" archive HEAD | tar -x -C "$work/src"
MODULE=${MODULE:-$work/src}
(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/goport" ./cmd/goport)
mapfile -t targets < <(cd "$MODULE" && "$work/goport" targets --first-class | awk 'NR > 1 && $2 == "yes" { print $1 }')
target_flags=()
for t in "${targets[@]}"; do target_flags+=(--target "$t"); done
host=$(go env GOHOSTOS)/$(go env GOHOSTARCH)
echo "module $MODULE, $RUNS runs each, $(go version), ${#targets[@]} first-class targets"

now() { date +%s.%N; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# ms CMD...: milliseconds taken by one run; preflight's exit 1 (a FAIL) is
# a result, not an error of the measurement.
ms() {
	local start end
	start=$(now)
	(cd "$MODULE" && "$@" >/dev/null 2>&1) || true
	end=$(now)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", (e - s) * 1000 }'
}

measure() { # label CMD...
	local label=$1 i
	shift
	for ((i = 0; i < RUNS; i++)); do ms "$@"; done | median
}

goenv=$(measure "go env" go env -json)
# goport runs go env with GOTOOLCHAIN=local (it never switches
# toolchains), which skips the go command's go.mod toolchain check.
goenvlocal=$(measure "go env local" env GOTOOLCHAIN=local go env -json)
one=$(measure "preflight host" "$work/goport" preflight --target "$host")
all=$(measure "preflight all" "$work/goport" preflight "${target_flags[@]}")
allcgo=$(measure "preflight all cgo" env CGO_ENABLED=1 CC=gcc "$work/goport" preflight "${target_flags[@]}")
n=${#targets[@]}
awk -v g="$goenv" -v l="$goenvlocal" -v o="$one" -v a="$all" -v c="$allcgo" -v n="$n" 'BEGIN {
	printf "%-34s %8s %10s %8s\n", "", "median", "per target", "ratio"
	printf "%-34s %6.1fms %10s %8s\n", "go env -json", g, "", "1.00"
	printf "%-34s %6.1fms %10s %8.2f\n", "GOTOOLCHAIN=local go env -json", l, "", l / g
	printf "%-34s %6.1fms %8.1fms %8.2f\n", "goport preflight (host)", o, o, o / g
	printf "%-34s %6.1fms %8.1fms %8.2f\n", "goport preflight (" n " targets)", a, a / n, a / g
	printf "%-34s %6.1fms %8.1fms %8.2f\n", "goport preflight (" n ", cgo on)", c, c / n, c / g
}'
