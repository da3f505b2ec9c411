package upgrade

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A module vendored at go 1.16 has no go versions in vendor/modules.txt:
// after the go line moves to 1.18 the vendored generic code still fails
// with -lang=go1.16, exactly as the finding says, until `go mod vendor`.
func TestVendorWithoutAnnotations(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	root := writeModule(t, map[string]string{
		"dep/go.mod":  "module example.com/dep\n\ngo 1.18\n",
		"dep/dep.go":  "package dep\n\nfunc Map[T any](xs []T) []T { return xs }\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.16\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n",
		"app/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { _ = dep.Map([]int{1}) }\n",
	})
	app := filepath.Join(root, "app")
	mustGo(t, app, env, "mod", "vendor")
	res := analyze(t, app, Options{To: "1.18", Environ: env})
	got := byRule(res.Findings, RuleVendorLang)
	if len(got) != 1 || got[0].Evidence[0].Text != "example.com/dep@v0.0.0" {
		t.Fatalf("vendor findings = %+v; want one naming example.com/dep@v0.0.0", got)
	}
	if len(byRule(res.Findings, RuleTidy117)) != 1 {
		t.Errorf("crossing 1.17 not reported: %+v", res.Findings)
	}

	mustGo(t, app, env, "mod", "edit", "-go=1.18")
	if out, ok := goRun(t, app, env, "build", "-o", "/dev/null", "."); ok || !strings.Contains(out, "-lang was set to go1.16") {
		t.Fatalf("build after raising the go line: ok=%v\n%s\nwant the go1.16 language error", ok, out)
	}
	mustGo(t, app, env, "mod", "vendor")
	mustGo(t, app, env, "build", "-o", "/dev/null", ".")
	res = analyze(t, app, Options{To: "1.18", Environ: env})
	if got := byRule(res.Findings, RuleVendorLang); len(got) != 0 {
		t.Errorf("after go mod vendor: %+v", got)
	}
}

func mustGo(t *testing.T, dir string, env []string, args ...string) {
	t.Helper()
	if out, ok := goRun(t, dir, env, args...); !ok {
		t.Fatalf("go %s: %s", strings.Join(args, " "), out)
	}
}

// Raising a go 1.16 line by hand makes the go command demand go mod tidy
// once a dependency is involved, as GP-UPG-401 warns.
func TestTidyAfterCrossing117(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	root := writeModule(t, map[string]string{
		"dep2/go.mod": "module example.com/dep2\n\ngo 1.16\n",
		"dep2/d.go":   "package dep2\n\nconst X = 1\n",
		"dep/go.mod":  "module example.com/dep\n\ngo 1.16\n\nrequire example.com/dep2 v0.0.0\n\nreplace example.com/dep2 => ../dep2\n",
		"dep/dep.go":  "package dep\n\nimport \"example.com/dep2\"\n\nconst Y = dep2.X\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.16\n\nrequire example.com/dep v0.0.0\n\nreplace (\n\texample.com/dep => ../dep\n\texample.com/dep2 => ../dep2\n)\n",
		"app/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { println(dep.Y) }\n",
	})
	app := filepath.Join(root, "app")
	mustGo(t, app, env, "build", "-o", "/dev/null", ".")
	res := analyze(t, app, Options{To: "1.21", Environ: env})
	if diff := cmp.Diff([]string{"go.mod:3"}, locations(byRule(res.Findings, RuleTidy117))); diff != "" {
		t.Errorf("GP-UPG-401 (-want +got):\n%s", diff)
	}
	mustGo(t, app, env, "mod", "edit", "-go=1.21")
	if out, ok := goRun(t, app, env, "build", "-o", "/dev/null", "."); ok || !strings.Contains(out, "go mod tidy") {
		t.Fatalf("build after editing the go line: ok=%v\n%s\nwant a request for go mod tidy", ok, out)
	}
	mustGo(t, app, env, "mod", "tidy")
	mustGo(t, app, env, "build", "-o", "/dev/null", ".")
	res = analyze(t, app, Options{To: "1.21", Environ: env})
	if got := byRule(res.Findings, RuleTidy117); len(got) != 0 {
		t.Errorf("already at 1.21: %+v", got)
	}
}

func TestVendorModulesWithoutGo(t *testing.T) {
	t.Parallel()
	txt := "# example.com/a v1.0.0\n## explicit\nexample.com/a\n" +
		"# example.com/b v1.2.0 => ../b\n## explicit; go 1.18\nexample.com/b\n" +
		"# example.com/c v0.1.0\nexample.com/c/x\n" +
		"# example.com/b => ../b\n"
	want := []string{"example.com/a@v1.0.0", "example.com/c@v0.1.0"}
	if diff := cmp.Diff(want, VendorModulesWithoutGo([]byte(txt))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// From go 1.21, go mod tidy raises the main go line to the highest
// dependency go line: a module upgraded to 1.21 that requires a dependency
// at 1.24 ends at 1.24, as GP-UPG-403 warns when crossing 1.21.
func TestTidyRaisesGoLine(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	lib := writeModule(t, map[string]string{"go.mod": gomod("1.20"), "lib.go": "package lib\n"})
	if got := byRule(analyze(t, lib, Options{To: "1.21", Environ: env}).Findings, RuleTidyRaises); len(got) != 1 {
		t.Fatalf("crossing 1.21: %+v; want one GP-UPG-403", got)
	}
	if got := byRule(analyze(t, lib, Options{To: "1.20", Environ: env}).Findings, RuleTidyRaises); len(got) != 0 {
		t.Fatalf("staying at 1.20: %+v", got)
	}

	root := writeModule(t, map[string]string{
		"dep/go.mod":  "module example.com/dep\n\ngo 1.24\n",
		"dep/dep.go":  "package dep\n\nconst X = 1\n",
		"app/go.mod":  "module example.com/app\n\ngo 1.21\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n",
		"app/main.go": "package main\n\nimport \"example.com/dep\"\n\nfunc main() { println(dep.X) }\n",
	})
	app := filepath.Join(root, "app")
	mustGo(t, app, env, "mod", "tidy")
	if out, _ := goRun(t, app, env, "mod", "edit", "-json"); !strings.Contains(out, `"Go": "1.24"`) {
		t.Fatalf("go mod tidy did not raise the go line to 1.24:\n%s", out)
	}
}

// A go line above the toolchain makes it download the newer one; offline
// that fails, as GP-UPG-406 says. The installed go plays the older
// toolchain facing a go line one release ahead.
func TestToolchainSwitch(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	next := installedLine(t, env)
	minor, _ := minorOf(next)
	ahead := writeModule(t, map[string]string{"go.mod": gomod(goLine(minor + 1)), "main.go": "package main\n\nfunc main() {}\n"})
	out, ok := goRun(t, ahead, append(env, "GOTOOLCHAIN=auto"), "build", "-o", "/dev/null", ".")
	if ok || !strings.Contains(out, "toolchain not available") {
		t.Fatalf("go build with a go line ahead, offline: ok=%v\n%s", ok, out)
	}
	lib := writeModule(t, map[string]string{"go.mod": gomod("1.20"), "lib.go": "package lib\n"})
	if got := byRule(analyze(t, lib, Options{To: "1.22", Environ: env}).Findings, RuleToolchainSwitch); len(got) != 1 {
		t.Errorf("raising to 1.22: %+v; want one GP-UPG-406", got)
	}
	if got := byRule(analyze(t, lib, Options{To: "1.20", Environ: env}).Findings, RuleToolchainSwitch); len(got) != 0 {
		t.Errorf("no raise: %+v", got)
	}
}
