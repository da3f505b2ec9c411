package doctor

import (
	"fmt"
	"strings"
)

// quotedFields splits s as cmd/internal/quoted.Split does for GOFLAGS and
// CC: fields separated by space, tab, CR or LF; a field that starts with '
// or " runs to the next identical quote, with no unescaping. Quotes inside
// a field are ordinary characters.
func quotedFields(s string) ([]string, error) {
	var fields []string
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
	for len(s) > 0 {
		for len(s) > 0 && isSpace(s[0]) {
			s = s[1:]
		}
		if len(s) == 0 {
			break
		}
		if q := s[0]; q == '"' || q == '\'' {
			end := strings.IndexByte(s[1:], q)
			if end < 0 {
				return nil, fmt.Errorf("unterminated %c string", q)
			}
			fields = append(fields, s[1:1+end])
			s = s[end+2:]
			continue
		}
		i := 0
		for i < len(s) && !isSpace(s[i]) {
			i++
		}
		fields = append(fields, s[:i])
		s = s[i:]
	}
	return fields, nil
}
