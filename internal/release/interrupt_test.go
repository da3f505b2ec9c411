package release

import (
	"bufio"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blockerSource is a signing command that marks that it started, then
// waits far longer than any test: goport is interrupted while it runs.
const blockerSource = `package main

import (
	"os"
	"time"
)

func main() {
	if err := os.WriteFile(os.Args[1], nil, 0o644); err != nil {
		os.Exit(2)
	}
	time.Sleep(10 * time.Minute)
}
`

// TestInterruptRelease sends a real SIGINT to a real goport release
// while it signs, and checks that the release directory holds no
// temporary or partial file: every file left verifies against the
// checksums.txt already written, and the signature is absent.
func TestInterruptRelease(t *testing.T) {
	if testing.Short() {
		t.Skip("builds goport")
	}
	t.Parallel()
	root := t.TempDir()
	bin := filepath.Join(root, "bin")
	goport := filepath.Join(bin, "goport")
	build := exec.Command("go", "build", "-o", goport, "github.com/goport/goport/cmd/goport")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building goport: %v\n%s", err, out)
	}
	blockerDir := filepath.Join(root, "blocker")
	if err := os.MkdirAll(blockerDir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"main.go": blockerSource, "go.mod": "module blocker\n\ngo 1.22\n"} {
		if err := os.WriteFile(filepath.Join(blockerDir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	blocker := filepath.Join(bin, "blocker")
	cmd := exec.Command("go", "build", "-o", blocker, ".")
	cmd.Dir = blockerDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building blocker: %v\n%s", err, out)
	}

	mod := filepath.Join(root, "mod")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		t.Fatal(err)
	}
	writeModule(t, mod)
	marker := filepath.Join(root, "signing")
	rel := exec.Command(goport, "release", "--snapshot", "--targets", "linux/amd64,windows/amd64", "-j", "2",
		"--sign-cmd", blocker+" "+marker+" {{.Signature}} {{.Artifact}}")
	rel.Dir = mod
	rel.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local", "SOURCE_DATE_EPOCH=1700000000")
	var out strings.Builder
	rel.Stdout, rel.Stderr = &out, &out
	if err := rel.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- rel.Wait() }()

	// Wait for the signing step to start (or goport to end early).
	var exited error
	waiting := true
	for waiting {
		select {
		case exited = <-done:
			t.Fatalf("goport ended before signing: %v\n%s", exited, out.String())
		case <-time.After(50 * time.Millisecond):
			if _, err := os.Stat(marker); err == nil {
				waiting = false
			}
		}
	}
	if err := rel.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	err := <-done
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("interrupted goport: %v, want exit status 1\n%s", err, out.String())
	}
	if !strings.Contains(out.String(), "goport: release: interrupted: ") {
		t.Errorf("output does not say the release was interrupted:\n%s", out.String())
	}

	dist := filepath.Join(mod, "dist")
	if left := hiddenLeft(t, dist); len(left) > 0 {
		t.Errorf("temporary files left after SIGINT: %v", left)
	}
	if _, err := os.Stat(filepath.Join(dist, "checksums.txt.sig")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("checksums.txt.sig after SIGINT: %v", err)
	}
	// Everything before the signature was written, completely.
	v, err := Verify(VerifyOptions{Dir: dist})
	if err != nil {
		t.Fatal(err)
	}
	if v.Files == 0 || len(v.Findings) > 0 {
		t.Errorf("verify after SIGINT: %d files, findings %+v", v.Files, v.Findings)
	}
}

// TestInterruptReleaseMidBuild sends a real SIGINT to a real goport
// release as soon as its second binary is built, when the first one's
// archive is finished and the second one's is being made beside the next
// build: goport exits 1 saying nothing was released, and the release
// directory holds only complete binaries: no archive, SBOM, manifest,
// checksums or temporary file.
func TestInterruptReleaseMidBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds goport")
	}
	t.Parallel()
	root := t.TempDir()
	goport := filepath.Join(root, "goport")
	build := exec.Command("go", "build", "-o", goport, "github.com/goport/goport/cmd/goport")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building goport: %v\n%s", err, out)
	}
	mod := filepath.Join(root, "mod")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		t.Fatal(err)
	}
	writeModule(t, mod)
	rel := exec.Command(goport, "release", "--snapshot", "-j", "1",
		"--targets", "linux/amd64,windows/amd64,darwin/arm64,linux/arm64,linux/386,windows/386")
	rel.Dir = mod
	rel.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false", "GOTOOLCHAIN=local", "SOURCE_DATE_EPOCH=1700000000")
	var stdout strings.Builder
	rel.Stdout = &stdout
	stderr, err := rel.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := rel.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	built, signalled := 0, false
	sc := bufio.NewScanner(stderr)
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "ok ") {
			built++
		}
		if !signalled && built == 2 {
			if err := rel.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
	err = rel.Wait()
	log := strings.Join(lines, "\n")
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("interrupted goport: %v, want exit status 1\n%s", err, log)
	}
	if !strings.Contains(log, "goport: release: build failed: ") || !strings.Contains(log, "nothing was released") {
		t.Errorf("stderr does not say nothing was released:\n%s", log)
	}
	dist := filepath.Join(mod, "dist")
	if left := hiddenLeft(t, dist); len(left) > 0 {
		t.Errorf("temporary files left after SIGINT: %v", left)
	}
	binary := regexp.MustCompile(`^[a-z0-9]+_[a-z0-9]+/hello(\.exe)?$`)
	binaries := 0
	_ = filepath.WalkDir(dist, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, _ := filepath.Rel(dist, p)
		if !binary.MatchString(filepath.ToSlash(name)) {
			t.Errorf("%s left after an interrupted build", name)
		}
		binaries++
		return nil
	})
	if binaries == 0 {
		t.Errorf("no binary left, though one was reported built:\n%s", log)
	}
}
