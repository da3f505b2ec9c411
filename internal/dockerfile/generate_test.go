package dockerfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/testenv"
)

// goldenSpecs are the Dockerfiles init can write: with and without cgo,
// for each final image.
func goldenSpecs() map[string]Spec {
	specs := map[string]Spec{}
	for _, cgo := range []bool{false, true} {
		for _, base := range []Base{BaseStatic, BaseDistroless, BaseAlpine, BaseScratch} {
			name := "nocgo-" + string(base)
			if cgo {
				name = "cgo-" + string(base)
			}
			specs[name] = Spec{GoVersion: "1.26.8", Package: "./cmd/app", Binary: "app", Cgo: cgo, Base: base, GoSum: true}
		}
	}
	specs["nocgo-default-nosum"] = Spec{GoVersion: "1.22", Package: ".", Binary: "tool"}
	return specs
}

// TestRenderGolden compares each generated Dockerfile with its golden
// copy byte for byte; GOPORT_UPDATE=1 rewrites them.
func TestRenderGolden(t *testing.T) {
	t.Parallel()
	for name, spec := range goldenSpecs() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			df, _ := Render(spec)
			golden(t, filepath.Join("testdata", "init", name+".Dockerfile"), df)
		})
	}
	_, ignore := Render(Spec{GoVersion: "1.26.8", Package: ".", Binary: "app"})
	golden(t, filepath.Join("testdata", "init", "dockerignore"), ignore)
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("GOPORT_UPDATE") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (GOPORT_UPDATE=1 go test ./internal/dockerfile/ writes it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; GOPORT_UPDATE=1 rewrites it):\n%s", path, diff)
	}
}

// TestGeneratedLintsClean: every Dockerfile init writes passes goport's
// rules and BuildKit's parse-time checks, against the go.mod it was made
// for.
func TestGeneratedLintsClean(t *testing.T) {
	t.Parallel()
	for name, spec := range goldenSpecs() {
		df, _ := Render(spec)
		findings, err := Lint(df, LintOptions{GoMod: &GoMod{Path: "go.mod", Go: spec.GoVersion}})
		if err != nil {
			t.Errorf("%s: %v", name, err)
		}
		for _, f := range findings {
			t.Errorf("%s: %s %s:%d %s", name, f.Rule, f.Location().Path, f.Location().Line, f.Message)
		}
	}
}

// TestRenderShape spells out the properties the spec asks of every
// generated Dockerfile, so a golden update cannot silently drop one.
func TestRenderShape(t *testing.T) {
	t.Parallel()
	for name, spec := range goldenSpecs() {
		df, _ := Render(spec)
		text := string(df)
		must := []string{
			"FROM --platform=$BUILDPLATFORM golang:" + spec.GoVersion + "-",
			"--mount=type=cache,target=/go/pkg/mod",
			"--mount=type=cache,target=/root/.cache/go-build",
			"go mod download",
			"build -trimpath",
			"USER 65532:65532",
			`ENTRYPOINT ["/usr/local/bin/` + spec.Binary + `"]`,
		}
		if spec.Cgo {
			must = append(must, "tonistiigi/xx", "COPY --from=xx / /", "xx-go build", "xx-verify", "CGO_ENABLED=1", "ARG TARGETPLATFORM")
		} else {
			must = append(must, "ARG TARGETOS TARGETARCH TARGETVARIANT", "CGO_ENABLED=0", "GOARM=${TARGETVARIANT#v}")
		}
		for _, m := range must {
			if !strings.Contains(text, m) {
				t.Errorf("%s lacks %q", name, m)
			}
		}
		// go.mod (and go.sum) are copied, and modules downloaded, before
		// the source.
		if d, src := strings.Index(text, "go mod download"), strings.Index(text, "COPY . ."); d < 0 || src < d {
			t.Errorf("%s: go mod download at %d, COPY . . at %d", name, d, src)
		}
	}
}

func TestWantVersion(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ goLine, toolchain, want string }{
		{"1.26.8", "", "1.26.8"},
		{"1.26", "", "1.26"},
		{"1.26.0", "go1.26.8", "1.26.8"},
		{"1.26.8", "go1.26.1", "1.26.8"},
		{"1.25", "go1.26.8+custom", "1.26.8"},
		{"1.16", "", "1.21"},
		{"", "", "1.21"},
		{"1.27rc1", "", "1.27rc1"},
	} {
		m := &GoMod{Go: tc.goLine, Toolchain: tc.toolchain}
		if got := m.Want(); got != tc.want {
			t.Errorf("go %q toolchain %q: Want() = %q, want %q", tc.goLine, tc.toolchain, got, tc.want)
		}
	}
}

// module writes a module into a temporary directory.
func module(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := testenv.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

func goEnviron(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	if err := testenv.DisableTelemetry(home); err != nil {
		t.Fatal(err)
	}
	return []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "GOCACHE=" + goCache(t),
		"GOFLAGS=", "GOTOOLCHAIN=local", "GOPROXY=off", "GOENV=off", "GOPATH=" + filepath.Join(home, "go"),
	}
}

func goCache(t *testing.T) string {
	if c := os.Getenv("GOCACHE"); c != "" {
		return c
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return t.TempDir()
	}
	return filepath.Join(dir, "go-build")
}

const mainGo = "package main\n\nfunc main() {}\n"

// TestPlan runs the real go command over real modules.
func TestPlan(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		files   map[string]string
		dir     string // where Plan starts, under the module
		pkg     string
		cgo     bool
		want    Spec
		wantErr string
	}{
		{
			name:  "single main at root",
			files: map[string]string{"go.mod": "module example.com/hello\n\ngo 1.26.8\n", "main.go": mainGo},
			want:  Spec{GoVersion: "1.26.8", Package: ".", Binary: "hello"},
		},
		{
			name: "toolchain line wins, main in cmd, started in a subdirectory",
			files: map[string]string{
				"go.mod": "module example.com/svc/v2\n\ngo 1.25.0\n\ntoolchain go1.26.8\n", "go.sum": "",
				"cmd/server/main.go": mainGo, "internal/lib/lib.go": "package lib\n",
			},
			dir:  "internal/lib",
			want: Spec{GoVersion: "1.26.8", Package: "./cmd/server", Binary: "server", GoSum: true},
		},
		{
			name:  "module path with major version names the binary after the module",
			files: map[string]string{"go.mod": "module example.com/tool/v3\n\ngo 1.26\n", "main.go": mainGo},
			want:  Spec{GoVersion: "1.26", Package: ".", Binary: "tool"},
		},
		{
			name: "several mains",
			files: map[string]string{
				"go.mod": "module example.com/m\n\ngo 1.26\n", "cmd/a/main.go": mainGo, "cmd/b/main.go": mainGo,
			},
			wantErr: "2 main packages; name one: ./cmd/a, ./cmd/b",
		},
		{
			name: "several mains, one named",
			files: map[string]string{
				"go.mod": "module example.com/m\n\ngo 1.26\n", "cmd/a/main.go": mainGo, "cmd/b/main.go": mainGo,
			},
			pkg:  "./cmd/b",
			want: Spec{GoVersion: "1.26", Package: "./cmd/b", Binary: "b"},
		},
		{
			name:    "no main",
			files:   map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n", "lib.go": "package m\n"},
			wantErr: "no main package",
		},
		{
			name:    "named package is not main",
			files:   map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n", "lib.go": "package m\n", "cmd/x/main.go": mainGo},
			pkg:     ".",
			wantErr: "is package m, not a main package",
		},
		{
			name: "cgo in a dependency package is detected",
			files: map[string]string{
				"go.mod":     "module example.com/c\n\ngo 1.26\n",
				"main.go":    "package main\n\nimport _ \"example.com/c/cz\"\n\nfunc main() {}\n",
				"cz/cz.go":   "package cz\n\n// int two(void) { return 2; }\nimport \"C\"\n\nvar Two = C.two()\n",
				"cz/doc.go":  "package cz\n",
				"cz/stub.go": "//go:build !cgo\n\npackage cz\n\nvar Two = 2\n",
			},
			want: Spec{GoVersion: "1.26", Package: ".", Binary: "c", Cgo: true},
		},
		{
			name:  "net alone does not need cgo",
			files: map[string]string{"go.mod": "module example.com/n\n\ngo 1.26\n", "main.go": "package main\n\nimport \"net\"\n\nvar _ = net.Dial\n\nfunc main() {}\n"},
			want:  Spec{GoVersion: "1.26", Package: ".", Binary: "n"},
		},
		{
			name:  "--cgo forces it",
			files: map[string]string{"go.mod": "module example.com/f\n\ngo 1.26\n", "main.go": mainGo},
			cgo:   true,
			want:  Spec{GoVersion: "1.26", Package: ".", Binary: "f", Cgo: true},
		},
		{
			name:    "not a module",
			files:   map[string]string{"main.go": mainGo},
			wantErr: "not inside a module",
		},
		{
			name:    "no such package",
			files:   map[string]string{"go.mod": "module example.com/m\n\ngo 1.26\n", "main.go": mainGo},
			pkg:     "./nowhere",
			wantErr: "go list:",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := module(t, tc.files)
			root, _ = filepath.EvalSymlinks(root)
			gotRoot, spec, err := Plan(context.Background(), InitOptions{
				Dir: filepath.Join(root, tc.dir), Package: tc.pkg, Cgo: tc.cgo, Environ: goEnviron(t),
			})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Plan error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if gotRoot != root {
				t.Errorf("root = %s, want %s", gotRoot, root)
			}
			if diff := cmp.Diff(tc.want, spec); diff != "" {
				t.Errorf("spec (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := []File{{"Dockerfile", []byte("FROM scratch\n")}, {".dockerignore", []byte(".git\n")}}
	written, err := Write(dir, files, false)
	if err != nil || len(written) != 2 {
		t.Fatalf("Write = %v, %v", written, err)
	}
	// A second write without force changes nothing, even when only one
	// of the files exists.
	if err := os.Remove(filepath.Join(dir, ".dockerignore")); err != nil {
		t.Fatal(err)
	}
	_, err = Write(dir, []File{{"Dockerfile", []byte("changed\n")}, {".dockerignore", []byte("changed\n")}}, false)
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "Dockerfile") {
		t.Fatalf("Write over an existing Dockerfile: %v, want ErrExists", err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf(".dockerignore written although the Dockerfile exists: %v", err)
	}
	if _, err := Write(dir, []File{{"Dockerfile", []byte("changed\n")}}, true); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "Dockerfile")); string(data) != "changed\n" {
		t.Errorf("forced write left %q", data)
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file %s left behind", e.Name())
		}
	}
	// A directory cannot be written over.
	if _, err := Write(filepath.Join(dir, "missing"), files, false); err == nil {
		t.Error("Write into a missing directory succeeded")
	}
}

// TestDockerignoreKeepsHistoryOut: every goport run adds a file to the
// module's run history; in the build context it would change COPY . . and
// rebuild the image after each doctor or matrix run.
func TestDockerignoreKeepsHistoryOut(t *testing.T) {
	t.Parallel()
	_, ignore := Render(Spec{GoVersion: "1.26.8", Package: ".", Binary: "app"})
	top, _, _ := strings.Cut(filepath.ToSlash(history.Dir), "/")
	if !slices.Contains(strings.Split(string(ignore), "\n"), top) {
		t.Errorf(".dockerignore lacks %s:\n%s", top, ignore)
	}
}

// TestPlanDownloadError: the go command prints "go: downloading M V"
// before the error that says why the download failed; the error is what
// Plan must report.
func TestPlanDownloadError(t *testing.T) {
	t.Parallel()
	root := module(t, map[string]string{
		"go.mod":  "module example.com/m\n\ngo 1.26\n\nrequire example.org/absent v1.0.0\n",
		"main.go": "package main\n\nimport _ \"example.org/absent\"\n\nfunc main() {}\n",
	})
	var environ []string
	for _, kv := range goEnviron(t) {
		if !strings.HasPrefix(kv, "GOPROXY=") && !strings.HasPrefix(kv, "GOFLAGS=") {
			environ = append(environ, kv)
		}
	}
	// Nothing listens on the discard port: the download fails at once.
	environ = append(environ, "GOPROXY=http://127.0.0.1:9", "GOFLAGS=-mod=mod", "GOSUMDB=off", "GOMODCACHE="+t.TempDir())
	_, _, err := Plan(context.Background(), InitOptions{Dir: root, Environ: environ})
	if err == nil {
		t.Fatal("Plan succeeded")
	}
	if strings.Contains(err.Error(), "downloading") || !strings.Contains(err.Error(), "example.org/absent@v1.0.0") {
		t.Errorf("Plan error = %q, want the go command's reason for example.org/absent@v1.0.0", err)
	}
}

// TestWriteOntoDirectory: --force replaces files, never a directory, and
// says so in the user's terms; nothing is written.
func TestWriteOntoDirectory(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "Dockerfile"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Write(dir, []File{{".dockerignore", []byte(".git\n")}, {"Dockerfile", []byte("FROM scratch\n")}}, true)
	if err == nil || err.Error() != "Dockerfile: is a directory" {
		t.Errorf("Write error = %v, want %q", err, "Dockerfile: is a directory")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// TestPlanReplaceOutsideModule: a replace directive pointing outside the
// module root names a directory that "docker build ." does not send, so
// go mod download in the image fails; Plan lists such replacements. One
// inside the module is in the context and is fine.
func TestPlanReplaceOutsideModule(t *testing.T) {
	t.Parallel()
	top := module(t, map[string]string{
		"lib/go.mod":                "module example.com/lib\n\ngo 1.26\n",
		"lib/lib.go":                "package lib\n\nconst X = 1\n",
		"app/go.mod":                "module example.com/app\n\ngo 1.26\n\nrequire (\n\texample.com/lib v0.0.0\n\texample.com/in v0.0.0\n)\n\nreplace example.com/lib => ../lib\n\nreplace example.com/in => ./third_party/in\n",
		"app/third_party/in/go.mod": "module example.com/in\n\ngo 1.26\n",
		"app/third_party/in/in.go":  "package in\n\nconst Y = 2\n",
		"app/main.go":               "package main\n\nimport (\n\t\"example.com/in\"\n\t\"example.com/lib\"\n)\n\nfunc main() { _, _ = lib.X, in.Y }\n",
	})
	_, spec, err := Plan(context.Background(), InitOptions{Dir: filepath.Join(top, "app"), Environ: goEnviron(t)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"example.com/lib => ../lib"}, spec.OutsideReplaces); diff != "" {
		t.Errorf("OutsideReplaces (-want +got):\n%s", diff)
	}
}
