// Command goport makes Go builds portable and Go migrations safe.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"

	"github.com/goport/goport/internal/cli"
)

func main() {
	os.Exit(run())
}

// run is goport with the real process streams and environment; the
// end-to-end tests register it as the goport command.
func run() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal asks commands to stop cleanly; once it arrived, the
	// default disposition returns, so a second Ctrl-C kills goport at once
	// when the clean stop takes too long.
	go func() {
		<-ctx.Done()
		stop()
	}()
	return cli.Main(ctx, os.Args[1:], &cli.Streams{
		In:      os.Stdin,
		Out:     os.Stdout,
		Err:     os.Stderr,
		OutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		Environ: os.Environ(),
	})
}
