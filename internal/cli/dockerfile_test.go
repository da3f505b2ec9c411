package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/testenv"
)

const cgoScratchDockerfile = `FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build
WORKDIR /src
COPY go.mod ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /out/app .

FROM scratch
COPY --from=build /out/app /app
USER 65532:65532
ENTRYPOINT ["/app"]
`

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	if err := testenv.WriteFiles(dir, files); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDockerfileLintSARIF: a finding carries the Dockerfile's path and the
// offending line into SARIF, and the exit code is the same in every format
// and on a terminal or not.
func TestDockerfileLintSARIF(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{"go.mod": "module m\n\ngo 1.26\n", "Dockerfile": cgoScratchDockerfile})
	df := filepath.Join(dir, "Dockerfile")
	for _, tty := range []bool{false, true} {
		for _, format := range []string{"text", "json", "sarif", "markdown"} {
			code, stdout, stderr := run(t, tty, testEnviron(t), "dockerfile", "lint", "--format", format, df)
			if code != ExitFindings || stderr != "" {
				t.Errorf("tty=%v %s: exit %d, stderr %q; want %d", tty, format, code, stderr, ExitFindings)
			}
			if format != "text" && strings.Contains(stdout, "\x1b[") {
				t.Errorf("tty=%v %s: colour in machine output", tty, format)
			}
			if format != "sarif" {
				continue
			}
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID    string `json:"ruleId"`
						Locations []struct {
							PhysicalLocation struct {
								ArtifactLocation struct{ URI string }    `json:"artifactLocation"`
								Region           struct{ StartLine int } `json:"region"`
							} `json:"physicalLocation"`
						} `json:"locations"`
					} `json:"results"`
				} `json:"runs"`
			}
			if err := json.Unmarshal([]byte(stdout), &log); err != nil {
				t.Fatal(err)
			}
			type loc struct {
				Rule string
				URI  string
				Line int
			}
			var got []loc
			for _, r := range log.Runs[0].Results {
				p := r.Locations[0].PhysicalLocation
				got = append(got, loc{r.RuleID, filepath.Base(p.ArtifactLocation.URI), p.Region.StartLine})
			}
			if diff := cmp.Diff([]loc{{"GP-DOCKER-003", "Dockerfile", 11}}, got); diff != "" {
				t.Errorf("SARIF results (-want +got):\n%s", diff)
			}
		}
	}
}

// TestDockerfileLintStdin reads the Dockerfile from stdin and names it so.
func TestDockerfileLintStdin(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	s := &Streams{In: strings.NewReader(cgoScratchDockerfile), Out: &out, Err: &errOut, Environ: testEnviron(t)}
	code := Main(context.Background(), []string{"dockerfile", "lint", "--format", "json", "-"}, s)
	if code != ExitFindings {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
	var report struct {
		Findings []struct {
			Rule     string
			Evidence []struct{ Location struct{ Path string } }
		}
	}
	if err := json.Unmarshal(out.Bytes(), &report); err != nil {
		t.Fatal(err)
	}
	if len(report.Findings) != 1 || report.Findings[0].Evidence[0].Location.Path != "stdin" {
		t.Errorf("findings = %+v", report.Findings)
	}
}

// TestDockerfileLintBadInput: each unreadable input is one line on stderr
// and exit 3; a bad command line is exit 2.
func TestDockerfileLintBadInput(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"empty":     "",
		"binary":    "\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe",
		"huge":      "FROM alpine:3.22\nRUN echo " + strings.Repeat("x", 100_000) + "\n",
		"unknown":   "FROM alpine:3.22\nFROBNICATE\n",
		"sub/.keep": "",
	})
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{filepath.Join(dir, "empty")}, ExitIncomplete, "no instructions"},
		{[]string{filepath.Join(dir, "binary")}, ExitIncomplete, "not valid UTF-8"},
		{[]string{filepath.Join(dir, "huge")}, ExitIncomplete, "line"},
		{[]string{filepath.Join(dir, "unknown")}, ExitIncomplete, "unknown instruction"},
		{[]string{filepath.Join(dir, "missing")}, ExitIncomplete, "no such file or directory"},
		{[]string{filepath.Join(dir, "sub")}, ExitIncomplete, "is a directory"},
		{[]string{"a", "b"}, ExitUsage, "accepts at most 1 arg"},
		{[]string{"--fail-on", "sometimes", "x"}, ExitUsage, "invalid --fail-on"},
	} {
		code, stdout, stderr := run(t, false, testEnviron(t), append([]string{"dockerfile", "lint"}, tc.args...)...)
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if code != tc.code || stdout != "" || !strings.HasPrefix(stderr, "goport: dockerfile lint: ") || !strings.Contains(lines[0], tc.want) {
			t.Errorf("lint %v: exit %d, stdout %q, stderr %q; want %d and %q", tc.args, code, stdout, stderr, tc.code, tc.want)
		}
		if tc.code == ExitIncomplete && len(lines) != 1 {
			t.Errorf("lint %v: %d lines on stderr, want 1", tc.args, len(lines))
		}
	}
}

// TestDockerfileLintFIFOInterrupted: a Dockerfile that is a FIFO nobody
// writes to blocks the open; an interrupt (the command's context ending)
// still ends lint with one line and exit 3 instead of hanging.
func TestDockerfileLintFIFOInterrupted(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "Dockerfile")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errOut bytes.Buffer
	s := &Streams{In: strings.NewReader(""), Out: &out, Err: &errOut, Environ: testEnviron(t)}
	code := Main(ctx, []string{"dockerfile", "lint", fifo}, s)
	// Let the abandoned open finish so no goroutine stays blocked.
	if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
	if code != ExitIncomplete || out.Len() != 0 || !strings.HasPrefix(errOut.String(), "goport: dockerfile lint: ") || strings.Count(errOut.String(), "\n") != 1 {
		t.Errorf("exit %d, stdout %q, stderr %q; want %d and one line", code, out.String(), errOut.String(), ExitIncomplete)
	}
}

// TestDockerfileLintErrorRedacted: BuildKit's parse errors quote the
// offending instruction; a credential in it never reaches stderr.
func TestDockerfileLintErrorRedacted(t *testing.T) {
	t.Parallel()
	dir := writeFiles(t, map[string]string{
		"Dockerfile": "FROM golang:1.26.8 AS build\nRUN --mount=type=secret,id=x,foo=https://alice:s3cr3tT0k@proxy.example.com go build\n",
	})
	code, stdout, stderr := run(t, false, testEnviron(t), "dockerfile", "lint", filepath.Join(dir, "Dockerfile"))
	if code != ExitIncomplete || stdout != "" || !strings.HasPrefix(stderr, "goport: dockerfile lint: ") {
		t.Fatalf("exit %d, stdout %q, stderr %q; want %d", code, stdout, stderr, ExitIncomplete)
	}
	if strings.Contains(stderr, "s3cr3tT0k") {
		t.Errorf("stderr shows the credential: %q", stderr)
	}
}
