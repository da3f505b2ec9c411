package secret

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"https://proxy.golang.org,direct", "https://proxy.golang.org,direct"},
		{"https://bob:hunter2@proxy.corp/go", "https://bob:***@proxy.corp/go"},
		{"https://ghp_abcdef@github.com/x", "https://***@github.com/x"},
		{"GOPROXY=https://u:p@a.example,https://v:q@b.example|direct", "GOPROXY=https://u:***@a.example,https://v:***@b.example|direct"},
		{`{"v":"https://u:p@h/x"}`, `{"v":"https://u:***@h/x"}`},
		{"https://h/x?access_token=abc123&b=1", "https://h/x?access_token=***&b=1"},
		{"https://h/x?private_token=zz", "https://h/x?private_token=***"},
		{"mailto user@example.com is not a URL credential", "mailto user@example.com is not a URL credential"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if Contains(tt.in) != (tt.in != tt.want) {
			t.Errorf("Contains(%q) = %v", tt.in, Contains(tt.in))
		}
	}
}

func FuzzRedact(f *testing.F) {
	f.Add("https://bob:hunter2@proxy.corp/go")
	f.Add("https://h/x?token=abc")
	f.Add("a://:@")
	f.Fuzz(func(t *testing.T, s string) {
		once := Redact(s)
		if twice := Redact(once); twice != once {
			t.Errorf("Redact is not idempotent: %q -> %q -> %q", s, once, twice)
		}
		if strings.Contains(s, "://") && len(once) > 0 && !strings.Contains(once, "://") {
			t.Errorf("Redact lost the scheme separator: %q -> %q", s, once)
		}
	})
}
