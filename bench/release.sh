#!/usr/bin/env bash
# Measures what `goport release` costs beyond its matrix build: the same
# package for the toolchain's first-class targets, built by
# `goport matrix` and by `goport release` with a signing key
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
# Pipelined (archive, hash, SBOM of each binary while the other targets
# still build; release-wide files once all succeeded):
#   BASE=218392b (the release before), goport at HEAD (binaries now
#   ~27 MB), medians of wall time and of user+system time, three runs
#   of this script under load ~7-13:
#     RUNS=3: matrix 12.43s, before +31.3%, after +5.5%; goreleaser 30.36s
#     RUNS=3: matrix 13.22s, before +34.3%, after +11.4%; goreleaser 33.80s
#     RUNS=5: matrix 11.71s, before +17.3%, after +16.7%; goreleaser 28.29s
#     cpu: matrix 11.5-11.7s; release +2.1-2.2s (18-19%) before and after
#     goport release / goreleaser v2.15.1 release --snapshot: 0.43-0.48
#   Deflate from github.com/klauspost/compress (level 2), load ~2-3,
#   RUNS=5: BASE=e3a1f1a (compress/flate BestSpeed) +16.9%, now +10.4%
#   (cpu +11.1%); again +11.7% (cpu +11.2%). goport release 0.45-0.46 of
#   goreleaser's time.
#   The cpu overhead stays: deflate's, for byte-identical archives.
# With faster PE/Mach-O inspection (load ~3-5, RUNS=5): warm, matrix
# 5.19s, release +11.4% (cpu +11.5%); again matrix 4.97s, +12.9% (cpu
# +13.0%), goreleaser 13.27s (0.42); "the build alone keeps 1.93-1.95 of
# 2 CPUs busy", so the release's own CPU (deflate of ~220 MB of binaries,
# 0.94s, and SHA-256 of binaries and archives, 0.2s) shows as wall time.
# Cold (COLD=1 RUNS=1): matrix 224.2s, release 225.0s, +0.3%.
# With each build's GOMAXPROCS its share of the CPUs: matrix 5.04s,
# release +14.5% (cpu +12.8%), goreleaser 13.98s (0.41).
# The tail after the last build (its archive, checksums, signature) is
# ~0.19s; the rest is the archives' CPU taken from the builds.
#
#   bench/release.sh                       # goport's own ./cmd/goport at HEAD
#   MODULE=/path/to/mod PKG=./cmd/x RUNS=5 COLD=1 bench/release.sh
#   REV=abc123 bench/release.sh            # goport as of another commit
#   BASE=abc123 bench/release.sh           # also time that commit's release, in turn (before/after)
#   GORELEASER=/path/to/goreleaser bench/release.sh
#
# goreleaser release --snapshot --skip=publish --clean runs on the same
# module with a generated .goreleaser.yaml (written to a temporary
# directory): the same targets, the same CGO_ENABLED=0 -trimpath build
# without goreleaser's default -s -w (goport keeps symbols), tar.gz and
# zip for Windows with the README/LICENSE files, checksums.txt; no SBOM
# (goreleaser needs syft for it) and no signature. It is $GORELEASER,
# else ~/.cache/goport-bench/bin/goreleaser, installed there with
# go install when absent; without it that column is skipped.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
PKG=${PKG:-./cmd/goport}
RUNS=${RUNS:-3}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
GORELEASER_VERSION=v2.15.1

work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

# A snapshot of the committed tree, so edits in progress neither break
# nor skew the runs.
mkdir "$work/src"
git -C "$here" archive "${REV:-HEAD}" | tar -x -C "$work/src"
MODULE=${MODULE:-$work/src}
(cd "$work/src" && CGO_ENABLED=0 go build -o "$work/goport" ./cmd/goport)
if [ -n "${BASE:-}" ]; then # a release from another commit, run in turn with this one
	mkdir "$work/base"
	git -C "$here" archive "$BASE" | tar -x -C "$work/base"
	(cd "$work/base" && CGO_ENABLED=0 go build -o "$work/goport.base" ./cmd/goport)
fi
"$work/goport" keygen --unencrypted --key "$work/k.key" --pubkey "$work/k.pub" >/dev/null
mapfile -t targets < <(cd "$MODULE" && "$work/goport" targets --first-class | awk 'NR > 1 && $2 == "yes" { print $1 }')
targets_csv=$(IFS=,; echo "${targets[*]}")
echo "module $MODULE, package $PKG, ${#targets[@]} targets ($targets_csv), $RUNS runs, -j $JOBS, cache $([ "${COLD:-}" = 1 ] && echo cold || echo warm), $(go version)"

# goreleaser: given, cached, or installed into the cache.
goreleaser=${GORELEASER:-$HOME/.cache/goport-bench/bin/goreleaser}
if [ ! -x "$goreleaser" ] && [ -z "${GORELEASER:-}" ]; then
	echo "installing goreleaser $GORELEASER_VERSION into $(dirname "$goreleaser") ..."
	GOBIN=$(dirname "$goreleaser") go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" >"$work/goreleaser-install.log" 2>&1 ||
		{ echo "goreleaser: installation failed (see below); its column is skipped"; tail -3 "$work/goreleaser-install.log"; }
fi
if [ -x "$goreleaser" ]; then
	# goreleaser reads the version from git: a snapshot copy gets a
	# repository of its own.
	if ! git -C "$MODULE" rev-parse --git-dir >/dev/null 2>&1; then
		(cd "$MODULE" && git init -q && git add -A && git -c user.name=bench -c user.email=bench@example.invalid commit -qm snapshot)
	fi
	bin=$(basename "$(cd "$MODULE" && cd "$PKG" && pwd)")
	{
		echo "version: 2"
		echo "project_name: $bin"
		echo "dist: $work/goreleaser-dist"
		echo "builds:"
		echo "  - id: $bin"
		echo "    main: $PKG"
		echo "    binary: $bin"
		echo "    env: [CGO_ENABLED=0]"
		echo "    flags: [-trimpath]"
		echo "    ldflags: [\"-X main.builtBy=goreleaser\"]"
		echo "    targets:"
		for t in "${targets[@]}"; do
			# goreleaser names the variant Go uses by default.
			case ${t#*/} in
			amd64) v=_v1 ;; 386) v=_sse2 ;; arm) v=_$(GOARCH=arm go env GOARM) ;; arm64) v=_v8.0 ;; *) v= ;;
			esac
			echo "      - ${t%/*}_${t#*/}$v"
		done
		echo "archives:"
		echo "  - formats: [tar.gz]"
		echo "    format_overrides:"
		echo "      - goos: windows"
		echo "        formats: [zip]"
		echo "checksum:"
		echo "  name_template: checksums.txt"
		echo "changelog:"
		echo "  disable: true"
	} >"$work/goreleaser.yaml"
	"$goreleaser" --version 2>/dev/null | awk '/GitVersion/ { print "goreleaser " $2 }'
else
	echo "goreleaser: no executable at $goreleaser; its column is skipped"
	goreleaser=
fi

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
# release_run [GOPORT]: the release of the same targets, signed.
release_run() {
	(cd "$MODULE" && CGO_ENABLED=0 GOCACHE=$(cache) SOURCE_DATE_EPOCH=1700000000 "${1:-$work/goport}" release --targets "$targets_csv" --cgo off -j "$JOBS" \
		--out "$work/out" --sign-key "$work/k.key" --format json "$PKG" >/dev/null 2>&1)
}
goreleaser_run() {
	(cd "$MODULE" && GOCACHE=$(cache) "$goreleaser" release --snapshot --skip=publish --clean --parallelism "$JOBS" \
		--config "$work/goreleaser.yaml" >"$work/goreleaser.log" 2>&1) ||
		{ echo "goreleaser failed:" >&2; tail -5 "$work/goreleaser.log" >&2; return 1; }
}

# time_one FUNC [ARGS]: prints "wall cpu" in seconds; cpu is user + system
# time of everything FUNC ran, which the machine's load barely changes.
time_one() {
	# goreleaser cleans its own dist; the last release's directory is
	# verified at the end.
	[ "$1" = goreleaser_run ] || rm -rf "$work/out"
	local TIMEFORMAT='%R %U %S'
	{ time "$@"; } 2>"$work/time"
	awk '{ printf "%.2f %.2f\n", $1, $2 + $3 }' "$work/time"
}
# median COLUMN: the median of that column of the lines read.
median() { awk -v c="$1" '{ print $c }' | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
column() { printf '%s\n' "$@" | awk '{ printf "%s%s", sep, $1; sep = " " }'; }

if [ "${COLD:-}" != 1 ]; then # warm the cache, and goreleaser, once
	matrix_run
	if [ -n "$goreleaser" ] && ! goreleaser_run; then
		echo "goreleaser: its column is skipped"
		goreleaser=
	fi
fi
# All run in turn, so the machine's load weighs on each alike.
m=() r=() b=() g=()
for _ in $(seq "$RUNS"); do
	m+=("$(time_one matrix_run)")
	[ -z "${BASE:-}" ] || b+=("$(time_one release_run "$work/goport.base")")
	r+=("$(time_one release_run)")
	[ -z "$goreleaser" ] || g+=("$(time_one goreleaser_run)")
done
"$work/goport" verify "$work/out" --pubkey "$work/k.pub" >/dev/null
report() { # report NAME RUNS...: wall times, median wall and cpu
	local name=$1
	shift
	printf '%-30s %-24s median %6.2fs wall %6.2fs cpu\n' "$name" "$(column "$@")" \
		"$(printf '%s\n' "$@" | median 1)" "$(printf '%s\n' "$@" | median 2)"
}
overhead() { # overhead NAME RUNS...: against the matrix runs
	local name=$1
	shift
	awk -v n="$name" -v mw="$(printf '%s\n' "${m[@]}" | median 1)" -v mc="$(printf '%s\n' "${m[@]}" | median 2)" \
		-v rw="$(printf '%s\n' "$@" | median 1)" -v rc="$(printf '%s\n' "$@" | median 2)" \
		'BEGIN { printf "%s overhead beyond the build: wall %.2fs = %.1f%% (goal < 10%%), cpu %.2fs = %.1f%%\n", n, rw - mw, 100 * (rw - mw) / mw, rc - mc, 100 * (rc - mc) / mc }'
}
report "goport matrix (build alone)" "${m[@]}"
[ -z "${BASE:-}" ] || report "goport release at $BASE" "${b[@]}"
report "goport release" "${r[@]}"
[ -z "${BASE:-}" ] || overhead "release at $BASE" "${b[@]}"
overhead release "${r[@]}"
# How busy the build alone keeps the machine: the release's own CPU
# (deflate, SHA-256 of every binary and archive) runs beside the build and
# costs wall time only where the build leaves CPUs idle, so on a machine
# the build keeps busy the wall overhead tends to the cpu overhead.
awk -v n="$(getconf _NPROCESSORS_ONLN)" -v w="$(printf '%s\n' "${m[@]}" | median 1)" -v c="$(printf '%s\n' "${m[@]}" | median 2)" \
	'BEGIN { printf "the build alone keeps %.2f of %d CPUs busy\n", c / w, n }'
echo "release directory $(du -sh "$work/out" | cut -f1), $(find "$work/out" -name '.*' -type f | wc -l) hidden files"
if [ -n "$goreleaser" ]; then
	report "goreleaser release --snapshot" "${g[@]}"
	awk -v g="$(printf '%s\n' "${g[@]}" | median 1)" -v r="$(printf '%s\n' "${r[@]}" | median 1)" \
		'BEGIN { printf "goport release / goreleaser (wall): %.2f; goport also verifies each binary, writes SBOMs and signs\n", r / g }'
	(cd "$work/goreleaser-dist" && du -ch ./*.tar.gz ./*.zip | tail -1 | awk '{ print "goreleaser archives " $1 }')
fi
uptime | sed 's/.*load average/load average/'
