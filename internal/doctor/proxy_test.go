package doctor

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/module"
	modzip "golang.org/x/mod/zip"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/render"
)

// moduleProxy serves modules with the GOPROXY protocol from memory, so the
// real go command can download without the network. Paths under /sumdb/
// answer like proxy.golang.org does for a module sum.golang.org does not
// know: "supported", then 410 Gone for the lookup.
func moduleProxy(t *testing.T, mods ...module.Version) *httptest.Server {
	t.Helper()
	files := map[string][]byte{}
	for _, m := range mods {
		dir := t.TempDir()
		gomod := "module " + m.Path + "\n\ngo 1.21\n"
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "lib.go"), []byte("package lib\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		var zip bytes.Buffer
		if err := modzip.CreateFromDir(&zip, m, dir); err != nil {
			t.Fatal(err)
		}
		esc, err := module.EscapePath(m.Path)
		if err != nil {
			t.Fatal(err)
		}
		base := "/" + esc + "/@v/"
		files[base+"list"] = append(files[base+"list"], m.Version+"\n"...)
		files[base+m.Version+".info"] = []byte(`{"Version":"` + m.Version + `","Time":"2024-01-01T00:00:00Z"}`)
		files[base+m.Version+".mod"] = []byte(gomod)
		files[base+m.Version+".zip"] = zip.Bytes()
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/sumdb/sum.golang.org/supported":
			return
		case strings.HasPrefix(r.URL.Path, "/sumdb/"):
			http.Error(w, "not found", http.StatusGone)
			return
		}
		data, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(data)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// failingProxy answers every request with status.
func failingProxy(t *testing.T, status int) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "proxy failure", status)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// proxyRunGo runs the real go command in dir for a download and returns
// its combined output.
func proxyRunGo(t *testing.T, dir string, environ []string, args ...string) (string, error) {
	t.Helper()
	// A read-only module cache would make t.TempDir's cleanup fail.
	return goRun(t, dir, withEnv(environ, "GOFLAGS=-modcacherw"), args...)
}

// goRun runs the real go command in dir with exactly environ and returns
// its combined output.
func goRun(t *testing.T, dir string, environ []string, args ...string) (string, error) {
	t.Helper()
	// GOTELEMETRY is read-only; the mode file is what turns telemetry off,
	// so that no counter file is still being written during cleanup.
	for _, kv := range environ {
		if dir, ok := strings.CutPrefix(kv, "XDG_CONFIG_HOME="); ok {
			mode := filepath.Join(dir, "go", "telemetry", "mode")
			if err := os.MkdirAll(filepath.Dir(mode), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(mode, []byte("off"), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	cmd := exec.Command("go", args...)
	cmd.Dir = dir
	cmd.Env = environ
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// writeGoEnv writes a GOENV file into the HOME of environ and returns its
// path.
func writeGoEnv(t *testing.T, environ []string, content string) string {
	t.Helper()
	for _, kv := range environ {
		if path, ok := strings.CutPrefix(kv, "GOENV="); ok {
			if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
			return path
		}
	}
	t.Fatal("environ has no GOENV")
	return ""
}

func TestParseProxyList(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want []proxyEntry
	}{
		{"https://proxy.golang.org,direct", []proxyEntry{
			{Text: "https://proxy.golang.org", URL: "https://proxy.golang.org"},
			{Text: "direct", URL: "direct"},
		}},
		{"proxy.corp.example|direct", []proxyEntry{
			{Text: "proxy.corp.example", URL: "https://proxy.corp.example", FallbackOnError: true},
			{Text: "direct", URL: "direct"},
		}},
		{"off,https://p.example", []proxyEntry{
			{Text: "off", URL: "off"},
			{Text: "https://p.example", URL: "https://p.example", Unreachable: true},
		}},
		{" , ,", nil},
		{"ftp://x.example", []proxyEntry{{Text: "ftp://x.example", URL: "ftp://x.example",
			Err: "invalid proxy URL scheme (must be https, http, file): ftp://x.example"}}},
		{"noproxy", []proxyEntry{{Text: "noproxy", URL: "noproxy", Err: "invalid proxy URL missing scheme: noproxy"}}},
		{"file:///srv/goproxy", []proxyEntry{{Text: "file:///srv/goproxy", URL: "file:///srv/goproxy"}}},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, parseProxyList(tt.in)); diff != "" {
			t.Errorf("parseProxyList(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseProxyList(f *testing.F) {
	for _, s := range []string{"", "off", "direct", "https://proxy.golang.org,direct", "a|b,c", ",,|", "http://u:p@h/x|off",
		"file:///x", "file://host/x", "%zz", "\xff|\x00", "https://[::1", strings.Repeat("a,", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		list := parseProxyList(s)
		ended := false
		for _, e := range list {
			if e.Text == "" || e.Text != strings.TrimSpace(e.Text) || strings.ContainsAny(e.Text, ",|") {
				t.Fatalf("bad entry %+v from %q", e, s)
			}
			if e.Unreachable != ended {
				t.Fatalf("entry %+v: Unreachable=%v after off/direct=%v in %q", e, e.Unreachable, ended, s)
			}
			if e.URL == "off" || e.URL == "direct" {
				ended = true
			}
		}
	})
}

// proxyRuleFindings gathers a healthy module with the extra environment and
// returns the findings of rule id.
func proxyRuleFindings(t *testing.T, id string, env ...string) []finding.Finding {
	t.Helper()
	return findingsOf(t, gather(t, healthyModule(t), withEnv(healthyEnv(t), env...)), id)
}

func TestProxyRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		rule string
		want []finding.Severity // severities of the findings, in order
	}{
		{"off", []string{"GOPROXY=off"}, "GP-PROXY-001", []finding.Severity{finding.Warning}},
		{"off first", []string{"GOPROXY=off,https://proxy.golang.org"}, "GP-PROXY-001", []finding.Severity{finding.Warning}},
		{"off last is deliberate", []string{"GOPROXY=https://proxy.golang.org,off"}, "GP-PROXY-001", nil},
		{"default", nil, "GP-PROXY-001", nil},
		{"direct", []string{"GOPROXY=direct"}, "GP-PROXY-002", []finding.Severity{finding.Warning}},
		{"direct fallback", []string{"GOPROXY=https://proxy.golang.org,direct"}, "GP-PROXY-002", nil},
		{"http", []string{"GOPROXY=http://goproxy.corp.example,direct"}, "GP-PROXY-003", []finding.Severity{finding.Warning}},
		{"http loopback", []string{"GOPROXY=http://127.0.0.1:3000,direct"}, "GP-PROXY-003", nil},
		{"https", []string{"GOPROXY=https://goproxy.corp.example,direct"}, "GP-PROXY-003", nil},
		{"pipe before direct", []string{"GOPROXY=https://goproxy.corp.example|direct"}, "GP-PROXY-004", []finding.Severity{finding.Warning}},
		{"pipe between proxies", []string{"GOPROXY=https://a.example|https://b.example,direct"}, "GP-PROXY-004", nil},
		{"after direct", []string{"GOPROXY=direct,https://proxy.golang.org"}, "GP-PROXY-004", []finding.Severity{finding.Warning}},
		{"trailing off", []string{"GOPROXY=https://proxy.golang.org,off"}, "GP-PROXY-004", []finding.Severity{finding.Info}},
		{"no entries", []string{"GOPROXY=,"}, "GP-PROXY-004", []finding.Severity{finding.Error}},
		{"bad scheme", []string{"GOPROXY=ftp://mirror.example,direct"}, "GP-PROXY-004", []finding.Severity{finding.Error}},
		{"comma default", nil, "GP-PROXY-004", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []finding.Severity
			for _, f := range proxyRuleFindings(t, tt.rule, tt.env...) {
				got = append(got, f.Severity)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("%s severities mismatch (-want +got):\n%s", tt.rule, diff)
			}
		})
	}
}

// TestProxyClaimsMatchGoCommand checks what the rules say about GOPROXY
// against the real go command, downloading from local proxies.
func TestProxyClaimsMatchGoCommand(t *testing.T) {
	t.Parallel()
	dep := module.Version{Path: "example.com/dep", Version: "v1.0.0"}
	good := moduleProxy(t, dep)
	broken := failingProxy(t, http.StatusInternalServerError)

	tests := []struct {
		name    string
		goproxy string
		wantErr string // "" means the download succeeds
	}{
		// GP-PROXY-001.
		{"off", "off", "module lookup disabled by GOPROXY=off"},
		// GP-PROXY-003: plain http is used as written, without GOINSECURE.
		{"plain http", good.URL, ""},
		// ...but never with credentials.
		{"http credentials", strings.Replace(good.URL, "http://", "http://bob:hunter2@", 1), "refusing to pass credentials to insecure URL"},
		// GP-PROXY-004: ',' falls back only on 404/410, '|' on any error.
		{"comma stops on 500", broken.URL + "," + good.URL, "500 Internal Server Error"},
		{"pipe falls back on 500", broken.URL + "|" + good.URL, ""},
		{"comma falls back on 404", failingProxy(t, http.StatusNotFound).URL + "," + good.URL, ""},
		{"entries after off are dead", "off," + good.URL, "GOPROXY=off"},
		{"no entries", ",", "GOPROXY list is not the empty string, but contains no entries"},
		{"bad scheme", "ftp://mirror.example", "invalid proxy URL scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// A fresh module cache each time: a cached module needs no proxy.
			env := withEnv(healthyEnv(t), "GONOSUMDB=example.com", "GOPROXY="+tt.goproxy)
			out, err := proxyRunGo(t, healthyModule(t), env, "mod", "download", dep.Path+"@"+dep.Version)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("go mod download failed: %v\n%s", err, out)
			case tt.wantErr != "" && err == nil:
				t.Errorf("go mod download succeeded, want failure with %q", tt.wantErr)
			case tt.wantErr != "" && !strings.Contains(out, tt.wantErr):
				t.Errorf("go mod download output lacks %q:\n%s", tt.wantErr, out)
			}
		})
	}
}

// TestProxyOffStillFetchesPrivate checks the exception GP-PROXY-001 states:
// with GOPROXY=off, modules matching GONOPROXY (here through GOPRIVATE)
// are still fetched directly.
func TestProxyOffStillFetchesPrivate(t *testing.T) {
	t.Parallel()
	const mod = "git.acme.internal/platform/authz@v1.4.2"
	env := withEnv(healthyEnv(t), "GOPROXY=off")
	out, err := proxyRunGo(t, healthyModule(t), env, "mod", "download", mod)
	if err == nil || !strings.Contains(out, "module lookup disabled by GOPROXY=off") {
		t.Errorf("GOPROXY=off: err=%v\n%s", err, out)
	}
	// .internal never resolves: the direct fetch fails fast, network or not.
	out, err = proxyRunGo(t, healthyModule(t), withEnv(env, "GOPRIVATE=git.acme.internal"), "mod", "download", mod)
	if err == nil || strings.Contains(out, "GOPROXY=off") || !strings.Contains(out, "https fetch") {
		t.Errorf("GOPROXY=off with GOPRIVATE: err=%v, want a direct fetch attempt\n%s", err, out)
	}
}

// TestProxyPipeDirectHidesProxyError checks GP-PROXY-004's claim: with
// proxy|direct a failing proxy is skipped and the origin's error is the one
// reported; with proxy,direct the proxy's error stops the download.
func TestProxyPipeDirectHidesProxyError(t *testing.T) {
	t.Parallel()
	const mod = "git.acme.internal/platform/authz@v1.4.2" // .internal never resolves
	broken := failingProxy(t, http.StatusUnauthorized)
	for sep, want := range map[string]string{"|": "https fetch", ",": "401 Unauthorized"} {
		env := withEnv(healthyEnv(t), "GOPROXY="+broken.URL+sep+"direct", "GONOSUMDB=git.acme.internal")
		out, err := proxyRunGo(t, healthyModule(t), env, "mod", "download", mod)
		if err == nil || !strings.Contains(out, want) {
			t.Errorf("GOPROXY=proxy%sdirect: err=%v, want output with %q\n%s", sep, err, want, out)
		}
		if sep == "|" && strings.Contains(out, "401") {
			t.Errorf("GOPROXY=proxy|direct reported the proxy's 401:\n%s", out)
		}
	}
}

func TestProxyDirectWithoutGit(t *testing.T) {
	t.Parallel()
	// PATH holds only the go command: no git, as in the golang:alpine image.
	env := withEnv(healthyEnv(t), "PATH="+realGoDir(t), "GOPROXY=direct")
	fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-PROXY-002")
	if len(fs) != 1 || fs[0].Severity != finding.Error || !strings.Contains(fs[0].Message, "git is not on PATH") {
		t.Fatalf("findings = %+v, want one error naming git", fs)
	}
	out, err := proxyRunGo(t, healthyModule(t), env, "mod", "download", "github.com/x/y@v1.0.0")
	if err == nil || !strings.Contains(out, `"git": executable file not found`) {
		t.Errorf("go mod download with GOPROXY=direct and no git: err=%v\n%s", err, out)
	}
}

func TestProxySettingFromGoEnvFile(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	path := writeGoEnv(t, env, "# written by go env -w\nGOPROXY=off\n")
	// An empty GOPROXY in the environment counts as unset: the file applies.
	env = withEnv(env, "GOPROXY=")
	out, err := goRun(t, t.TempDir(), env, "env", "GOPROXY")
	if err != nil || strings.TrimSpace(out) != "off" {
		t.Fatalf("go env GOPROXY = %q, %v; want off", out, err)
	}
	fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-PROXY-001")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	want := &finding.Location{Path: path, Line: 2}
	if diff := cmp.Diff(want, fs[0].Location()); diff != "" {
		t.Errorf("evidence location mismatch (-want +got):\n%s", diff)
	}
	if !strings.Contains(fs[0].Fix, "go env -u GOPROXY") {
		t.Errorf("fix %q does not undo go env -w", fs[0].Fix)
	}
}

func TestCredentialsNeverRendered(t *testing.T) {
	t.Parallel()
	const secretPW, secretTok = "s3cr3t-pa55", "ghp_T0kenValue123"
	tests := []struct {
		name  string
		env   []string
		file  string
		rules int
	}{
		{"GOPROXY password", []string{"GOPROXY=https://bob:" + secretPW + "@goproxy.corp.example,direct"}, "", 1},
		{"GOPROXY token", []string{"GOPROXY=https://" + secretTok + "@goproxy.corp.example|direct"}, "", 1},
		{"GOSUMDB url", []string{"GOSUMDB=sum.golang.org https://bob:" + secretPW + "@sumproxy.corp.example"}, "", 1},
		{"plain http proxy with password", []string{"GOPROXY=http://bob:" + secretPW + "@goproxy.corp.example"}, "", 1},
		{"GOENV file", nil, "GOPROXY=https://bob:" + secretPW + "@goproxy.corp.example,direct\n", 1},
		{"GOVCS and GONOSUMDB", []string{"GOVCS=https://bob:" + secretPW + "@x.example:git", "GONOSUMDB=https://" + secretTok + "@x.example"}, "", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := healthyEnv(t)
			if tt.file != "" {
				writeGoEnv(t, env, tt.file)
			}
			env = withEnv(env, tt.env...)
			c := gather(t, healthyModule(t), env)
			if got := len(findingsOf(t, c, "GP-PROXY-005")); got != tt.rules {
				t.Fatalf("got %d GP-PROXY-005 findings, want %d", got, tt.rules)
			}
			all, err := Run(c, Checks())
			if err != nil {
				t.Fatal(err)
			}
			// The findings themselves carry no secret, whatever renders them.
			for _, f := range all {
				for _, s := range append([]string{f.Message, f.Fix}, evidenceTexts(f)...) {
					if strings.Contains(s, secretPW) || strings.Contains(s, secretTok) {
						t.Errorf("%s finding holds the secret: %q", f.Rule, s)
					}
				}
			}
			for _, format := range render.Formats {
				var buf bytes.Buffer
				r := &finding.Report{Schema: finding.Schema, Tool: "goport", Command: "doctor", Findings: all, Rules: Rules(Checks())}
				if err := render.Render(&buf, format, r, render.Options{}); err != nil {
					t.Fatalf("render %s: %v", format, err)
				}
				out := buf.String()
				if strings.Contains(out, secretPW) || strings.Contains(out, secretTok) {
					t.Errorf("%s output contains the secret:\n%s", format, out)
				}
				if !strings.Contains(out, "***") {
					t.Errorf("%s output does not show the masked value:\n%s", format, out)
				}
			}
		})
	}
}

func evidenceTexts(f finding.Finding) []string {
	var out []string
	for _, e := range f.Evidence {
		out = append(out, e.Text)
	}
	return out
}

func TestHealthyProxySettingsHaveNoFindings(t *testing.T) {
	t.Parallel()
	for _, env := range [][]string{
		nil,
		{"GOPROXY=https://proxy.golang.org,direct"},
		{"GOPROXY=https://goproxy.corp.example,https://proxy.golang.org,direct"},
		{"GOPROXY=file:///srv/goproxy"},
	} {
		c := gather(t, healthyModule(t), withEnv(healthyEnv(t), env...))
		all, err := Run(c, proxyChecks())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range all {
			t.Errorf("%v: unexpected %s: %s", env, f.Rule, f.Message)
		}
	}
}
