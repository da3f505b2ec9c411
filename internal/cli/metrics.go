package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"
	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/history"
	"github.com/goport/goport/internal/metrics"
)

type metricsOptions struct {
	textfile string
	serve    string
}

func newMetricsCmd(s *Streams) *cobra.Command {
	opts := &metricsOptions{}
	cmd := &cobra.Command{
		Use:   "metrics [--textfile FILE | --serve ADDR] [DIR]",
		Short: "Export the run history of the module as Prometheus metrics",
		Long: `Metrics reads the run history of the module containing DIR (.goport/history,
written by every matrix, doctor, preflight and verify run) and exports it as
Prometheus metrics: build success, build time, binary size and glibc floor
per target and package, and findings per command and rule, from the latest
run of each command; runs and failed builds by runbook, totalled over the
history.

Without flags the metrics are printed on stdout. --textfile FILE writes them
for node_exporter's textfile collector, through a temporary file renamed
into place (a FILE that is a device or FIFO, like /dev/stdout, is written
into). --serve ADDR serves them on http://ADDR/metrics until
interrupted, reading the history again on every scrape.

Set GOPORT_NO_HISTORY=1, or history.disable in goport.yaml, to stop
recording runs.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			return runMetrics(cmd, s, opts, args)
		}),
	}
	cmd.Flags().StringVar(&opts.textfile, "textfile", "", "write the metrics to FILE for node_exporter's textfile collector")
	cmd.Flags().StringVar(&opts.serve, "serve", "", "serve the metrics on http://ADDR/metrics, e.g. localhost:9877")
	return cmd
}

func runMetrics(cmd *cobra.Command, s *Streams, opts *metricsOptions, args []string) error {
	if opts.textfile != "" && opts.serve != "" {
		return usageError(cmd, "--textfile and --serve exclude each other")
	}
	if opts.serve != "" && !validListenAddr(opts.serve) {
		return usageError(cmd, "invalid --serve %q: want HOST:PORT, e.g. localhost:9877", opts.serve)
	}
	dir, err := historyDir(dirArg(args))
	if err != nil {
		return err
	}
	if opts.serve != "" {
		// A server reads the history again on every scrape.
		reg := metrics.NewRegistry(func() (*history.Set, error) { return history.Load(dir) })
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		ln, err := net.Listen("tcp", opts.serve)
		if err != nil {
			return err
		}
		fmt.Fprintf(s.Err, "goport: metrics: serving http://%s/metrics\n", ln.Addr())
		return serveMetrics(ctx, ln, reg)
	}
	set, err := history.Load(dir)
	if err != nil {
		return err
	}
	warnSkipped(cmd, s, set)
	reg := metrics.NewRegistry(func() (*history.Set, error) { return set, nil })
	if opts.textfile != "" {
		// Renaming onto a directory fails with a misleading "file exists".
		if fi, err := os.Stat(opts.textfile); err == nil && fi.IsDir() {
			return fmt.Errorf("writing %s: is a directory", opts.textfile)
		}
		if special(opts.textfile) {
			return writeOutput(cmd.Context(), opts.textfile, func(w io.Writer) error { return encodeMetrics(w, reg) })
		}
		if err := metrics.WriteTextfile(opts.textfile, reg); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("writing %s: %w", opts.textfile, err)
		}
		return nil
	}
	return encodeMetrics(s.Out, reg)
}

func encodeMetrics(w io.Writer, g prometheus.Gatherer) error {
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}

// validListenAddr reports whether addr is HOST:PORT with a port net.Listen
// accepts (0 picks a free one; a service name is looked up locally); a
// busy port is found by listening.
func validListenAddr(addr string) bool {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	_, err = net.LookupPort("tcp", port)
	return err == nil
}

// historyDir is the history directory of the module containing dir.
func historyDir(dir string) (string, error) {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("%s: not a directory", dir)
	}
	root := goenv.FindModuleRoot(dir)
	if root == "" {
		return "", fmt.Errorf("%s: not in a module: the run history lives in the module's %s", dir, history.Dir)
	}
	return filepath.Join(root, history.Dir), nil
}

func warnSkipped(cmd *cobra.Command, s *Streams, set *history.Set) {
	if set.Skipped > 0 {
		fmt.Fprintf(s.Err, "goport: warning: %s: skipped %d history file(s): truncated, malformed or of another schema version\n", commandName(cmd), set.Skipped)
	}
}

// serveMetrics serves /metrics on ln until ctx is done.
func serveMetrics(ctx context.Context, ln net.Listener, g prometheus.Gatherer) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(g, promhttp.HandlerOpts{}))
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return err
	}
	<-served
	return nil
}
