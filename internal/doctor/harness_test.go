package doctor

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/testenv"
)

// realGoDir is the directory of the go command running the tests.
func realGoDir(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH")
	}
	return filepath.Dir(p)
}

// healthyEnv is a hermetic process environment for which no check should
// report anything: the real go on PATH, a temporary HOME and GOENV file,
// and explicit values for every setting the checks look at. Tests derive
// the unhealthy situations from it with withEnv.
func healthyEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	if err := testenv.DisableTelemetry(home); err != nil {
		t.Fatal(err)
	}
	return []string{
		"PATH=" + realGoDir(t) + string(os.PathListSeparator) + "/usr/bin" + string(os.PathListSeparator) + "/bin",
		"HOME=" + home,
		"XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GOENV=" + filepath.Join(home, "goenv"),
		"GOCACHE=" + filepath.Join(home, "cache"),
		"GOMODCACHE=" + filepath.Join(home, "modcache"),
		"GOPATH=" + filepath.Join(home, "gopath"),
		"GOFLAGS=",
		"GOTOOLCHAIN=local",
	}
}

// withEnv returns environ with the KEY=VALUE assignments added; later
// assignments win, as in exec.Cmd.
func withEnv(environ []string, kv ...string) []string {
	return append(append([]string(nil), environ...), kv...)
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

// healthyModule is a minimal module at the installed Go's version.
func healthyModule(t *testing.T) string {
	t.Helper()
	return writeModule(t, map[string]string{
		"go.mod":  "module example.com/hello\n\ngo 1.26\n",
		"main.go": "package main\n\nfunc main() {}\n",
	})
}

// gather builds a Context for dir with environ and a host that matches the
// go command (override opts.Host to simulate emulation).
func gather(t *testing.T, dir string, environ []string) *Context {
	t.Helper()
	host := goenv.DetectHost()
	c, err := Gather(context.Background(), Options{Dir: dir, Environ: environ, Host: &host})
	if err != nil {
		t.Fatalf("Gather: %v", err)
	}
	return c
}

// findingsOf runs every check on c and returns the findings of rule id.
func findingsOf(t *testing.T, c *Context, id string) []finding.Finding {
	t.Helper()
	all, err := Run(c, Checks())
	if err != nil {
		t.Fatal(err)
	}
	var fs []finding.Finding
	for _, f := range all {
		if f.Rule == id {
			fs = append(fs, f)
		}
	}
	return fs
}

func TestHealthyModuleHasNoFindings(t *testing.T) {
	c := gather(t, healthyModule(t), healthyEnv(t))
	all, err := Run(c, Checks())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range all {
		t.Errorf("unexpected finding %s: %s", f.Rule, f.Message)
	}
}

func TestRuleMetadataComplete(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules(Checks()) {
		if seen[r.ID] {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		seen[r.ID] = true
		if r.Title == "" || len(r.Title) > 60 || r.Title[len(r.Title)-1] == '.' {
			t.Errorf("%s: title %q must be 1-60 characters without a final period", r.ID, r.Title)
		}
		if r.Severity == 0 || r.Explanation == "" || r.Fix == "" {
			t.Errorf("%s: severity, explanation and fix are required", r.ID)
		}
	}
}
