package doctor

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

func TestParseGODEBUG(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []godebugSetting
	}{
		{"", nil},
		{"gctrace=1", []godebugSetting{{"gctrace", "1"}}},
		{"tlsrsakex=1,http2client=0", []godebugSetting{{"tlsrsakex", "1"}, {"http2client", "0"}}},
		{"x=1,x=2", []godebugSetting{{"x", "2"}}},
		{"novalue,,=1,a=", []godebugSetting{{"a", ""}}},
		{"a=b=c", []godebugSetting{{"a", "b=c"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, parseGODEBUG(tt.in)); diff != "" {
			t.Errorf("parseGODEBUG(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseGODEBUG(f *testing.F) {
	for _, s := range []string{"", "gctrace=1", "a=1,a=2", ",,,", "=", "k=v=w", "\xff=\x00", strings.Repeat("k=v,", 500)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, kv := range parseGODEBUG(s) {
			if kv.Key == "" || strings.ContainsAny(kv.Key, ",=") || strings.Contains(kv.Value, ",") || seen[kv.Key] {
				t.Fatalf("bad setting %+v from %q", kv, s)
			}
			seen[kv.Key] = true
		}
	})
}

func TestGODEBUGRules(t *testing.T) {
	t.Parallel()
	type counts struct{ Set, Security, Cost int }
	tests := []struct {
		godebug string
		want    counts
	}{
		{"", counts{}},
		{"http2client=0", counts{1, 0, 0}},
		{"tlsrsakex=1,tls10server=1,gctrace=1", counts{1, 2, 1}},
		{"tlsrsakex=0", counts{1, 0, 0}},
		{"gocacheverify=1", counts{1, 0, 1}},
		{"gocacheverify=0", counts{1, 0, 0}},
		{"rsa1024min=0,x509usefallbackroots=1,tlsmaxrsasize=16384", counts{1, 3, 0}},
		{"tlsmaxrsasize=4096", counts{1, 0, 0}},
		{"x509sha1=1", counts{1, 0, 0}}, // removed in Go 1.24: listed as having no effect
	}
	for _, tt := range tests {
		t.Run(tt.godebug, func(t *testing.T) {
			t.Parallel()
			env := healthyEnv(t)
			if tt.godebug != "" {
				env = withEnv(env, "GODEBUG="+tt.godebug)
			}
			c := gather(t, healthyModule(t), env)
			got := counts{
				len(findingsOf(t, c, "GP-GODEBUG-001")),
				len(findingsOf(t, c, "GP-GODEBUG-002")),
				len(findingsOf(t, c, "GP-GODEBUG-003")),
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("finding counts mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestGODEBUGListsEachSetting(t *testing.T) {
	t.Parallel()
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "GODEBUG=http2client=0,x509sha1=1"))
	fs := findingsOf(t, c, "GP-GODEBUG-001")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1", len(fs))
	}
	for _, want := range []string{"http2client=0", "x509sha1=1 (removed in Go 1.24: no effect)"} {
		if !strings.Contains(fs[0].Message, want) {
			t.Errorf("message %q lacks %q", fs[0].Message, want)
		}
	}
}

// TestGODEBUGInGoEnvFileIsIgnored checks against the real go command that
// GODEBUG comes from the process environment only.
func TestGODEBUGInGoEnvFileIsIgnored(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	path := writeGoEnv(t, env, "GODEBUG=tlsrsakex=1\n")
	out, err := goRun(t, t.TempDir(), env, "env", "GODEBUG")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Fatalf("go env GODEBUG with GODEBUG in the GOENV file = %q, %v; want empty", out, err)
	}
	out, err = goRun(t, t.TempDir(), env, "env", "-w", "GODEBUG=gctrace=1")
	if err == nil || !strings.Contains(out, "GODEBUG can only be set using the OS environment") {
		t.Errorf("go env -w GODEBUG: err=%v, output %q", err, out)
	}
	c := gather(t, healthyModule(t), env)
	fs := findingsOf(t, c, "GP-GODEBUG-001")
	if len(fs) != 1 || !strings.Contains(fs[0].Message, "ignored") {
		t.Fatalf("findings = %+v, want one saying the file's GODEBUG is ignored", fs)
	}
	if diff := cmp.Diff(&finding.Location{Path: path, Line: 1}, fs[0].Location()); diff != "" {
		t.Errorf("location mismatch (-want +got):\n%s", diff)
	}
	if n := len(findingsOf(t, c, "GP-GODEBUG-002")); n != 0 {
		t.Errorf("an ignored setting was reported as weakening security (%d findings)", n)
	}
}

// TestGODEBUGListsAreKnown keeps the hard-coded settings true to the
// installed Go: each must be a setting of internal/godebugs or the runtime.
func TestGODEBUGListsAreKnown(t *testing.T) {
	t.Parallel()
	goroot := strings.TrimSpace(func() string {
		out, err := goRun(t, t.TempDir(), healthyEnv(t), "env", "GOROOT")
		if err != nil {
			t.Fatalf("go env GOROOT: %v\n%s", err, out)
		}
		return out
	}())
	read := func(rel string) string {
		data, err := os.ReadFile(filepath.Join(goroot, filepath.FromSlash(rel)))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	known, removed := map[string]bool{}, map[string]bool{}
	table := read("src/internal/godebugs/table.go")
	for _, m := range regexp.MustCompile(`\{Name: "([a-z0-9]+)"(, Removed:)?`).FindAllStringSubmatch(table, -1) {
		if m[2] != "" {
			removed[m[1]] = true
		} else {
			known[m[1]] = true
		}
	}
	for _, m := range regexp.MustCompile(`\{name: "([a-z0-9]+)"`).FindAllStringSubmatch(read("src/runtime/runtime1.go"), -1) {
		known[m[1]] = true
	}
	if len(known) < 50 {
		t.Fatalf("found only %d settings; the source layout changed", len(known))
	}
	for _, list := range []map[string]godebugRisk{weakeningSettings, costlySettings} {
		for name := range list {
			if !known[name] {
				t.Errorf("%s is not a GODEBUG setting of %s", name, goroot)
			}
		}
	}
	for name := range removedSettings {
		if known[name] || !removed[name] {
			t.Errorf("%s is not listed as removed in internal/godebugs", name)
		}
	}
}
