package doctor

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"path/filepath"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
	"github.com/goport/goport/internal/secret"
)

func proxyChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-PROXY-001",
				Title:    "GOPROXY=off disables every module download",
				Severity: finding.Warning,
				Explanation: "With `GOPROXY=off` (or `off` first in the list) the go command refuses to download " +
					"any module. Everything works while the module cache or vendor/ already holds what is " +
					"needed; the first new dependency, version bump, fresh CI runner or empty cache fails with " +
					"`module lookup disabled by GOPROXY=off`. Modules matching GONOPROXY/GOPRIVATE are the " +
					"exception: they are still fetched directly.",
				Fix: "Unset GOPROXY (the default is `https://proxy.golang.org,direct`) or point it at a " +
					"reachable proxy; keep `off` only for deliberately hermetic builds with vendor/ or a " +
					"pre-filled module cache.",
			},
			Run: checkProxyOff,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-PROXY-002",
				Title:    "GOPROXY=direct fetches every module from its origin",
				Severity: finding.Warning,
				Explanation: "With `GOPROXY=direct` (or `direct` first) no module mirror is used: every " +
					"dependency is cloned from its origin repository. Every machine then needs git (and hg, " +
					"svn… for modules hosted on them) — the `golang` Alpine image has none, giving " +
					"`exec: \"git\": executable file not found in $PATH` — downloads are slower, fail behind " +
					"firewalls that only allow the proxy, and break when an origin repository is deleted or " +
					"rewritten.",
				Fix: "Use a proxy with a direct fallback: `go env -w GOPROXY=https://proxy.golang.org,direct` " +
					"(or your company's proxy), and GOPRIVATE for the modules that must be fetched directly.",
			},
			Run: checkProxyDirect,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-PROXY-003",
				Title:    "GOPROXY uses a plain http:// proxy",
				Severity: finding.Warning,
				Explanation: "The go command uses an explicit `http://` proxy URL as written, without GOINSECURE " +
					"and without any warning. Everything fetched through it — module lists, go.mod files, " +
					"zips — crosses the network unencrypted and unauthenticated: anyone on the path sees " +
					"which modules you use and can alter what you download. The checksum database still " +
					"catches altered public modules, but not private ones (GOPRIVATE/GONOSUMDB) nor " +
					"anything when GOSUMDB=off. The go command also refuses to send credentials to an " +
					"http:// URL (`refusing to pass credentials to insecure URL`). Loopback proxies are not " +
					"reported.",
				Fix: "Serve the proxy over HTTPS and use an `https://` URL in GOPROXY.",
			},
			Run: checkProxyHTTP,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-PROXY-004",
				Title:    "GOPROXY list hides errors or has dead entries",
				Severity: finding.Warning,
				Explanation: "GOPROXY is a list tried in order. After an entry followed by `,` the go command " +
					"moves on only when that proxy answers 404 or 410; after an entry followed by `|` it " +
					"moves on after **any** error (timeouts, 5xx, 401/403). `proxy|direct` therefore turns a " +
					"proxy outage or an authentication failure into a silent direct fetch from the origin — " +
					"bypassing the proxy's policy and caching, and reporting a git error instead of the real " +
					"one. `off` and `direct` end the list: entries after them are never tried, and an `off` " +
					"after a proxy adds nothing. A list with no entries (`GOPROXY=,`) or an entry that is not " +
					"an http, https or file URL makes every download fail.",
				Fix: "Use `,` unless falling back on every error is really wanted; remove entries after " +
					"`off` or `direct`; give every proxy a full https:// URL.",
			},
			Run: checkProxyList,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-PROXY-005",
				Title:    "Credentials embedded in a go module setting",
				Severity: finding.Error,
				Explanation: "A user name, password or token written into GOPROXY, GOSUMDB, GOVCS, GONOSUMDB or " +
					"another go setting is printed by `go env`, by `go env -json` in bug reports and CI " +
					"logs (neither redacts it), lands in shell history and, when set with `go env -w`, sits " +
					"in clear text in the GOENV file. Anyone who reads a build log can reuse it.",
				Fix: "Remove the credential from the URL, rotate it, and give it to the go command through " +
					"`~/.netrc` or GOAUTH (see `go help goauth`) or a git credential helper.",
			},
			Run: checkCredentials,
		},
	}
}

// proxyEntry is one entry of a GOPROXY list.
type proxyEntry struct {
	Text string // as written, trimmed
	// URL is the proxy URL the go command uses: Text with https:// added to
	// a bare host, or "off"/"direct".
	URL string
	// FallbackOnError is true when a '|' follows the entry: the next entry
	// is tried after any error, not only after 404/410.
	FallbackOnError bool
	// Unreachable is true for entries after "off" or "direct".
	Unreachable bool
	// Err says why the go command rejects the entry.
	Err string
}

// parseProxyList reads a GOPROXY value like the go command's
// cmd/go/internal/modfetch.proxyList (Go 1.26), except that it keeps the
// entries after "off" and "direct" (marked Unreachable) and does not stop at
// the first invalid one.
func parseProxyList(s string) []proxyEntry {
	var list []proxyEntry
	ended := false
	for s != "" {
		var text string
		fallBack := false
		if i := strings.IndexAny(s, ",|"); i >= 0 {
			text, fallBack, s = s[:i], s[i] == '|', s[i+1:]
		} else {
			text, s = s, ""
		}
		text = strings.TrimSpace(text)
		if text == "" {
			continue
		}
		e := proxyEntry{Text: text, URL: text, FallbackOnError: fallBack, Unreachable: ended}
		if text == "off" || text == "direct" {
			ended = true
		} else {
			// Single words are reserved; anything with ":/" or an absolute
			// path must be a complete URL; other hosts get https://.
			if strings.ContainsAny(text, ".:/") && !strings.Contains(text, ":/") && !filepath.IsAbs(text) && !path.IsAbs(text) {
				e.URL = "https://" + text
			}
			e.Err = proxyURLError(e.URL)
		}
		list = append(list, e)
	}
	return list
}

// proxyURLError mirrors modfetch.newProxyRepo's validation.
func proxyURLError(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return err.Error()
	}
	switch u.Scheme {
	case "http", "https":
		return ""
	case "file":
		if *u != (url.URL{Scheme: u.Scheme, Path: u.Path, RawPath: u.RawPath}) {
			return "invalid file:// proxy URL with non-path elements: " + u.Redacted()
		}
		return ""
	case "":
		return "invalid proxy URL missing scheme: " + u.Redacted()
	}
	return "invalid proxy URL scheme (must be https, http, file): " + u.Redacted()
}

// reachable returns the entries the go command can ever try.
func reachable(list []proxyEntry) []proxyEntry {
	var out []proxyEntry
	for _, e := range list {
		if !e.Unreachable {
			out = append(out, e)
		}
	}
	return out
}

func redact(s string) string { return secret.Redact(s) }

// redactedEvidence is s.Evidence() with any credential masked.
func redactedEvidence(s Setting) finding.Evidence {
	e := s.Evidence()
	e.Text = redact(e.Text)
	return e
}

func checkProxyOff(c *Context) []finding.Finding {
	s := c.Setting("GOPROXY")
	list := parseProxyList(s.Value)
	if len(list) == 0 || list[0].URL != "off" {
		return nil
	}
	msg := "GOPROXY=" + redact(s.Value) + " disables module downloads: any module missing from the module cache fails with \"module lookup disabled by GOPROXY=off\""
	if c.VendorDir != "" {
		msg += " (builds from vendor/ are unaffected; go get, go mod tidy and go mod download are not)"
	}
	return []finding.Finding{{
		Message:  msg,
		Evidence: []finding.Evidence{redactedEvidence(s)},
		Fix:      unsetFix(s, "https://proxy.golang.org,direct"),
	}}
}

func checkProxyDirect(c *Context) []finding.Finding {
	s := c.Setting("GOPROXY")
	list := parseProxyList(s.Value)
	if len(list) == 0 || list[0].URL != "direct" {
		return nil
	}
	f := finding.Finding{
		Message:  "GOPROXY=" + redact(s.Value) + " uses no module mirror: every dependency is cloned from its origin repository",
		Evidence: []finding.Evidence{redactedEvidence(s)},
		Fix:      unsetFix(s, "https://proxy.golang.org,direct"),
	}
	if _, err := goenv.LookPath("git", c.Environ); err != nil {
		f.Severity = finding.Error
		f.Message += `, and git is not on PATH: downloads fail with exec: "git": executable file not found in $PATH`
	}
	return []finding.Finding{f}
}

func checkProxyHTTP(c *Context) []finding.Finding {
	s := c.Setting("GOPROXY")
	var fs []finding.Finding
	for _, e := range reachable(parseProxyList(s.Value)) {
		u, err := url.Parse(e.URL)
		if err != nil || u.Scheme != "http" || isLoopback(u.Hostname()) {
			continue
		}
		fs = append(fs, finding.Finding{
			Message:  "GOPROXY entry " + redact(e.Text) + " is plain HTTP: module paths and contents travel unencrypted and can be altered in transit",
			Evidence: []finding.Evidence{redactedEvidence(s)},
			Fix:      "use https://" + redact(u.Host+u.Path) + " in GOPROXY",
		})
	}
	return fs
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func checkProxyList(c *Context) []finding.Finding {
	s := c.Setting("GOPROXY")
	if s.Value == "" {
		return nil // the go command's own default applies
	}
	list := parseProxyList(s.Value)
	ev := []finding.Evidence{redactedEvidence(s)}
	if len(list) == 0 {
		return []finding.Finding{{Severity: finding.Error,
			Message:  fmt.Sprintf("GOPROXY=%q has no entries: every download fails with \"GOPROXY list is not the empty string, but contains no entries\"", s.Value),
			Evidence: ev, Fix: unsetFix(s, "https://proxy.golang.org,direct")}}
	}
	var fs []finding.Finding
	for i, e := range list {
		switch {
		case e.Unreachable:
			fs = append(fs, finding.Finding{
				Message:  "GOPROXY entry " + redact(e.Text) + " comes after off/direct, which end the list: it is never tried",
				Evidence: ev, Fix: "remove " + redact(e.Text) + " or move it before off/direct"})
		case e.Err != "":
			fs = append(fs, finding.Finding{Severity: finding.Error,
				Message:  "GOPROXY entry " + redact(e.Text) + " is rejected by the go command (" + redact(e.Err) + "): every download fails",
				Evidence: ev, Fix: "write the proxy as a full https:// URL"})
		case i+1 < len(list) && !list[i+1].Unreachable && list[i+1].URL == "direct" && e.FallbackOnError && e.URL != "off":
			fs = append(fs, finding.Finding{
				Message:  "GOPROXY entry " + redact(e.Text) + " is followed by |direct: any proxy error (outage, 5xx, 401/403) silently falls back to fetching from the origin, and the proxy's error is not reported",
				Evidence: ev, Fix: "use " + redact(e.Text) + ",direct so only 404/410 fall back"})
		case i+1 < len(list) && !list[i+1].Unreachable && list[i+1].URL == "off" && e.URL != "off" && e.URL != "direct":
			fs = append(fs, finding.Finding{Severity: finding.Info,
				Message:  "GOPROXY entry off after " + redact(e.Text) + " adds nothing: the list already ends there",
				Evidence: ev, Fix: "remove the trailing off"})
		}
	}
	return fs
}

// unsetFix is the command that removes the setting where it was made.
func unsetFix(s Setting, suggestion string) string {
	if s.Source == "environment" {
		return "unset " + s.Key + " (or set " + s.Key + "=" + suggestion + ")"
	}
	if s.Source == "default" || strings.HasSuffix(filepath.ToSlash(s.Source), "/go.env") {
		return "go env -w " + s.Key + "=" + suggestion
	}
	return "go env -u " + s.Key + " (it is set in " + s.Source + ")"
}

// credentialKeys are the go settings that hold URLs or host patterns.
var credentialKeys = []string{"GOPROXY", "GOSUMDB", "GONOPROXY", "GONOSUMDB", "GOPRIVATE", "GOINSECURE", "GOVCS", "GOAUTH", "GOFLAGS", "GOCACHEPROG", "GOTOOLCHAIN"}

func checkCredentials(c *Context) []finding.Finding {
	var fs []finding.Finding
	for _, key := range credentialKeys {
		s := c.Setting(key)
		if !secret.Contains(s.Value) {
			continue
		}
		msg := key + " holds a credential in a URL: " + key + "=" + redact(s.Value)
		if key == "GOPROXY" && strings.Contains(s.Value, "http://") {
			msg += " (the go command refuses to send credentials to an http:// proxy anyway)"
		}
		fs = append(fs, finding.Finding{
			Message:  msg,
			Evidence: []finding.Evidence{redactedEvidence(s)},
			Fix:      "remove the credential from " + key + ", rotate it, and supply it through ~/.netrc or GOAUTH",
		})
	}
	return fs
}
