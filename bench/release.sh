#!/usr/bin/env bash
# Measures what `goport release` costs beyond its matrix build: the same
# package for the toolchain's first-class targets, built by
# `goport matrix` and by `goport release --snapshot` with a signing key
# (archives, SBOMs, artifacts.json, checksums, signature). Prints the
# median of RUNS runs of each and overhead = (release - matrix) / matrix
# (goal: < 10%). Both run with a warm build cache, where the build is
# fastest and the overhead weighs most; COLD=1 gives each run a fresh
# GOCACHE instead.
#
# Measured on a shared 2-core machine (load ~17), ./cmd/goport, 8 targets:
#   warm: matrix 9.9s, release 19.4s: overhead 9.5s = 96% (gzip dominates)
#   cold: matrix 147s, release 151s: overhead 3.7s = 2.5%
# Deflate at BestSpeed, archives streamed and hashed on the way, binaries
# inspected in parallel (load ~6-12, back to back with REV=6d980d7):
#   before: matrix 8.09s, release 11.07s: overhead 2.98s = 36.8%
#   after:  matrix 8.02s, release 9.66s: overhead 1.64s = 20.4%
#           matrix 7.84s, release 9.71s: overhead 1.87s = 23.9% (+ parallel inspect)
#   archives 74.0 MB -> 78.7 MB (+6.4%). The rest is deflate's CPU (~0.2s
#   per 17 MB binary on one core) and syncing ~80 MB of new files.
#
#   bench/release.sh                       # goport's own ./cmd/goport at HEAD
#   MODULE=/path/to/mod PKG=./cmd/x RUNS=5 COLD=1 bench/release.sh
#   REV=abc123 bench/release.sh            # goport as of another commit (before/after)
#   GORELEASER=1 bench/release.sh          # also time goreleaser release --snapshot
#                                          # (installed through the module proxy)
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
PKG=${PKG:-./cmd/goport}
RUNS=${RUNS:-3}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# A snapshot of the committed tree, so edits in progress neither break
# nor skew the runs.
mkdir "$work/src"
git -C "$here" archive "${REV:-HEAD}" | tar -x -C "$work/src"
MODULE=${MODULE:-$work/src}
(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/goport" ./cmd/goport)
"$work/goport" keygen --unencrypted --key "$work/k.key" --pubkey "$work/k.pub" >/dev/null
mapfile -t targets < <(cd "$MODULE" && "$work/goport" targets --first-class | awk 'NR > 1 && $2 == "yes" { print $1 }')
targets_csv=$(IFS=,; echo "${targets[*]}")
echo "module $MODULE, package $PKG, ${#targets[@]} targets ($targets_csv), $RUNS runs, -j $JOBS, cache $([ "${COLD:-}" = 1 ] && echo cold || echo warm), $(go version)"

now() { date +%s.%N; }
cache() {
	if [ "${COLD:-}" = 1 ]; then
		rm -rf "$work/cache" && echo "$work/cache"
	else
		go env GOCACHE
	fi
}

matrix_run() {
	(cd "$MODULE" && CGO_ENABLED=0 GOCACHE=$(cache) "$work/goport" matrix --targets "$targets_csv" --cgo off -j "$JOBS" \
		--out "$work/out" --format json "$PKG" >/dev/null 2>&1)
}
release_run() {
	(cd "$MODULE" && CGO_ENABLED=0 GOCACHE=$(cache) SOURCE_DATE_EPOCH=1700000000 "$work/goport" release --targets "$targets_csv" --cgo off -j "$JOBS" \
		--out "$work/out" --sign-key "$work/k.key" --format json "$PKG" >/dev/null 2>&1)
}
goreleaser_run() {
	(cd "$MODULE" && GOCACHE=$(cache) "$work/goreleaser" release --snapshot --skip=publish --clean >/dev/null 2>&1)
}

time_one() {
	local start end
	rm -rf "$work/out"
	start=$(now)
	"$1"
	end=$(now)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.2f\n", e - s }'
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

[ "${COLD:-}" = 1 ] || matrix_run # warm the cache once
m=() r=()
for _ in $(seq "$RUNS"); do
	m+=("$(time_one matrix_run)")
	r+=("$(time_one release_run)")
done
"$work/goport" verify "$work/out" --pubkey "$work/k.pub" >/dev/null
mm=$(printf '%s\n' "${m[@]}" | median)
rm_=$(printf '%s\n' "${r[@]}" | median)
echo "goport matrix            ${m[*]}  median ${mm}s"
echo "goport release --snapshot ${r[*]}  median ${rm_}s"
awk -v m="$mm" -v r="$rm_" 'BEGIN { printf "release overhead beyond the build: %.2fs = %.1f%% of the matrix build (goal < 10%%)\n", r - m, 100 * (r - m) / m }'
du -sh "$work/out" | awk '{ print "release directory " $1 }'

if [ "${GORELEASER:-}" = 1 ]; then
	if GOBIN=$work go install github.com/goreleaser/goreleaser/v2@latest >/dev/null 2>&1; then
		printf 'builds:\n  - main: %s\n    env: [CGO_ENABLED=0]\n    flags: [-trimpath]\n    goos: [linux, darwin, windows]\n    goarch: [amd64, arm64, "386", arm]\n' "$PKG" >"$work/.goreleaser.yaml"
		cp "$work/.goreleaser.yaml" "$MODULE/.goreleaser.yaml"
		g=()
		for _ in $(seq "$RUNS"); do g+=("$(time_one goreleaser_run)"); done
		echo "goreleaser --snapshot     ${g[*]}  median $(printf '%s\n' "${g[@]}" | median)s (its own target set, no verification)"
	else
		echo "goreleaser: not installable through the module proxy here; skipped"
	fi
fi
