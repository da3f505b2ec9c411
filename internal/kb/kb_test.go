package kb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

const goodRunbook = `---
id: RB-2026-001
title: 'Build fails: error obtaining VCS status'
tags: [vcs, docker]
severity: warning
created: 2026-01-02
updated: 2026-02-03
rules: [GP-SRC-001]
symptoms:
  - pattern: 'error obtaining VCS status: exit status \d+'
    confidence: 0.9
  - pattern: 'Use -buildvcs=false'
    then: 'exit status'
    window: 3
---

## Symptoms

` + "```text\nerror obtaining VCS status: exit status 128\n```" + `

## Cause

git is missing in the container.

## Fix

Install git.

## Rollback

Remove git.

## References

- <https://go.dev/>
`

func TestParse(t *testing.T) {
	t.Parallel()
	rb, err := Parse("rb.md", []byte(strings.ReplaceAll(goodRunbook, "\n", "\r\n")))
	if err != nil {
		t.Fatal(err)
	}
	if rb.ID != "RB-2026-001" || rb.Severity != finding.Warning || rb.Title != "Build fails: error obtaining VCS status" {
		t.Errorf("got %+v", rb)
	}
	if want := time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC); !rb.Updated.Equal(want) {
		t.Errorf("updated = %v", rb.Updated)
	}
	if diff := cmp.Diff([]string{"vcs", "docker"}, rb.Tags); diff != "" {
		t.Error(diff)
	}
	if len(rb.Symptoms) != 2 || rb.Symptoms[0].Line != 10 || rb.Symptoms[1].Line != 12 || rb.Symptoms[1].Window != 3 {
		t.Errorf("symptoms %+v", rb.Symptoms)
	}
	if rb.Symptoms[1].Confidence != DefaultConfidence {
		t.Errorf("default confidence not applied: %v", rb.Symptoms[1].Confidence)
	}
	if got, _ := rb.Section("FIX"); got != "Install git." {
		t.Errorf("fix = %q", got)
	}
	if got, _ := rb.Section("symptoms"); !strings.Contains(got, "## ") && !strings.Contains(got, "exit status 128") {
		t.Errorf("symptoms section = %q", got)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "rb.md:1: missing front matter"},
		{"no front matter", "# title\n", "rb.md:1: missing front matter"},
		{"unterminated", "---\nid: X\n", "rb.md:1: unterminated front matter"},
		{"unknown key", "---\nid: X\ncolour: red\n---\n", "rb.md:3: front matter: field colour not found"},
		{"unknown symptom key", "---\nid: X\nsymptoms:\n  - pattern: a\n    regex: b\n---\n", "rb.md:5: front matter: field regex not found"},
		{"bad yaml", "---\nid: [\n---\n", "rb.md:"},
		{"bad date", "---\nid: X\ncreated: 2026-13-01\n---\n", "rb.md:3: created: invalid date"},
		{"bad severity", "---\nid: X\nseverity: fatal\n---\n", "rb.md:3: invalid severity"},
		{"wrong type", "---\nid: X\ntags: 3\n---\n", "rb.md:3: front matter: cannot unmarshal"},
		{"alias bomb", "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n---\n", "rb.md:"},
		{"binary", "---\n\x00\xff\n---\n", "rb.md: file is not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("rb.md", []byte(tt.in))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse error = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(goodRunbook))
	f.Add([]byte("---\n---\n"))
	f.Add([]byte("---\nsymptoms: [{pattern: '(', window: -1}]\n---\n## Fix\n```\n## Cause\n"))
	f.Add([]byte("---\r\nid: x\r\n---\r\n## Cause\r\n"))
	f.Add([]byte("---\napplies: {goos: [linux], goarch: [arm64], go: '>=1.21 <1.23'}\n---\n"))
	f.Add([]byte("---\napplies: {go: '>=go1.x <'}\n---\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rb, err := Parse("fuzz.md", data)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "fuzz.md") {
				t.Fatalf("error without file name: %v", err)
			}
			return
		}
		_ = rb.Applies.Matches(Scope{GOOS: "linux", GOARCH: "arm64", Go: "go1.22.3 X:fuzz"})
		s := &Store{byID: map[string]*Runbook{}, alias: map[string]*Runbook{}, builtin: map[*Runbook]bool{}}
		s.add(rb, false)
		_ = Lint(s, LintOptions{})
		_ = NewIndex([]*Runbook{rb}).Search(Query{Text: rb.Title})
	})
}

func TestLint(t *testing.T) {
	t.Parallel()
	builtin := fstest.MapFS{
		"GP-BUILD-001.md": {Data: []byte(strings.Replace(goodRunbook, "RB-2026-001", "GP-BUILD-001", 1))},
	}
	bad := `---
id: RB-26-1
title: ''
tags: [Bad_Tag]
created: 2026-02-01
updated: 2026-01-01
rules: [GP-NOPE-001]
supersedes: [GP-NONE-999]
symptoms:
  - pattern: '.*(unclosed'
  - pattern: 'ok'
    window: 3
---

## Cause

x

## Fix

## Extra

y
`
	team := fstest.MapFS{
		"bad.md":      {Data: []byte(bad)},
		"dup1.md":     {Data: []byte(goodRunbook)},
		"dup2.md":     {Data: []byte(goodRunbook)},
		"override.md": {Data: []byte(strings.Replace(goodRunbook, "RB-2026-001", "GP-BUILD-001", 1))},
		"broken.md":   {Data: []byte("---\nid: X\nnope: 1\n---\n")},
		"README.md":   {Data: []byte("not a runbook")},
	}
	s := Load(Source{Name: "builtin", FS: builtin, Builtin: true}, Source{Name: "team", FS: team})
	got := map[string]bool{}
	for _, p := range Lint(s, LintOptions{Rules: map[string]bool{"GP-SRC-001": true}}) {
		got[p.String()] = true
	}
	want := []string{
		"team/bad.md:2: invalid id \"RB-26-1\": want RB-YYYY-NNN",
		"team/bad.md:3: missing title",
		"team/bad.md:4: invalid tag \"Bad_Tag\": want lower-case kebab case, at most 63 characters",
		"team/bad.md:6: updated 2026-01-01 is before created 2026-02-01",
		"team/bad.md:7: unknown rule GP-NOPE-001 in rules",
		"team/bad.md:8: supersedes unknown runbook GP-NONE-999",
		"team/bad.md:10: symptom 1: invalid pattern: error parsing regexp: missing closing ): `.*(unclosed`",
		"team/bad.md:11: symptom 2: window without then",
		"team/bad.md: missing section ## Symptoms",
		"team/bad.md:19: empty section ## Fix",
		"team/bad.md:21: unknown section ## Extra (want Symptoms, Cause, Fix, Rollback, References)",
		"team/broken.md:3: front matter: field nope not found in type kb.frontMatter",
		"team/dup2.md:2: duplicate id RB-2026-001 (also in team/dup1.md)",
		"team/override.md:2: overrides built-in runbook GP-BUILD-001 (builtin/GP-BUILD-001.md)",
	}
	for _, w := range want {
		if !got[w] {
			t.Errorf("missing problem %q", w)
		}
	}
	if t.Failed() {
		for p := range got {
			t.Log(p)
		}
	}
	rb, _ := s.Get("GP-BUILD-001")
	if rb.Source != "team/override.md" {
		t.Errorf("override not applied: %s", rb.Source)
	}
}

func TestSearch(t *testing.T) {
	t.Parallel()
	mk := func(id, title string, tags []string, sev finding.Severity, updated string, body string) *Runbook {
		u, _ := time.Parse(dateLayout, updated)
		return &Runbook{ID: id, Title: title, Tags: tags, Severity: sev, Updated: u, Sections: map[string]string{"Cause": body}}
	}
	ix := NewIndex([]*Runbook{
		mk("GP-A-001", "cgo cross compiler missing", []string{"cgo", "cross-compile"}, finding.Error, "2026-01-01", "the host gcc"),
		mk("GP-A-002", "Checksum mismatch", []string{"modules"}, finding.Error, "2026-03-01", "go.sum and cgo mention"),
		mk("GP-A-003", "Deprecated flag", []string{"flags"}, finding.Warning, "2025-06-01", "nothing"),
	})
	ids := func(hits []Hit) []string {
		var out []string
		for _, h := range hits {
			out = append(out, h.Runbook.ID)
		}
		return out
	}
	tests := []struct {
		name string
		q    Query
		want []string
	}{
		{"title beats body", Query{Text: "cgo"}, []string{"GP-A-001", "GP-A-002"}},
		{"all words", Query{Text: "cgo checksum"}, []string{"GP-A-002"}},
		{"no match", Query{Text: "zebra"}, nil},
		{"by id", Query{Text: "gp-a-003"}, []string{"GP-A-003"}},
		{"tag", Query{Tags: []string{"modules"}}, []string{"GP-A-002"}},
		{"severity", Query{Severity: finding.Warning}, []string{"GP-A-003"}},
		{"after", Query{After: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)}, []string{"GP-A-002"}},
		{"before", Query{Before: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, []string{"GP-A-003"}},
		{"empty lists all", Query{}, []string{"GP-A-001", "GP-A-002", "GP-A-003"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, ids(ix.Search(tt.q))); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func TestCreateNeverOverwrites(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	// An id taken inside a file whose name does not show it still counts.
	if err := os.WriteFile(filepath.Join(dir, "old.md"), []byte(goodRunbook), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "RB-2026-007-x.md"), []byte("junk"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Create(dir, NewRunbook{Title: "Disk full on runner", Tags: []string{"ci"}, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(p) != "RB-2026-008-disk-full-on-runner.md" {
		t.Errorf("path = %s", p)
	}
	data, _ := os.ReadFile(p)
	rb, err := Parse(p, data)
	if err != nil {
		t.Fatal(err)
	}
	if rb.ID != "RB-2026-008" || rb.Title != "Disk full on runner" {
		t.Errorf("created %+v", rb)
	}
	p2, err := Create(dir, NewRunbook{Title: "Disk full on runner", Now: now})
	if err != nil || filepath.Base(p2) != "RB-2026-009-disk-full-on-runner.md" {
		t.Errorf("second create: %s, %v", p2, err)
	}
	if _, err := Create(dir, NewRunbook{Title: "x", Tags: []string{"Bad Tag"}, Now: now}); err == nil {
		t.Error("bad tag accepted")
	}
}

func TestRequiredLiteral(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pattern string
		want    Requirement
		ok      bool
	}{
		{`error obtaining VCS status: exit status \d+`, Requirement{"error obtaining vcs status: exit status "}, true},
		{`gcc_[a-z0-9_]+\.S: Assembler messages:`, Requirement{".s: assembler messages:"}, true},
		{`-(?:race|msan) requires cgo$`, Requirement{" requires cgo"}, true},
		{`(?:checksum|hash) mismatch`, Requirement{" mismatch"}, true},
		{`(?:foo|barbaz)`, Requirement{"barbaz", "foo"}, true},
		{`(?:foo|b)`, nil, false},
		{`\d+`, nil, false},
		{`(?i)Fatal Error`, Requirement{"fatal error"}, true},
		{`(`, nil, false},
	}
	for _, tt := range tests {
		got, ok := RequiredLiteral(tt.pattern)
		if ok != tt.ok || !cmp.Equal(got, tt.want) {
			t.Errorf("RequiredLiteral(%q) = %q, %v; want %q, %v", tt.pattern, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAppliesValidation(t *testing.T) {
	t.Parallel()
	for applies, wantErr := range map[string]string{
		"{goos: [linux], go: '>=1.21 <1.23'}": "",
		"{go: '1.22.3'}":                      "",
		"{go: '>=go1.21'}":                    "",
		"{go: '>=1.x'}":                       "is not a Go version",
		"{go: '~1.21'}":                       "is not a Go version",
		"{goos: ['linux/arm64']}":             "is not a GOOS or GOARCH name",
		"{goarch: ['']}":                      "is not a GOOS or GOARCH name",
	} {
		md := "---\nid: RB-2026-001\ntitle: 'x'\ncreated: 2026-01-05\nupdated: 2026-01-05\napplies: " + applies +
			"\n---\n\n## Symptoms\nx\n## Cause\nx\n## Fix\nx\n## Rollback\nx\n## References\nx\n"
		_, err := Parse("x.md", []byte(md))
		switch {
		case wantErr == "" && err != nil:
			t.Errorf("%s: %v", applies, err)
		case wantErr != "" && (err == nil || !strings.Contains(err.Error(), wantErr) || !strings.HasPrefix(err.Error(), "x.md:6:")):
			t.Errorf("%s: error %v, want x.md:6: …%s", applies, err, wantErr)
		}
	}
}
