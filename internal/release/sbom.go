package release

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// sbomFor describes a Go binary's build information as a CycloneDX BOM:
// the main module as the described application, every dependency module
// as a library with its Go package URL, and the build settings as
// properties. The timestamp is the release's source date, so the same
// binary always yields the same BOM.
func sbomFor(bi *debug.BuildInfo, name string, when time.Time) ([]byte, error) {
	if bi == nil {
		return nil, fmt.Errorf("%s has no Go build information", name)
	}
	bom := cdx.NewBOM()
	mainRef := purl(bi.Main.Path, bi.Main.Version)
	props := []cdx.Property{{Name: "go:version", Value: bi.GoVersion}, {Name: "go:package", Value: bi.Path}}
	for _, s := range bi.Settings {
		props = append(props, cdx.Property{Name: "go:build:" + s.Key, Value: s.Value})
	}
	bom.Metadata = &cdx.Metadata{
		Timestamp: when.UTC().Format(time.RFC3339),
		Component: &cdx.Component{
			BOMRef: mainRef, Type: cdx.ComponentTypeApplication, Name: name,
			Version: bi.Main.Version, PackageURL: mainRef, Properties: &props,
		},
	}
	var comps []cdx.Component
	var refs []string
	for _, d := range bi.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		ref := purl(m.Path, m.Version)
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: m.Path, Version: m.Version, PackageURL: ref}
		if m.Sum != "" {
			c.Properties = &[]cdx.Property{{Name: "go:module:sum", Value: m.Sum}}
		}
		if d.Replace != nil {
			c.Description = "replaces " + d.Path + "@" + d.Version
		}
		comps = append(comps, c)
		refs = append(refs, ref)
	}
	slices.SortFunc(comps, func(a, b cdx.Component) int { return strings.Compare(a.BOMRef, b.BOMRef) })
	slices.Sort(refs)
	bom.Components = &comps
	deps := []cdx.Dependency{{Ref: mainRef, Dependencies: &refs}}
	bom.Dependencies = &deps
	var buf bytes.Buffer
	if err := cdx.NewBOMEncoder(&buf, cdx.BOMFileFormatJSON).SetPretty(true).Encode(bom); err != nil {
		return nil, fmt.Errorf("encoding SBOM: %w", err)
	}
	return buf.Bytes(), nil
}

// purl is the package URL of a Go module (purl-spec's golang type).
func purl(path, version string) string {
	p := "pkg:golang/" + path
	if version != "" && version != "(devel)" {
		p += "@" + version
	}
	return p
}
