package upgrade

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Parsers of toolchain files and tool output must never panic, whatever
// the bytes.

func FuzzParseTable(f *testing.F) {
	if src, err := os.ReadFile(filepath.Join(runtimeGOROOT(), "src", "internal", "godebugs", "table.go")); err == nil {
		f.Add(src)
	}
	f.Add([]byte("package godebugs\nvar All = []Info{{Name: \"a\", Changed: 21, Old: \"1\"}}\nvar Removed = []RemovedInfo{{Name: \"b\", Removed: 24}}\n"))
	f.Add([]byte("package godebugs\nvar All = []Info{{Name: x}}\n"))
	f.Add([]byte("package godebugs\nvar All = []Info{1}\n"))
	f.Add([]byte("\xff\xfe"))
	f.Fuzz(func(t *testing.T, src []byte) {
		tab, err := ParseTable(src)
		if err == nil {
			_ = FormatDefaults(tab.Defaults(16))
			_ = tab.Flips(16, 30)
		}
	})
}

func FuzzParseDoc(f *testing.F) {
	if src, err := os.ReadFile(filepath.Join(runtimeGOROOT(), "doc", "godebug.md")); err == nil {
		f.Add(src)
	}
	f.Add([]byte("## GODEBUG History {#history}\n### Go 1.23\nThe `asynctimerchan=1` setting.\n"))
	f.Add([]byte("### Go 1.2\n`` ` `x=` `"))
	f.Fuzz(func(t *testing.T, md []byte) {
		for name, docs := range ParseDoc(md) {
			if !isSettingName(name) || len(docs) == 0 {
				t.Fatalf("bad entry %q: %v", name, docs)
			}
		}
	})
}

func FuzzParseLoopvarReport(f *testing.F) {
	f.Add([]byte("./main.go:7:6: loop variable i now per-iteration, stack-allocated\n"))
	f.Add([]byte("a.go:3:2: loop variable k now per-iteration, heap-allocated (loop inlined into b.go:10)\r\n"))
	f.Add([]byte("x:99999999999999999999:1: loop variable i now per-iteration, heap-allocated\n"))
	f.Fuzz(func(t *testing.T, out []byte) {
		for _, l := range ParseLoopvarReport(out) {
			if l.Line <= 0 && l.Column <= 0 && l.Var == "" {
				t.Fatalf("empty loop parsed: %+v", l)
			}
		}
	})
}

func FuzzVendorModulesWithoutGo(f *testing.F) {
	f.Add([]byte("# example.com/a v1.0.0\n## explicit\nexample.com/a\n# example.com/b => ../b\n"))
	f.Add([]byte("# \n## go\n#"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = VendorModulesWithoutGo(data)
	})
}

func FuzzMinorOf(f *testing.F) {
	for _, s := range []string{"1.21", "go1.22.3", "1.21rc1", "1.23beta2", "1", "2.0", "1.x", "1.99999", "go1.21.", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if m, err := minorOf(s); err == nil && m < 0 {
			t.Fatalf("minorOf(%q) = %d", s, m)
		}
	})
}

func FuzzParseBlockedLinknames(f *testing.F) {
	f.Add([]byte("package loader\nvar blockedLinknames = map[string][]string{\"runtime.coroswitch\": {\"iter\"}}\n"))
	f.Add([]byte("package loader\nvar blockedLinknames = map[string][]string{1: 2}\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		_ = parseBlockedLinknames(src)
	})
}

// runtimeGOROOT finds the installed toolchain's root for seed corpora;
// "" when there is no go command (the fixed seeds still run).
func runtimeGOROOT() string {
	out, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

func FuzzParseVetJSON(f *testing.F) {
	f.Add([]byte("# m\n{\"m\": {\"printf\": [{\"posn\": \"/a.go:5:31\", \"message\": \"x\"}]}}\n{\"n\": {\"a\": {\"error\": \"e\"}}}\n"))
	f.Add([]byte("{}"))
	f.Add([]byte("{\"m\": 1}"))
	f.Fuzz(func(t *testing.T, out []byte) {
		_, _ = ParseVetJSON(out)
		_ = parsePosn(string(out))
	})
}
