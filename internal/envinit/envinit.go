// Package envinit computes a secure Go module environment — GOPROXY an
// https proxy followed by direct, the checksum database on, GOPRIVATE
// covering the module's private-looking paths — as `go env -w` changes,
// applies them after a timestamped backup of the GOENV file, and restores
// such backups. It touches no other variable.
package envinit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/goport/goport/internal/atomicfile"
	"github.com/goport/goport/internal/doctor"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
)

// DefaultProxy is the module mirror used when no --proxy is given.
const DefaultProxy = "https://proxy.golang.org"

// DefaultSumDB is the checksum database the go command uses by default.
const DefaultSumDB = "sum.golang.org"

// ErrInsecure marks a refusal: the result would weaken module
// authentication. Its message says what and how to proceed.
var ErrInsecure = errors.New("insecure")

// ErrInvalid marks a --proxy or --private value that is not well formed.
var ErrInvalid = errors.New("invalid")

// Options are the inputs of Compute.
type Options struct {
	// Dir is where go.mod is looked up.
	Dir      string
	Settings goenv.Settings
	// Private are extra GOPRIVATE patterns.
	Private []string
	// Proxy is the module proxy URL; "" means DefaultProxy.
	Proxy string
	// Insecure accepts a plain-http proxy, GOSUMDB=off in the process
	// environment, GOINSECURE or GOPRIVATE naming public hosts.
	Insecure bool
}

// Change is one `go env -w KEY=VALUE`.
type Change struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	// Old is the effective value before, and OldSource where it came from
	// ("environment", a file path, or "" for the built-in default).
	Old       string `json:"old"`
	OldSource string `json:"old_source,omitempty"`
	Why       string `json:"why"`
}

// Plan is what env init would do.
type Plan struct {
	// EnvFile is the GOENV file the changes go to.
	EnvFile string   `json:"env_file"`
	Changes []Change `json:"changes"`
	// Warnings are facts the changes cannot fix, e.g. a process
	// environment variable that overrides the GOENV file.
	Warnings []string `json:"warnings,omitempty"`
}

// Compute works out the changes. A refusal is returned as an error
// wrapping ErrInsecure.
func Compute(opts Options) (*Plan, error) {
	s := opts.Settings
	p := &Plan{}
	if s.EnvFile != nil {
		p.EnvFile = s.EnvFile.Path
	}
	proxy := opts.Proxy
	if proxy == "" {
		proxy = DefaultProxy
	}
	if err := checkProxy(proxy, opts.Insecure); err != nil {
		return nil, err
	}
	if v, src := s.Get("GOINSECURE"); v != "" && !opts.Insecure {
		for _, pat := range splitPatterns(v) {
			if host := patternHost(pat); host == "*" || doctor.IsPublicModuleHost(host) {
				return nil, fmt.Errorf("%w: GOINSECURE=%s (%s) lets %s be fetched without TLS or checksum verification; remove it (go env -u GOINSECURE) or pass --insecure",
					ErrInsecure, secret.Redact(v), sourceName(src), pat)
			}
		}
	}
	for _, pat := range opts.Private {
		if err := checkPrivatePattern(pat, opts.Insecure); err != nil {
			return nil, err
		}
	}

	add := func(key, value, why string) {
		old, src := s.Get(key)
		if old == value {
			return
		}
		if src == "environment" {
			p.Warnings = append(p.Warnings, fmt.Sprintf("%s is set in the process environment, which overrides the GOENV file: unset it for the change to take effect", key))
		}
		p.Changes = append(p.Changes, Change{Key: key, Value: value, Old: old, OldSource: src, Why: why})
	}

	add("GOPROXY", proxy+",direct", "download modules through "+secret.Redact(proxy)+
		" and fall back to the origin only when it answers 404/410; GONOPROXY keeps private modules off it")

	switch v, src := s.Get("GOSUMDB"); {
	case v == "off" && src == "environment" && !opts.Insecure:
		return nil, fmt.Errorf("%w: GOSUMDB=off in the process environment disables checksum verification and overrides any go env -w; unset it or pass --insecure", ErrInsecure)
	case v == "off" && src == "environment":
		p.Warnings = append(p.Warnings, "GOSUMDB=off in the process environment keeps checksum verification off")
	case v == "" || v == "off":
		add("GOSUMDB", DefaultSumDB, "verify every public module against the checksum database")
	}

	private, err := privatePatterns(opts)
	if err != nil {
		return nil, err
	}
	existing, _ := s.Get("GOPRIVATE")
	merged, added := mergePatterns(existing, private)
	if len(added) > 0 {
		add("GOPRIVATE", merged, "keep "+strings.Join(added, ", ")+" off the public proxy and checksum database, which would leak the paths and fail")
		// GONOPROXY and GONOSUMDB default to GOPRIVATE; only explicit
		// values that would not cover the new patterns need changing.
		for _, key := range []string{"GONOPROXY", "GONOSUMDB"} {
			if v, src := s.Get(key); src != "" {
				if m, more := mergePatterns(v, added); len(more) > 0 {
					add(key, m, key+" is set explicitly, so it does not follow GOPRIVATE: add "+strings.Join(more, ", "))
				}
			}
		}
	}
	return p, nil
}

func sourceName(src string) string {
	if src == "" {
		return "default"
	}
	return src
}

func checkProxy(raw string, insecure bool) error {
	if strings.ContainsAny(raw, ",|") || raw == "direct" || raw == "off" {
		return fmt.Errorf("%w --proxy %q: want one proxy URL; env init appends ,direct itself", ErrInvalid, secret.Redact(raw))
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%w --proxy %q: want an https:// URL", ErrInvalid, secret.Redact(raw))
	}
	if u.Scheme == "http" && !insecure {
		return fmt.Errorf("%w: proxy %s is plain http: anyone on the path can read which modules you use and, for modules outside the checksum database, change them; use https or pass --insecure",
			ErrInsecure, secret.Redact(raw))
	}
	return nil
}

func checkPrivatePattern(pat string, insecure bool) error {
	if pat == "" || strings.ContainsAny(pat, ", \t") {
		return fmt.Errorf("%w --private %q: want one module path pattern such as git.corp.example or *.corp.example", ErrInvalid, pat)
	}
	if _, err := filepath.Match(pat, "x"); err != nil {
		return fmt.Errorf("%w --private %q: %v", ErrInvalid, pat, err)
	}
	host := patternHost(pat)
	if insecure || (host != "*" && !doctor.IsPublicModuleHost(host)) || strings.Contains(pat, "/") {
		return nil
	}
	return fmt.Errorf("%w: --private %s covers every module of a public host, which then skips the checksum database; name the organisation (e.g. %s/yourorg) or pass --insecure",
		ErrInsecure, pat, host)
}

// patternHost is the first path element of a pattern.
func patternHost(pat string) string {
	h, _, _ := strings.Cut(pat, "/")
	return h
}

// privatePatterns are the patterns go.mod asks for plus the given ones.
func privatePatterns(opts Options) ([]string, error) {
	var out []string
	if root := goenv.FindModuleRoot(opts.Dir); root != "" {
		gomod := filepath.Join(root, "go.mod")
		data, err := os.ReadFile(gomod)
		if err != nil {
			return nil, fmt.Errorf("reading go.mod: %w", err)
		}
		f, err := modfile.Parse(gomod, data, nil)
		if err != nil {
			return nil, fmt.Errorf("parsing go.mod: %w", err)
		}
		for _, m := range doctor.PrivateModules(f) {
			out = append(out, m.Pattern)
		}
	}
	return append(out, opts.Private...), nil
}

func splitPatterns(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// mergePatterns appends the patterns of add not already covered by the
// list, keeping existing entries first, and returns the new list and what
// it added.
func mergePatterns(list string, add []string) (merged string, added []string) {
	cur := splitPatterns(list)
	for _, p := range splitPatterns(strings.Join(add, ",")) {
		probe := strings.ReplaceAll(p, "*", "x")
		if slices.Contains(cur, p) || module.MatchPrefixPatterns(strings.Join(cur, ","), probe) {
			continue
		}
		cur = append(cur, p)
		added = append(added, p)
	}
	return strings.Join(cur, ","), added
}

// BackupSuffix separates the GOENV file name from a backup's timestamp.
const BackupSuffix = ".goport-backup-"

const stampLayout = "20060102T150405.000000000Z"

// Apply saves a backup of the GOENV file (stamped with now, UTC), then
// runs one `go env -w` with every change. It returns the backup's path.
func Apply(ctx context.Context, p *Plan, environ []string, now time.Time) (backup string, err error) {
	// go1.26.8 does not refuse `GOENV=off go env -w`: it silently writes
	// the default $XDG_CONFIG_HOME/go/env, a file the user asked not to use.
	if p.EnvFile == "" || p.EnvFile == "off" {
		return "", errors.New("GOENV is off: go env -w would write the default user file instead; set GOENV to a file")
	}
	if len(p.Changes) == 0 {
		return "", nil
	}
	backup, err = Backup(p.EnvFile, now)
	if err != nil {
		return "", err
	}
	gobin, err := goenv.LookPath("go", environ)
	if err != nil {
		return backup, err
	}
	args := []string{"env", "-w"}
	for _, c := range p.Changes {
		args = append(args, c.Key+"="+c.Value)
	}
	cmd := exec.CommandContext(ctx, gobin, args...)
	cmd.Env = append(append([]string(nil), environ...), "GOENV="+p.EnvFile)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return backup, fmt.Errorf("go env -w: %w: %s", err, secret.Redact(strings.TrimSpace(stderr.String())))
	}
	return backup, nil
}

// Backup copies the GOENV file to path.goport-backup-STAMP in its own
// directory; a missing file is backed up as an empty one, which the go
// command reads the same way. The copy is written under a temporary name
// and renamed, so a backup is complete or absent.
func Backup(envFile string, now time.Time) (string, error) {
	data, err := os.ReadFile(envFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading GOENV file: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(envFile), 0o755); err != nil {
		return "", fmt.Errorf("creating GOENV directory: %w", err)
	}
	dst := envFile + BackupSuffix + now.UTC().Format(stampLayout)
	if err := atomicfile.WriteFile(dst, data, 0o644); err != nil {
		return "", fmt.Errorf("writing backup: %w", err)
	}
	return dst, nil
}

// Backups lists the backups of envFile, oldest first.
func Backups(envFile string) ([]string, error) {
	matches, err := filepath.Glob(globEscape(envFile) + BackupSuffix + "*")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range matches {
		if _, err := time.Parse(stampLayout, strings.TrimPrefix(m, envFile+BackupSuffix)); err == nil {
			out = append(out, m)
		}
	}
	sort.Strings(out) // the stamp sorts chronologically
	return out, nil
}

func globEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Restore puts backup back as the GOENV file, atomically. With backup ""
// the newest backup is used. The current file is first saved as a backup
// of its own (stamped with now) unless it already holds the backup's
// content, so a restore can itself be undone and never loses settings
// made since. It returns the backup restored and the one saved ("" when
// none was needed).
func Restore(envFile, backup string, now time.Time) (restored, saved string, err error) {
	if envFile == "" || envFile == "off" {
		return "", "", errors.New("GOENV is off: there is no GOENV file to restore")
	}
	if backup == "" {
		list, err := Backups(envFile)
		if err != nil {
			return "", "", err
		}
		if len(list) == 0 {
			return "", "", fmt.Errorf("no backup of %s found (%s*)", envFile, filepath.Base(envFile)+BackupSuffix)
		}
		backup = list[len(list)-1]
	}
	fi, err := os.Lstat(backup)
	if err != nil {
		return "", "", fmt.Errorf("reading backup: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return "", "", fmt.Errorf("backup %s is not a regular file", backup)
	}
	data, err := os.ReadFile(backup)
	if err != nil {
		return "", "", fmt.Errorf("reading backup: %w", err)
	}
	if err := checkEnvFile(data); err != nil {
		return "", "", fmt.Errorf("backup %s: %w", backup, err)
	}
	current, err := os.ReadFile(envFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		// Nothing to lose: an absent file reads as an empty one.
	case err != nil:
		return "", "", fmt.Errorf("reading GOENV file: %w", err)
	case !bytes.Equal(current, data):
		if saved, err = Backup(envFile, now); err != nil {
			return "", "", err
		}
	}
	if err := atomicfile.WriteFile(envFile, data, 0o644); err != nil {
		return "", saved, fmt.Errorf("restoring GOENV file: %w", err)
	}
	return backup, saved, nil
}

// maxEnvFile bounds a GOENV file; real ones hold a few short lines.
const maxEnvFile = 1 << 20

// checkEnvFile rejects content that cannot be a go env file, so that a
// wrong file named as BACKUP is never installed as the GOENV file: the go
// command reads KEY=VALUE text lines, '#' comments and blank lines.
func checkEnvFile(data []byte) error {
	if len(data) > maxEnvFile {
		return fmt.Errorf("%d bytes is too large for a go env file", len(data))
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return errors.New("not a go env file: binary content")
	}
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		if !ok || !isEnvKey(strings.TrimSpace(k)) {
			return fmt.Errorf("not a go env file: line %d is not KEY=VALUE", i+1)
		}
	}
	return nil
}

func isEnvKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}
