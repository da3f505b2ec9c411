package clean

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/testenv"
)

var host = target.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}

func other() target.Target {
	if runtime.GOARCH == "arm64" {
		return target.Target{GOOS: "linux", GOARCH: "amd64"}
	}
	return target.Target{GOOS: "linux", GOARCH: "arm64"}
}

var windows = target.Target{GOOS: "windows", GOARCH: "amd64"}

// binaries are real Go programs built once per test binary, by target.
var (
	buildOnce sync.Once
	built     map[target.Target][]byte
	buildErr  error
)

func goBinary(t *testing.T, tg target.Target) []byte {
	t.Helper()
	buildOnce.Do(func() {
		built = map[target.Target][]byte{}
		dir, err := os.MkdirTemp("", "clean-build-")
		if err != nil {
			buildErr = err
			return
		}
		defer os.RemoveAll(dir)
		os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hello\n\ngo 1.21\n"), 0o644)
		os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() { println(\"hi\") }\n"), 0o644)
		for _, bt := range []target.Target{host, other(), windows} {
			out := filepath.Join(dir, bt.DirName())
			cmd := exec.Command("go", "build", "-trimpath", "-o", out, ".")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local", "GOOS="+bt.GOOS, "GOARCH="+bt.GOARCH)
			if msg, err := cmd.CombinedOutput(); err != nil {
				buildErr = errors.New(string(msg))
				return
			}
			built[bt], _ = os.ReadFile(out)
		}
	})
	if buildErr != nil {
		t.Skipf("cannot build test binaries: %v", buildErr)
	}
	return built[tg]
}

func write(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o755); err != nil {
		t.Fatal(err)
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// module lays out a module root with outputs, strays, keepers and traps,
// and an outside directory the traps point at.
type module struct {
	root, outside string
	environ       []string
	goEnv         *goenv.Env
}

func newModule(t *testing.T) *module {
	t.Helper()
	base := t.TempDir()
	m := &module{root: filepath.Join(base, "mod"), outside: filepath.Join(base, "outside")}
	write(t, filepath.Join(m.root, "go.mod"), []byte("module example.com/m\n\ngo 1.21\n"))
	write(t, filepath.Join(m.root, "main.go"), []byte("package main\n\nfunc main() {}\n"))
	write(t, filepath.Join(m.root, "dist", other().DirName(), "app"), goBinary(t, other()))
	write(t, filepath.Join(m.root, "dist", windows.DirName(), "app.exe"), goBinary(t, windows))
	// Strays, named to fool any rule by name: the format decides.
	write(t, filepath.Join(m.root, "bin", "README"), goBinary(t, other()))
	write(t, filepath.Join(m.root, "tool.txt"), goBinary(t, windows))
	// Keepers: a host binary, a text file named like a binary, fixtures.
	write(t, filepath.Join(m.root, "app"), goBinary(t, host))
	write(t, filepath.Join(m.root, "app-linux-arm64.exe"), []byte("not a binary\n"))
	write(t, filepath.Join(m.root, "testdata", "arm64.bin"), goBinary(t, other()))
	write(t, filepath.Join(m.root, "sub", "go.mod"), []byte("module example.com/sub\n"))
	write(t, filepath.Join(m.root, "sub", "arm64"), goBinary(t, other()))
	// Traps: links from inside the root to the outside.
	write(t, filepath.Join(m.outside, "precious.txt"), []byte("keep me\n"))
	write(t, filepath.Join(m.outside, "arm64-binary"), goBinary(t, other()))
	if err := os.Symlink(m.outside, filepath.Join(m.root, "dist", "escape")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(m.outside, filepath.Join(m.root, "linked")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(m.outside, "arm64-binary"), filepath.Join(m.root, "binlink")); err != nil {
		t.Fatal(err)
	}
	if err := testenv.DisableTelemetry(filepath.Join(base, "home")); err != nil {
		t.Fatal(err)
	}
	m.environ = []string{"HOME=" + filepath.Join(base, "home"), "XDG_CONFIG_HOME=" + filepath.Join(base, "home", ".config"), "PATH=" + os.Getenv("PATH")}
	m.goEnv = &goenv.Env{Vars: map[string]string{"GOCACHE": filepath.Join(base, "gocache", "go-build"), "GOMODCACHE": filepath.Join(base, "gomodcache")}}
	return m
}

var (
	portsOnce sync.Once
	ports     []goenv.Port
)

func (m *module) opts() Options {
	portsOnce.Do(func() { ports, _ = goenv.DistList(context.Background(), os.Environ()) })
	return Options{Root: m.root, Environ: m.environ, GoEnv: m.goEnv, Host: host, Outputs: true, Ports: ports,
		Now: func() time.Time { return time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC) }}
}

func (m *module) outsideIntact(t *testing.T) {
	t.Helper()
	for _, f := range []string{"precious.txt", "arm64-binary"} {
		if !exists(filepath.Join(m.outside, f)) {
			t.Errorf("outside file %s was removed", f)
		}
	}
}

func rel(t *testing.T, root string, items []Item) []string {
	var out []string
	for _, it := range items {
		r, err := filepath.Rel(root, it.Path)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	slices.Sort(out)
	return out
}

func TestOutputs(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	res, err := Run(context.Background(), m.opts())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bin/README", "dist", "tool.txt"}
	if diff := cmp.Diff(want, rel(t, m.root, res.Items)); diff != "" {
		t.Errorf("removed (-want +got):\n%s", diff)
	}
	for _, gone := range want {
		if exists(filepath.Join(m.root, gone)) {
			t.Errorf("%s still exists", gone)
		}
	}
	for _, kept := range []string{"app", "app-linux-arm64.exe", "testdata/arm64.bin", "sub/arm64", "linked", "binlink", "main.go"} {
		if !exists(filepath.Join(m.root, kept)) {
			t.Errorf("%s was removed", kept)
		}
	}
	m.outsideIntact(t)
	if res.Bytes < int64(3*len(goBinary(t, other()))/2) {
		t.Errorf("reclaimed %d bytes, less than the binaries removed", res.Bytes)
	}
	if exists(filepath.Join(m.root, TrashName)) {
		t.Error("trash directory left behind")
	}
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	o := m.opts()
	o.DryRun = true
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"bin/README", "dist", "tool.txt"}, rel(t, m.root, res.Items)); diff != "" {
		t.Errorf("listed (-want +got):\n%s", diff)
	}
	if res.Bytes == 0 {
		t.Error("dry run counted no bytes")
	}
	for _, p := range []string{"dist", "bin/README", "tool.txt"} {
		if !exists(filepath.Join(m.root, p)) {
			t.Errorf("dry run removed %s", p)
		}
	}
	if exists(filepath.Join(m.root, "dist", matrix.LockName)) {
		t.Error("dry run left the lock file behind")
	}
}

func TestTargetFilter(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	o := m.opts()
	o.Targets = []target.Target{windows}
	cacheRoot := filepath.Join(filepath.Dir(m.goEnv.Get("GOCACHE")), "goport-matrix")
	write(t, filepath.Join(cacheRoot, "windows_amd64", "x"), []byte("cache"))
	write(t, filepath.Join(cacheRoot, "windows_amd64_cgo", "x"), []byte("cache"))
	write(t, filepath.Join(cacheRoot, other().DirName(), "x"), []byte("cache"))
	write(t, filepath.Join(cacheRoot, "Not a cache", "x"), []byte("keep"))
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"dist/windows_amd64", "tool.txt"}
	got := rel(t, m.root, res.Items)
	var inRoot []string
	caches := 0
	for _, g := range got {
		if strings.HasPrefix(g, "..") {
			caches++
			continue
		}
		inRoot = append(inRoot, g)
	}
	if diff := cmp.Diff(want, inRoot); diff != "" {
		t.Errorf("removed in the module (-want +got):\n%s", diff)
	}
	if caches != 2 || exists(filepath.Join(cacheRoot, "windows_amd64")) || !exists(filepath.Join(cacheRoot, other().DirName())) {
		t.Errorf("per-target caches: %d removed; %v", caches, got)
	}
	if !exists(filepath.Join(m.root, "dist", other().DirName(), "app")) || !exists(filepath.Join(m.root, "bin", "README")) {
		t.Error("outputs of another target were removed")
	}
	m.outsideIntact(t)
}

func TestRefusals(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	home := filepath.Join(filepath.Dir(m.root), "home")
	write(t, filepath.Join(home, "go.mod"), []byte("module home\n"))
	write(t, filepath.Join(filepath.Dir(home), "go.mod"), []byte("module above\n"))
	noMod := t.TempDir()
	linkMod := t.TempDir()
	os.Symlink(filepath.Join(m.root, "go.mod"), filepath.Join(linkMod, "go.mod"))
	for _, tt := range []struct {
		name, root string
		want       string
	}{
		{"file system root", "/", "file system root"},
		{"home", home, "home directory"},
		{"not a module", noMod, "not a module root"},
		{"go.mod is a link", linkMod, "not a module root"},
		{"above home", filepath.Dir(home), "contains the home directory"},
	} {
		o := m.opts()
		o.Root = tt.root
		if _, err := Run(context.Background(), o); !errors.Is(err, ErrUnsafe) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Run = %v, want a refusal about %q", tt.name, err, tt.want)
		}
	}
	o := m.opts()
	o.Environ = append(o.Environ, "USERPROFILE="+m.root)
	if _, err := Run(context.Background(), o); !errors.Is(err, ErrUnsafe) {
		t.Errorf("root = USERPROFILE: Run = %v, want a refusal", err)
	}
	// An output directory outside the root, reached through a link, or
	// holding sources.
	write(t, filepath.Join(m.root, "pkg", "x.go"), []byte("package pkg\n"))
	for _, out := range []string{filepath.Join(m.outside), "../outside", "linked/dist", "sub", "pkg", "."} {
		o := m.opts()
		o.OutDir = out
		if _, err := Run(context.Background(), o); !errors.Is(err, ErrUnsafe) {
			t.Errorf("OutDir %s: Run = %v, want a refusal", out, err)
		}
	}
	m.outsideIntact(t)
	for _, p := range []string{"dist", "sub/go.mod", "pkg/x.go"} {
		if !exists(filepath.Join(m.root, p)) {
			t.Errorf("a refused run removed %s", p)
		}
	}
}

func TestTrashLinkTrap(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	if err := os.Symlink(m.outside, filepath.Join(m.root, TrashName)); err != nil {
		t.Fatal(err)
	}
	if _, err := Run(context.Background(), m.opts()); !errors.Is(err, ErrUnsafe) {
		t.Fatalf("Run with a linked trash = %v, want a refusal", err)
	}
	m.outsideIntact(t)
	if entries, _ := os.ReadDir(m.outside); len(entries) != 2 {
		t.Errorf("something was moved outside: %v", entries)
	}
}

func TestMatrixLockHeld(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	unlock, err := matrix.LockDir(filepath.Join(m.root, "dist"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Run(context.Background(), m.opts())
	if !errors.Is(err, matrix.ErrLocked) {
		t.Errorf("Run while a matrix holds the lock = %v", err)
	}
	if !exists(filepath.Join(m.root, "dist", other().DirName(), "app")) {
		t.Error("outputs removed under a held lock")
	}
	unlock()
	if _, err := Run(context.Background(), m.opts()); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}

// TestInterrupted: a run stopped between the rename and the delete leaves
// the directory in the trash; the next run empties it.
func TestInterrupted(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	c := &cleaner{opts: m.opts(), res: &Result{}, stamp: "20261126T120000.000000000Z"}
	trash, err := c.trash(m.root)
	if err != nil {
		t.Fatal(err)
	}
	os.Mkdir(trash, 0o700)
	// The rename alone, as a crash right after it would leave things.
	if err := os.Rename(filepath.Join(m.root, "dist"), filepath.Join(trash, "x-1-dist")); err != nil {
		t.Fatal(err)
	}
	// A link inside the leftover trash must not be followed when emptying.
	os.Symlink(m.outside, filepath.Join(trash, "x-1-dist", "escape2"))
	if exists(filepath.Join(m.root, "dist")) {
		t.Fatal("rename left dist in place")
	}
	res, err := Run(context.Background(), m.opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Leftovers) != 1 || exists(filepath.Join(trash, "x-1-dist")) {
		t.Errorf("leftover trash not emptied: %+v", res)
	}

	// Leftovers go even when there is nothing else to clean.
	write(t, filepath.Join(trash, "x-2-bin", "f"), []byte("left"))
	res, err = Run(context.Background(), m.opts())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Leftovers) != 1 || exists(trash) {
		t.Errorf("second leftover not emptied: %+v", res)
	}
	m.outsideIntact(t)
}

func TestGoClean(t *testing.T) {
	t.Parallel()
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	m := newModule(t)
	gocache, modcache := m.goEnv.Get("GOCACHE"), m.goEnv.Get("GOMODCACHE")
	write(t, filepath.Join(gocache, "00", "0123-a"), make([]byte, 4096))
	write(t, filepath.Join(modcache, "example.com", "x@v1.0.0", "x.go"), make([]byte, 1000))
	o := m.opts()
	o.Outputs, o.Cache, o.ModCache, o.TestCache = false, true, true, true
	o.Environ = append(o.Environ, "GOCACHE="+gocache, "GOMODCACHE="+modcache, "GOFLAGS=", "GOENV=off")
	o.GoEnv.GoBinary = gobin

	o.DryRun = true
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Bytes != 4096+1000 || !exists(filepath.Join(gocache, "00", "0123-a")) {
		t.Errorf("dry run: %+v", res)
	}
	o.DryRun = false
	res, err = Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if res.Bytes != 4096+1000 {
		t.Errorf("reclaimed %d bytes, want %d: %+v", res.Bytes, 4096+1000, res.Items)
	}
	if exists(filepath.Join(gocache, "00", "0123-a")) || exists(modcache) {
		t.Error("go clean left the caches")
	}
	if !exists(filepath.Join(m.root, "dist")) {
		t.Error("cache cleaning removed outputs")
	}
}

// TestCacheRootNames: every per-target cache goes, anything else below a
// cache root stays, and a cache root at or above HOME is refused.
func TestCacheRootNames(t *testing.T) {
	t.Parallel()
	m := newModule(t)
	root := t.TempDir()
	for _, name := range []string{"linux_amd64", "linux_arm_7-softfloat_cgo", "windows_arm64_cgo"} {
		write(t, filepath.Join(root, name, "x"), []byte("cache"))
	}
	for _, name := range []string{"Documents", "notes_2026", ".hidden"} {
		write(t, filepath.Join(root, name, "x"), []byte("keep"))
	}
	o := m.opts()
	o.CacheRoot = root
	res, err := Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	var caches []string
	for _, it := range res.Items {
		if it.Kind == "per-target cache" {
			caches = append(caches, filepath.Base(it.Path))
		}
	}
	slices.Sort(caches)
	if diff := cmp.Diff([]string{"linux_amd64", "linux_arm_7-softfloat_cgo", "windows_arm64_cgo"}, caches); diff != "" {
		t.Errorf("removed caches (-want +got):\n%s", diff)
	}
	for _, name := range []string{"Documents", "notes_2026", ".hidden"} {
		if !exists(filepath.Join(root, name, "x")) {
			t.Errorf("%s removed", name)
		}
	}
	o = m.opts()
	o.CacheRoot = filepath.Dir(m.root) // holds the test's HOME
	os.MkdirAll(filepath.Join(o.CacheRoot, "home"), 0o755)
	if _, err := Run(context.Background(), o); !errors.Is(err, ErrUnsafe) {
		t.Errorf("cache root above HOME: %v", err)
	}
}
