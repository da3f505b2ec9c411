package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// goportVersion is the main module's version from the build info:
// a tag for `go install …@vX`, "(devel)" for a build from a checkout.
func goportVersion() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok || bi.Main.Version == "" {
		return "(devel)"
	}
	return bi.Main.Version
}

func newVersionCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print goport's version and build information",
		Args:  cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(s.Out, "goport %s %s %s/%s\n", goportVersion(), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			bi, ok := debug.ReadBuildInfo()
			if !ok {
				return nil
			}
			for _, kv := range bi.Settings {
				switch kv.Key {
				case "vcs.revision", "vcs.time", "vcs.modified", "CGO_ENABLED", "-trimpath":
					fmt.Fprintf(s.Out, "  %s=%s\n", kv.Key, kv.Value)
				}
			}
			return nil
		}),
	}
}
