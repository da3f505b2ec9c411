package matrix

import "github.com/goport/goport/internal/finding"

// The rules matrix reports. IDs are never reused.
var (
	RuleBuildFailed = finding.Rule{
		ID: "GP-MATRIX-001", Title: "Build fails for a target", Severity: finding.Error,
		Explanation: "`go build` of a main package failed for one target. The log tail shows the compiler's or linker's message; code that uses OS-specific APIs without build constraints is the usual cause.",
		Fix:         "Move OS-specific code into files with build constraints (`//go:build unix`, `_windows.go`) or drop the target.",
	}
	RuleNoCompiler = finding.Rule{
		ID: "GP-MATRIX-002", Title: "No C cross compiler for a cgo target", Severity: finding.Error,
		Explanation: "The package needs cgo for this target, but no C compiler on this host produces code for it (`$CC -dumpmachine` names another platform and no known cross compiler is on PATH).",
		Fix:         "Install the cross compiler (for example Debian's gcc-aarch64-linux-gnu), set CC for the target in goport.yaml, or build with --cgo off if the package has a pure-Go fallback.",
	}
	RuleNoCgo = finding.Rule{
		ID: "GP-MATRIX-003", Title: "Package uses cgo on a target without cgo", Severity: finding.Error,
		Explanation: "The package or one of its non-standard dependencies has cgo files, and the toolchain does not support cgo for this target (`go tool dist list -json` says CgoSupported false).",
		Fix:         "Give the cgo code a pure-Go fallback behind `//go:build !cgo`, or drop the target.",
	}
	RuleVerify = finding.Rule{
		ID: "GP-MATRIX-004", Title: "Built binary does not match its target", Severity: finding.Error,
		Explanation: "The file the build produced is not what the target asks for: another format, OS, architecture or variant, a different CGO_ENABLED in its build information, dynamic linking where static was expected, or a glibc floor above --glibc-max.",
		Fix:         "Check CC/CGO_ENABLED/GO* variables leaking into the build environment, and -ldflags that force external linking.",
	}
	RuleRunFailed = finding.Rule{
		ID: "GP-MATRIX-005", Title: "Binary fails when run on its target", Severity: finding.Error,
		Explanation: "The binary was executed (natively or under an emulator) with the --run arguments and exited non-zero or timed out.",
		Fix:         "Run the binary on the target or under the same emulator and read its output.",
	}
	RuleNotRun = finding.Rule{
		ID: "GP-MATRIX-006", Title: "No way to run a target's binary on this host", Severity: finding.Info,
		Explanation: "--run asked to execute every output, but nothing on this host runs this target's binaries (no qemu-user, wine, node or WASI runtime), so it was not run.",
		Fix:         "Install qemu-user, wine or node, or run this shard on a matching machine.",
	}
)

// Rules lists every rule matrix reports.
func Rules() []finding.Rule {
	return []finding.Rule{RuleBuildFailed, RuleNoCompiler, RuleNoCgo, RuleVerify, RuleRunFailed, RuleNotRun}
}
