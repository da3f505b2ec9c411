package runbooks_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/dockerfile"
	"github.com/goport/goport/internal/doctor"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/preflight"
	"github.com/goport/goport/internal/release"
	"github.com/goport/goport/internal/repro"
	"github.com/goport/goport/internal/upgrade"
	"github.com/goport/goport/runbooks"
)

// allRules is every rule goport reports, as the rules command lists them.
func allRules() []finding.Rule {
	return slices.Concat(doctor.Rules(doctor.Checks()), dockerfile.Rules(), upgrade.Rules(), matrix.Rules(), binfile.Rules(), release.Rules(), repro.Rules(), preflight.Rules(), history.Rules())
}

func load(t *testing.T) *kb.Store {
	t.Helper()
	s := kb.Load(kb.Source{Name: "runbooks", FS: runbooks.FS(), Builtin: true})
	if len(s.Errors) > 0 {
		t.Fatalf("loading: %v", s.Errors)
	}
	return s
}

// TestCatalogueLints requires the built-in catalogue to be free of lint
// errors and warnings, with every rules: entry naming a real doctor rule.
func TestCatalogueLints(t *testing.T) {
	t.Parallel()
	s := load(t)
	rules := map[string]bool{}
	for _, r := range allRules() {
		rules[r.ID] = true
	}
	for _, p := range kb.Lint(s, kb.LintOptions{Rules: rules}) {
		t.Errorf("%s (%s)", p, p.Severity)
	}
}

// TestFailureRunbookCount keeps the build/run failure catalogue at its
// promised size.
func TestFailureRunbookCount(t *testing.T) {
	t.Parallel()
	n := 0
	for _, rb := range load(t).Runbooks() {
		if len(rb.Symptoms) > 0 {
			n++
		}
	}
	if n < 45 {
		t.Errorf("%d failure runbooks with log symptoms, want at least 45", n)
	}
}

// TestEveryRuleHasRunbook: every rule goport can report (doctor, preflight,
// upgrade, matrix, inspect, release, repro) must have a built-in runbook that lists it under rules:
// (its runbook id is the rule's RunbookID), so `goport kb show <rule>`
// always answers.
func TestEveryRuleHasRunbook(t *testing.T) {
	t.Parallel()
	s := load(t)
	var missing []string
	for _, r := range allRules() {
		rb, ok := s.Get(r.RunbookID())
		if !ok || !slices.Contains(rb.Rules, r.ID) {
			missing = append(missing, r.ID)
		}
	}
	if len(missing) > 0 {
		t.Errorf("rules without a runbook: %s", strings.Join(missing, ", "))
	}
}

// TestRuleRunbooksMatchRuleMetadata keeps a rule runbook's severity equal
// to the rule's default severity.
func TestRuleRunbooksMatchRuleMetadata(t *testing.T) {
	t.Parallel()
	s := load(t)
	for _, r := range allRules() {
		rb, ok := s.Get(r.RunbookID())
		if !ok || rb.ID != r.ID {
			continue
		}
		if rb.Severity != r.Severity && r.Severity != finding.Never {
			t.Errorf("%s: runbook severity %s, rule severity %s", r.ID, rb.Severity, r.Severity)
		}
	}
}

// TestEveryListedRuleHasRunbook asks the real binary for its rule list
// (`goport rules --format json`), so a rule family added to the command
// line later is covered too: every id must have a runbook.
func TestEveryListedRuleHasRunbook(t *testing.T) {
	if testing.Short() {
		t.Skip("builds goport")
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	cmd := exec.Command(goBin, "run", "../cmd/goport", "rules", "--format", "json")
	cmd.Env = append(os.Environ(), "GOFLAGS=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("goport rules: %v", err)
	}
	var rules []finding.Rule
	if err := json.Unmarshal(out, &rules); err != nil {
		t.Fatal(err)
	}
	s := load(t)
	var missing []string
	for _, r := range rules {
		if _, ok := s.Get(r.RunbookID()); !ok {
			missing = append(missing, r.ID)
		}
	}
	if len(rules) == 0 || len(missing) > 0 {
		t.Errorf("%d rules listed; without a runbook: %s", len(rules), strings.Join(missing, ", "))
	}
}
