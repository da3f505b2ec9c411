package repro

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const mainGo = `package main

var date = "unset"

func main() { println("built", date) }
`

func writeModule(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{"go.mod": "module example.com/r\n\ngo 1.22\n", "main.go": mainGo} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func environ() []string {
	return append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
}

func kinds(r *Result) []string {
	var out []string
	for _, c := range r.Causes {
		out = append(out, c.Kind)
	}
	return out
}

func TestRepro(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  Options
		repro bool
		kinds []string
	}{
		{"trimpath", Options{}, true, nil},
		{"no trimpath", Options{NoTrimpath: true}, false, []string{CausePaths, CauseBuildID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.Dir, opts.Environ, opts.TempDir = writeModule(t), environ(), t.TempDir()
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Reproducible != tc.repro {
				t.Fatalf("reproducible = %v, want %v; causes %+v", res.Reproducible, tc.repro, res.Causes)
			}
			if diff := cmp.Diff(tc.kinds, kinds(res)); diff != "" {
				t.Errorf("causes (-want +got):\n%s\n%+v", diff, res.Causes)
			}
			if tc.repro && (res.A.SHA256 != res.B.SHA256 || len(res.A.SHA256) != 64) {
				t.Errorf("digests %s %s", res.A.SHA256, res.B.SHA256)
			}
			if !tc.repro {
				if !slices.ContainsFunc(res.Sections, func(s SectionDiff) bool { return s.Name == ".gopclntab" || s.Name == ".debug_line" }) {
					t.Errorf("no path-bearing section among the differences: %+v", res.Sections)
				}
				if ev := res.Causes[0].Evidence; len(ev) != 2 || !strings.Contains(ev[0], res.A.Dir) || !strings.Contains(ev[1], res.B.Dir) {
					t.Errorf("path evidence: %q", ev)
				}
			}
		})
	}
}

// TestAgainst rebuilds a "released" binary from its recorded settings,
// and explains a rebuild with another -X value.
func TestAgainst(t *testing.T) {
	t.Parallel()
	dir := writeModule(t)
	released := filepath.Join(t.TempDir(), "r")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-X main.date=2024-01-01", "-o", released, ".")
	cmd.Dir, cmd.Env = dir, environ()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	tests := []struct {
		name  string
		opts  Options
		repro bool
		kinds []string
	}{
		{"same -ldflags", Options{LDFlags: "-X main.date=2024-01-01", LDFlagsSet: true}, true, nil},
		{"-ldflags not recorded", Options{}, false, []string{CauseLDFlags, CauseBuildID}},
		{"another date", Options{LDFlags: "-X main.date=2025-02-02", LDFlagsSet: true}, false, []string{CauseLDFlags, CauseBuildID}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := tc.opts
			opts.Dir, opts.Environ, opts.TempDir, opts.Against = dir, environ(), t.TempDir(), released
			res, err := Run(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if res.Reproducible != tc.repro {
				t.Fatalf("reproducible = %v, want %v; causes %+v", res.Reproducible, tc.repro, res.Causes)
			}
			if diff := cmp.Diff(tc.kinds, kinds(res)); diff != "" {
				t.Errorf("causes (-want +got):\n%s\n%+v", diff, res.Causes)
			}
			if tc.opts.LDFlagsSet && !tc.repro {
				want := `-X main.date: "2025-02-02" vs "2024-01-01"`
				if ev := res.Causes[0].Evidence; len(ev) != 1 || ev[0] != want {
					t.Errorf("evidence %q, want %q", ev, want)
				}
			}
		})
	}
}

func TestReproErrors(t *testing.T) {
	t.Parallel()
	if _, err := Run(context.Background(), Options{Dir: t.TempDir(), Environ: environ()}); err == nil || !strings.Contains(err.Error(), "not a module root") {
		t.Errorf("no go.mod: %v", err)
	}
	dir := writeModule(t)
	notBin := filepath.Join(dir, "main.go")
	if _, err := Run(context.Background(), Options{Dir: dir, Environ: environ(), Against: notBin}); err == nil || !strings.Contains(err.Error(), "inspecting") {
		t.Errorf("against a source file: %v", err)
	}
}

func TestXValues(t *testing.T) {
	t.Parallel()
	got := xValues(`-s -w -X main.version=1.0 -X=main.date=2024 -X 'main.id=abc'`)
	want := map[string]string{"main.version": "1.0", "main.date": "2024", "main.id": "abc"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
