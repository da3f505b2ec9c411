package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
)

func pairFor(t *testing.T, tgt, pkg string) matrix.Pair {
	t.Helper()
	tt, err := target.Parse(tgt)
	if err != nil {
		t.Fatal(err)
	}
	return matrix.Pair{Target: tt, Package: pkg}
}

// TestPrintProgress pins the non-terminal progress: one line per
// finished pair with the output of a success or the first line of the
// reason otherwise.
func TestPrintProgress(t *testing.T) {
	t.Parallel()
	var errBuf bytes.Buffer
	s := &Streams{Err: &errBuf}
	ok := matrix.PairResult{Pair: pairFor(t, "linux/amd64", "example.com/m/cmd/a"), Status: matrix.OK, Output: "dist/linux_amd64/a"}
	failed := matrix.PairResult{Pair: pairFor(t, "windows/amd64", "example.com/m/cmd/b"), Status: matrix.Failed, Reason: "undefined: syscall.Kill\nmore"}
	printProgress(s, ok)
	printProgress(s, failed)
	want := "ok          linux/amd64      example.com/m/cmd/a  dist/linux_amd64/a\n" +
		"failed      windows/amd64    example.com/m/cmd/b  undefined: syscall.Kill\n"
	if diff := cmp.Diff(want, errBuf.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestLiveProgressNotOnPipes checks that an in-memory stderr, as when
// stderr is redirected, gets line progress and no cursor movement.
func TestLiveProgressNotOnPipes(t *testing.T) {
	t.Parallel()
	if l := newLiveProgress(&Streams{Err: &bytes.Buffer{}}); l != nil {
		t.Error("live progress on a non-terminal stderr")
	}
}

// TestLiveProgress feeds a run's events to the terminal display and
// checks each redraw: it moves up over the lines it drew before, and the
// final screen shows every target's counts.
func TestLiveProgress(t *testing.T) {
	t.Parallel()
	a := pairFor(t, "linux/amd64", "example.com/m/cmd/a")
	b := pairFor(t, "linux/amd64", "example.com/m/cmd/b")
	w := pairFor(t, "windows/amd64", "example.com/m/cmd/a")
	res := func(p matrix.Pair, st matrix.Status) *matrix.PairResult {
		return &matrix.PairResult{Pair: p, Status: st}
	}
	events := []matrix.Event{
		{Kind: matrix.Queued, Pair: a}, {Kind: matrix.Queued, Pair: b}, {Kind: matrix.Queued, Pair: w},
		{Kind: matrix.Started, Pair: a},
		{Kind: matrix.Started, Pair: b},
		{Kind: matrix.Finished, Pair: a, Result: res(a, matrix.OK)},
		{Kind: matrix.Finished, Pair: b, Result: res(b, matrix.OK)},
		{Kind: matrix.Finished, Pair: w, Result: res(w, matrix.Failed)},
	}
	for _, tc := range []struct {
		name  string
		color bool
		width int
		last  string
	}{
		{"plain", false, 0, "\x1b[2A" +
			"\r\x1b[2Klinux/amd64      2/2 done (2 ok)\n" +
			"\r\x1b[2Kwindows/amd64    1/1 done (1 failed)\n"},
		{"color", true, 0, "\x1b[2A" +
			"\r\x1b[2K\x1b[32mlinux/amd64      2/2 done (2 ok)\x1b[0m\n" +
			"\r\x1b[2K\x1b[31mwindows/amd64    1/1 done (1 failed)\x1b[0m\n"},
		{"narrow", false, 21, "\x1b[2A" +
			"\r\x1b[2Klinux/amd64      2/2\n" +
			"\r\x1b[2Kwindows/amd64    1/1\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			l := newLiveProgressTo(&buf, tc.width, tc.color)
			var frames []string
			for _, ev := range events {
				before := buf.Len()
				l.handle(ev)
				if buf.Len() > before {
					frames = append(frames, buf.String()[before:])
				}
			}
			if len(frames) != 5 {
				t.Fatalf("%d redraws, want one per started or finished event: %q", len(frames), frames)
			}
			if !strings.HasPrefix(frames[0], "\r\x1b[2K") {
				t.Errorf("first frame moves up over lines never drawn: %q", frames[0])
			}
			if !tc.color && tc.width == 0 {
				wantSecond := "\x1b[2A" +
					"\r\x1b[2Klinux/amd64      0/2 building a, b\n" +
					"\r\x1b[2Kwindows/amd64    0/1 waiting\n"
				if diff := cmp.Diff(wantSecond, frames[1]); diff != "" {
					t.Errorf("second frame (-want +got):\n%s", diff)
				}
			}
			if diff := cmp.Diff(tc.last, frames[len(frames)-1]); diff != "" {
				t.Errorf("last frame (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLiveProgressRealRun drives the terminal display from a real matrix
// run with parallel builds (run it with -race): the last frame shows
// every target done with its pairs' outcomes.
func TestLiveProgressRealRun(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := map[string]string{
		"go.mod":                      "module example.com/m\n\ngo 1.22\n",
		"cmd/a/main.go":               "package main\n\nfunc main() {}\n",
		"cmd/linuxonly/main_linux.go": "package main\n\nfunc main() {}\n",
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
	ctx := context.Background()
	environ := os.Environ()
	env, err := goenv.Load(ctx, dir, environ)
	if err != nil {
		t.Fatal(err)
	}
	ports, err := goenv.DistList(ctx, environ)
	if err != nil {
		t.Fatal(err)
	}
	targets, err := target.ParseList("linux/amd64,linux/arm64,windows/amd64")
	if err != nil {
		t.Fatal(err)
	}
	inv := cross.Discover(ctx, cross.Options{Environ: environ, GoEnv: env, Host: goenv.DetectHost()})
	plan, err := matrix.MakePlan(ctx, matrix.PlanOptions{Dir: dir, Targets: targets, Cgo: matrix.CgoOff, Jobs: 2, Environ: environ, Ports: ports, Cross: inv})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	live := newLiveProgressTo(&buf, 0, false)
	res, err := matrix.Run(ctx, matrix.Options{
		Dir: dir, Environ: environ, GoEnv: env, OutDir: filepath.Join(dir, "dist"), Jobs: 2, Cross: inv, Events: live.handle,
	}, plan)
	if err != nil {
		t.Fatal(err)
	}
	if res.Failed() {
		t.Fatalf("run failed: %+v", res.Pairs)
	}
	out := buf.String()
	last := out[strings.LastIndex(out, "\x1b[3A")+len("\x1b[3A"):]
	want := "\r\x1b[2Klinux/amd64      2/2 done (2 ok)\n" +
		"\r\x1b[2Klinux/arm64      2/2 done (2 ok)\n" +
		"\r\x1b[2Kwindows/amd64    2/2 done (1 ok, 1 skipped)\n"
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("last frame (-want +got):\n%s\nall output: %q", diff, out)
	}
}
