package upgrade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Each situation is created for real and checked against the go command:
// the build (or go vet, which go test runs) must fail with the message the
// finding quotes, and a healthy module must build and vet cleanly.
func TestDirectives(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	tests := []struct {
		name     string
		files    map[string]string
		rule     string
		wantLocs []string
		goCmd    []string // go command that must fail...
		goErr    string   // ...with this in its output
	}{
		{
			name: "after package clause",
			files: map[string]string{
				"go.mod":  gomod("1.21"),
				"main.go": "package main\n\n//go:debug panicnil=1\n\nfunc main() {}\n",
			},
			rule: RuleGodebugMisplaced, wantLocs: []string{"main.go:3"},
			goCmd: []string{"vet", "./..."}, goErr: "//go:debug directive only valid before package declaration",
		},
		{
			name: "in a library package",
			files: map[string]string{
				"go.mod":     gomod("1.21"),
				"lib/lib.go": "//go:debug panicnil=1\n\npackage lib\n",
			},
			rule: RuleGodebugMisplaced, wantLocs: []string{"lib/lib.go:1"},
			goCmd: []string{"vet", "./..."}, goErr: "//go:debug directive only valid in package main or test",
		},
		{
			name: "unknown key",
			files: map[string]string{
				"go.mod":  gomod("1.21"),
				"main.go": "//go:debug madvdontneed=1\n\npackage main\n\nfunc main() {}\n",
			},
			rule: RuleGodebugUnknown, wantLocs: []string{"main.go:1"},
			goCmd: []string{"build", "-o", "/dev/null", "."}, goErr: `unknown //go:debug setting "madvdontneed"`,
		},
		{
			name: "removed key",
			files: map[string]string{
				"go.mod":  gomod("1.21"),
				"main.go": "//go:debug x509sha1=1\n\npackage main\n\nfunc main() {}\n",
			},
			rule: RuleGodebugRemoved, wantLocs: []string{"main.go:1"},
			goCmd: []string{"build", "-o", "/dev/null", "."}, goErr: `use of removed //go:debug setting "x509sha1"`,
		},
		{
			name: "unknown key in go.mod",
			files: map[string]string{
				"go.mod":  gomod("1.21", "godebug tlskyber=1"),
				"main.go": "package main\n\nfunc main() {}\n",
			},
			rule: RuleGodebugUnknown, wantLocs: []string{"go.mod:5"},
			goCmd: []string{"build", "-o", "/dev/null", "."}, goErr: `go.mod:5: unknown godebug "tlskyber"`,
		},
		{
			name: "healthy",
			files: map[string]string{
				"go.mod":          gomod("1.21", "godebug panicnil=1"),
				"main.go":         "//go:debug asynctimerchan=1\n\npackage main\n\nfunc main() {}\n",
				"lib/lib_test.go": "//go:debug panicnil=0\n\npackage lib\n",
				"lib/lib.go":      "package lib\n",
			},
			goCmd: []string{"vet", "./..."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeModule(t, tc.files)
			out, ok := goRun(t, root, env, tc.goCmd...)
			if tc.goErr == "" && !ok {
				t.Fatalf("go %s failed on the healthy module:\n%s", strings.Join(tc.goCmd, " "), out)
			}
			if tc.goErr != "" && (ok || !strings.Contains(out, tc.goErr)) {
				t.Fatalf("go %s: ok=%v output:\n%s\nwant failure with %q", strings.Join(tc.goCmd, " "), ok, out, tc.goErr)
			}
			res := analyze(t, root, Options{To: "1.26", Environ: env})
			for _, rule := range []string{RuleGodebugMisplaced, RuleGodebugUnknown, RuleGodebugRemoved} {
				got := byRule(res.Findings, rule)
				if rule != tc.rule {
					if len(got) > 0 {
						t.Errorf("unexpected %s: %v", rule, got)
					}
					continue
				}
				if diff := cmp.Diff(tc.wantLocs, locations(got)); diff != "" {
					t.Errorf("%s locations (-want +got):\n%s", rule, diff)
				}
			}
		})
	}
}
