package binfile

import (
	"strconv"
	"strings"
)

// VersionNeed is one library's entry in an ELF version-needs table
// (.gnu.version_r): the symbol versions the binary requires from it.
type VersionNeed struct {
	Library  string   `json:"library"`
	Versions []string `json:"versions"`
}

// VersionNeeds summarises an ELF file's versioned dependencies.
type VersionNeeds struct {
	// Min is the oldest glibc that provides every GLIBC_ version needed,
	// "" when the binary needs no glibc symbol version.
	Min string `json:"min,omitempty"`
	// Floors holds the highest needed version of every other namespace:
	// GLIBCXX, CXXABI, GCC, OPENSSL, ...
	Floors map[string]string `json:"floors,omitempty"`
	Needs  []VersionNeed     `json:"needs"`
}

// glibcABIVersions maps glibc's non-numeric ABI markers to the release
// that introduced them; binutils ≥ 2.38 adds GLIBC_ABI_DT_RELR with
// -z pack-relative-relocs, and only glibc 2.36+ defines it.
var glibcABIVersions = map[string]string{
	"GLIBC_ABI_DT_RELR": "2.36",
}

func versionNeeds(needs []VersionNeed) *VersionNeeds {
	if len(needs) == 0 {
		return nil
	}
	v := &VersionNeeds{Needs: needs}
	for _, n := range needs {
		for _, name := range n.Versions {
			ns, ver, ok := splitVersion(name)
			if !ok {
				continue
			}
			if ns == "GLIBC" {
				if CompareVersions(ver, v.Min) > 0 {
					v.Min = ver
				}
				continue
			}
			if v.Floors == nil {
				v.Floors = map[string]string{}
			}
			if CompareVersions(ver, v.Floors[ns]) > 0 {
				v.Floors[ns] = ver
			}
		}
	}
	return v
}

// splitVersion splits "GLIBC_2.34" into "GLIBC" and "2.34". Names without
// a numeric version (GLIBC_PRIVATE) are skipped unless known ABI markers.
func splitVersion(name string) (ns, ver string, ok bool) {
	if v, ok := glibcABIVersions[name]; ok {
		return "GLIBC", v, true
	}
	i := strings.LastIndexByte(name, '_')
	if i <= 0 || i == len(name)-1 {
		return "", "", false
	}
	ns, ver = name[:i], name[i+1:]
	for _, part := range strings.Split(ver, ".") {
		if _, err := strconv.Atoi(part); err != nil {
			return "", "", false
		}
	}
	return ns, ver, true
}

// CompareVersions compares dotted numeric versions ("2.3.2" < "2.32");
// the empty string is older than any version.
func CompareVersions(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == "":
		return -1
	case b == "":
		return 1
	}
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < max(len(pa), len(pb)); i++ {
		var x, y int
		if i < len(pa) {
			x, _ = strconv.Atoi(pa[i])
		}
		if i < len(pb) {
			y, _ = strconv.Atoi(pb[i])
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}
