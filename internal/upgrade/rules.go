package upgrade

import "github.com/goport/goport/internal/finding"

// Rule IDs. The hundreds digit is the family: 1 GODEBUG, 2 language,
// 3 linker and compiler, 4 go command and go.mod, 5 platforms,
// 6 deprecated APIs. IDs are never reused.
const (
	RuleGodebugFlip      = "GP-UPG-101"
	RuleGodebugUnknown   = "GP-UPG-102"
	RuleGodebugRemoved   = "GP-UPG-103"
	RuleGodebugMisplaced = "GP-UPG-104"
	RuleLoopVar          = "GP-UPG-201"
	RuleVetNew           = "GP-UPG-202"
	RuleLinkname         = "GP-UPG-301"
	RuleTidy117          = "GP-UPG-401"
	RuleVendorLang       = "GP-UPG-402"
	RuleTidyRaises       = "GP-UPG-403"
	RuleOldToolchains    = "GP-UPG-404"
	RuleGoCommandDebug   = "GP-UPG-405"
	RuleToolchainSwitch  = "GP-UPG-406"
	RuleBuildVCS         = "GP-UPG-407"
	RulePlatformMinimum  = "GP-UPG-501"
	RulePortRemoved      = "GP-UPG-502"
	RuleDeprecated       = "GP-UPG-601"
)

// Rules returns the metadata of every upgrade rule, sorted by ID.
func Rules() []finding.Rule {
	return []finding.Rule{
		{
			ID: RuleGodebugFlip, Title: "GODEBUG default changes for an API the module uses", Severity: finding.Warning,
			Explanation: "The main module's go line (or go.work's) selects the default of every GODEBUG setting. " +
				"Raising it switches each setting whose default changed in between to the new behaviour, " +
				"for the whole binary, dependencies included. The setting is reported only when the module uses the API it governs.",
			Fix: "Test the new behaviour, or keep the old one with a godebug line in go.mod (Go 1.23+) or a //go:debug line before `package main`.",
		},
		{
			ID: RuleGodebugUnknown, Title: "godebug setting unknown to the target toolchain", Severity: finding.Error,
			Explanation: "The go command rejects a //go:debug or go.mod godebug key that is not in its GODEBUG table " +
				"(`unknown //go:debug setting`, `unknown godebug`): the build fails. Runtime-only knobs such as madvdontneed " +
				"can only be set in the GODEBUG environment variable.",
			Fix: "Remove the line, or set the knob in the GODEBUG environment variable at run time.",
		},
		{
			ID: RuleGodebugRemoved, Title: "godebug setting removed from the target toolchain", Severity: finding.Error,
			Explanation: "Settings are removed once their old behaviour is no longer supported; naming one in //go:debug or " +
				"go.mod fails the build with `use of removed godebug`.",
			Fix: "Remove the line and adapt the code to the new behaviour.",
		},
		{
			ID: RuleGodebugMisplaced, Title: "//go:debug line the build ignores", Severity: finding.Error,
			Explanation: "//go:debug lines count only before the package clause of a main package or its tests. Anywhere else " +
				"the build silently ignores them, and `go test` fails because vet's directive check reports them.",
			Fix: "Move the line above `package main`, or into go.mod as a godebug line.",
		},
		{
			ID: RuleLoopVar, Title: "loop variable becomes per-iteration (Go 1.22)", Severity: finding.Warning,
			Explanation: "From language version go1.22, each iteration of a for loop declared with := has its own variables. " +
				"Closures and pointers that captured the shared variable now see one value per iteration. The compiler " +
				"reports exactly the loops it rewrites (-gcflags=-d=loopvar=3 with the new -lang).",
			Fix: "Check that the loop does not rely on the shared variable; `go test` with both go lines, or bisect with `bisect -compile=loopvar`.",
		},
		{
			ID: RuleVetNew, Title: "go vet reports new problems at the new go line", Severity: finding.Warning,
			Explanation: "Some vet checks depend on the file's language version: printf's non-constant format check from go1.24, " +
				"copylock in 3-clause loops from go1.22, stdversion from go1.21. go vet runs with the raised go line " +
				"(through -overlay, nothing is written) and its new diagnostics are reported; those from analyzers that " +
				"`go test` runs are errors, because they fail the tests.",
			Fix: "Fix the code before raising the go line.",
		},
		{
			ID: RuleLinkname, Title: "//go:linkname into the standard library rejected", Severity: finding.Error,
			Explanation: "Since Go 1.23 the linker rejects //go:linkname references to standard-library symbols that the library " +
				"does not mark for linkname access: `link: <pkg>: invalid reference to <symbol>`.",
			Fix: "Use a public API instead, or upgrade the dependency; -ldflags=-checklinkname=0 is only a stopgap.",
		},
		{
			ID: RuleTidy117, Title: "go line crosses 1.17: go.mod must be tidied", Severity: finding.Warning,
			Explanation: "From go 1.17 the module graph is pruned: go.mod must list every module that provides a transitively " +
				"imported package, in a separate // indirect block. Editing the go line by hand makes builds fail with " +
				"`updates to go.mod needed`.",
			Fix: "Run `go mod tidy` after changing the go line (and `go mod vendor` when vendoring).",
		},
		{
			ID: RuleVendorLang, Title: "vendored code compiles as go1.16 until re-vendored", Severity: finding.Error,
			Explanation: "With a go line of 1.17 or later, vendored packages compile with the go version recorded in " +
				"vendor/modules.txt. Without those annotations (vendored at go 1.16 or earlier) they compile with -lang=go1.16.",
			Fix: "Run `go mod vendor` after raising the go line.",
		},
		{
			ID: RuleTidyRaises, Title: "go get and go mod tidy will raise the go line", Severity: finding.Info,
			Explanation: "From go 1.21 the main go line must be at least every dependency's; `go mod tidy` and `go get` raise it " +
				"silently when a dependency needs a newer Go, which changes the GODEBUG defaults of the whole binary again.",
			Fix: "Pin the defaults with `godebug default=go1.N` in go.mod, and review go line changes in go.mod diffs.",
		},
		{
			ID: RuleOldToolchains, Title: "go.mod becomes unreadable by toolchains before Go 1.21", Severity: finding.Info,
			Explanation: "Toolchains before 1.21 cannot parse go lines with a patch version (`go 1.22.0`) nor toolchain lines; " +
				"1.19.13+ and 1.20.8+ refuse go lines of 1.22 and later. CI jobs that still test old Go versions break.",
			Fix: "Drop old Go versions from the CI matrix, or keep a go line of the form 1.N.",
		},
		{
			ID: RuleGoCommandDebug, Title: "go command behaviour changes with the toolchain", Severity: finding.Info,
			Explanation: "GODEBUG settings of the go command itself (package cmd/go in the GODEBUG table) follow the go command's " +
				"own defaults, not the module's go line: godebug lines in go.mod and //go:debug lines do not reach it. " +
				"Upgrading the toolchain changes them for every module.",
			Fix: "Adapt the scripts that depend on the old behaviour, or set GODEBUG=<name>=<old> in the environment of the go command.",
		},
		{
			ID: RuleToolchainSwitch, Title: "older Go toolchains will download a newer one", Severity: finding.Info,
			Explanation: "From Go 1.21 the go line is a minimum. A toolchain older than it (a developer machine, a CI image) " +
				"switches toolchains under the default GOTOOLCHAIN=auto: it downloads the newer Go through GOPROXY, which fails " +
				"offline with `toolchain not available`; with GOTOOLCHAIN=local it refuses with `go.mod requires go >= 1.N`.",
			Fix: "Update CI images and developer toolchains together with the go line, or allow the download (GOPROXY, GOTOOLCHAIN).",
		},
		{
			ID: RuleBuildVCS, Title: "go build stamps VCS information (Go 1.18+)", Severity: finding.Info,
			Explanation: "From Go 1.18, building a main package inside a repository runs the VCS tool to stamp vcs.revision, " +
				"vcs.time and vcs.modified. When git fails (the checkout is not a safe.directory for the build user in a " +
				"container, a broken checkout), the build fails: `error obtaining VCS status ... Use -buildvcs=false`.",
			Fix: "Build with -buildvcs=false (GOFLAGS=-buildvcs=false) where stamping is not wanted, or make git work for the build user.",
		},
		{
			ID: RulePlatformMinimum, Title: "minimum OS version rises for a target", Severity: finding.Warning,
			Explanation: "Each release may stop supporting old operating-system versions; binaries built by the new toolchain " +
				"may not start there.",
			Fix: "Check the oldest OS version you ship to against the release notes, or stay on the older toolchain for it.",
		},
		{
			ID: RulePortRemoved, Title: "port removed or broken in the target toolchain", Severity: finding.Error,
			Explanation: "Some ports are removed or marked broken; the new toolchain cannot build for them.",
			Fix:         "Drop the target or keep building it with the last toolchain that supports it.",
		},
		{
			ID: RuleDeprecated, Title: "deprecated standard-library API in use", Severity: finding.Info,
			Explanation: "The standard library marks APIs Deprecated when a better one exists. They keep working (the Go 1 " +
				"promise), but linters flag them and some become no-ops (math/rand.Seed with go 1.24+).",
			Fix: "Switch to the replacement named in the deprecation notice.",
		},
	}
}

func ruleByID(id string) finding.Rule {
	for _, r := range Rules() {
		if r.ID == id {
			return r
		}
	}
	return finding.Rule{ID: id, Severity: finding.Warning}
}
