package doctor

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

// aFile creates a regular file: a directory "under" it cannot be created by
// anyone, root included (ENOTDIR).
func aFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(p, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCacheDirsUnusable(t *testing.T) {
	t.Parallel()
	file := aFile(t)
	for _, tc := range []struct {
		name    string
		env     []string
		key     string
		msg     string
		goSays  string // what the real go command prints; "" to skip
		goFails bool
	}{
		{"GOCACHE under a file", []string{"GOCACHE=" + file + "/go-build"}, "GOCACHE",
			"GOCACHE=" + file + "/go-build is not writable (" + file + " is a file, not a directory)",
			"failed to initialize build cache at " + file + "/go-build", true},
		{"GOCACHE relative", []string{"GOCACHE=.cache/go-build"}, "GOCACHE",
			"GOCACHE=.cache/go-build is a relative path",
			"GOCACHE is not an absolute path", true},
		{"GOCACHE off", []string{"GOCACHE=off"}, "GOCACHE",
			"GOCACHE=off disables the build cache",
			"build cache is disabled by GOCACHE=off, but required as of Go 1.12", true},
		{"GOPATH relative", []string{"GOPATH=go"}, "GOPATH",
			`GOPATH entry "go" is relative`,
			`go: GOPATH entry is relative; must be absolute path: "go".`, true},
		{"GOPATH second entry relative", []string{"GOPATH=/tmp/gopath" + string(os.PathListSeparator) + "rel"}, "GOPATH",
			`GOPATH entry "rel" is relative`,
			`GOPATH entry is relative; must be absolute path: "rel"`, true},
		{"GOMODCACHE relative", []string{"GOMODCACHE=mod"}, "GOMODCACHE",
			"GOMODCACHE=mod is a relative path", "", false},
		{"GOMODCACHE under a file", []string{"GOMODCACHE=" + file + "/mod"}, "GOMODCACHE",
			"GOMODCACHE=" + file + "/mod is not writable", "", false},
		{"GOPATH under a file", []string{"GOPATH=" + file + "/go", "GOMODCACHE=" + t.TempDir()}, "GOPATH",
			"GOPATH=" + file + "/go is not writable", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := gather(t, healthyModule(t), withEnv(healthyEnv(t), tc.env...))
			f := oneFinding(t, findingsOf(t, c, "GP-CACHE-001"))
			mustContain(t, "message", f.Message, tc.msg)
			if !strings.HasPrefix(f.Evidence[0].Text, tc.key+"=") || !strings.Contains(f.Fix, tc.key+"=") {
				t.Errorf("evidence %+v, fix %q", f.Evidence, f.Fix)
			}
			if tc.goSays == "" {
				return
			}
			out, err := realGoIn(t, c.Dir, c.Environ, "build", "-o", os.DevNull, ".")
			if (err != nil) != tc.goFails {
				t.Errorf("go build error %v, want failure %v:\n%s", err, tc.goFails, out)
			}
			mustContain(t, "go build output", out, tc.goSays)
		})
	}
}

func TestCacheDirsReadOnly(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("root can write to read-only directories")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(dir, 0o755) })
	c := gather(t, healthyModule(t), withEnv(healthyEnv(t), "GOMODCACHE="+filepath.Join(dir, "mod")))
	f := oneFinding(t, findingsOf(t, c, "GP-CACHE-001"))
	mustContain(t, "message", f.Message, "permission denied")
}

func TestCacheDirsNoHome(t *testing.T) {
	t.Parallel()
	var env []string
	for _, kv := range healthyEnv(t) {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOME", "XDG_CONFIG_HOME", "GOCACHE", "GOPATH", "GOMODCACHE":
		default:
			env = append(env, kv)
		}
	}
	// No HOME and no GOCACHE: `go env` itself fails, so the location is
	// derived the way the go command derives it.
	c := gather(t, healthyModule(t), env)
	fs := findingsOf(t, c, "GP-CACHE-001")
	if len(fs) != 2 {
		t.Fatalf("got %d findings, want GOCACHE and GOMODCACHE: %+v", len(fs), fs)
	}
	mustContain(t, "message", fs[0].Message, "GOCACHE has no location", "neither $XDG_CACHE_HOME nor $HOME are defined")
	mustContain(t, "message", fs[1].Message, "GOMODCACHE has no location", "neither GOMODCACHE nor GOPATH is set")
	out, err := realGoIn(t, c.Dir, c.Environ, "build", "-o", os.DevNull, ".")
	if err == nil {
		t.Fatal("go build succeeded without HOME")
	}
	mustContain(t, "go build output", out, "neither $XDG_CACHE_HOME nor $HOME are defined")

	// With GOCACHE set, the go command runs and reports the missing module cache.
	c = gather(t, healthyModule(t), withEnv(env, "GOCACHE="+t.TempDir()))
	f := oneFinding(t, findingsOf(t, c, "GP-CACHE-001"))
	mustContain(t, "message", f.Message, "GOMODCACHE has no location")
}

func TestCacheDirsHealthy(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	// GOMODCACHE and GOPATH do not exist yet: the go command creates them.
	home, _ := goenv.Getenv(env, "HOME")
	c := gather(t, healthyModule(t), env)
	if fs := findingsOf(t, c, "GP-CACHE-001"); len(fs) != 0 {
		t.Errorf("unexpected findings: %+v", fs)
	}
	err := filepath.WalkDir(home, func(path string, d os.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), ".goport-write-test") {
			t.Errorf("the check left %s behind", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCacheLowSpace(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t) // GOCACHE, GOMODCACHE and GOPATH share one filesystem
	c := gather(t, healthyModule(t), env)
	if _, _, ok := freeSpace(c.Root); !ok {
		t.Skip("free space is not measured on this system")
	}
	fs, err := Run(c, []Check{cacheSpaceCheck(1 << 62)})
	if err != nil {
		t.Fatal(err)
	}
	f := oneFinding(t, fs)
	gocache, _ := goenv.Getenv(env, "GOCACHE")
	mustContain(t, "message", f.Message, "GOCACHE="+gocache+" is on a filesystem with only ", "(under 4294967296.0 GiB)")
	if f.Rule != "GP-CACHE-002" || f.Severity != finding.Warning {
		t.Errorf("finding = %+v", f)
	}
	// The real threshold: the test machine has more than 1 GiB free.
	if fs := findingsOf(t, c, "GP-CACHE-002"); len(fs) != 0 {
		t.Logf("low space on the test machine: %+v", fs)
	}
	fs, _ = Run(c, []Check{cacheSpaceCheck(1)})
	if len(fs) != 0 {
		t.Errorf("threshold 1 byte: %+v", fs)
	}
}

func TestFormatBytes(t *testing.T) {
	t.Parallel()
	for n, want := range map[uint64]string{0: "0 B", 1023: "1023 B", 1536: "1.5 KiB", 300 << 20: "300.0 MiB", 1 << 30: "1.0 GiB"} {
		if got := formatBytes(n); got != want {
			t.Errorf("formatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestModuleInGopathSrc(t *testing.T) {
	t.Parallel()
	gopath := t.TempDir()
	for _, tc := range []struct {
		name, dir, modPath, go111 string
		severity                  finding.Severity
		msg                       string
	}{
		{"matching path", "src/example.com/hello", "example.com/hello", "", finding.Info, `import path "example.com/hello"`},
		{"path differs", "src/github.com/acme/orders", "example.com/orders", "", finding.Warning, "which does not match the module path example.com/orders"},
		{"GO111MODULE=auto", "src/example.com/auto", "example.com/auto", "auto", finding.Warning, "GO111MODULE=auto puts the go command itself in GOPATH mode"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := filepath.Join(gopath, filepath.FromSlash(tc.dir))
			if err := os.MkdirAll(root, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module "+tc.modPath+"\n\ngo 1.26\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			env := withEnv(healthyEnv(t), "GOPATH="+gopath)
			if tc.go111 != "" {
				env = withEnv(env, "GO111MODULE="+tc.go111)
			}
			f := oneFinding(t, findingsOf(t, gather(t, root, env), "GP-CACHE-003"))
			mustContain(t, "message", f.Message, "module "+tc.modPath+" is inside GOPATH/src", tc.msg)
			if f.Severity != tc.severity || f.Evidence[0].Text != "GOPATH="+gopath+" (environment)" {
				t.Errorf("finding = %+v", f)
			}
		})
	}
	// Outside GOPATH/src (even inside GOPATH) there is nothing to report.
	for _, dir := range []string{"pkg/mod/example.com/x@v1.0.0", "elsewhere"} {
		root := filepath.Join(gopath, dir)
		if err := os.MkdirAll(root, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module example.com/x\n\ngo 1.26\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if fs := findingsOf(t, gather(t, root, withEnv(healthyEnv(t), "GOPATH="+gopath)), "GP-CACHE-003"); len(fs) != 0 {
			t.Errorf("%s: %+v", dir, fs)
		}
	}
}

// TestCacheGopathBrokenOnce: a GOMODCACHE derived from a broken GOPATH is
// the same problem, reported once.
func TestCacheGopathBrokenOnce(t *testing.T) {
	t.Parallel()
	file := aFile(t)
	var env []string
	for _, kv := range withEnv(healthyEnv(t), "GOPATH="+file+"/go") {
		if !strings.HasPrefix(kv, "GOMODCACHE=") {
			env = append(env, kv)
		}
	}
	c := gather(t, healthyModule(t), env)
	if got := c.Go.Get("GOMODCACHE"); got != file+"/go/pkg/mod" {
		t.Fatalf("go env GOMODCACHE = %q", got)
	}
	f := oneFinding(t, findingsOf(t, c, "GP-CACHE-001"))
	mustContain(t, "message", f.Message, "GOPATH="+file+"/go is not writable")
}
