package matrix

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/triage"
)

// Status is the outcome of one pair.
type Status string

const (
	OK          Status = "ok"
	Failed      Status = "failed"
	Skipped     Status = "skipped"
	Interrupted Status = "interrupted"
)

// PairResult is what happened to one pair.
type PairResult struct {
	Pair
	Status Status `json:"status"`
	// Reason says why the pair was skipped, failed or interrupted.
	Reason string `json:"reason,omitempty"`
	// Rule is the rule of a failure and Fix its concrete remedy.
	Rule string `json:"rule,omitempty"`
	Fix  string `json:"fix,omitempty"`
	// Output is the path of the built file, relative to the module
	// directory when it lies inside it.
	Output string `json:"output,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// Log is the tail of the build or verification log of a failure.
	Log string `json:"log,omitempty"`
	// CacheKey identifies what the build cache holds for this pair: Go
	// version, target, CGO_ENABLED and C compiler.
	CacheKey string `json:"cache_key"`
	// Verified is true when binfile confirmed the output matches the
	// target.
	Verified bool       `json:"verified"`
	Run      *RunResult `json:"run,omitempty"`
	// Explained is the runbook that explains a build failure's log.
	Explained *Explanation `json:"explained,omitempty"`
}

// Explanation is the triage verdict on a failed build's log.
type Explanation struct {
	Runbook    string  `json:"runbook"`
	Title      string  `json:"title"`
	Confidence float64 `json:"confidence"`
	Evidence   string  `json:"evidence,omitempty"`
	// Fix is the runbook's Fix section (Markdown).
	Fix string `json:"fix,omitempty"`
}

// RunResult is the smoke run of one output.
type RunResult struct {
	// Status is "passed", "failed" or "not-run".
	Status   string `json:"status"`
	Runner   string `json:"runner,omitempty"`
	ExitCode int    `json:"exit_code"`
	Output   string `json:"output,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Options are the inputs of Run.
type Options struct {
	// Dir is the module directory builds run in.
	Dir     string
	Environ []string
	GoEnv   *goenv.Env
	// OutDir receives <goos>_<goarch>[_<variant>]/<name>[.exe].
	OutDir string
	Jobs   int
	// Check compiles every package of Patterns per target and writes
	// nothing.
	Check    bool
	Patterns []string
	// NoTrimpath keeps absolute paths in binaries; -trimpath is the
	// default.
	NoTrimpath bool
	LDFlags    string
	Tags       string
	// GlibcMax fails outputs whose glibc floor exceeds it ("2.31").
	GlibcMax string
	// CacheRoot, when set, gives each target its own GOCACHE below it.
	CacheRoot string
	// RunArgs, when not nil, makes Run execute every output with them.
	RunArgs    []string
	RunTimeout time.Duration
	Cross      *cross.Inventory
	// Triage, when set, gives the engine that explains failed builds'
	// logs with runbooks, or nil when there is none. It is called only
	// once a build has failed, from any goroutine, so that a run without
	// failures never loads the runbooks: make it safe to call
	// concurrently and cheap to call again (sync.OnceValue).
	Triage func() *triage.Engine
	// Progress is called once per finished pair, never concurrently.
	Progress func(PairResult)
	// Events, when set, receives every step of the run, never
	// concurrently: one Queued per pair before any work starts, then
	// Started when a pair's go command starts and Finished when the pair
	// is done. Pairs skipped or failed at planning, or not started after
	// an interrupt, are Finished without being Started.
	Events func(Event)
}

// EventKind is the kind of an Event.
type EventKind string

const (
	Queued   EventKind = "queued"
	Started  EventKind = "started"
	Finished EventKind = "finished"
)

// Event is one step of a run, for live progress displays.
type Event struct {
	Kind EventKind
	Pair Pair
	// Result is set on Finished.
	Result *PairResult
}

// Result is the outcome of a matrix run.
type Result struct {
	Schema      string       `json:"schema"`
	GoVersion   string       `json:"go_version"`
	Shard       target.Shard `json:"shard"`
	Check       bool         `json:"check,omitempty"`
	Interrupted bool         `json:"interrupted,omitempty"`
	Pairs       []PairResult `json:"pairs"`
}

// Schema names the JSON form of Result.
const Schema = "goport.matrix/v1"

// Failed reports whether any pair failed, was interrupted, or failed its
// smoke run.
func (r *Result) Failed() bool {
	for _, p := range r.Pairs {
		if p.Status == Failed || p.Status == Interrupted || (p.Run != nil && p.Run.Status == "failed") {
			return true
		}
	}
	return false
}

// Run builds every pair of plan. Failures of single pairs are recorded in
// the Result, not returned; the error is for what stops the whole run
// (the output directory is locked, modules cannot be downloaded). When ctx
// is cancelled, running builds are killed with their process groups,
// their temporary files removed, and unstarted pairs are reported as
// interrupted.
func Run(ctx context.Context, opts Options, plan *Plan) (*Result, error) {
	res := &Result{Schema: Schema, GoVersion: opts.GoEnv.Version(), Check: opts.Check}
	if !opts.Check {
		if err := os.MkdirAll(opts.OutDir, 0o755); err != nil {
			return nil, fmt.Errorf("creating output directory: %w", err)
		}
		unlock, err := LockDir(opts.OutDir)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if err := prefetch(ctx, opts); err != nil {
		return nil, err
	}
	pairs := plan.Pairs
	if opts.Check {
		pairs = checkPairs(plan, opts.Patterns)
	}
	res.Pairs = make([]PairResult, len(pairs))
	var mu sync.Mutex
	emit := func(ev Event) {
		if opts.Events != nil {
			opts.Events(ev)
		}
	}
	started := func(p Pair) {
		mu.Lock()
		defer mu.Unlock()
		emit(Event{Kind: Started, Pair: p})
	}
	done := func(i int, pr PairResult) {
		mu.Lock()
		defer mu.Unlock()
		res.Pairs[i] = pr
		if opts.Progress != nil {
			opts.Progress(pr)
		}
		emit(Event{Kind: Finished, Pair: pr.Pair, Result: &pr})
	}
	for _, p := range pairs {
		emit(Event{Kind: Queued, Pair: p})
	}
	procs := cpuShares(pairs, opts.Jobs, runtime.GOMAXPROCS(0), opts.Environ)
	var g errgroup.Group
	g.SetLimit(max(1, opts.Jobs))
	for i, p := range pairs {
		g.Go(func() error {
			done(i, runPair(ctx, opts, p, started, procs[i]))
			return nil
		})
	}
	_ = g.Wait()
	res.Interrupted = ctx.Err() != nil
	return res, nil
}

// checkPairs turns the plan into one check per target over all patterns.
func checkPairs(plan *Plan, patterns []string) []Pair {
	if len(patterns) == 0 {
		patterns = []string{"./..."}
	}
	var out []Pair
	seen := map[target.Target]bool{}
	for _, p := range plan.Pairs {
		if seen[p.Target] {
			continue
		}
		seen[p.Target] = true
		cp := Pair{Package: strings.Join(patterns, " "), Target: p.Target, Compiler: p.Compiler}
		for _, q := range plan.Pairs {
			if q.Target == p.Target && q.Cgo && q.Compiler != nil {
				cp.Cgo, cp.Compiler = true, q.Compiler
			}
		}
		out = append(out, cp)
	}
	return out
}

// cpuShares gives each pair's go command its share of the CPUs, as
// GOMAXPROCS: the CPUs over the builds running beside it, which is -j
// until fewer pairs are left to start. Left alone, every compiler and
// linker sizes its threads to the whole machine, and -j builds at once
// oversubscribe it: on 2 CPUs, warm builds (mostly linking) of goport and
// shfmt side by side spent 3-8% more CPU than with one CPU each. The
// last builds get the CPUs the others free. The go command's own
// parallelism, -p, which defaults to GOMAXPROCS, stays at the machine's
// CPUs (parallelFlags): a cold build waits on its dependencies' compiles,
// and more compiles than CPUs fill those gaps. Neither value changes the
// outputs nor the build cache's keys. 0 (leave GOMAXPROCS alone) for
// every pair when the environment sets it.
func cpuShares(pairs []Pair, jobs, cpus int, environ []string) []int {
	shares := make([]int, len(pairs))
	if _, set := goenv.Getenv(environ, "GOMAXPROCS"); set {
		return shares
	}
	left := 0 // pairs that build, from i on
	for i := len(pairs) - 1; i >= 0; i-- {
		if pairs[i].Skip == "" && pairs[i].Fail == "" {
			left++
		}
		beside := min(max(1, jobs), left)
		if beside > 0 {
			shares[i] = max(1, (cpus+beside-1)/beside)
		}
	}
	return shares
}

// parallelFlags keeps the go command's -p at the machine's CPUs when
// GOMAXPROCS is lowered for a build, unless GOFLAGS sets -p itself.
func parallelFlags(opts Options, procs int) []string {
	if procs == 0 {
		return nil
	}
	if opts.GoEnv != nil {
		for _, f := range strings.Fields(opts.GoEnv.Get("GOFLAGS")) {
			name, _, _ := strings.Cut(strings.TrimLeft(f, "-"), "=")
			if name == "p" {
				return nil
			}
		}
	}
	return []string{"-p=" + strconv.Itoa(runtime.GOMAXPROCS(0))}
}

func runPair(ctx context.Context, opts Options, p Pair, started func(Pair), procs int) PairResult {
	pr := PairResult{Pair: p, CacheKey: CacheKey(opts.GoEnv.Version(), p)}
	switch {
	case p.Skip != "":
		pr.Status, pr.Reason = Skipped, p.Skip
		return pr
	case p.Fail != "":
		pr.Status, pr.Reason, pr.Rule, pr.Fix = Failed, p.Fail, p.FailRule, p.FailFix
		return pr
	case ctx.Err() != nil:
		pr.Status, pr.Reason = Interrupted, "not started"
		return pr
	}
	started(p)
	if opts.Check {
		return check(ctx, opts, pr, procs)
	}
	return build(ctx, opts, pr, procs)
}

// OutputPath is where pair p's binary goes below outDir.
func OutputPath(outDir string, p Pair) string {
	return filepath.Join(outDir, p.Target.DirName(), p.Name+p.Target.ExeSuffix())
}

func build(ctx context.Context, opts Options, pr PairResult, procs int) PairResult {
	final := OutputPath(opts.OutDir, pr.Pair)
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		pr.Status, pr.Reason = Failed, err.Error()
		return pr
	}
	// The go command writes -o in place; building to a hidden temporary
	// name and renaming means the final name only ever holds a complete
	// binary.
	tmp := filepath.Join(filepath.Dir(final), "."+filepath.Base(final)+".tmp-"+randomSuffix())
	defer os.Remove(tmp)
	linkPrevious(final, tmp)
	args := append([]string{"build"}, buildFlags(opts)...)
	args = append(args, parallelFlags(opts, procs)...)
	args = append(args, "-o", tmp, pr.Package)
	log, err := goCmd(ctx, opts, pr.Pair, args, procs)
	if err != nil {
		return explain(opts, failure(ctx, pr, RuleBuildFailed.ID, "go build failed", log, err), log)
	}
	if err := os.Rename(tmp, final); err != nil {
		pr.Status, pr.Reason = Failed, err.Error()
		return pr
	}
	pr.Output = relTo(opts.Dir, final)
	if fi, err := os.Stat(final); err == nil {
		pr.Size = fi.Size()
	}
	if problems, err := Verify(final, pr.Pair, opts.GlibcMax); err != nil || len(problems) > 0 {
		if err != nil {
			problems = append(problems, err.Error())
		}
		pr.Status, pr.Rule = Failed, RuleVerify.ID
		pr.Reason = "output does not match " + pr.Target.String() + ": " + problems[0]
		pr.Log = strings.Join(problems, "\n")
		return pr
	}
	pr.Verified = true
	pr.Status = OK
	if opts.RunArgs != nil {
		pr.Run = smokeRun(ctx, opts, pr.Pair, final)
	}
	return pr
}

// linkPrevious gives the temporary output the previous output's contents
// through a hard link. The go command skips the link step when -o names a
// file whose build ID says it is up to date (a warm rebuild of an
// unchanged program then costs a fifth), and when it does link it
// replaces the file (rename, or remove then create), never writing
// through it: the final name is not touched either way. Only files the go
// command accepts to replace qualify (it refuses to overwrite a
// non-empty file that is not an object file); anything else, or a file
// system without hard links, just means a full link.
func linkPrevious(final, tmp string) {
	f, err := os.Open(final)
	if err != nil {
		return
	}
	var head [8]byte
	n, _ := io.ReadFull(f, head[:])
	f.Close()
	if !isExecutable(head[:n]) {
		return
	}
	_ = os.Link(final, tmp)
}

// executableMagic are the first bytes of the go command's outputs for the
// targets goport builds, each also on the go command's list of object
// files it overwrites.
var executableMagic = [][]byte{
	[]byte("\x7fELF"),
	{0xfe, 0xed, 0xfa, 0xce}, {0xfe, 0xed, 0xfa, 0xcf}, // Mach-O, big-endian
	{0xce, 0xfa, 0xed, 0xfe}, {0xcf, 0xfa, 0xed, 0xfe}, // Mach-O, little-endian
	{'M', 'Z', 0x90, 0x00, 0x03, 0x00}, // PE as the Go linker writes it
	{0x00, 'a', 's', 'm'},              // WebAssembly
}

func isExecutable(head []byte) bool {
	for _, m := range executableMagic {
		if bytes.HasPrefix(head, m) {
			return true
		}
	}
	return false
}

func check(ctx context.Context, opts Options, pr PairResult, procs int) PairResult {
	args := append([]string{"build"}, buildFlags(opts)...)
	args = append(args, parallelFlags(opts, procs)...)
	args = append(args, "-o", os.DevNull)
	args = append(args, strings.Fields(pr.Package)...)
	log, err := goCmd(ctx, opts, pr.Pair, args, procs)
	if err != nil {
		return explain(opts, failure(ctx, pr, RuleBuildFailed.ID, "packages do not compile", log, err), log)
	}
	pr.Status = OK
	return pr
}

func failure(ctx context.Context, pr PairResult, rule, what string, log []byte, err error) PairResult {
	if ctx.Err() != nil {
		pr.Status, pr.Reason = Interrupted, "stopped while building"
		return pr
	}
	pr.Status, pr.Rule = Failed, rule
	pr.Log = Tail(string(log), 30)
	pr.Reason = what + " for " + pr.Target.String() + ": " + firstErrorLine(string(log), err)
	return pr
}

// explain attaches the most likely runbook to a failed build.
func explain(opts Options, pr PairResult, log []byte) PairResult {
	if opts.Triage == nil || pr.Status != Failed {
		return pr
	}
	engine := opts.Triage()
	if engine == nil {
		return pr
	}
	scope := kb.Scope{GOOS: pr.Target.GOOS, GOARCH: pr.Target.GOARCH}
	if opts.GoEnv != nil {
		scope.Go = opts.GoEnv.Version()
	}
	res, err := engine.ExplainIn(bytes.NewReader(log), scope)
	if err != nil || len(res.Causes) == 0 {
		return pr
	}
	c := res.Causes[0]
	pr.Explained = &Explanation{Runbook: c.ID, Title: c.Title, Confidence: c.Confidence}
	if len(c.Evidence) > 0 {
		pr.Explained.Evidence = c.Evidence[0].Text
	}
	if c.Runbook != nil {
		fix := strings.TrimSpace(c.Runbook.Sections["Fix"])
		if len(fix) > 2000 {
			fix = fix[:2000] + "…"
		}
		pr.Explained.Fix = fix
	}
	return pr
}

func buildFlags(opts Options) []string {
	var args []string
	if !opts.NoTrimpath {
		args = append(args, "-trimpath")
	}
	if opts.LDFlags != "" {
		args = append(args, "-ldflags="+opts.LDFlags)
	}
	if opts.Tags != "" {
		args = append(args, "-tags="+opts.Tags)
	}
	return args
}

// pairEnv is the environment of a pair's build: the caller's, without any
// target-selecting variable that could leak in, plus the pair's own.
func pairEnv(opts Options, p Pair) []string {
	drop := map[string]bool{"GOOS": true, "GOARCH": true, "CGO_ENABLED": true}
	for _, arch := range []string{"amd64", "arm", "arm64", "386", "mips", "mips64", "ppc64", "riscv64"} {
		drop[target.VariantVar(arch)] = true
	}
	if p.Compiler != nil {
		drop["CC"], drop["CXX"] = true, true
		if p.Compiler.PkgConfig != "" {
			drop["PKG_CONFIG"] = true
		}
	}
	if opts.CacheRoot != "" {
		drop["GOCACHE"] = true
	}
	var env []string
	for _, kv := range opts.Environ {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			env = append(env, kv)
		}
	}
	env = append(env, p.Target.Env()...)
	if p.Cgo {
		env = append(env, "CGO_ENABLED=1")
	} else {
		env = append(env, "CGO_ENABLED=0")
	}
	if p.Compiler != nil {
		env = append(env, "CC="+p.Compiler.CC)
		if p.Compiler.CXX != "" {
			env = append(env, "CXX="+p.Compiler.CXX)
		}
		if p.Compiler.PkgConfig != "" {
			env = append(env, "PKG_CONFIG="+p.Compiler.PkgConfig)
		}
	}
	if opts.CacheRoot != "" {
		env = append(env, "GOCACHE="+CacheDir(opts.CacheRoot, p))
	}
	return env
}

// CacheDir is pair p's GOCACHE below root with --isolate-cache.
func CacheDir(root string, p Pair) string {
	name := p.Target.DirName()
	if p.Cgo {
		name += "_cgo"
	}
	return filepath.Join(root, name)
}

// CacheKey is a stable key for what the build cache holds for p: CI
// systems use it to save and restore one cache per target. Go's own cache
// is already keyed by all of these, so the key only partitions storage.
func CacheKey(goVersion string, p Pair) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00cgo=%v\x00", goVersion, p.Target, p.Cgo)
	if p.Compiler != nil {
		fmt.Fprintf(h, "%s\x00%s", p.Compiler.CC, p.Compiler.Triplet)
	}
	return fmt.Sprintf("%s-%s-%s", goVersion, p.Target.DirName(), hex.EncodeToString(h.Sum(nil))[:12])
}

// goCmd runs the go command for pair p; procs, when not 0, is its
// GOMAXPROCS (see cpuShares).
func goCmd(ctx context.Context, opts Options, p Pair, args []string, procs int) ([]byte, error) {
	gobin := opts.GoEnv.GoBinary
	if gobin == "" {
		var err error
		if gobin, err = goenv.LookPath("go", opts.Environ); err != nil {
			return nil, err
		}
	}
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Dir = opts.Dir
	cmd.Env = pairEnv(opts, p)
	if procs > 0 {
		cmd.Env = append(cmd.Env, "GOMAXPROCS="+strconv.Itoa(procs))
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	ownProcessGroup(cmd)
	err := cmd.Run()
	return out.Bytes(), err
}

// prefetch downloads the module graph once, so parallel builds never race
// to fill the module cache.
func prefetch(ctx context.Context, opts Options) error {
	if _, err := os.Stat(filepath.Join(opts.Dir, "vendor", "modules.txt")); err == nil {
		return nil
	}
	data, err := os.ReadFile(filepath.Join(opts.Dir, "go.mod"))
	if err != nil || !bytes.Contains(data, []byte("require")) {
		return nil
	}
	log, err := goCmd(ctx, opts, Pair{Target: target.Target{GOOS: opts.GoEnv.Get("GOHOSTOS"), GOARCH: opts.GoEnv.Get("GOHOSTARCH")}}, []string{"mod", "download"}, 0)
	if err != nil {
		return fmt.Errorf("downloading modules: %s", firstErrorLine(string(log), err))
	}
	return nil
}

func smokeRun(ctx context.Context, opts Options, p Pair, bin string) *RunResult {
	var r *cross.Runner
	if opts.Cross != nil {
		r = opts.Cross.Runner(p.Target)
	}
	if r == nil {
		return &RunResult{Status: "not-run", Reason: "nothing on this host runs " + p.Target.String() + " binaries"}
	}
	timeout := opts.RunTimeout
	if timeout <= 0 {
		timeout = time.Minute
	}
	rctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	argv := r.Command(bin, opts.RunArgs)
	cmd := exec.CommandContext(rctx, argv[0], argv[1:]...)
	cmd.Dir = opts.Dir
	cmd.Env = append(append([]string(nil), opts.Environ...), r.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	ownProcessGroup(cmd)
	err := cmd.Run()
	rr := &RunResult{Runner: r.Kind, Output: Tail(out.String(), 20), Status: "passed"}
	if cmd.ProcessState != nil {
		rr.ExitCode = cmd.ProcessState.ExitCode()
	}
	switch {
	case rctx.Err() == context.DeadlineExceeded:
		rr.Status, rr.Reason = "failed", fmt.Sprintf("timed out after %s", timeout)
	case err != nil:
		rr.Status, rr.Reason = "failed", err.Error()
	}
	return rr
}

// Tail returns the last n lines of s.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// firstErrorLine picks the most telling line of a go command log: the
// first compiler-style "file:line: message" line, else the last line.
func firstErrorLine(log string, err error) string {
	var last string
	for _, l := range strings.Split(log, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		if strings.Contains(l, ".go:") {
			return l
		}
		last = l
	}
	if last != "" {
		return last
	}
	return err.Error()
}

func relTo(dir, p string) string {
	absDir, err1 := filepath.Abs(dir)
	absP, err2 := filepath.Abs(p)
	if err1 != nil || err2 != nil {
		return p
	}
	if rel, err := filepath.Rel(absDir, absP); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return p
}

func randomSuffix() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
