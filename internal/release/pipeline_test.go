package release

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// binariesOnly copies the shared release's binaries, and nothing else,
// into a new directory.
func binariesOnly(t *testing.T, f *fixture) string {
	t.Helper()
	dst := t.TempDir()
	for _, b := range f.builds {
		data, err := os.ReadFile(filepath.Join(f.dir, b.Path))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dst, filepath.Dir(b.Path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, b.Path), data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dst
}

// filesIn lists every file below dir, hidden ones included.
func filesIn(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}

func buildPaths(builds []Build) []string {
	var out []string
	for _, b := range builds {
		out = append(out, b.Path)
	}
	slices.Sort(out)
	return out
}

// doneSignal returns a binaryDone hook and a function that waits until
// the hook reported the binary at path.
func doneSignal() (hook func(Build), wait func(path string)) {
	var mu sync.Mutex
	done := map[string]chan struct{}{}
	ch := func(path string) chan struct{} {
		mu.Lock()
		defer mu.Unlock()
		if done[path] == nil {
			done[path] = make(chan struct{})
		}
		return done[path]
	}
	return func(b Build) { close(ch(b.Path)) }, func(path string) { <-ch(path) }
}

// TestInterruptDuringArchive cancels a release from inside the writing
// of an archive and expects only the matrix's binaries to be left: no
// half-written archive, no temporary file, none of the archives or SBOMs
// finished before, no release-wide file.
func TestInterruptDuringArchive(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	tests := []struct {
		name string
		// early is how many builds are released completely before the
		// next one's archive is interrupted.
		early int
	}{
		{"first archive", 0},
		{"after an early archive", 1},
		{"last archive", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dst := binariesOnly(t, f)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			victim := f.builds[tc.early]
			victimArchive := archiveBase("1.2.3", victim) + "." + archiveFormat(victim.Target)
			// The victim archive is written by one goroutine, which
			// Finish waits for.
			wrote, writesAfter := false, 0
			hook, wait := doneSignal()
			opts := Options{Dir: dst, DocsDir: f.mod, Version: "1.2.3", SourceDate: testDate, Key: &f.priv, hooks: hooks{
				archiveWrite: func(name string) {
					switch {
					case name != victimArchive:
					case wrote:
						writesAfter++
					default:
						wrote = true
						cancel()
					}
				},
				binaryDone: hook,
			}}
			p, err := Start(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer p.Abort()
			for _, b := range f.builds[:tc.early] {
				p.Add(b)
				wait(b.Path)
				early := archiveBase("1.2.3", b) + "." + archiveFormat(b.Target)
				if _, err := os.Stat(filepath.Join(dst, early)); err != nil {
					t.Fatalf("%s not written before the interrupt: %v", early, err)
				}
			}
			p.Add(victim)
			_, err = p.Finish(f.builds)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Finish after cancelling in %s: %v, want context.Canceled", victimArchive, err)
			}
			if !wrote {
				t.Fatalf("%s was never written", victimArchive)
			}
			if writesAfter > 0 {
				t.Errorf("%s was written to %d more times after the interrupt", victimArchive, writesAfter)
			}
			if diff := cmp.Diff(buildPaths(f.builds), filesIn(t, dst)); diff != "" {
				t.Errorf("files left after the interrupt (-binaries +left):\n%s", diff)
			}
		})
	}
}

// TestAbortRemovesEarlyArchives is a build that fails after some
// binaries were archived: Abort leaves the binaries alone.
func TestAbortRemovesEarlyArchives(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	dst := binariesOnly(t, f)
	hook, wait := doneSignal()
	p, err := Start(context.Background(), Options{Dir: dst, DocsDir: f.mod, SourceDate: testDate, hooks: hooks{binaryDone: hook}})
	if err != nil {
		t.Fatal(err)
	}
	p.Add(f.builds[0])
	wait(f.builds[0].Path)
	if got := len(filesIn(t, dst)); got != len(f.builds)+2 {
		t.Fatalf("%d files after one binary's steps, want the %d binaries, an archive and an SBOM", got, len(f.builds))
	}
	for range 2 {
		if err := p.Abort(); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(buildPaths(f.builds), filesIn(t, dst)); diff != "" {
			t.Errorf("files left after Abort (-binaries +left):\n%s", diff)
		}
	}
	// Nothing starts after Abort.
	p.Add(f.builds[1])
	if diff := cmp.Diff(buildPaths(f.builds), filesIn(t, dst)); diff != "" {
		t.Errorf("files after Add following Abort (-binaries +left):\n%s", diff)
	}
}

// TestPipelineOrder adds the builds in reverse order: the release-wide
// files follow the order given to Finish, so they equal the shared
// release's byte for byte.
func TestPipelineOrder(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	dst := binariesOnly(t, f)
	p, err := Start(context.Background(), Options{Dir: dst, DocsDir: f.mod, Version: "1.2.3", SourceDate: testDate, Key: &f.priv})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range slices.Backward(f.builds) {
		p.Add(b)
	}
	res, err := p.Finish(f.builds)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(names(f.res.Artifacts), names(res.Artifacts)); diff != "" {
		t.Errorf("artifacts (-in order +reversed):\n%s", diff)
	}
	if diff := cmp.Diff(filesIn(t, f.dir), filesIn(t, dst)); diff != "" {
		t.Errorf("files (-in order +reversed):\n%s", diff)
	}
	for _, name := range filesIn(t, f.dir) {
		want, _ := os.ReadFile(filepath.Join(f.dir, name))
		got, _ := os.ReadFile(filepath.Join(dst, name))
		if !bytes.Equal(want, got) {
			t.Errorf("%s differs when the builds arrive in reverse order", name)
		}
	}
}

// TestBinaryStepFailure releases a file that is not an executable among
// real binaries: the release fails naming it and leaves no archive of
// the others.
func TestBinaryStepFailure(t *testing.T) {
	t.Parallel()
	f := sharedRelease(t)
	dst := binariesOnly(t, f)
	bad := f.builds[len(f.builds)-1]
	if err := os.WriteFile(filepath.Join(dst, bad.Path), []byte("#!/bin/sh\necho not a Go binary\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{Dir: dst, DocsDir: f.mod, SourceDate: testDate, Key: &f.priv}, f.builds)
	if err == nil || !strings.Contains(err.Error(), "inspect: inspecting "+bad.Path) {
		t.Fatalf("release with a non-binary: %v, want an inspect error naming %s", err, bad.Path)
	}
	if diff := cmp.Diff(buildPaths(f.builds), filesIn(t, dst)); diff != "" {
		t.Errorf("files left after the failure (-binaries +left):\n%s", diff)
	}
}
