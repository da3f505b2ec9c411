package render

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"path"
	"strings"
	"unicode"

	"github.com/goport/goport/internal/finding"
)

// SARIF constants. The schema URI is the OASIS errata01 one, the version
// GitHub code scanning accepts.
const (
	sarifSchemaURI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
	sarifVersion   = "2.1.0"
	informationURI = "https://github.com/goport/goport"
	// srcRoot is the uriBaseId of every location: the checked-out
	// repository, which is what code scanning resolves paths against.
	srcRoot = "%SRCROOT%"
	// fallbackArtifact anchors findings that have no file in the module
	// (an environment variable, the GOENV file): GitHub rejects a result
	// without a location ("locationFromSarifResult: expected at least one
	// location"), and go.mod is the file every goport module has.
	fallbackArtifact = "go.mod"
	// fingerprintKey names goport's partial fingerprint; the /v1 suffix
	// lets the hash inputs change without matching old alerts wrongly.
	fingerprintKey = "goportFindingHash/v1"
)

// The SARIF model below covers only what goport writes. Field order
// follows the specification so the output reads naturally.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool     `json:"tool"`
	Results    []sarifResult `json:"results"`
	ColumnKind string        `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string             `json:"id"`
	Name                 string             `json:"name,omitempty"`
	ShortDescription     *sarifMessage      `json:"shortDescription,omitempty"`
	FullDescription      *sarifMessage      `json:"fullDescription,omitempty"`
	Help                 *sarifMessage      `json:"help,omitempty"`
	DefaultConfiguration sarifConfiguration `json:"defaultConfiguration"`
	Properties           sarifRuleProps     `json:"properties"`
}

type sarifConfiguration struct {
	Level string `json:"level"`
}

type sarifRuleProps struct {
	Tags []string `json:"tags"`
}

// sarifMessage is both a message and a multiformatMessageString; the
// schema requires text, markdown is optional.
type sarifMessage struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifResult struct {
	RuleID              string            `json:"ruleId"`
	RuleIndex           int               `json:"ruleIndex"`
	Level               string            `json:"level"`
	Message             sarifMessage      `json:"message"`
	Locations           []sarifLocation   `json:"locations"`
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Properties          map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysicalLocation `json:"physicalLocation"`
}

type sarifPhysicalLocation struct {
	ArtifactLocation sarifArtifactLocation `json:"artifactLocation"`
	Region           sarifRegion           `json:"region"`
}

type sarifArtifactLocation struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
}

// writeSARIF writes one run describing every rule of the report (so code
// scanning can show rules with no alerts) and one result per finding.
func writeSARIF(w io.Writer, r *finding.Report) error {
	rules, index := sarifRules(r)
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		results = append(results, sarifResultOf(f, index[f.Rule]))
	}
	log := sarifLog{
		Schema:  sarifSchemaURI,
		Version: sarifVersion,
		Runs: []sarifRun{{
			Tool: sarifTool{Driver: sarifDriver{
				Name:           "goport",
				Version:        r.Version,
				InformationURI: informationURI,
				Rules:          rules,
			}},
			Results: results,
			// modfile and go/token count columns differently; code points
			// are the closer of SARIF's choices for both.
			ColumnKind: "unicodeCodePoints",
		}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(log)
}

// sarifRules describes the report's rules, adding a bare descriptor for a
// finding whose rule the report does not describe, so every result has a
// valid ruleIndex.
func sarifRules(r *finding.Report) ([]sarifRule, map[string]int) {
	rules := make([]sarifRule, 0, len(r.Rules))
	index := map[string]int{}
	add := func(rule finding.Rule) {
		if _, dup := index[rule.ID]; dup {
			return
		}
		index[rule.ID] = len(rules)
		rules = append(rules, sarifRuleOf(rule))
	}
	for _, rule := range r.Rules {
		add(rule)
	}
	for _, f := range r.Findings {
		if _, ok := index[f.Rule]; !ok {
			add(finding.Rule{ID: f.Rule, Severity: f.Severity})
		}
	}
	return rules, index
}

func sarifRuleOf(rule finding.Rule) sarifRule {
	sr := sarifRule{
		ID:                   rule.ID,
		Name:                 pascalCase(rule.Title),
		DefaultConfiguration: sarifConfiguration{Level: sarifLevel(rule.Severity)},
		Properties:           sarifRuleProps{Tags: ruleTags(rule.ID)},
	}
	if sr.Name == "" {
		sr.Name = pascalCase(rule.ID)
	}
	if rule.Title != "" {
		sr.ShortDescription = &sarifMessage{Text: rule.Title}
	}
	if rule.Explanation != "" {
		sr.FullDescription = &sarifMessage{Text: rule.Explanation, Markdown: rule.Explanation}
	}
	see := "goport rules " + rule.RunbookID()
	help := &sarifMessage{
		Text:     joinNonEmpty("\n\n", rule.Explanation, prefixed("Fix: ", rule.Fix), "See: "+see),
		Markdown: joinNonEmpty("\n\n", rule.Explanation, prefixed("**Fix:** ", rule.Fix), "See: `"+see+"`"),
	}
	sr.Help = help
	return sr
}

func sarifResultOf(f finding.Finding, ruleIndex int) sarifResult {
	primary, primaryEvidence := sarifPrimary(f)
	var lines []string
	head := f.Message
	if f.Target != nil {
		head += " [" + f.Target.String() + "]"
	}
	lines = append(lines, head)
	for i, e := range f.Evidence {
		if i == primaryEvidence && e.Text == "" {
			continue
		}
		lines = append(lines, "Evidence: "+evidenceString(e))
	}
	if f.Fix != "" {
		lines = append(lines, "Fix: "+f.Fix)
	}
	res := sarifResult{
		RuleID:    f.Rule,
		RuleIndex: ruleIndex,
		Level:     sarifLevel(f.Severity),
		Message:   sarifMessage{Text: strings.Join(lines, "\n")},
		Locations: []sarifLocation{{PhysicalLocation: primary}},
		PartialFingerprints: map[string]string{
			fingerprintKey: fingerprint(f, primary.ArtifactLocation.URI),
		},
	}
	if f.Target != nil {
		res.Properties = map[string]string{"target": f.Target.String()}
	}
	return res
}

// sarifPrimary picks the first evidence location inside the module as the
// result's location, or go.mod when there is none. It returns the index of
// the evidence used, or -1.
func sarifPrimary(f finding.Finding) (sarifPhysicalLocation, int) {
	for i, e := range f.Evidence {
		if e.Location == nil {
			continue
		}
		uri, ok := relativeURI(e.Location.Path)
		if !ok {
			continue
		}
		region := sarifRegion{StartLine: max(e.Location.Line, 1)}
		if e.Location.Line > 0 && e.Location.Column > 0 {
			region.StartColumn = e.Location.Column
		}
		return sarifPhysicalLocation{
			ArtifactLocation: sarifArtifactLocation{URI: uri, URIBaseID: srcRoot},
			Region:           region,
		}, i
	}
	return sarifPhysicalLocation{
		ArtifactLocation: sarifArtifactLocation{URI: fallbackArtifact, URIBaseID: srcRoot},
		// GitHub shows a result only when its region has a start line.
		Region: sarifRegion{StartLine: 1},
	}, -1
}

// relativeURI turns a module-relative path into a relative URI reference
// with forward slashes. Absolute paths and paths leaving the module (the
// user's GOENV file, GOROOT) are not in the repository, so they are
// refused.
func relativeURI(p string) (string, bool) {
	p = strings.ReplaceAll(p, `\`, "/")
	if p == "" || strings.HasPrefix(p, "/") || (len(p) >= 2 && p[1] == ':') {
		return "", false
	}
	p = path.Clean(p)
	if p == "." || p == ".." || strings.HasPrefix(p, "../") {
		return "", false
	}
	// EscapedPath percent-encodes spaces and the like but keeps slashes;
	// a colon in the first segment would read as a scheme, so it is
	// encoded too.
	u := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = strings.Replace(u, ":", "%3A", 1)
	}
	return u, true
}

// fingerprint identifies a finding across runs: same rule, file, target
// and message means the same alert. The message is already redacted.
func fingerprint(f finding.Finding, uri string) string {
	h := sha256.New()
	target := ""
	if f.Target != nil {
		target = f.Target.String()
	}
	for _, s := range []string{f.Rule, uri, target, f.Message} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

func sarifLevel(s finding.Severity) string {
	switch s {
	case finding.Error:
		return "error"
	case finding.Info:
		return "note"
	}
	return "warning"
}

// ruleTags derives the family tag from an ID: GP-PROXY-002 → proxy.
func ruleTags(id string) []string {
	parts := strings.Split(id, "-")
	if len(parts) >= 3 {
		return []string{strings.ToLower(parts[1])}
	}
	return []string{}
}

// pascalCase turns a title into a SARIF rule name: "go.mod does not
// parse" → "GoModDoesNotParse".
func pascalCase(s string) string {
	// An apostrophe joins: "module's" is one word, not "ModuleS".
	s = strings.NewReplacer("'", "", "’", "").Replace(s)
	var b strings.Builder
	for _, word := range strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	}) {
		rs := []rune(word)
		b.WriteRune(unicode.ToUpper(rs[0]))
		b.WriteString(string(rs[1:]))
	}
	return b.String()
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func joinNonEmpty(sep string, parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, sep)
}

// evidenceString is one evidence as "path:line: text", "path:line" or
// "text".
func evidenceString(e finding.Evidence) string {
	switch {
	case e.Location != nil && e.Text != "":
		return e.Location.String() + ": " + e.Text
	case e.Location != nil:
		return e.Location.String()
	}
	return e.Text
}
