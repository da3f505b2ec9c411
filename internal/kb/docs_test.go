package kb

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheckChangeDescription(t *testing.T) {
	t.Parallel()
	known := func(id string) bool { return id == "GP-CC-001" || id == "RB-2026-001" }
	tests := []struct {
		name     string
		body     string
		required []string
		want     []DocProblem
	}{
		{"good", "## Impact\nx (GP-CC-001)\n## Rollback Steps\nrevert\n", nil, nil},
		{"crlf and case", "## impact\r\nx RB-2026-001\r\n## ROLLBACK STEPS ##\r\nrevert\r\n", nil, nil},
		{"cr only", "## Impact\rx GP-CC-001\r## Rollback Steps\rrevert\r", nil, nil},
		{"missing", "## Impact\nGP-CC-001\n", nil, []DocProblem{{Message: "missing section ## Rollback Steps"}}},
		{"empty by comment", "## Impact\n<!-- fill in -->\n\n## Rollback Steps\nr GP-CC-001\n", nil, []DocProblem{{Line: 1, Message: "section ## Impact is empty"}}},
		{"empty before next heading", "## Impact\n## Rollback Steps\nr GP-CC-001\n", nil, []DocProblem{{Line: 1, Message: "section ## Impact is empty"}}},
		{"level 3 heading is content of section", "## Impact\n### Users\n## Rollback Steps\nr GP-CC-001\n", nil, nil},
		{"heading in fence", "```\n## Impact\n```\n## Rollback Steps\nr GP-CC-001\n", nil, []DocProblem{{Message: "missing section ## Impact"}}},
		{"heading in comment", "<!--\n## Impact\n-->\n## Rollback Steps\nr GP-CC-001\n", nil, []DocProblem{{Message: "missing section ## Impact"}}},
		{"id in comment does not count", "## Impact\nx <!-- GP-CC-001 -->\n## Rollback Steps\nr\n", nil, []DocProblem{{Message: "no runbook id cited (e.g. GP-BUILD-001 or RB-2026-001): say which runbook covers the change"}}},
		{"unknown id", "## Impact\nGP-CC-001 and GP-XX-999\n## Rollback Steps\nr\n", nil, []DocProblem{{Line: 2, Message: "unknown runbook id GP-XX-999"}}},
		{"extra required", "## Impact\nGP-CC-001\n## Rollback Steps\nr\n", []string{"Test Plan"}, []DocProblem{{Message: "missing section ## Test Plan"}}},
		{"h1 ends a section", "## Impact\n# Other\n## Rollback Steps\nr GP-CC-001\n", nil, []DocProblem{{Line: 1, Message: "section ## Impact is empty"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := append(append([]string(nil), DefaultRequiredSections...), tt.required...)
			got := CheckChangeDescription(tt.body, req, known)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Error(diff)
			}
		})
	}
}

func FuzzCheckChangeDescription(f *testing.F) {
	f.Add("## Impact\nx GP-CC-001\n## Rollback Steps\nr\n")
	f.Add("```\n## Impact\n<!--\n```\n-->")
	f.Add("<!-- <!-- --> -->\r\n## \r\n##")
	f.Fuzz(func(t *testing.T, body string) {
		ps := CheckChangeDescription(body, DefaultRequiredSections, func(string) bool { return true })
		lines := strings.Count(body, "\n") + strings.Count(body, "\r") + 1
		for _, p := range ps {
			if p.Line < 0 || p.Line > lines || p.Message == "" {
				t.Fatalf("bad problem %+v", p)
			}
		}
	})
}
