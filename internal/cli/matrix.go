package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/goport/goport/internal/config"
	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/render"
	"github.com/goport/goport/internal/target"
	"github.com/goport/goport/internal/triage"
)

// noRunArgs is the value --run takes when given without arguments.
const noRunArgs = "\x00"

type matrixOptions struct {
	report       reportFlags
	targets      string
	firstClass   bool
	all          bool
	cgo          string
	jobs         int
	check        bool
	run          string
	runTimeout   time.Duration
	out          string
	isolateCache bool
	cacheRoot    string
	shard        string
	ldflags      string
	tags         string
	glibcMax     string
	noTrimpath   bool
	jsonFile     string
	junitFile    string
	markdownFile string
	kb           kbFlags
}

func newMatrixCmd(s *Streams) *cobra.Command {
	opts := &matrixOptions{}
	cmd := &cobra.Command{
		Use:   "matrix [PACKAGES]",
		Short: "Build main packages for every target, verify and optionally run each output",
		Long: `Matrix builds every main package matching PACKAGES (default ./...) for every
target with the go command, in parallel, into DIR/<goos>_<goarch>[_<variant>]/.
Each output is written under a temporary name and renamed when complete, then
inspected: format, OS, architecture, variant and CGO_ENABLED must match its
target. Pairs that do not exist for a target (build constraints) are listed
as skipped with the reason; pairs that need cgo get a matching C cross
compiler or fail before building.

Targets default to the first-class ports of the installed toolchain.
--isolate-cache gives each target its own GOCACHE below --cache-root. Go's
cache is already keyed by target, so isolation does not make builds more
correct: it serves CI cache keys, per-target size accounting and eviction.
Each pair's cache key is in the JSON report.

Interrupting (Ctrl-C, SIGTERM) stops every build with its process group,
removes temporaries and reports what finished.`,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runMatrix(cmd, s, opts, args)
		}),
	}
	opts.report.register(cmd)
	f := cmd.Flags()
	f.StringVar(&opts.targets, "targets", "", "comma-separated targets, goos/goarch[/variant]")
	f.BoolVar(&opts.firstClass, "first-class", false, "build for the toolchain's first-class ports (the default)")
	f.BoolVar(&opts.all, "all", false, "build for every port of the toolchain")
	f.StringVar(&opts.cgo, "cgo", "auto", "cgo: auto (where packages need it), on or off")
	f.IntVarP(&opts.jobs, "jobs", "j", runtime.NumCPU(), "builds to run in parallel")
	f.BoolVar(&opts.check, "check", false, "compile every package for every target, write no output")
	f.StringVar(&opts.run, "run", "", "run every output (natively or under qemu-user, wine, node); --run=\"ARGS\" passes space-separated arguments")
	f.Lookup("run").NoOptDefVal = noRunArgs
	f.DurationVar(&opts.runTimeout, "run-timeout", time.Minute, "time limit of each --run")
	f.StringVar(&opts.out, "out", "dist", "output directory")
	f.BoolVar(&opts.isolateCache, "isolate-cache", false, "use one GOCACHE per target below --cache-root")
	f.StringVar(&opts.cacheRoot, "cache-root", "", "root of per-target caches (default: goport-matrix next to GOCACHE)")
	f.StringVar(&opts.shard, "shard", "", "build only shard I of N of the pairs, as I/N")
	f.StringVar(&opts.ldflags, "ldflags", "", "flags for the linker, as go build -ldflags")
	f.StringVar(&opts.tags, "tags", "", "build tags, as go build -tags")
	f.StringVar(&opts.glibcMax, "glibc-max", "", "fail outputs that need a glibc newer than X.Y")
	f.BoolVar(&opts.noTrimpath, "no-trimpath", false, "keep file system paths in binaries")
	f.StringVar(&opts.jsonFile, "json", "", "also write the JSON report to this file")
	f.StringVar(&opts.junitFile, "junit", "", "also write a JUnit XML report to this file")
	f.StringVar(&opts.markdownFile, "markdown", "", "also write a Markdown report to this file")
	_ = cmd.RegisterFlagCompletionFunc("cgo", cobra.FixedCompletions([]string{"auto", "on", "off"}, cobra.ShellCompDirectiveNoFileComp))
	opts.kb.register(cmd)
	cmd.AddCommand(newMatrixMergeCmd(s))
	return cmd
}

// matrixInputs are the validated flags.
type matrixInputs struct {
	format  render.Format
	failOn  finding.Severity
	cgo     matrix.CgoMode
	shard   target.Shard
	targets []target.Target
	runArgs []string
}

func (opts *matrixOptions) validate(cmd *cobra.Command) (*matrixInputs, error) {
	in := &matrixInputs{}
	var err error
	if in.format, in.failOn, err = opts.report.parsed(cmd); err != nil {
		return nil, err
	}
	if in.cgo, err = matrix.ParseCgoMode(opts.cgo); err != nil {
		return nil, usageError(cmd, "%v", err)
	}
	if opts.shard != "" {
		if in.shard, err = target.ParseShard(opts.shard); err != nil {
			return nil, usageError(cmd, "%v", err)
		}
	}
	n := 0
	for _, set := range []bool{opts.targets != "", opts.firstClass, opts.all} {
		if set {
			n++
		}
	}
	if n > 1 {
		return nil, usageError(cmd, "--targets, --first-class and --all exclude each other")
	}
	if opts.targets != "" {
		if in.targets, err = target.ParseList(opts.targets); err != nil {
			return nil, usageError(cmd, "%v", err)
		}
	}
	if opts.jobs < 1 {
		return nil, usageError(cmd, "-j must be at least 1")
	}
	if opts.glibcMax != "" && !isDottedVersion(opts.glibcMax) {
		return nil, usageError(cmd, "invalid --glibc-max %q: want a version like 2.31", opts.glibcMax)
	}
	if cmd.Flags().Changed("run") {
		in.runArgs = []string{}
		if opts.run != noRunArgs {
			in.runArgs = strings.Fields(opts.run)
		}
		if opts.check {
			return nil, usageError(cmd, "--run needs outputs; it cannot be combined with --check")
		}
	}
	return in, nil
}

func isDottedVersion(s string) bool {
	parts := strings.Split(s, ".")
	for _, p := range parts {
		if p == "" || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return len(parts) >= 2
}

func runMatrix(cmd *cobra.Command, s *Streams, opts *matrixOptions, args []string) error {
	in, err := opts.validate(cmd)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Start-up work that does not depend on go env runs beside it: the
	// port list and the runbooks (needed only once a build fails, but
	// cheaper to load now than to hold a failure's report for).
	type portList struct {
		ports []goenv.Port
		err   error
	}
	portsDone := make(chan portList, 1)
	go func() {
		ports, err := goenv.DistList(ctx, s.Environ)
		portsDone <- portList{ports, err}
	}()
	// Runbooks explain failed builds: they are read and compiled only
	// once a build fails (about 30 ms of CPU that a run without failures
	// saves), but a runbook directory that does not exist is an error
	// before anything is built.
	srcs, err := opts.kb.sources(s)
	if err != nil {
		return err
	}
	explainer := &lazyRunbooks{sources: srcs}
	env, err := goenv.Load(ctx, ".", s.Environ)
	if err != nil {
		return fmt.Errorf("reading go env: %w", err)
	}
	root := "."
	if gomod := env.Get("GOMOD"); gomod != "" && gomod != os.DevNull {
		root = filepath.Dir(gomod)
	}
	cfg, err := config.Load(root)
	if err != nil {
		var ce *config.Error
		if errors.As(err, &ce) {
			return usageError(cmd, "%v", err)
		}
		return err
	}
	args = applyConfig(cmd, opts, in, cfg.Matrix, args)
	listed := <-portsDone
	if listed.err != nil {
		return fmt.Errorf("listing ports: %w", listed.err)
	}
	ports := listed.ports
	targets, err := resolveTargets(in.targets, opts.all, ports)
	if err != nil {
		return usageError(cmd, "%v", err)
	}
	compilers := map[target.Target]*cross.Compiler{}
	for t, tc := range cfg.Matrix.Toolchains {
		compilers[t] = &cross.Compiler{CC: tc.CC, CXX: tc.CXX, PkgConfig: tc.PkgConfig, Source: config.FileName}
	}
	inv := cross.Discover(ctx, cross.Options{Environ: s.Environ, GoEnv: env, Host: goenv.DetectHost()})
	plan, err := matrix.MakePlan(ctx, matrix.PlanOptions{
		Dir: ".", Patterns: args, Targets: targets, Cgo: in.cgo, Tags: opts.tags, Jobs: opts.jobs,
		Environ: s.Environ, Ports: ports, Cross: inv, Shard: in.shard, Compilers: compilers,
	})
	if err != nil {
		return fmt.Errorf("planning: %w", err)
	}
	ropts := matrix.Options{
		Triage: explainer.engine,
		Dir:    ".", Environ: s.Environ, GoEnv: env, OutDir: opts.out, Jobs: opts.jobs, Check: opts.check,
		Patterns: args, NoTrimpath: opts.noTrimpath, LDFlags: opts.ldflags, Tags: opts.tags, GlibcMax: opts.glibcMax,
		RunArgs: in.runArgs, RunTimeout: opts.runTimeout, Cross: inv,
	}
	if live := newLiveProgress(s); live != nil {
		ropts.Events = live.handle
	} else {
		ropts.Progress = func(p matrix.PairResult) { printProgress(s, p) }
	}
	timer := history.TimeBuilds(&ropts)
	if opts.isolateCache {
		ropts.CacheRoot = opts.cacheRoot
		if ropts.CacheRoot == "" {
			ropts.CacheRoot = filepath.Join(filepath.Dir(env.Get("GOCACHE")), "goport-matrix")
		}
	}
	res, err := matrix.Run(ctx, ropts, plan)
	if err != nil {
		return err
	}
	// Run has returned: the builds that loaded the runbooks are done.
	explainer.warn(s)
	res.Shard = in.shard
	recordMatrixHistory(cmd, s, root, res, timer)
	return reportMatrix(cmd, s, res, in, opts)
}

// applyConfig fills every setting the command line left alone from
// goport.yaml; flags always win. It returns the package patterns.
func applyConfig(cmd *cobra.Command, opts *matrixOptions, in *matrixInputs, m config.Matrix, args []string) []string {
	unset := func(name string) bool { return !cmd.Flags().Changed(name) }
	if unset("targets") && unset("first-class") && unset("all") {
		in.targets = m.Targets
		opts.all = m.Set == "all"
	}
	if len(args) == 0 {
		args = m.Packages
	}
	if unset("cgo") && m.Cgo != "" {
		in.cgo = matrix.CgoMode(m.Cgo)
	}
	if unset("jobs") && m.Jobs > 0 {
		opts.jobs = m.Jobs
	}
	if unset("out") && m.Out != "" {
		opts.out = m.Out
	}
	if unset("ldflags") && m.LDFlags != "" {
		opts.ldflags = m.LDFlags
	}
	if unset("tags") && m.Tags != "" {
		opts.tags = m.Tags
	}
	if unset("glibc-max") && m.GlibcMax != "" {
		opts.glibcMax = m.GlibcMax
	}
	if unset("no-trimpath") && m.Trimpath != nil {
		opts.noTrimpath = !*m.Trimpath
	}
	if unset("isolate-cache") && m.IsolateCache {
		opts.isolateCache = true
	}
	if unset("run") && m.RunArgs != nil && !opts.check {
		in.runArgs = m.RunArgs
	}
	if unset("run-timeout") && m.RunTimeout > 0 {
		opts.runTimeout = m.RunTimeout
	}
	return args
}

// resolveTargets applies --targets/--all/the first-class default and
// rejects targets the toolchain does not know.
func resolveTargets(explicit []target.Target, all bool, ports []goenv.Port) ([]target.Target, error) {
	if len(explicit) > 0 {
		for _, t := range explicit {
			if _, ok := goenv.FindPort(ports, t.GOOS, t.GOARCH); !ok {
				return nil, fmt.Errorf("unknown target %s: 'goport targets' lists this toolchain's ports", t)
			}
		}
		return explicit, nil
	}
	var out []target.Target
	for _, p := range ports {
		if (all && !p.Broken) || p.FirstClass {
			out = append(out, target.Target{GOOS: p.GOOS, GOARCH: p.GOARCH})
		}
	}
	return out, nil
}

// printProgress writes one line per finished pair on stderr, so stdout
// carries only the report.
func printProgress(s *Streams, p matrix.PairResult) {
	detail := p.Output
	if p.Status != matrix.OK {
		detail = strings.SplitN(p.Reason, "\n", 2)[0]
	}
	fmt.Fprintf(s.Err, "%-11s %-16s %s  %s\n", p.Status, p.Target, p.Package, detail)
}

// liveProgress keeps one status line per target on a terminal and
// redraws them in place with ANSI cursor movement on every event. It
// draws only when an event arrives, so it needs no ticker goroutine
// and nothing to stop when the run ends or is interrupted.
type liveProgress struct {
	w     io.Writer
	color bool
	width int
	rows  []*targetRow
	index map[target.Target]int
	drawn int // lines written by the last redraw
}

type targetRow struct {
	target  target.Target
	total   int
	running []string // packages being built, in start order
	counts  map[matrix.Status]int
}

// newLiveProgress returns a live display when stderr is a terminal
// that can move its cursor (not TERM=dumb), or nil: then progress is one
// line per finished pair.
func newLiveProgress(s *Streams) *liveProgress {
	f, ok := s.Err.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) || s.Getenv("TERM") == "dumb" {
		return nil
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil {
		width = 0
	}
	return newLiveProgressTo(f, width, s.Getenv("NO_COLOR") == "")
}

// newLiveProgressTo draws on w, cutting lines to width columns (none
// when width < 1) so that no line wraps and breaks the cursor arithmetic.
func newLiveProgressTo(w io.Writer, width int, color bool) *liveProgress {
	return &liveProgress{w: w, color: color, width: width, index: map[target.Target]int{}}
}

func (l *liveProgress) handle(ev matrix.Event) {
	i, ok := l.index[ev.Pair.Target]
	if !ok {
		i = len(l.rows)
		l.index[ev.Pair.Target] = i
		l.rows = append(l.rows, &targetRow{target: ev.Pair.Target, counts: map[matrix.Status]int{}})
	}
	row := l.rows[i]
	switch ev.Kind {
	case matrix.Queued:
		row.total++
		return // the first Started or Finished draws the whole table
	case matrix.Started:
		row.running = append(row.running, ev.Pair.Package)
	case matrix.Finished:
		row.running = slices.DeleteFunc(row.running, func(p string) bool { return p == ev.Pair.Package })
		row.counts[ev.Result.Status]++
	}
	l.redraw()
}

func (l *liveProgress) redraw() {
	var b strings.Builder
	if l.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", l.drawn)
	}
	for _, r := range l.rows {
		b.WriteString("\r\x1b[2K")
		b.WriteString(l.line(r))
		b.WriteString("\n")
	}
	l.drawn = len(l.rows)
	_, _ = io.WriteString(l.w, b.String())
}

func (l *liveProgress) line(r *targetRow) string {
	done := 0
	for _, n := range r.counts {
		done += n
	}
	var parts []string
	for _, st := range []matrix.Status{matrix.OK, matrix.Failed, matrix.Skipped, matrix.Interrupted} {
		if n := r.counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	state := "waiting"
	switch {
	case done == r.total:
		state = "done"
	case len(r.running) > 0:
		names := make([]string, len(r.running))
		for i, p := range r.running {
			names[i] = path.Base(p)
		}
		state = "building " + strings.Join(names, ", ")
	}
	text := fmt.Sprintf("%-16s %d/%d %s", r.target, done, r.total, state)
	if len(parts) > 0 {
		text += " (" + strings.Join(parts, ", ") + ")"
	}
	if runes := []rune(text); l.width > 0 && len(runes) > l.width-1 {
		text = string(runes[:max(0, l.width-1)])
	}
	if l.color {
		switch {
		case r.counts[matrix.Failed]+r.counts[matrix.Interrupted] > 0:
			text = "\x1b[31m" + text + "\x1b[0m"
		case done == r.total:
			text = "\x1b[32m" + text + "\x1b[0m"
		}
	}
	return text
}

func reportMatrix(cmd *cobra.Command, s *Streams, res *matrix.Result, in *matrixInputs, opts *matrixOptions) error {
	report := func() *finding.Report {
		r := &finding.Report{Findings: res.Findings(), Rules: matrix.Rules(), Facts: res}
		r.Tool, r.Version, r.Command, r.Schema = "goport", goportVersion(), commandName(cmd), finding.Schema
		return r
	}
	for _, side := range []struct {
		path   string
		format render.Format
	}{{opts.jsonFile, render.JSON}, {opts.markdownFile, render.Markdown}} {
		if side.path != "" {
			if err := writeOutput(cmd.Context(), side.path, func(w io.Writer) error { return render.Render(w, side.format, report(), render.Options{}) }); err != nil {
				return err
			}
		}
	}
	if opts.junitFile != "" {
		if err := writeOutput(cmd.Context(), opts.junitFile, res.WriteJUnit); err != nil {
			return err
		}
	}
	err := emit(cmd, s, report(), in.format, in.failOn)
	if err != nil && !errors.Is(err, errFindings) {
		return err
	}
	if res.Interrupted {
		return &exitError{code: ExitFindings, msg: commandName(cmd) + ": interrupted: " + res.Summary()}
	}
	if err != nil || res.Failed() {
		return errFindings
	}
	return nil
}

func newMatrixMergeCmd(s *Streams) *cobra.Command {
	var rf reportFlags
	var junitFile string
	cmd := &cobra.Command{
		Use:   "merge REPORT.json...",
		Short: "Merge the JSON reports of matrix shards into one report",
		Args:  cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			format, failOn, err := rf.parsed(cmd)
			if err != nil {
				return err
			}
			res, err := mergeReports(cmd.Context(), args)
			if err != nil {
				return err
			}
			if junitFile != "" {
				if err := writeOutput(cmd.Context(), junitFile, res.WriteJUnit); err != nil {
					return err
				}
			}
			r := &finding.Report{Findings: res.Findings(), Rules: matrix.Rules(), Facts: res}
			if err := emit(cmd, s, r, format, failOn); err != nil {
				return err
			}
			if res.Failed() {
				return errFindings
			}
			return nil
		}),
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&junitFile, "junit", "", "also write a JUnit XML report to this file")
	return cmd
}

// mergeReports reads matrix JSON reports and joins their pairs; a pair
// present in two reports is an error, since shards never overlap.
func mergeReports(_ context.Context, paths []string) (*matrix.Result, error) {
	merged := &matrix.Result{Schema: matrix.Schema}
	seen := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("reading report: %w", err)
		}
		var doc struct {
			Command string         `json:"command"`
			Facts   *matrix.Result `json:"facts"`
		}
		if err := json.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("reading report %s: %w", p, err)
		}
		if doc.Facts == nil || doc.Facts.Schema != matrix.Schema {
			return nil, fmt.Errorf("reading report %s: not a goport matrix JSON report", p)
		}
		if merged.GoVersion == "" {
			merged.GoVersion = doc.Facts.GoVersion
		} else if doc.Facts.GoVersion != merged.GoVersion {
			return nil, fmt.Errorf("reports were built with %s and %s; merge only shards of one run", merged.GoVersion, doc.Facts.GoVersion)
		}
		merged.Interrupted = merged.Interrupted || doc.Facts.Interrupted
		merged.Check = merged.Check || doc.Facts.Check
		for _, pr := range doc.Facts.Pairs {
			key := pr.Target.String() + " " + pr.Package
			if other, dup := seen[key]; dup {
				return nil, fmt.Errorf("%s is in both %s and %s", key, other, p)
			}
			seen[key] = p
			merged.Pairs = append(merged.Pairs, pr)
		}
	}
	slices.SortStableFunc(merged.Pairs, func(a, b matrix.PairResult) int {
		if c := target.Compare(a.Target, b.Target); c != 0 {
			return c
		}
		return strings.Compare(a.Package, b.Package)
	})
	return merged, nil
}

func newCICmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ci",
		Short: "Print CI configuration for sharded matrix builds",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newCIGitHubCmd(s))
	return cmd
}

func newCIGitHubCmd(s *Streams) *cobra.Command {
	var shards int
	var targets string
	var all bool
	cmd := &cobra.Command{
		Use:   "github",
		Short: "Print a GitHub Actions strategy.matrix (JSON) with one job per matrix shard",
		Long: `Print a JSON object for 'strategy: matrix: ${{ fromJSON(...) }}': each job
gets a "shard" (I/N) and the "targets" list, to run

    goport matrix --targets "${{ matrix.targets }}" --shard ${{ matrix.shard }} --json shard.json

and a final job merges the shard reports with 'goport matrix merge'.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if shards < 1 || shards > 256 {
				return usageError(cmd, "--shards must be between 1 and 256")
			}
			var explicit []target.Target
			if targets != "" {
				var err error
				if explicit, err = target.ParseList(targets); err != nil {
					return usageError(cmd, "%v", err)
				}
			}
			ports, err := goenv.DistList(cmd.Context(), s.Environ)
			if err != nil {
				return fmt.Errorf("listing ports: %w", err)
			}
			list, err := resolveTargets(explicit, all, ports)
			if err != nil {
				return usageError(cmd, "%v", err)
			}
			names := make([]string, len(list))
			for i, t := range list {
				names[i] = t.String()
			}
			type job struct {
				Shard   string `json:"shard"`
				Targets string `json:"targets"`
			}
			var m struct {
				Include []job `json:"include"`
			}
			for i := 1; i <= shards; i++ {
				m.Include = append(m.Include, job{Shard: fmt.Sprintf("%d/%d", i, shards), Targets: strings.Join(names, ",")})
			}
			return writeJSONValue(s, m)
		}),
	}
	cmd.Flags().IntVar(&shards, "shards", 4, "number of shards (jobs)")
	cmd.Flags().StringVar(&targets, "targets", "", "comma-separated targets (default: first-class ports)")
	cmd.Flags().BoolVar(&all, "all", false, "every port of the toolchain")
	return cmd
}

// lazyRunbooks loads the runbooks the first time a failed build needs
// explaining. Only the command's goroutine writes to the streams: what
// loading skipped or failed on is reported by warn once the run is over.
type lazyRunbooks struct {
	sources []kb.Source
	once    sync.Once
	store   *kb.Store
	eng     *triage.Engine
	err     error
}

// engine is matrix.Options.Triage: safe to call from every build.
func (l *lazyRunbooks) engine() *triage.Engine {
	l.once.Do(func() {
		l.store = kb.Load(l.sources...)
		l.eng, l.err = triage.New(l.store.Runbooks())
	})
	return l.eng
}

// warn reports, after the run, the runbooks that could not be used; a
// build's failure stands without an explanation rather than be lost.
func (l *lazyRunbooks) warn(s *Streams) {
	if l.store != nil {
		for _, e := range l.store.Errors {
			fmt.Fprintf(s.Err, "goport: warning: skipping runbook: %v\n", e)
		}
	}
	if l.err != nil {
		fmt.Fprintf(s.Err, "goport: warning: failures are not explained: loading runbooks: %v\n", l.err)
	}
}
