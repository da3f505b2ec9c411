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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], &cli.Streams{
		In:      os.Stdin,
		Out:     os.Stdout,
		Err:     os.Stderr,
		OutTTY:  term.IsTerminal(int(os.Stdout.Fd())),
		Environ: os.Environ(),
	})
	stop()
	os.Exit(code)
}
