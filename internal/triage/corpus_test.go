package triage

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/runbooks"
)

// corpusDir holds real failed-build logs labelled with their class
// (case.json); GOPORT_CORPUS overrides the default location next to the
// checkout.
func corpusDir() string {
	if d := os.Getenv("GOPORT_CORPUS"); d != "" {
		return d
	}
	return filepath.Join("..", "..", "..", "shared", "corpus", "visible")
}

type corpusCase struct {
	ID    string `json:"id"`
	Class string `json:"class"`
}

func builtinEngine(t testing.TB) (*kb.Store, *Engine) {
	t.Helper()
	s := kb.Load(kb.Source{Name: "runbooks", FS: runbooks.FS(), Builtin: true})
	if len(s.Errors) > 0 {
		t.Fatalf("loading built-in runbooks: %v", s.Errors)
	}
	e, err := New(s.Runbooks())
	if err != nil {
		t.Fatal(err)
	}
	return s, e
}

// TestCorpusAccuracy requires, for every labelled log, the runbook whose
// aliases name the case's class as the top cause; "none" logs must yield no
// cause and "multi" logs at least two independent causes. It prints the
// top-1 accuracy.
func TestCorpusAccuracy(t *testing.T) {
	dir := corpusDir()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Skipf("no corpus at %s: %v", dir, err)
	}
	s, e := builtinEngine(t)
	total, correct := 0, 0
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, ent.Name(), "case.json"))
		if err != nil {
			continue
		}
		var c corpusCase
		if err := json.Unmarshal(data, &c); err != nil {
			t.Fatalf("%s: %v", ent.Name(), err)
		}
		f, err := os.Open(filepath.Join(dir, ent.Name(), "log.txt"))
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Explain(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		total++
		var got []string
		for _, cause := range res.Causes {
			got = append(got, fmt.Sprintf("%s(%.2f)", cause.ID, cause.Confidence))
		}
		ok := false
		switch c.Class {
		case "none":
			ok = len(res.Causes) == 0
		case "multi":
			ok = len(res.Causes) >= 2
		default:
			want, found := s.Get(c.Class)
			if !found {
				t.Errorf("%s: no runbook has alias %q", c.ID, c.Class)
				continue
			}
			ok = len(res.Causes) > 0 && slices.Contains(res.Causes[0].Runbook.Aliases, c.Class)
			if !ok {
				t.Errorf("%s: class %s (want %s first), got %s", c.ID, c.Class, want.ID, strings.Join(got, " "))
			}
		}
		if ok {
			correct++
		} else if c.Class == "none" || c.Class == "multi" {
			t.Errorf("%s: class %s, got %s", c.ID, c.Class, strings.Join(got, " "))
		}
	}
	if total == 0 {
		t.Skip("empty corpus")
	}
	t.Logf("top-1 accuracy: %d/%d = %.1f%%", correct, total, 100*float64(correct)/float64(total))
}

// TestRecordedLogs explains the logs that testdata/record.sh recorded from
// real failing go commands on this kind of machine; each file is named
// after the runbook that must come first.
func TestRecordedLogs(t *testing.T) {
	t.Parallel()
	logs, err := filepath.Glob(filepath.Join("testdata", "logs", "*.log"))
	if err != nil || len(logs) == 0 {
		t.Fatalf("no recorded logs: %v", err)
	}
	_, e := builtinEngine(t)
	for _, p := range logs {
		want, _, _ := strings.Cut(filepath.Base(p), "--")
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := e.Explain(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Causes) == 0 || res.Causes[0].ID != want {
			var got []string
			for _, c := range res.Causes {
				got = append(got, fmt.Sprintf("%s(%.2f)", c.ID, c.Confidence))
			}
			t.Errorf("%s: got %v, want %s first", filepath.Base(p), got, want)
		}
	}
}
