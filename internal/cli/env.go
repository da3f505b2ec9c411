package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/envinit"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
)

func newEnvCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Set up and restore a secure Go module environment",
		Args:  cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return usageError(cmd, "missing subcommand: init or restore")
		}),
	}
	cmd.AddCommand(newEnvInitCmd(s), newEnvRestoreCmd(s))
	return cmd
}

type envInitOptions struct {
	private  []string
	proxy    string
	apply    bool
	insecure bool
	format   string
}

func newEnvInitCmd(s *Streams) *cobra.Command {
	opts := &envInitOptions{}
	cmd := &cobra.Command{
		Use:   "init [--private PATTERN]... [--proxy URL] [--apply]",
		Short: "Compute a secure GOPROXY, GOSUMDB and GOPRIVATE, and apply them with go env -w",
		Long: `Init computes a secure module environment: GOPROXY an https proxy followed by
,direct; the checksum database on; GOPRIVATE covering the private-looking
module paths of go.mod plus the --private patterns, with GONOPROXY and
GONOSUMDB extended only where they are set explicitly. Nothing else is
touched.

Without --apply it prints the 'go env -w' commands it would run and why.
With --apply it first copies the GOENV file to a timestamped backup next to
it, then runs them; 'goport env restore' puts a backup back.

It refuses a plain-http proxy, GOSUMDB=off in the process environment,
GOINSECURE for public hosts and private patterns that cover a public host,
unless --insecure is given. Credentials in URLs are never printed.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runEnvInit(cmd, s, opts)
		}),
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.private, "private", nil, "extra GOPRIVATE pattern (repeatable)")
	f.StringVar(&opts.proxy, "proxy", envinit.DefaultProxy, "module proxy URL (https)")
	f.BoolVar(&opts.apply, "apply", false, "back up the GOENV file and apply the changes with go env -w")
	f.BoolVar(&opts.insecure, "insecure", false, "accept insecure choices instead of refusing them")
	f.StringVar(&opts.format, "format", "text", "output format: text or json (credentials redacted in both)")
	return cmd
}

// envInitReport is the JSON form of an env init run.
type envInitReport struct {
	envinit.Plan
	Applied bool   `json:"applied"`
	Backup  string `json:"backup,omitempty"`
}

func runEnvInit(cmd *cobra.Command, s *Streams, opts *envInitOptions) error {
	if opts.format != "text" && opts.format != "json" {
		return usageError(cmd, "invalid format %q: want text or json", opts.format)
	}
	ctx := cmd.Context()
	env, err := goenv.Load(ctx, ".", s.Environ)
	if err != nil {
		return incomplete(cmd, fmt.Errorf("go env: %w", err))
	}
	settings, err := goenv.LoadSettings(s.Environ, env)
	if err != nil {
		return incomplete(cmd, err)
	}
	plan, err := envinit.Compute(envinit.Options{Dir: ".", Settings: settings, Private: opts.private, Proxy: opts.proxy, Insecure: opts.insecure})
	switch {
	case errors.Is(err, envinit.ErrInvalid):
		return usageError(cmd, "%v", err)
	case errors.Is(err, envinit.ErrInsecure):
		return &exitError{code: ExitFindings, msg: prefixed(cmd, "refusing: "+secret.Redact(err.Error()))}
	case err != nil:
		return incomplete(cmd, err)
	}
	for _, w := range plan.Warnings {
		fmt.Fprintf(s.Err, "goport: %s: warning: %s\n", commandName(cmd), secret.Redact(w))
	}
	if opts.format == "json" {
		return envInitJSON(cmd, s, plan, opts.apply)
	}
	if len(plan.Changes) == 0 {
		fmt.Fprintln(s.Out, "The module environment is already secure: nothing to change.")
		return nil
	}
	fmt.Fprintf(s.Out, "# GOENV file: %s\n", plan.EnvFile)
	for _, c := range plan.Changes {
		fmt.Fprintf(s.Out, "go env -w %s\n", secret.Redact(c.Key+"="+c.Value))
		was := "unset"
		if c.Old != "" {
			was = secret.Redact(c.Old)
		}
		if c.OldSource != "" {
			was += " (" + c.OldSource + ")"
		}
		fmt.Fprintf(s.Out, "    # was %s: %s\n", was, secret.Redact(c.Why))
	}
	if !opts.apply {
		fmt.Fprintln(s.Out, "Dry run: nothing changed. Run with --apply to back up the GOENV file and apply these.")
		return nil
	}
	backup, err := envinit.Apply(ctx, plan, s.Environ, s.Now())
	if backup != "" {
		fmt.Fprintf(s.Out, "Backup: %s (undo with: goport env restore %s)\n", backup, backup)
	}
	if err != nil {
		return incomplete(cmd, err)
	}
	fmt.Fprintf(s.Out, "Applied %d change(s).\n", len(plan.Changes))
	return nil
}

func newEnvRestoreCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "restore [BACKUP]",
		Short: "Put a GOENV backup made by 'env init --apply' back (the newest by default)",
		Long: `restore puts a GOENV backup made by 'env init --apply' back, the newest
by default. The current file is saved as a backup first (unless it already
matches), so running restore again undoes it.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			env, err := goenv.Load(cmd.Context(), ".", s.Environ)
			if err != nil {
				return incomplete(cmd, fmt.Errorf("go env: %w", err))
			}
			settings, err := goenv.LoadSettings(s.Environ, env)
			if err != nil {
				return incomplete(cmd, err)
			}
			backup := ""
			if len(args) == 1 {
				backup = args[0]
			}
			done, saved, err := envinit.Restore(settings.EnvFile.Path, backup, s.Now())
			if err != nil {
				return incomplete(cmd, err)
			}
			if saved != "" {
				fmt.Fprintf(s.Out, "Saved the current file as %s.\n", saved)
			}
			fmt.Fprintf(s.Out, "Restored %s from %s.\n", settings.EnvFile.Path, done)
			return nil
		}),
	}
}

// envInitJSON applies (with --apply) and writes the plan as JSON, every
// value redacted after the real ones were applied.
func envInitJSON(cmd *cobra.Command, s *Streams, plan *envinit.Plan, apply bool) error {
	rep := envInitReport{Plan: *plan}
	if apply && len(plan.Changes) > 0 {
		backup, err := envinit.Apply(cmd.Context(), plan, s.Environ, s.Now())
		if err != nil {
			return incomplete(cmd, err)
		}
		rep.Applied, rep.Backup = true, backup
	}
	rep.Changes = make([]envinit.Change, len(plan.Changes))
	for i, c := range plan.Changes {
		c.Value, c.Old, c.Why = secret.Redact(c.Value), secret.Redact(c.Old), secret.Redact(c.Why)
		rep.Changes[i] = c
	}
	if rep.Changes == nil {
		rep.Changes = []envinit.Change{}
	}
	return writeJSONValue(s, rep)
}
