package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/target"
)

// secretWord is a password planted in the fixed report; no output may
// contain it.
const secretWord = "s3cretPassw0rd"

// fixedReport has a finding of every severity, with and without a
// location (inside and outside the module), with a target, with Markdown
// syntax and line breaks in its text, with a credential, and with a rule
// the report does not describe. GP-HOST-001 is described but unused.
func fixedReport() *finding.Report {
	arm64 := target.Target{GOOS: "linux", GOARCH: "arm64"}
	return &finding.Report{
		Schema:  finding.Schema,
		Tool:    "goport",
		Version: "v1.2.3",
		Command: "doctor",
		Rules: []finding.Rule{
			{ID: "GP-CGO-002", Title: "cgo package built without a C cross compiler", Severity: finding.Warning,
				Explanation: "Cross builds set `CGO_ENABLED=0` unless `CC` names a cross compiler.", Fix: "Set `CC` for the target."},
			{ID: "GP-FLAGS-001", Title: "GOFLAGS overrides the module's vendoring", Severity: finding.Warning,
				Explanation: "`-mod=mod` in GOFLAGS ignores vendor/.", Fix: "Remove -mod from GOFLAGS."},
			{ID: "GP-HOST-001", Title: "host runs under emulation", Severity: finding.Info,
				Explanation: "Emulated hosts build slowly.", Fix: "Use a native runner."},
			{ID: "GP-MOD-001", Title: "go.mod does not parse", Severity: finding.Error,
				Explanation: "The go command refuses a go.mod it cannot parse.", Fix: "Correct the line the error names."},
			{ID: "GP-PROXY-005", Title: "GOPROXY carries credentials", Severity: finding.Error,
				Explanation: "Credentials in GOPROXY leak into logs.", Fix: "Move them to .netrc."},
			{ID: "GP-SRC-001", Title: "build constraint names no known platform", Severity: finding.Info,
				Explanation: "A misspelt GOOS in a build tag silently drops the file.", Fix: "Spell the platform as `go tool dist list` does."},
		},
		Findings: []finding.Finding{
			{Rule: "GP-SRC-001", Severity: finding.Info,
				Message:  "cmd/my tool/main.go has the constraint linx, which names no platform",
				Evidence: []finding.Evidence{{Location: &finding.Location{Path: "cmd/my tool/main.go"}, Text: "//go:build linx"}},
				Fix:      "write linux"},
			{Rule: "GP-PROXY-005", Severity: finding.Error,
				Message:  "GOPROXY carries the password of alice for https://alice:" + secretWord + "@proxy.example.com/",
				Evidence: []finding.Evidence{{Text: "GOPROXY=https://alice:" + secretWord + "@proxy.example.com/,direct (environment)"}},
				Fix:      "put the credential in ~/.netrc and set GOPROXY=https://proxy.example.com/"},
			{Rule: "GP-CGO-002", Severity: finding.Warning, Target: &arm64,
				Message:  "package ./internal/sys needs cgo | and will build without it\nsecond line",
				Evidence: []finding.Evidence{{Location: &finding.Location{Path: "internal/sys/sys_linux.go", Line: 12, Column: 2}, Text: "import \"C\""}},
				Fix:      "set CC_FOR_linux_arm64=aarch64-linux-gnu-gcc"},
			{Rule: "GP-FLAGS-001", Severity: finding.Warning,
				Message:  "GOFLAGS=-mod=mod in the GOENV file ignores vendor/",
				Evidence: []finding.Evidence{{Location: &finding.Location{Path: "/home/u/.config/go/env", Line: 2}, Text: "GOFLAGS=-mod=mod"}},
				Fix:      "go env -u GOFLAGS"},
			{Rule: "GP-MOD-001", Severity: finding.Error,
				Message:  "go.mod does not parse: go.mod:3:1: unknown directive: gox",
				Evidence: []finding.Evidence{{Location: &finding.Location{Path: "go.mod", Line: 3, Column: 1}, Text: "gox 1.22 `x` *y* <b>"}},
				Fix:      "edit go.mod:3:1 so that the go command can read it"},
			{Rule: "XT-LOCAL-7", Severity: finding.Info,
				Message: "a team rule with no description in this report"},
		},
	}
}

func emptyReport() *finding.Report {
	r := fixedReport()
	r.Findings = nil
	return r
}

// factsStub has a text and a Markdown rendering; both go first.
type factsStub struct{}

func (factsStub) WriteText(w io.Writer, color bool) error {
	_, err := fmt.Fprintf(w, "facts: color=%v\n", color)
	return err
}

func (factsStub) WriteMarkdown(w io.Writer) error {
	_, err := io.WriteString(w, "| fact | value |\n| --- | --- |\n| go | 1.26.8 |\n")
	return err
}

func render(t *testing.T, f Format, r *finding.Report, opts Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, f, r, opts); err != nil {
		t.Fatalf("Render(%s): %v", f, err)
	}
	return buf.Bytes()
}

// TestGolden compares every renderer with its golden file; set
// GOPORT_UPDATE=1 to rewrite them.
func TestGolden(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		format Format
		report func() *finding.Report
		opts   Options
	}{
		{"text.txt", Text, fixedReport, Options{}},
		{"text_color.txt", Text, fixedReport, Options{Color: true}},
		{"text_empty.txt", Text, emptyReport, Options{}},
		{"report.json", JSON, fixedReport, Options{}},
		{"report_empty.json", JSON, emptyReport, Options{}},
		{"report.sarif", SARIF, fixedReport, Options{}},
		{"report_empty.sarif", SARIF, emptyReport, Options{}},
		{"report.md", Markdown, fixedReport, Options{}},
		{"report_empty.md", Markdown, emptyReport, Options{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := render(t, tc.format, tc.report(), tc.opts)
			checkGolden(t, filepath.Join("testdata", "golden", tc.name), got)
		})
	}
}

func checkGolden(t *testing.T, path string, got []byte) {
	t.Helper()
	if os.Getenv("GOPORT_UPDATE") != "" {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run GOPORT_UPDATE=1 go test ./internal/render/ to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got; GOPORT_UPDATE=1 rewrites it):\n%s", path, diff)
	}
}

func TestNoCredentialInAnyFormat(t *testing.T) {
	t.Parallel()
	for _, f := range Formats {
		t.Run(string(f), func(t *testing.T) {
			t.Parallel()
			out := string(render(t, f, fixedReport(), Options{Color: true}))
			if strings.Contains(out, secretWord) {
				t.Errorf("%s output contains the password:\n%s", f, out)
			}
			if !strings.Contains(out, "alice:***@proxy.example.com") {
				t.Errorf("%s output lacks the masked URL alice:***@proxy.example.com:\n%s", f, out)
			}
		})
	}
}

func TestRenderDoesNotChangeReportContent(t *testing.T) {
	t.Parallel()
	r := fixedReport()
	render(t, Markdown, r, Options{})
	want := fixedReport()
	want.Sort()
	if diff := cmp.Diff(want, r); diff != "" {
		t.Errorf("Render changed the report beyond sorting (-want +got):\n%s", diff)
	}
}

func TestUnknownFormat(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Render(&buf, Format("yaml"), fixedReport(), Options{}); err == nil {
		t.Fatal("Render accepted format yaml")
	}
	if buf.Len() != 0 {
		t.Errorf("a failing render wrote %q", buf.String())
	}
}

func TestParseFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in      string
		want    Format
		wantErr bool
	}{
		{"text", Text, false}, {"JSON", JSON, false}, {"sarif", SARIF, false},
		{"markdown", Markdown, false}, {"md", "", true}, {"", "", true},
	} {
		got, err := ParseFormat(tc.in)
		if got != tc.want || (err != nil) != tc.wantErr {
			t.Errorf("ParseFormat(%q) = %q, %v; want %q, error %v", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
}

func TestFactsComeFirst(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		format Format
		color  bool
		first  string
	}{
		{Text, false, "facts: color=false\n"},
		{Text, true, "facts: color=true\n"},
		{Markdown, false, "## goport doctor\n\n| fact | value |\n"},
	} {
		r := fixedReport()
		r.Facts = factsStub{}
		out := string(render(t, tc.format, r, Options{Color: tc.color}))
		if !strings.HasPrefix(out, tc.first) {
			t.Errorf("%s output does not start with the facts %q:\n%s", tc.format, tc.first, out)
		}
	}
}

func TestTextColor(t *testing.T) {
	t.Parallel()
	plain := string(render(t, Text, fixedReport(), Options{}))
	color := string(render(t, Text, fixedReport(), Options{Color: true}))
	if strings.Contains(plain, "\x1b[") {
		t.Errorf("text without colour contains ANSI escapes:\n%q", plain)
	}
	if !strings.Contains(color, ansiRed+ansiBold+"ERROR  "+ansiReset) {
		t.Errorf("coloured text lacks a red ERROR:\n%q", color)
	}
	stripped := regexp.MustCompile("\x1b\\[[0-9;]*m").ReplaceAllString(color, "")
	if stripped != plain {
		t.Errorf("coloured text differs from plain text beyond escapes:\n%s", cmp.Diff(plain, stripped))
	}
}

func TestTextNeutralisesControlCharacters(t *testing.T) {
	t.Parallel()
	r := &finding.Report{Findings: []finding.Finding{{Rule: "GP-SRC-001", Severity: finding.Info,
		Message:  "file \x1b[2Jevil\x07.go",
		Evidence: []finding.Evidence{{Text: "a\rb"}}}}}
	out := string(render(t, Text, r, Options{}))
	if strings.ContainsAny(out, "\x1b\x07\r") {
		t.Errorf("text output passes control characters through: %q", out)
	}
	if !strings.Contains(out, `file \x1b[2Jevil\x07.go`) || !strings.Contains(out, `a\x0db`) {
		t.Errorf("control characters are not shown as \\xNN: %q", out)
	}
}

// compileSchema loads a JSON schema file with format assertions on, so a
// malformed URI fails validation as it would for a strict consumer.
func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return s
}

func validate(t *testing.T, s *jsonschema.Schema, doc []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, doc)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("output does not match the schema: %v\n%s", err, doc)
	}
}

func TestSARIFMatchesOfficialSchema(t *testing.T) {
	t.Parallel()
	s := compileSchema(t, filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	for _, r := range []*finding.Report{fixedReport(), emptyReport(), {}} {
		validate(t, s, render(t, SARIF, r, Options{}))
	}
}

func TestJSONMatchesReportSchema(t *testing.T) {
	t.Parallel()
	s := compileSchema(t, filepath.Join("..", "..", "docs", "schema", "report.v1.json"))
	for _, r := range []*finding.Report{fixedReport(), emptyReport()} {
		validate(t, s, render(t, JSON, r, Options{}))
	}
}

// TestReportSchemaRejects makes sure the schema is not vacuous.
func TestReportSchemaRejects(t *testing.T) {
	t.Parallel()
	s := compileSchema(t, filepath.Join("..", "..", "docs", "schema", "report.v1.json"))
	good := string(render(t, JSON, fixedReport(), Options{}))
	for name, bad := range map[string]string{
		"wrong schema":     strings.Replace(good, `"goport.report/v1"`, `"goport.report/v2"`, 1),
		"null findings":    strings.Replace(good, `"findings": [`, `"findings": null, "x": [`, 1),
		"unknown field":    strings.Replace(good, `"tool": "goport",`, `"tool": "goport", "extra": 1,`, 1),
		"numeric severity": strings.Replace(good, `"severity": "error"`, `"severity": 3`, 1),
		"zero line":        strings.Replace(good, `"line": 3`, `"line": 0`, 1),
	} {
		if bad == good {
			t.Fatalf("%s: the replacement did not apply", name)
		}
		v, err := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if s.Validate(v) == nil {
			t.Errorf("%s: the schema accepted it", name)
		}
	}
}

func TestJSONContent(t *testing.T) {
	t.Parallel()
	var got finding.Report
	if err := json.Unmarshal(render(t, JSON, fixedReport(), Options{}), &got); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, r := range got.Rules {
		ids = append(ids, r.ID)
	}
	// GP-HOST-001 has no finding; XT-LOCAL-7 has no description.
	wantIDs := []string{"GP-CGO-002", "GP-FLAGS-001", "GP-MOD-001", "GP-PROXY-005", "GP-SRC-001"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	want := fixedReport()
	want.Sort()
	if len(got.Findings) != len(want.Findings) {
		t.Fatalf("got %d findings, want %d", len(got.Findings), len(want.Findings))
	}
	for i := range want.Findings {
		if got.Findings[i].Rule != want.Findings[i].Rule || got.Findings[i].Severity != want.Findings[i].Severity {
			t.Errorf("finding %d = %s %s, want %s %s", i, got.Findings[i].Severity, got.Findings[i].Rule, want.Findings[i].Severity, want.Findings[i].Rule)
		}
	}

	empty := string(render(t, JSON, &finding.Report{}, Options{}))
	for _, want := range []string{`"findings": []`, `"schema": "goport.report/v1"`} {
		if !strings.Contains(empty, want) {
			t.Errorf("JSON of an empty report lacks %s:\n%s", want, empty)
		}
	}
	if strings.Contains(empty, `"rules"`) {
		t.Errorf("JSON of a report without findings lists rules:\n%s", empty)
	}
}

// sarifDoc is the part of a SARIF log that GitHub code scanning relies on.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name, Version, InformationURI string
				Rules                         []struct {
					ID, Name             string
					ShortDescription     struct{ Text string }
					FullDescription      struct{ Text string }
					Help                 struct{ Text, Markdown string }
					DefaultConfiguration struct{ Level string }
					Properties           struct{ Tags []string }
				}
			}
		}
		Results []struct {
			RuleID    string
			RuleIndex int
			Level     string
			Message   struct{ Text string }
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct{ URI, URIBaseID string }
					Region           struct{ StartLine, StartColumn int }
				}
			}
			PartialFingerprints map[string]string
			Properties          map[string]string
		}
	}
}

func TestSARIFForGitHub(t *testing.T) {
	t.Parallel()
	var doc sarifDoc
	if err := json.Unmarshal(render(t, SARIF, fixedReport(), Options{}), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("version %q with %d runs, want 2.1.0 with one run", doc.Version, len(doc.Runs))
	}
	run := doc.Runs[0]
	d := run.Tool.Driver
	if d.Name != "goport" || d.Version != "v1.2.3" || d.InformationURI == "" {
		t.Errorf("driver = %q %q %q", d.Name, d.Version, d.InformationURI)
	}
	// Every described rule, even one without findings, then the
	// undescribed rule of a finding.
	var ids []string
	for _, r := range d.Rules {
		ids = append(ids, r.ID)
	}
	wantIDs := []string{"GP-CGO-002", "GP-FLAGS-001", "GP-HOST-001", "GP-MOD-001", "GP-PROXY-005", "GP-SRC-001", "XT-LOCAL-7"}
	if diff := cmp.Diff(wantIDs, ids); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	mod := d.Rules[3]
	if mod.Name != "GoModDoesNotParse" || mod.ShortDescription.Text != "go.mod does not parse" ||
		mod.DefaultConfiguration.Level != "error" || !strings.Contains(mod.Help.Markdown, "**Fix:** Correct the line") ||
		!strings.Contains(mod.FullDescription.Text, "refuses") || cmp.Diff([]string{"mod"}, mod.Properties.Tags) != "" {
		t.Errorf("GP-MOD-001 descriptor = %+v", mod)
	}

	type loc struct {
		uri         string
		line, col   int
		level, rule string
	}
	var got []loc
	seen := map[string]bool{}
	for _, res := range run.Results {
		if d.Rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s has ruleIndex %d, which is %s", res.RuleID, res.RuleIndex, d.Rules[res.RuleIndex].ID)
		}
		if len(res.Locations) != 1 {
			t.Fatalf("result %s has %d locations, GitHub needs one", res.RuleID, len(res.Locations))
		}
		pl := res.Locations[0].PhysicalLocation
		if pl.ArtifactLocation.URIBaseID != "%SRCROOT%" {
			t.Errorf("result %s: uriBaseId %q", res.RuleID, pl.ArtifactLocation.URIBaseID)
		}
		got = append(got, loc{pl.ArtifactLocation.URI, pl.Region.StartLine, pl.Region.StartColumn, res.Level, res.RuleID})
		fp := res.PartialFingerprints["goportFindingHash/v1"]
		if fp == "" || seen[fp] {
			t.Errorf("result %s: fingerprint %q missing or repeated", res.RuleID, fp)
		}
		seen[fp] = true
		if strings.Contains(fp, secretWord) {
			t.Errorf("fingerprint leaks the password")
		}
	}
	want := []loc{
		{"go.mod", 3, 1, "error", "GP-MOD-001"},
		// No location: anchored at go.mod line 1.
		{"go.mod", 1, 0, "error", "GP-PROXY-005"},
		// The GOENV file is outside the repository.
		{"go.mod", 1, 0, "warning", "GP-FLAGS-001"},
		{"internal/sys/sys_linux.go", 12, 2, "warning", "GP-CGO-002"},
		{"cmd/my%20tool/main.go", 1, 0, "note", "GP-SRC-001"},
		{"go.mod", 1, 0, "note", "XT-LOCAL-7"},
	}
	if diff := cmp.Diff(want, got, cmp.AllowUnexported(loc{})); diff != "" {
		t.Errorf("result locations (-want +got):\n%s", diff)
	}
	cgo := run.Results[3]
	if cgo.Properties["target"] != "linux/arm64" || !strings.Contains(cgo.Message.Text, "[linux/arm64]") ||
		!strings.Contains(cgo.Message.Text, "Fix: set CC_FOR_linux_arm64") {
		t.Errorf("GP-CGO-002 result = %+v", cgo)
	}
	flags := run.Results[2]
	if !strings.Contains(flags.Message.Text, "Evidence: /home/u/.config/go/env:2: GOFLAGS=-mod=mod") {
		t.Errorf("the GOENV location is not in the message: %q", flags.Message.Text)
	}
}

// TestSARIFFingerprintStable checks that the fingerprint ignores what
// moves between runs of the same problem (evidence text, fix) and follows
// what identifies it.
func TestSARIFFingerprintStable(t *testing.T) {
	t.Parallel()
	fp := func(mutate func(*finding.Finding)) string {
		r := fixedReport()
		r.Findings = r.Findings[4:5] // GP-MOD-001
		mutate(&r.Findings[0])
		var doc sarifDoc
		if err := json.Unmarshal(render(t, SARIF, r, Options{}), &doc); err != nil {
			t.Fatal(err)
		}
		return doc.Runs[0].Results[0].PartialFingerprints["goportFindingHash/v1"]
	}
	base := fp(func(*finding.Finding) {})
	if got := fp(func(f *finding.Finding) { f.Fix = "other"; f.Evidence[0].Text = "other" }); got != base {
		t.Errorf("fingerprint changed with the fix and evidence text")
	}
	if got := fp(func(f *finding.Finding) { f.Evidence[0].Location.Path = "sub/go.mod" }); got == base {
		t.Errorf("fingerprint ignores the file")
	}
	if got := fp(func(f *finding.Finding) { f.Target = &target.Target{GOOS: "linux", GOARCH: "amd64"} }); got == base {
		t.Errorf("fingerprint ignores the target")
	}
}

func TestRelativeURI(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"go.mod", "go.mod", true},
		{"internal/x/y.go", "internal/x/y.go", true},
		{`internal\win\y.go`, "internal/win/y.go", true},
		{"./a/../b.go", "b.go", true},
		{"dir with space/a#b.go", "dir%20with%20space/a%23b.go", true},
		{"ab:c/x.go", "ab%3Ac/x.go", true},
		{"c:d/x.go", "", false}, // drive-relative on Windows
		{"/etc/go/env", "", false},
		{`C:\Users\u\go\env`, "", false},
		{"../outside/go.mod", "", false},
		{"", "", false},
		{".", "", false},
	} {
		got, ok := relativeURI(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("relativeURI(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestPascalCase(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"go.mod does not parse":                 "GoModDoesNotParse",
		"GOPROXY is plain http":                 "GOPROXYIsPlainHttp",
		"GP-MOD-001":                            "GPMOD001",
		"":                                      "",
		"toolchain line newer than the go line": "ToolchainLineNewerThanTheGoLine",
		"ünicode  spaced--title":                "ÜnicodeSpacedTitle",
		"GOFLAGS overrides the module's vendor": "GOFLAGSOverridesTheModulesVendor",
	} {
		if got := pascalCase(in); got != want {
			t.Errorf("pascalCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"a | b", `a \| b`},
		{"line1\nline2\r\nline3", "line1<br>line2<br>line3"},
		{"<script>", `\<script\>`},
		{"*bold* _em_ `code` [link](x) # ~ !", "\\*bold\\* \\_em\\_ \\`code\\` \\[link\\](x) \\# \\~ \\!"},
		{`back\slash`, `back\\slash`},
	} {
		if got := mdText(tc.in); got != tc.want {
			t.Errorf("mdText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct {
		in      string
		inTable bool
		want    string
	}{
		{"go.mod:3", true, "`go.mod:3`"},
		{"a|b", true, "`a\\|b`"},
		{"a|b", false, "`a|b`"},
		{"has `tick`", false, "`` has `tick` ``"},
		{"`x`", false, "`` `x` ``"},
		{"two\nlines", false, "`two lines`"},
	} {
		if got := mdCode(tc.in, tc.inTable); got != tc.want {
			t.Errorf("mdCode(%q, %v) = %q, want %q", tc.in, tc.inTable, got, tc.want)
		}
	}
}

// unescapedPipes counts the table cell separators of a Markdown line.
func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

func TestMarkdownTable(t *testing.T) {
	t.Parallel()
	out := string(render(t, Markdown, fixedReport(), Options{}))
	var rows []string
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ") {
			rows = append(rows, line)
		}
	}
	if len(rows) != 2+len(fixedReport().Findings) {
		t.Fatalf("table has %d lines, want a header, a rule and %d rows:\n%s", len(rows), len(fixedReport().Findings), out)
	}
	for _, row := range rows {
		if n := unescapedPipes(row); n != 5 {
			t.Errorf("row has %d cell separators, want 5: %s", n, row)
		}
	}
	for _, want := range []string{
		"**2 errors, 2 warnings, 2 info**",
		"- Details: `goport rules GP-MOD-001`",
		"- Fix: put the credential in \\~/.netrc",
		"#### 1. ERROR `GP-MOD-001`: go.mod does not parse",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, out)
		}
	}
	if empty := string(render(t, Markdown, emptyReport(), Options{})); !strings.Contains(empty, "No problems found.") || strings.Contains(empty, "| ") {
		t.Errorf("Markdown of an empty report:\n%s", empty)
	}
}

// FuzzRender feeds arbitrary text into every field a finding carries and
// checks that each format renders, that JSON and SARIF stay valid JSON
// matching their schemas' basic shape, that a Markdown table row stays one
// row, and that a planted credential never survives.
func FuzzRender(f *testing.F) {
	f.Add("go.mod does not parse", "go.mod", "gox 1.22", "edit it")
	f.Add("a | b\nc", "dir with space/x.go", "`tick` <b>", "*fix*")
	f.Add("\x00\xff\xfe invalid utf-8", `C:\x\y`, "\r\n\r", "")
	f.Add("", "../up", "https://u:p@h/", "?token=abc")
	f.Add(strings.Repeat("x", 10000), "a/b/c", "||||", "`````")
	f.Fuzz(func(t *testing.T, msg, path, text, fix string) {
		pw := "https://bob:" + secretWord + "@h.example/"
		r := &finding.Report{Command: "doctor", Findings: []finding.Finding{{
			Rule: "GP-MOD-001", Severity: finding.Warning, Message: msg + " " + pw, Fix: fix,
			Evidence: []finding.Evidence{{Location: &finding.Location{Path: path, Line: 1}, Text: text}, {Text: pw}},
		}}}
		for _, format := range Formats {
			var buf bytes.Buffer
			if err := Render(&buf, format, r, Options{Color: true}); err != nil {
				t.Fatalf("%s: %v", format, err)
			}
			out := buf.String()
			if strings.Contains(out, secretWord) {
				t.Fatalf("%s output contains the password", format)
			}
			switch format {
			case JSON, SARIF:
				if !json.Valid(buf.Bytes()) {
					t.Fatalf("%s output is not valid JSON:\n%s", format, out)
				}
			case Markdown:
				rows := 0
				for _, line := range strings.Split(out, "\n") {
					if strings.HasPrefix(line, "| ") {
						rows++
						if n := unescapedPipes(line); n != 5 {
							t.Fatalf("row has %d separators: %q", n, line)
						}
					}
				}
				if rows != 3 {
					t.Fatalf("table has %d lines, want 3:\n%s", rows, out)
				}
			}
		}
	})
}
