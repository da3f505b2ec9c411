package release

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/goport/goport/internal/binfile"
	"github.com/goport/goport/internal/target"
)

// Artifact types, spelled as goreleaser spells them in artifacts.json.
const (
	TypeBinary    = "Binary"
	TypeArchive   = "Archive"
	TypeSBOM      = "SBOM"
	TypeChecksum  = "Checksum"
	TypeSignature = "Signature"
)

// Artifact is one entry of artifacts.json. The fields are goreleaser's,
// so tools reading its artifacts.json read goport's; Path is relative to
// the release directory so the directory can be moved and verified
// elsewhere.
type Artifact struct {
	Name      string `json:"name"`
	Path      string `json:"path"`
	GOOS      string `json:"goos,omitempty"`
	GOARCH    string `json:"goarch,omitempty"`
	GOARM     string `json:"goarm,omitempty"`
	GOAMD64   string `json:"goamd64,omitempty"`
	GOARM64   string `json:"goarm64,omitempty"`
	GO386     string `json:"go386,omitempty"`
	GOMIPS    string `json:"gomips,omitempty"`
	GOPPC64   string `json:"goppc64,omitempty"`
	GORISCV64 string `json:"goriscv64,omitempty"`
	// Target is goreleaser's target string, goos_goarch[_variant].
	Target string `json:"target,omitempty"`
	Type   string `json:"type"`
	Extra  Extra  `json:"extra"`
}

// Extra holds per-type details. The capitalised keys are goreleaser's;
// abi is goport's.
type Extra struct {
	// Binary is the binary's name without extension (Binary, Archive).
	Binary string `json:"Binary,omitempty"`
	// Ext is ".exe" for Windows binaries.
	Ext string `json:"Ext,omitempty"`
	// Checksum is "sha256:<hex>" of the file.
	Checksum string `json:"Checksum,omitempty"`
	// Format is the archive format, "tar.gz" or "zip".
	Format string `json:"Format,omitempty"`
	// Binaries lists the binaries an archive holds; Files every member.
	Binaries []string `json:"Binaries,omitempty"`
	Files    []string `json:"Files,omitempty"`
	// Package is the main package import path of a binary.
	Package string `json:"Package,omitempty"`
	// Of names the binary an SBOM describes.
	Of string `json:"Of,omitempty"`
	// ABI is what inspecting the binary found.
	ABI *ABI `json:"abi,omitempty"`
}

// ABI is the part of a binary's inspect facts that decides where it runs;
// verify recomputes it from the file and compares.
type ABI struct {
	Target      string   `json:"target"`
	Cgo         bool     `json:"cgo"`
	Static      bool     `json:"static"`
	Interpreter string   `json:"interpreter,omitempty"`
	MinGlibc    string   `json:"min_glibc,omitempty"`
	Needed      []string `json:"needed,omitempty"`
	GoVersion   string   `json:"go_version,omitempty"`
	GoBuildID   string   `json:"go_build_id,omitempty"`
	GNUBuildID  string   `json:"gnu_build_id,omitempty"`
	BuildMode   string   `json:"buildmode,omitempty"`
	Stripped    bool     `json:"stripped"`
	PIE         bool     `json:"pie"`
}

// abiOf extracts the ABI facts from binfile's facts.
func abiOf(f *binfile.Facts) *ABI {
	a := &ABI{
		Cgo:         f.Setting("CGO_ENABLED") == "1",
		Static:      f.Linking.IsStatic(),
		Interpreter: f.Linking.Interpreter,
		Needed:      slices.Clone(f.Linking.Needed),
		GoBuildID:   f.GoBuildID,
		GNUBuildID:  f.GNUBuildID,
		BuildMode:   f.Setting("-buildmode"),
		Stripped:    f.Stripped.IsStripped(),
		PIE:         f.Hardening.PIE,
	}
	if f.Target != nil {
		a.Target = f.Target.String()
	}
	if f.GLIBC != nil {
		a.MinGlibc = f.GLIBC.Min
	}
	if f.Go != nil {
		a.GoVersion = f.Go.GoVersion
	}
	return a
}

// diffABI lists every field where got differs from want, as
// "field: artifacts.json says X, the file has Y".
func diffABI(want, got *ABI) []string {
	var out []string
	add := func(field string, w, g any) {
		if fmt.Sprint(w) != fmt.Sprint(g) {
			out = append(out, fmt.Sprintf("%s: artifacts.json says %v, the file has %v", field, w, g))
		}
	}
	add("target", want.Target, got.Target)
	add("cgo", want.Cgo, got.Cgo)
	add("static", want.Static, got.Static)
	add("interpreter", want.Interpreter, got.Interpreter)
	add("min_glibc", want.MinGlibc, got.MinGlibc)
	add("needed", want.Needed, got.Needed)
	add("go_version", want.GoVersion, got.GoVersion)
	add("go_build_id", want.GoBuildID, got.GoBuildID)
	add("gnu_build_id", want.GNUBuildID, got.GNUBuildID)
	add("buildmode", want.BuildMode, got.BuildMode)
	add("stripped", want.Stripped, got.Stripped)
	add("pie", want.PIE, got.PIE)
	return out
}

// setTarget fills the target fields goreleaser splits per variable.
func (a *Artifact) setTarget(t target.Target) {
	a.GOOS, a.GOARCH, a.Target = t.GOOS, t.GOARCH, t.DirName()
	if t.Variant == "" {
		return
	}
	switch target.VariantVar(t.GOARCH) {
	case "GOARM":
		a.GOARM = t.Variant
	case "GOAMD64":
		a.GOAMD64 = t.Variant
	case "GOARM64":
		a.GOARM64 = t.Variant
	case "GO386":
		a.GO386 = t.Variant
	case "GOMIPS", "GOMIPS64":
		a.GOMIPS = t.Variant
	case "GOPPC64":
		a.GOPPC64 = t.Variant
	case "GORISCV64":
		a.GORISCV64 = t.Variant
	}
}

// checksumHex returns the hex of an "sha256:<hex>" Checksum.
func (e Extra) checksumHex() (string, bool) {
	h, ok := strings.CutPrefix(e.Checksum, "sha256:")
	return h, ok && len(h) == 64 && isHex(h)
}

// maxManifest bounds artifacts.json; thousands of artifacts fit in a few
// megabytes.
const maxManifest = 64 << 20

// ParseArtifacts reads artifacts.json and checks every path stays inside
// the release directory.
func ParseArtifacts(r io.Reader) ([]Artifact, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxManifest+1))
	if err != nil {
		return nil, fmt.Errorf("reading artifacts: %w", err)
	}
	if len(data) > maxManifest {
		return nil, fmt.Errorf("artifacts list is larger than %d bytes", maxManifest)
	}
	var arts []Artifact
	if err := json.Unmarshal(data, &arts); err != nil {
		return nil, fmt.Errorf("parsing artifacts: %w", err)
	}
	for i, a := range arts {
		if err := checkRelName(a.Path); err != nil {
			return nil, fmt.Errorf("artifact %d (%q): %w", i, a.Name, err)
		}
		switch a.Type {
		case TypeBinary, TypeArchive, TypeSBOM, TypeChecksum, TypeSignature:
		default:
			return nil, fmt.Errorf("artifact %d (%q): unknown type %q", i, a.Name, a.Type)
		}
	}
	return arts, nil
}
