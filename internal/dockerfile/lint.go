package dockerfile

import (
	"fmt"
	"go/version"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/goport/goport/internal/finding"
)

// LintOptions are the inputs of Lint besides the Dockerfile itself.
type LintOptions struct {
	// Path names the Dockerfile in findings.
	Path string
	// GoMod is the module the Dockerfile builds, when known; it enables
	// the Go version rule.
	GoMod *GoMod
}

// Lint parses a Dockerfile with BuildKit's parser and returns the findings
// of every rule, sorted. A Dockerfile BuildKit cannot parse is an error.
func Lint(data []byte, opts LintOptions) ([]finding.Finding, error) {
	f, err := parse(data)
	if err != nil {
		return nil, err
	}
	l := &checker{f: f, opts: opts}
	for _, s := range f.stages {
		l.checkBase(s)
		l.checkStage(s)
	}
	final := f.stages[len(f.stages)-1]
	l.checkFinal(final)
	for _, w := range f.warnings {
		l.add(RuleBuildKitCheck, RuleBuildKitCheck.Severity, w.line,
			fmt.Sprintf("BuildKit check %s: %s", w.check, w.msg),
			"See https://docs.docker.com/reference/build-checks/"+kebab(w.check)+"/")
	}
	r := finding.Report{Findings: l.out}
	r.Sort()
	return r.Findings, nil
}

type checker struct {
	f    *file
	opts LintOptions
	out  []finding.Finding
}

var buildkitCheckRE = regexp.MustCompile(`\(BuildKit check (\w+)\)`)

func (l *checker) add(rule finding.Rule, sev finding.Severity, line int, msg, fix string) {
	// A warning that restates a BuildKit check the Dockerfile skips with
	// "# check=skip=…" was waived on purpose; errors stand.
	if m := buildkitCheckRE.FindStringSubmatch(msg); m != nil && sev < finding.Error && l.f.skips(m[1]) {
		return
	}
	p := l.opts.Path
	if p == "" {
		p = "Dockerfile"
	}
	// Messages quote the Dockerfile; a hostile one must not make them huge.
	if r := []rune(msg); len(r) > 400 {
		msg = string(r[:400]) + "…"
	}
	if r := []rune(fix); len(r) > 400 {
		fix = string(r[:400]) + "…"
	}
	l.out = append(l.out, finding.Finding{
		Rule: rule.ID, Severity: sev, Message: msg, Fix: fix,
		Evidence: []finding.Evidence{{Location: &finding.Location{Path: p, Line: line}}},
	})
}

var (
	// A go command as a word: not cargo, not /go/bin as an argument.
	goBuildRE     = regexp.MustCompile(`(?:^|[^\w.-])(xx-)?go\s+(?:-C\s+\S+\s+)?build\b`)
	goInstallRE   = regexp.MustCompile(`(?:^|[^\w.-])(?:xx-)?go\s+install\b`)
	goDownloadRE  = regexp.MustCompile(`(?:^|[^\w.-])go\s+mod\s+download\b`)
	goGetRE       = regexp.MustCompile(`(?:^|[^\w.-])(?:xx-)?go\s+get\b`)
	cgoRE         = regexp.MustCompile(`\bCGO_ENABLED=["']?([^\s"';&|]*)`)
	outputRE      = regexp.MustCompile(`\s-o[\s=]+["']?([^\s"';&|]+)`)
	staticRE      = regexp.MustCompile(`-extldflags[\s=]*["']?[^"']*-static\b|xx-verify\s+--static\b`)
	neverRE       = regexp.MustCompile(`$^`)
	gotoolchainRE = regexp.MustCompile(`\bGOTOOLCHAIN=["']?([^\s"';&|]*)`)
	ccInstallRE   = regexp.MustCompile(`\b(?:apk|xx-apk)\s+add\b[^;&|]*\b(?:gcc|build-base|clang|musl-dev)\b`)
)

// runText is what the shell of a RUN sees: its command line and heredocs.
func runText(r *instructions.RunCommand) string {
	var b strings.Builder
	b.WriteString(strings.Join(r.CmdLine, " "))
	for _, f := range r.Files {
		b.WriteString("\n")
		b.WriteString(f.Data)
	}
	return b.String()
}

func (s *stage) runs() []*instructions.RunCommand {
	var runs []*instructions.RunCommand
	for _, c := range s.st.Commands {
		if r, ok := c.(*instructions.RunCommand); ok {
			runs = append(runs, r)
		}
	}
	return runs
}

// goBuild returns the last RUN of s that runs go build, or nil.
func (s *stage) goBuild() *instructions.RunCommand {
	var last *instructions.RunCommand
	for _, r := range s.runs() {
		if goBuildRE.MatchString(runText(r)) {
			last = r
		}
	}
	return last
}

// compiles reports whether a stage compiles Go code (go build or install).
func (s *stage) compiles() bool {
	for _, r := range s.runs() {
		t := runText(r)
		if goBuildRE.MatchString(t) || goInstallRE.MatchString(t) {
			return true
		}
	}
	return false
}

// image returns the external image a stage ultimately starts from.
func (s *stage) image() string {
	for s.parent != nil {
		s = s.parent
	}
	return s.base
}

// effectivePlatform is the stage's --platform, or its parent stage's.
func (s *stage) effectivePlatform() string {
	for s.platform == "" && s.parent != nil {
		s = s.parent
	}
	return s.platform
}

// setting returns the value a variable has for RUN commands of s: set on
// the RUN line itself, or by ENV or an ARG default in s or its parents.
func (s *stage) setting(run *instructions.RunCommand, re *regexp.Regexp, name string) (string, bool) {
	if run != nil {
		if m := re.FindAllStringSubmatch(runText(run), -1); len(m) > 0 {
			return m[len(m)-1][1], true
		}
	}
	for cur := s; cur != nil; cur = cur.parent {
		var val string
		var found bool
		for _, c := range cur.st.Commands {
			switch c := c.(type) {
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Key == name {
						val, found = kv.Value, true
					}
				}
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if kv.Key == name && kv.Value != nil {
						val, found = *kv.Value, true
					}
				}
			}
			if c == instructions.Command(run) {
				break
			}
		}
		if found {
			return val, true
		}
	}
	return "", false
}

// declaresArg reports whether name is declared (by ARG, or set by ENV)
// before the command before in s, or anywhere in its parent stages, whose
// build arguments BuildKit carries into stages built on them.
func (s *stage) declaresArg(name string, before instructions.Command) bool {
	for cur := s; cur != nil; cur = cur.parent {
		for _, c := range cur.st.Commands {
			if cur == s && c == before {
				break
			}
			switch c := c.(type) {
			case *instructions.ArgCommand:
				for _, kv := range c.Args {
					if kv.Key == name {
						return true
					}
				}
			case *instructions.EnvCommand:
				for _, kv := range c.Env {
					if kv.Key == name {
						return true
					}
				}
			}
		}
	}
	return false
}

var targetArgRE = regexp.MustCompile(`\$\{?(TARGETOS|TARGETARCH|TARGETVARIANT|TARGETPLATFORM)\b`)

// checkUndeclaredTargetArgs: the automatic platform arguments are global;
// a stage that uses them without ARG gets empty strings, so GOARCH= builds
// for the build machine. BuildKit's UndefinedVar notices this in ENV only:
// it does not expand RUN lines, the shell does.
func (l *checker) checkUndeclaredTargetArgs(s *stage) {
	for _, c := range s.st.Commands {
		var text string
		switch c := c.(type) {
		case *instructions.RunCommand:
			text = runText(c)
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				text += " " + kv.Value
			}
		default:
			continue
		}
		seen := map[string]bool{}
		for _, m := range targetArgRE.FindAllStringSubmatch(text, -1) {
			name := m[1]
			if seen[name] || s.declaresArg(name, c) {
				continue
			}
			seen[name] = true
			sev := RuleTargetEnv.Severity
			if name == "TARGETVARIANT" {
				sev = finding.Warning // only arm variants (GOARM) go wrong
			}
			l.add(RuleTargetEnv, sev, lineOf(c),
				fmt.Sprintf("stage %s uses $%s without ARG %s, so it is empty: the platform arguments are global and each stage must declare them", stageLabel(s), name, name),
				fmt.Sprintf("Add ARG %s to the stage before this line.", name))
		}
	}
}

// checkBase: latest or untagged base images.
func (l *checker) checkBase(s *stage) {
	raw := s.st.BaseName
	if s.parent != nil || strings.EqualFold(s.base, "scratch") {
		return
	}
	if s.base == "" {
		var noDefault []string
		for _, n := range s.unbound {
			if l.f.metaNoDf[n] {
				noDefault = append(noDefault, n)
			}
		}
		slices.Sort(noDefault)
		if len(noDefault) > 0 {
			l.add(RuleUnpinnedBase, RuleUnpinnedBase.Severity, s.line,
				fmt.Sprintf("base image %s uses ARG %s, which has no default: the image is untagged unless --build-arg sets it (BuildKit check InvalidDefaultArgInFrom)", raw, strings.Join(noDefault, ", ")),
				fmt.Sprintf("Give the ARG a pinned default: ARG %s=<tag>.", noDefault[0]))
		}
		return
	}
	repo, tag, digest := splitRef(s.base)
	if digest {
		return
	}
	switch tag {
	case "":
		l.add(RuleUnpinnedBase, RuleUnpinnedBase.Severity, s.line,
			fmt.Sprintf("base image %s has no tag, so it is %s:latest", s.base, repo),
			fmt.Sprintf("Pin a tag or digest: FROM %s:<version>.", repo))
	case "latest":
		l.add(RuleUnpinnedBase, RuleUnpinnedBase.Severity, s.line,
			fmt.Sprintf("base image %s uses the latest tag", s.base),
			fmt.Sprintf("Pin a tag or digest: FROM %s:<version>.", repo))
	}
}

// splitRef splits an image reference into repository and tag, and says
// whether it is pinned by digest. A reference pinned by digest keeps its
// tag (golang:1.26.8-alpine@sha256:…): it still says what the image holds.
func splitRef(ref string) (repo, tag string, digest bool) {
	if i := strings.Index(ref, "@"); i >= 0 {
		ref, digest = ref[:i], true
	}
	slash := strings.LastIndex(ref, "/")
	if i := strings.LastIndex(ref, ":"); i > slash {
		return ref[:i], ref[i+1:], digest
	}
	return ref, "", digest
}

func (l *checker) checkStage(s *stage) {
	// go get anywhere.
	for _, r := range s.runs() {
		if goGetRE.MatchString(runText(r)) {
			l.add(RuleGoGet, RuleGoGet.Severity, lineOf(r),
				"RUN uses go get, which only edits go.mod since Go 1.18 and fails outside a module",
				"Install tools with go install example.com/cmd/tool@vX.Y.Z.")
		}
	}
	l.checkUndeclaredTargetArgs(s)
	if !s.compiles() || windowsImage(s.image()) {
		// Windows containers run only on Windows hosts of their own
		// architecture: no emulation or cross-compiling to set up, and
		// no Linux cache paths.
		l.checkDownloadOrder(s)
		if s.compiles() {
			l.checkGoVersion(s)
		}
		return
	}
	l.checkPlatform(s)
	l.checkTargetEnv(s)
	l.checkCaches(s)
	l.checkDownloadOrder(s)
	l.checkGoVersion(s)
}

// windowsImage reports whether image is a Windows one: the golang
// windowsservercore and nanoserver tags, or Microsoft's Windows bases.
func windowsImage(image string) bool {
	repo, tag, _ := splitRef(strings.ToLower(image))
	return strings.Contains(tag, "windowsservercore") || strings.Contains(tag, "nanoserver") ||
		strings.HasPrefix(repo, "mcr.microsoft.com/windows")
}

func (l *checker) checkPlatform(s *stage) {
	p := s.effectivePlatform()
	switch {
	case p == "":
		l.add(RuleEmulatedBuild, RuleEmulatedBuild.Severity, s.line,
			fmt.Sprintf("stage %s compiles Go without --platform=$BUILDPLATFORM: for each other platform the compiler runs under emulation", stageLabel(s)),
			fmt.Sprintf("FROM --platform=$BUILDPLATFORM %s, then cross-compile with GOOS=$TARGETOS GOARCH=$TARGETARCH.", s.st.BaseName))
	case strings.Contains(p, "BUILDPLATFORM"):
	case strings.Contains(p, "TARGETPLATFORM"):
		l.add(RuleEmulatedBuild, RuleEmulatedBuild.Severity, s.line,
			fmt.Sprintf("stage %s compiles Go on --platform=%s, the default, so it runs under emulation (BuildKit check RedundantTargetPlatform)", stageLabel(s), p),
			"Use --platform=$BUILDPLATFORM and cross-compile with GOOS=$TARGETOS GOARCH=$TARGETARCH.")
	case !strings.Contains(p, "$"):
		l.add(RuleEmulatedBuild, RuleEmulatedBuild.Severity, s.line,
			fmt.Sprintf("stage %s compiles Go on the constant platform %s: emulated on any other build machine (BuildKit check FromPlatformFlagConstDisallowed)", stageLabel(s), p),
			"Use --platform=$BUILDPLATFORM and cross-compile with GOOS=$TARGETOS GOARCH=$TARGETARCH.")
	}
}

// crossBuilds reports whether the stage runs on a platform other than the
// target's, so that go build must be told the target.
func crossBuilds(s *stage) bool {
	p := s.effectivePlatform()
	return p != "" && !strings.Contains(p, "TARGETPLATFORM")
}

var (
	goosRE   = regexp.MustCompile(`\bGOOS=["']?([^\s"';&|]*)`)
	goarchRE = regexp.MustCompile(`\bGOARCH=["']?([^\s"';&|]*)`)
	goarmRE  = regexp.MustCompile(`\bGOARM=["']?([^\s"';&|]*)`)
)

func (l *checker) checkTargetEnv(s *stage) {
	run := s.goBuild()
	if run == nil || !crossBuilds(s) {
		return
	}
	text := runText(run)
	if strings.Contains(text, "xx-go") {
		if !s.declaresArg("TARGETPLATFORM", run) && !s.declaresArg("TARGETARCH", run) {
			l.add(RuleTargetEnv, RuleTargetEnv.Severity, lineOf(run),
				fmt.Sprintf("stage %s runs xx-go without ARG TARGETPLATFORM in the stage, so xx-go builds for the build machine", stageLabel(s)),
				"Add ARG TARGETPLATFORM to the stage before the RUN.")
		}
		return
	}
	line := lineOf(run)
	// GOARCH must follow the target. GOOS may be missing or linux: the
	// build platform BuildKit runs stages on is linux, so only another
	// hard-coded OS or an undeclared $TARGETOS is wrong.
	arch, ok := s.setting(run, goarchRE, "GOARCH")
	switch {
	case !ok:
		l.add(RuleTargetEnv, RuleTargetEnv.Severity, line,
			fmt.Sprintf("go build in stage %s on %s sets no GOARCH: every image gets a binary for the build machine's architecture", stageLabel(s), s.effectivePlatform()),
			"Add ARG TARGETARCH to the stage and run GOARCH=$TARGETARCH go build.")
	case !strings.Contains(arch, "TARGETARCH"):
		l.add(RuleTargetEnv, RuleTargetEnv.Severity, line,
			fmt.Sprintf("go build in stage %s sets GOARCH=%s instead of $TARGETARCH: every platform's image gets the same binary", stageLabel(s), arch),
			"Use GOARCH=$TARGETARCH (with ARG TARGETARCH in the stage).")
	}
	goos, _ := s.setting(run, goosRE, "GOOS")
	if goos != "" && goos != "linux" && !strings.Contains(goos, "TARGETOS") {
		l.add(RuleTargetEnv, finding.Warning, line,
			fmt.Sprintf("go build in stage %s sets GOOS=%s instead of $TARGETOS", stageLabel(s), goos),
			"Use GOOS=$TARGETOS (with ARG TARGETOS in the stage).")
	}
	if strings.Contains(arch, "TARGETARCH") {
		if _, ok := s.setting(run, goarmRE, "GOARM"); !ok {
			l.add(RuleTargetEnv, finding.Info, line,
				fmt.Sprintf("go build in stage %s sets no GOARM: a linux/arm/v6 image would get a GOARMv7 binary", stageLabel(s)),
				"Add ARG TARGETVARIANT and GOARM=${TARGETVARIANT#v}.")
		}
	}
}

// mountTargets returns the cache mount targets of a RUN.
func mountTargets(r *instructions.RunCommand) []string {
	var targets []string
	for _, m := range instructions.GetMounts(r) {
		if m.Type == instructions.MountTypeCache {
			targets = append(targets, path.Clean(m.Target))
		}
	}
	return targets
}

func (l *checker) checkCaches(s *stage) {
	modCache := "/go/pkg/mod"
	if v, ok := s.setting(nil, neverRE, "GOMODCACHE"); ok && v != "" {
		modCache = path.Clean(v)
	}
	buildCache := "/root/.cache/go-build"
	if v, ok := s.setting(nil, neverRE, "GOCACHE"); ok && v != "" {
		buildCache = path.Clean(v)
	}
	downloaded := false
	for _, r := range s.runs() {
		text := runText(r)
		targets := mountTargets(r)
		if goDownloadRE.MatchString(text) && !goBuildRE.MatchString(text) {
			downloaded = true
			continue
		}
		if !goBuildRE.MatchString(text) && !goInstallRE.MatchString(text) {
			continue
		}
		var missing []string
		if !slices.Contains(targets, buildCache) {
			missing = append(missing, "build cache ("+buildCache+")")
		}
		if !downloaded && !slices.Contains(targets, modCache) {
			missing = append(missing, "module cache ("+modCache+")")
		}
		if len(missing) > 0 {
			l.add(RuleNoCacheMount, RuleNoCacheMount.Severity, lineOf(r),
				fmt.Sprintf("RUN compiles Go without a cache mount for the %s: every source change recompiles everything", strings.Join(missing, " and ")),
				fmt.Sprintf("Add --mount=type=cache,target=%s --mount=type=cache,target=%s to the RUN.", modCache, buildCache))
		}
	}
}

func (l *checker) checkDownloadOrder(s *stage) {
	copiedAll := 0
	for _, c := range s.st.Commands {
		switch c := c.(type) {
		case *instructions.CopyCommand:
			if c.From == "" && copiesContext(c.SourcePaths) && copiedAll == 0 {
				copiedAll = lineOf(c)
			}
		case *instructions.AddCommand:
			if copiesContext(c.SourcePaths) && copiedAll == 0 {
				copiedAll = lineOf(c)
			}
		case *instructions.RunCommand:
			if copiedAll > 0 && goDownloadRE.MatchString(runText(c)) {
				l.add(RuleSourceBeforeDownload, RuleSourceBeforeDownload.Severity, lineOf(c),
					fmt.Sprintf("go mod download runs after line %d copies the whole build context, so any source change downloads every module again", copiedAll),
					"COPY go.mod go.sum ./ then RUN go mod download, and only then COPY . .")
				return
			}
		}
	}
}

func copiesContext(srcs []string) bool {
	for _, s := range srcs {
		switch strings.TrimSuffix(path.Clean(s), "/") {
		case ".", "*", "/":
			return true
		}
	}
	return false
}

func (l *checker) checkGoVersion(s *stage) {
	if l.opts.GoMod == nil || l.opts.GoMod.Go == "" {
		return
	}
	repo, tag, _ := splitRef(s.image())
	if !isGolangRepo(repo) {
		return
	}
	have := imageGoVersion(tag)
	if have == "" {
		return
	}
	need := "go" + l.opts.GoMod.Go
	if satisfies(have, need) {
		return
	}
	// The image sets GOTOOLCHAIN=local; a stage may set it again, and the
	// go command then stops, looks on PATH or downloads a toolchain.
	sev, consequence := RuleGoTooOld.Severity, "the image sets GOTOOLCHAIN=local, so go build stops"
	if tc, ok := s.setting(s.goBuild(), gotoolchainRE, "GOTOOLCHAIN"); ok {
		if strings.Contains(tc, "$") {
			return // set from a variable: the mode is not known here
		}
		name, mode, _ := strings.Cut(tc, "+")
		if tc == "auto" || tc == "path" {
			name, mode = "local", tc
		}
		// With +auto or +path the go command switches up to the go line
		// when the named toolchain (or local) is older.
		if (mode == "auto" || mode == "path") && version.Compare(name, need) < 0 {
			name = need
		}
		switch {
		case tc == "local":
			consequence = "GOTOOLCHAIN=local, so go build stops"
		case mode == "path":
			consequence = fmt.Sprintf("GOTOOLCHAIN=%s: go build stops unless %s is on PATH", tc, name)
		case mode == "auto" || version.Compare(name, need) >= 0:
			sev, consequence = finding.Warning, fmt.Sprintf("GOTOOLCHAIN=%s: every build downloads %s from the module proxy instead of using the image's Go", tc, name)
		default:
			consequence = fmt.Sprintf("GOTOOLCHAIN=%s, so go build stops", tc)
		}
	}
	l.add(RuleGoTooOld, sev, s.line,
		fmt.Sprintf("stage %s builds with %s:%s (Go %s), but %s requires go >= %s; %s", stageLabel(s), repo, tag, strings.TrimPrefix(have, "go"), l.opts.GoMod.Path, l.opts.GoMod.Go, consequence),
		fmt.Sprintf("Use %s:%s%s or later.", repo, l.opts.GoMod.Want(), tag[len(strings.TrimPrefix(have, "go")):]))
}

func isGolangRepo(repo string) bool {
	switch repo {
	case "golang", "docker.io/golang", "docker.io/library/golang", "library/golang":
		return true
	}
	return false
}

var tagVersionRE = regexp.MustCompile(`^(1(?:\.\d+){1,2}(?:(?:rc|beta)\d+)?)(?:-|$)`)

// imageGoVersion reads the Go version a golang image tag names
// ("1.26.8-bookworm" → go1.26.8, "1.22-alpine" → go1.22); "" when the tag
// names none (latest, alpine, 1).
func imageGoVersion(tag string) string {
	m := tagVersionRE.FindStringSubmatch(tag)
	if m == nil || !version.IsValid("go"+m[1]) {
		return ""
	}
	return "go" + m[1]
}

// satisfies reports whether an image of Go version have runs a module
// that needs need. A two-part tag (1.26) floats to the newest 1.26.x, so it
// satisfies any 1.26 release or release candidate.
func satisfies(have, need string) bool {
	if version.Compare(have, need) >= 0 {
		return true
	}
	return strings.Count(have, ".") == 1 && version.Lang(need) == have
}

// libc names the C library of an image: "none", "glibc", "musl" or ""
// when unknown.
func libc(image string) string {
	repo, tag, _ := splitRef(strings.ToLower(image))
	name := path.Base(repo)
	switch {
	case repo == "scratch", strings.Contains(repo, "distroless/static"), repo == "cgr.dev/chainguard/static":
		return "none"
	case name == "alpine", strings.Contains(tag, "alpine"):
		return "musl"
	case strings.Contains(repo, "distroless/"), name == "debian", name == "ubuntu", name == "golang",
		name == "fedora", name == "amazonlinux", strings.Contains(name, "ubi"), name == "rockylinux", name == "almalinux":
		return "glibc"
	}
	return ""
}

func (s *stage) libc() string {
	if strings.EqualFold(s.image(), "scratch") {
		return "none"
	}
	return libc(s.image())
}

func (l *checker) checkFinal(final *stage) {
	l.checkLibc(final)
	l.checkEntrypoint(final)
	l.checkUser(final)
}

func (l *checker) checkLibc(final *stage) {
	runtime := final.libc()
	if runtime == "" || final.compiles() {
		return
	}
	for _, c := range final.st.Commands {
		cp, ok := c.(*instructions.CopyCommand)
		if !ok || cp.From == "" {
			continue
		}
		src := l.f.stageRef(cp.From)
		if src == nil {
			continue
		}
		var build *stage
		var run *instructions.RunCommand
		for cur := src; cur != nil && run == nil; cur = cur.parent {
			build, run = cur, cur.goBuild()
		}
		if run == nil || !copiesOutput(cp.SourcePaths, runText(run)) {
			continue
		}
		builder := build.libc()
		text := runText(run)
		if staticRE.MatchString(text) {
			continue
		}
		cgo, set := build.setting(run, cgoRE, "CGO_ENABLED")
		var sev finding.Severity
		var why string
		switch {
		case set && cgo == "0":
			continue
		case set && cgo == "1":
			sev, why = finding.Error, "built with CGO_ENABLED=1"
		case builder == "musl" && !l.installsCC(build):
			continue // golang:*-alpine has no C compiler, so cgo is off
		case pureGoTags(text):
			continue // net and os/user without cgo: nothing else links libc
		default:
			sev, why = finding.Warning, "built with CGO_ENABLED unset (cgo is on whenever the build and target platforms match and a C compiler is present)"
		}
		switch {
		case runtime == "none":
		case runtime == "musl" && builder == "glibc", runtime == "glibc" && builder == "musl":
		default:
			continue
		}
		have := map[string]string{"none": "no C library", "musl": "musl", "glibc": "glibc"}[runtime]
		l.add(RuleLibcMismatch, sev, lineOf(cp),
			fmt.Sprintf("binary from stage %s, %s, is linked against the %s of %s, but the final image %s has %s: it fails to start with \"no such file or directory\"", stageLabel(build), why, builder, build.image(), final.image(), have),
			"Set CGO_ENABLED=0 on the go build, link statically, or use a final image with the build stage's C library.")
	}
}

var tagsRE = regexp.MustCompile(`-tags[\s=]+["']?([^\s"']+)`)

// pureGoTags reports whether go build runs with both netgo and osusergo,
// which keep the standard library's cgo users (net, os/user) from linking
// the C library when CGO_ENABLED is left to its default.
func pureGoTags(build string) bool {
	m := tagsRE.FindStringSubmatch(build)
	if m == nil {
		return false
	}
	tags := strings.FieldsFunc(m[1], func(r rune) bool { return r == ',' || r == ' ' })
	return slices.Contains(tags, "netgo") && slices.Contains(tags, "osusergo")
}

func (l *checker) installsCC(s *stage) bool {
	for cur := s; cur != nil; cur = cur.parent {
		for _, r := range cur.runs() {
			if ccInstallRE.MatchString(runText(r)) {
				return true
			}
		}
	}
	return false
}

// copiesOutput reports whether COPY sources include what go build wrote
// with -o; without -o any source counts.
func copiesOutput(srcs []string, build string) bool {
	m := outputRE.FindStringSubmatch(build)
	if m == nil || strings.Contains(m[1], "$") {
		return true
	}
	out := path.Clean(m[1])
	for _, s := range srcs {
		s = path.Clean(s)
		if strings.ContainsAny(s, "*?[$") || s == out || strings.HasPrefix(out, s+"/") || path.Base(s) == path.Base(out) {
			return true
		}
	}
	return false
}

func (l *checker) checkEntrypoint(final *stage) {
	noShell := final.libc() == "none" || (strings.Contains(final.image(), "distroless") && !strings.Contains(final.image(), "debug"))
	for _, c := range final.st.Commands {
		var kind string
		var prepend bool
		switch c := c.(type) {
		case *instructions.EntrypointCommand:
			kind, prepend = "ENTRYPOINT", c.PrependShell
		case *instructions.CmdCommand:
			kind, prepend = "CMD", c.PrependShell
		default:
			continue
		}
		if !prepend {
			continue
		}
		sev := RuleShellForm.Severity
		msg := fmt.Sprintf("%s uses shell form: the program runs under /bin/sh -c, is not PID 1 and misses SIGTERM (BuildKit check JSONArgsRecommended)", kind)
		if noShell {
			sev = finding.Error
			msg = fmt.Sprintf("%s uses shell form, but the final image %s has no /bin/sh: the container cannot start (BuildKit check JSONArgsRecommended)", kind, final.image())
		}
		l.add(RuleShellForm, sev, lineOf(c), msg, fmt.Sprintf(`Use exec form: %s ["/path/to/binary", "arg"].`, kind))
	}
}

func (l *checker) checkUser(final *stage) {
	for cur := final; cur != nil; cur = cur.parent {
		var user *instructions.UserCommand
		for _, c := range cur.st.Commands {
			if u, ok := c.(*instructions.UserCommand); ok {
				user = u
			}
		}
		if user != nil {
			name, _, _ := strings.Cut(user.User, ":")
			if name == "root" || name == "0" {
				l.add(RuleRootUser, RuleRootUser.Severity, lineOf(user),
					fmt.Sprintf("the final stage runs as %s", user.User),
					"Use USER 65532:65532 (or another non-root uid) as the last USER.")
			}
			return
		}
		if cur.parent == nil {
			img := strings.ToLower(cur.base)
			if strings.Contains(img, "nonroot") || img == "" {
				return
			}
		}
	}
	l.add(RuleRootUser, RuleRootUser.Severity, final.line,
		fmt.Sprintf("the final stage (%s) sets no USER, so the program runs as root", final.image()),
		"Add USER 65532:65532 to the final stage, or use a :nonroot distroless tag.")
}

func stageLabel(s *stage) string {
	if s.st.Name != "" {
		return s.st.Name
	}
	return fmt.Sprint(s.index)
}

// kebab turns a BuildKit check name into its documentation slug:
// FromAsCasing → from-as-casing.
func kebab(name string) string {
	var b strings.Builder
	upper := func(i int) bool { return i >= 0 && i < len(name) && name[i] >= 'A' && name[i] <= 'Z' }
	for i := 0; i < len(name); i++ {
		c := name[i]
		if upper(i) {
			if i > 0 && (!upper(i-1) || (i+1 < len(name) && !upper(i+1))) {
				b.WriteByte('-')
			}
			c += 'a' - 'A'
		}
		b.WriteByte(c)
	}
	return b.String()
}
