package release

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
)

// SignCmdSuffix names the signature an external signing command writes
// for checksums.txt, as goreleaser's signs do by default.
const SignCmdSuffix = ".sig"

// SignCmd is an external command that signs checksums.txt, for gpg or
// cosign users: its arguments are text/template strings over a fixed set
// of fields, {{.Artifact}} (the file to sign), {{.Signature}} (the file
// the command must write) and {{.Env.NAME}} (a variable of Environ, meant
// for secrets such as passphrases, which are never printed).
type SignCmd struct {
	// Line is the command as typed, split into arguments as a POSIX shell
	// would split it (quotes, backslashes) but run without a shell.
	Line    string
	Environ []string
}

// signFields are the values a signing command's templates see.
type signFields struct {
	Artifact  string
	Signature string
	Env       map[string]string
}

// SignCmdError is a signing command that ran and failed: a failed
// release step, not a failure to run one.
type SignCmdError struct{ msg string }

func (e *SignCmdError) Error() string { return e.msg }

// parsedSignCmd is a SignCmd split and parsed, checked before building.
type parsedSignCmd struct {
	args []*template.Template
	env  map[string]string
}

// ParseSignCmd splits and parses line so a mistake is reported before
// anything is built.
func ParseSignCmd(line string) error {
	_, err := parseSignCmd(SignCmd{Line: line})
	return err
}

func parseSignCmd(c SignCmd) (*parsedSignCmd, error) {
	words, err := splitArgs(c.Line)
	if err != nil {
		return nil, fmt.Errorf("signing command: %w", err)
	}
	if len(words) == 0 {
		return nil, errors.New("signing command is empty")
	}
	p := &parsedSignCmd{env: map[string]string{}}
	for i, w := range words {
		t, err := template.New(fmt.Sprint("arg", i)).Option("missingkey=error").Parse(w)
		if err != nil {
			return nil, fmt.Errorf("signing command argument %d: %w", i+1, err)
		}
		p.args = append(p.args, t)
	}
	for _, kv := range c.Environ {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			p.env[k] = v
		}
	}
	return p, nil
}

// expand returns the arguments with fields filled in; redacted is the
// same with every Env value replaced, for messages.
func (p *parsedSignCmd) expand(artifact, signature string) (args, redacted []string, err error) {
	hidden := make(map[string]string, len(p.env))
	for k := range p.env {
		hidden[k] = "[redacted]"
	}
	for _, t := range p.args {
		var a, r bytes.Buffer
		if err := t.Execute(&a, signFields{Artifact: artifact, Signature: signature, Env: p.env}); err != nil {
			return nil, nil, fmt.Errorf("signing command: %w", err)
		}
		if err := t.Execute(&r, signFields{Artifact: artifact, Signature: signature, Env: hidden}); err != nil {
			return nil, nil, fmt.Errorf("signing command: %w", err)
		}
		args = append(args, a.String())
		redacted = append(redacted, secret.Redact(r.String()))
	}
	return args, redacted, nil
}

// runSignCmd runs the signing command on dir's artifact (a name in dir)
// and moves what it wrote to dir/artifact+SignCmdSuffix. The command
// writes into a fresh hidden directory, so an interrupted or failed
// command leaves no partial signature under the final name (and gpg
// finds no existing file to ask about).
func runSignCmd(ctx context.Context, c SignCmd, dir, artifact string) (name string, err error) {
	p, err := parseSignCmd(c)
	if err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(dir, ".sign-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	name = artifact + SignCmdSuffix
	tmpSig := filepath.Join(tmp, name)
	args, shown, err := p.expand(filepath.Join(dir, artifact), tmpSig)
	if err != nil {
		return "", err
	}
	cmdName := strings.Join(shown, " ")
	bin := args[0]
	if !strings.ContainsRune(bin, filepath.Separator) {
		if bin, err = goenv.LookPath(args[0], c.Environ); err != nil {
			return "", fmt.Errorf("signing command %q: %w", cmdName, err)
		}
	}
	cmd := exec.CommandContext(ctx, bin, args[1:]...)
	cmd.Env = c.Environ
	// A command killed on interrupt may leave children holding its
	// output open; stop waiting for them after a while.
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", fmt.Errorf("signing command %q: %w", cmdName, ctx.Err())
		}
		return "", &SignCmdError{msg: fmt.Sprintf("signing command %q failed: %v%s", cmdName, err, p.lastLine(out.String()))}
	}
	data, err := os.ReadFile(tmpSig)
	if err != nil {
		return "", &SignCmdError{msg: fmt.Sprintf("signing command %q wrote no signature to {{.Signature}}", cmdName)}
	}
	if len(data) == 0 {
		return "", &SignCmdError{msg: fmt.Sprintf("signing command %q wrote an empty signature", cmdName)}
	}
	if err := writeFileAtomic(filepath.Join(dir, name), data, 0o644); err != nil {
		return "", err
	}
	return name, nil
}

// lastLine is the command's last line of output, secrets hidden, to say
// why it failed.
func (p *parsedSignCmd) lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	last := strings.TrimSpace(lines[len(lines)-1])
	if last == "" {
		return ""
	}
	for _, v := range p.env {
		if len(v) >= 4 {
			last = strings.ReplaceAll(last, v, "[redacted]")
		}
	}
	if len(last) > 200 {
		last = last[:200] + "…"
	}
	return ": " + secret.Redact(last)
}

// splitArgs splits a command line into words as a POSIX shell does for
// quotes and backslashes, without expansions. Text inside {{ }} is never
// split, so a template action may hold spaces.
func splitArgs(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case strings.HasPrefix(s[i:], "{{"):
			end := strings.Index(s[i:], "}}")
			if end < 0 {
				return nil, errors.New("unclosed {{")
			}
			cur.WriteString(s[i : i+end+2])
			i += end + 1
			inWord = true
		case c == ' ' || c == '\t' || c == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				return nil, errors.New("unclosed single quote")
			}
			cur.WriteString(s[i+1 : i+1+end])
			i += end + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && strings.IndexByte("\\\"$`", s[i+1]) >= 0 {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, errors.New("unclosed double quote")
			}
			inWord = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, errors.New("trailing backslash")
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
