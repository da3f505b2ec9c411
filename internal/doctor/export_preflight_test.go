package doctor

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/modfile"

	"github.com/goport/goport/internal/goenv"
)

func TestBuildBlockers(t *testing.T) {
	t.Parallel()
	environ := healthyEnv(t)
	for _, tc := range []struct {
		name, gomod string
		extra       []string
		want        []string
	}{
		{name: "healthy", gomod: "module example.com/m\n\ngo 1.21\n"},
		{name: "go.mod does not parse", gomod: "module example.com/m\n\nfrobnicate x\n", want: []string{"GP-MOD-001"}},
		{name: "go line too new", gomod: "module example.com/m\n\ngo 1.99.0\n", want: []string{"GP-MOD-002"}},
		{name: "bad GOFLAGS", gomod: "module example.com/m\n\ngo 1.21\n", extra: []string{"GOFLAGS=-notaflag"}, want: []string{"GP-FLAGS-001"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(tc.gomod), 0o644); err != nil {
				t.Fatal(err)
			}
			env := append(append([]string(nil), environ...), tc.extra...)
			goEnv, err := goenv.Load(context.Background(), dir, env)
			if err != nil {
				t.Fatal(err)
			}
			fs, rules, err := BuildBlockers(dir, env, goEnv)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				got = append(got, f.Rule)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			if len(rules) != len(buildBlockerRules) {
				t.Errorf("%d rules returned, want %d", len(rules), len(buildBlockerRules))
			}
		})
	}
	if _, _, err := BuildBlockers(filepath.Join(t.TempDir(), "missing"), environ, nil); err == nil {
		t.Error("a missing directory was accepted")
	}
}

func TestPrivateModules(t *testing.T) {
	t.Parallel()
	f, err := modfile.Parse("go.mod", []byte(`module git.corp.example.com/team/app

go 1.22

require (
	github.com/google/go-cmp v0.6.0
	corp.internal/lib v1.0.0
	nodot/lib v1.0.0
	old.example.com/x v1.0.0
)

replace old.example.com/x => 192.168.1.5/x v1.0.1
`), nil)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range PrivateModules(f) {
		got = append(got, m.Path+" "+m.Pattern)
	}
	want := []string{"git.corp.example.com/team/app git.corp.example.com", "corp.internal/lib corp.internal", "192.168.1.5/x 192.168.1.5"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if !IsPublicModuleHost("github.com") || !IsPublicModuleHost("go.googlesource.com") || IsPublicModuleHost("git.corp.example.com") {
		t.Error("IsPublicModuleHost disagrees with doctor's host list")
	}
}
