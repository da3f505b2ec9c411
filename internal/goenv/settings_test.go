package goenv

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSettingsPrecedence(t *testing.T) {
	t.Parallel()
	s := Settings{
		Environ:   []string{"A=env", "B="},
		EnvFile:   &EnvFile{Path: "/goenv", Vars: map[string]string{"A": "file", "B": "file", "C": "file"}},
		GorootEnv: &EnvFile{Path: "/goroot/go.env", Vars: map[string]string{"C": "goroot", "D": "goroot"}},
	}
	type vs struct{ V, S string }
	got := map[string]vs{}
	for _, k := range []string{"A", "B", "C", "D", "E"} {
		v, src := s.Get(k)
		got[k] = vs{v, src}
	}
	want := map[string]vs{
		"A": {"env", "environment"}, "B": {"file", "/goenv"}, "C": {"file", "/goenv"},
		"D": {"goroot", "/goroot/go.env"}, "E": {"", ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
