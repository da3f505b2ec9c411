package cli

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/config"
	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/matrix"
	"github.com/goport/goport/internal/render"
)

// historyDisabled reports whether GOPORT_NO_HISTORY turns recording off:
// any value but "" and "0" does.
func historyDisabled(s *Streams) bool {
	v := s.Getenv("GOPORT_NO_HISTORY")
	return v != "" && v != "0"
}

// recordHistory appends the JSON report of a run to .goport/history in
// the module containing dir. Recording is a side effect the run must not
// depend on: a failure costs one warning line on stderr, never the exit
// code or stdout, and outside a module nothing happens at all.
func recordHistory(cmd *cobra.Command, s *Streams, dir string, r *finding.Report, builds []history.Build) {
	if historyDisabled(s) {
		return
	}
	root := goenv.FindModuleRoot(dir)
	if root == "" {
		return
	}
	warn := func(err error) {
		msg := strings.Join(strings.Fields(err.Error()), " ")
		s.Err.Write([]byte("goport: warning: " + commandName(cmd) + ": recording history: " + msg + "\n"))
	}
	cfg, err := config.Load(root)
	if err != nil {
		warn(err)
		return
	}
	if cfg.History.Disable {
		return
	}
	keep := cfg.History.Keep
	if keep == 0 {
		keep = config.DefaultHistoryKeep
	}
	// The same fields emit sets, so the record holds exactly what
	// --format json prints.
	r.Tool, r.Version, r.Command, r.Schema = "goport", goportVersion(), commandName(cmd), finding.Schema
	var buf bytes.Buffer
	if err := render.Render(&buf, render.JSON, r, render.Options{}); err != nil {
		warn(err)
		return
	}
	rec := history.Record{Time: s.Now().UTC(), Command: commandName(cmd), Builds: builds, Report: bytes.TrimSpace(buf.Bytes())}
	if _, err := history.Append(filepath.Join(root, history.Dir), rec, keep); err != nil {
		warn(err)
	}
}

// recordMatrixHistory records a matrix run with the build times timer
// measured and the glibc floor of its outputs; root is the module root
// and "." the directory outputs are relative to.
func recordMatrixHistory(cmd *cobra.Command, s *Streams, root string, res *matrix.Result, timer *history.BuildTimer) {
	if historyDisabled(s) {
		return
	}
	r := &finding.Report{Findings: res.Findings(), Rules: matrix.Rules(), Facts: res}
	recordHistory(cmd, s, root, r, history.MatrixBuilds(res, ".", timer.Durations))
}
