#!/usr/bin/env bash
# Measures `goport matrix` against a sequential shell loop of
# `GOOS=… GOARCH=… go build` with the same flags, over the toolchain's
# first-class targets, with a cold build cache (a fresh GOCACHE per run)
# and a warm one. Prints the median of RUNS runs of each and the ratios
# goport/loop (goals: ≤ 0.85 cold, ≤ 1.1 warm).
#
#   bench/matrix.sh                      # goport's own ./cmd/goport at HEAD
#   MODULE=/path/to/mod PKG=./cmd/x RUNS=5 COLD_RUNS=3 bench/matrix.sh
#   GOPORT=/tmp/goport bench/matrix.sh    # measure this goport binary instead
#   MODES=warm bench/matrix.sh            # only the warm (or cold) runs
#
# Both sides build with CGO_ENABLED=0 and -trimpath; goport also lists
# packages per target and verifies every output, which the loop does not.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
PKG=${PKG:-./cmd/goport}
RUNS=${RUNS:-3}
COLD_RUNS=${COLD_RUNS:-$RUNS} # cold runs rebuild the standard library 8 times: slow
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# Measure a snapshot of the committed tree, so edits in progress in the
# checkout neither break nor skew the runs.
mkdir "$work/src"
git -C "$here" archive HEAD | tar -x -C "$work/src"
MODULE=${MODULE:-$work/src}
if [ -n "${GOPORT:-}" ]; then
	cp "$GOPORT" "$work/goport"
else
	(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/goport" ./cmd/goport)
fi
MODES=${MODES:-cold warm}
mapfile -t targets < <(cd "$MODULE" && "$work/goport" targets --first-class | awk 'NR > 1 && $2 == "yes" { print $1 }')
targets_csv=$(IFS=,; echo "${targets[*]}")
echo "module $MODULE, package $PKG, ${#targets[@]} targets ($targets_csv), $COLD_RUNS cold and $RUNS warm runs, -j $JOBS, $(go version), load average $(cut -d' ' -f1-3 /proc/loadavg)"

now() { date +%s.%N; }

loop_build() { # $1 = GOCACHE
	local t goos goarch
	for t in "${targets[@]}"; do
		goos=${t%/*} goarch=${t#*/}
		(cd "$MODULE" && GOCACHE=$1 GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 \
			go build -trimpath -o "$work/loop/${goos}_${goarch}/" "$PKG")
	done
}

matrix_build() { # $1 = GOCACHE
	(cd "$MODULE" && GOCACHE=$1 "$work/goport" matrix --targets "$targets_csv" --cgo off -j "$JOBS" \
		--out "$work/matrix" --format json "$PKG" >"$work/matrix.json" 2>/dev/null)
}

# time_one CMD CACHE: seconds taken by one run.
time_one() {
	local start end
	rm -rf "$work/loop" "$work/matrix"
	start=$(now)
	"$1" "$2"
	end=$(now)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'
}

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A result
for mode in $MODES; do
	for tool in loop_build matrix_build; do
		times=()
		# One warm cache for both sides, filled once by whichever runs
		# first: the same cache state for both, and one cold fill less.
		warmcache="$work/cache-warm"
		if [ "$mode" = warm ] && [ ! -d "$warmcache" ]; then
			time_one "$tool" "$warmcache" >/dev/null
		fi
		n=$RUNS
		[ "$mode" = cold ] && n=$COLD_RUNS
		for ((i = 0; i < n; i++)); do
			if [ "$mode" = cold ]; then
				cache="$work/cache-cold-$tool-$i"
			else
				cache=$warmcache
			fi
			times+=("$(time_one "$tool" "$cache")")
			[ "$mode" = cold ] && { chmod -R u+w "$cache"; rm -rf "$cache"; }
		done
		result[$mode-$tool]=$(printf '%s\n' "${times[@]}" | median)
		printf '%-5s %-13s runs: %s  median %.2fs  (load average after: %s)\n' "$mode" "$tool" "${times[*]}" "${result[$mode-$tool]}" "$(cut -d' ' -f1 /proc/loadavg)"
	done
done

echo
printf '%-5s %10s %10s %8s %6s\n' mode loop matrix ratio goal
for mode in $MODES; do
	goal=0.85
	[ "$mode" = warm ] && goal=1.10
	l=${result[$mode-loop_build]} m=${result[$mode-matrix_build]}
	printf '%-5s %9.2fs %9.2fs %8.2f %6s\n' "$mode" "$l" "$m" "$(awk -v m="$m" -v l="$l" 'BEGIN { print m / l }')" "$goal"
done
grep -q '"status": "failed"' "$work/matrix.json" && { echo "goport matrix reported failures" >&2; exit 1; }
exit 0
