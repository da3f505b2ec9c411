// Package secret removes credentials from text before it reaches any output:
// passwords and tokens in URL userinfo, and query parameters that commonly
// carry tokens.
package secret

import (
	"regexp"
	"strings"
)

// Mask replaces a secret.
const Mask = "***"

var (
	// scheme://user:pass@host or scheme://token@host. The userinfo may not
	// contain '/', '@' or whitespace; quotes end it too so JSON stays valid.
	userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*://)([^/@\s"'<>]+)@`)
	// ?access_token=..., &token=..., password=..., etc.
	tokenParam = regexp.MustCompile(`(?i)([?&](?:access_token|token|private_token|password|passwd|secret|api_key|apikey|key|sig|signature)=)([^&\s"'<>#]+)`)
)

// Redact returns s with every credential replaced by Mask. User names are
// kept when a password follows them, so "https://bob:pw@host" reads
// "https://bob:***@host"; a lone token ("https://tok@host") is masked whole.
func Redact(s string) string {
	s = userinfo.ReplaceAllStringFunc(s, func(m string) string {
		sub := userinfo.FindStringSubmatch(m)
		scheme, info := sub[1], sub[2]
		if i := strings.IndexByte(info, ':'); i >= 0 {
			return scheme + info[:i] + ":" + Mask + "@"
		}
		return scheme + Mask + "@"
	})
	return tokenParam.ReplaceAllString(s, "${1}"+Mask)
}

// Contains reports whether s holds a credential that Redact would mask.
func Contains(s string) bool {
	return Redact(s) != s
}
