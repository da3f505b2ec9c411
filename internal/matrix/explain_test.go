package matrix

import (
	"testing"

	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/triage"
)

// A failed pair is explained in its own scope: a runbook that applies to
// another target is not its cause.
func TestExplainUsesThePairsTarget(t *testing.T) {
	t.Parallel()
	onlyWindows := &kb.Runbook{ID: "RB-2026-301", Title: "windows only", Applies: kb.Applicability{GOOS: []string{"windows"}},
		Symptoms: []kb.Symptom{{Pattern: "cannot find -lvendorsdk", Confidence: 0.9}}}
	anywhere := &kb.Runbook{ID: "RB-2026-302", Title: "anywhere",
		Symptoms: []kb.Symptom{{Pattern: "cannot find -l", Confidence: 0.5}}}
	engine, err := triage.New([]*kb.Runbook{onlyWindows, anywhere})
	if err != nil {
		t.Fatal(err)
	}
	log := []byte("/usr/bin/ld: cannot find -lvendorsdk: No such file or directory\n")
	for goos, want := range map[string]string{"windows": "RB-2026-301", "linux": "RB-2026-302"} {
		pr := explain(Options{Triage: func() *triage.Engine { return engine }}, PairResult{Status: Failed, Pair: Pair{Target: target.Target{GOOS: goos, GOARCH: "amd64"}}}, log)
		if pr.Explained == nil || pr.Explained.Runbook != want {
			t.Errorf("%s: explained as %+v, want %s", goos, pr.Explained, want)
		}
	}
}
