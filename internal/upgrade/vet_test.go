package upgrade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

// printf's non-constant format check applies from go1.24 files on, and go
// test runs it: the module's tests pass at go 1.21 and fail at go 1.24,
// as the finding predicts. go.mod itself is never modified.
func TestVetNewDiagnostics(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	files := map[string]string{
		"go.mod":      gomod("1.21"),
		"lib.go":      "package lib\n\nimport \"fmt\"\n\nfunc Log(msg string) { fmt.Printf(msg) }\n\nfunc OK(n int) { fmt.Printf(\"%d\", n) }\n",
		"lib_test.go": "package lib\n\nimport \"testing\"\n\nfunc TestLog(t *testing.T) { Log(\"x\") }\n",
	}
	root := writeModule(t, files)
	mustGo(t, root, env, "test", "./...")
	res := analyze(t, root, Options{To: "1.24", Environ: env, Vet: true})
	got := byRule(res.Findings, RuleVetNew)
	if diff := cmp.Diff([]string{"lib.go:5"}, locations(got)); diff != "" {
		t.Fatalf("vet findings (-want +got):\n%s", diff)
	}
	if got[0].Severity != finding.Error || !strings.Contains(got[0].Message, "non-constant format string") {
		t.Errorf("finding = %+v; want an error quoting printf", got[0])
	}
	if res.Facts.VetSkipped != "" {
		t.Errorf("VetSkipped = %q", res.Facts.VetSkipped)
	}
	if data, _ := goRun(t, root, env, "mod", "edit", "-json"); !strings.Contains(data, `"Go": "1.21"`) {
		t.Fatalf("go.mod was modified: %s", data)
	}
	mustGo(t, root, env, "mod", "edit", "-go=1.24")
	if out, ok := goRun(t, root, env, "test", "./..."); ok || !strings.Contains(out, "non-constant format string") {
		t.Fatalf("go test at go 1.24: ok=%v\n%s", ok, out)
	}

	clean := writeModule(t, map[string]string{"go.mod": gomod("1.21"), "lib.go": "package lib\n\nimport \"fmt\"\n\nfunc OK(n int) { fmt.Printf(\"%d\", n) }\n"})
	if got := byRule(analyze(t, clean, Options{To: "1.24", Environ: env, Vet: true}).Findings, RuleVetNew); len(got) != 0 {
		t.Errorf("clean module: %+v", got)
	}
}

func TestParsePosn(t *testing.T) {
	t.Parallel()
	tests := map[string]finding.Location{
		"/a/b.go:5:31": {Path: "/a/b.go", Line: 5, Column: 31},
		"c:\\x.go:7":   {Path: "c:\\x.go", Line: 7},
		"nofile":       {Path: "nofile"},
	}
	for in, want := range tests {
		if got := parsePosn(in); got != want {
			t.Errorf("parsePosn(%q) = %+v; want %+v", in, got, want)
		}
	}
}

func TestGoTestVetAnalyzers(t *testing.T) {
	t.Parallel()
	set := goTestVetAnalyzers(installedGOROOT(t))
	for _, name := range []string{"printf", "directive", "errorsas"} {
		if !set[name] {
			t.Errorf("%s missing from go test's vet analyzers %v", name, set)
		}
	}
	if set["shadow"] || set["unusedresult"] {
		t.Errorf("analyzers go test does not run are listed: %v", set)
	}
}
