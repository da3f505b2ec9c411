package dockerfile

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goportRuleFor maps BuildKit's build checks to the goport rule that
// reports the same problem.
var goportRuleFor = map[string]string{
	"FromPlatformFlagConstDisallowed": RuleEmulatedBuild.ID,
	"RedundantTargetPlatform":         RuleEmulatedBuild.ID,
	"UndefinedVar":                    RuleTargetEnv.ID,
	"JSONArgsRecommended":             RuleShellForm.ID,
	"InvalidDefaultArgInFrom":         RuleUnpinnedBase.ID,
	"FromAsCasing":                    RuleBuildKitCheck.ID,
	"StageNameCasing":                 RuleBuildKitCheck.ID,
	"MaintainerDeprecated":            RuleBuildKitCheck.ID,
	"NoEmptyContinuation":             RuleBuildKitCheck.ID,
}

// TestBuildKitChecks runs BuildKit's complete set of build checks (what
// `docker build --check` runs, from the dockerfile2llb package goport does
// not link) over the generated Dockerfiles and the lint fixtures: the
// generated ones draw no warning, and every warning on a fixture is one
// goport reports too, under the rule its explanation names. The checker
// is the module in testdata/buildkitlint, built from the module cache
// only; the test is skipped when the cache lacks its dependencies.
func TestBuildKitChecks(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds BuildKit's LLB packages")
	}
	bin := filepath.Join(t.TempDir(), "buildkitlint")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join("testdata", "buildkitlint")
	build.Env = append(os.Environ(), "GOFLAGS=", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
	if out, err := build.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "GOPROXY=off") {
			t.Skipf("BuildKit's dependencies are not in the module cache:\n%s", out)
		}
		t.Fatalf("building the BuildKit checker: %v\n%s", err, out)
	}
	run := func(files ...string) map[string][]string {
		cmd := exec.Command(bin, files...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("buildkitlint: %v\n%s", err, stderr.String())
		}
		warnings := map[string][]string{}
		for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if f := strings.Split(line, "\t"); len(f) == 3 {
				warnings[f[0]] = append(warnings[f[0]], f[2]+" at line "+f[1])
			}
		}
		return warnings
	}

	var generated []string
	for name, spec := range goldenSpecs() {
		df, _ := Render(spec)
		p := filepath.Join(t.TempDir(), name+".Dockerfile")
		if err := os.WriteFile(p, df, 0o644); err != nil {
			t.Fatal(err)
		}
		generated = append(generated, p)
	}
	for file, w := range run(generated...) {
		t.Errorf("BuildKit warns about generated %s: %v", filepath.Base(file), w)
	}

	fixtures, _ := filepath.Glob(filepath.Join("testdata", "lint", "*.Dockerfile"))
	warned := run(fixtures...)
	seen := map[string]bool{}
	for file, warnings := range warned {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		findings, err := Lint(data, LintOptions{GoMod: fixtureMod})
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range warnings {
			check, _, _ := strings.Cut(w, " ")
			seen[check] = true
			rule, ok := goportRuleFor[check]
			if !ok {
				t.Errorf("%s: BuildKit check %s has no goport counterpart", file, w)
				continue
			}
			found := false
			for _, f := range findings {
				found = found || f.Rule == rule
			}
			if !found {
				t.Errorf("%s: BuildKit warns %s, but goport reports no %s (%v)", file, w, rule, findings)
			}
		}
	}
	// The fixtures exercise each mapped check at least once, so this test
	// cannot pass by BuildKit saying nothing.
	for check := range goportRuleFor {
		if !seen[check] {
			t.Errorf("no fixture draws BuildKit's %s", check)
		}
	}
}
