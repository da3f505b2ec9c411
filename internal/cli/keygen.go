package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/release"
)

// signingPasswordVar holds the passphrase of the signing key in CI.
const signingPasswordVar = "GOPORT_SIGNING_PASSWORD"

func newKeygenCmd(s *Streams) *cobra.Command {
	var priv, pub string
	var unencrypted bool
	cmd := &cobra.Command{
		Use:   "keygen",
		Short: "Create a minisign key pair for signing releases",
		Long: `Keygen writes a minisign key pair: the private key (mode 0600), encrypted
with a passphrase read from GOPORT_SIGNING_PASSWORD or, on a terminal, from a
prompt, and the public key that 'goport verify --pubkey' and
'minisign -V -p' take. Existing files are never overwritten and the
passphrase is never printed.`,
		Args: cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			password := ""
			if !unencrypted {
				var err error
				if password, err = readPassword(s, "passphrase for the new key: ", true); err != nil {
					return err
				}
				if password == "" {
					return usageError(cmd, "empty passphrase: set %s or use --unencrypted", signingPasswordVar)
				}
			}
			for _, p := range []string{priv, pub} {
				if _, err := os.Lstat(p); err == nil {
					return fmt.Errorf("%s already exists: refusing to overwrite a key", p)
				}
			}
			kp, err := release.GenerateKey(password, unencrypted)
			if err != nil {
				return err
			}
			if err := release.WriteKeyPair(kp, priv, pub); err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "key %s\nprivate key: %s\npublic key:  %s\n", kp.ID, priv, pub)
			return nil
		}),
	}
	cmd.Flags().StringVar(&priv, "key", "goport.key", "private key file to create")
	cmd.Flags().StringVar(&pub, "pubkey", "goport.pub", "public key file to create")
	cmd.Flags().BoolVar(&unencrypted, "unencrypted", false, "store the private key without a passphrase (as minisign -W)")
	return cmd
}

// readPassword takes the passphrase from GOPORT_SIGNING_PASSWORD, else
// prompts on a terminal (twice when confirm), else reads one line of
// standard input. It is never echoed or printed.
func readPassword(s *Streams, prompt string, confirm bool) (string, error) {
	if v, ok := goenv.Getenv(s.Environ, signingPasswordVar); ok {
		return v, nil
	}
	if f, ok := s.In.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(s.Err, prompt)
		p, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(s.Err)
		if err != nil {
			return "", fmt.Errorf("reading passphrase: %w", err)
		}
		if confirm {
			fmt.Fprint(s.Err, "again: ")
			again, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(s.Err)
			if err != nil {
				return "", fmt.Errorf("reading passphrase: %w", err)
			}
			if string(again) != string(p) {
				return "", errors.New("reading passphrase: the two entries differ")
			}
		}
		return string(p), nil
	}
	if s.In == nil {
		return "", nil
	}
	line, err := bufio.NewReader(s.In).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("reading passphrase: %w", err)
	}
	return strings.TrimRight(line, "\r\n"), nil
}
