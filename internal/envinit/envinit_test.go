package envinit

import (
	"context"
	"errors"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
)

const privateGoMod = `module git.corp.example.com/team/app

go 1.22

require (
	github.com/google/go-cmp v0.6.0
	corp.internal/lib v1.0.0
	git.corp.example.com/team/other v0.1.0
	10.1.2.3/x v1.0.0
)
`

func moduleDir(t *testing.T, gomod string) string {
	t.Helper()
	dir := t.TempDir()
	if gomod != "" {
		if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func settings(environ []string, file map[string]string) goenv.Settings {
	return goenv.Settings{
		Environ:   environ,
		EnvFile:   &goenv.EnvFile{Path: "/home/u/.config/go/env", Vars: file},
		GorootEnv: &goenv.EnvFile{Path: "/goroot/go.env", Vars: map[string]string{"GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "sum.golang.org"}},
	}
}

func TestCompute(t *testing.T) {
	t.Parallel()
	dir := moduleDir(t, privateGoMod)
	p, err := Compute(Options{Dir: dir, Settings: settings(nil, map[string]string{"GOSUMDB": "off", "GONOSUMDB": "legacy.example.org"}),
		Private: []string{"*.corp.example.net"}})
	if err != nil {
		t.Fatal(err)
	}
	type kv struct{ Key, Value, Old string }
	var got []kv
	for _, c := range p.Changes {
		got = append(got, kv{c.Key, c.Value, c.Old})
		if c.Why == "" {
			t.Errorf("%s has no reason", c.Key)
		}
	}
	want := []kv{
		{"GOSUMDB", "sum.golang.org", "off"},
		{"GOPRIVATE", "git.corp.example.com,corp.internal,10.1.2.3,*.corp.example.net", ""},
		{"GONOSUMDB", "legacy.example.org,git.corp.example.com,corp.internal,10.1.2.3,*.corp.example.net", "legacy.example.org"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("changes (-want +got):\n%s", diff)
	}
	if p.EnvFile != "/home/u/.config/go/env" {
		t.Errorf("EnvFile = %q", p.EnvFile)
	}
}

func TestComputeHealthy(t *testing.T) {
	t.Parallel()
	dir := moduleDir(t, privateGoMod)
	s := settings(nil, map[string]string{"GOPRIVATE": "*.corp.example.com,corp.internal,10.1.2.3"})
	p, err := Compute(Options{Dir: dir, Settings: s})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 0 || len(p.Warnings) != 0 {
		t.Errorf("a secure environment got changes %+v, warnings %v", p.Changes, p.Warnings)
	}
	// No go.mod at all: only the proxy and checksum database matter.
	p, err = Compute(Options{Dir: moduleDir(t, ""), Settings: settings(nil, nil)})
	if err != nil || len(p.Changes) != 0 {
		t.Errorf("no module: %+v, %v", p, err)
	}
}

func TestComputeProxyAndRedaction(t *testing.T) {
	t.Parallel()
	const proxy = "https://ci:s3cr3t-token@goproxy.corp.example.com/mod"
	p, err := Compute(Options{Dir: moduleDir(t, ""), Settings: settings([]string{"GOPROXY=https://proxy.golang.org"}, nil), Proxy: proxy})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Value != proxy+",direct" {
		t.Fatalf("changes = %+v", p.Changes)
	}
	if strings.Contains(p.Changes[0].Why, "s3cr3t") {
		t.Errorf("reason leaks the token: %s", p.Changes[0].Why)
	}
	if len(p.Warnings) != 1 || !strings.Contains(p.Warnings[0], "GOPROXY is set in the process environment") {
		t.Errorf("warnings = %v", p.Warnings)
	}
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		opts    Options
		want    string
		usage   bool // a bad value rather than an insecure one
		secured bool // accepted with --insecure
	}{
		{name: "plain http proxy", opts: Options{Proxy: "http://u:hunter2@proxy.corp.example"}, want: "plain http", secured: true},
		{name: "GOSUMDB=off in the environment", opts: Options{Settings: settings([]string{"GOSUMDB=off"}, nil)}, want: "GOSUMDB=off", secured: true},
		{name: "GOINSECURE for a public host", opts: Options{Settings: settings(nil, map[string]string{"GOINSECURE": "github.com/*"})}, want: "GOINSECURE", secured: true},
		{name: "GOINSECURE for everything", opts: Options{Settings: settings(nil, map[string]string{"GOINSECURE": "*"})}, want: "GOINSECURE", secured: true},
		{name: "GOPRIVATE for a public host", opts: Options{Private: []string{"github.com"}}, want: "public host", secured: true},
		{name: "list as proxy", opts: Options{Proxy: "https://a,https://b"}, want: "one proxy URL", usage: true},
		{name: "not a URL", opts: Options{Proxy: "proxy.corp.example"}, want: "https:// URL", usage: true},
		{name: "bad pattern", opts: Options{Private: []string{"a,b"}}, want: "invalid --private", usage: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.opts.Dir = moduleDir(t, "")
			if tt.opts.Settings.EnvFile == nil {
				tt.opts.Settings = settings(nil, nil)
			}
			_, err := Compute(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Compute = %v, want an error about %q", err, tt.want)
			}
			if errors.Is(err, ErrInsecure) == tt.usage || errors.Is(err, ErrInvalid) != tt.usage {
				t.Errorf("refusal kind wrong (usage %v) for %v", tt.usage, err)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error leaks a password: %v", err)
			}
			if tt.secured {
				tt.opts.Insecure = true
				if _, err := Compute(tt.opts); err != nil {
					t.Errorf("with --insecure: %v", err)
				}
			}
		})
	}
	// A public host's organisation is a fine private pattern.
	if _, err := Compute(Options{Dir: moduleDir(t, ""), Settings: settings(nil, nil), Private: []string{"github.com/mycorp"}}); err != nil {
		t.Errorf("github.com/mycorp refused: %v", err)
	}
}

// realGo is an environment with a temporary GOENV file for the real go
// command.
func realGo(t *testing.T, content string) (environ []string, envFile string) {
	t.Helper()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	home := t.TempDir()
	mode := filepath.Join(home, ".config", "go", "telemetry", "mode")
	if err := os.MkdirAll(filepath.Dir(mode), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mode, []byte("off"), 0o644); err != nil {
		t.Fatal(err)
	}
	envFile = filepath.Join(home, ".config", "go", "env")
	if content != "" {
		if err := os.WriteFile(envFile, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return []string{"PATH=" + filepath.Dir(gobin), "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"),
		"GOENV=" + envFile, "GOTOOLCHAIN=local", "GOFLAGS="}, envFile
}

func goEnv(t *testing.T, environ []string, key string) string {
	t.Helper()
	cmd := exec.Command("go", "env", key)
	cmd.Env = environ
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go env %s: %v", key, err)
	}
	return strings.TrimSpace(string(out))
}

func TestApplyRestoreRoundTrip(t *testing.T) {
	t.Parallel()
	const original = "GOSUMDB=off\n# kept as is\nGOFLAGS=-mod=mod\n"
	environ, envFile := realGo(t, original)
	ctx := context.Background()
	env, err := goenv.Load(ctx, t.TempDir(), environ)
	if err != nil {
		t.Fatal(err)
	}
	s, err := goenv.LoadSettings(environ, env)
	if err != nil {
		t.Fatal(err)
	}
	p, err := Compute(Options{Dir: moduleDir(t, privateGoMod), Settings: s, Proxy: "https://goproxy.corp.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 26, 13, 0, 0, 0, time.UTC)
	backup, err := Apply(ctx, p, environ, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := envFile + ".goport-backup-20261126T130000.000000000Z"; backup != want {
		t.Errorf("backup = %s, want %s", backup, want)
	}
	if got := goEnv(t, environ, "GOPROXY"); got != "https://goproxy.corp.example.com,direct" {
		t.Errorf("after apply GOPROXY = %q", got)
	}
	if got := goEnv(t, environ, "GOSUMDB"); got != "sum.golang.org" {
		t.Errorf("after apply GOSUMDB = %q", got)
	}
	if got := goEnv(t, environ, "GONOPROXY"); got != "git.corp.example.com,corp.internal,10.1.2.3" {
		t.Errorf("GONOPROXY does not follow GOPRIVATE: %q", got)
	}
	if got := goEnv(t, environ, "GOFLAGS"); got != "-mod=mod" {
		t.Errorf("an unrelated variable changed: GOFLAGS = %q", got)
	}
	// A second init finds nothing to do and makes no backup.
	env2, _ := goenv.Load(ctx, t.TempDir(), environ)
	s2, _ := goenv.LoadSettings(environ, env2)
	p2, err := Compute(Options{Dir: moduleDir(t, privateGoMod), Settings: s2, Proxy: "https://goproxy.corp.example.com"})
	if err != nil || len(p2.Changes) != 0 {
		t.Fatalf("second init: %+v, %v", p2, err)
	}

	applied, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	restored, saved, err := Restore(envFile, "", later)
	if err != nil {
		t.Fatal(err)
	}
	if restored != backup {
		t.Errorf("restored %s, want the newest backup %s", restored, backup)
	}
	data, err := os.ReadFile(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(original, string(data)); diff != "" {
		t.Errorf("restored GOENV file (-want +got):\n%s", diff)
	}
	if got := goEnv(t, environ, "GOSUMDB"); got != "off" {
		t.Errorf("after restore GOSUMDB = %q", got)
	}

	// The file the restore replaced was saved first, so restoring again
	// undoes the restore.
	if want := envFile + ".goport-backup-20261126T140000.000000000Z"; saved != want {
		t.Fatalf("saved = %q, want %s", saved, want)
	}
	savedData, err := os.ReadFile(saved)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(applied), string(savedData)); diff != "" {
		t.Errorf("saved file is not the replaced GOENV file (-want +got):\n%s", diff)
	}
	if _, _, err := Restore(envFile, "", later.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := goEnv(t, environ, "GOSUMDB"); got != "sum.golang.org" {
		t.Errorf("after undoing the restore GOSUMDB = %q", got)
	}

	// Restoring content the file already holds saves nothing.
	if _, saved, err := Restore(envFile, saved, later.Add(2*time.Hour)); err != nil || saved != "" {
		t.Errorf("restoring identical content: saved %q, err %v", saved, err)
	}
}

func TestBackupsAndRestoreErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	envFile := filepath.Join(dir, "env")
	// A missing GOENV file is backed up as an empty one.
	b1, err := Backup(envFile, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(b1); len(data) != 0 {
		t.Errorf("backup of a missing file holds %q", data)
	}
	os.WriteFile(envFile, []byte("GOPROXY=direct\n"), 0o644)
	b2, err := Backup(envFile, time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(envFile+BackupSuffix+"garbage", nil, 0o644) // not a stamp: ignored
	list, err := Backups(envFile)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{b1, b2}, list); diff != "" {
		t.Errorf("Backups (-want +got):\n%s", diff)
	}

	binary := filepath.Join(dir, "binary")
	os.WriteFile(binary, []byte("\x7fELF\x00\x01"), 0o644)
	notEnv := filepath.Join(dir, "notenv")
	os.WriteFile(notEnv, []byte("this is a README\n"), 0o644)
	link := filepath.Join(dir, "link")
	os.Symlink(b2, link)
	for _, bad := range []string{binary, notEnv, link, filepath.Join(dir, "missing")} {
		if _, _, err := Restore(envFile, bad, time.Now()); err == nil {
			t.Errorf("Restore(%s) succeeded", filepath.Base(bad))
		}
	}
	if data, _ := os.ReadFile(envFile); string(data) != "GOPROXY=direct\n" {
		t.Errorf("a refused restore changed the GOENV file: %q", data)
	}
	if _, _, err := Restore(filepath.Join(dir, "none"), "", time.Now()); err == nil || !strings.Contains(err.Error(), "no backup") {
		t.Errorf("Restore without backups = %v", err)
	}
	if _, _, err := Restore("off", "", time.Now()); err == nil {
		t.Error("Restore with GOENV=off succeeded")
	}
	if _, err := Apply(context.Background(), &Plan{EnvFile: "off", Changes: []Change{{Key: "GOPROXY"}}}, nil, time.Now()); err == nil {
		t.Error("Apply with GOENV=off succeeded")
	}
}

func FuzzCheckEnvFile(f *testing.F) {
	f.Add([]byte("GOPROXY=https://proxy.golang.org,direct\n# c\n\nGOSUMDB=off\n"))
	f.Add([]byte("\x00\x01"))
	f.Add([]byte("KEY\n"))
	f.Add([]byte("\xff=1"))
	f.Add([]byte(" A_1 = x=y \r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if checkEnvFile(data) != nil {
			return
		}
		// Whatever passes must read back as the go command reads it.
		dir := t.TempDir()
		p := filepath.Join(dir, "env")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		if _, err := goenv.ReadEnvFile(p); err != nil {
			t.Fatalf("accepted content does not read back: %v", err)
		}
	})
}

func FuzzMergePatterns(f *testing.F) {
	f.Add("*.corp.example.com,corp.internal", "git.corp.example.com")
	f.Add("", "a.example")
	f.Add(" , ,x", "x")
	f.Add("[", "[")
	f.Fuzz(func(t *testing.T, list, add string) {
		merged, added := mergePatterns(list, []string{add})
		got := splitPatterns(merged)
		for _, p := range splitPatterns(list) {
			if !slices.Contains(got, p) {
				t.Fatalf("existing pattern %q dropped from %q", p, merged)
			}
		}
		for _, p := range added {
			if !slices.Contains(got, p) {
				t.Fatalf("added pattern %q missing from %q", p, merged)
			}
		}
	})
}

// FuzzCheckProxy: any --proxy value is accepted or refused with an error
// that never shows a password.
func FuzzCheckProxy(f *testing.F) {
	f.Add("https://u:hunter2@proxy.example.com/x")
	f.Add("http://u:hunter2@proxy.example.com")
	f.Add("u:hunter2@proxy")
	f.Add("https://proxy.example.com,direct")
	f.Fuzz(func(t *testing.T, raw string) {
		err := checkProxy(raw, false)
		if err == nil {
			return
		}
		if u, perr := url.Parse(raw); perr == nil && u.User != nil {
			if pw, ok := u.User.Password(); ok && len(pw) >= 4 && strings.Contains(err.Error(), pw) && !strings.Contains(secret.Redact(raw), pw) {
				t.Fatalf("error shows the password: %v", err)
			}
		}
	})
}
