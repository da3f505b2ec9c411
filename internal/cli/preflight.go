package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/config"
	"github.com/goport/goport/internal/cross"
	"github.com/goport/goport/internal/doctor"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/preflight"
	"github.com/goport/goport/internal/render"
	"github.com/goport/goport/internal/secret"
	"github.com/goport/goport/internal/target"
)

type preflightOptions struct {
	report  reportFlags
	targets []string
}

func newPreflightCmd(s *Streams) *cobra.Command {
	opts := &preflightOptions{}
	cmd := &cobra.Command{
		Use:   "preflight [--target T]...",
		Short: "Check, before any build, that the go command will do what the job expects for each target",
		Long: `Preflight predicts, for each target, the CGO_ENABLED the go command will use
and why, checks that the C compiler for a cgo build exists and targets that
platform ($CC -dumpmachine), that cross pkg-config is isolated from the host,
that the port and its variant are supported by the installed Go, that
GOFLAGS, GOTOOLCHAIN and the go line let the go command run at all, and
whether the target's binaries can run here. It builds nothing: one
'go env -json', one port list and one -dumpmachine per C compiler.

Targets come from --target, else from goport.yaml, else the GOOS/GOARCH a
plain go build here would use (the host unless GOOS or GOARCH is set). One line
per target says OK or FAIL; any FAIL exits 1.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runPreflight(cmd, s, opts)
		}),
	}
	opts.report.register(cmd)
	cmd.Flags().StringArrayVar(&opts.targets, "target", nil, "target goos/goarch[/variant] (repeatable)")
	return cmd
}

func runPreflight(cmd *cobra.Command, s *Streams, opts *preflightOptions) error {
	format, failOn, err := opts.report.parsed(cmd)
	if err != nil {
		return err
	}
	var targets []target.Target
	for _, spec := range opts.targets {
		ts, err := target.ParseList(spec)
		if err != nil {
			// ParseList validates variants; an invalid one is a preflight
			// finding, not a usage error, when the spelling parses.
			t, perr := target.Parse(spec)
			bare := t
			bare.Variant = ""
			oddVariant := strings.IndexFunc(t.Variant, func(r rune) bool {
				return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(".,_-", r))
			}) >= 0
			if oddVariant {
				return usageError(cmd, "invalid target %q: the variant holds characters no variant uses", spec)
			}
			if perr != nil || bare.Validate() != nil {
				return usageError(cmd, "%v", err)
			}
			ts = []target.Target{t}
		}
		targets = append(targets, ts...)
	}
	ctx := cmd.Context()
	// The two go commands are independent: run them side by side.
	var ports []goenv.Port
	var portsErr error
	listed := make(chan struct{})
	go func() {
		defer close(listed)
		// GOFLAGS cannot change the port list, but a bad one would stop
		// `go tool dist` before preflight can report it.
		ports, portsErr = goenv.DistList(ctx, append(slices.Clone(s.Environ), "GOFLAGS=", "GOENV=off"))
	}()
	env, err := goenv.Load(ctx, ".", s.Environ)
	<-listed
	if err != nil {
		return incomplete(cmd, fmt.Errorf("go env: %w", err))
	}
	if portsErr != nil {
		return incomplete(cmd, fmt.Errorf("go tool dist list: %w", portsErr))
	}
	host := goenv.DetectHost()
	cfg, err := config.Load(".")
	if err != nil {
		return incomplete(cmd, err)
	}
	if len(targets) == 0 {
		if targets, err = configTargets(cfg, ports); err != nil {
			return incomplete(cmd, err)
		}
	}
	toolchains := map[target.Target]preflight.Toolchain{}
	for t, tc := range cfg.Matrix.Toolchains {
		toolchains[t] = preflight.Toolchain{CC: tc.CC, CXX: tc.CXX, PkgConfig: tc.PkgConfig, Source: config.FileName}
	}
	settings, err := goenv.LoadSettings(s.Environ, env)
	if err != nil {
		return incomplete(cmd, err)
	}
	if len(targets) == 0 {
		targets = []target.Target{defaultTarget(env, settings)}
	}
	blockers, blockerRules, err := doctor.BuildBlockers(".", s.Environ, env)
	if errors.Is(err, doctor.ErrNotDir) {
		return usageError(cmd, "%v", err)
	}
	if err != nil {
		return incomplete(cmd, err)
	}
	inv := cross.Discover(ctx, cross.Options{Environ: s.Environ, GoEnv: env, Host: host})
	results, findings := preflight.Run(ctx, preflight.Options{
		Targets: targets, GoEnv: env, Ports: ports, Settings: settings, Cross: inv, Blockers: blockers,
		CXXFile: preflight.FindCXXFile(goModRoot(env)), Toolchains: toolchains,
	})
	report := &finding.Report{Findings: findings, Rules: append(preflight.Rules(), blockerRules...), Facts: results}
	report.Sort()
	recordHistory(cmd, s, goModRoot(env), report, nil)
	if format == render.Text {
		printPreflightLines(s, results)
	}
	err = emit(cmd, s, report, format, failOn)
	if err != nil && !errors.Is(err, errFindings) {
		return err
	}
	for _, r := range results {
		if !r.OK {
			return errFindings
		}
	}
	return err
}

// configTargets reads the targets of goport.yaml when the module has one.
func configTargets(c *config.Config, ports []goenv.Port) ([]target.Target, error) {
	if c.Path == "" {
		return nil, nil
	}
	if len(c.Matrix.Targets) > 0 {
		return c.Matrix.Targets, nil
	}
	if c.Matrix.Set != "" {
		return resolveTargets(nil, c.Matrix.Set == "all", ports)
	}
	return nil, nil
}

func printPreflightLines(s *Streams, results []preflight.Result) {
	for _, r := range results {
		if !r.OK {
			fmt.Fprintf(s.Out, "FAIL %s: %s\n", r.Target, secret.Redact(r.Reason))
			if r.Fix != "" {
				fmt.Fprintf(s.Out, "  fix: %s\n", secret.Redact(r.Fix))
			}
			fmt.Fprintf(s.Out, "  see: goport rules %s\n", r.Rule)
			continue
		}
		parts := []string{"cgo " + onOff(r.Cgo.Enabled) + " (" + r.Cgo.Reason + ")"}
		if r.Cgo.Enabled {
			parts = append(parts, "CC "+r.CC+" → "+r.Triplet)
		}
		if r.Runner != nil {
			parts = append(parts, "runs "+runnerName(r.Runner))
		} else {
			parts = append(parts, "cannot run here")
		}
		fmt.Fprintf(s.Out, "OK   %s: %s\n", r.Target, secret.Redact(strings.Join(parts, "; ")))
	}
	fmt.Fprintln(s.Out)
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func runnerName(r *cross.Runner) string {
	if r.Kind == "native" {
		return "natively"
	}
	return "under " + r.Kind
}

// goModRoot is the directory of go.mod, or "." outside a module (where
// GOMOD is empty or os.DevNull).
func goModRoot(env *goenv.Env) string {
	if gomod := env.Get("GOMOD"); gomod != "" && gomod != os.DevNull && filepath.IsAbs(gomod) {
		return filepath.Dir(gomod)
	}
	return "."
}

// defaultTarget is what a plain go build here targets: GOOS and GOARCH as
// the go command resolved them (the host unless set), with the variant
// only when one is set explicitly.
func defaultTarget(env *goenv.Env, settings goenv.Settings) target.Target {
	t := target.Target{GOOS: env.Get("GOOS"), GOARCH: env.Get("GOARCH")}
	if t.GOOS == "" || t.GOARCH == "" {
		t = target.Target{GOOS: env.Get("GOHOSTOS"), GOARCH: env.Get("GOHOSTARCH")}
	}
	if v := target.VariantVar(t.GOARCH); v != "" {
		t.Variant, _ = settings.Get(v)
	}
	return t
}
