package htmlreport

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/runbooks"
)

// builtins is the embedded knowledge base, as goport ships it.
func builtins(t testing.TB) *kb.Store {
	t.Helper()
	s := kb.Load(kb.Source{Name: "builtin", FS: runbooks.FS(), Builtin: true})
	if len(s.Errors) > 0 {
		t.Fatalf("loading built-in runbooks: %v", s.Errors)
	}
	return s
}

// matrixReport is a goport.report/v1 document with matrix facts, as
// goport matrix --format json writes it.
func matrixReport(t testing.TB, res *matrix.Result) []byte {
	t.Helper()
	r := finding.Report{Schema: finding.Schema, Tool: "goport", Version: "(devel)", Command: "matrix",
		Findings: res.Findings(), Rules: matrix.Rules(), Facts: res}
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func findingsReport(t testing.TB, command string, findings ...finding.Finding) []byte {
	t.Helper()
	data, err := json.Marshal(finding.Report{Schema: finding.Schema, Tool: "goport", Version: "v1.0.0", Command: command, Findings: findings})
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func render(t testing.TB, store *kb.Store, docs ...[]byte) (string, *node) {
	t.Helper()
	var inputs []*Input
	for i, d := range docs {
		in, err := Parse("r"+string(rune('1'+i))+".json", d)
		if err != nil {
			t.Fatalf("Parse: %v", err)
		}
		inputs = append(inputs, in)
	}
	var buf bytes.Buffer
	if err := Write(&buf, inputs, store, Options{}); err != nil {
		t.Fatalf("Write: %v", err)
	}
	doc, err := parseHTML(buf.String())
	if err != nil {
		t.Fatalf("parsing the page: %v", err)
	}
	return buf.String(), doc
}

func sampleMatrix() *matrix.Result {
	pair := func(t target.Target, status matrix.Status) matrix.PairResult {
		return matrix.PairResult{Pair: matrix.Pair{Package: "example.com/tiny", Name: "tiny", Target: t}, Status: status}
	}
	ok := func(t target.Target, size int64) matrix.PairResult {
		p := pair(t, matrix.OK)
		p.Size, p.Verified, p.Output = size, true, "dist/"+t.DirName()+"/tiny"
		return p
	}
	failed := pair(target.Target{GOOS: "windows", GOARCH: "amd64"}, matrix.Failed)
	failed.Reason = "go build failed for windows/amd64: ./main.go:8:53: undefined: syscall.SIGUSR1"
	failed.Rule = matrix.RuleBuildFailed.ID
	failed.Log = "# example.com/tiny\n./main.go:8:53: undefined: syscall.SIGUSR1"
	failed.Explained = &matrix.Explanation{Runbook: "GP-BUILD-026", Title: "OS-specific syscall API used on a target that lacks it",
		Confidence: 0.88, Evidence: "./main.go:8:53: undefined: syscall.SIGUSR1", Fix: "Split the platform code:\n\n```go\n//go:build unix\n```\nPrefer `os.Interrupt`."}
	skipped := pair(target.Target{GOOS: "js", GOARCH: "wasm"}, matrix.Skipped)
	skipped.Reason = "build constraints exclude all Go files"
	ran := ok(target.Target{GOOS: "linux", GOARCH: "arm64"}, 2329933)
	ran.Run = &matrix.RunResult{Status: "passed", Runner: "qemu-user"}
	runFailed := ok(target.Target{GOOS: "linux", GOARCH: "riscv64"}, 2400000)
	runFailed.Run = &matrix.RunResult{Status: "failed", Runner: "qemu-user", ExitCode: 2, Reason: "exit status 2", Output: "panic: boom"}
	return &matrix.Result{Schema: matrix.Schema, GoVersion: "go1.26.8", Pairs: []matrix.PairResult{
		ok(target.Target{GOOS: "darwin", GOARCH: "arm64"}, 2476338),
		skipped,
		ok(target.Target{GOOS: "linux", GOARCH: "amd64"}, 2393093),
		ok(target.Target{GOOS: "linux", GOARCH: "amd64", Variant: "v3"}, 2382259),
		ran,
		runFailed,
		failed,
	}}
}

// TestHeatMap checks the table a reader sees: rows GOOS, columns GOARCH,
// variants within their cell, each cell with a class and a word.
func TestHeatMap(t *testing.T) {
	t.Parallel()
	_, doc := render(t, builtins(t), matrixReport(t, sampleMatrix()))
	tables := find(doc, func(n *node) bool { return n.Data == "table" && hasClass(n, "heat") })
	if len(tables) != 1 {
		t.Fatalf("found %d heat maps, want 1", len(tables))
	}
	var got [][]string
	for _, tr := range find(tables[0], func(n *node) bool { return n.Data == "tr" }) {
		var row []string
		for c := tr.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != elementNode {
				continue
			}
			cell := text(c)
			if cls, _ := attr(c, "class"); cls != "" {
				cell = cls + ": " + cell
			}
			row = append(row, cell)
		}
		got = append(got, row)
	}
	want := [][]string{
		{"GOOS \\ GOARCH", "amd64", "arm64", "riscv64", "wasm"},
		{"darwin", "s-none: not in report", "s-built: ✓ built 2.4 MiB", "s-none: not in report", "s-none: not in report"},
		{"js", "s-none: not in report", "s-none: not in report", "s-none: not in report", "s-skipped: – skipped"},
		{"linux", "s-built: ✓ built 2.3 MiB ✓ GOAMD64=v3 built 2.3 MiB", "s-passed: ✓✓ run passed 2.2 MiB", "s-runfailed: ✗ run failed failed: exit status 2", "s-none: not in report"},
		{"windows", "s-failed: ✗ build failed GP-BUILD-026", "s-none: not in report", "s-none: not in report", "s-none: not in report"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("heat map (-want +got):\n%s", diff)
	}
	// Reasons are tooltips of their pair.
	var titles []string
	for _, e := range find(tables[0], func(n *node) bool { return hasClass(n, "entry") }) {
		if title, ok := attr(e, "title"); ok {
			cls, _ := attr(e, "class")
			titles = append(titles, cls+": "+title)
		}
	}
	wantTitles := []string{
		"entry s-skipped: build constraints exclude all Go files",
		"entry s-failed: go build failed for windows/amd64: ./main.go:8:53: undefined: syscall.SIGUSR1",
	}
	if diff := cmp.Diff(wantTitles, titles); diff != "" {
		t.Errorf("entry tooltips (-want +got):\n%s", diff)
	}
}

func TestSizesAndFailures(t *testing.T) {
	t.Parallel()
	_, doc := render(t, builtins(t), matrixReport(t, sampleMatrix()))
	tables := find(doc, func(n *node) bool { return n.Data == "table" && hasClass(n, "sizes") })
	if len(tables) != 1 {
		t.Fatalf("found %d size tables, want 1", len(tables))
	}
	var rows []string
	for _, tr := range find(tables[0], func(n *node) bool { return n.Data == "tr" }) {
		rows = append(rows, text(tr))
	}
	want := []string{
		"target package bytes size",
		"darwin/arm64 example.com/tiny 2,476,338 2.4 MiB",
		"linux/amd64 example.com/tiny 2,393,093 2.3 MiB",
		"linux/amd64/v3 example.com/tiny 2,382,259 2.3 MiB",
		"linux/arm64 example.com/tiny 2,329,933 2.2 MiB",
		"linux/riscv64 example.com/tiny 2,400,000 2.3 MiB",
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("sizes (-want +got):\n%s", diff)
	}
	bars := find(doc, func(n *node) bool { return n.Data == "rect" })
	if len(bars) != 5 {
		t.Fatalf("chart has %d bars, want 5", len(bars))
	}
	// The largest output has the longest bar.
	if w, _ := attr(bars[0], "width"); w != "420" {
		t.Errorf("bar of the largest output is %s wide, want 420", w)
	}

	failures := find(doc, func(n *node) bool { return n.Data == "article" && hasClass(n, "failure") })
	if len(failures) != 2 {
		t.Fatalf("found %d failures, want 2 (run failed, build failed)", len(failures))
	}
	for _, want := range []string{"✗ run failed linux/riscv64", "GP-MATRIX-005", "Cause (GP-MATRIX-005)", "panic: boom"} {
		if !strings.Contains(text(failures[0]), want) {
			t.Errorf("run failure lacks %q:\n%s", want, text(failures[0]))
		}
	}
	build := text(failures[1])
	for _, want := range []string{
		"✗ build failed windows/amd64 example.com/tiny",
		"rule GP-MATRIX-001",
		"explained by GP-BUILD-026 OS-specific syscall API used on a target that lacks it (confidence 88%)",
		"Split the platform code:", "//go:build unix", // the explanation's fix
		"Cause (GP-BUILD-026)", // the runbook's cause, from the knowledge base
		"Log tail # example.com/tiny ./main.go:8:53: undefined: syscall.SIGUSR1",
		"goport kb show GP-BUILD-026",
	} {
		if !strings.Contains(build, want) {
			t.Errorf("build failure lacks %q:\n%s", want, build)
		}
	}
}

// TestFindingsBySeverity merges a matrix report and a doctor report:
// severities in order, rules grouped with their runbook text, including a
// doctor rule whose runbook lists it under rules:.
func TestFindingsBySeverity(t *testing.T) {
	t.Parallel()
	doctor := findingsReport(t, "doctor",
		finding.Finding{Rule: "GP-MOD-002", Severity: finding.Error, Message: "go.mod needs go 1.27 but go1.26.8 runs",
			Evidence: []finding.Evidence{{Location: &finding.Location{Path: "go.mod", Line: 3}}}},
		finding.Finding{Rule: "GP-NOPE-999", Severity: finding.Info, Message: "a rule with no runbook"},
		finding.Finding{Rule: "GP-TEAM-777", Severity: finding.Warning, Message: "certs/ca.pem is 400 days old"},
	)
	// A team runbook with another id explains GP-TEAM-777 through rules:.
	team := "---\nid: TEAM-CA\ntitle: 'Vendored CA bundle is stale'\nseverity: warning\ncreated: 2026-11-26\nupdated: 2026-11-26\nrules: [GP-TEAM-777]\n---\n\n## Cause\n\nOld.\n\n## Fix\n\nRefresh certs/ca.pem.\n"
	store := kb.Load(kb.Source{Name: "builtin", FS: runbooks.FS(), Builtin: true},
		kb.Source{Name: "team", FS: fstest.MapFS{"TEAM-CA.md": {Data: []byte(team)}}})
	if len(store.Errors) > 0 {
		t.Fatal(store.Errors)
	}
	_, doc := render(t, store, matrixReport(t, sampleMatrix()), doctor)
	var got []string
	for _, sec := range find(doc, func(n *node) bool { return n.Data == "section" && hasClass(n, "severity") }) {
		var rules []string
		for _, h := range find(sec, func(n *node) bool { return n.Data == "h4" }) {
			rules = append(rules, text(h))
		}
		got = append(got, text(sec.FirstChild.NextSibling)+": "+strings.Join(rules, " | "))
	}
	want := []string{
		"error: GP-MATRIX-001 Build fails for a target | GP-MATRIX-005 Binary fails when run on its target | GP-MOD-002 go line newer than the installed Go",
		"warning: GP-TEAM-777 Vendored CA bundle is stale",
		"info: GP-NOPE-999",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("finding groups (-want +got):\n%s", diff)
	}
	rules := find(doc, func(n *node) bool { return n.Data == "article" && hasClass(n, "rule") })
	byRule := map[string]string{}
	for _, r := range rules {
		byRule[strings.Fields(text(r))[0]] = text(r)
	}
	for rule, want := range map[string][]string{
		"GP-MOD-002":    {"Runbook GP-MOD-002", "go mod edit -go=1.N", "at go.mod:3", "from r2.json"},
		"GP-TEAM-777":   {"Runbook TEAM-CA: Vendored CA bundle is stale", "Refresh certs/ca.pem."},
		"GP-MATRIX-001": {"Runbook GP-MATRIX-001", "Rollback", "https://go.dev/doc/install/source#environment", "from r1.json"},
		"GP-NOPE-999":   {"No runbook GP-NOPE-999 in the knowledge base."},
	} {
		for _, w := range want {
			if !strings.Contains(byRule[rule], w) {
				t.Errorf("%s lacks %q:\n%s", rule, w, byRule[rule])
			}
		}
	}
	// References are links, and only to http(s).
	links := find(doc, func(n *node) bool { return n.Data == "a" })
	found := false
	for _, a := range links {
		href, _ := attr(a, "href")
		if href == "https://go.dev/doc/install/source#environment" {
			found = true
		}
	}
	if !found {
		t.Error("the runbook's reference is not a link")
	}
}

// TestSamePairTwice gives the same matrix report twice: each pair is
// shown once per report, labelled with it.
func TestSamePairTwice(t *testing.T) {
	t.Parallel()
	m := matrixReport(t, sampleMatrix())
	_, doc := render(t, builtins(t), m, m)
	var got []string
	for _, td := range find(doc, func(n *node) bool { return n.Data == "td" && hasClass(n, "s-failed") && !hasClass(n, "swatch") }) {
		got = append(got, text(td))
	}
	want := []string{"✗ (r1.json) build failed GP-BUILD-026 ✗ (r2.json) build failed GP-BUILD-026"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("failed cells (-want +got):\n%s", diff)
	}
}

// TestNoMatrix renders findings alone: the page says there is nothing to
// map instead of showing an empty table.
func TestNoMatrix(t *testing.T) {
	t.Parallel()
	page, doc := render(t, builtins(t), findingsReport(t, "doctor"))
	if n := find(doc, func(n *node) bool { return hasClass(n, "heat") }); len(n) != 0 {
		t.Error("a heat map without a matrix report")
	}
	for _, want := range []string{"No matrix report among the inputs", "No built outputs", "No target failed.", "No findings."} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}

const hostile = `<script>alert(1)</script><img src=x onerror=alert(2)>"'><a href="javascript:alert(3)">`

// TestHostileReport puts markup everywhere a report carries text, and in
// a team runbook: the page must show it as text and contain no script,
// no event handler, no resource to load and no javascript: link.
func TestHostileReport(t *testing.T) {
	t.Parallel()
	res := sampleMatrix()
	for i := range res.Pairs {
		p := &res.Pairs[i]
		p.Package = "example.com/" + hostile
		p.Name = hostile
		p.Reason += hostile
		p.Log += "\n" + hostile
		p.Output = "dist/" + hostile
		if p.Explained != nil {
			p.Explained.Runbook = "GP-EVIL-001"
			p.Explained.Title = hostile
			p.Explained.Fix = hostile + " [click](javascript:alert(4)) <javascript:alert(5)>"
		}
	}
	res.Pairs = append(res.Pairs, matrix.PairResult{Pair: matrix.Pair{Package: "p", Target: target.Target{GOOS: hostile, GOARCH: hostile, Variant: hostile}},
		Status: matrix.Status(hostile), Reason: hostile},
		// An output with a hostile target lands in the SVG chart's <text>.
		matrix.PairResult{Pair: matrix.Pair{Package: hostile, Target: target.Target{GOOS: hostile, GOARCH: "amd64"}},
			Status: matrix.OK, Verified: true, Size: 10, Output: hostile})
	doctor := findingsReport(t, hostile, finding.Finding{Rule: "GP-EVIL-001", Severity: finding.Warning, Message: hostile, Fix: hostile,
		Evidence: []finding.Evidence{{Text: hostile, Location: &finding.Location{Path: hostile, Line: 1}}},
		Target:   &target.Target{GOOS: hostile, GOARCH: "amd64"}})
	evil := "---\nid: GP-EVIL-001\ntitle: 'evil </title><script>x</script>'\nseverity: warning\ncreated: 2026-11-26\nupdated: 2026-11-26\n---\n\n" +
		"## Cause\n\n" + hostile + "\n\n- [x](javascript:alert(6))\n- <data:text/html,<script>alert(7)</script>>\n\n## Fix\n\n```\n" + hostile + "\n```\n"
	store := kb.Load(kb.Source{Name: "builtin", FS: runbooks.FS(), Builtin: true},
		kb.Source{Name: "team", FS: fstest.MapFS{"GP-EVIL-001.md": {Data: []byte(evil)}}})
	if len(store.Errors) > 0 {
		t.Fatal(store.Errors)
	}
	page, doc := render(t, store, matrixReport(t, res), doctor)
	walk(doc, func(n *node) {
		switch n.Data {
		case "script", "img", "iframe", "object", "embed", "link", "base", "form", "audio", "video":
			t.Errorf("page has a <%s> element", n.Data)
		}
		for _, a := range n.Attr {
			if strings.HasPrefix(a.Key, "on") || a.Key == "src" || a.Key == "srcset" {
				t.Errorf("<%s> has attribute %s=%q", n.Data, a.Key, a.Val)
			}
			if a.Key == "href" && !strings.HasPrefix(a.Val, "#") && !strings.HasPrefix(a.Val, "https://") && !strings.HasPrefix(a.Val, "http://") {
				t.Errorf("<%s> links to %q", n.Data, a.Val)
			}
		}
	})
	// The markup is there as text for the reader.
	if !strings.Contains(text(doc), "<script>alert(1)</script>") {
		t.Error("the hostile text is not shown as text")
	}
	if strings.Contains(page, "<script") {
		t.Error("page source contains <script")
	}
	if p := markupProblems(page); len(p) > 0 {
		t.Errorf("markup outside the allow lists:\n%s", strings.Join(p, "\n"))
	}
}

// TestRedaction puts a GOPROXY credential in every kind of field: it must
// not appear in the page, and the redacted form must.
func TestRedaction(t *testing.T) {
	t.Parallel()
	const cred = "https://alice:s3cr3tT0ken@proxy.corp.example/mod?access_token=tok123"
	res := sampleMatrix()
	res.Pairs[0].Package = "example.com/x " + cred
	res.Pairs[6].Log += "\nGOPROXY=" + cred
	// Markdown around a credential must not split it out of redaction's sight.
	res.Pairs[6].Explained.Fix = "set GOPROXY=" + cred + " or https://bob:**hunter2**@h or https://carol:`swordfish`@h"
	res.Pairs[5].Run.Output = cred
	doctor := findingsReport(t, "doctor", finding.Finding{Rule: "GP-PROXY-002", Severity: finding.Error, Message: "GOPROXY=" + cred,
		Evidence: []finding.Evidence{{Text: "GOPROXY=" + cred + " (environment)", Location: &finding.Location{Path: cred}}}, Fix: "unset " + cred})
	page, _ := render(t, builtins(t), matrixReport(t, res), doctor)
	for _, secret := range []string{"s3cr3tT0ken", "tok123", "hunter2", "swordfish"} {
		if strings.Contains(page, secret) {
			t.Errorf("page contains the secret %q", secret)
		}
	}
	if !strings.Contains(page, "https://alice:***@proxy.corp.example") {
		t.Error("page lacks the redacted URL")
	}
}
