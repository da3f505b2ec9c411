package htmlreport

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/goport/goport/internal/finding"
)

func TestParseRejects(t *testing.T) {
	t.Parallel()
	good := string(matrixReport(t, sampleMatrix()))
	tests := []struct {
		name, data, want string
	}{
		{"empty", "", "r.json: empty file, not a goport JSON report"},
		{"blank", " \n\t", "r.json: empty file, not a goport JSON report"},
		{"truncated", good[:len(good)/2], "r.json: not a goport JSON report: truncated: unexpected end of JSON input"},
		{"not JSON", "GOOS=linux\nGOARCH=amd64\n", "r.json: not a goport JSON report: invalid character 'G' looking for beginning of value (at byte 1)"},
		{"random bytes", "\x00\xff\xfe\x01{", "r.json: not a goport JSON report: invalid character '\\x00' looking for beginning of value (at byte 1)"},
		{"array", `[{"schema":"goport.report/v1"}]`, "r.json: not a goport JSON report: a JSON array, not an object"},
		{"string", `"goport.report/v1"`, "r.json: not a goport JSON report: a JSON string, not an object"},
		{"no schema", `{"findings":[]}`, `r.json: not a goport JSON report: no "schema" member`},
		{"next version", `{"schema":"goport.report/v2","findings":[]}`, `r.json: unsupported schema "goport.report/v2" (want goport.report/v1 or goport.matrix/v1)`},
		{"hostile schema", `{"schema":"x\n<script>\ty"}`, `r.json: unsupported schema "x <script> y" (want goport.report/v1 or goport.matrix/v1)`},
		{"next matrix version", `{"schema":"goport.report/v1","findings":[],"facts":{"schema":"goport.matrix/v2","pairs":[]}}`, `r.json: unsupported facts schema "goport.matrix/v2" (want goport.matrix/v1)`},
		{"bad severity", `{"schema":"goport.report/v1","findings":[{"rule":"X","severity":"fatal","message":"m"}]}`, `r.json: invalid goport.report/v1 report: invalid severity "fatal": want error, warning or info`},
		{"pair without target", `{"schema":"goport.matrix/v1","pairs":[{"package":"p","status":"ok"}]}`, "r.json: invalid goport.matrix/v1 results: pair 1 has no target"},
		{"wrong type", `{"schema":"goport.report/v1","findings":[],"facts":{"schema":"goport.matrix/v1","pairs":[{"size":"big"}]}}`, "r.json: invalid goport.matrix/v1 results: json: cannot unmarshal string into Go struct field PairResult.pairs.size of type int64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("r.json", []byte(tt.data))
			if err == nil {
				t.Fatal("Parse succeeded")
			}
			if diff := cmp.Diff(tt.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	res := sampleMatrix()
	bare, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		data       string
		command    string
		pairs      int
		findings   int
		withMatrix bool
	}{
		{"matrix report", string(matrixReport(t, res)), "matrix", 7, 2, true},
		{"bare matrix results", string(bare), "matrix", 7, 2, true},
		{"findings report", string(findingsReport(t, "doctor", finding.Finding{Rule: "GP-X-001", Severity: finding.Warning, Message: "m"})), "doctor", 0, 1, false},
		{"inspect facts without schema", `{"schema":"goport.report/v1","command":"inspect","findings":[],"facts":{"format":"elf"}}`, "inspect", 0, 0, false},
		{"facts not an object", `{"schema":"goport.report/v1","command":"verify","findings":[],"facts":[1,2]}`, "verify", 0, 0, false},
		{"byte order mark and unknown fields", "\ufeff" + `{"schema":"goport.report/v1","command":"doctor","findings":[],"future":true}`, "doctor", 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in, err := Read("r.json", strings.NewReader(tt.data))
			if err != nil {
				t.Fatal(err)
			}
			pairs := 0
			if in.Matrix != nil {
				pairs = len(in.Matrix.Pairs)
			}
			got := []any{in.Command, pairs, len(in.Findings), in.Matrix != nil}
			want := []any{tt.command, tt.pairs, tt.findings, tt.withMatrix}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("command, pairs, findings, matrix (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	t.Parallel()
	big := bytes.NewReader(bytes.Repeat([]byte(" "), MaxReportSize+1))
	_, err := Read("big.json", big)
	if err == nil || err.Error() != "big.json: larger than 64 MiB, not a goport report" {
		t.Errorf("err = %v", err)
	}
}

// FuzzParse feeds arbitrary bytes to the loader: it must return a report
// or a one-line error, never panic, and every report it accepts must
// render to a page with no markup but the template's.
func FuzzParse(f *testing.F) {
	f.Add(matrixReport(f, sampleMatrix()))
	f.Add(findingsReport(f, "doctor", finding.Finding{Rule: "GP-PROXY-002", Severity: finding.Error, Message: "GOPROXY=https://u:p@h",
		Evidence: []finding.Evidence{{Location: &finding.Location{Path: "go.mod", Line: 1}}}}))
	f.Add([]byte(`{"schema":"goport.matrix/v1","pairs":[{"target":{"goos":"<b>","goarch":"x"},"status":"weird","size":-5}]}`))
	f.Add([]byte(`{"schema":"goport.report/v1","findings":[],"facts":{"schema":"goport.matrix/v1","pairs":null}}`))
	f.Add([]byte(`{"schema":"goport.report/v1","findings":[{"rule":"R","severity":"info","message":"[a](javascript:x) <https://x>"}]}`))
	f.Add([]byte(`{"schema":"goport.report/v2"}`))
	f.Add([]byte("{\"schema\":\"goport.report/v1\",\"findings\":[{\"rule\":\"\xff\",\"severity\":\"error\",\"message\":\"\xc3\"}]}"))
	f.Add([]byte(`{"schema":`))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := Parse("f.json", data)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error spans lines: %q", err)
			}
			return
		}
		var buf bytes.Buffer
		if err := Write(&buf, []*Input{in}, nil, Options{}); err != nil {
			t.Fatalf("Write: %v", err)
		}
		if p := markupProblems(buf.String()); len(p) > 0 {
			t.Fatalf("markup outside the allow lists: %v", p)
		}
	})
}
