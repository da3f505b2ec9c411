package upgrade

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// A go 1.17 program in a git repository: moving to Go 1.18+ makes go build
// run git. Where git works this is a note; where git fails (here a git
// that refuses like a container's safe.directory check) the real go build
// fails exactly as the error finding says.
func TestBuildVCS(t *testing.T) {
	t.Parallel()
	gitBin, err := exec.LookPath("git")
	if err != nil {
		t.Skip("no git")
	}
	env := append(testEnv(t), "GOENV=off", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")
	root := writeModule(t, map[string]string{"go.mod": gomod("1.17"), "main.go": "package main\n\nfunc main() {}\n"})
	git := exec.Command(gitBin, "init", "-q", ".")
	git.Dir = root
	if out, err := git.CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	res := analyze(t, root, Options{To: "1.18", Environ: env})
	if got := byRule(res.Findings, RuleBuildVCS); len(got) != 1 || got[0].Severity.String() != "info" {
		t.Fatalf("working git: %+v; want one info GP-UPG-407", got)
	}

	// A git that fails like git's dubious-ownership check.
	fake := t.TempDir()
	script := "#!/bin/sh\necho 'fatal: detected dubious ownership in repository' >&2\nexit 128\n"
	if err := os.WriteFile(filepath.Join(fake, "git"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	broken := append(env, "PATH="+fake+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, ok := goRun(t, root, broken, "build", "-o", os.DevNull, ".")
	if ok || !strings.Contains(out, "error obtaining VCS status") {
		t.Fatalf("go build with a failing git: ok=%v\n%s", ok, out)
	}
	res = analyze(t, root, Options{To: "1.18", Environ: broken})
	got := byRule(res.Findings, RuleBuildVCS)
	if len(got) != 1 || got[0].Severity.String() != "error" || !strings.Contains(got[0].Evidence[0].Text, "dubious ownership") {
		t.Fatalf("failing git: %+v; want one error quoting git", got)
	}
	// Already at 1.18, or stamping disabled: nothing new.
	if got := byRule(analyze(t, root, Options{To: "1.18", Environ: append(broken, "GOFLAGS=-buildvcs=false")}).Findings, RuleBuildVCS); len(got) != 0 {
		t.Errorf("with -buildvcs=false: %+v", got)
	}
	if got := byRule(analyze(t, root, Options{To: "1.17", Environ: env}).Findings, RuleBuildVCS); len(got) != 0 {
		t.Errorf("staying at 1.17: %+v", got)
	}
}
