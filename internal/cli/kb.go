package cli

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/kb"
	"github.com/goport/goport/runbooks"
)

// teamRunbookDir is where a module keeps its own runbooks.
const teamRunbookDir = ".goport/runbooks"

// kbFlags select the team runbooks merged with the built-ins.
type kbFlags struct {
	dirs []string
}

func (f *kbFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.dirs, "kb", nil, "directory of team runbooks to merge with the built-ins (repeatable; GOPORT_KB is a path list)")
}

// kbSources lists the built-ins, then the module's .goport/runbooks, then
// GOPORT_KB, then --kb: later team runbooks override built-ins.
func (f *kbFlags) sources(s *Streams) ([]kb.Source, error) {
	srcs := []kb.Source{{Name: "builtin", FS: runbooks.FS(), Builtin: true}}
	if root, ok := moduleRoot(); ok {
		dir := filepath.Join(root, teamRunbookDir)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			srcs = append(srcs, kb.Source{Name: relPath(dir), FS: os.DirFS(dir)})
		}
	}
	var dirs []string
	for _, d := range filepath.SplitList(s.Getenv("GOPORT_KB")) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	dirs = append(dirs, f.dirs...)
	for _, d := range dirs {
		st, err := os.Stat(d)
		if err != nil {
			return nil, fmt.Errorf("runbook directory: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("runbook directory %s: not a directory", d)
		}
		srcs = append(srcs, kb.Source{Name: d, FS: os.DirFS(d)})
	}
	return srcs, nil
}

// load builds the knowledge base; unreadable team runbooks are reported on
// stderr and skipped, so one bad file does not disable the rest.
func (f *kbFlags) load(s *Streams) (*kb.Store, error) {
	srcs, err := f.sources(s)
	if err != nil {
		return nil, err
	}
	store := kb.Load(srcs...)
	for _, e := range store.Errors {
		fmt.Fprintf(s.Err, "goport: warning: skipping runbook: %v\n", e)
	}
	return store, nil
}

// moduleRoot finds the directory holding go.mod at or above the working
// directory.
func moduleRoot() (string, bool) {
	root := goenv.FindModuleRoot(".")
	return root, root != ""
}

func relPath(p string) string {
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func newKBCmd(s *Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "kb",
		Short: "Browse, search, lint and extend the runbook knowledge base",
		Long: `The knowledge base holds runbooks: Markdown files with YAML front matter that
explain a failure's symptoms, cause, fix and rollback. goport's built-in
runbooks are merged with team runbooks from the module's .goport/runbooks,
the directories in GOPORT_KB (a path list) and --kb; a team runbook with a
built-in's id replaces it.`,
	}
	cmd.AddCommand(newKBListCmd(s), newKBShowCmd(s), newKBSearchCmd(s), newKBLintCmd(s), newKBNewCmd(s))
	return cmd
}

func checkTextJSON(cmd *cobra.Command, format string) error {
	if format != "text" && format != "json" {
		return usageError(cmd, "invalid format %q: want text or json", format)
	}
	return nil
}

func newKBListCmd(s *Streams) *cobra.Command {
	var flags kbFlags
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List the runbooks",
		Args:  cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(cmd, format); err != nil {
				return err
			}
			store, err := flags.load(s)
			if err != nil {
				return err
			}
			if format == "json" {
				return writeJSONValue(s, store.Runbooks())
			}
			tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tSEVERITY\tTITLE")
			for _, rb := range store.Runbooks() {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", rb.ID, rb.Severity, rb.Title)
			}
			return tw.Flush()
		}),
	}
	flags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func newKBShowCmd(s *Streams) *cobra.Command {
	var flags kbFlags
	var format, section string
	cmd := &cobra.Command{
		Use:   "show ID",
		Short: "Print a runbook, or one of its sections",
		Args:  cobra.ExactArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(cmd, format); err != nil {
				return err
			}
			store, err := flags.load(s)
			if err != nil {
				return err
			}
			rb, ok := store.Get(args[0])
			if !ok {
				return usageError(cmd, "unknown runbook %q; 'goport kb list' lists them", args[0])
			}
			if section != "" {
				body, ok := rb.Section(section)
				if !ok {
					return usageError(cmd, "runbook %s has no section %q (want %s)", rb.ID, section, strings.ToLower(strings.Join(kb.SectionNames, ", ")))
				}
				if format == "json" {
					return writeJSONValue(s, map[string]string{"id": rb.ID, "section": section, "text": body})
				}
				_, err := fmt.Fprintln(s.Out, body)
				return err
			}
			if format == "json" {
				return writeJSONValue(s, rb)
			}
			return writeRunbook(s, rb)
		}),
	}
	flags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&section, "section", "", "print only this section: symptoms, cause, fix, rollback or references")
	return cmd
}

func writeRunbook(s *Streams, rb *kb.Runbook) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", rb.ID, rb.Title)
	fmt.Fprintf(&b, "severity: %s", rb.Severity)
	if len(rb.Tags) > 0 {
		fmt.Fprintf(&b, "  tags: %s", strings.Join(rb.Tags, ", "))
	}
	if len(rb.Rules) > 0 {
		fmt.Fprintf(&b, "  rules: %s", strings.Join(rb.Rules, ", "))
	}
	b.WriteString("\n")
	for _, name := range kb.SectionNames {
		if body, ok := rb.Sections[name]; ok {
			fmt.Fprintf(&b, "\n## %s\n\n%s\n", name, body)
		}
	}
	fmt.Fprintf(&b, "\nsource: %s\n", rb.Source)
	_, err := fmt.Fprint(s.Out, b.String())
	return err
}

func newKBSearchCmd(s *Streams) *cobra.Command {
	var flags kbFlags
	var format, after, before, severity string
	var tags []string
	cmd := &cobra.Command{
		Use:   "search [TEXT]",
		Short: "Search the runbooks (ranked full text over id, title, tags and body)",
		Args:  cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(cmd, format); err != nil {
				return err
			}
			q := kb.Query{Tags: tags}
			if len(args) == 1 {
				q.Text = args[0]
			}
			var err error
			if after != "" {
				if q.After, err = kb.ParseDate(after); err != nil {
					return usageError(cmd, "--after: %v", err)
				}
			}
			if before != "" {
				if q.Before, err = kb.ParseDate(before); err != nil {
					return usageError(cmd, "--before: %v", err)
				}
			}
			if severity != "" {
				if q.Severity, err = finding.ParseSeverity(severity); err != nil {
					return usageError(cmd, "--severity: %v", err)
				}
			}
			srcs, err := flags.sources(s)
			if err != nil {
				return err
			}
			ix, store, err := kb.LoadIndex(indexCachePath(s, srcs), srcs...)
			if err != nil {
				return err
			}
			if store != nil {
				for _, e := range store.Errors {
					fmt.Fprintf(s.Err, "goport: warning: skipping runbook: %v\n", e)
				}
			}
			hits := ix.Search(q)
			if format == "json" {
				type hit struct {
					ID    string  `json:"id"`
					Title string  `json:"title"`
					Score float64 `json:"score"`
				}
				out := []hit{}
				for _, h := range hits {
					out = append(out, hit{h.Runbook.ID, h.Runbook.Title, h.Score})
				}
				return writeJSONValue(s, out)
			}
			if len(hits) == 0 {
				_, err := fmt.Fprintln(s.Out, "no runbooks found")
				return err
			}
			tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			for _, h := range hits {
				fmt.Fprintf(tw, "%s\t%s\n", h.Runbook.ID, h.Runbook.Title)
			}
			return tw.Flush()
		}),
	}
	flags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringArrayVar(&tags, "tag", nil, "only runbooks with this tag (repeatable)")
	cmd.Flags().StringVar(&after, "after", "", "only runbooks updated on or after this date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&before, "before", "", "only runbooks updated before this date (YYYY-MM-DD)")
	cmd.Flags().StringVar(&severity, "severity", "", "only runbooks of this severity: error, warning or info")
	return cmd
}

// indexCachePath is where kb search keeps its index for this set of
// sources: $XDG_CACHE_HOME/goport or ~/.cache/goport; "" (no cache) when
// neither is known.
func indexCachePath(s *Streams, srcs []kb.Source) string {
	base := s.Getenv("XDG_CACHE_HOME")
	if base == "" {
		home := s.Getenv("HOME")
		if home == "" {
			return ""
		}
		base = filepath.Join(home, ".cache")
	}
	h := sha256.New()
	for _, src := range srcs {
		name := src.Name
		if !src.Builtin {
			if abs, err := filepath.Abs(name); err == nil {
				name = abs
			}
		}
		fmt.Fprintf(h, "%s\x00", name)
	}
	return filepath.Join(base, "goport", fmt.Sprintf("kb-index-%x.gob", h.Sum(nil)[:8]))
}

func newKBLintCmd(s *Streams) *cobra.Command {
	var flags kbFlags
	var format string
	cmd := &cobra.Command{
		Use:   "lint [DIR]",
		Short: "Check runbooks: ids, front matter, patterns, sections, rule references",
		Long: `Lint checks the knowledge base (built-ins and team runbooks), or only the
runbooks in DIR. Problems are printed as file:line: message; the exit status
is 1 when any is an error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if err := checkTextJSON(cmd, format); err != nil {
				return err
			}
			var srcs []kb.Source
			only := ""
			if len(args) == 1 {
				st, err := os.Stat(args[0])
				if err != nil {
					return fmt.Errorf("runbook directory: %w", err)
				}
				if !st.IsDir() {
					return usageError(cmd, "%s is not a directory", args[0])
				}
				only = args[0]
				srcs = []kb.Source{{Name: "builtin", FS: runbooks.FS(), Builtin: true}, {Name: only, FS: os.DirFS(only)}}
			} else {
				var err error
				if srcs, err = flags.sources(s); err != nil {
					return err
				}
			}
			store := kb.Load(srcs...)
			rules := map[string]bool{}
			for _, r := range allRules() {
				rules[r.ID] = true
			}
			problems := kb.Lint(store, kb.LintOptions{Rules: rules})
			if only != "" {
				problems = problemsUnder(problems, only)
			}
			failed := false
			for _, p := range problems {
				failed = failed || p.Severity == finding.Error
			}
			if format == "json" {
				if problems == nil {
					problems = []kb.Problem{}
				}
				if err := writeJSONValue(s, problems); err != nil {
					return err
				}
			} else {
				for _, p := range problems {
					fmt.Fprintf(s.Out, "%s (%s)\n", p, p.Severity)
				}
				word := "problems"
				if len(problems) == 1 {
					word = "problem"
				}
				fmt.Fprintf(s.Out, "%d runbooks, %d %s\n", len(store.All), len(problems), word)
			}
			if failed {
				return errFindings
			}
			return nil
		}),
	}
	flags.register(cmd)
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return cmd
}

func problemsUnder(ps []kb.Problem, dir string) []kb.Problem {
	var out []kb.Problem
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for _, p := range ps {
		if strings.HasPrefix(p.File, prefix) {
			out = append(out, p)
		}
	}
	return out
}

func newKBNewCmd(s *Streams) *cobra.Command {
	var title, dir, severity string
	var tags []string
	cmd := &cobra.Command{
		Use:   "new --title TITLE [--tags a,b]",
		Short: "Create a team runbook with the next free RB-<year>-NNN id",
		Args:  cobra.NoArgs,
		RunE: runE(func(cmd *cobra.Command, args []string) error {
			if strings.TrimSpace(title) == "" {
				return usageError(cmd, "--title is required")
			}
			if dir == "" {
				root, ok := moduleRoot()
				if !ok {
					return usageError(cmd, "not in a module: pass --dir")
				}
				dir = filepath.Join(root, teamRunbookDir)
			}
			path, err := kb.Create(dir, kb.NewRunbook{Title: title, Tags: tags, Severity: severity, Now: s.Now()})
			if errors.Is(err, kb.ErrInvalid) {
				return usageError(cmd, "%v", err)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(s.Out, relPath(path))
			return err
		}),
	}
	cmd.Flags().StringVar(&title, "title", "", "runbook title")
	cmd.Flags().StringSliceVar(&tags, "tags", nil, "tags, lower-case kebab case (comma-separated)")
	cmd.Flags().StringVar(&dir, "dir", "", "directory to write to (default: the module's "+teamRunbookDir+")")
	cmd.Flags().StringVar(&severity, "severity", "error", "severity: error, warning or info")
	return cmd
}
