package finding

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseFailOn(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Severity{"error": Error, "WARNING": Warning, "info": Info, "none": Never} {
		got, err := ParseFailOn(in)
		if err != nil || got != want {
			t.Errorf("ParseFailOn(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	if _, err := ParseFailOn("fatal"); err == nil {
		t.Error("ParseFailOn(fatal) succeeded")
	}
}

func TestFails(t *testing.T) {
	t.Parallel()
	r := &Report{Findings: []Finding{{Rule: "A", Severity: Warning}}}
	for threshold, want := range map[Severity]bool{Error: false, Warning: true, Info: true, Never: false} {
		if got := r.Fails(threshold); got != want {
			t.Errorf("Fails(%v) = %v, want %v", threshold, got, want)
		}
	}
	if (&Report{}).Fails(Info) {
		t.Error("an empty report fails")
	}
}

func TestSort(t *testing.T) {
	t.Parallel()
	at := func(p string, line int) []Evidence { return []Evidence{{Location: &Location{Path: p, Line: line}}} }
	r := &Report{Findings: []Finding{
		{Rule: "B", Severity: Info},
		{Rule: "C", Severity: Error, Evidence: at("b.go", 1)},
		{Rule: "A", Severity: Error},
		{Rule: "D", Severity: Error, Evidence: at("a.go", 9)},
		{Rule: "E", Severity: Error, Evidence: at("a.go", 2)},
		{Rule: "F", Severity: Warning},
	}}
	r.Sort()
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Rule)
	}
	if diff := cmp.Diff([]string{"E", "D", "C", "A", "F", "B"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

func TestSeverityJSON(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(Finding{Rule: "X", Severity: Warning})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"rule":"X","severity":"warning","message":""}`; string(b) != want {
		t.Errorf("got %s, want %s", b, want)
	}
	var f Finding
	if err := json.Unmarshal(b, &f); err != nil || f.Severity != Warning {
		t.Errorf("round trip: %v %+v", err, f)
	}
	if err := json.Unmarshal([]byte(`{"severity":"fatal"}`), &f); err == nil {
		t.Error("unknown severity accepted")
	}
}

func TestLocationStringQuotesControlCharacters(t *testing.T) {
	t.Parallel()
	for loc, want := range map[Location]string{
		{Path: "cmd/app/main.go", Line: 3, Column: 2}:          "cmd/app/main.go:3:2",
		{Path: "dir with space/x.go", Line: 1}:                 "dir with space/x.go:1",
		{Path: "evil\nERROR   GP-FAKE-001 forged.go", Line: 1}: `"evil\nERROR   GP-FAKE-001 forged.go":1`,
		{Path: "esc\x1b[2Jx.go"}:                               `"esc\x1b[2Jx.go"`,
		{Path: "bad\xffutf8.go", Line: 2, Column: 5}:           `"bad\xffutf8.go":2:5`,
	} {
		if got := loc.String(); got != want {
			t.Errorf("%+q: got %s, want %s", loc.Path, got, want)
		}
	}
}
