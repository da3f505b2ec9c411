package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/release"
)

func newToolchainCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "toolchain",
		Short: "Work with Go toolchain downloads",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newToolchainVerifyCmd(s))
	return cmd
}

// toolchainReport is the JSON form of toolchain verify.
type toolchainReport struct {
	Schema string              `json:"schema"`
	Files  []release.FileCheck `json:"files"`
}

func newToolchainVerifyCmd(s *Streams) *cobra.Command {
	var checksums, sha, format string
	cmd := &cobra.Command{
		Use:   "verify FILE... (--checksums FILE | --sha256 HEX)",
		Short: "Check downloaded files against a checksum list or a SHA-256",
		Long: `Verify hashes each FILE and compares it with --sha256 HEX, or with its entry
(by base name) in --checksums FILE: a sha256sum-format file, or the JSON
listing Go's download page publishes (https://go.dev/dl/?mode=json&include=all),
whose sizes are checked too. One line per file; exit 1 on any mismatch,
unlisted or unreadable file.`,
		Args: cobra.MinimumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageError(cmd, "invalid format %q: want text or json", format)
			}
			if (checksums == "") == (sha == "") {
				return usageError(cmd, "give exactly one of --checksums FILE and --sha256 HEX")
			}
			expected := map[string]release.Expected{}
			if sha != "" {
				sha = strings.ToLower(sha)
				if len(sha) != 64 || strings.Trim(sha, "0123456789abcdef") != "" {
					return usageError(cmd, "--sha256 wants 64 hexadecimal digits")
				}
				for _, f := range args {
					expected[filepath.Base(f)] = release.Expected{Name: f, SHA256: sha, Size: -1}
				}
			} else {
				f, err := os.Open(checksums)
				if err != nil {
					return fmt.Errorf("reading checksums: %w", err)
				}
				defer f.Close()
				if expected, err = release.ParseExpected(f); err != nil {
					return fmt.Errorf("reading %s: %w", checksums, err)
				}
			}
			checks := release.CheckFiles(args, expected)
			if format == "json" {
				if err := writeJSONValue(s, toolchainReport{Schema: "goport.toolchain-verify/v1", Files: checks}); err != nil {
					return err
				}
			} else {
				writeChecks(s.Out, checks)
			}
			for _, c := range checks {
				if c.Status != "ok" {
					return errFindings
				}
			}
			return nil
		}),
	}
	cmd.Flags().StringVar(&checksums, "checksums", "", "sha256sum file or Go download JSON listing")
	cmd.Flags().StringVar(&sha, "sha256", "", "expected SHA-256 of every FILE")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func writeChecks(w io.Writer, checks []release.FileCheck) {
	for _, c := range checks {
		switch c.Status {
		case "ok":
			fmt.Fprintf(w, "OK        %s  sha256 %s\n", c.File, c.Got)
		case "mismatch":
			detail := fmt.Sprintf("sha256 %s, want %s", c.Got, c.Want)
			if c.Detail != "" {
				detail = c.Detail + "; " + detail
			}
			fmt.Fprintf(w, "MISMATCH  %s  %s\n", c.File, detail)
		default:
			fmt.Fprintf(w, "%-9s %s  %s\n", strings.ToUpper(c.Status), c.File, c.Detail)
		}
	}
}
