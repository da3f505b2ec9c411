package doctor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goport/goport/internal/finding"
	"github.com/goport/goport/internal/goenv"
)

func godebugChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-GODEBUG-001",
				Title:    "GODEBUG is set in the environment",
				Severity: finding.Info,
				Explanation: "GODEBUG is empty by default. When set in the environment it changes the behaviour " +
					"of the go command itself and of every Go program started from that environment — " +
					"tests included — overriding the defaults that the main module's `go` line, `godebug` " +
					"block and `//go:debug` directives choose. A build then behaves differently on this " +
					"machine than in CI or production. GODEBUG cannot be set with `go env -w`; a GODEBUG " +
					"line in the GOENV file is ignored.",
				Fix: "Unset GODEBUG; pin a setting the program needs with a `godebug` block in go.mod or a " +
					"`//go:debug` directive in the main package, so it travels with the code.",
			},
			Run: checkGODEBUGSet,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-GODEBUG-002",
				Title:    "GODEBUG setting weakens security",
				Severity: finding.Warning,
				Explanation: "Several GODEBUG settings restore behaviour that Go removed for security reasons " +
					"(`$GOROOT/doc/godebug.md`): TLS 1.0/1.1 servers (`tls10server=1`), RSA key exchange " +
					"without forward secrecy (`tlsrsakex=1`), 3DES (`tls3des=1`), SHA-1 TLS signatures " +
					"(`tlssha1=1`), RSA keys under 1024 bits (`rsa1024min=0`), malformed certificates " +
					"(`x509negativeserial=1`), denial-of-service limits switched off (`httpcookiemaxnum=0`, " +
					"`urlmaxqueryparams=0`), running programs found in the current directory " +
					"(`execerrdot=0`) and others. Set in the environment, they apply to every Go program " +
					"run there.",
				Fix: "Remove the setting; if one program really needs it, pin it in that program with " +
					"`//go:debug` and plan its removal.",
			},
			Run: checkGODEBUGSecurity,
		},
		{
			Rule: finding.Rule{
				ID:       "GP-GODEBUG-003",
				Title:    "GODEBUG setting slows builds or programs",
				Severity: finding.Warning,
				Explanation: "Some GODEBUG settings are debugging aids with a large cost. " +
					"`gocacheverify=1` makes the go command bypass its build cache and rebuild everything to " +
					"compare; `gocachehash=1` and `gocachetest=1` print voluminous cache diagnostics. " +
					"Runtime tracing and checking settings (`gctrace`, `schedtrace`, `inittrace`, " +
					"`gcstoptheworld`, `efence`, `clobberfree`, `gccheckmark`, `sbrk`…) write to stderr or " +
					"slow every Go program, including the go command and the tests it runs. None is on by " +
					"default.",
				Fix: "Unset GODEBUG, or set the setting only for the one command being debugged " +
					"(`GODEBUG=gctrace=1 ./prog`).",
			},
			Run: checkGODEBUGCost,
		},
	}
}

// godebugSetting is one key=value of GODEBUG.
type godebugSetting struct{ Key, Value string }

// parseGODEBUG splits GODEBUG the way the runtime and internal/godebug do:
// comma-separated key=value pairs, no trimming, entries without '=' ignored;
// for a repeated key the last one wins.
func parseGODEBUG(s string) []godebugSetting {
	var out []godebugSetting
	index := map[string]int{}
	for _, field := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(field, "=")
		if !ok || k == "" {
			continue
		}
		if i, dup := index[k]; dup {
			out[i].Value = v
			continue
		}
		index[k] = len(out)
		out = append(out, godebugSetting{k, v})
	}
	return out
}

// godebugRisk is why a GODEBUG value is a problem, or "".
type godebugRisk func(value string) string

func equals(want, why string) godebugRisk {
	return func(v string) string {
		if v == want {
			return why
		}
		return ""
	}
}

func intAbove(limit int, why string) godebugRisk {
	return func(v string) string {
		if n, err := strconv.Atoi(v); err == nil && n > limit {
			return why
		}
		return ""
	}
}

func nonZero(why string) godebugRisk {
	return func(v string) string {
		if v != "" && v != "0" {
			return why
		}
		return ""
	}
}

// weakeningSettings are the GODEBUG values that undo a security default
// of Go 1.26 ($GOROOT/doc/godebug.md; TestGODEBUGListsAreKnown checks the
// names against $GOROOT/src/internal/godebugs/table.go and the runtime).
var weakeningSettings = map[string]godebugRisk{
	"tls10server":          equals("1", "re-enables TLS 1.0 and 1.1 as the default minimum version"),
	"tlsrsakex":            equals("1", "re-enables RSA key exchange cipher suites (no forward secrecy)"),
	"tls3des":              equals("1", "re-enables 3DES cipher suites"),
	"tlsunsafeekm":         equals("1", "allows ExportKeyingMaterial without TLS 1.3 or Extended Master Secret"),
	"tlssha1":              equals("1", "re-enables SHA-1 signature algorithms in TLS 1.2"),
	"tlsmlkem":             equals("0", "disables the post-quantum X25519MLKEM768 key exchange"),
	"tlssecpmlkem":         equals("0", "disables the post-quantum SecP256r1MLKEM768/SecP384r1MLKEM1024 key exchanges"),
	"tlsmaxrsasize":        intAbove(8192, "accepts RSA keys above 8192 bits in TLS handshakes (denial of service)"),
	"fips140ems":           equals("0", "stops enforcing Extended Master Secret in FIPS 140-3 mode"),
	"rsa1024min":           equals("0", "accepts RSA keys shorter than 1024 bits"),
	"x509negativeserial":   equals("1", "accepts certificates with negative serial numbers"),
	"x509rsacrt":           equals("0", "stops validating the CRT parameters of PKCS #1 private keys"),
	"x509usefallbackroots": equals("1", "forces the bundled fallback roots instead of the system certificate store"),
	"httpcookiemaxnum":     equals("0", "removes the limit on cookies per request (denial of service)"),
	"urlmaxqueryparams":    equals("0", "removes the limit on URL query parameters (denial of service)"),
	"httplaxcontentlength": equals("1", "accepts empty Content-Length headers"),
	"urlstrictcolons":      equals("0", "accepts malformed host names with colons in net/url"),
	"htmlmetacontenturlescape": equals("0",
		"stops html/template from escaping URLs in meta content attributes"),
	"cryptocustomrand": equals("1", "lets crypto APIs use caller-supplied, possibly predictable, randomness"),
	"execerrdot":       equals("0", "lets os/exec run programs found in the current directory"),
	"embedfollowsymlinks": equals("1",
		"lets //go:embed follow symlinks out of the module"),
	"allowmultiplevcs": equals("1", "re-enables VCS stamping with several VCS in one tree (VCS injection)"),
	"cgocheck":         equals("0", "disables the checks on Go pointers passed to C"),
	"invalidptr":       equals("0", "stops the runtime from crashing on invalid pointers"),
}

// costlySettings are the GODEBUG values that slow the go command or every Go
// program ("go help cache", runtime package documentation).
var costlySettings = map[string]godebugRisk{
	"gocacheverify":  nonZero("makes the go command rebuild everything and compare with the cache"),
	"gocachehash":    nonZero("makes the go command print every cache-key input (voluminous)"),
	"gocachetest":    nonZero("makes the go command print every test-cache decision"),
	"gctrace":        nonZero("prints a line for every garbage collection to stderr"),
	"gcpacertrace":   nonZero("prints garbage-collector pacer state to stderr"),
	"scavtrace":      nonZero("prints scavenger statistics to stderr"),
	"schedtrace":     nonZero("prints scheduler state to stderr periodically"),
	"scheddetail":    nonZero("prints detailed scheduler state"),
	"inittrace":      nonZero("prints a line for every package initialisation"),
	"gcstoptheworld": nonZero("disables concurrent garbage collection"),
	"gccheckmark":    nonZero("re-verifies every garbage collection's marking"),
	"clobberfree":    nonZero("overwrites freed memory during garbage collection"),
	"efence":         nonZero("allocates every object on its own page, never reused"),
	"sbrk":           nonZero("replaces the allocator with one that never frees memory"),
	"checkfinalizers": nonZero(
		"runs extra checks for finalizer and cleanup mistakes at every collection"),
	"http2debug":         nonZero("logs HTTP/2 frames"),
	"tracebackancestors": nonZero("records creation stacks of every goroutine"),
}

// removedSettings no longer exist in Go 1.26 (godebugs.Removed).
var removedSettings = map[string]string{"x509sha1": "Go 1.24"}

func godebugEvidence(raw string) []finding.Evidence {
	return []finding.Evidence{{Text: "GODEBUG=" + redact(raw) + " (environment)"}}
}

func checkGODEBUGSet(c *Context) []finding.Finding {
	var fs []finding.Finding
	if raw, ok := envValue(c, "GODEBUG"); ok && raw != "" {
		var list []string
		for _, s := range parseGODEBUG(raw) {
			item := s.Key + "=" + s.Value
			if when, ok := removedSettings[s.Key]; ok {
				item += " (removed in " + when + ": no effect)"
			}
			list = append(list, item)
		}
		msg := "GODEBUG is set in the environment and applies to the go command and every Go program run here"
		if len(list) > 0 {
			msg += ": " + strings.Join(list, ", ")
		} else {
			msg += ", but holds no key=value setting"
		}
		fs = append(fs, finding.Finding{
			Message:  redact(msg),
			Evidence: godebugEvidence(raw),
			Fix:      "unset GODEBUG; pin needed settings with a godebug block in go.mod or //go:debug in the main package",
		})
	}
	for _, f := range []*goenv.EnvFile{c.EnvFile, c.GorootEnv} {
		if f == nil {
			continue
		}
		if v, ok := f.Vars["GODEBUG"]; ok {
			fs = append(fs, finding.Finding{
				Message:  "GODEBUG in " + f.Path + " is ignored: the go command reads GODEBUG only from the process environment",
				Evidence: []finding.Evidence{{Location: &finding.Location{Path: f.Path, Line: f.Line["GODEBUG"]}, Text: "GODEBUG=" + redact(v)}},
				Fix:      "remove the GODEBUG line from " + f.Path + " and use a godebug block in go.mod",
			})
		}
	}
	return fs
}

func checkGODEBUGSecurity(c *Context) []finding.Finding {
	return godebugRiskFindings(c, weakeningSettings, "weakens security: it %s")
}

func checkGODEBUGCost(c *Context) []finding.Finding {
	return godebugRiskFindings(c, costlySettings, "costs time: it %s")
}

func godebugRiskFindings(c *Context, risks map[string]godebugRisk, format string) []finding.Finding {
	raw, ok := envValue(c, "GODEBUG")
	if !ok {
		return nil
	}
	var fs []finding.Finding
	for _, s := range parseGODEBUG(raw) {
		risk, ok := risks[s.Key]
		if !ok {
			continue
		}
		why := risk(s.Value)
		if why == "" {
			continue
		}
		kv := redact(s.Key + "=" + s.Value)
		fs = append(fs, finding.Finding{
			Message:  "GODEBUG " + kv + " " + fmt.Sprintf(format, why),
			Evidence: godebugEvidence(raw),
			Fix:      "remove " + kv + " from GODEBUG",
		})
	}
	return fs
}

// envValue is GODEBUG's lookup: the process environment only.
func envValue(c *Context, key string) (string, bool) {
	v := c.Getenv(key)
	return v, v != ""
}
