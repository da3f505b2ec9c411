package matrix

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/target"
)

const mainFunc = "\nfunc main() {}\n"

// constraintModule has a package for each way a file is kept from or
// given to a target: file name suffixes, //go:build and // +build lines,
// OS aliases (android is linux, ios is darwin, illumos is solaris), unix,
// release tags, custom tags, cgo, and directories the go command never
// matches.
func constraintModule() map[string]string {
	return map[string]string{
		"cmd/all/main.go":                 "package main" + mainFunc,
		"cmd/linuxonly/main.go":           "//go:build linux\n\npackage main" + mainFunc,
		"cmd/winonly/main_windows.go":     "package main" + mainFunc,
		"cmd/unixonly/main.go":            "//go:build unix\n\npackage main" + mainFunc,
		"cmd/notunix/main.go":             "//go:build !unix\n\npackage main" + mainFunc,
		"cmd/arm64only/main_arm64.go":     "package main" + mainFunc,
		"cmd/linuxarm/main_linux_arm.go":  "package main" + mainFunc,
		"cmd/androidish/main_linux.go":    "package main" + mainFunc,
		"cmd/darwinish/main.go":           "//go:build darwin\n\npackage main" + mainFunc,
		"cmd/iosonly/main_ios.go":         "package main" + mainFunc,
		"cmd/solarisish/main_solaris.go":  "package main" + mainFunc,
		"cmd/plusbuild/main.go":           "// +build linux,386 windows\n\npackage main" + mainFunc,
		"cmd/oldrelease/main.go":          "//go:build go1.18\n\npackage main" + mainFunc,
		"cmd/futurerelease/main.go":       "//go:build go1.999\n\npackage main" + mainFunc,
		"cmd/custom/main.go":              "//go:build foo && !bar\n\npackage main" + mainFunc,
		"cmd/gconly/main.go":              "//go:build gc\n\npackage main" + mainFunc,
		"cmd/gccgoonly/main.go":           "//go:build gccgo\n\npackage main" + mainFunc,
		"cmd/cgoonly/main.go":             "package main\n\nimport \"C\"" + mainFunc,
		"cmd/cgofallback/cgo.go":          "package main\n\nimport \"C\"" + mainFunc,
		"cmd/cgofallback/nocgo.go":        "//go:build !cgo\n\npackage main" + mainFunc,
		"cmd/wasmonly/main.go":            "//go:build wasm\n\npackage main" + mainFunc,
		"cmd/suffixword/main_thing.go":    "package main" + mainFunc,
		"cmd/ignored/main.go":             "//go:build ignore\n\npackage main" + mainFunc,
		"cmd/ignored/lib.go":              "package lib\n",
		"cmd/mainonlinux/main_linux.go":   "package main" + mainFunc,
		"cmd/mainonlinux/lib_other.go":    "//go:build !linux\n\npackage lib\n",
		"cmd/afterclause/main.go":         "package main\n\n//go:build ignore\n" + mainFunc,
		"cmd/testonly/main_test.go":       "package main\n",
		"cmd/withtest/main.go":            "package main" + mainFunc,
		"cmd/withtest/main_linux_test.go": "package main\n",
		"lib/x/x.go":                      "package x\n",
		"lib/winx/x_windows.go":           "package winx\n",
		"cmd/_hidden/main.go":             "package main" + mainFunc,
		"cmd/.dot/main.go":                "package main" + mainFunc,
		"cmd/testdata/main.go":            "package main" + mainFunc,
		"cmd/vendor/v/main.go":            "package main" + mainFunc,
		"cmd/all/_skip.go":                "package other\n",
	}
}

// present is what a listing says exists for one target: import path →
// package name.
func present(pkgs map[string]*listed) map[string]string {
	out := map[string]string{}
	for path, p := range pkgs {
		switch {
		case p.Error == nil && len(p.GoFiles) > 0:
			out[path] = p.Name
		case p.Error == nil:
			// Test files alone: no program, which listOnce leaves out.
		case excluded(p):
			out[path] = p.Name + " (excluded)"
		default:
			out[path] = "error: " + p.Error.Err
		}
	}
	return out
}

func allTargets(t *testing.T) []target.Target {
	var out []target.Target
	for _, p := range loadToolchain(t).ports {
		out = append(out, target.Target{GOOS: p.GOOS, GOARCH: p.GOARCH})
	}
	return out
}

// TestListOnceMatchesGoList compares the in-process judgement of one
// listing with the go command's own listing for every port of the
// toolchain.
func TestListOnceMatchesGoList(t *testing.T) {
	dir := writeModule(t, constraintModule())
	targets := allTargets(t)
	for _, tt := range []struct {
		name     string
		patterns []string
		tags     string
	}{
		{"everything", []string{"./..."}, ""},
		{"custom tag", []string{"./..."}, "foo"},
		{"two tags", []string{"./cmd/..."}, "foo,bar"},
		{"literal packages", []string{"./cmd/winonly", "./cmd/linuxonly", "./cmd/cgoonly", "./lib/..."}, ""},
		{"module root", []string{"."}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			opts := PlanOptions{Dir: dir, Patterns: tt.patterns, Targets: targets, Cgo: CgoOff, Tags: tt.tags,
				Jobs: 2, Environ: os.Environ(), Ports: loadToolchain(t).ports}
			once, ok, err := listOnce(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if tt.name == "module root" {
				// No Go files at the root: the go command's error is
				// left to the per-target listing.
				if ok {
					t.Fatal("listOnce judged a directory without Go files")
				}
				return
			}
			if !ok {
				t.Fatal("listOnce fell back to listing per target")
			}
			each, err := listPerTarget(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			for i, tg := range targets {
				if diff := cmp.Diff(present(each[i]), present(once[i])); diff != "" {
					t.Errorf("%s: packages differ from go list's (-go list +listOnce):\n%s", tg, diff)
				}
			}
			// The fixture is meant to tell targets apart: a comparison
			// of empty listings would prove nothing.
			seen := map[string]bool{}
			for i := range targets {
				for p := range present(once[i]) {
					seen[p] = true
				}
			}
			if len(seen) < 3 {
				t.Errorf("only %d packages for all targets", len(seen))
			}
		})
	}
}

// TestListOnceFallsBack covers what listOnce must not judge: MakePlan
// then lists per target, and its plan is the go command's.
func TestListOnceFallsBack(t *testing.T) {
	main := "package main" + mainFunc
	for _, tt := range []struct {
		name     string
		files    map[string]string
		patterns []string
		cgo      CgoMode
		symlink  bool
	}{
		{"tool tag", map[string]string{"cmd/a/main.go": main, "cmd/v3/main.go": "//go:build amd64.v3\n\npackage main" + mainFunc}, nil, CgoOff, false},
		{"experiment tag", map[string]string{"cmd/a/main.go": main, "cmd/x/main.go": "//go:build goexperiment.greenteagc\n\npackage main" + mainFunc}, nil, CgoOff, false},
		{"nested module", map[string]string{"cmd/a/main.go": main, "tools/go.mod": "module example.com/tools\n", "tools/t/main.go": main}, nil, CgoOff, false},
		{"import path pattern", map[string]string{"cmd/a/main.go": main}, []string{"example.com/m/cmd/..."}, CgoOff, false},
		{"cgo on", map[string]string{"cmd/a/main.go": main}, nil, CgoOn, false},
		{"mixed package names", map[string]string{"cmd/a/main.go": main, "cmd/a/lib.go": "package lib\n"}, nil, CgoOff, false},
		{"syntax error", map[string]string{"cmd/a/main.go": main, "cmd/b/main.go": "package main\nimport (\n"}, nil, CgoOff, false},
		{"symbolic link", map[string]string{"cmd/a/main.go": main}, nil, CgoOff, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeModule(t, tt.files)
			if tt.symlink {
				if err := os.Symlink(filepath.Join(dir, "cmd", "a"), filepath.Join(dir, "cmd", "link")); err != nil {
					t.Fatal(err)
				}
			}
			patterns := tt.patterns
			if patterns == nil {
				patterns = []string{"./..."}
			}
			targets := []target.Target{{GOOS: "linux", GOARCH: "amd64"}, {GOOS: "windows", GOARCH: "arm64"}, {GOOS: "darwin", GOARCH: "arm64"}}
			opts := PlanOptions{Dir: dir, Patterns: patterns, Targets: targets, Cgo: tt.cgo, Jobs: 2,
				Environ: os.Environ(), Ports: loadToolchain(t).ports}
			_, ok, err := listOnce(context.Background(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				t.Fatal("listOnce judged what only the go command can")
			}
			// The per-target listing still plans (or refuses) as before.
			if _, err := MakePlan(context.Background(), opts); err != nil && tt.name != "mixed package names" && tt.name != "syntax error" {
				t.Fatal(err)
			}
		})
	}
}

// TestMakePlanSkipsExcludedPackages plans a host-excluded package from
// one listing: windows only, its pairs for other targets are skipped with
// the reason, never dropped.
func TestMakePlanSkipsExcludedPackages(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"cmd/win/main_windows.go": "package main" + mainFunc,
		"cmd/all/main.go":         "package main" + mainFunc,
	})
	targets := []target.Target{{GOOS: "linux", GOARCH: "amd64"}, {GOOS: "windows", GOARCH: "amd64"}}
	opts := PlanOptions{Dir: dir, Patterns: []string{"./..."}, Targets: targets, Cgo: CgoOff, Jobs: 2, Environ: os.Environ(), Ports: loadToolchain(t).ports}
	if _, ok, err := listOnce(context.Background(), opts); err != nil || !ok {
		t.Fatalf("listOnce: ok=%v err=%v", ok, err)
	}
	plan, err := MakePlan(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range plan.Pairs {
		got[p.Target.String()+" "+p.Name] = p.Skip
	}
	want := map[string]string{
		"linux/amd64 all":   "",
		"linux/amd64 win":   "no Go files for linux/amd64 (build constraints exclude the package)",
		"windows/amd64 all": "",
		"windows/amd64 win": "",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("plan (-want +got):\n%s", diff)
	}
}

func FuzzQuotedFields(f *testing.F) {
	f.Add(`"a" "b c" ["x.go" "y\tz.go"] [] ""`)
	f.Add(`["go1.1" "go1.2"`)
	f.Add(`"\xff" ["\u00e9"]`)
	f.Add(`[ "a" ] "`)
	f.Fuzz(func(t *testing.T, line string) {
		fields, err := quotedFields(line)
		if err != nil {
			return
		}
		for _, fl := range fields {
			if !fl.list && len(fl.values) != 1 {
				t.Fatalf("scalar with %d values", len(fl.values))
			}
		}
		if _, err := parseListOnce([]byte(line + "\n" + line)); err != nil {
			return
		}
	})
}

func TestRecentToolchain(t *testing.T) {
	t.Parallel()
	tags := func(minor int) []string {
		var out []string
		for i := 1; i <= minor; i++ {
			out = append(out, fmt.Sprintf("go1.%d", i))
		}
		return out
	}
	for minor, want := range map[int]bool{16: false, 20: false, 21: true, 26: true, 30: true} {
		if got := recentToolchain(tags(minor)); got != want {
			t.Errorf("go1.%d: recentToolchain = %v, want %v", minor, got, want)
		}
	}
	if recentToolchain(nil) {
		t.Error("no release tags: judged recent")
	}
}

func TestParseListOnceRejectsMalformed(t *testing.T) {
	t.Parallel()
	for _, line := range []string{
		`"a" "b"`,
		`"a" "b" "c" "d" [] [] "" "" [] []`,
		`"a" "b" "c" [] [] [] [] "" [] []`,
		`"a" "b" "c" [] [] [] "" "" "x" []`,
		`"a" "b" "c" [] [] [] "" "" [] [] "extra"`,
		`"unterminated`,
	} {
		if _, err := parseListOnce([]byte(line)); err == nil {
			t.Errorf("%q: parsed", line)
		}
	}
	hl, err := parseListOnce([]byte(`"m/a" "main" "/d" ["a.go"] ["c.go"] ["b_windows.go" "b_test.go"] "" "/d" ["go1.1"] ["foo"]` + "\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := &hostListing{
		Packages:    []hostPackage{{ImportPath: "m/a", Name: "main", Dir: "/d", Files: []string{"a.go", "c.go", "b_windows.go"}, ModuleDir: "/d"}},
		ReleaseTags: []string{"go1.1"}, BuildTags: []string{"foo"},
	}
	if diff := cmp.Diff(want, hl); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
