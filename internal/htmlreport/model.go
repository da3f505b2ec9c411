package htmlreport

import (
	"cmp"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/secret"
	"github.com/goport/goport/internal/target"
)

// page is everything the template shows. It holds only plain values, so
// that redact can reach every string before the template sees it.
type page struct {
	Generated string
	Sources   []source
	Summary   []count
	HasMatrix bool
	Legend    []State
	Heat      heatMap
	Sizes     sizes
	Failures  []failure
	Findings  []severityGroup
}

type source struct {
	Name, Command, Version, Schema, GoVersion string
	Pairs, Findings                           int
}

type count struct {
	State State
	N     int
}

// State is how one pair ended, as the heat map shows it: a colour class,
// a symbol and a word, so colour is never the only signal.
type State struct {
	Class, Symbol, Label, Meaning string
	rank                          int
}

// The states, worst first: a heat-map cell takes the worst of its pairs.
var states = []State{
	{Class: "failed", Symbol: "✗", Label: "build failed", Meaning: "go build or the output's verification failed"},
	{Class: "runfailed", Symbol: "✗", Label: "run failed", Meaning: "built and verified; the smoke run failed"},
	{Class: "interrupted", Symbol: "!", Label: "interrupted", Meaning: "the run was stopped before this pair finished"},
	{Class: "unverified", Symbol: "?", Label: "not verified", Meaning: "built, but the output was not verified against the target"},
	{Class: "notrun", Symbol: "✓", Label: "built, not run", Meaning: "built and verified; no runner on the host, so not run"},
	{Class: "built", Symbol: "✓", Label: "built", Meaning: "built and verified"},
	{Class: "passed", Symbol: "✓✓", Label: "run passed", Meaning: "built, verified and the smoke run passed"},
	{Class: "checked", Symbol: "✓", Label: "compiles", Meaning: "compiled with --check; nothing was linked"},
	{Class: "skipped", Symbol: "–", Label: "skipped", Meaning: "not built: the package does not exist for the target"},
}

func stateOf(p matrix.PairResult, check bool) State {
	class := "built"
	switch {
	case p.Status == matrix.Failed:
		class = "failed"
	case p.Status == matrix.Interrupted:
		class = "interrupted"
	case p.Status == matrix.Skipped:
		class = "skipped"
	case p.Status != matrix.OK:
		class = "failed"
	case check:
		class = "checked"
	case p.Run != nil && p.Run.Status == "failed":
		class = "runfailed"
	case !p.Verified:
		class = "unverified"
	case p.Run != nil && p.Run.Status == "passed":
		class = "passed"
	case p.Run != nil:
		class = "notrun"
	}
	for i, s := range states {
		if s.Class == class {
			s.rank = i
			return s
		}
	}
	return states[0]
}

type heatMap struct {
	Arches []string
	Rows   []heatRow
}

type heatRow struct {
	GOOS  string
	Cells []heatCell
}

type heatCell struct {
	GOARCH  string
	State   *State // nil: no pair for this target
	Entries []heatEntry
}

type heatEntry struct {
	Label  string // variant and/or package name; empty for the only pair
	State  State
	Detail string // size, or the rule or runbook of a failure
	// Reason is the whole reason of a pair that is not ok, as a tooltip:
	// skip reasons are long and the same across a row.
	Reason string
}

type sizes struct {
	Rows   []sizeRow
	Width  int // of the chart
	Height int
	BarX   int
}

type sizeRow struct {
	Target, Package, Bytes, Human string
	Y, W, TextY, ValueX           int
	size                          int64
}

type failure struct {
	Target, Package, Report string
	State                   State
	Reason, Rule, RuleTitle string
	Fix                     []Block
	Log                     string
	Explained               *explained
	// Runbook explains the failure: the explanation's, else the rule's.
	Runbook runbook
}

type explained struct {
	Runbook    runbook
	Confidence string
	Evidence   string
}

type severityGroup struct {
	Severity string
	Class    string
	Rules    []ruleGroup
}

type ruleGroup struct {
	Rule     string
	Title    string
	Runbook  runbook
	Findings []findingView
}

type findingView struct {
	Message, Target, Location, Report string
	// Fix is one line whose `code` spans are shown as code.
	Fix      []Span
	Evidence []string
}

// runbook is a knowledge-base entry as the page shows it.
type runbook struct {
	ID, Title string
	Found     bool
	Cause     []Block
	Fix       []Block
	Rollback  []Block
	Refs      []Block
}

// Options tune the page.
type Options struct {
	// Generated, when set, is shown as the time the page was made.
	Generated time.Time
}

// build gathers the page from the inputs; store explains rules and
// failures with runbooks (nil: without).
func build(inputs []*Input, store *kb.Store, opts Options) *page {
	pg := &page{Legend: slices.Clone(states)}
	if !opts.Generated.IsZero() {
		pg.Generated = opts.Generated.UTC().Format(time.RFC3339)
	}
	rbs := newRunbooks(store)
	type located struct {
		p      matrix.PairResult
		check  bool
		report string
	}
	var pairs []located
	for _, in := range inputs {
		src := source{Name: in.Name, Command: in.Command, Version: in.Version, Schema: finding.Schema, Findings: len(in.Findings)}
		if in.Matrix != nil {
			pg.HasMatrix = true
			src.Schema += " + " + matrix.Schema
			src.GoVersion = in.Matrix.GoVersion
			src.Pairs = len(in.Matrix.Pairs)
			for _, p := range in.Matrix.Pairs {
				pairs = append(pairs, located{p, in.Matrix.Check, in.Name})
			}
		}
		pg.Sources = append(pg.Sources, src)
	}
	slices.SortStableFunc(pairs, func(a, b located) int {
		if c := target.Compare(a.p.Target, b.p.Target); c != 0 {
			return c
		}
		return cmp.Compare(a.p.Package, b.p.Package)
	})

	// A pair in several reports (a rerun, overlapping shards) is shown once
	// per report, labelled with the report's name.
	seen := map[string]int{}
	for _, lp := range pairs {
		seen[lp.p.Target.String()+" "+lp.p.Package]++
	}
	counts := map[string]int{}
	multiPkg := false
	for _, lp := range pairs {
		if lp.p.Package != pairs[0].p.Package {
			multiPkg = true
		}
	}
	cells := map[[2]string]*heatCell{}
	var goos, goarch []string
	for _, lp := range pairs {
		p := lp.p
		st := stateOf(p, lp.check)
		counts[st.Class]++
		key := [2]string{p.Target.GOOS, p.Target.GOARCH}
		c := cells[key]
		if c == nil {
			c = &heatCell{GOARCH: p.Target.GOARCH}
			cells[key] = c
			goos = appendNew(goos, p.Target.GOOS)
			goarch = appendNew(goarch, p.Target.GOARCH)
		}
		if c.State == nil || st.rank < c.State.rank {
			s := st
			c.State = &s
		}
		var label []string
		if p.Target.Variant != "" {
			label = append(label, target.VariantVar(p.Target.GOARCH)+"="+p.Target.Variant)
		}
		if multiPkg {
			label = append(label, cmp.Or(p.Name, p.Package))
		}
		if seen[p.Target.String()+" "+p.Package] > 1 {
			label = append(label, "("+lp.report+")")
		}
		c.Entries = append(c.Entries, heatEntry{Label: strings.Join(label, " "), State: st, Detail: entryDetail(p), Reason: oneLine(p.Reason)})

		if p.Status == matrix.OK && p.Size > 0 {
			pg.Sizes.Rows = append(pg.Sizes.Rows, sizeRow{Target: p.Target.String(), Package: p.Package,
				Bytes: groupDigits(p.Size), Human: humanSize(p.Size), size: p.Size})
		}
		if st.Class == "failed" || st.Class == "runfailed" || st.Class == "interrupted" || st.Class == "unverified" {
			pg.Failures = append(pg.Failures, failureOf(p, st, lp.report, rbs, inputs))
		}
	}
	slices.Sort(goos)
	slices.Sort(goarch)
	pg.Heat.Arches = goarch
	for _, o := range goos {
		row := heatRow{GOOS: o}
		for _, a := range goarch {
			if c := cells[[2]string{o, a}]; c != nil {
				row.Cells = append(row.Cells, *c)
			} else {
				row.Cells = append(row.Cells, heatCell{GOARCH: a})
			}
		}
		pg.Heat.Rows = append(pg.Heat.Rows, row)
	}
	for _, s := range states {
		if counts[s.Class] > 0 {
			pg.Summary = append(pg.Summary, count{s, counts[s.Class]})
		}
	}
	pg.Sizes.layout()
	pg.Findings = groupFindings(inputs, rbs)
	redact(reflect.ValueOf(pg).Elem())
	return pg
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func entryDetail(p matrix.PairResult) string {
	switch {
	case p.Status == matrix.OK && p.Run != nil && p.Run.Status != "passed" && p.Run.Reason != "":
		return p.Run.Status + ": " + oneLine(p.Run.Reason)
	case p.Status == matrix.OK && p.Size > 0:
		return humanSize(p.Size)
	case p.Status == matrix.OK:
		return ""
	case p.Explained != nil:
		return p.Explained.Runbook
	case p.Status == matrix.Skipped:
		return ""
	}
	return cmp.Or(p.Rule, oneLine(p.Reason))
}

// layout places the bars of the size chart: one row per output, bars
// scaled to the largest.
func (s *sizes) layout() {
	const rowH, barX, barMax = 22, 250, 420
	s.BarX, s.Width, s.Height = barX, barX+barMax+100, rowH*len(s.Rows)+8
	var largest int64
	for _, r := range s.Rows {
		largest = max(largest, r.size)
	}
	for i := range s.Rows {
		r := &s.Rows[i]
		w := 1
		if largest > 0 {
			w = max(1, int(float64(r.size)/float64(largest)*barMax))
		}
		r.Y, r.W, r.TextY, r.ValueX = i*rowH+4, w, i*rowH+19, barX+w+6
	}
}

func failureOf(p matrix.PairResult, st State, report string, rbs *runbookIndex, inputs []*Input) failure {
	f := failure{Target: p.Target.String(), Package: p.Package, Report: report, State: st, Reason: p.Reason, Rule: p.Rule, Log: p.Log}
	if st.Class == "runfailed" {
		f.Rule = matrix.RuleRunFailed.ID
		f.Reason = p.Run.Runner + ": " + p.Run.Reason
		f.Log = p.Run.Output
	}
	if st.Class == "unverified" && f.Reason == "" {
		f.Reason = "built, but the output was not verified against the target"
	}
	if f.Rule != "" {
		f.RuleTitle = ruleTitle(f.Rule, inputs)
	}
	fix := p.Fix
	if e := p.Explained; e != nil {
		f.Explained = &explained{Runbook: rbs.get(e.Runbook), Confidence: fmt.Sprintf("%.0f%%", e.Confidence*100), Evidence: e.Evidence}
		if f.Explained.Runbook.Title == "" {
			f.Explained.Runbook.Title = e.Title
		}
		fix = cmp.Or(e.Fix, fix)
	}
	if fix == "" && f.Rule != "" {
		fix = ruleFix(f.Rule)
	}
	switch {
	case f.Explained != nil:
		f.Runbook = f.Explained.Runbook
	case f.Rule != "":
		f.Runbook = rbs.get(f.Rule)
	}
	f.Fix = markdown(fix)
	return f
}

func ruleTitle(id string, inputs []*Input) string {
	for _, in := range inputs {
		for _, r := range in.Rules {
			if r.ID == id {
				return r.Title
			}
		}
	}
	for _, r := range matrix.Rules() {
		if r.ID == id {
			return r.Title
		}
	}
	return ""
}

func ruleFix(id string) string {
	for _, r := range matrix.Rules() {
		if r.ID == id {
			return r.Fix
		}
	}
	return ""
}

func groupFindings(inputs []*Input, rbs *runbookIndex) []severityGroup {
	type keyed struct {
		f      finding.Finding
		report string
		rule   finding.Rule
	}
	var all []keyed
	for _, in := range inputs {
		r := finding.Report{Findings: slices.Clone(in.Findings), Rules: in.Rules}
		r.Sort()
		for _, f := range r.Findings {
			rule, _ := r.Rule(f.Rule)
			all = append(all, keyed{f, in.Name, rule})
		}
	}
	var groups []severityGroup
	for _, sev := range []finding.Severity{finding.Error, finding.Warning, finding.Info} {
		g := severityGroup{Severity: sev.String(), Class: sev.String()}
		byRule := map[string]int{}
		for _, k := range all {
			if k.f.Severity != sev {
				continue
			}
			i, ok := byRule[k.f.Rule]
			if !ok {
				i = len(g.Rules)
				byRule[k.f.Rule] = i
				rg := ruleGroup{Rule: k.f.Rule, Title: k.rule.Title}
				id := k.f.Rule
				if k.rule.ID != "" {
					id = k.rule.RunbookID()
				}
				rg.Runbook = rbs.get(id)
				if rg.Title == "" {
					rg.Title = cmp.Or(ruleTitle(k.f.Rule, inputs), rg.Runbook.Title)
				}
				g.Rules = append(g.Rules, rg)
			}
			g.Rules[i].Findings = append(g.Rules[i].Findings, viewFinding(k.f, k.report))
		}
		slices.SortStableFunc(g.Rules, func(a, b ruleGroup) int { return cmp.Compare(a.Rule, b.Rule) })
		if len(g.Rules) > 0 {
			groups = append(groups, g)
		}
	}
	return groups
}

func viewFinding(f finding.Finding, report string) findingView {
	v := findingView{Message: f.Message, Fix: inline(f.Fix), Report: report}
	if f.Target != nil {
		v.Target = f.Target.String()
	}
	if l := f.Location(); l != nil {
		v.Location = l.String()
	}
	for _, e := range f.Evidence {
		if e.Text != "" {
			v.Evidence = append(v.Evidence, e.Text)
		} else if e.Location != nil && e.Location != f.Location() {
			v.Evidence = append(v.Evidence, e.Location.String())
		}
	}
	return v
}

// runbookIndex finds and converts runbooks once each.
type runbookIndex struct {
	store  *kb.Store
	byRule map[string]*kb.Runbook
	seen   map[string]runbook
}

func newRunbooks(store *kb.Store) *runbookIndex {
	r := &runbookIndex{store: store, byRule: map[string]*kb.Runbook{}, seen: map[string]runbook{}}
	if store != nil {
		for _, rb := range store.Runbooks() {
			for _, id := range rb.Rules {
				if _, ok := r.byRule[id]; !ok {
					r.byRule[id] = rb
				}
			}
		}
	}
	return r
}

// get returns the runbook with id, or the one that lists id among its
// rules (doctor rule GP-MOD-002 is explained by GP-BUILD-001).
func (r *runbookIndex) get(id string) runbook {
	if v, ok := r.seen[id]; ok {
		return v
	}
	v := runbook{ID: id}
	var rb *kb.Runbook
	if r.store != nil {
		if got, ok := r.store.Get(id); ok {
			rb = got
		} else if got, ok := r.byRule[id]; ok {
			rb = got
		}
	}
	if rb != nil {
		section := func(name string) []Block {
			s, _ := rb.Section(name)
			return markdown(s)
		}
		v = runbook{ID: rb.ID, Title: rb.Title, Found: true, Cause: section("Cause"), Fix: section("Fix"),
			Rollback: section("Rollback"), Refs: section("References")}
	}
	r.seen[id] = v
	return v
}

// redact passes every string reachable from v through secret.Redact, so
// that no field added to the page later can carry a credential out.
func redact(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(secret.Redact(v.String()))
		}
	case reflect.Pointer:
		if !v.IsNil() {
			redact(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			redact(v.Field(i))
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			redact(v.Index(i))
		}
	}
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func groupDigits(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 && c != '-' && s[i-1] != '-' {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// markdown and inline redact before parsing: Markdown markup inside a
// credential ("https://u:`pw`@host") would otherwise split it across spans
// where the final pass over the page's strings could not see it whole.
func markdown(s string) []Block { return parseMarkdown(secret.Redact(s)) }

func inline(s string) []Span { return parseInline(secret.Redact(s)) }
