package upgrade

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/testenv"
)

// testEnv is the process environment with everything that could reach the
// network or another toolchain switched off. The build cache stays the
// user's, so the standard library is compiled once for all tests.
func testEnv(t *testing.T) []string {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command on PATH")
	}
	return append(os.Environ(), "GOPROXY=off", "GOFLAGS=", "GOWORK=off", "GOTOOLCHAIN=local", "GOTELEMETRY=off")
}

// writeModule creates a module from path → content and returns its root.
func writeModule(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	if err := testenv.WriteFiles(root, files); err != nil {
		t.Fatal(err)
	}
	return root
}

// goRun runs the real go command in dir and returns its combined output
// and whether it succeeded.
func goRun(t *testing.T, dir string, environ []string, args ...string) (string, bool) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = environ
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err == nil
}

// analyze runs the analysis on root and fails the test on error.
func analyze(t *testing.T, root string, opts Options) *Result {
	t.Helper()
	opts.Dir = root
	if opts.Environ == nil {
		opts.Environ = testEnv(t)
	}
	res, err := Analyze(context.Background(), opts)
	if err != nil {
		t.Fatalf("Analyze: %v", err)
	}
	return res
}

// byRule returns the findings of one rule.
func byRule(fs []finding.Finding, rule string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// flipped returns the GODEBUG setting names reported by GP-UPG-101.
func flipped(fs []finding.Finding) []string {
	var names []string
	for _, f := range byRule(fs, RuleGodebugFlip) {
		name, _, _ := strings.Cut(strings.TrimPrefix(f.Message, "GODEBUG "), " ")
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// locations lists the evidence locations of findings as "path:line".
func locations(fs []finding.Finding) []string {
	var out []string
	for _, f := range fs {
		for _, e := range f.Evidence {
			if e.Location != nil {
				out = append(out, finding.Location{Path: e.Location.Path, Line: e.Location.Line}.String())
			}
		}
	}
	slices.Sort(out)
	return out
}

// installedTable loads the GODEBUG table of the go command on PATH.
func installedTable(t *testing.T) *Table {
	t.Helper()
	env, err := goenv.Load(context.Background(), t.TempDir(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	tab, err := LoadTable(env.Get("GOROOT"))
	if err != nil {
		t.Fatal(err)
	}
	return tab
}

func gomod(goline string, extra ...string) string {
	s := "module example.com/m\n"
	if goline != "" {
		s += "\ngo " + goline + "\n"
	}
	for _, e := range extra {
		s += "\n" + e + "\n"
	}
	return s
}

func byMessage(fs []finding.Finding, msg string) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Message == msg {
			out = append(out, f)
		}
	}
	return out
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}

// installedLine is the go line of the installed toolchain, "1.N".
func installedLine(t *testing.T, env []string) string {
	t.Helper()
	e, err := goenv.Load(context.Background(), t.TempDir(), env)
	if err != nil {
		t.Fatal(err)
	}
	m, err := minorOf(strings.Fields(e.Version())[0])
	if err != nil {
		t.Fatal(err)
	}
	return goLine(m)
}

func installedGOROOT(t *testing.T) string {
	t.Helper()
	e, err := goenv.Load(context.Background(), t.TempDir(), testEnv(t))
	if err != nil {
		t.Fatal(err)
	}
	return e.Get("GOROOT")
}
