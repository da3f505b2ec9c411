package release

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"aead.dev/minisign"
	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

var testDate = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

// writeModule creates a small module with a main package, a README and a
// LICENSE.
func writeModule(t *testing.T, dir string) {
	t.Helper()
	files := map[string]string{
		"go.mod":    "module example.com/hello\n\ngo 1.22\n",
		"main.go":   "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n",
		"README.md": "# hello\n",
		"LICENSE":   "Public domain.\n",
		"notes.txt": "not shipped\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// buildMatrix builds the module in dir for targets into out with the real
// go command, as goport matrix does.
func buildMatrix(t *testing.T, dir, out string, targets []target.Target) []Build {
	t.Helper()
	ctx := context.Background()
	environ := append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local")
	env, err := goenv.Load(ctx, dir, environ)
	if err != nil {
		t.Fatal(err)
	}
	ports, err := goenv.DistList(ctx, environ)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := matrix.MakePlan(ctx, matrix.PlanOptions{Dir: dir, Targets: targets, Cgo: matrix.CgoOff, Jobs: 2, Environ: environ, Ports: ports})
	if err != nil {
		t.Fatal(err)
	}
	res, err := matrix.Run(ctx, matrix.Options{Dir: dir, Environ: environ, GoEnv: env, OutDir: out, Jobs: 2}, plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed() {
		t.Fatalf("matrix failed: %+v", res.Pairs)
	}
	return BuildsFromMatrix(res)
}

func testKey(t *testing.T) (minisign.PublicKey, minisign.PrivateKey) {
	t.Helper()
	pub, priv, err := minisign.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv
}

var testTargets = []target.Target{{GOOS: "linux", GOARCH: "amd64"}, {GOOS: "windows", GOARCH: "amd64"}, {GOOS: "darwin", GOARCH: "arm64"}}

type fixture struct {
	mod, dir string
	pub      minisign.PublicKey
	priv     minisign.PrivateKey
	res      *Result
	builds   []Build
	err      error
}

var (
	fixtureOnce sync.Once
	shared      fixture
)

// sharedRelease makes one signed release that tests copy before changing.
func sharedRelease(t *testing.T) *fixture {
	fixtureOnce.Do(func() {
		root, err := os.MkdirTemp("", "goport-release-test-")
		if err != nil {
			shared.err = err
			return
		}
		shared.mod, shared.dir = filepath.Join(root, "mod"), filepath.Join(root, "dist")
		if err := os.MkdirAll(shared.mod, 0o755); err != nil {
			shared.err = err
			return
		}
		writeModule(t, shared.mod)
		shared.builds = buildMatrix(t, shared.mod, shared.dir, testTargets)
		shared.pub, shared.priv = testKey(t)
		shared.res, shared.err = Run(context.Background(), Options{Dir: shared.dir, DocsDir: shared.mod, Version: "1.2.3", SourceDate: testDate, Key: &shared.priv}, shared.builds)
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return &shared
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.mod != "" {
		os.RemoveAll(filepath.Dir(shared.mod))
	}
	os.Exit(code)
}

// copyRelease copies the shared release so a test may change it.
func copyRelease(t *testing.T, f *fixture) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "dist")
	err := filepath.WalkDir(f.dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(f.dir, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

func names(arts []Artifact) []string {
	var out []string
	for _, a := range arts {
		out = append(out, a.Type+" "+a.Path)
	}
	return out
}

func TestReleaseArtifacts(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	want := []string{
		"Binary darwin_arm64/hello", "Binary linux_amd64/hello", "Binary windows_amd64/hello.exe",
		"Archive hello_1.2.3_darwin_arm64.tar.gz", "Archive hello_1.2.3_linux_amd64.tar.gz", "Archive hello_1.2.3_windows_amd64.zip",
		"SBOM hello_1.2.3_darwin_arm64.sbom.cdx.json", "SBOM hello_1.2.3_linux_amd64.sbom.cdx.json", "SBOM hello_1.2.3_windows_amd64.sbom.cdx.json",
		"Checksum checksums.txt", "Signature checksums.txt.minisig",
	}
	if diff := cmp.Diff(want, names(f.res.Artifacts)); diff != "" {
		t.Errorf("artifacts (-want +got):\n%s", diff)
	}
	data, err := os.ReadFile(filepath.Join(f.dir, ArtifactsFile))
	if err != nil {
		t.Fatal(err)
	}
	arts, err := ParseArtifacts(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, names(arts)); diff != "" {
		t.Errorf("artifacts.json (-want +got):\n%s", diff)
	}
	lin := arts[1]
	if lin.GOOS != "linux" || lin.GOARCH != "amd64" || lin.Target != "linux_amd64" || lin.Extra.ABI == nil {
		t.Fatalf("linux binary entry: %+v", lin)
	}
	abi := lin.Extra.ABI
	if abi.Cgo || !abi.Static || abi.GoBuildID == "" || !strings.HasPrefix(abi.GoVersion, "go1.") || abi.Target != "linux/amd64" {
		t.Errorf("linux ABI facts: %+v", abi)
	}
	zip := arts[5]
	if diff := cmp.Diff([]string{"hello.exe", "LICENSE", "README.md"}, zip.Extra.Files); diff != "" {
		t.Errorf("zip members (-want +got):\n%s", diff)
	}
}

// TestChecksumsAgreeWithSha256sum runs the real sha256sum -c on the
// release.
func TestChecksumsAgreeWithSha256sum(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sha256sum"); err != nil {
		t.Skip("sha256sum not installed")
	}
	f := sharedRelease(t)
	cmd := exec.Command("sha256sum", "-c", "--strict", ChecksumsFile)
	cmd.Dir = f.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sha256sum -c: %v\n%s", err, out)
	}
	data, _ := os.ReadFile(filepath.Join(f.dir, ChecksumsFile))
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if !slices.IsSorted(lines) && !slices.IsSortedFunc(lines, func(a, b string) int { return strings.Compare(a[66:], b[66:]) }) {
		t.Errorf("checksums.txt is not sorted by name:\n%s", data)
	}
	if len(lines) != 10 {
		t.Errorf("checksums.txt has %d lines, want 10 (3 binaries, 3 archives, 3 SBOMs, artifacts.json):\n%s", len(lines), data)
	}
}

func TestReleaseVerifies(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	v, err := Verify(VerifyOptions{Dir: f.dir, PublicKey: &f.pub})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Findings) > 0 || v.Signature != "verified" || v.Files != 10 {
		t.Fatalf("verify of a fresh release: signature %s, files %d, findings %+v", v.Signature, v.Files, v.Findings)
	}
}

// TestReleaseIsReproducible releases the same builds again into another
// directory and expects byte-identical files.
func TestReleaseIsReproducible(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	dst := copyRelease(t, f)
	for _, a := range f.res.Artifacts {
		if a.Type != TypeBinary {
			os.Remove(filepath.Join(dst, a.Path))
		}
	}
	if _, err := Run(context.Background(), Options{Dir: dst, DocsDir: f.mod, Version: "1.2.3", SourceDate: testDate, Key: &f.priv}, f.builds); err != nil {
		t.Fatal(err)
	}
	for _, a := range f.res.Artifacts {
		want, _ := os.ReadFile(filepath.Join(f.dir, a.Path))
		got, _ := os.ReadFile(filepath.Join(dst, a.Path))
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs between two releases of the same binaries", a.Path)
		}
	}
}

func TestSBOM(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	data, err := os.ReadFile(filepath.Join(f.dir, "hello_1.2.3_linux_amd64.sbom.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	var bom struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Metadata    struct {
			Timestamp string `json:"timestamp"`
			Component struct {
				Name, Type, Purl string
			} `json:"component"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatal(err)
	}
	if bom.BOMFormat != "CycloneDX" || bom.SpecVersion != "1.6" || bom.Metadata.Timestamp != "2024-05-01T12:00:00Z" ||
		bom.Metadata.Component.Name != "hello" || bom.Metadata.Component.Type != "application" || bom.Metadata.Component.Purl != "pkg:golang/example.com/hello" {
		t.Errorf("SBOM: %+v", bom)
	}
}

func TestRunRefusesNothing(t *testing.T) {
	t.Parallel()
	if _, err := Run(context.Background(), Options{Dir: t.TempDir()}, nil); err == nil {
		t.Fatal("Run with no builds succeeded")
	}
}

func TestRunInterrupted(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	dst := copyRelease(t, f)
	for _, a := range f.res.Artifacts {
		if a.Type != TypeBinary {
			os.Remove(filepath.Join(dst, a.Path))
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Options{Dir: dst, SourceDate: testDate, Key: &f.priv}, f.builds); err == nil {
		t.Fatal("cancelled Run succeeded")
	}
	if _, err := os.Stat(filepath.Join(dst, ChecksumsFile)); err == nil {
		t.Error("cancelled Run wrote checksums.txt")
	}
	entries, _ := filepath.Glob(filepath.Join(dst, ".*tmp-*"))
	if len(entries) > 0 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// TestMerge splits the shared release's binaries into two unsigned parts,
// merges them with the key and expects the very files of the unsharded
// release.
func TestMerge(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	var parts []string
	for _, builds := range [][]Build{f.builds[:1], f.builds[1:]} {
		part := filepath.Join(t.TempDir(), "part")
		for _, b := range builds {
			data, err := os.ReadFile(filepath.Join(f.dir, b.Path))
			if err != nil {
				t.Fatal(err)
			}
			os.MkdirAll(filepath.Join(part, filepath.Dir(b.Path)), 0o755)
			if err := os.WriteFile(filepath.Join(part, b.Path), data, 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Run(context.Background(), Options{Dir: part, DocsDir: f.mod, Version: "1.2.3", SourceDate: testDate}, builds); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, part)
	}
	merged := filepath.Join(t.TempDir(), "merged")
	res, err := Merge(context.Background(), MergeOptions{Parts: parts, Dir: merged, SourceDate: testDate, Key: &f.priv})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(names(f.res.Artifacts), names(res.Artifacts)); diff != "" {
		t.Errorf("merged artifacts (-unsharded +merged):\n%s", diff)
	}
	for _, name := range []string{ChecksumsFile, ArtifactsFile, ChecksumsFile + SignatureSuffix} {
		want, _ := os.ReadFile(filepath.Join(f.dir, name))
		got, _ := os.ReadFile(filepath.Join(merged, name))
		if !bytes.Equal(want, got) {
			t.Errorf("merged %s differs from the unsharded release's", name)
		}
	}
	v, err := Verify(VerifyOptions{Dir: merged, PublicKey: &f.pub})
	if err != nil || len(v.Findings) > 0 {
		t.Errorf("verify merged: %v %+v", err, v.Findings)
	}
	// The same part twice overlaps; a damaged part is refused.
	if _, err := Merge(context.Background(), MergeOptions{Parts: []string{parts[0], parts[0]}, Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "is in both") {
		t.Errorf("overlapping parts: %v", err)
	}
	flip(t, filepath.Join(parts[1], "hello_1.2.3_linux_amd64.tar.gz"))
	if _, err := Merge(context.Background(), MergeOptions{Parts: parts, Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "does not verify: hello_1.2.3_linux_amd64.tar.gz") {
		t.Errorf("damaged part: %v", err)
	}
}
