//go:build unix

package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/goport/goport/internal/matrix"
)

// TestMatrixSIGINT interrupts a real goport matrix after its first pair
// finishes: it must stop the remaining builds, remove temporaries and the
// lock, report what finished and exit 1; every file left in the output
// directory is a finished, complete pair.
func TestMatrixSIGINT(t *testing.T) {
	t.Parallel()
	bin := filepath.Join(t.TempDir(), "goport")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/goport")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building goport: %v\n%s", err, out)
	}
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":        "module example.com/m\n\ngo 1.22\n",
		"cmd/a/main.go": "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"a\") }\n",
		"cmd/b/main.go": "package main\n\nimport \"net/http\"\n\nfunc main() { _ = http.ListenAndServe(\":0\", nil) }\n",
	}
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "matrix", "-j", "1", "--first-class")
	cmd.Dir = dir
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(stderr)
	var errLines []string
	signalled := false
	for sc.Scan() {
		errLines = append(errLines, sc.Text())
		if !signalled && strings.HasPrefix(sc.Text(), "ok ") {
			if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
				t.Fatal(err)
			}
			signalled = true
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 1 {
		t.Fatalf("exit: %v, want code 1\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), strings.Join(errLines, "\n"))
	}
	if !slices.ContainsFunc(errLines, func(l string) bool { return strings.HasPrefix(l, "goport: matrix: interrupted: ") }) {
		t.Errorf("stderr lacks the interruption message:\n%s", strings.Join(errLines, "\n"))
	}
	// The report lists finished pairs with their outputs.
	okLine := regexp.MustCompile(`(?m)^\S+ +example\.com/m/cmd/\w +ok +off +- +(\S+)$`)
	var want []string
	for _, m := range okLine.FindAllStringSubmatch(stdout.String(), -1) {
		want = append(want, filepath.Join(dir, m[1]))
	}
	if len(want) == 0 {
		t.Fatalf("no finished pair in the report:\n%s", stdout.String())
	}
	if !strings.Contains(stdout.String(), "interrupted") {
		t.Errorf("report names no interrupted pair:\n%s", stdout.String())
	}
	var got []string
	_ = filepath.WalkDir(filepath.Join(dir, "dist"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			got = append(got, p)
		}
		return nil
	})
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(want, got) {
		t.Errorf("files in dist differ from finished pairs:\nwant %q\ngot  %q", want, got)
	}
}

// TestMatrixRefusesLockedOutput: while one run holds the output
// directory, a second one is refused before building, with who holds it.
func TestMatrixRefusesLockedOutput(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/m\n\ngo 1.22\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	if err := os.Mkdir("dist", 0o755); err != nil {
		t.Fatal(err)
	}
	unlock, err := matrix.LockDir("dist")
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	code, stdout, stderr := run(t, false, testEnviron(t), "matrix", "--targets", "linux/amd64")
	want := fmt.Sprintf("goport: matrix: output directory is in use: dist/%s is held by another goport matrix (pid %d); wait for it or use another --out\n", matrix.LockName, os.Getpid())
	if code != ExitIncomplete || stderr != want || stdout != "" {
		t.Errorf("code %d, stdout %q, stderr %q; want %d and %q", code, stdout, stderr, ExitIncomplete, want)
	}
	if _, err := os.Stat(filepath.Join("dist", "linux_amd64")); !os.IsNotExist(err) {
		t.Errorf("the refused run built something: %v", err)
	}
}

// A report path that is a FIFO or device (--json /dev/stdout) is written
// into, never renamed over; a directory is refused by name.
func TestWriteOutputSpecialFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "report.fifo")
	got := fifoReader(t, fifo)
	if err := writeOutput(context.Background(), fifo, func(w io.Writer) error { _, err := io.WriteString(w, "{}\n"); return err }); err != nil {
		t.Fatal(err)
	}
	if data := <-got; string(data) != "{}\n" {
		t.Errorf("the FIFO's reader got %q", data)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the FIFO was replaced: %v, %v", fi.Mode(), err)
	}
	err := writeOutput(context.Background(), dir, func(io.Writer) error { return nil })
	if err == nil || !strings.HasSuffix(err.Error(), "is a directory") {
		t.Errorf("writing onto a directory: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}
