package doctor

import (
	"strings"

	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
)

// vendorManifest is vendor/modules.txt as the go command reads it
// (cmd/go/internal/modload.readVendorList): lines it does not understand
// are skipped, never rejected, so parsing cannot fail.
type vendorManifest struct {
	// List holds the modules that provide packages to the build, in order
	// of appearance; a path appears again only with a higher version.
	List []module.Version
	// Version is the selected version of each module path in List.
	Version map[string]string
	// Meta holds the annotations of every module header, keyed by module
	// (a wildcard replacement has an empty version).
	Meta map[module.Version]vendorMeta
	// Replaced lists every module header carrying a "=>" replacement the
	// go command understands, in order, duplicates included.
	Replaced []module.Version
	// Line is the 1-based line of each module's first header.
	Line map[module.Version]int
	// GoVersions lists the "## go 1.x" annotations in order.
	GoVersions []vendorGoVersion
	// Workspace is true when the first line is a "## workspace" annotation:
	// the directory was vendored by `go work vendor`.
	Workspace bool
}

// vendorMeta is the union of a module's "##" annotations and its
// replacement.
type vendorMeta struct {
	Explicit    bool
	Replacement module.Version
	GoVersion   string
}

// vendorGoVersion is one "## go 1.x" annotation.
type vendorGoVersion struct {
	Mod     module.Version
	Version string
	Line    int
}

// parseVendorManifest reads the content of vendor/modules.txt.
func parseVendorManifest(data []byte) *vendorManifest {
	m := &vendorManifest{
		Version: map[string]string{},
		Meta:    map[module.Version]vendorMeta{},
		Line:    map[module.Version]int{},
	}
	lines := strings.Split(string(data), "\n")
	if first, ok := strings.CutPrefix(lines[0], "## "); ok {
		for entry := range strings.SplitSeq(first, ";") {
			if strings.TrimSpace(entry) == "workspace" {
				m.Workspace = true
			}
		}
	}
	var mod module.Version
	for i, line := range lines {
		n := i + 1
		if strings.HasPrefix(line, "# ") {
			if h, ok := m.header(line, n); ok {
				mod = h
			}
			continue
		}
		// Annotations and packages belong to the preceding module header.
		if mod.Path == "" {
			continue
		}
		if annotations, ok := strings.CutPrefix(line, "## "); ok {
			meta := m.Meta[mod]
			for entry := range strings.SplitSeq(annotations, ";") {
				entry = strings.TrimSpace(entry)
				if entry == "explicit" {
					meta.Explicit = true
				}
				if v, ok := strings.CutPrefix(entry, "go "); ok {
					meta.GoVersion = v
					m.GoVersions = append(m.GoVersions, vendorGoVersion{Mod: mod, Version: v, Line: n})
				}
			}
			m.Meta[mod] = meta
			continue
		}
		if f := strings.Fields(line); len(f) == 1 && module.CheckImportPath(f[0]) == nil {
			// A package: its module is in the build list at this version.
			if v, ok := m.Version[mod.Path]; !ok || semver.Compare(v, mod.Version) < 0 {
				m.List = append(m.List, mod)
				m.Version[mod.Path] = mod.Version
			}
		}
	}
	return m
}

// header reads a "# path version [=> replacement]" line and returns the
// module it introduces, the zero Version when the line is not one the go
// command understands, and ok=false for a line too short to be a header,
// after which the go command keeps the previous module current.
func (m *vendorManifest) header(line string, n int) (mod module.Version, ok bool) {
	f := strings.Fields(line)
	if len(f) < 3 {
		return module.Version{}, false
	}
	switch {
	case semver.IsValid(f[2]):
		mod = module.Version{Path: f[1], Version: f[2]}
		f = f[3:]
	case f[2] == "=>":
		mod = module.Version{Path: f[1]} // a wildcard replacement
		f = f[2:]
	default:
		return module.Version{}, true
	}
	if _, seen := m.Line[mod]; !seen {
		m.Line[mod] = n
	}
	if len(f) >= 2 && f[0] == "=>" {
		meta := m.Meta[mod]
		switch {
		case len(f) == 2:
			meta.Replacement = module.Version{Path: f[1]}
			m.Replaced = append(m.Replaced, mod)
		case len(f) == 3 && semver.IsValid(f[2]):
			meta.Replacement = module.Version{Path: f[1], Version: f[2]}
			m.Replaced = append(m.Replaced, mod)
		}
		m.Meta[mod] = meta
	}
	return mod, true
}
