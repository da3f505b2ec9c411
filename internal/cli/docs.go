package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"

	"github.com/goport/goport/internal/kb"
)

// maxDescription bounds a change description; pull-request bodies are
// limited to 64 KiB by GitHub, so 1 MiB is generous.
const maxDescription = 1 << 20

func newDocsCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "docs",
		Short: "Check documentation that goes with a change",
	}
	cmd.AddCommand(newDocsCheckCmd(s))
	return cmd
}

func newDocsCheckCmd(s *Streams) *cobra.Command {
	var flags kbFlags
	var format string
	cmd := &cobra.Command{
		Use:   "check [FILE|-]",
		Short: "Validate a change description (pull-request body) for CI",
		Long: `Check validates a change description, read from FILE or standard input:
it must have non-empty "## Impact" and "## Rollback Steps" sections (headings
inside code fences or HTML comments do not count) and cite at least one runbook
id that exists in the knowledge base; an unknown id is an error. More required
sections can be listed in goport.yaml:

    docs:
      required_sections: ["Test Plan"]

Every problem is listed; the exit status is 1 when there is any. In a GitHub
Actions job, pass the body through an environment variable, never by
interpolating it into the script:

    - run: printf '%s' "$PR_BODY" | goport docs check -
      env:
        PR_BODY: ${{ github.event.pull_request.body }}`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(cmd, format); err != nil {
				return err
			}
			name := "-"
			if len(args) == 1 {
				name = args[0]
			}
			display := name
			body, err := interruptible(cmd.Context(), func() ([]byte, error) {
				in, shown, closeIn, err := openInput(s, name, "change description")
				if err != nil {
					return nil, err
				}
				defer closeIn()
				display = shown
				body, err := io.ReadAll(io.LimitReader(in, maxDescription+1))
				if err != nil {
					return nil, fmt.Errorf("reading %s: %w", shown, err)
				}
				return body, nil
			})
			if err != nil {
				return err
			}
			if len(body) > maxDescription {
				return fmt.Errorf("reading %s: larger than %d bytes", display, maxDescription)
			}
			if !utf8.Valid(body) || bytes.IndexByte(body, 0) >= 0 {
				return fmt.Errorf("reading %s: not UTF-8 text", display)
			}
			required, err := requiredSections()
			if err != nil {
				return err
			}
			store, err := flags.load(s)
			if err != nil {
				return err
			}
			problems := kb.CheckChangeDescription(string(body), required, func(id string) bool {
				rb, ok := store.Get(id)
				return ok && rb.ID == id
			})
			if format == "json" {
				if problems == nil {
					problems = []kb.DocProblem{}
				}
				if err := writeJSONValue(s, map[string]any{"file": display, "ok": len(problems) == 0, "problems": problems}); err != nil {
					return err
				}
			} else {
				for _, p := range problems {
					if p.Line > 0 {
						fmt.Fprintf(s.Out, "%s:%d: %s\n", display, p.Line, p.Message)
					} else {
						fmt.Fprintf(s.Out, "%s: %s\n", display, p.Message)
					}
				}
				if len(problems) == 0 {
					fmt.Fprintf(s.Out, "%s: ok\n", display)
				}
			}
			if len(problems) > 0 {
				return errFindings
			}
			return nil
		}),
	}
	flags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

// requiredSections reads docs.required_sections from the module's
// goport.yaml, added to the default sections.
func requiredSections() ([]string, error) {
	required := append([]string(nil), kb.DefaultRequiredSections...)
	root, ok := moduleRoot()
	if !ok {
		return required, nil
	}
	path := filepath.Join(root, "goport.yaml")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return required, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading goport.yaml: %w", err)
	}
	var cfg struct {
		Docs struct {
			RequiredSections []string `yaml:"required_sections"`
		} `yaml:"docs"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", relPath(path), err)
	}
	return append(required, cfg.Docs.RequiredSections...), nil
}
