// Package dockerfile writes and checks Dockerfiles that build Go programs
// for several platforms with BuildKit: Generate renders a multi-stage,
// cross-compiling Dockerfile for a module's main package, and Lint parses a
// Dockerfile with BuildKit's own parser and reports what makes Go images
// slow, wrong for their platform or broken at start.
package dockerfile

import "github.com/goport/goport/internal/finding"

// The rules Lint reports. IDs are never reused. Where a rule overlaps one
// of BuildKit's build checks (docker build --check), its explanation names
// the check.
var (
	RuleEmulatedBuild = finding.Rule{
		ID: "GP-DOCKER-001", Title: "Go build stage runs under emulation", Severity: finding.Warning,
		Explanation: "A stage that runs `go build` has no `--platform=$BUILDPLATFORM`, so for every other target platform BuildKit runs the compiler under QEMU (many times slower, and `exec format error` where binfmt is missing), or it names a constant platform (BuildKit check FromPlatformFlagConstDisallowed) or `$TARGETPLATFORM` (RedundantTargetPlatform).",
		Fix:         "Use `FROM --platform=$BUILDPLATFORM golang:<version> AS build` and cross-compile with GOOS=$TARGETOS GOARCH=$TARGETARCH.",
	}
	RuleTargetEnv = finding.Rule{
		ID: "GP-DOCKER-002", Title: "GOOS/GOARCH not taken from TARGETOS/TARGETARCH", Severity: finding.Error,
		Explanation: "A stage on `$BUILDPLATFORM` builds for the build machine unless GOOS and GOARCH come from the TARGETOS and TARGETARCH build arguments, which a stage sees only after `ARG TARGETOS TARGETARCH`; without it they are empty (BuildKit's UndefinedVar check notices this in ENV, never in RUN). A hard-coded GOARCH puts the same binary in every platform's image: `exec format error` on the others.",
		Fix:         "Declare `ARG TARGETOS TARGETARCH TARGETVARIANT` in the build stage and run `GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build`, or use tonistiigi/xx's `xx-go build`.",
	}
	RuleLibcMismatch = finding.Rule{
		ID: "GP-DOCKER-003", Title: "Binary needs a C library the final image lacks", Severity: finding.Error,
		Explanation: "A binary built with cgo enabled is dynamically linked against the build stage's C library. Copied into scratch or distroless/static (no libc), or from a glibc build stage into Alpine (musl), it fails at start with `exec /app: no such file or directory`: the kernel cannot find its ELF interpreter.",
		Fix:         "Build with CGO_ENABLED=0, or link statically (`-ldflags '-linkmode external -extldflags -static'`, best on Alpine/musl), or use a final image with the same C library (distroless/base-debian12 for a Debian build stage, alpine for golang:*-alpine).",
	}
	RuleNoCacheMount = finding.Rule{
		ID: "GP-DOCKER-004", Title: "Go build without cache mounts", Severity: finding.Warning,
		Explanation: "Without `RUN --mount=type=cache` for the build cache (/root/.cache/go-build) and the module cache (/go/pkg/mod), every change to the source recompiles every package and downloads every module again.",
		Fix:         "Add `--mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build` to the RUN that runs go build.",
	}
	RuleSourceBeforeDownload = finding.Rule{
		ID: "GP-DOCKER-005", Title: "Source copied before go mod download", Severity: finding.Warning,
		Explanation: "`COPY . .` before `go mod download` makes the download layer depend on every source file, so any edit downloads all modules again.",
		Fix:         "Copy only go.mod and go.sum, run `go mod download`, then copy the source.",
	}
	RuleGoTooOld = finding.Rule{
		ID: "GP-DOCKER-006", Title: "Build image's Go is older than go.mod requires", Severity: finding.Error,
		Explanation: "The golang images set GOTOOLCHAIN=local, so a Go older than the go.mod `go` line stops with `go: go.mod requires go >= X (running go Y; GOTOOLCHAIN=local)`. A stage that sets GOTOOLCHAIN=auto instead downloads the newer toolchain on every build (reported as a warning).",
		Fix:         "Use a golang image tag at or above the go.mod go line (and toolchain line, if any).",
	}
	RuleGoGet = finding.Rule{
		ID: "GP-DOCKER-007", Title: "go get used to install a tool", Severity: finding.Warning,
		Explanation: "Since Go 1.18 `go get` only edits go.mod; outside a module it fails with `'go get' is no longer supported outside a module`, and inside one it changes the module being built.",
		Fix:         "Use `go install example.com/cmd/tool@vX.Y.Z`.",
	}
	RuleShellForm = finding.Rule{
		ID: "GP-DOCKER-008", Title: "Shell-form ENTRYPOINT or CMD", Severity: finding.Warning,
		Explanation: "Shell form runs `/bin/sh -c`: the program is not PID 1 and gets no SIGTERM, and images without a shell (scratch, distroless) fail to start. BuildKit check JSONArgsRecommended.",
		Fix:         "Use exec form: `ENTRYPOINT [\"/usr/local/bin/app\"]`.",
	}
	RuleUnpinnedBase = finding.Rule{
		ID: "GP-DOCKER-009", Title: "Base image is latest or untagged", Severity: finding.Warning,
		Explanation: "`latest` (explicit or implied) changes under the build: a new Go, Debian or Alpine release arrives unannounced and builds stop being reproducible. An ARG with no default in FROM is untagged unless --build-arg sets it (BuildKit check InvalidDefaultArgInFrom).",
		Fix:         "Pin a tag (golang:1.26.8-bookworm, alpine:3.22) or a digest (@sha256:…).",
	}
	RuleRootUser = finding.Rule{
		ID: "GP-DOCKER-010", Title: "Final stage runs as root", Severity: finding.Warning,
		Explanation: "The final stage sets no USER (or USER root/0) and its base image does not switch to a non-root user, so the program runs as uid 0 in the container.",
		Fix:         "Add `USER 65532:65532` (distroless `nonroot`) to the final stage, or use a `:nonroot` distroless tag.",
	}
	RuleBuildKitCheck = finding.Rule{
		ID: "GP-DOCKER-011", Title: "BuildKit build check warning", Severity: finding.Warning,
		Explanation: "BuildKit's own Dockerfile parser or build checks (the ones it runs while parsing: NoEmptyContinuation, StageNameCasing, FromAsCasing, MaintainerDeprecated) warned; `docker build --check` reports the same.",
		Fix:         "Follow the check's advice at https://docs.docker.com/reference/build-checks/.",
	}
)

// Rules lists every rule Lint reports.
func Rules() []finding.Rule {
	return []finding.Rule{
		RuleEmulatedBuild, RuleTargetEnv, RuleLibcMismatch, RuleNoCacheMount, RuleSourceBeforeDownload,
		RuleGoTooOld, RuleGoGet, RuleShellForm, RuleUnpinnedBase, RuleRootUser, RuleBuildKitCheck,
	}
}
