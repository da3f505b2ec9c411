package upgrade

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/goport/goport/internal/finding"
)

// goLineLocation points at the go line of go.mod (or go.work).
func (a *analysis) goLineLocation() *finding.Location {
	if a.work != nil {
		loc := &finding.Location{Path: a.rel(a.workPath)}
		if a.work.Go != nil && a.work.Go.Syntax != nil {
			loc.Line = a.work.Go.Syntax.Start.Line
		}
		return loc
	}
	loc := &finding.Location{Path: a.rel(a.gomodPath)}
	if a.mod.Go != nil && a.mod.Go.Syntax != nil {
		loc.Line = a.mod.Go.Syntax.Start.Line
	}
	return loc
}

// checkGoMod reports go command behaviour that the go line switches.
func (a *analysis) checkGoMod() {
	goLineEv := finding.Evidence{Location: a.goLineLocation(), Text: "go " + goLine(a.from)}
	if a.from < 17 && a.to >= 17 {
		a.add(finding.Finding{Rule: RuleTidy117,
			Message:  fmt.Sprintf("raising the go line from %s to %s switches to a pruned module graph: go.mod needs every module that provides a package and an // indirect block", goLine(a.from), goLine(a.to)),
			Evidence: []finding.Evidence{goLineEv},
			Fix:      fmt.Sprintf("go get go@%s && go mod tidy", goLine(a.to))})
	}
	if a.to >= 17 {
		a.checkVendor()
	}
	// From 1.21 the main go line must be at least every dependency's: go
	// get and go mod tidy raise it silently, and the GODEBUG defaults move
	// with it, whoever edits go.mod next.
	if a.from < 21 && a.to >= 21 {
		f := finding.Finding{Rule: RuleTidyRaises,
			Message:  "from go 1.21 on, go get and go mod tidy raise the go line to the highest dependency go line, changing GODEBUG defaults without an edit of the go line",
			Evidence: []finding.Evidence{goLineEv},
			Fix:      fmt.Sprintf("pin the defaults with `godebug default=go%s` in go.mod, and review go line changes in go.mod diffs", goLine(a.to))}
		maxMinor, maxMod := 0, ""
		for _, p := range a.listed {
			if p.Module == nil || p.Module.Main || p.Module.GoVersion == "" {
				continue
			}
			if m, err := minorOf(p.Module.GoVersion); err == nil && m > maxMinor {
				maxMinor, maxMod = m, p.Module.Path+" is at go "+p.Module.GoVersion
			}
		}
		if maxMinor > a.to {
			f.Evidence = append(f.Evidence, finding.Evidence{Text: maxMod})
		}
		a.add(f)
	}
	if a.to > a.from && a.to >= 21 {
		a.add(finding.Finding{Rule: RuleToolchainSwitch,
			Message:  fmt.Sprintf("at go %s, Go toolchains older than go1.%d switch to it under GOTOOLCHAIN=auto: they download it, or fail offline", goLine(a.to), a.to),
			Evidence: []finding.Evidence{goLineEv, {Text: fmt.Sprintf("go: download go1.%d.0 for <goos>/<goarch>: toolchain not available", a.to)}},
			Fix:      fmt.Sprintf("move CI images and developer machines to Go 1.%d with the go line, or let them download it", a.to)})
	}
	if a.from < 21 && a.to >= 21 {
		a.add(finding.Finding{Rule: RuleOldToolchains,
			Message:  fmt.Sprintf("at go %s, go.mod may gain a go line with a patch version or a toolchain line, which Go 1.20 and older cannot parse, and Go 1.19.13+/1.20.8+ refuse go lines of 1.22 and later", goLine(a.to)),
			Evidence: []finding.Evidence{goLineEv},
			Fix:      "drop Go 1.20 and older from CI, and write the go line as 1.N"})
	}
}

// checkVendor reports a vendor/modules.txt without go version annotations:
// after the go line reaches 1.17 its packages compile as go1.16.
func (a *analysis) checkVendor() {
	path := filepath.Join(a.root, "vendor", "modules.txt")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) || err != nil {
		return
	}
	missing := VendorModulesWithoutGo(data)
	if len(missing) == 0 {
		return
	}
	shown := missing
	if len(shown) > 3 {
		shown = shown[:3]
	}
	a.add(finding.Finding{Rule: RuleVendorLang,
		Message: fmt.Sprintf("vendor/modules.txt has no go version for %d vendored module(s): at go %s they compile as go1.16, so newer language features fail",
			len(missing), goLine(a.to)),
		Evidence: []finding.Evidence{{Location: &finding.Location{Path: a.rel(path)}, Text: strings.Join(shown, ", ")}},
		Fix:      "go mod vendor (after raising the go line)"})
}

// VendorModulesWithoutGo lists the modules of a vendor/modules.txt whose
// "## explicit; go 1.N" annotation lacks the go version. Replacement
// lines ("# a => b") are part of their module entry.
func VendorModulesWithoutGo(data []byte) []string {
	var missing []string
	current, hasGo := "", false
	flush := func() {
		if current != "" && !hasGo {
			missing = append(missing, current)
		}
		current, hasGo = "", false
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			for _, part := range strings.Split(strings.TrimPrefix(line, "## "), ";") {
				if strings.HasPrefix(strings.TrimSpace(part), "go ") {
					hasGo = true
				}
			}
		case strings.HasPrefix(line, "# "):
			flush()
			fields := strings.Fields(strings.TrimPrefix(line, "# "))
			// "# path => target" lines record wildcard replacements and
			// carry no packages.
			if len(fields) > 0 && (len(fields) < 2 || fields[1] != "=>") {
				current = fields[0]
				if len(fields) > 1 {
					current += "@" + fields[1]
				}
			}
		}
	}
	flush()
	return missing
}
