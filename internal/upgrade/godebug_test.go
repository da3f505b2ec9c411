package upgrade

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

// The defaults computed from the parsed table must be exactly what the go
// command gives a main package at each go line.
func TestDefaultsMatchGoList(t *testing.T) {
	t.Parallel()
	tab := installedTable(t)
	env := testEnv(t)
	for _, line := range []string{"", "1.16", "1.18", "1.19", "1.20", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26"} {
		t.Run("go"+line, func(t *testing.T) {
			t.Parallel()
			root := writeModule(t, map[string]string{
				"go.mod":  gomod(line),
				"main.go": "package main\n\nfunc main() {}\n",
			})
			out, ok := goRun(t, root, env, "list", "-f", "{{.DefaultGODEBUG}}", ".")
			if !ok {
				t.Fatalf("go list: %s", out)
			}
			minor := 16 // no go line means go 1.16
			if line != "" {
				minor, _ = minorOf(line)
			}
			if diff := cmp.Diff(strings.TrimSpace(out), FormatDefaults(tab.Defaults(minor))); diff != "" {
				t.Errorf("DefaultGODEBUG at go %q (-go list +computed):\n%s", line, diff)
			}
		})
	}
}

func TestTableFromToolchain(t *testing.T) {
	t.Parallel()
	tab := installedTable(t)
	panicnil, ok := tab.Lookup("panicnil")
	if !ok || panicnil.Changed != 21 || panicnil.Old != "1" || panicnil.Package != "runtime" {
		t.Errorf("panicnil = %+v, %v; want Changed 21, Old 1, runtime", panicnil, ok)
	}
	if !strings.Contains(panicnil.Doc, "panic") || panicnil.DocRelease != "Go 1.21" {
		t.Errorf("panicnil doc = %q (%s); want the Go 1.21 paragraph", panicnil.Doc, panicnil.DocRelease)
	}
	if got := tab.RemovedIn("x509sha1"); got != 24 {
		t.Errorf("RemovedIn(x509sha1) = %d; want 24", got)
	}
	if _, ok := tab.Lookup("madvdontneed"); ok {
		t.Error("madvdontneed is a runtime-only knob, not in the table")
	}
}

// program prints whether the timer channel is buffered, which is exactly
// what asynctimerchan governs.
const timerProgram = `package main

import (
	"fmt"
	"time"
)

func main() {
	t := time.NewTimer(time.Hour)
	fmt.Println(cap(t.C))
	t.Stop()
}
`

func TestGodebugFlipForUsedAPI(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	tests := []struct {
		name    string
		gomod   string
		main    string
		wantOut string // output of go run with the module as written
		want    []string
	}{
		{"timer at go 1.20", gomod("1.20"), timerProgram, "1",
			[]string{"asynctimerchan", "containermaxprocs", "decoratemappings", "updatemaxprocs"}},
		{"pinned by godebug", gomod("1.20", "godebug asynctimerchan=1"), timerProgram, "1",
			[]string{"containermaxprocs", "decoratemappings", "updatemaxprocs"}},
		{"pinned by //go:debug", gomod("1.20"), "//go:debug asynctimerchan=1\n" + timerProgram, "1",
			[]string{"containermaxprocs", "decoratemappings", "updatemaxprocs"}},
		{"default pinned", gomod("1.20", "godebug default=go1.20"), timerProgram, "1", nil},
		{"default pinned by //go:debug", gomod("1.20"), "//go:debug default=go1.20\n" + timerProgram, "1", nil},
		{"already at go 1.23", gomod("1.23"), timerProgram, "0",
			[]string{"containermaxprocs", "decoratemappings", "updatemaxprocs"}},
		{"sleep only", gomod("1.22"), "package main\n\nimport \"time\"\n\nfunc main() { time.Sleep(1) }\n", "",
			[]string{"containermaxprocs", "decoratemappings", "updatemaxprocs"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeModule(t, map[string]string{"go.mod": tc.gomod, "main.go": tc.main})
			if tc.wantOut != "" {
				out, ok := goRun(t, root, env, "run", ".")
				if !ok || strings.TrimSpace(out) != tc.wantOut {
					t.Fatalf("go run = %q, %v; want %s", out, ok, tc.wantOut)
				}
			}
			res := analyze(t, root, Options{To: "1.26", Environ: env})
			if diff := cmp.Diff(tc.want, flipped(res.Findings)); diff != "" {
				t.Errorf("flipped settings (-want +got):\n%s", diff)
			}
		})
	}
}

// The fix a finding prints must really keep the old behaviour: at the new
// go line, the program behaves as before only with the printed line.
func TestGodebugFixRestoresOldBehaviour(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	root := writeModule(t, map[string]string{"go.mod": gomod("1.20"), "main.go": timerProgram})
	res := analyze(t, root, Options{To: "1.26", Environ: env, Loops: true})
	var line string
	for _, f := range byRule(res.Findings, RuleGodebugFlip) {
		if strings.HasPrefix(f.Message, "GODEBUG asynctimerchan ") {
			_, rest, _ := strings.Cut(f.Fix, "`")
			line, _, _ = strings.Cut(rest, "`")
			if got := locations([]finding.Finding{f}); len(got) == 0 {
				t.Errorf("asynctimerchan finding has no evidence location")
			}
		}
	}
	if line != "godebug asynctimerchan=1" {
		t.Fatalf("fix line = %q; want godebug asynctimerchan=1", line)
	}
	upgraded := writeModule(t, map[string]string{"go.mod": gomod("1.26"), "main.go": timerProgram})
	if out, _ := goRun(t, upgraded, env, "run", "."); strings.TrimSpace(out) != "0" {
		t.Fatalf("at go 1.26 without the fix: %q; want 0 (the new behaviour)", out)
	}
	fixed := writeModule(t, map[string]string{"go.mod": gomod("1.26", line), "main.go": timerProgram})
	if out, _ := goRun(t, fixed, env, "run", "."); strings.TrimSpace(out) != "1" {
		t.Fatalf("at go 1.26 with %q: %q; want 1 (the old behaviour)", line, out)
	}
	if got := fmt.Sprint(res.Facts.Keep); !strings.Contains(got, "asynctimerchan=1") {
		t.Errorf("Facts.Keep = %s; want asynctimerchan=1 in it", got)
	}
}

func TestPanicNilTrigger(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	lib := func(body string) map[string]string {
		return map[string]string{"go.mod": gomod("1.20"), "lib.go": "package lib\n\n" + body}
	}
	tests := []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"panic(nil)", lib("func F() { panic(nil) }\n"), true},
		{"recover", lib("func F() (err any) { defer func() { err = recover() }(); return }\n"), true},
		{"panic with value", lib("func F() { panic(\"x\") }\n"), false},
		{"local nil shadow", lib("func F() { nil := 1; _ = nil }\n"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := analyze(t, writeModule(t, tc.files), Options{To: "1.21", Environ: env})
			got := false
			for _, n := range flipped(res.Findings) {
				got = got || n == "panicnil"
			}
			if got != tc.want {
				t.Errorf("panicnil reported = %v; want %v (%v)", got, tc.want, res.Findings)
			}
		})
	}
}

func TestMinorOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1.21", 21, true}, {"go1.22.3", 22, true}, {"1.21rc1", 21, true}, {"1.23beta2", 23, true},
		{"1", 0, true}, {"2.0", 0, false}, {"1.x", 0, false}, {"go1.21.", 0, false}, {"", 0, false}, {"1.21-pre", 0, false},
	}
	for _, tc := range tests {
		got, err := minorOf(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("minorOf(%q) = %d, %v; want %d, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// gotestjsonbuildtext belongs to the go command: the module's go line and
// its godebug lines do not reach it, so it is reported as a toolchain
// change whose only switch is the GODEBUG environment variable.
func TestGoCommandSetting(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	files := map[string]string{"m.go": "package m\n\nvar x = y\n", "m_test.go": "package m\n"}
	jsonBuildOutput := func(mod string, extraEnv ...string) bool {
		files["go.mod"] = mod
		out, _ := goRun(t, writeModule(t, files), append(env, extraEnv...), "test", "-json", ".")
		return strings.Contains(out, `"Action":"build-output"`)
	}
	if !jsonBuildOutput(gomod("1.20")) || !jsonBuildOutput(gomod("1.20", "godebug gotestjsonbuildtext=1")) {
		t.Fatal("the go line or a godebug line changed go test -json build output; the model is wrong")
	}
	if jsonBuildOutput(gomod("1.20"), "GODEBUG=gotestjsonbuildtext=1") {
		t.Fatal("GODEBUG=gotestjsonbuildtext=1 did not restore text build output")
	}
	res := analyze(t, writeModule(t, map[string]string{"go.mod": gomod("1.20"), "lib.go": "package lib\n"}), Options{To: "1.26", Environ: env})
	got := byRule(res.Findings, RuleGoCommandDebug)
	if len(got) != 1 || !strings.Contains(got[0].Fix, "GODEBUG=gotestjsonbuildtext=1") {
		t.Errorf("findings = %+v; want one GP-UPG-405 with the GODEBUG fix", got)
	}
	if slices.Contains(res.Facts.Keep, "gotestjsonbuildtext=1") {
		t.Errorf("Keep lists a go command setting: %v", res.Facts.Keep)
	}
}

// In workspace mode go.work's go line and godebug lines select the
// defaults, and the module's own godebug lines are ignored; the go command
// agrees.
func TestWorkspaceGoLine(t *testing.T) {
	t.Parallel()
	env := append(testEnv(t), "GOWORK=")
	root := writeModule(t, map[string]string{
		"go.work":     "go 1.22\n\nuse ./app\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.22\n\ngodebug (\n\tpanicnil=1\n\tasynctimerchan=1\n)\n",
		"app/main.go": timerProgram,
	})
	app := root + "/app"
	out, ok := goRun(t, app, env, "list", "-f", "{{.DefaultGODEBUG}}", ".")
	if !ok || strings.Contains(out, "panicnil") || !strings.Contains(out, "httpservecontentkeepheaders=1") {
		t.Fatalf("go list in the workspace: %q; want go 1.22 defaults without the module's godebug line", out)
	}
	res := analyze(t, app, Options{To: "1.23", Environ: env})
	if res.Facts.From != "1.22" || !slices.Contains(flipped(res.Findings), "asynctimerchan") {
		t.Errorf("from %s, flipped %v; want go.work's 1.22 and asynctimerchan (the module's pin does not count)", res.Facts.From, flipped(res.Findings))
	}
}

func TestFirstSentence(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Go 1.24 changed the global [`math/rand.Seed`](/pkg/math/rand/#Seed) to be a no-op. This behavior is controlled.": "Go 1.24 changed the global `math/rand.Seed` to be a no-op.",
		"One sentence only":           "One sentence only",
		"":                            "see https://go.dev/doc/godebug",
		"See [the docs](/doc). Rest.": "See the docs.",
	}
	for in, want := range tests {
		if got := firstSentence(in); got != want {
			t.Errorf("firstSentence(%q) = %q; want %q", in, got, want)
		}
	}
}

// TLS settings apply to any crypto/tls use; settings with a narrower
// trigger (ExportKeyingMaterial, X509KeyPair) stay quiet when it is not
// used, and a library without main gets no runtime-wide settings.
func TestTLSTriggers(t *testing.T) {
	t.Parallel()
	root := writeModule(t, map[string]string{
		"go.mod": gomod("1.21"),
		"lib.go": "package lib\n\nimport \"crypto/tls\"\n\nfunc Dial(addr string) (*tls.Conn, error) { return tls.Dial(\"tcp\", addr, &tls.Config{}) }\n",
	})
	res := analyze(t, root, Options{To: "1.26", Environ: testEnv(t)})
	want := []string{"tls10server", "tls3des", "tlsmlkem", "tlsrsakex", "tlssecpmlkem", "tlssha1"}
	if diff := cmp.Diff(want, flipped(res.Findings)); diff != "" {
		t.Errorf("flipped (-want +got):\n%s", diff)
	}
	// A library's go line selects defaults only for its own tests.
	for _, f := range byRule(res.Findings, RuleGodebugFlip) {
		if f.Severity != finding.Info || !strings.Contains(f.Message, "no main package here") {
			t.Errorf("library finding %q is %s; want info saying only tests see it", f.Message, f.Severity)
		}
	}
	// The facts list every flip, used or not.
	var used, all []string
	for _, s := range res.Facts.Settings {
		all = append(all, s.Name)
		if s.Used {
			used = append(used, s.Name)
		}
	}
	if diff := cmp.Diff(sorted(append([]string{"gotestjsonbuildtext"}, want...)), sorted(used)); diff != "" {
		t.Errorf("used settings (-want +got):\n%s", diff)
	}
	var tableFlips []string
	for _, s := range installedTable(t).Flips(21, 26) {
		tableFlips = append(tableFlips, s.Name)
	}
	if diff := cmp.Diff(tableFlips, all); diff != "" {
		t.Errorf("Facts.Settings (-table +got):\n%s", diff)
	}
}
