package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/target"
)

func TestDefault(t *testing.T) {
	t.Parallel()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	tr := true
	want := Matrix{Set: "first-class", Cgo: "auto", Out: "dist", Trimpath: &tr}
	if diff := cmp.Diff(want, c.Matrix); diff != "" {
		t.Errorf("defaults (-want +got):\n%s", diff)
	}
	// A module without goport.yaml gets the defaults.
	c2, err := Load(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(c, c2); diff != "" {
		t.Errorf("Load without a file (-Default +Load):\n%s", diff)
	}
}

func TestParseFull(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	body := `# release targets
matrix:
  targets: [linux/amd64, linux/arm/v7, windows/amd64]
  packages: [./cmd/...]
  cgo: "off"
  jobs: 3
  out: build
  ldflags: -s -w
  tags: netgo
  trimpath: false
  glibc_max: "2.31"
  isolate_cache: true
  run:
    args: [--version]
    timeout: 30s
  toolchains:
    linux/arm64: {cc: aarch64-linux-gnu-gcc, cxx: aarch64-linux-gnu-g++, pkg_config: aarch64-linux-gnu-pkg-config}
`
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := false
	want := Matrix{
		Targets:  []target.Target{{GOOS: "linux", GOARCH: "amd64"}, {GOOS: "linux", GOARCH: "arm", Variant: "7"}, {GOOS: "windows", GOARCH: "amd64"}},
		Packages: []string{"./cmd/..."}, Cgo: "off", Jobs: 3, Out: "build", LDFlags: "-s -w", Tags: "netgo",
		Trimpath: &f, GlibcMax: "2.31", IsolateCache: true, RunArgs: []string{"--version"}, RunTimeout: 30 * time.Second,
		Toolchains: map[target.Target]Toolchain{{GOOS: "linux", GOARCH: "arm64"}: {CC: "aarch64-linux-gnu-gcc", CXX: "aarch64-linux-gnu-g++", PkgConfig: "aarch64-linux-gnu-pkg-config"}},
	}
	if diff := cmp.Diff(want, c.Matrix); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if c.Path != filepath.Join(dir, FileName) {
		t.Errorf("Path = %q", c.Path)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body, want string
	}{
		{"unknown top key", "matrx:\n  cgo: on\n", "goport.yaml:1: top level: unknown key \"matrx\""},
		{"unknown matrix key", "matrix:\n  cgo: on\n  paralel: 3\n", "goport.yaml:3: matrix: unknown key \"paralel\""},
		{"duplicate key", "matrix:\n  cgo: on\n  cgo: off\n", "goport.yaml:3:"},
		{"bad target", "matrix:\n  targets:\n    - linux/amd64\n    - linux\n", "goport.yaml:4: matrix.targets: invalid target \"linux\""},
		{"bad variant", "matrix:\n  targets: [linux/amd64/v5]\n", "goport.yaml:2: matrix.targets: invalid target linux/amd64/v5: GOAMD64 must be v1, v2, v3, v4"},
		{"bad set", "matrix:\n  targets: some\n", "goport.yaml:2: matrix.targets: want first-class, all"},
		{"empty targets", "matrix:\n  targets: []\n", "goport.yaml:2: matrix.targets: empty list"},
		{"bad cgo", "matrix:\n  cgo: maybe\n", "goport.yaml:2: matrix.cgo: want auto, on or off"},
		{"bad jobs", "matrix:\n  jobs: many\n", "goport.yaml:2: matrix.jobs: want a number"},
		{"zero jobs", "matrix:\n  jobs: 0\n", "goport.yaml:2: matrix.jobs"},
		{"bad bool", "matrix:\n  trimpath: yes\n", "goport.yaml:2: matrix.trimpath: want true or false"},
		{"bad glibc", "matrix:\n  glibc_max: new\n", "goport.yaml:2: matrix.glibc_max: want a version"},
		{"bad timeout", "matrix:\n  run:\n    timeout: soon\n", "goport.yaml:3: matrix.run.timeout"},
		{"toolchain without cc", "matrix:\n  toolchains:\n    linux/arm64: {cxx: g++}\n", "goport.yaml:3: matrix.toolchains.linux/arm64: cc is required"},
		{"flag as package", "matrix:\n  packages: [-race]\n", "goport.yaml:2: matrix.packages"},
		{"null value", "matrix:\n  out:\n", "goport.yaml:2: matrix.out must be a single value"},
		{"list for scalar", "matrix:\n  out: [a, b]\n", "goport.yaml:2: matrix.out must be a single value"},
		{"not a mapping", "- a\n- b\n", "goport.yaml:1: top level must be a mapping"},
		{"syntax", "matrix:\n  cgo: [on\n", "goport.yaml:"},
		{"tab indent", "matrix:\n\tcgo: on\n", "goport.yaml:"},
		{"alias", "a: &x {cgo: on}\nmatrix: *x\n", "goport.yaml:1: top level: unknown key \"a\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("goport.yaml", []byte(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse:\n%s\nerr = %v, want containing %q", tt.body, err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestParseEmpty(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"", "# nothing\n", "\n\n"} {
		c, err := Parse("goport.yaml", []byte(body))
		if err != nil {
			t.Errorf("Parse(%q): %v", body, err)
			continue
		}
		if c.Matrix.Set != "" || c.Matrix.Targets != nil {
			t.Errorf("Parse(%q) set %+v", body, c.Matrix)
		}
	}
	if _, err := Parse("goport.yaml", make([]byte, maxSize+1)); err == nil {
		t.Error("Parse accepted a file over the size limit")
	}
}

func TestLoadUnreadable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, FileName), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil {
		t.Error("Load of a directory named goport.yaml succeeded")
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte("matrix:\n  targets: [linux/amd64]\n  cgo: auto\n"))
	f.Add([]byte("matrix:\n  toolchains:\n    linux/arm64: {cc: gcc}\n"))
	f.Add([]byte("matrix:\n  run: {args: [a], timeout: 1s}\n"))
	f.Add([]byte("a: &a [*a]\n"))
	f.Add([]byte("\xff\xfe"))
	f.Add([]byte("matrix: {targets: first-class, jobs: 2}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse("goport.yaml", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			if !strings.HasPrefix(err.Error(), "goport.yaml") {
				t.Fatalf("error does not name the file: %q", err)
			}
			return
		}
		for _, tg := range c.Matrix.Targets {
			if err := tg.Validate(); err != nil {
				t.Fatalf("accepted invalid target: %v", err)
			}
		}
		if c.Matrix.Cgo != "" && c.Matrix.Cgo != "auto" && c.Matrix.Cgo != "on" && c.Matrix.Cgo != "off" {
			t.Fatalf("accepted cgo %q", c.Matrix.Cgo)
		}
	})
}
