package cli

import (
	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/release"
)

func newVerifyCmd(s *Streams) *cobra.Command {
	var rf reportFlags
	var pubkey string
	cmd := &cobra.Command{
		Use:   "verify DIR",
		Short: "Check a release directory: signature, checksums, archives and binary facts",
		Long: `Verify re-derives a release made by 'goport release': with --pubkey, the
minisign signature of checksums.txt; every checksum; that artifacts.json
agrees with checksums.txt; that every archive holds exactly the files
artifacts.json lists and the very binary it describes; and that each
binary's inspect facts (target, cgo, static, glibc floor, build ids) match
its artifacts.json entry. Every mismatch is reported naming its file; any
error exits 1. Files no checksum covers are warnings.`,
		Args: cobra.ExactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			format, failOn, err := rf.parsed(cmd)
			if err != nil {
				return err
			}
			opts := release.VerifyOptions{Dir: args[0]}
			if pubkey != "" {
				key, err := release.LoadPublicKey(pubkey)
				if err != nil {
					return err
				}
				opts.PublicKey = &key
			}
			v, err := release.Verify(opts)
			if err != nil {
				return err
			}
			report := &finding.Report{Findings: v.Findings, Rules: release.Rules(), Facts: v}
			recordHistory(cmd, s, ".", report, nil)
			if err := emit(cmd, s, report, format, failOn); err != nil {
				return err
			}
			if v.Failed() {
				return errFindings
			}
			return nil
		}),
	}
	rf.register(cmd)
	cmd.Flags().StringVar(&pubkey, "pubkey", "", "minisign public key; makes the signature mandatory")
	return cmd
}
