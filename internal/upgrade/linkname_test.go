package upgrade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const clockSource = `package clock

import _ "unsafe"

//go:linkname nanotime runtime.nanotime
func nanotime() int64

//go:linkname gcount runtime.gcount
func gcount() int32

func Now() int64 { return nanotime() }

func Goroutines() int32 { return gcount() }
`

const clockMain = `package main

import (
	"fmt"

	"%s/clock"
)

func main() { fmt.Println(clock.Now() > 0, clock.Goroutines()) }
`

// runtime.nanotime is pushed by the runtime (allowed); runtime.gcount is
// not, and the real linker rejects it. The analysis must agree, in the
// module and in a dependency reached through a local replace.
func TestLinkname(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	tests := []struct {
		name     string
		files    map[string]string
		dir      string // module analysed and built
		wantLocs []string
		wantMsg  string
	}{
		{
			name: "in the module",
			files: map[string]string{
				"go.mod":         "module example.com/fastclock\n\ngo 1.20\n",
				"clock/clock.go": clockSource,
				"main.go":        strings.ReplaceAll(clockMain, "%s", "example.com/fastclock"),
			},
			wantLocs: []string{"clock/clock.go:8"},
			wantMsg:  "link: example.com/fastclock/clock: invalid reference to runtime.gcount",
		},
		{
			name: "in a dependency",
			files: map[string]string{
				"dep/go.mod":         "module example.com/dep\n\ngo 1.20\n",
				"dep/clock/clock.go": clockSource,
				"app/go.mod":         "module example.com/app\n\ngo 1.20\n\nrequire example.com/dep v0.0.0\n\nreplace example.com/dep => ../dep\n",
				"app/main.go":        strings.ReplaceAll(clockMain, "%s", "example.com/dep"),
			},
			dir:      "app",
			wantLocs: []string{"example.com/dep@v0.0.0/clock/clock.go:8"},
			wantMsg:  "link: example.com/dep/clock: invalid reference to runtime.gcount",
		},
		{
			name: "allowed symbol only",
			files: map[string]string{
				"go.mod":         "module example.com/okclock\n\ngo 1.20\n",
				"clock/clock.go": "package clock\n\nimport _ \"unsafe\"\n\n//go:linkname nanotime runtime.nanotime\nfunc nanotime() int64\n\nfunc Now() int64 { return nanotime() }\n",
				"main.go":        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/okclock/clock\"\n)\n\nfunc main() { fmt.Println(clock.Now() > 0) }\n",
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := writeModule(t, tc.files)
			if tc.dir != "" {
				root += "/" + tc.dir
			}
			out, ok := goRun(t, root, env, "build", "-o", "/dev/null", ".")
			if tc.wantMsg == "" && !ok {
				t.Fatalf("go build failed on the healthy module:\n%s", out)
			}
			if tc.wantMsg != "" && (ok || !strings.Contains(out, tc.wantMsg)) {
				t.Fatalf("go build: ok=%v\n%s\nwant failure with %q", ok, out, tc.wantMsg)
			}
			res := analyze(t, root, Options{To: "1.26", Environ: env})
			got := byRule(res.Findings, RuleLinkname)
			if tc.wantMsg == "" {
				if len(got) != 0 {
					t.Fatalf("unexpected findings: %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Evidence[0].Text != tc.wantMsg {
				t.Fatalf("findings = %+v; want one quoting %q", got, tc.wantMsg)
			}
			if tc.wantLocs != nil {
				if diff := cmp.Diff(tc.wantLocs, locations(got)); diff != "" {
					t.Errorf("locations (-want +got):\n%s", diff)
				}
			}
			// Before 1.23 the linker accepted it: nothing to report.
			if old := analyze(t, root, Options{To: "1.22", Environ: env}); len(byRule(old.Findings, RuleLinkname)) != 0 {
				t.Errorf("reported for --to 1.22, whose linker did not check linknames")
			}
		})
	}
}

func TestSplitLinkname(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, pkg, sym string }{
		{"runtime.gcount", "runtime", "gcount"},
		{"crypto/tls.(*Conn).foo", "crypto/tls", "(*Conn).foo"},
		{"github.com/a/b.F", "github.com/a/b", "F"},
		{"nodot", "", ""},
		{"x.", "", ""},
	}
	for _, tc := range tests {
		pkg, sym, _ := splitLinkname(tc.in)
		if pkg != tc.pkg || sym != tc.sym {
			t.Errorf("splitLinkname(%q) = %q, %q; want %q, %q", tc.in, pkg, sym, tc.pkg, tc.sym)
		}
	}
}
