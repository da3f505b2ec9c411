package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseHistory(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, body string
		want       History
		wantErr    string
	}{
		{"absent", "matrix:\n  cgo: on\n", History{}, ""},
		{"keep", "history:\n  keep: 20\n", History{Keep: 20}, ""},
		{"disable", "history:\n  disable: true\n", History{Disable: true}, ""},
		{"zero keep", "history:\n  keep: 0\n", History{}, "goport.yaml:2: history.keep: want a number from 1 to 100000"},
		{"huge keep", "history:\n  keep: 1000001\n", History{}, "goport.yaml:2: history.keep"},
		{"word keep", "history:\n  keep: all\n", History{}, "goport.yaml:2: history.keep"},
		{"bad disable", "history:\n  disable: yes\n", History{}, "goport.yaml:2: history.disable: want true or false"},
		{"unknown key", "history:\n  dir: x\n", History{}, "goport.yaml:2: history: unknown key \"dir\""},
		{"not a mapping", "history: 5\n", History{}, "goport.yaml:1: history must be a mapping"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse("goport.yaml", []byte(tt.body))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, c.History); diff != "" {
				t.Errorf("history (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultHistory(t *testing.T) {
	t.Parallel()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if c.History.Keep != DefaultHistoryKeep || c.History.Disable {
		t.Errorf("default history = %+v, want keep %d", c.History, DefaultHistoryKeep)
	}
}
