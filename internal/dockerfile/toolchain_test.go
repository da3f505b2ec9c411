package dockerfile

import (
	"bytes"
	"debug/elf"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The rules rest on behaviours of the go command that no Docker engine is
// needed to observe. These tests check each one against the installed Go,
// so a change in Go shows up here before it makes a rule wrong.

func goCmd(t *testing.T, dir string, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = append(goEnviron(t), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// GP-DOCKER-003: with cgo on, a program using net and os/user is linked
// dynamically (it has an ELF interpreter, which scratch and
// distroless/static lack) unless built with both netgo and osusergo; with
// CGO_ENABLED=0 it is static. With CGO_ENABLED unset, cgo is on for
// the host and off when cross-compiling, so only some platforms break.
func TestToolchainCgoLinking(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "linux" {
		t.Skip("ELF interpreters are a linux matter")
	}
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("no gcc: cgo cannot be enabled here")
	}
	dir := module(t, map[string]string{
		"go.mod":  "module example.com/netapp\n\ngo 1.26\n",
		"main.go": "package main\n\nimport (\n\t\"net\"\n\t\"os/user\"\n)\n\nfunc main() { _, _ = net.LookupHost(\"localhost\"); _, _ = user.Current() }\n",
	})
	for i, tc := range []struct {
		cgo, tags string
		dynamic   bool
	}{{"1", "", true}, {"0", "", false}, {"1", "netgo,osusergo", false}, {"1", "netgo", true}} {
		out := filepath.Join(dir, fmt.Sprint("app", i))
		if msg, err := goCmd(t, dir, []string{"CGO_ENABLED=" + tc.cgo}, "build", "-tags", tc.tags, "-o", out, "."); err != nil {
			t.Fatalf("CGO_ENABLED=%s go build: %v\n%s", tc.cgo, err, msg)
		}
		f, err := elf.Open(out)
		if err != nil {
			t.Fatal(err)
		}
		interp := false
		for _, p := range f.Progs {
			interp = interp || p.Type == elf.PT_INTERP
		}
		f.Close()
		if interp != tc.dynamic {
			t.Errorf("CGO_ENABLED=%s -tags %q: ELF interpreter %v, want %v", tc.cgo, tc.tags, interp, tc.dynamic)
		}
	}
	other := "arm64"
	if runtime.GOARCH == "arm64" {
		other = "amd64"
	}
	for arch, want := range map[string]string{runtime.GOARCH: "1", other: "0"} {
		got, err := goCmd(t, dir, []string{"CGO_ENABLED=", "GOARCH=" + arch}, "env", "CGO_ENABLED")
		if err != nil || strings.TrimSpace(got) != want {
			t.Errorf("GOARCH=%s with CGO_ENABLED unset: go env CGO_ENABLED = %q, %v; want %s", arch, got, err, want)
		}
	}
}

// GP-DOCKER-002: an empty GOARCH (an undeclared $TARGETARCH) means the
// host's architecture, and GOARCH=arm without GOARM means GOARM=7.
func TestToolchainTargetDefaults(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	got, err := goCmd(t, dir, []string{"GOARCH="}, "env", "GOARCH")
	if err != nil || strings.TrimSpace(got) != runtime.GOARCH {
		t.Errorf("GOARCH= go env GOARCH = %q, %v; want %s", got, err, runtime.GOARCH)
	}
	got, err = goCmd(t, dir, []string{"GOARCH=arm", "GOARM="}, "env", "GOARM")
	if err != nil || strings.TrimSpace(got) != "7" {
		t.Errorf("GOARCH=arm go env GOARM = %q, %v; want 7", got, err)
	}
	// GOARM=${TARGETVARIANT#v} is harmless for other architectures:
	// linux/arm64/v8 gives GOARM=8, which the go command ignores there.
	if msg, err := goCmd(t, dir, []string{"GOARCH=arm64", "GOARM=8"}, "env", "GOARCH"); err != nil {
		t.Errorf("GOARCH=arm64 GOARM=8: %v\n%s", err, msg)
	}
}

// GP-DOCKER-006: with GOTOOLCHAIN=local (as the golang images set it) a go
// line above the running Go stops the build; a toolchain line above it
// does not, which is why the rule compares with the go line.
func TestToolchainGoLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		gomod   string
		wantErr string
	}{
		{"module m\n\ngo 1.99.1\n", "go.mod requires go >= 1.99.1 (running go "},
		{"module m\n\ngo 1.21\n\ntoolchain go1.99.1\n", ""},
	} {
		dir := module(t, map[string]string{"go.mod": tc.gomod, "main.go": mainGo})
		msg, err := goCmd(t, dir, []string{"GOTOOLCHAIN=local"}, "build", "-o", os.DevNull, ".")
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("%q: %v\n%s", tc.gomod, err, msg)
		case tc.wantErr != "" && (err == nil || !strings.Contains(msg, tc.wantErr) || !strings.Contains(msg, "GOTOOLCHAIN=local")):
			t.Errorf("%q: err %v, output %q; want %q", tc.gomod, err, msg, tc.wantErr)
		}
	}
}

// GP-DOCKER-007: go get outside a module fails and names go install.
func TestToolchainGoGet(t *testing.T) {
	t.Parallel()
	msg, err := goCmd(t, t.TempDir(), nil, "get", "golang.org/x/tools/cmd/stringer")
	if err == nil || !strings.Contains(msg, "'go get' is no longer supported outside a module") {
		t.Errorf("go get outside a module: %v\n%s", err, msg)
	}
}
