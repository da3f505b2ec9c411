package binfile

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// Fixtures are real binaries built at test time, once per test binary,
// into a temporary directory that TestMain removes.
var fixtureDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "binfile-fixtures-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fixtureDir = dir
	fixtures = newFixtures()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

const helloGo = `package main

import (
	"fmt"

	"example.com/dep"
)

func main() { fmt.Println("hello", dep.Name) }
`

const cgoGo = `package main

/*
static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

//export GoAdd
func GoAdd(a, b C.int) C.int { return C.add(a, b) }

func main() { fmt.Println(GoAdd(1, 2)) }
`

// writeModules lays out the sources: a main module example.com/hello that
// requires example.com/dep v1.2.3 through a local replacement (so build
// info lists a dependency and a replacement without the network), and a
// cgo module example.com/cgohello.
var writeModules = sync.OnceValue(func() error {
	files := map[string]string{
		"hello/go.mod":  "module example.com/hello\n\ngo 1.26\n\nrequire example.com/dep v1.2.3\n\nreplace example.com/dep v1.2.3 => ../dep\n",
		"hello/main.go": helloGo,
		"dep/go.mod":    "module example.com/dep\n\ngo 1.26\n",
		"dep/dep.go":    "package dep\n\nconst Name = \"dep\"\n",
		"cgo/go.mod":    "module example.com/cgohello\n\ngo 1.26\n",
		"cgo/main.go":   cgoGo,
		"c/dll.c":       "__declspec(dllexport) int foo(int x) { return x + 1; }\n__declspec(dllexport) int counter = 3;\n",
		"c/hello.c":     "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
		"cpp/lib.cc":    "#include <string>\nnamespace ns { std::string greet(const std::string& who) { return \"hi \" + who; } std::string name(int n) { return std::to_string(n); } int twice(int x) { return 2 * x; } }\n",
	}
	if err := os.MkdirAll(filepath.Join(fixtureDir, "out"), 0o755); err != nil {
		return err
	}
	for name, body := range files {
		p := filepath.Join(fixtureDir, "src", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return err
		}
	}
	return nil
})

// fixture describes one binary to build.
type fixture struct {
	name string
	// module is "hello" or "cgo"; empty for fixtures built by make.
	module string
	env    []string
	args   []string
	// make builds the file itself (C compilers, post-processing).
	make func(t testing.TB, out string)

	once sync.Once
	path string
	err  error
}

// crossEnv is the environment of a pure-Go cross build.
func crossEnv(goos, goarch string, extra ...string) []string {
	return append([]string{"CGO_ENABLED=0", "GOOS=" + goos, "GOARCH=" + goarch}, extra...)
}

// fixtures is set once by TestMain, before any test runs.
var fixtures map[string]*fixture

func newFixtures() map[string]*fixture {
	m := map[string]*fixture{}
	addFixture := func(f *fixture) { m[f.name] = f }
	for _, c := range []struct{ goos, goarch string }{
		{"linux", "amd64"}, {"linux", "arm64"}, {"linux", "386"}, {"linux", "riscv64"},
		{"linux", "ppc64le"}, {"linux", "ppc64"}, {"linux", "s390x"}, {"linux", "mips64le"},
		{"linux", "mips64"}, {"linux", "mips"}, {"linux", "mipsle"}, {"linux", "loong64"},
		{"darwin", "amd64"}, {"darwin", "arm64"}, {"windows", "amd64"}, {"windows", "arm64"},
		{"windows", "386"}, {"freebsd", "amd64"}, {"js", "wasm"}, {"wasip1", "wasm"},
		{"openbsd", "arm64"}, {"netbsd", "amd64"}, {"solaris", "amd64"}, {"aix", "ppc64"},
		{"plan9", "amd64"}, {"plan9", "386"}, {"plan9", "arm"},
	} {
		addFixture(&fixture{name: c.goos + "-" + c.goarch, module: "hello", env: crossEnv(c.goos, c.goarch)})
	}
	addFixture(&fixture{name: "linux-arm-6", module: "hello", env: crossEnv("linux", "arm", "GOARM=6")})
	addFixture(&fixture{name: "linux-arm-7", module: "hello", env: crossEnv("linux", "arm", "GOARM=7")})
	addFixture(&fixture{name: "linux-amd64-v3", module: "hello", env: crossEnv("linux", "amd64", "GOAMD64=v3")})
	addFixture(&fixture{name: "linux-amd64-sw", module: "hello", env: crossEnv("linux", "amd64"), args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "linux-amd64-trimpath", module: "hello", env: crossEnv("linux", "amd64"), args: []string{"-trimpath"}})
	addFixture(&fixture{name: "linux-amd64-pie", module: "hello", env: crossEnv("linux", "amd64"), args: []string{"-buildmode=pie"}})
	addFixture(&fixture{name: "linux-amd64-pie-bindnow", module: "hello", env: crossEnv("linux", "amd64"), args: []string{"-buildmode=pie", "-ldflags=-bindnow"}})
	addFixture(&fixture{name: "darwin-arm64-sw", module: "hello", env: crossEnv("darwin", "arm64"), args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "windows-amd64-sw", module: "hello", env: crossEnv("windows", "amd64"), args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "windows-386-sw", module: "hello", env: crossEnv("windows", "386"), args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "windows-arm64-sw", module: "hello", env: crossEnv("windows", "arm64"), args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "darwin-amd64-sw", module: "hello", env: crossEnv("darwin", "amd64"), args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "cgo", module: "cgo", env: []string{"CGO_ENABLED=1"}})
	addFixture(&fixture{name: "cgo-sw", module: "cgo", env: []string{"CGO_ENABLED=1"}, args: []string{"-ldflags=-s -w"}})
	addFixture(&fixture{name: "cgo-pie", module: "cgo", env: []string{"CGO_ENABLED=1"}, args: []string{"-buildmode=pie"}})
	addFixture(&fixture{name: "cgo-static", module: "cgo", env: []string{"CGO_ENABLED=1"}, args: []string{"-ldflags=-linkmode=external -extldflags=-static"}})
	addFixture(&fixture{name: "c-shared", module: "cgo", env: []string{"CGO_ENABLED=1"}, args: []string{"-buildmode=c-shared"}})
	addFixture(&fixture{name: "cgo-noshdr", make: func(t testing.TB, out string) {
		stripSectionHeaders(t, build(t, "cgo"), out)
	}})
	addFixture(&fixture{name: "linux-amd64-noshdr", make: func(t testing.TB, out string) {
		stripSectionHeaders(t, build(t, "linux-amd64"), out)
	}})
	addFixture(&fixture{name: "c-hardened", make: func(t testing.TB, out string) {
		cc(t, "gcc", out, "-O2", "-fstack-protector-strong", "-D_FORTIFY_SOURCE=2", "-Wl,-z,relro,-z,now", src("c/hello.c"))
	}})
	addFixture(&fixture{name: "c-relr", make: func(t testing.TB, out string) {
		cc(t, "gcc", out, "-Wl,-z,pack-relative-relocs", src("c/hello.c"))
	}})
	addFixture(&fixture{name: "c-static-pie", make: func(t testing.TB, out string) {
		cc(t, "gcc", out, "-static-pie", src("c/hello.c"))
	}})
	addFixture(&fixture{name: "c-norelro-execstack", make: func(t testing.TB, out string) {
		cc(t, "gcc", out, "-no-pie", "-Wl,-z,norelro", "-z", "execstack", src("c/hello.c"))
	}})
	addFixture(&fixture{name: "cpp-shared", make: func(t testing.TB, out string) {
		cc(t, "g++", out, "-shared", "-fPIC", "-Wl,-rpath,/opt/x/lib", "-Wl,--enable-new-dtags", "-Wl,-soname,libgreet.so.1", src("cpp/lib.cc"))
	}})
	addFixture(&fixture{name: "mingw.exe", make: func(t testing.TB, out string) {
		cc(t, "x86_64-w64-mingw32-gcc", out, src("c/hello.c"))
	}})
	addFixture(&fixture{name: "mingw.dll", make: func(t testing.TB, out string) {
		cc(t, "x86_64-w64-mingw32-gcc", out, "-shared", src("c/dll.c"))
	}})
	addFixture(&fixture{name: "windows-c-shared.dll", module: "cgo", args: []string{"-buildmode=c-shared"},
		env: []string{"CGO_ENABLED=1", "GOOS=windows", "GOARCH=amd64", "CC=x86_64-w64-mingw32-gcc"}})
	addFixture(&fixture{name: "vcs-godebug", make: func(t testing.TB, out string) {
		buildInGitRepo(t, out)
	}})
	addFixture(&fixture{name: "fat", make: func(t testing.TB, out string) {
		makeFat(t, out, build(t, "darwin-amd64"), build(t, "darwin-arm64"))
	}})
	return m
}

func src(name string) string { return filepath.Join(fixtureDir, "src", name) }

// build returns the path of the named fixture, building it on first use.
func build(t testing.TB, name string) string {
	t.Helper()
	f, ok := fixtures[name]
	if !ok {
		t.Fatalf("no fixture %q", name)
	}
	f.once.Do(func() {
		if err := writeModules(); err != nil {
			f.err = err
			return
		}
		out := filepath.Join(fixtureDir, "out", name)
		if f.make != nil {
			f.make(t, out)
			f.path = out
			return
		}
		cmd := exec.Command("go", append(append([]string{"build", "-o", out}, f.args...), ".")...)
		cmd.Dir = src(f.module)
		cmd.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
		cmd.Env = append(cmd.Env, f.env...)
		if b, err := cmd.CombinedOutput(); err != nil {
			f.err = fmt.Errorf("go build %s: %v\n%s", name, err, b)
			return
		}
		f.path = out
	})
	if f.err != nil {
		t.Fatal(f.err)
	}
	if f.path == "" {
		t.Fatalf("fixture %s was not built", name)
	}
	return f.path
}

func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed", name)
	}
	return p
}

func cc(t testing.TB, compiler, out string, args ...string) {
	t.Helper()
	needTool(t, compiler)
	if b, err := exec.Command(compiler, append([]string{"-o", out}, args...)...).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", compiler, err, b)
	}
}

// stripSectionHeaders copies src to dst with e_shoff, e_shnum and
// e_shstrndx zeroed, as sstrip does: the loader never reads section
// headers, so the program still runs.
func stripSectionHeaders(t testing.TB, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if b[4] != 2 || b[5] != 1 {
		t.Fatalf("%s: want a 64-bit little-endian ELF", src)
	}
	binary.LittleEndian.PutUint64(b[0x28:], 0)
	binary.LittleEndian.PutUint16(b[0x3c:], 0)
	binary.LittleEndian.PutUint16(b[0x3e:], 0)
	if err := os.WriteFile(dst, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// makeFat writes a universal Mach-O file holding the given thin files,
// as lipo -create does: a big-endian fat header, one fat_arch per slice,
// slices aligned to 2^14.
func makeFat(t testing.TB, dst string, thin ...string) {
	t.Helper()
	const align = 14
	var out bytes.Buffer
	binary.Write(&out, binary.BigEndian, []uint32{0xcafebabe, uint32(len(thin))})
	var slices [][]byte
	off := uint32(1 << align)
	for _, p := range thin {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		cpu, sub := binary.LittleEndian.Uint32(b[4:]), binary.LittleEndian.Uint32(b[8:])
		binary.Write(&out, binary.BigEndian, []uint32{cpu, sub, off, uint32(len(b)), align})
		slices = append(slices, b)
		off = (off + uint32(len(b)) + 1<<align - 1) &^ (1<<align - 1)
	}
	for _, b := range slices {
		out.Write(make([]byte, (out.Len()+1<<align-1)&^(1<<align-1)-out.Len()))
		out.Write(b)
	}
	if err := os.WriteFile(dst, out.Bytes(), 0o755); err != nil {
		t.Fatal(err)
	}
}

// buildInGitRepo builds a module with an old go line (so the go command
// records a DefaultGODEBUG) inside a fresh git repository with one commit
// (so it records vcs.revision, vcs.time and vcs.modified).
func buildInGitRepo(t testing.TB, out string) {
	t.Helper()
	needTool(t, "git")
	dir := filepath.Join(fixtureDir, "src", "vcs")
	files := map[string]string{
		"go.mod":  "module example.com/vcs\n\ngo 1.20\n",
		"main.go": "package main\n\nfunc main() {}\n",
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@example.com", "GIT_AUTHOR_DATE=2024-01-02T03:04:05Z", "GIT_COMMITTER_DATE=2024-01-02T03:04:05Z",
			"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, b)
		}
	}
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "init")
	cmd := exec.Command("go", "build", "-buildvcs=true", "-o", out, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=", "GOTOOLCHAIN=local", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
}

// goCmd runs the real go command and returns its stdout.
func goCmd(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), "GOTOOLCHAIN=local")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String(), fmt.Errorf("go %s: %v: %s", strings.Join(args, " "), err, errb.String())
	}
	return out.String(), nil
}
