package repro

import (
	"fmt"
	"io"

	"github.com/goport/goport/internal/finding"
)

// The rules repro reports, one per cause kind. IDs are never reused.
var (
	RulePaths = finding.Rule{ID: "GP-REPRO-001", Title: "Binary embeds absolute build paths", Severity: finding.Error,
		Explanation: "Without -trimpath the compiler records file system paths of the module and GOROOT in the binary (function tables, DWARF), so a build in another directory differs.",
		Fix:         "Build with -trimpath (goport release does by default)."}
	RuleVCS = finding.Rule{ID: "GP-REPRO-002", Title: "VCS stamping differs between builds", Severity: finding.Error,
		Explanation: "The go command stamps vcs.revision, vcs.time and vcs.modified into binaries built in a repository (-buildvcs=auto); another commit or uncommitted changes change the binary.",
		Fix:         "Rebuild from a clean checkout of the released commit, or build with -buildvcs=false on both sides."}
	RuleLDFlags = finding.Rule{ID: "GP-REPRO-003", Title: "Values injected with -ldflags -X differ", Severity: finding.Error,
		Explanation: "-X sets string variables at link time; a build date, random id or hostname makes every build different. -trimpath builds do not record -ldflags (go.dev/issue/52372), so they must be passed again when rebuilding.",
		Fix:         "Derive -X values from the source (commit, tag) or SOURCE_DATE_EPOCH, and pass the release's -ldflags when rebuilding."}
	RuleCgo = finding.Rule{ID: "GP-REPRO-004", Title: "cgo makes the C toolchain part of the binary", Severity: finding.Warning,
		Explanation: "With cgo the C compiler, its version and flags shape the binary, and C debug information can hold build paths.",
		Fix:         "Pin the C compiler, add -ffile-prefix-map through CGO_CFLAGS, or build with CGO_ENABLED=0."}
	RuleSettings = finding.Rule{ID: "GP-REPRO-005", Title: "Build settings or Go release differ", Severity: finding.Error,
		Explanation: "The recorded build settings (Go version, tags, GOAMD64, CGO_ENABLED, module version) differ between the two binaries.",
		Fix:         "Rebuild with the Go release and settings `go version -m` shows for the released binary."}
	RuleBuildID = finding.Rule{ID: "GP-REPRO-006", Title: "Go build ID differs", Severity: finding.Error,
		Explanation: "The Go build ID hashes every input and the output of a build; it differs whenever anything above does, or the toolchain or dependency content does.",
		Fix:         "Fix the other causes first; if none is found, compare `go version -m` and module checksums of both builds."}
)

// Rules lists every rule repro reports.
func Rules() []finding.Rule {
	return []finding.Rule{RulePaths, RuleVCS, RuleLDFlags, RuleCgo, RuleSettings, RuleBuildID}
}

var ruleOf = map[string]finding.Rule{CausePaths: RulePaths, CauseVCS: RuleVCS, CauseLDFlags: RuleLDFlags, CauseCgo: RuleCgo, CauseSettings: RuleSettings, CauseBuildID: RuleBuildID}

// Findings turns the causes into findings.
func (r *Result) Findings() []finding.Finding {
	var out []finding.Finding
	for _, c := range r.Causes {
		rule := ruleOf[c.Kind]
		f := finding.Finding{Rule: rule.ID, Severity: rule.Severity, Message: c.Message, Fix: rule.Fix}
		for _, e := range c.Evidence {
			f.Evidence = append(f.Evidence, finding.Evidence{Text: e})
		}
		out = append(out, f)
	}
	return out
}

// WriteText prints the verdict and the differing sections.
func (r *Result) WriteText(w io.Writer, _ bool) error {
	if r.Reproducible {
		_, err := fmt.Fprintf(w, "reproducible: sha256 %s (%d bytes)\n", r.A.SHA256, r.A.Size)
		return err
	}
	fmt.Fprintf(w, "NOT reproducible\n  A: sha256 %s (%d bytes) %s\n  B: sha256 %s (%d bytes) %s\n", r.A.SHA256, r.A.Size, r.A.Dir, r.B.SHA256, r.B.Size, orPath(r.B))
	if len(r.Sections) > 0 {
		fmt.Fprintf(w, "sections that differ:\n")
		for _, s := range r.Sections {
			fmt.Fprintf(w, "  %-24s %10d %10d\n", s.Name, s.SizeA, s.SizeB)
		}
	}
	return nil
}

func orPath(b Build) string {
	if b.Dir != "" {
		return b.Dir
	}
	return b.Path
}
