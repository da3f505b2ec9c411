package doctor

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

func TestSplitGOFLAGS(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"", nil, ""},
		{"  -mod=mod\t-trimpath\n", []string{"-mod=mod", "-trimpath"}, ""},
		{"'-ldflags=-s -w' -v", []string{"-ldflags=-s -w", "-v"}, ""},
		{`"-ldflags=-X a=b c"`, []string{"-ldflags=-X a=b c"}, ""},
		{"-ldflags='-s -w'", []string{"-ldflags='-s", "-w'"}, ""}, // quotes count only at a field's start
		{`"-ldflags=-s`, nil, `unterminated " string`},
		{"''", []string{""}, ""},
	}
	for _, tt := range tests {
		got, err := quotedFields(tt.in)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("quotedFields(%q) error = %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("quotedFields(%q): %v", tt.in, err)
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("quotedFields(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

// TestGOFLAGSMatchesGoBuild runs the real `go build` with each GOFLAGS value
// and checks that the rule calls fatal exactly what fails, quoting the go
// command's own message.
func TestGOFLAGSMatchesGoBuild(t *testing.T) {
	t.Parallel()
	tests := []struct {
		goflags  string
		severity finding.Severity // the most severe problem; 0 for none
	}{
		{"-mod=mod -trimpath", 0},
		{"'-ldflags=-s -w'", 0},
		{"--mod=readonly", 0},
		{"-buildvcs=auto", 0},
		{"-count=1", finding.Info},
		{"-test.count=1", finding.Info},
		{"-ldflags=-s -w", finding.Error}, // go build ignores -w, go env does not
		{"-u", finding.Error},
		{"-fix", finding.Warning},
		{"-insecure", finding.Warning},
		{"mod=mod", finding.Error},
		{"foo", finding.Error},
		{"-notaflag", finding.Error},
		{"-ldflags=-w -s", finding.Error},
		{"-ldflags=-X main.version=1.2.3", finding.Error},
		{"-ldflags='-X main.version=1.2.3'", finding.Error},
		{`"-ldflags=-s`, finding.Error},
		{"-", finding.Error},
		{"---x", finding.Error},
		{"-=x", finding.Error},
		{"-test.paniconexit0", finding.Error},
		{"-ldflags", finding.Error},
		{"-race=maybe", finding.Error},
		{"-buildvcs=maybe", finding.Error},
		{"-mod=bogus", finding.Error},
		{"-p=0", finding.Error},
		{"-p=abc", finding.Error},
		{"-C=/tmp", finding.Error},
		{"-compiler=foo", finding.Error},
		{"-buildmode=bogus", finding.Error},
	}
	dir := healthyModule(t)
	for _, tt := range tests {
		t.Run(tt.goflags, func(t *testing.T) {
			t.Parallel()
			problems := checkGOFLAGSValue(tt.goflags)
			var worst finding.Severity
			for _, p := range problems {
				worst = max(worst, p.Severity)
			}
			if worst != tt.severity {
				t.Errorf("worst severity = %v, want %v: %+v", worst, tt.severity, problems)
			}
			// -n prints the commands without running them: GOFLAGS is
			// parsed and checked exactly as for a real build.
			out, err := goRun(t, dir, withEnv(healthyEnv(t), "GOFLAGS="+tt.goflags), "build", "-n", "-o", "/dev/null", ".")
			// The rule quotes the go command exactly when go build fails.
			buildFails := slices.ContainsFunc(problems, func(p goflagProblem) bool { return p.GoSays != "" })
			if failed := err != nil; failed != buildFails {
				t.Fatalf("go build failed=%v, rule says it fails=%v\n%s", failed, buildFails, out)
			}
			for _, p := range problems {
				if p.Severity != finding.Error {
					continue
				}
				if p.GoSays != "" && strings.Contains(out, p.GoSays) {
					return // the go command stops at its first complaint
				}
			}
			if err != nil {
				t.Errorf("go build output quotes none of %+v:\n%s", problems, out)
			}
		})
	}
}

// TestGOFLAGSSplitLdflagsIsIgnored shows the silent failure: with
// GOFLAGS="-ldflags=-s -w" the linker gets -s but not -w.
func TestGOFLAGSSplitLdflagsIsIgnored(t *testing.T) {
	t.Parallel()
	out, err := goRun(t, healthyModule(t), withEnv(healthyEnv(t), "GOFLAGS=-ldflags=-s -w"), "build", "-n", "-o", "/dev/null", ".")
	if err != nil {
		t.Fatalf("go build -n: %v\n%s", err, out)
	}
	var link string
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "/link ") || strings.Contains(line, "link\" ") {
			link = line
		}
	}
	if link == "" {
		t.Fatalf("no link command in go build -n output:\n%s", out)
	}
	if !strings.Contains(link, " -s ") || strings.Contains(link, " -w ") {
		t.Errorf("link command %q: want -s without -w", link)
	}
	problems := checkGOFLAGSValue("-ldflags=-s -w")
	if len(problems) != 1 || problems[0].Field != "-w" || !strings.Contains(problems[0].Why, "previous field") {
		t.Errorf("problems = %+v, want one for -w naming the split", problems)
	}
}

// TestGoEnvFlagsInGOFLAGS checks what goEnvFlags says against the real go
// env, with a temporary GOENV file.
func TestGoEnvFlagsInGOFLAGS(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	path := writeGoEnv(t, env, "GOPROXY=https://goproxy.corp.example\nGOPRIVATE=git.acme.internal\n")

	out, err := goRun(t, t.TempDir(), withEnv(env, "GOFLAGS=-u"), "env", "GOPROXY")
	if err != nil {
		t.Fatalf("GOFLAGS=-u go env GOPROXY: %v\n%s", err, out)
	}
	if data, _ := os.ReadFile(path); strings.Contains(string(data), "GOPROXY") {
		t.Errorf("GOFLAGS=-u go env GOPROXY left GOPROXY in the GOENV file:\n%s", data)
	}

	out, err = goRun(t, t.TempDir(), withEnv(env, "GOFLAGS=-ldflags=-s -w"), "env", "-json")
	if err == nil || !strings.Contains(out, "cannot use -json with -w") {
		t.Errorf("GOFLAGS with -w, go env -json: err=%v\n%s", err, out)
	}
	out, err = goRun(t, t.TempDir(), withEnv(env, "GOFLAGS=-w"), "env", "GOPRIVATE")
	if err == nil || !strings.Contains(out, "arguments must be KEY=VALUE") {
		t.Errorf("GOFLAGS=-w go env GOPRIVATE: err=%v\n%s", err, out)
	}

	out, err = goRun(t, t.TempDir(), withEnv(env, "GOFLAGS=-changed"), "env", "GOPATH", "GOROOT")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("GOFLAGS=-changed go env GOPATH GOROOT = %q, %v; want nothing printed", out, err)
	}

	for name := range goEnvFlags {
		p, bad := checkGOFLAGSField("-" + name)
		if !bad || p.Severity != finding.Error || !strings.Contains(p.Why, "go env") {
			t.Errorf("-%s: problem %+v, want an error naming go env", name, p)
		}
	}
}

// TestGOFLAGSInsecure checks that -insecure in GOFLAGS breaks go get rather
// than relaxing anything.
func TestGOFLAGSInsecure(t *testing.T) {
	t.Parallel()
	env := withEnv(healthyEnv(t), "GOFLAGS=-insecure", "GOPROXY=off")
	out, err := goRun(t, healthyModule(t), env, "get", "example.com/dep@v1.0.0")
	if err == nil || !strings.Contains(out, "-insecure flag is no longer supported; use GOINSECURE instead") {
		t.Errorf("GOFLAGS=-insecure go get: err=%v\n%s", err, out)
	}
	p, bad := checkGOFLAGSField("-insecure")
	if !bad || !strings.Contains(p.Why, "go get rejects it") {
		t.Errorf("problem = %+v, want one saying go get rejects it", p)
	}
}

// TestBuildFlagsMatchHelp keeps buildFlags equal to what `go help build`
// documents for the installed Go.
func TestBuildFlagsMatchHelp(t *testing.T) {
	t.Parallel()
	out, err := goRun(t, t.TempDir(), healthyEnv(t), "help", "build")
	if err != nil {
		t.Fatalf("go help build: %v\n%s", err, out)
	}
	documented := []string{"o"} // from the usage line: go build [-o output] [build flags]
	for _, m := range regexp.MustCompile(`(?m)^\t-([A-Za-z][A-Za-z0-9]*)\b`).FindAllStringSubmatch(out, -1) {
		documented = append(documented, m[1])
	}
	slices.Sort(documented)
	documented = slices.Compact(documented)
	var ours []string
	for name := range buildFlags {
		ours = append(ours, name)
	}
	slices.Sort(ours)
	if diff := cmp.Diff(documented, ours); diff != "" {
		t.Errorf("buildFlags differ from go help build (-help +ours):\n%s", diff)
	}
}

// TestOtherGoFlagsAreKnown checks the hard-coded flag lists against the
// real go command: every listed name is accepted in GOFLAGS, and every flag
// the go help pages document is listed.
func TestOtherGoFlagsAreKnown(t *testing.T) {
	t.Parallel()
	env := healthyEnv(t)
	var all []string
	for name := range otherGoFlags {
		all = append(all, "-"+name)
	}
	for name := range testFlags {
		all = append(all, "-test."+name)
	}
	slices.Sort(all)
	if out, err := goRun(t, t.TempDir(), withEnv(env, "GOFLAGS="+strings.Join(all, " ")), "version"); err != nil {
		t.Fatalf("the go command rejects a listed flag: %v\n%s", err, out)
	}

	candidates := map[string]bool{}
	for _, topic := range []string{"clean", "env", "fix", "generate", "get", "install", "list", "mod download",
		"mod edit", "mod graph", "mod tidy", "mod vendor", "mod why", "run", "test", "testflag", "tool",
		"version", "vet", "work edit", "work use", "work vendor"} {
		out, err := goRun(t, t.TempDir(), env, append([]string{"help"}, strings.Fields(topic)...)...)
		if err != nil {
			t.Fatalf("go help %s: %v\n%s", topic, err, out)
		}
		for _, m := range regexp.MustCompile(`(?m)^\s+-([a-z][a-z0-9]*)\b`).FindAllStringSubmatch(out, -1) {
			candidates[m[1]] = true
		}
	}
	for name := range candidates {
		if knownGoFlag(name) {
			continue
		}
		out, _ := goRun(t, t.TempDir(), withEnv(env, "GOFLAGS=-"+name), "version")
		if !strings.Contains(out, "unknown flag") {
			t.Errorf("the go command knows -%s but the flag lists do not", name)
		}
	}
}

func FuzzCheckGOFLAGS(f *testing.F) {
	for _, s := range []string{"", "-mod=mod", "'-ldflags=-s -w'", "-ldflags=-s -w", "mod=mod", `"x`, "-p=0", "--=", "-test.v",
		"-\xff", "\x00", strings.Repeat("-v ", 1000)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fields, err := quotedFields(s)
		problems := checkGOFLAGSValue(s)
		if err != nil {
			if len(problems) != 1 || problems[0].Severity != finding.Error {
				t.Fatalf("split error %v but problems %+v", err, problems)
			}
			return
		}
		if len(problems) > len(fields) {
			t.Fatalf("%d problems for %d fields", len(problems), len(fields))
		}
		for _, p := range problems {
			if p.Why == "" || p.Fix == "" || p.Severity < finding.Info || p.Severity > finding.Error {
				t.Fatalf("incomplete problem %+v for %q", p, s)
			}
		}
	})
}

func TestGOFLAGSRule(t *testing.T) {
	t.Parallel()
	t.Run("environment", func(t *testing.T) {
		t.Parallel()
		fs := proxyRuleFindings(t, "GP-FLAGS-001", "GOFLAGS=mod=mod")
		if len(fs) != 1 || fs[0].Severity != finding.Error || !strings.Contains(fs[0].Message, `non-flag "mod=mod"`) {
			t.Fatalf("findings = %+v", fs)
		}
		if ev := fs[0].Evidence; len(ev) != 1 || ev[0].Text != "GOFLAGS=mod=mod (environment)" {
			t.Errorf("evidence = %+v", ev)
		}
	})
	t.Run("GOENV file", func(t *testing.T) {
		t.Parallel()
		env := healthyEnv(t)
		path := writeGoEnv(t, env, "GOPROXY=https://proxy.golang.org,direct\nGOFLAGS=-notaflag\n")
		// healthyEnv has GOFLAGS= in the environment: empty counts as unset.
		fs := findingsOf(t, gather(t, healthyModule(t), env), "GP-FLAGS-001")
		if len(fs) != 1 {
			t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
		}
		if diff := cmp.Diff(&finding.Location{Path: path, Line: 2}, fs[0].Location()); diff != "" {
			t.Errorf("location mismatch (-want +got):\n%s", diff)
		}
		out, err := goRun(t, healthyModule(t), env, "build", "-n", ".")
		if err == nil || !strings.Contains(out, "unknown flag -notaflag") {
			t.Errorf("go build with GOFLAGS from the GOENV file: err=%v\n%s", err, out)
		}
	})
	t.Run("healthy", func(t *testing.T) {
		t.Parallel()
		if fs := proxyRuleFindings(t, "GP-FLAGS-001", "GOFLAGS=-mod=readonly -trimpath '-ldflags=-s -w'"); len(fs) != 0 {
			t.Errorf("unexpected findings: %+v", fs)
		}
	})
}
