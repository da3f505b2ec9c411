package doctor

import (
	"bufio"
	"bytes"
	"fmt"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"

	"github.com/goport/goport/internal/finding"
)

func privacyChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-SUM-001",
				Title:    "Checksum-database verification is disabled",
				Severity: finding.Warning,
				Explanation: "Since Go 1.13 the go command checks every module it downloads for the first time " +
					"against the public checksum database (sum.golang.org), so that a compromised proxy or " +
					"origin cannot serve you different code than everyone else got. `GOSUMDB=off`, or a " +
					"GONOSUMDB/GOPRIVATE pattern that matches every module (`*`), turns that off: new " +
					"dependencies and new versions are trusted on first use. (`GONOSUMCHECK` is not a Go " +
					"setting and changes nothing; `-insecure` in GOFLAGS does not disable verification " +
					"either.)",
				Fix: "Unset GOSUMDB, and list only your private module prefixes in GOPRIVATE or GONOSUMDB " +
					"(for example `GOPRIVATE=git.corp.example.com`).",
			},
			Run: checkSumDB,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-PRIV-001",
				Title:    "Private-module pattern covers public modules",
				Severity: finding.Warning,
				Explanation: "GOPRIVATE, GONOPROXY, GONOSUMDB and GOINSECURE take comma-separated path.Match " +
					"patterns of module path prefixes. A pattern like `*`, `*.*`, `*.com` or `github.com` " +
					"covers public modules too: GONOSUMDB/GOPRIVATE then skip checksum verification for " +
					"them, GONOPROXY/GOPRIVATE send them around the proxy to be cloned with git (slower, " +
					"needs git and network access to every origin), and GOINSECURE allows fetching them " +
					"over plain HTTP without certificate checks.",
				Fix: "Name only your private hosts or organisations: `GOPRIVATE=git.corp.example.com,github.com/acme`.",
			},
			Run: checkBroadPatterns,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-PRIV-002",
				Title:    "Private module not covered by GOPRIVATE",
				Severity: finding.Error,
				Explanation: "go.mod requires a module whose path looks private (a host without a dot, an IP " +
					"address, a `.internal`/`.corp`/`.local`/`.lan` name, or a self-hosted forge such as " +
					"`git.example.com`), yet no GOPRIVATE/GONOPROXY/GONOSUMDB pattern covers it. The go " +
					"command then asks the public proxy for it (which answers `404 Not Found` or " +
					"`410 Gone`, or a corporate proxy `400 Bad Request`) and checks it against " +
					"sum.golang.org (`verifying module: …` or `verifying go.mod: … 410 Gone`, or a lookup failure) — leaking the " +
					"private module path to both and failing on every machine whose go.sum or module cache " +
					"lacks the version. A path whose first element has no dot (`corp/x`) cannot be downloaded " +
					"at all, GOPRIVATE or not: only a `replace` with a directory makes it build. It is an error when go.sum has no hash for the required version, so " +
					"the next download certainly consults the checksum database.",
				Fix: "Declare the private prefix: `go env -w GOPRIVATE=git.corp.example.com` (with an internal " +
					"proxy that serves private modules, `GONOSUMDB=git.corp.example.com` and keep GOPROXY).",
			},
			Run: checkPrivateRequirements,
		},
	}
}

// goPatterns returns the effective GOPRIVATE, GONOPROXY and GONOSUMDB
// settings: the latter two default to GOPRIVATE.
func (c *Context) goPatterns() (private, noproxy, nosumdb Setting) {
	private = c.Setting("GOPRIVATE")
	noproxy, nosumdb = c.Setting("GONOPROXY"), c.Setting("GONOSUMDB")
	// `go env` reports the GOPRIVATE value as their default; evidence
	// should then name GOPRIVATE, where the user wrote it.
	if noproxy.Value == "" || noproxy.Source == "default" {
		noproxy = private
	}
	if nosumdb.Value == "" || nosumdb.Source == "default" {
		nosumdb = private
	}
	return private, noproxy, nosumdb
}

// everyModuleProbes are unrelated module paths; a pattern list that
// matches all of them matches every module.
var everyModuleProbes = []string{"github.com/x/y", "golang.org/x/text", "example.net/m", "corp/m"}

func matchesEveryModule(patterns string) bool {
	for _, p := range everyModuleProbes {
		if !module.MatchPrefixPatterns(patterns, p) {
			return false
		}
	}
	return true
}

func checkSumDB(c *Context) []finding.Finding {
	var fs []finding.Finding
	if s := c.Setting("GOSUMDB"); s.Value == "off" {
		fs = append(fs, finding.Finding{
			Message:  "GOSUMDB=off: downloaded modules are not verified against the checksum database",
			Evidence: []finding.Evidence{redactedEvidence(s)},
			Fix:      unsetFix(s, "sum.golang.org"),
		})
	}
	if _, _, nosumdb := c.goPatterns(); matchesEveryModule(nosumdb.Value) {
		fs = append(fs, finding.Finding{
			Message:  fmt.Sprintf("%s=%s matches every module path: no module is verified against the checksum database", nosumdb.Key, redact(nosumdb.Value)),
			Evidence: []finding.Evidence{redactedEvidence(nosumdb)},
			Fix:      "list only private module prefixes in " + nosumdb.Key,
		})
	}
	if s := c.Setting("GONOSUMCHECK"); s.Value != "" && s.Source != "default" {
		fs = append(fs, finding.Finding{Severity: finding.Info,
			Message:  "GONOSUMCHECK is not a go setting: it has no effect (use GONOSUMDB or GOPRIVATE for private modules)",
			Evidence: []finding.Evidence{redactedEvidence(s)},
			Fix:      unsetFix(s, "") + " and use GONOSUMDB/GOPRIVATE instead",
		})
	}
	return fs
}

// publicProbes are module paths on public code hosts; a pattern matching one
// covers a whole public host.
var publicProbes = []string{
	"github.com/x/y", "gitlab.com/x/y", "bitbucket.org/x/y", "golang.org/x/text",
	"google.golang.org/grpc", "gopkg.in/yaml.v3", "go.uber.org/zap", "k8s.io/api",
	"cloud.google.com/go", "go.opentelemetry.io/otel",
}

func checkBroadPatterns(c *Context) []finding.Finding {
	effects := map[string]string{
		"GOPRIVATE":  "bypasses the proxy and the checksum database for",
		"GONOPROXY":  "bypasses the proxy (direct git clones) for",
		"GONOSUMDB":  "skips checksum verification for",
		"GOINSECURE": "allows plain HTTP and unchecked certificates for",
	}
	var fs []finding.Finding
	for _, key := range []string{"GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE"} {
		s := c.Setting(key)
		if key != "GOPRIVATE" && key != "GOINSECURE" && s.Source == "default" {
			continue // the GOPRIVATE value, reported under GOPRIVATE
		}
		for _, pat := range strings.Split(s.Value, ",") {
			pat = strings.TrimSpace(pat)
			if pat == "" {
				continue
			}
			if key == "GONOSUMDB" && matchesEveryModule(pat) {
				continue // GP-SUM-001 reports verification switched off
			}
			var covered []string
			for _, probe := range publicProbes {
				if module.MatchPrefixPatterns(pat, probe) {
					covered = append(covered, strings.SplitN(probe, "/", 2)[0])
				}
			}
			if len(covered) == 0 {
				continue
			}
			what := "public hosts such as " + strings.Join(covered[:min(3, len(covered))], ", ")
			if matchesEveryModule(pat) {
				what = "every module"
			}
			fs = append(fs, finding.Finding{
				Message:  fmt.Sprintf("%s pattern %q %s %s", key, redact(pat), effects[key], what),
				Evidence: []finding.Evidence{redactedEvidence(s)},
				Fix:      fmt.Sprintf("replace %q in %s with your private hosts or organisations (e.g. github.com/yourorg)", redact(pat), key),
			})
		}
	}
	return fs
}

// publicHosts serve public Go modules. Besides the big forges, they are
// vanity hosts of widely used modules (each proxied by proxy.golang.org);
// subdomains count too (e.g. *.googlesource.com).
var publicHosts = map[string]bool{
	"github.com": true, "gitlab.com": true, "bitbucket.org": true, "codeberg.org": true,
	"sr.ht": true, "git.sr.ht": true, "googlesource.com": true, "launchpad.net": true,
	"golang.org": true, "go.dev": true, "google.golang.org": true, "cloud.google.com": true,
	"gopkg.in": true, "go.uber.org": true, "k8s.io": true, "sigs.k8s.io": true,
	"go.opentelemetry.io": true, "go.opencensus.io": true, "honnef.co": true, "gotest.tools": true,
	"go.etcd.io": true, "go.mongodb.org": true, "gorm.io": true, "modernc.org": true,
	"mvdan.cc": true, "rsc.io": true, "filippo.io": true, "dario.cat": true, "lukechampine.com": true,
	"go4.org": true, "gonum.org": true, "gocloud.dev": true, "helm.sh": true, "tailscale.com": true,
	"storj.io": true, "cuelang.org": true, "cue.dev": true, "gioui.org": true, "nhooyr.io": true,
	"inet.af": true, "zombiezen.com": true, "howett.net": true, "aead.dev": true, "connectrpc.com": true,
	"buf.build": true, "entgo.io": true, "oras.land": true, "knative.dev": true, "istio.io": true,
	"tags.cncf.io": true, "go.starlark.net": true, "go.yaml.in": true, "software.sslmate.com": true,
	"golang.zx2c4.com": true, "gvisor.dev": true, "kernel.org": true, "pgregory.net": true,
	"code.gitea.io": true, "gitea.com": true, "go.temporal.io": true, "go.elastic.co": true,
	"go.step.sm": true, "go.mau.fi": true, "go.jolheiser.com": true, "dmitri.shuralyov.com": true,
	"hashicorp.com": true, "cel.dev": true, "go.bug.st": true, "github.io": true,
}

// privateTLDs are names reserved for, or conventionally used on, private
// networks (RFC 6762 .local, RFC 8375 home.arpa, ICANN's .internal).
var privateTLDs = []string{".internal", ".corp", ".local", ".lan", ".intranet", ".home.arpa", ".localdomain", ".private", ".localhost"}

// forgeLabels are first labels of self-hosted code forges; on a host that
// is not public, such a name marks a company's own server.
var forgeLabels = map[string]bool{
	"git": true, "gitlab": true, "gitea": true, "forgejo": true, "github": true, "bitbucket": true,
	"stash": true, "scm": true, "code": true, "src": true, "source": true, "vcs": true, "repo": true,
	"repos": true, "svn": true, "hg": true,
}

// privateHostReason says why path's host looks private, or "" when it does
// not.
func privateHostReason(path string) string {
	host, _, _ := strings.Cut(path, "/")
	if host == "" {
		return ""
	}
	if isPublicHost(host) {
		return ""
	}
	if !strings.Contains(host, ".") {
		return "its first element " + host + " has no dot, so it is not an Internet host"
	}
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return "its host " + host + " is an IP address"
	}
	for _, tld := range privateTLDs {
		if strings.HasSuffix(host, tld) {
			return "its host " + host + " ends in " + tld
		}
	}
	label, _, _ := strings.Cut(host, ".")
	if forgeLabels[label] && strings.Count(host, ".") >= 2 {
		return "its host " + host + " is a self-hosted code forge, not a public module host"
	}
	return ""
}

func isPublicHost(host string) bool {
	for h := host; h != ""; {
		if publicHosts[h] {
			return true
		}
		_, rest, ok := strings.Cut(h, ".")
		if !ok {
			break
		}
		h = rest
	}
	return false
}

// downloadedPath is a module path the go command fetches for go.mod, and
// the directive that names it.
type downloadedPath struct {
	Path, Version string
	Line          int
	Text          string
}

// downloadedPaths returns the requirements after replacement: a require
// replaced by a directory is not downloaded; one replaced by another module
// downloads that module instead.
func downloadedPaths(f *modfile.File) []downloadedPath {
	var out []downloadedPath
	for _, r := range f.Require {
		p := downloadedPath{Path: r.Mod.Path, Version: r.Mod.Version}
		if r.Syntax != nil {
			p.Line = r.Syntax.Start.Line
		}
		if rep := replacementFor(f, r.Mod); rep != nil {
			if rep.New.Version == "" {
				continue
			}
			p = downloadedPath{Path: rep.New.Path, Version: rep.New.Version}
			if rep.Syntax != nil {
				p.Line = rep.Syntax.Start.Line
			}
		}
		out = append(out, p)
	}
	return out
}

// replacementFor returns the replace directive that applies to m; a
// version-specific one wins over a path-wide one, as in the go command.
func replacementFor(f *modfile.File, m module.Version) *modfile.Replace {
	var wide *modfile.Replace
	for _, r := range f.Replace {
		switch {
		case r.Old.Path == m.Path && r.Old.Version == m.Version:
			return r
		case r.Old.Path == m.Path && r.Old.Version == "":
			wide = r
		}
	}
	return wide
}

// inGoSum reports whether go.sum holds a hash for path@version.
func inGoSum(sum []byte, path, version string) bool {
	sc := bufio.NewScanner(bytes.NewReader(sum))
	sc.Buffer(nil, len(sum)+1)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 3 && f[0] == path && (f[1] == version || f[1] == version+"/go.mod") {
			return true
		}
	}
	return false
}

func checkPrivateRequirements(c *Context) []finding.Finding {
	if c.Mod == nil || c.Mod.File == nil {
		return nil
	}
	private, noproxy, nosumdb := c.goPatterns()
	// Only a public mirror fails on private modules; a company proxy is
	// assumed to serve them (the setup `go help private` recommends).
	proxy := ""
	if r := reachable(parseProxyList(c.Setting("GOPROXY").Value)); len(r) > 0 && isPublicProxy(r[0].URL) {
		proxy = r[0].URL
	}
	sumdb := c.Setting("GOSUMDB").Value
	if sumdb == "off" {
		sumdb = ""
	} else if sumdb == "" {
		sumdb = "sum.golang.org"
	}
	var fs []finding.Finding
	seen := map[string]bool{}
	for _, p := range downloadedPaths(c.Mod.File) {
		reason := privateHostReason(p.Path)
		if reason == "" || seen[p.Path] {
			continue
		}
		seen[p.Path] = true
		loc := &finding.Location{Path: c.Rel(c.Mod.Path), Line: p.Line}
		if host, _, _ := strings.Cut(p.Path, "/"); !strings.Contains(host, ".") {
			// No pattern helps: the go command refuses to fetch such a path.
			fs = append(fs, finding.Finding{
				Message: fmt.Sprintf("%s@%s cannot be downloaded at all (%s): the go command fails with \"malformed module path %q: missing dot in first path element\", GOPRIVATE or not",
					p.Path, p.Version, reason, p.Path),
				Evidence: []finding.Evidence{{Location: loc, Text: lineOf(c.Mod.Data, p.Line)}},
				Fix:      "replace " + p.Path + " with a local directory (replace " + p.Path + " => ../dir) or publish it under a host name",
			})
			continue
		}
		viaProxy := proxy != "" && !module.MatchPrefixPatterns(noproxy.Value, p.Path)
		viaSumDB := sumdb != "" && !module.MatchPrefixPatterns(nosumdb.Value, p.Path)
		if !viaProxy && !viaSumDB {
			continue
		}
		var asks []string
		if viaProxy {
			asks = append(asks, "the public proxy "+redact(proxy)+" (404/410 Gone)")
		}
		if viaSumDB {
			asks = append(asks, "the checksum database "+strings.Fields(sumdb)[0]+" (\"verifying module\"/\"verifying go.mod\")")
		}
		sev := finding.Warning
		if viaSumDB && !inGoSum(c.Mod.GoSum, p.Path, p.Version) {
			sev = finding.Error
		}
		prefix, _, _ := strings.Cut(p.Path, "/")
		// GOPRIVATE covers both decisions; when only the checksum database
		// is consulted (an internal proxy serves the module), GONOSUMDB is
		// the narrower fix.
		fix := "go env -w GOPRIVATE=" + joinPatterns(private.Value, prefix)
		if !viaProxy {
			fix = "go env -w GONOSUMDB=" + joinPatterns(nosumdb.Value, prefix)
		}
		fs = append(fs, finding.Finding{
			Severity: sev,
			Message: fmt.Sprintf("%s@%s looks private (%s) but no GOPRIVATE/GONOPROXY/GONOSUMDB pattern covers it: downloads ask %s, leaking the path and failing",
				p.Path, p.Version, reason, strings.Join(asks, " and ")),
			Evidence: []finding.Evidence{{Location: loc, Text: lineOf(c.Mod.Data, p.Line)}, redactedEvidence(private)},
			Fix:      fix,
		})
	}
	return fs
}

// publicProxies are the hosts of public module mirrors.
var publicProxies = map[string]bool{
	"proxy.golang.org": true, "goproxy.io": true, "goproxy.cn": true, "proxy.golang.com.cn": true,
	"mirrors.aliyun.com": true, "mirrors.tencent.com": true, "goproxy.baidu.com": true,
}

func isPublicProxy(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && publicProxies[u.Hostname()]
}

func joinPatterns(existing, add string) string {
	if existing == "" {
		return add
	}
	return existing + "," + add
}
