package dockerfile

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

// fixtureMod is the go.mod every lint fixture is checked against.
var fixtureMod = &GoMod{Path: "go.mod", Go: "1.26.8"}

// want reads the "# want: RULE..." comments of a fixture: each names the
// rules reported at the next instruction line, or at line N for RULE@N.
func want(t *testing.T, data []byte) []string {
	t.Helper()
	var wants []string
	var pending []string
	for i, line := range strings.Split(string(data), "\n") {
		trimmed := strings.TrimSpace(line)
		if rest, ok := strings.CutPrefix(trimmed, "# want:"); ok {
			pending = append(pending, strings.Fields(rest)...)
			continue
		}
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || len(pending) == 0 {
			continue
		}
		for _, id := range pending {
			if id, at, ok := strings.Cut(id, "@"); ok {
				wants = append(wants, id+":"+at)
				continue
			}
			wants = append(wants, fmt.Sprintf("%s:%d", id, i+1))
		}
		pending = nil
	}
	slices.Sort(wants)
	return wants
}

func got(findings []finding.Finding) []string {
	var out []string
	for _, f := range findings {
		out = append(out, fmt.Sprintf("%s:%d", f.Rule, f.Location().Line))
	}
	slices.Sort(out)
	return out
}

// TestLintFixtures checks every fixture in testdata/lint: the findings
// are exactly the "# want:" comments, at their lines. Files named ok-*
// are the healthy counterparts of the rule they name.
func TestLintFixtures(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "lint", "*.Dockerfile"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			findings, err := Lint(data, LintOptions{Path: "Dockerfile", GoMod: fixtureMod})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want(t, data), got(findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%v", diff, findings)
			}
		})
	}
}

// TestEveryRuleHasFixtures requires a positive and a negative fixture per
// rule.
func TestEveryRuleHasFixtures(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob(filepath.Join("testdata", "lint", "*.Dockerfile"))
	for _, r := range Rules() {
		n := strings.TrimPrefix(r.ID, "GP-DOCKER-")
		var pos, neg bool
		for _, f := range files {
			base := filepath.Base(f)
			pos = pos || strings.HasPrefix(base, n+"-")
			neg = neg || strings.HasPrefix(base, "ok-"+n+"-") || strings.HasPrefix(base, "ok-baseline")
		}
		if !pos || !neg {
			t.Errorf("%s: positive fixture %v, negative fixture %v", r.ID, pos, neg)
		}
	}
}

func TestLintFindingShape(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "lint", "003-cgo-scratch.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Lint(data, LintOptions{Path: "deploy/Dockerfile"})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 1 {
		t.Fatalf("findings = %v", findings)
	}
	f := findings[0]
	if f.Severity != finding.Error || f.Location().Path != "deploy/Dockerfile" || f.Fix == "" ||
		!strings.Contains(f.Message, "CGO_ENABLED=1") || !strings.Contains(f.Message, "scratch") {
		t.Errorf("finding = %+v", f)
	}
}

// TestLintWithoutGoMod: the Go version rule needs go.mod; without it the
// old image is not reported.
func TestLintWithoutGoMod(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile(filepath.Join("testdata", "lint", "006-old-image.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := Lint(data, LintOptions{})
	if err != nil || len(findings) != 0 {
		t.Errorf("Lint without go.mod = %v, %v; want none", findings, err)
	}
	findings, _ = Lint(data, LintOptions{GoMod: &GoMod{Path: "go.mod", Go: "1.22"}})
	if len(findings) != 0 {
		t.Errorf("golang:1.22.5 for go 1.22: %v; want none", findings)
	}
}

// TestLintBadInput: anything BuildKit cannot parse is one line of error,
// never a panic and never a finding.
func TestLintBadInput(t *testing.T) {
	t.Parallel()
	random := make([]byte, 4096)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range random {
		random[i] = byte(r.UintN(256))
	}
	for _, tc := range []struct {
		name string
		data []byte
		want string
	}{
		{"empty", nil, "no instructions"},
		{"blank", []byte("\n  \n\t\n"), "no instructions"},
		{"comments only", []byte("# just a comment\n"), "no instructions"},
		{"random bytes", random, "not valid UTF-8"},
		{"invalid utf8", []byte("FROM alpine:3.22\nRUN echo \xff\xfe\n"), "line 2: not valid UTF-8"},
		{"nul", []byte("FROM alpine:3.22\x00\n"), "NUL byte"},
		{"unknown instruction", []byte("FROM alpine:3.22\nFROBNICATE x\n"), "line 2"},
		{"no from", []byte("RUN echo hi\n"), "line 1"},
		{"arg only", []byte("ARG X=1\n"), "no FROM"},
		{"huge line", append([]byte("FROM alpine:3.22\nRUN echo "), bytes.Repeat([]byte("x"), 200_000)...), "line"},
		{"too large", bytes.Repeat([]byte("RUN true\n"), MaxSize/9+1), "larger than"},
		{"bad mount", []byte("FROM alpine:3.22\nRUN --mount=type=bogus true\n"), "line 2"},
		{"bad check directive", []byte("# check=skip\nFROM alpine:3.22\n"), "check directive"},
		{"unterminated heredoc", []byte("FROM alpine:3.22\nRUN <<EOF\necho\n"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			findings, err := Lint(tc.data, LintOptions{})
			if tc.want == "" {
				// Accepted or rejected, but never a panic.
				return
			}
			if err == nil {
				t.Fatalf("Lint succeeded with %v; want error %q", findings, tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line containing %q", err, tc.want)
			}
		})
	}
	if _, err := Lint(nil, LintOptions{}); !errors.Is(err, ErrEmpty) {
		t.Errorf("empty: %v, want ErrEmpty", err)
	}
}

func TestImageGoVersion(t *testing.T) {
	t.Parallel()
	for tag, want := range map[string]string{
		"1.26.8-bookworm": "go1.26.8", "1.26-alpine3.22": "go1.26", "1.26.8": "go1.26.8",
		"1.27rc1-bookworm": "go1.27rc1", "1": "", "latest": "", "alpine": "", "": "", "1.26.x": "",
	} {
		if got := imageGoVersion(tag); got != want {
			t.Errorf("imageGoVersion(%q) = %q, want %q", tag, got, want)
		}
	}
	for _, tc := range []struct {
		have, need string
		ok         bool
	}{
		{"go1.26", "go1.26.8", true},
		{"go1.26", "go1.27", false},
		{"go1.26.1", "go1.26.8", false},
		{"go1.26.8", "go1.26.8", true},
		{"go1.27rc1", "go1.26.8", true},
		{"go1.26", "go1.26rc1", true},
	} {
		if got := satisfies(tc.have, tc.need); got != tc.ok {
			t.Errorf("satisfies(%s, %s) = %v", tc.have, tc.need, got)
		}
	}
}

func TestKebab(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"FromAsCasing": "from-as-casing", "JSONArgsRecommended": "json-args-recommended",
		"NoEmptyContinuation": "no-empty-continuation", "UndefinedVar": "undefined-var",
	} {
		if got := kebab(in); got != want {
			t.Errorf("kebab(%s) = %s, want %s", in, got, want)
		}
	}
}

func FuzzLint(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "lint", "*.Dockerfile"))
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	for _, s := range []string{
		"", "FROM", "FROM scratch", "ARG A\nFROM $A", "FROM a AS b\nFROM b\nCOPY --from=b / /",
		"FROM x\nRUN <<EOF\ngo build\nEOF\n", "# escape=`\nFROM x\nRUN a `\n b",
		"FROM x\nCOPY --from=7 /a /b\n", "FROM --platform=$X golang:${V:-1.2}\nRUN go build -o",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		findings, err := Lint(data, LintOptions{GoMod: fixtureMod})
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("multi-line error %q", err)
			}
			return
		}
		for _, f := range findings {
			if f.Rule == "" || f.Message == "" || f.Location() == nil {
				t.Errorf("incomplete finding %+v", f)
			}
			if n := len([]rune(f.Message)); n > 401 {
				t.Errorf("message of %d characters", n)
			}
		}
	})
}

// TestLintLongValues: findings quoting a huge value stay short.
func TestLintLongValues(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a", 20_000)
	data := []byte("FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build\n" +
		"RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build GOARCH=" + long + " go build -o /out/app .\n" +
		"FROM " + long + ":" + long + "\nUSER " + long + "\nENTRYPOINT /app\n")
	findings, err := Lint(data, LintOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) < 2 {
		t.Fatalf("findings = %v", findings)
	}
	for _, f := range findings {
		if len(f.Message) > 2000 || len(f.Fix) > 2000 {
			t.Errorf("%s: message %d bytes, fix %d bytes", f.Rule, len(f.Message), len(f.Fix))
		}
	}
}

// TestGoTooOldFix: the fix keeps the image's variant and names the version
// go.mod needs.
func TestGoTooOldFix(t *testing.T) {
	t.Parallel()
	for from, want := range map[string]string{
		"golang:1.22.5-alpine3.22": "Use golang:1.26.8-alpine3.22 or later.",
		"golang:1.25":              "Use golang:1.26.8 or later.",
		"golang:1.25-bookworm":     "Use golang:1.26.8-bookworm or later.",
	} {
		data := []byte("FROM --platform=$BUILDPLATFORM " + from + " AS build\nARG TARGETOS TARGETARCH TARGETVARIANT\n" +
			"RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /app .\n")
		findings, err := Lint(data, LintOptions{GoMod: fixtureMod})
		if err != nil {
			t.Fatal(err)
		}
		var fixes []string
		for _, f := range findings {
			if f.Rule == RuleGoTooOld.ID {
				fixes = append(fixes, f.Fix)
			}
		}
		if diff := cmp.Diff([]string{want}, fixes); diff != "" {
			t.Errorf("FROM %s: fixes (-want +got):\n%s", from, diff)
		}
	}
}

// BenchmarkLint lints the generated cgo Dockerfile: parse, stage
// resolution and every rule.
func BenchmarkLint(b *testing.B) {
	df, _ := Render(Spec{GoVersion: "1.26.8", Package: "./cmd/app", Binary: "app", Cgo: true, GoSum: true})
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Lint(df, LintOptions{GoMod: fixtureMod}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestGoTooOldToolchainSetting: the golang images set GOTOOLCHAIN=local,
// but a Dockerfile may set it again; what the go command then does (go
// 1.26.8, go.mod "go 1.99.0"): local and go1.26.8 stop with "go.mod
// requires go >= 1.99.0", path and go1.26.8+path look for go1.99.0 on
// PATH, auto and go1.26.8+auto download go1.99.0.
func TestGoTooOldToolchainSetting(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		setting string // instruction in the build stage, "" for none
		sev     finding.Severity
		want    string // in the message; "" for no finding
	}{
		{"", finding.Error, "the image sets GOTOOLCHAIN=local, so go build stops"},
		{"ENV GOTOOLCHAIN=local", finding.Error, "GOTOOLCHAIN=local, so go build stops"},
		{"ENV GOTOOLCHAIN=go1.26.1", finding.Error, "GOTOOLCHAIN=go1.26.1, so go build stops"},
		{"ENV GOTOOLCHAIN=path", finding.Error, "GOTOOLCHAIN=path: go build stops unless go1.26.8 is on PATH"},
		{"ENV GOTOOLCHAIN=auto", finding.Warning, "GOTOOLCHAIN=auto: every build downloads go1.26.8"},
		{"ARG GOTOOLCHAIN=go1.26.1+auto", finding.Warning, "GOTOOLCHAIN=go1.26.1+auto: every build downloads go1.26.8"},
		{"ENV GOTOOLCHAIN=go1.26.8", finding.Warning, "GOTOOLCHAIN=go1.26.8: every build downloads go1.26.8"},
		{"ENV GOTOOLCHAIN=go1.27.0+path", finding.Error, "GOTOOLCHAIN=go1.27.0+path: go build stops unless go1.27.0 is on PATH"},
		{"ENV GOTOOLCHAIN=$TC", 0, ""},
	} {
		df := "FROM --platform=$BUILDPLATFORM golang:1.26.1 AS build\n" + tc.setting + "\n" +
			"ARG TARGETOS TARGETARCH TARGETVARIANT\n" +
			"RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -o /out/app .\n" +
			"FROM scratch\nCOPY --from=build /out/app /app\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n"
		findings, err := Lint([]byte(df), LintOptions{Path: "Dockerfile", GoMod: fixtureMod})
		if err != nil {
			t.Fatalf("%q: %v", tc.setting, err)
		}
		var got []finding.Finding
		for _, f := range findings {
			if f.Rule == RuleGoTooOld.ID {
				got = append(got, f)
			}
		}
		switch {
		case tc.want == "" && len(got) != 0:
			t.Errorf("%q: unexpected %v", tc.setting, got)
		case tc.want != "" && (len(got) != 1 || got[0].Severity != tc.sev || !strings.Contains(got[0].Message, tc.want)):
			t.Errorf("%q: findings %v; want one %v containing %q", tc.setting, got, tc.sev, tc.want)
		}
	}
}
