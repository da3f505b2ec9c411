#!/usr/bin/env bash
# Measures `goport matrix` on real modules over the toolchain's
# first-class targets, in one run, against
#   loop        a sequential shell loop of `GOOS=… GOARCH=… go build`
#               with the same flags, and
#   goreleaser  `goreleaser build --snapshot --clean` with an equivalent
#               .goreleaser.yaml (same targets, flags and environment),
#               when goreleaser is installed or installs through the
#               module proxy,
# with a cold build cache (a fresh, empty GOCACHE per run), a warm one, and
# a warm one over the outputs of the previous run (rebuild: nothing
# changed, so the go command may skip linking; goreleaser's --clean
# removes its outputs first, so it links again).
# The modules are goport itself (the committed tree at HEAD) and shfmt
# (mvdan.cc/sh/v3, ./cmd/shfmt), a popular command-line program fetched
# through the module proxy. Runs are interleaved (loop, matrix, goreleaser,
# then matrix, goreleaser, loop, …) so that a change of load on the machine
# hits every tool alike. Prints every time (wall clock and CPU), the
# medians, and the median of the per-round ratios (goals: matrix/loop
# ≤ 0.85 cold, ≤ 1.1 warm; matrix/goreleaser ≤ 1.0).
#
#   bench/matrix.sh                          # both modules, cold, warm, rebuild
#   MODULES=shfmt MODES=warm RUNS=9 bench/matrix.sh
#   CACHE_DIR=/tmp/c MODES="warm rebuild" bench/matrix.sh  # keep warm caches there between runs
#   MODULES="mymod=/path/to/mod:./cmd/x" bench/matrix.sh
#   GOPORT=/tmp/goport bench/matrix.sh        # measure this goport binary
#   GORELEASER=/path/to/goreleaser bench/matrix.sh
#   TOOLS="loop matrix" bench/matrix.sh       # leave goreleaser out
#   TARGETS=linux/amd64,windows/arm64 bench/matrix.sh
#
# All three build with CGO_ENABLED=0, -trimpath and no -ldflags (the
# .goreleaser.yaml sets an empty ldflags list item, as goreleaser's
# default is -s -w -X main.version=…), GOARM=7 for linux/arm (the go
# command's default; goreleaser's is 6) and -j/--parallelism = CPUs.
# goport also lists the packages once (`go list -find` with cgo off, each
# target's build constraints then applied in-process, to plan which pairs
# exist), runs `go mod download` once, and
# verifies every output (format, GOOS/GOARCH, variant, CGO_ENABLED in the
# build information, static linking). goreleaser also reads the git state
# (several git commands), runs `go list -m`, checks each main package
# declares func main, and writes metadata.json, artifacts.json and
# config.yaml to dist; it does not inspect the binaries it built.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
RUNS=${RUNS:-5}
COLD_RUNS=${COLD_RUNS:-3} # each cold run rebuilds the standard library for 8 targets: slow
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
MODES=${MODES:-cold warm rebuild}
MODULES=${MODULES:-goport shfmt}
TOOLS=${TOOLS:-loop matrix goreleaser}
SHFMT_VERSION=${SHFMT_VERSION:-v3.14.1}
GORELEASER_VERSION=${GORELEASER_VERSION:-v2.15.1}

work=$(mktemp -d)
[ -n "${CACHE_DIR:-}" ] && mkdir -p "$CACHE_DIR"
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT

say() { printf '%s\n' "$*" >&2; }

# goport: a snapshot of the committed tree, so edits in progress in the
# checkout neither break nor skew the runs.
mkdir "$work/goport-src"
git -C "$here" archive HEAD | tar -x -C "$work/goport-src"
if [ -n "${GOPORT:-}" ]; then
	cp "$GOPORT" "$work/goport"
else
	(cd "$work/goport-src" && CGO_ENABLED=0 go build -o "$work/goport" ./cmd/goport)
fi

# goreleaser: the one given, the one the bench installed before, or
# install it now through the module proxy; without it, no such column.
gr=${GORELEASER:-}
grcache=${XDG_CACHE_HOME:-$HOME/.cache}/goport-bench/bin
if [ -z "$gr" ] && [[ " $TOOLS " == *" goreleaser "* ]]; then
	if [ ! -x "$grcache/goreleaser" ]; then
		say "installing goreleaser $GORELEASER_VERSION into $grcache (once)"
		GOBIN=$grcache go install "github.com/goreleaser/goreleaser/v2@$GORELEASER_VERSION" >&2 || true
	fi
	[ -x "$grcache/goreleaser" ] && gr=$grcache/goreleaser
fi
if [ -z "$gr" ]; then
	[[ " $TOOLS " == *" goreleaser "* ]] && say "goreleaser is not installed and did not install: no goreleaser column"
	TOOLS=${TOOLS/goreleaser/}
fi
read -ra tools <<<"$TOOLS"
[[ " $TOOLS " == *" loop "* && " $TOOLS " == *" matrix "* ]] || { say "TOOLS must include loop and matrix"; exit 2; }

if [ -n "${TARGETS:-}" ]; then
	IFS=, read -ra targets <<<"$TARGETS"
else
	mapfile -t targets < <(cd "$work/goport-src" && "$work/goport" targets --first-class | awk 'NR > 1 && $2 == "yes" { print $1 }')
fi
targets_csv=$(IFS=,; echo "${targets[*]}")

# module NAME → sets dir and pkg, copying the module into $work/NAME with
# a git repository (goreleaser reads its state) and a .goreleaser.yaml.
module() {
	local name=${1%%=*} spec src
	dir=$work/mod-$name
	case $1 in
	goport) src=$work/goport-src pkg=./cmd/goport ;;
	shfmt)
		src=$(go mod download -json "mvdan.cc/sh/v3@$SHFMT_VERSION" | awk -F'"' '$2 == "Dir" { print $4 }')
		[ -d "$src" ] || { say "mvdan.cc/sh/v3@$SHFMT_VERSION did not download"; exit 3; }
		pkg=./cmd/shfmt
		;;
	*=*)
		spec=${1#*=}
		src=${spec%%:*} pkg=${spec#*:}
		;;
	*) say "unknown module $1: want goport, shfmt or NAME=DIR:PKG"; exit 2 ;;
	esac
	mkdir -p "$dir"
	cp -R "$src/." "$dir/"
	chmod -R u+w "$dir"
	(cd "$dir" && go mod download) # the module cache is not what is measured
	local bin
	bin=$(basename "$pkg")
	{
		echo "version: 2"
		echo "project_name: $bin"
		echo "dist: $work/out-goreleaser"
		echo "builds:"
		echo "  - id: $bin"
		echo "    main: $pkg"
		echo "    binary: $bin"
		echo "    env: [CGO_ENABLED=0]"
		echo "    flags: [-trimpath]"
		echo "    ldflags: ['']"
		echo "    targets:"
		local t goos goarch
		for t in "${targets[@]}"; do
			goos=${t%/*} goarch=${t#*/}
			case $goarch in
			amd64) echo "      - ${goos}_amd64_v1" ;;
			386) echo "      - ${goos}_386_sse2" ;;
			arm) echo "      - ${goos}_arm_7" ;;
			arm64) echo "      - ${goos}_arm64_v8.0" ;;
			*) echo "      - ${goos}_${goarch}" ;;
			esac
		done
	} >"$dir/.goreleaser.yaml"
	if [ ! -d "$dir/.git" ]; then
		git -C "$dir" init -q
		git -C "$dir" add -A
		git -C "$dir" -c user.name=bench -c user.email=bench@localhost commit -qm snapshot
		# A remote and a tag, as a released project has: without them
		# goreleaser skips part of reading the git state.
		git -C "$dir" remote add origin "https://example.com/$bin.git"
		git -C "$dir" tag v0.1.0
	fi
}

now() { date +%s.%N; }

loop_build() { # $1 = GOCACHE
	local t goos goarch
	for t in "${targets[@]}"; do
		goos=${t%/*} goarch=${t#*/}
		(cd "$dir" && GOCACHE=$1 GOOS=$goos GOARCH=$goarch CGO_ENABLED=0 \
			go build -trimpath -o "$work/out-loop/${goos}_${goarch}/" "$pkg")
	done
}

matrix_build() { # $1 = GOCACHE
	(cd "$dir" && GOCACHE=$1 "$work/goport" matrix --targets "$targets_csv" --cgo off -j "$JOBS" \
		--out "$work/out-matrix" --format json "$pkg" >"$work/matrix.json" 2>"$work/matrix.err") ||
		{ say "goport matrix failed:"; cat "$work/matrix.err" >&2; head -c 4000 "$work/matrix.json" >&2; exit 1; }
}

goreleaser_build() { # $1 = GOCACHE
	(cd "$dir" && GOCACHE=$1 "$gr" build --snapshot --clean --parallelism "$JOBS" >"$work/goreleaser.log" 2>&1) ||
		{ say "goreleaser build failed:"; tail -20 "$work/goreleaser.log" >&2; exit 1; }
}

# time_one TOOL CACHE: wall-clock and CPU seconds (user+sys, the go
# command's children included) taken by one run. The CPU time does not
# depend on the share of the machine a run gets, the wall time does.
# `times` runs in this shell: in a pipe or $(…) it would count a fresh
# child's (zero) children.
time_one() {
	local start end
	[ "$mode" = rebuild ] || rm -rf "$work/out-$1"
	times >"$work/times0"
	start=$(now)
	"${1}_build" "$2"
	end=$(now)
	times >"$work/times1"
	cat "$work/times0" "$work/times1" | awk -v s="$start" -v e="$end" '
		NR == 2 || NR == 4 { split($1, u, "m"); split($2, y, "m"); c[NR] = u[1] * 60 + u[2] + y[1] * 60 + y[2] }
		END { printf "%.2f %.2f\n", e - s, c[4] - c[2] }'
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "nan"; else printf "%.2f\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# check_outputs: every tool built one file per target, and goport verified them.
check_outputs() {
	local tool n
	for tool in "${tools[@]}"; do
		n=$(find "$work/out-$tool" -type f \( -name "$(basename "$pkg")" -o -name "$(basename "$pkg").exe" \) | wc -l)
		[ "$n" -eq "${#targets[@]}" ] || { say "$tool built $n files, want ${#targets[@]}"; exit 1; }
	done
}

echo "# bench/matrix.sh: ${#targets[@]} targets ($targets_csv), -j $JOBS, $COLD_RUNS cold and $RUNS warm runs per tool, modules: $MODULES"
echo "# $(go version), goport $(git -C "$here" rev-parse --short HEAD)${GOPORT:+ (binary $GOPORT)}${gr:+, goreleaser $("$gr" --version 2>/dev/null | awk '/GitVersion/ { print $2 }')}, $(getconf _NPROCESSORS_ONLN) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"

declare -A wall cpu
summary=()
for m in $MODULES; do
	module "$m"
	name=${m%%=*}
	echo
	echo "## $name ($pkg)"
	warmcache=${CACHE_DIR:-$work}/cache-warm-$name
	for mode in $MODES; do
		n=$RUNS
		[ "$mode" = cold ] && n=$COLD_RUNS
		key=$name-$mode
		if [ "$mode" != cold ]; then
			# One warm cache for every tool, left by the last cold run or
			# filled now; each tool runs once on it before it is measured
			# (the go command caches compiled packages, not linked binaries).
			# goport fills it first: unlike the loop, it builds in parallel.
			for tool in matrix "${tools[@]/matrix/}"; do
				[ -n "$tool" ] && time_one "$tool" "$warmcache" >/dev/null
			done
			check_outputs
		fi
		for ((i = 0; i < n; i++)); do
			line="$mode run $((i + 1))/$n (wall/cpu):"
			# Each round starts with the next tool, so that none always
			# runs first (on a cold disk) or last (as the load changes).
			order=("${tools[@]:i % ${#tools[@]}}" "${tools[@]:0:i % ${#tools[@]}}")
			for tool in "${order[@]}"; do
				cache=$warmcache
				[ "$mode" = cold ] && cache=$work/cache-cold
				read -r w c < <(time_one "$tool" "$cache")
				[ -n "${c:-}" ] || { say "$mode $tool run failed"; exit 1; }
				wall[$key-$tool]+="$w " cpu[$key-$tool]+="$c "
				line+=" $tool ${w}s/${c}s"
				if [ "$mode" = cold ]; then
					if [ ! -d "$warmcache" ] && [ $((i + 1)) -eq "$n" ]; then
						mv "$cache" "$warmcache"
					else
						chmod -R u+w "$cache"
						rm -rf "$cache"
					fi
				fi
			done
			check_outputs
			echo "$line  (load $(cut -d' ' -f1 /proc/loadavg))"
		done
		summary+=("$key")
	done
done

# column KEY TOOL KIND: the median of one tool's times.
column() {
	local -n a=$3
	printf '%s\n' ${a[$1-$2]:-} | median
}

# rounds KEY PEER KIND: the median of the per-round ratios matrix/PEER.
rounds() {
	local -n a=$3
	[ -n "${a[$1-$2]:-}" ] || { echo -; return; }
	paste <(printf '%s\n' ${a[$1-matrix]}) <(printf '%s\n' ${a[$1-$2]}) | awk '{ printf "%.2f\n", $1 / $2 }' | median
}

echo
echo "## medians of wall-clock seconds (ratios: median of the per-round ratios; goals: matrix/loop ≤ 0.85 cold, ≤ 1.10 warm; matrix/goreleaser ≤ 1.00; rebuild: warm, outputs of the previous run kept)"
echo "## cpu: user+sys seconds of all processes; independent of the share of a loaded machine a run gets"
printf '| %-7s | %-7s | %4s | %8s | %8s | %10s | %11s | %17s | %15s | %21s |\n' module mode runs loop matrix goreleaser matrix/loop matrix/goreleaser "cpu matrix/loop" "cpu matrix/goreleaser"
printf '| %-7s | %-7s | %4s | %8s | %8s | %10s | %11s | %17s | %15s | %21s |\n' --- --- --- --- --- --- --- --- --- ---
for key in "${summary[@]}"; do
	mode=${key##*-}
	n=$RUNS
	[ "$mode" = cold ] && n=$COLD_RUNS
	gr_col=-
	[ -n "${wall[$key-goreleaser]:-}" ] && gr_col="$(column "$key" goreleaser wall)s"
	printf '| %-7s | %-7s | %4s | %7ss | %7ss | %10s | %11s | %17s | %15s | %21s |\n' "${key%-*}" "$mode" "$n" \
		"$(column "$key" loop wall)" "$(column "$key" matrix wall)" "$gr_col" \
		"$(rounds "$key" loop wall)" "$(rounds "$key" goreleaser wall)" \
		"$(rounds "$key" loop cpu)" "$(rounds "$key" goreleaser cpu)"
done

# The floor of matrix/loop: the loop's CPU time spread over every CPU of
# the machine, against the loop's wall time. No schedule of builds that
# spend the loop's CPU time finishes sooner; a cold go build already keeps
# most of a small machine's CPUs busy on its own, leaving little for
# parallelism to win, and only spending less CPU (builds that do not
# oversubscribe the machine) goes below it.
echo
echo "## floor of matrix/loop for the loop's CPU time on $(getconf _NPROCESSORS_ONLN) CPUs: loop cpu / (CPUs × loop wall), median of the rounds"
for key in "${summary[@]}"; do
	[ "${key##*-}" = rebuild ] && continue
	paste <(printf '%s\n' ${wall[$key-loop]}) <(printf '%s\n' ${cpu[$key-loop]}) |
		awk -v n="$(getconf _NPROCESSORS_ONLN)" '{ printf "%.3f %.2f\n", $2 / (n * $1), $2 / $1 }' >"$work/floor"
	printf '%s: the loop keeps %s CPUs busy; with the same CPU time, matrix/loop cannot go below %s\n' "$key" \
		"$(awk '{ print $2 }' "$work/floor" | median)" "$(awk '{ print $1 }' "$work/floor" | median)"
done
exit 0
