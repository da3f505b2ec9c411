// Package cli is goport's command-line interface: it parses flags, calls
// the domain packages and renders their results. It is the only package
// that talks to the terminal, and Main is the only place that decides exit
// codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
)

// Exit codes, as documented in the README.
const (
	ExitOK         = 0 // success; no findings at or above --fail-on
	ExitFindings   = 1 // findings at or above --fail-on, or a failed build/verification
	ExitUsage      = 2 // bad command line
	ExitIncomplete = 3 // could not complete: I/O, unreadable input, internal error
)

// Streams carries everything a command may touch outside itself, so tests
// run commands in memory with a fake terminal and environment.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
	// OutTTY reports whether Out is a terminal (colour, progress).
	OutTTY bool
	// Environ is the process environment as KEY=VALUE.
	Environ []string
	Now     func() time.Time
}

// Getenv returns an environment variable of s.
func (s *Streams) Getenv(key string) string {
	v, _ := goenv.Getenv(s.Environ, key)
	return v
}

// Color reports whether text output may use ANSI colour: only on a
// terminal, and never when NO_COLOR is set to a non-empty value
// (https://no-color.org: an empty NO_COLOR does not count) or TERM=dumb.
func (s *Streams) Color() bool {
	if !s.OutTTY {
		return false
	}
	if s.Getenv("NO_COLOR") != "" {
		return false
	}
	return s.Getenv("TERM") != "dumb"
}

// exitError carries an exit code out of a command. msg, when not empty, is
// printed as "goport: <msg>".
type exitError struct {
	code int
	msg  string
	hint string // usage hint printed on a second line
}

func (e *exitError) Error() string { return e.msg }

// usageError is a bad command line: exit 2.
func usageError(cmd *cobra.Command, format string, args ...any) error {
	return &exitError{code: ExitUsage, msg: prefixed(cmd, fmt.Sprintf(format, args...)), hint: usageHint(cmd)}
}

// incomplete is a failure to do the job: exit 3.
func incomplete(cmd *cobra.Command, err error) error {
	// Errors quote inputs (a go.mod line, a Dockerfile instruction) that
	// may hold credentials.
	return &exitError{code: ExitIncomplete, msg: prefixed(cmd, secret.Redact(err.Error()))}
}

// errFindings ends a run whose report was written but fails the check.
var errFindings = &exitError{code: ExitFindings}

// prefixed puts the command name before msg, as in "doctor: msg".
func prefixed(cmd *cobra.Command, msg string) string {
	if !cmd.HasParent() {
		return msg
	}
	return commandName(cmd) + ": " + msg
}

func commandName(cmd *cobra.Command) string {
	return strings.TrimPrefix(cmd.CommandPath(), "goport ")
}

func usageHint(cmd *cobra.Command) string {
	return fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())
}

// Main runs goport with args (without the program name) and returns the
// exit code.
func Main(ctx context.Context, args []string, s *Streams) int {
	if s.Now == nil {
		s.Now = time.Now
	}
	root := newRootCmd(s)
	root.SetArgs(args)
	root.SetIn(s.In)
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintf(s.Err, "goport: %s\n", ee.msg)
		}
		if ee.hint != "" {
			fmt.Fprintln(s.Err, ee.hint)
		}
		return ee.code
	}
	// Anything else comes from cobra before a command ran: an unknown
	// command or flag, or a wrong number of arguments.
	if cmd == nil {
		cmd = root
	}
	fmt.Fprintf(s.Err, "goport: %s\n", prefixed(cmd, err.Error()))
	fmt.Fprintln(s.Err, usageHint(cmd))
	return ExitUsage
}

func newRootCmd(s *Streams) *cobra.Command {
	root := &cobra.Command{
		Use:   "goport",
		Short: "Make Go builds portable and Go migrations safe",
		Long: `goport finds what will make a Go build fail or differ on another machine,
another Go version or another target, and explains how to fix it.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd, "%v", err)
	})
	root.AddCommand(
		newDockerfileCmd(s),
		newDocsCmd(s),
		newDoctorCmd(s),
		newEnvCmd(s),
		newExplainCmd(s),
		newInspectCmd(s),
		newKBCmd(s),
		newKeygenCmd(s),
		newMatrixCmd(s),
		newMetricsCmd(s),
		newReleaseCmd(s),
		newReportCmd(s),
		newReproCmd(s),
		newPreflightCmd(s),
		newCICmd(s),
		newCleanCmd(s),
		newRulesCmd(s),
		newTargetsCmd(s),
		newToolchainCmd(s),
		newUpgradeCmd(s),
		newVerifyCmd(s),
		newVersionCmd(s),
	)
	rejectUnknownShells(root)
	return root
}

// rejectUnknownShells makes `goport completion tcsh` a usage error: cobra's
// completion command only groups one subcommand per shell and would print
// its help and succeed for any other word.
func rejectUnknownShells(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	completion, _, err := root.Find([]string{"completion"})
	if err != nil || completion == root {
		return
	}
	completion.Args = cobra.ArbitraryArgs
	completion.RunE = func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return cmd.Help()
		}
		return usageError(cmd, "unknown shell %q: want bash, zsh, fish or powershell", args[0])
	}
}

// runE adapts a command body so that every error it returns carries an
// exit code: untyped errors mean the command could not complete.
func runE(fn func(cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := fn(cmd, args)
		if err == nil {
			return nil
		}
		var ee *exitError
		if errors.As(err, &ee) {
			return err
		}
		return incomplete(cmd, err)
	}
}
