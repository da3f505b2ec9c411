#!/usr/bin/env bash
# record.sh runs real go commands (and the C toolchains installed on this
# machine) that fail in known ways, and stores their output as
# logs/<RUNBOOK-ID>--<case>.log for TestRecordedLogs. Temporary paths are
# replaced by /src so that logs are stable. A case whose tools are missing
# is skipped with a note. Run from anywhere:
#
#	internal/triage/testdata/record.sh
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=$here/logs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GOFLAGS= GOTOOLCHAIN=local GOWORK=off GOPROXY=off GONOSUMDB= GOPRIVATE= NO_COLOR=1

# mod NAME writes a module skeleton into $work/NAME and cd's into it; the
# files come from a heredoc of "== path" sections on stdin.
mod() {
	rm -rf "${work:?}/$1"
	mkdir -p "$work/$1"
	cd "$work/$1" || exit 1
	local f=
	while IFS= read -r line; do
		if [[ $line == "== "* ]]; then
			f=${line#== }
			mkdir -p "$(dirname "$f")"
			: >"$f"
		else
			printf '%s\n' "$line" >>"$f"
		fi
	done
}

# rec ID CASE CMD...: run CMD (expected to fail), save its output.
rec() {
	local id=$1 name=$2
	shift 2
	local log=$out/$id--$name.log
	if "$@" >"$work/out" 2>&1; then
		echo "record.sh: $id--$name: command succeeded, not recorded" >&2
		return
	fi
	sed -e "s#$work#/src#g" -e "s#$HOME#/home/user#g" "$work/out" >"$log"
	echo "recorded $id--$name ($(wc -l <"$log") lines)"
}

need() { command -v "$1" >/dev/null || { echo "record.sh: skipping $2: no $1" >&2; return 1; }; }

cgomain='== go.mod
module example.com/app

go 1.22
== main.go
package main

// #include <stdio.h>
// static void hi(void) { puts("hi"); }
import "C"

func main() { C.hi() }'

mod cgo <<<"$cgomain"
need gcc "host-gcc cross" && rec GP-CC-001 riscv64-host-gcc env CGO_ENABLED=1 GOOS=linux GOARCH=riscv64 go build -o app .
need gcc "mingw flags" && rec GP-CC-001 windows-arm64-host-gcc env CGO_ENABLED=1 GOOS=windows GOARCH=arm64 go build -o app.exe .
need gcc "host-gcc cross" && rec GP-CC-001 arm-host-gcc env CGO_ENABLED=1 GOOS=linux GOARCH=arm GOARM=7 go build -o app .
need gcc "host-gcc cross" && rec GP-CC-001 ppc64le-host-gcc env CGO_ENABLED=1 GOOS=linux GOARCH=ppc64le go build -o app .
need gcc "host-gcc cross" && rec GP-CC-001 windows-386-host-gcc env CGO_ENABLED=1 GOOS=windows GOARCH=386 go build -o app.exe .
need gcc "host-gcc cross" && rec GP-CC-001 android-amd64-host-gcc env CGO_ENABLED=1 GOOS=android GOARCH=amd64 go build -o app .
need aarch64-linux-gnu-gcc "wrong cross CC" && rec GP-CC-001 amd64-with-aarch64-cc env CGO_ENABLED=1 GOARCH=amd64 CC=aarch64-linux-gnu-gcc go build -o app .
need x86_64-w64-mingw32-gcc "mingw for linux" && rec GP-CC-001 linux-with-mingw-cc env CGO_ENABLED=1 GOOS=linux CC=x86_64-w64-mingw32-gcc go build -o app .
rec GP-CC-003 ios-clang env CGO_ENABLED=1 GOOS=ios GOARCH=arm64 go build -o app .
rec GP-CC-003 darwin-amd64-clang env CGO_ENABLED=1 GOOS=darwin GOARCH=amd64 go build -o app .
rec GP-CC-002 cc-missing env CGO_ENABLED=1 CC=/nonexistent/bin/gcc go build -o app .
rec GP-BUILD-024 cgo-off-freebsd env GOOS=freebsd GOARCH=amd64 go build -o app .
need gcc "multilib" && rec GP-CC-013 386-no-multilib env CGO_ENABLED=1 GOARCH=386 go build -o app .
rec GP-BUILD-037 race-cross-arm64 env GOARCH=arm64 go build -race -o app .
rec GP-BUILD-038 race-windows-386 env GOOS=windows GOARCH=386 go build -race -o app .
rec GP-BUILD-039 plugin-windows env GOOS=windows go build -buildmode=plugin -o p.so .
rec GP-BUILD-033 goriscv64-typo env GOARCH=riscv64 GORISCV64=rva99u64 go build -o app .
rec GP-BUILD-024 cgo-off-arm env GOARCH=arm GOARM=7 go build -o app .
rec GP-BUILD-032 x86_64-spelling env GOARCH=x86_64 go build -o app .
rec GP-BUILD-036 goflags-no-dash env GOFLAGS=trimpath go build -o app .
rec GP-BUILD-004 gotoolchain-word env GOTOOLCHAIN=newest go build -o app .
rec GP-BUILD-034 gocache-relative env GOCACHE=cache go build -o app .

mod header <<'M'
== go.mod
module example.com/hdr

go 1.22
== main.go
package main

// #include <zstd_missing_for_test.h>
import "C"

func main() {}
M
need gcc "header" && rec GP-CC-004 missing-header go build -o app .
need aarch64-linux-gnu-gcc "cross header" && rec GP-CC-004 missing-header-arm64-cross env CGO_ENABLED=1 GOARCH=arm64 CC=aarch64-linux-gnu-gcc go build -o app .

mod lib <<'M'
== go.mod
module example.com/lib

go 1.22
== main.go
package main

// #cgo LDFLAGS: -lnosuchlib_for_test
// int nosuch(void);
import "C"

func main() { C.nosuch() }
M
need gcc "link" && rec GP-CC-010 missing-lib go build -o app .

mod undef <<'M'
== go.mod
module example.com/undef

go 1.22
== main.go
package main

// int defined_nowhere(int);
import "C"

func main() { C.defined_nowhere(1) }
M
need gcc "undefined reference" && rec GP-CC-007 undefined-symbol go build -o app .

mod pkgconfig <<'M'
== go.mod
module example.com/pc

go 1.22
== main.go
package main

// #cgo pkg-config: nosuchpkg-for-test
import "C"

func main() {}
M
need pkg-config "pkg-config" && rec GP-CC-005 missing-pc go build -o app .

mod portability <<'M'
== go.mod
module example.com/port

go 1.22
== sig/sig.go
package sig

import "syscall"

func Kill(pid int) error { return syscall.Kill(pid, syscall.SIGHUP) }
== size/size.go
package size

const Big = 1 << 40

func Limit() int { return Big }
== asm/asm.go
package asm

func fast(x uint64) uint64
== asm/asm_amd64.s
#include "textflag.h"

TEXT ·fast(SB), NOSPLIT, $0-16
	MOVQ x+0(FP), AX
	MOVQ AX, ret+8(FP)
	RET
M
rec GP-BUILD-026 syscall-kill-windows env GOOS=windows go build ./sig
rec GP-BUILD-027 overflow-arm env GOARCH=arm go build ./size
rec GP-BUILD-028 no-asm-arm64 env GOARCH=arm64 go build ./asm

mod lang <<'M'
== go.mod
module example.com/lang

go 1.21
== main.go
package main

func main() {
	for i := range 3 {
		println(i)
	}
}
M
rec GP-BUILD-005 range-int-go121 go build -o app .

mod vetfail <<'M'
== go.mod
module example.com/vetfail

go 1.22
== v.go
package vetfail

import "fmt"

func Name(n int) string { return fmt.Sprintf("%s", n) }
== v_test.go
package vetfail

import "testing"

func TestName(t *testing.T) { _ = Name(1) }
M
rec GP-BUILD-043 printf-wrong-type go test ./...

mod race <<'M'
== go.mod
module example.com/race

go 1.22
== r_test.go
package race

import (
	"sync"
	"testing"
)

func TestRace(t *testing.T) {
	n := 0
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); n++ }()
	}
	wg.Wait()
}
M
need gcc "race" && rec GP-TEST-002 counter go test -race -count=1 ./...

mod timeout <<'M'
== go.mod
module example.com/timeout

go 1.22
== t_test.go
package timeout

import "testing"

func TestHang(t *testing.T) {
	ch := make(chan int)
	go func() { select {} }()
	<-ch
}
M
rec GP-TEST-003 hang go test -timeout=1s -count=1 ./...

mod deps <<'M'
== go.mod
module example.com/deps

go 1.22
== main.go
package main

import _ "golang.org/x/nosuchmodule/pkg"

func main() {}
M
rec GP-BUILD-009 no-requirement go build -o app .
rec GP-FETCH-003 goproxy-off-tidy go mod tidy

mod replace <<'M'
== go.mod
module example.com/rep

go 1.22

require example.com/shared v0.1.0

replace example.com/shared => ../shared-missing
== main.go
package main

import _ "example.com/shared"

func main() {}
M
rec GP-BUILD-016 replace-missing go build -o app .

mod vendored <<'M'
== go.mod
module example.com/vend

go 1.22

require example.com/dep v0.1.0

replace example.com/dep => ./dep
== main.go
package main

import _ "example.com/dep"

func main() {}
== dep/go.mod
module example.com/dep

go 1.22
== dep/dep.go
package dep
== vendor/modules.txt
# example.com/other v0.0.1
## explicit
M
rec GP-BUILD-014 stale-modules-txt go build -o app .

mod twopkgs <<'M'
== go.mod
module example.com/two

go 1.22
== a.go
package main

func main() {}
== b.go
package other
M
rec GP-BUILD-041 main-and-other go build -o app .

mod cycle <<'M'
== go.mod
module example.com/cycle

go 1.22
== a/a.go
package a

import _ "example.com/cycle/b"
== b/b.go
package b

import _ "example.com/cycle/a"
M
rec GP-BUILD-018 a-b go build ./...

mod internalpkg <<'M'
== go.mod
module example.com/intl

go 1.22
== main.go
package main

import _ "internal/bytealg"

func main() {}
M
rec GP-BUILD-019 std-internal go build -o app .

mod linkname <<'M'
== go.mod
module example.com/ln

go 1.22
== main.go
package main

import _ "unsafe"

//go:linkname runtimeGcount runtime.gcount
func runtimeGcount() int32

func main() { println(runtimeGcount()) }
M
rec GP-BUILD-029 gcount go build -o app .

mod notmain <<'M'
== go.mod
module example.com/nm

go 1.22
== lib/lib.go
package lib
M
rec GP-BUILD-042 run-library go run ./lib
rec GP-BUILD-040 c-shared-library go build -buildmode=c-shared -o lib.so ./lib

mod newer <<'M'
== go.mod
module example.com/newer

go 1.99.0
== main.go
package main

func main() {}
M
rec GP-BUILD-001 go-line-1.99 go build -o app .

mod tagged <<'M'
== go.mod
module example.com/tagged

go 1.22
== e2e/e2e_test.go
//go:build integration

package e2e
== e2e/only/only.go
//go:build integration

package only
M
rec GP-TEST-001 tagged-e2e go test ./e2e/...
rec GP-TEST-001 tagged-vet go vet ./e2e/...
rec GP-TEST-001 tagged-package go test ./e2e/only

mod conflict <<'M'
== go.mod
module example.com/conflict

go 1.22

<<<<<<< HEAD
require golang.org/x/text v0.14.0
=======
require golang.org/x/text v0.20.0
>>>>>>> feature
== main.go
package main

func main() {}
M
rec GP-BUILD-046 merge-conflict-markers go build -o app .

mod runner <<'M'
== go.mod
module example.com/runner

go 1.22
== main.go
package main

func main() {
	ch := make(chan int)
	<-ch
}
M
rec GP-RUN-008 deadlock go run .

mod goarch <<'M'
== go.mod
module example.com/edge

go 1.22
== main.go
package main

func main() { println("hi") }
== main_test.go
package main

import "testing"

func TestHi(t *testing.T) {}
M
if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]]; then
	rec GP-RUN-001 go-run-goarch-arm64 env GOARCH=arm64 go run .
	rec GP-RUN-001 go-test-goarch-s390x env GOARCH=s390x go test ./...
fi

# C libraries built on the spot: one for another architecture, one removed
# after linking, a non-PIC archive in a c-shared build, and a C++ library
# built with the old std::string ABI.
mod clibs <<'M'
== go.mod
module example.com/clibs

go 1.22
== lib/acme.c
int acme_sign(int x) { return x + 1; }
== lib/acme_table.c
static int table[4] = {1, 2, 3, 4};
int acme_sign(int x) { return table[x & 3]; }
== lib/tok.cpp
#include <string>
namespace tok { int count(const std::string& s) { return (int)s.size(); } }
== wrong/main.go
package main

// #cgo LDFLAGS: -L${SRCDIR}/../lib/arm64 -lacme
// int acme_sign(int);
import "C"

func main() { println(C.acme_sign(1)) }
== shared/main.go
package main

// #cgo LDFLAGS: -L${SRCDIR}/../lib/so -lacme
// int acme_sign(int);
import "C"

func main() { println(C.acme_sign(1)) }
== nopic/main.go
package main

// #cgo LDFLAGS: -L${SRCDIR}/../lib/nopic -lacme
// int acme_sign(int);
import "C"

//export Sign
func Sign(x C.int) C.int { return C.acme_sign(x) }

func main() {}
== cxx/wrap.cpp
#include <string>
namespace tok { int count(const std::string& s); }
extern "C" int tok_count(const char* s) { return tok::count(std::string(s)); }
== cxx/main.go
package main

// #cgo LDFLAGS: -L${SRCDIR}/../lib/cxx -ltok -lstdc++
// int tok_count(const char*);
import "C"

func main() { println(C.tok_count(C.CString("abc"))) }
M
if need aarch64-linux-gnu-gcc "wrong-arch library" && need gcc "wrong-arch library"; then
	mkdir -p lib/arm64 && aarch64-linux-gnu-gcc -shared -fPIC -o lib/arm64/libacme.so lib/acme.c &&
		rec GP-CC-009 arm64-lib-in-amd64-link go build -o app ./wrong
fi
if need gcc "runtime shared library"; then
	mkdir -p lib/so && gcc -shared -fPIC -o lib/so/libacme.so lib/acme.c &&
		go build -o app-shared ./shared && rm lib/so/libacme.so &&
		rec GP-RUN-003 removed-so ./app-shared
	mkdir -p lib/nopic && gcc -c -fno-PIC -o lib/nopic/acme.o lib/acme_table.c &&
		ar rcs lib/nopic/libacme.a lib/nopic/acme.o &&
		rec GP-CC-011 non-pic-c-shared go build -buildmode=c-shared -o libsign.so ./nopic
fi
if need g++ "C++ ABI"; then
	mkdir -p lib/cxx && g++ -c -D_GLIBCXX_USE_CXX11_ABI=0 -fPIC -o lib/cxx/tok.o lib/tok.cpp &&
		ar rcs lib/cxx/libtok.a lib/cxx/tok.o &&
		rec GP-CC-008 old-abi-library go build -o app-cxx ./cxx
fi

cd "$work" && rm -rf nomod && mkdir nomod && cd nomod && printf 'package main\n\nimport _ "golang.org/x/text/cases"\n\nfunc main() {}\n' >main.go
rec GP-BUILD-011 outside-module go build -o app .
rec GP-BUILD-012 go-get-outside go get golang.org/x/tools/cmd/stringer
