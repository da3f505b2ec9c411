package doctor

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

func TestParseVendorManifest(t *testing.T) {
	t.Parallel()
	a := module.Version{Path: "example.com/a", Version: "v1.0.0"}
	a2 := module.Version{Path: "example.com/a", Version: "v1.2.0"}
	aWild := module.Version{Path: "example.com/a"}
	b := module.Version{Path: "example.com/b", Version: "v0.1.0"}
	data := "## workspace\n" +
		"# example.com/a v1.0.0 => ../a\n" + // 2
		"## explicit\n" +
		"## go 1.21\n" +
		"example.com/a\n" +
		"# short\n" + // fewer than 3 fields: a stays current
		"example.com/a/sub\n" +
		"# example.com/b v0.1.0 => example.com/b2 v0.2.0\n" + // 8
		"## explicit; go 1.22; future\n" +
		"example.com/b\n" +
		"# example.com/c not-a-version\n" + // ignored, packages orphaned
		"example.com/c\n" +
		"# example.com/a v1.2.0\n" + // 13: a higher version of a
		"example.com/a\n" +
		"# example.com/a => ../a\n" + // 15: wildcard replacement
		"# example.com/d v1.0.0 => bad replacement here\n" +
		"two fields\n" +
		"\n"
	got := parseVendorManifest([]byte(data))
	want := &vendorManifest{
		List:    []module.Version{a, b, a2},
		Version: map[string]string{"example.com/a": "v1.2.0", "example.com/b": "v0.1.0"},
		Meta: map[module.Version]vendorMeta{
			a:     {Explicit: true, GoVersion: "1.21", Replacement: module.Version{Path: "../a"}},
			b:     {Explicit: true, GoVersion: "1.22", Replacement: module.Version{Path: "example.com/b2", Version: "v0.2.0"}},
			aWild: {Replacement: module.Version{Path: "../a"}},
			{Path: "example.com/d", Version: "v1.0.0"}: {},
		},
		Replaced: []module.Version{a, b, aWild},
		Line:     map[module.Version]int{a: 2, b: 8, a2: 13, aWild: 15, {Path: "example.com/d", Version: "v1.0.0"}: 16},
		GoVersions: []vendorGoVersion{
			{Mod: a, Version: "1.21", Line: 4},
			{Mod: b, Version: "1.22", Line: 9},
		},
		Workspace: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseVendorManifest (-want +got):\n%s", diff)
	}
}

func FuzzParseVendorManifest(f *testing.F) {
	f.Add([]byte("# example.com/a v1.0.0 => ../a\n## explicit; go 1.21\nexample.com/a\n# example.com/a => ../a\n"),
		[]byte("module m\n\ngo 1.26\n\nrequire example.com/a v1.0.0\n\nreplace example.com/a => ../a\n"))
	f.Add([]byte("## workspace\n# x v1.0.0\n## explicit\nx\n"), []byte("module m\ngo 1.13\nrequire x v1.1.0\n"))
	f.Add([]byte("# m v0.0.0-20200101000000-abcdefabcdef => m v1.0.0\n## explicit\r\nm/p\r\n"), []byte("module m\n"))
	f.Add([]byte("#  \n##\n# a\n## go \x00\n\xff\xfe\n"), []byte(""))
	f.Add([]byte(strings.Repeat("# a v1.0.0\n## explicit\na\n", 50)), []byte("module m\ngo 1.26\nrequire a v1.0.0\n"))
	f.Fuzz(func(t *testing.T, txt, gomod []byte) {
		m := parseVendorManifest(txt)
		lines := strings.Count(string(txt), "\n") + 1
		for _, mod := range m.List {
			if m.Version[mod.Path] == "" {
				t.Errorf("%v provides packages but has no selected version", mod)
			}
			if n := m.Line[mod]; n < 1 || n > lines {
				t.Errorf("%v: header line %d out of 1..%d", mod, n, lines)
			}
		}
		for _, mod := range m.Replaced {
			if m.Meta[mod].Replacement == (module.Version{}) {
				t.Errorf("%v listed as replaced without a replacement", mod)
			}
		}
		for _, g := range m.GoVersions {
			if g.Line < 1 || g.Line > lines {
				t.Errorf("go annotation line %d out of 1..%d", g.Line, lines)
			}
		}
		file, err := modfile.Parse("go.mod", gomod, nil)
		if err != nil {
			return
		}
		for _, p := range vendorConsistency(file, m) {
			if p.Detail == "" || p.Mod.Path == "" {
				t.Errorf("problem without detail or module: %+v", p)
			}
		}
	})
}
