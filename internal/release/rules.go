package release

import "github.com/goport/goport/internal/finding"

// The rules verify reports. IDs are never reused.
var (
	RuleChecksum = finding.Rule{
		ID: "GP-REL-001", Title: "Release file does not match checksums.txt", Severity: finding.Error,
		Explanation: "The SHA-256 of a file in the release directory differs from its line in checksums.txt, or the file is missing: it was changed, truncated or replaced after the release was made.",
		Fix:         "Download the file again from the original release; never ship a file whose checksum differs.",
	}
	RuleSignature = finding.Rule{
		ID: "GP-REL-002", Title: "checksums.txt signature does not verify", Severity: finding.Error,
		Explanation: "checksums.txt.minisig is missing, is not a minisign signature, was made with another key, or does not match checksums.txt: either file was changed after signing.",
		Fix:         "Verify with the publisher's public key (--pubkey); if it still fails, treat the whole release as untrusted.",
	}
	RuleArchive = finding.Rule{
		ID: "GP-REL-003", Title: "Archive content differs from artifacts.json", Severity: finding.Error,
		Explanation: "An archive cannot be read, holds other files than artifacts.json lists, or its binary is not the binary artifacts.json describes.",
		Fix:         "Rebuild the archive with goport release; archives are reproducible, so a rebuild from the same binaries gives the same bytes.",
	}
	RuleABI = finding.Rule{
		ID: "GP-REL-004", Title: "Binary facts differ from artifacts.json", Severity: finding.Error,
		Explanation: "Inspecting the binary gives other target, cgo, linking, glibc floor or build id facts than artifacts.json records for it.",
		Fix:         "Regenerate the release from the binaries it ships; a binary swapped after the release was made shows here.",
	}
	RuleManifest = finding.Rule{
		ID: "GP-REL-005", Title: "Release manifest is missing or inconsistent", Severity: finding.Error,
		Explanation: "checksums.txt or artifacts.json cannot be read or parsed, or they disagree about a file.",
		Fix:         "Regenerate the release with goport release.",
	}
	RuleUnlisted = finding.Rule{
		ID: "GP-REL-006", Title: "File in the release directory is not in checksums.txt", Severity: finding.Warning,
		Explanation: "The release directory holds a file no checksum covers; nothing vouches for it.",
		Fix:         "Remove the file, or make the release again so that it is listed.",
	}
)

// Rules lists every rule verify reports.
func Rules() []finding.Rule {
	return []finding.Rule{RuleChecksum, RuleSignature, RuleArchive, RuleABI, RuleManifest, RuleUnlisted}
}
