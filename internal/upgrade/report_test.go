package upgrade

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/target"
)

func TestDeprecatedAPIs(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	root := writeModule(t, map[string]string{
		"go.mod": gomod("1.21"),
		"lib.go": "package lib\n\nimport (\n\t\"io/ioutil\"\n\t\"reflect\"\n\t\"strings\"\n)\n\n" +
			"func A() ([]byte, error) { return ioutil.ReadFile(\"x\") }\n\n" +
			"func B() string { return strings.Title(\"x\") }\n\n" +
			"func C() reflect.Type { return reflect.PtrTo(reflect.TypeOf(1)) }\n\n" +
			"func D() string { return strings.ToUpper(\"x\") }\n",
	})
	res := analyze(t, root, Options{To: "1.21", Environ: env})
	var got []string
	for _, f := range byRule(res.Findings, RuleDeprecated) {
		got = append(got, f.Message+" @ "+locations(byMessage(res.Findings, f.Message))[0])
	}
	want := []string{
		"uses deprecated package io/ioutil @ lib.go:9",
		"uses deprecated reflect.PtrTo @ lib.go:13",
		"uses deprecated strings.Title @ lib.go:11",
	}
	if diff := cmp.Diff(want, sorted(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestPlatforms(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	root := writeModule(t, map[string]string{"go.mod": gomod("1.22"), "lib.go": "package lib\n"})
	targets := []target.Target{{GOOS: "darwin", GOARCH: "arm64"}, {GOOS: "windows", GOARCH: "arm"}, {GOOS: "linux", GOARCH: "amd64"}}
	res := analyze(t, root, Options{To: "1.26", Environ: env, Targets: targets})
	var got []string
	for _, f := range res.Findings {
		if f.Target != nil {
			got = append(got, f.Rule+" "+f.Target.String()+" "+f.Message)
		}
	}
	want := []string{
		"GP-UPG-501 darwin/arm64 Go 1.23: macOS 11 Big Sur or later is required",
		"GP-UPG-501 darwin/arm64 Go 1.25: macOS 12 Monterey or later is required",
		"GP-UPG-501 linux/amd64 Go 1.24: Linux kernel 3.2 or later is required",
		"GP-UPG-501 windows/arm Go 1.24: windows/arm (32-bit) is marked broken",
		"GP-UPG-502 windows/arm Go 1.26: windows/arm (32-bit) is removed",
	}
	if diff := cmp.Diff(want, sorted(got)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// The installed toolchain agrees that windows/arm is gone.
	if out, ok := goRun(t, root, append(env, "GOOS=windows", "GOARCH=arm"), "build", "."); ok {
		t.Errorf("go build for windows/arm succeeded: %s", out)
	}
}

// A healthy module yields nothing about its code: a library at go 1.21
// that uses nothing governed by the settings flipping up to 1.23 gets only
// the informational note that raising a go line makes older toolchains
// switch, and a program already at the installed go line gets nothing.
func TestCleanModules(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	tests := []struct {
		name  string
		files map[string]string
		to    string
		want  []string
	}{
		{"library", map[string]string{"go.mod": gomod("1.21"), "lib.go": "package lib\n\nimport \"fmt\"\n\nfunc Hello() string { return fmt.Sprint(\"hello\") }\n"}, "1.23",
			[]string{RuleToolchainSwitch}},
		{"program at the installed go line", map[string]string{"go.mod": gomod(installedLine(t, env)),
			"main.go": "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfor i := range 3 {\n\t\tfmt.Println(func() int { return i }())\n\t}\n}\n"}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res := analyze(t, writeModule(t, tc.files), Options{To: tc.to, Environ: env, Loops: true, Vet: true})
			var got []string
			for _, f := range res.Findings {
				got = append(got, f.Rule)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rules on a clean module (-want +got):\n%s\n%+v", diff, res.Findings)
			}
		})
	}
}
