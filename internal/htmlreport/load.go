// Package htmlreport turns goport's JSON reports (goport.report/v1, with
// goport.matrix/v1 facts) into one self-contained HTML page: a GOOS ×
// GOARCH heat map, binary sizes, findings with their runbooks and the
// explanation of every failed target. The page needs no network and no
// JavaScript; every string in it has passed through secret.Redact and
// html/template's escaping.
package htmlreport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/matrix"
)

// MaxReportSize bounds one input report. Real matrix reports of every port
// are well below a megabyte; anything this large is not a report and must
// not be read into memory whole.
const MaxReportSize = 64 << 20

// Input is one decoded report.
type Input struct {
	// Name is how the page refers to the report (its file name).
	Name    string
	Command string
	Version string
	// Findings and Rules are the report's, as written.
	Findings []finding.Finding
	Rules    []finding.Rule
	// Matrix holds the results of a matrix report, nil for other reports.
	Matrix *matrix.Result
}

// document is the common report with facts left raw, so that only matrix
// facts are decoded, and into the matrix package's own types.
type document struct {
	Schema   string            `json:"schema"`
	Command  string            `json:"command"`
	Version  string            `json:"version"`
	Findings []finding.Finding `json:"findings"`
	Rules    []finding.Rule    `json:"rules"`
	Facts    json.RawMessage   `json:"facts"`
}

// Read decodes one report from r, reading at most MaxReportSize bytes.
func Read(name string, r io.Reader) (*Input, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxReportSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	if len(data) > MaxReportSize {
		return nil, fmt.Errorf("%s: larger than %d MiB, not a goport report", name, MaxReportSize>>20)
	}
	return Parse(name, data)
}

// Parse decodes one report. It accepts a goport.report/v1 document (whose
// facts may be goport.matrix/v1 results) and bare goport.matrix/v1
// results; anything else, including a truncated document, is an error.
func Parse(name string, data []byte) (*Input, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s: %s", name, fmt.Sprintf(format, args...))
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fail("empty file, not a goport JSON report")
	}
	var head struct {
		Schema *string `json:"schema"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		// The decoder would name its own Go types; say what the
		// document is instead.
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) && ute.Field == "" {
			return nil, fail("not a goport JSON report: a JSON %s, not an object", ute.Value)
		}
		return nil, fail("not a goport JSON report: %s", jsonProblem(err))
	}
	switch {
	case head.Schema == nil:
		return nil, fail("not a goport JSON report: no \"schema\" member")
	case *head.Schema == matrix.Schema:
		res, err := decodeMatrix(data)
		if err != nil {
			return nil, fail("%v", err)
		}
		return &Input{Name: name, Command: "matrix", Matrix: res, Findings: res.Findings(), Rules: matrix.Rules()}, nil
	case *head.Schema != finding.Schema:
		return nil, fail("unsupported schema %q (want %s or %s)", oneLine(*head.Schema), finding.Schema, matrix.Schema)
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fail("invalid %s report: %s", finding.Schema, jsonProblem(err))
	}
	in := &Input{Name: name, Command: doc.Command, Version: doc.Version, Findings: doc.Findings, Rules: doc.Rules}
	if schema, ok := factsSchema(doc.Facts); ok {
		if schema != matrix.Schema {
			return nil, fail("unsupported facts schema %q (want %s)", oneLine(schema), matrix.Schema)
		}
		res, err := decodeMatrix(doc.Facts)
		if err != nil {
			return nil, fail("%v", err)
		}
		in.Matrix = res
	}
	return in, nil
}

// factsSchema returns the schema named by facts, when facts is an object
// carrying one; other commands' facts (inspect's) have none.
func factsSchema(facts json.RawMessage) (string, bool) {
	var head struct {
		Schema *string `json:"schema"`
	}
	if len(facts) == 0 || facts[0] != '{' || json.Unmarshal(facts, &head) != nil || head.Schema == nil {
		return "", false
	}
	return *head.Schema, true
}

func decodeMatrix(data []byte) (*matrix.Result, error) {
	var res matrix.Result
	if err := json.Unmarshal(data, &res); err != nil {
		return nil, fmt.Errorf("invalid %s results: %s", matrix.Schema, jsonProblem(err))
	}
	for i, p := range res.Pairs {
		if p.Target.GOOS == "" || p.Target.GOARCH == "" {
			return nil, fmt.Errorf("invalid %s results: pair %d has no target", matrix.Schema, i+1)
		}
	}
	return &res, nil
}

// jsonProblem says what is wrong with a document in one line; "unexpected
// end of JSON input" is what a truncated download looks like.
func jsonProblem(err error) string {
	var syn *json.SyntaxError
	switch {
	case errors.As(err, &syn) && syn.Error() == "unexpected end of JSON input":
		return "truncated: unexpected end of JSON input"
	case errors.As(err, &syn):
		return fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
	}
	return oneLine(err.Error())
}

// oneLine keeps an error on one line and short, whatever the input held.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 120 {
		s = string(r[:120]) + "…"
	}
	return s
}
