package cli

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/htmlreport"
)

type reportHTMLOptions struct {
	out string
	kb  kbFlags
}

func newReportHTMLCmd(s *Streams) *cobra.Command {
	var opts reportHTMLOptions
	cmd := &cobra.Command{
		Use:   "html [REPORT.json...] -o FILE",
		Short: "Write one self-contained HTML page from goport JSON reports",
		Long: `Read goport JSON reports (--format json or --json FILE of matrix, doctor,
preflight, verify, inspect …; standard input when none is given, or for "-")
and write one HTML page: a GOOS × GOARCH heat map of the matrix pairs,
binary sizes, every failed target with its log tail and the runbook that
explains it, and the findings grouped by severity with their runbooks.

The page loads nothing from the network and runs no JavaScript, so it can be
attached to a CI run or mailed as is. Credentials in the reports are
redacted. The page is written through a temporary file and renamed, so FILE
is either the complete page or untouched; -o - writes standard output, and
a FILE that is a device or FIFO (/dev/stdout) is written into.
The exit code does not depend on the reports' findings: 0 once the page is
written, 3 when a report cannot be read.`,
		Args: cobra.ArbitraryArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runReportHTML(cmd, s, &opts, args)
		}),
	}
	cmd.Flags().StringVarP(&opts.out, "output", "o", "", "write the page to this file (- for standard output)")
	opts.kb.register(cmd)
	return cmd
}

func runReportHTML(cmd *cobra.Command, s *Streams, opts *reportHTMLOptions, args []string) error {
	if opts.out == "" {
		return usageError(cmd, "missing -o FILE (- for standard output)")
	}
	if len(args) == 0 {
		args = []string{"-"}
	}
	stdin := 0
	for _, a := range args {
		if a == "-" {
			stdin++
		}
	}
	if stdin > 1 {
		return usageError(cmd, "standard input (-) can be read only once")
	}
	if opts.out != "-" {
		if err := checkOutputPath(opts.out); err != nil {
			return err
		}
	}
	var inputs []*htmlreport.Input
	for _, path := range args {
		in, err := interruptible(cmd.Context(), func() (*htmlreport.Input, error) { return readHTMLInput(s, path) })
		if err != nil {
			return err
		}
		inputs = append(inputs, in)
	}
	store, err := opts.kb.load(s)
	if err != nil {
		return err
	}
	var page bytes.Buffer
	if err := htmlreport.Write(&page, inputs, store, htmlreport.Options{Generated: s.Now()}); err != nil {
		return fmt.Errorf("rendering: %w", err)
	}
	if opts.out == "-" {
		_, err := s.Out.Write(page.Bytes())
		return err
	}
	return writeOutput(cmd.Context(), opts.out, func(w io.Writer) error {
		_, err := w.Write(page.Bytes())
		return err
	})
}

func readHTMLInput(s *Streams, path string) (*htmlreport.Input, error) {
	if path == "-" {
		return htmlreport.Read("standard input", s.In)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading report: %w", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && st.IsDir() {
		return nil, fmt.Errorf("reading report %s: is a directory", path)
	}
	return htmlreport.Read(path, f)
}
