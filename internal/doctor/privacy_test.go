package doctor

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/module"

	"github.com/goport/goport/internal/finding"
)

func TestPrivateHostReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path    string
		private bool
	}{
		{"github.com/google/uuid", false},
		{"golang.org/x/mod", false},
		{"go.googlesource.com/tools", false},
		{"gopkg.in/yaml.v3", false},
		{"go.uber.org/zap", false},
		{"sigs.k8s.io/yaml", false},
		{"rsc.io/quote", false},
		{"example.com/lib", false}, // unknown, but nothing says private
		{"go.acme.com/lib", false}, // vanity hosts are usually public
		{"corp/tools", true},
		{"git.acme.internal/platform/authz", true},
		{"svc.corp/x", true},
		{"nas.local/x", true},
		{"10.0.0.5/x", true},
		{"10.0.0.5:8443/x", true},
		{"git.acme.com/team/repo", true},
		{"gitlab.acme.com/team/repo", true},
		{"gitlab.com/team/repo", false},
		{"code.gitea.io/sdk", false},
	}
	for _, tt := range tests {
		if got := privateHostReason(tt.path) != ""; got != tt.private {
			t.Errorf("privateHostReason(%q) = %q, want private=%v", tt.path, privateHostReason(tt.path), tt.private)
		}
	}
}

const privateGoMod = `module example.com/app

go 1.26

require (
	git.acme.internal/platform/authz v1.4.2
	github.com/google/uuid v1.6.0
)
`

func TestPrivateRequirementRule(t *testing.T) {
	t.Parallel()
	type want struct {
		Severity finding.Severity
		Line     int
	}
	tests := []struct {
		name  string
		files map[string]string
		env   []string
		want  []want
	}{
		{"uncovered, no go.sum", nil, nil, []want{{finding.Error, 6}}},
		{"uncovered, hash in go.sum", map[string]string{
			"go.sum": "git.acme.internal/platform/authz v1.4.2 h1:abc=\ngit.acme.internal/platform/authz v1.4.2/go.mod h1:def=\n",
		}, nil, []want{{finding.Warning, 6}}},
		{"GOPRIVATE host", nil, []string{"GOPRIVATE=git.acme.internal"}, nil},
		{"GOPRIVATE glob", nil, []string{"GOPRIVATE=*.internal"}, nil},
		{"GOPRIVATE other host", nil, []string{"GOPRIVATE=git.other.internal"}, []want{{finding.Error, 6}}},
		{"internal proxy and GONOSUMDB", nil, []string{"GOPROXY=https://goproxy.corp.example", "GONOSUMDB=git.acme.internal"}, nil},
		{"internal proxy without GONOSUMDB", nil, []string{"GOPROXY=https://goproxy.corp.example"}, []want{{finding.Error, 6}}},
		{"GONOSUMDB but public proxy", nil, []string{"GONOSUMDB=git.acme.internal"}, []want{{finding.Warning, 6}}},
		{"direct and no sumdb", nil, []string{"GOPROXY=direct", "GOSUMDB=off"}, nil},
		{"replaced by a directory", map[string]string{
			"go.mod": privateGoMod + "\nreplace git.acme.internal/platform/authz => ../authz\n",
		}, nil, nil},
		{"replaced by another private module", map[string]string{
			"go.mod": privateGoMod + "\nreplace git.acme.internal/platform/authz v1.4.2 => git.acme.internal/fork/authz v1.5.0\n",
		}, nil, []want{{finding.Error, 10}}},
		{"no dot", map[string]string{
			"go.mod": "module example.com/app\n\ngo 1.26\n\nrequire corp/tools v0.1.0\n",
		}, []string{"GOPRIVATE=corp"}, []want{{finding.Error, 5}}},
		{"no dot replaced by a directory", map[string]string{
			"go.mod": "module example.com/app\n\ngo 1.26\n\nrequire corp/tools v0.1.0\n\nreplace corp/tools => ./tools\n",
		}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files := map[string]string{"go.mod": privateGoMod, "main.go": "package main\n\nfunc main() {}\n"}
			for k, v := range tt.files {
				files[k] = v
			}
			var got []want
			for _, f := range findingsOf(t, gather(t, writeModule(t, files), withEnv(healthyEnv(t), tt.env...)), "GP-PRIV-002") {
				loc := f.Location()
				if loc == nil || loc.Path != "go.mod" {
					t.Fatalf("finding without go.mod location: %+v", f)
				}
				got = append(got, want{f.Severity, loc.Line})
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GP-PRIV-002 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPrivateModuleClaimsMatchGoCommand recreates the "verifying module"
// failure with a company proxy that serves the private module (as in the
// corpus log 052) and checks the rules' verdicts against the real go
// command before and after each candidate fix.
func TestPrivateModuleClaimsMatchGoCommand(t *testing.T) {
	t.Parallel()
	authz := module.Version{Path: "git.acme.internal/platform/authz", Version: "v1.4.2"}
	srv := moduleProxy(t, authz)
	tests := []struct {
		name    string
		env     []string
		goErr   string // "" when go mod download succeeds
		rule    string
		finding bool
	}{
		{"no pattern", nil, "410 Gone", "GP-PRIV-002", true},
		{"GONOSUMDB fixes it", []string{"GONOSUMDB=git.acme.internal"}, "", "GP-PRIV-002", false},
		{"GONOSUMCHECK is not a setting", []string{"GONOSUMCHECK=1"}, "410 Gone", "GP-SUM-001", true},
		{"GONOSUMDB=* disables verification", []string{"GONOSUMDB=*"}, "", "GP-SUM-001", true},
		{"GOSUMDB=off disables verification", []string{"GOSUMDB=off"}, "", "GP-SUM-001", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := withEnv(healthyEnv(t), append([]string{"GOPROXY=" + srv.URL}, tt.env...)...)
			dir := writeModule(t, map[string]string{"go.mod": privateGoMod})
			out, err := proxyRunGo(t, dir, env, "mod", "download", authz.Path+"@"+authz.Version)
			switch {
			case tt.goErr == "" && err != nil:
				t.Errorf("go mod download failed: %v\n%s", err, out)
			case tt.goErr != "" && (err == nil || !strings.Contains(out, tt.goErr)):
				t.Errorf("go mod download: err=%v, want output with %q:\n%s", err, tt.goErr, out)
			}
			if got := len(findingsOf(t, gather(t, dir, env), tt.rule)) > 0; got != tt.finding {
				t.Errorf("%s reported=%v, want %v", tt.rule, got, tt.finding)
			}
		})
	}
}

func TestSumDBRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want []finding.Severity
	}{
		{"default", nil, nil},
		{"GOSUMDB=off", []string{"GOSUMDB=off"}, []finding.Severity{finding.Warning}},
		{"GONOSUMDB=*", []string{"GONOSUMDB=*"}, []finding.Severity{finding.Warning}},
		{"GOPRIVATE=*", []string{"GOPRIVATE=*"}, []finding.Severity{finding.Warning}},
		{"GOPRIVATE=* but narrow GONOSUMDB", []string{"GOPRIVATE=*", "GONOSUMDB=git.acme.internal"}, nil},
		{"narrow GONOSUMDB", []string{"GONOSUMDB=git.acme.internal,github.com/acme"}, nil},
		{"GONOSUMCHECK", []string{"GONOSUMCHECK=1"}, []finding.Severity{finding.Info}},
		{"other sumdb", []string{"GOSUMDB=sum.golang.google.cn"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []finding.Severity
			for _, f := range proxyRuleFindings(t, "GP-SUM-001", tt.env...) {
				got = append(got, f.Severity)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("GP-SUM-001 mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSumDBOffInGoEnvFile(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	path := writeGoEnv(t, env, "GOPROXY=https://proxy.golang.org,direct\nGOSUMDB=off\n")
	fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-SUM-001")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	if diff := cmp.Diff(&finding.Location{Path: path, Line: 2}, fs[0].Location()); diff != "" {
		t.Errorf("location mismatch (-want +got):\n%s", diff)
	}
}

func TestBroadPatternRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want int
	}{
		{"default", nil, 0},
		{"GOPRIVATE=github.com", []string{"GOPRIVATE=github.com"}, 1},
		{"GOPRIVATE=*.com", []string{"GOPRIVATE=*.com"}, 1},
		{"GONOPROXY=*.*", []string{"GONOPROXY=*.*"}, 1},
		{"GOINSECURE=*", []string{"GOINSECURE=*"}, 1},
		{"GONOSUMDB=golang.org", []string{"GONOSUMDB=golang.org"}, 1},
		{"GONOSUMDB=* is GP-SUM-001's", []string{"GONOSUMDB=*"}, 0},
		{"two broad patterns", []string{"GOPRIVATE=github.com, gitlab.com,git.acme.internal"}, 2},
		{"organisation and private host", []string{"GOPRIVATE=github.com/acme,git.acme.internal", "GOINSECURE=git.acme.internal"}, 0},
		{"github org glob", []string{"GOPRIVATE=github.com/acme-*"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := len(proxyRuleFindings(t, "GP-PRIV-001", tt.env...)); got != tt.want {
				t.Errorf("got %d GP-PRIV-001 findings, want %d", got, tt.want)
			}
		})
	}
}

func FuzzPrivateHostReason(f *testing.F) {
	for _, s := range []string{"", "/", "corp/x", "git.acme.internal/a", "10.0.0.1:80/x", "[::1]/x", "a.b.c.d.e", "\xff.local/x", "github.com"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, path string) {
		reason := privateHostReason(path)
		host, _, _ := strings.Cut(path, "/")
		if isPublicHost(host) && reason != "" {
			t.Fatalf("public host %q reported private: %s", host, reason)
		}
	})
}
