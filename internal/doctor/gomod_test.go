package doctor

import (
	"strings"
	"testing"
)

func TestGoModParseError(t *testing.T) {
	dir := writeModule(t, map[string]string{
		"go.mod": "module example.com/broken\n\ngo 1.26\n\nrequire (\n\texample.com/dep\n)\n",
	})
	fs := findingsOf(t, gather(t, dir, healthyEnv(t)), "GP-MOD-001")
	if len(fs) != 1 {
		t.Fatalf("got %d findings, want 1: %+v", len(fs), fs)
	}
	loc := fs[0].Location()
	if loc == nil || loc.Path != "go.mod" || loc.Line != 6 {
		t.Errorf("location = %+v, want go.mod:6", loc)
	}
	if !strings.Contains(fs[0].Message, "go.mod:6") {
		t.Errorf("message %q does not name go.mod:6", fs[0].Message)
	}
}

func TestGoModParsesCleanly(t *testing.T) {
	if fs := findingsOf(t, gather(t, healthyModule(t), healthyEnv(t)), "GP-MOD-001"); len(fs) != 0 {
		t.Errorf("unexpected findings: %+v", fs)
	}
}
