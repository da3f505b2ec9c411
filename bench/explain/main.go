// Command explain measures `goport explain` on a large log against GNU
// grep -E -f over the same patterns, in one run:
//
//	go run ./bench/explain [-size 100] [-corpus DIR]
//
// It builds the log from real build output: the labelled corpus logs when
// present, plus the verbose output (go build -a -x -v) of building
// a small net/http program, recorded on this machine. It converts every runbook symptom from
// RE2 to POSIX ERE, times both tools (wall and user CPU time) and prints
// the throughputs and their ratio.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp/syntax"
	"strconv"
	"strings"
	"time"
)

func main() {
	size := flag.Int("size", 100, "log size in MB")
	corpus := flag.String("corpus", filepath.Join("..", "shared", "corpus", "visible"), "directory of corpus logs (*/log.txt)")
	show := flag.Bool("patterns", false, "only print the patterns in ERE syntax")
	flag.Parse()
	if *show {
		pats, err := erePatterns("goport")
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench/explain:", err)
			os.Exit(1)
		}
		fmt.Println(strings.Join(pats, "\n"))
		return
	}
	if err := run(*size<<20, *corpus); err != nil {
		fmt.Fprintln(os.Stderr, "bench/explain:", err)
		os.Exit(1)
	}
}

func run(size int, corpus string) error {
	dir, err := os.MkdirTemp("", "goport-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	goport := filepath.Join(dir, "goport")
	if out, err := exec.Command("go", "build", "-o", goport, "./cmd/goport").CombinedOutput(); err != nil {
		return fmt.Errorf("building goport: %v\n%s", err, out)
	}

	seed, err := realLines(corpus, dir)
	if err != nil {
		return err
	}
	logPath := filepath.Join(dir, "big.log")
	if err := writeRepeated(logPath, seed, size); err != nil {
		return err
	}

	patterns, err := erePatterns(goport)
	if err != nil {
		return err
	}
	patPath := filepath.Join(dir, "patterns.ere")
	if err := os.WriteFile(patPath, []byte(strings.Join(patterns, "\n")+"\n"), 0o644); err != nil {
		return err
	}

	st, err := os.Stat(logPath)
	if err != nil {
		return err
	}
	mb := float64(st.Size()) / (1 << 20)
	fmt.Printf("log: %.1f MB of real build output, %d patterns\n", mb, len(patterns))

	g, err := timed(exec.Command(goport, "explain", "--format", "json", "--fail-on", "none", logPath))
	if err != nil {
		return fmt.Errorf("goport explain: %w", err)
	}
	grep := exec.Command("grep", "-c", "-E", "-f", patPath, logPath)
	grep.Env = append(os.Environ(), "LC_ALL=C.UTF-8")
	r, err := timed(grep)
	if err != nil {
		return fmt.Errorf("grep: %w", err)
	}
	fmt.Printf("goport explain: wall %6.2fs (%6.1f MB/s)  user %6.2fs (%6.1f MB/s)\n", g.wall.Seconds(), mb/g.wall.Seconds(), g.user.Seconds(), mb/g.user.Seconds())
	fmt.Printf("grep -E -f:     wall %6.2fs (%6.1f MB/s)  user %6.2fs (%6.1f MB/s)\n", r.wall.Seconds(), mb/r.wall.Seconds(), r.user.Seconds(), mb/r.user.Seconds())
	fmt.Printf("ratio goport/grep: wall %.2fx  user %.2fx (below 1 means goport is faster)\n", g.wall.Seconds()/r.wall.Seconds(), g.user.Seconds()/r.user.Seconds())
	return nil
}

type timing struct{ wall, user time.Duration }

// timed runs cmd; exit status 1 is a result (findings, or grep's "no
// match"), not a failure.
func timed(cmd *exec.Cmd) (timing, error) {
	cmd.Stdout = io.Discard
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if ee, ok := err.(*exec.ExitError); ok && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return timing{}, fmt.Errorf("%v: %s", err, stderr.String())
	}
	return timing{wall: wall, user: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}, nil
}

// realLines returns real build output: the corpus logs and a freshly
// recorded verbose build.
func realLines(corpus, dir string) ([]byte, error) {
	var b bytes.Buffer
	logs, _ := filepath.Glob(filepath.Join(corpus, "*", "log.txt"))
	for _, p := range logs {
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		b.Write(data)
		if len(data) > 0 && data[len(data)-1] != '\n' {
			b.WriteByte('\n')
		}
	}
	mod := filepath.Join(dir, "mod")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return nil, err
	}
	files := map[string]string{
		"go.mod":  "module example.com/bench\n\ngo 1.22\n",
		"main.go": "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n)\n\nfunc main() { fmt.Println(http.StatusOK) }\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(mod, name), []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	cmd := exec.Command("go", "build", "-a", "-x", "-v", "-o", filepath.Join(dir, "self"), ".")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return nil, fmt.Errorf("recording a verbose build: %v", err)
	}
	b.Write(out)
	return b.Bytes(), nil
}

func writeRepeated(path string, seed []byte, size int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	for n := 0; n < size; n += len(seed) {
		if _, err := f.Write(seed); err != nil {
			f.Close()
			return err
		}
	}
	return f.Close()
}

// erePatterns lists every symptom pattern of the catalogue in ERE syntax.
func erePatterns(goport string) ([]string, error) {
	out, err := exec.Command(goport, "kb", "list", "--format", "json").Output()
	if err != nil {
		return nil, fmt.Errorf("goport kb list: %w", err)
	}
	var rbs []struct {
		Symptoms []struct {
			Pattern string `json:"pattern"`
		} `json:"symptoms"`
	}
	if err := json.Unmarshal(out, &rbs); err != nil {
		return nil, err
	}
	var pats []string
	for _, rb := range rbs {
		for _, s := range rb.Symptoms {
			re, err := syntax.Parse(s.Pattern, syntax.Perl)
			if err != nil {
				return nil, err
			}
			var b strings.Builder
			ere(&b, re.Simplify())
			pats = append(pats, b.String())
		}
	}
	return pats, nil
}

// ere prints re in POSIX extended syntax (with GNU \b).
func ere(b *strings.Builder, re *syntax.Regexp) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if strings.ContainsRune(`.[]()*+?{}|^$\`, r) {
				b.WriteByte('\\')
			}
			b.WriteRune(r)
		}
	case syntax.OpCharClass:
		b.WriteString(bracket(re.Rune))
	case syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		b.WriteByte('.')
	case syntax.OpBeginLine, syntax.OpBeginText:
		b.WriteByte('^')
	case syntax.OpEndLine, syntax.OpEndText:
		b.WriteByte('$')
	case syntax.OpWordBoundary:
		b.WriteString(`\b`)
	case syntax.OpCapture:
		b.WriteByte('(')
		ere(b, re.Sub[0])
		b.WriteByte(')')
	case syntax.OpStar, syntax.OpPlus, syntax.OpQuest:
		b.WriteByte('(')
		ere(b, re.Sub[0])
		b.WriteByte(')')
		b.WriteString(map[syntax.Op]string{syntax.OpStar: "*", syntax.OpPlus: "+", syntax.OpQuest: "?"}[re.Op])
	case syntax.OpRepeat:
		b.WriteByte('(')
		ere(b, re.Sub[0])
		b.WriteString("){" + strconv.Itoa(re.Min) + ",")
		if re.Max >= 0 {
			b.WriteString(strconv.Itoa(re.Max))
		}
		b.WriteByte('}')
	case syntax.OpConcat:
		for _, s := range re.Sub {
			ere(b, s)
		}
	case syntax.OpAlternate:
		b.WriteByte('(')
		for i, s := range re.Sub {
			if i > 0 {
				b.WriteByte('|')
			}
			ere(b, s)
		}
		b.WriteByte(')')
	case syntax.OpEmptyMatch:
	}
}

// bracket writes a character class, negated when that is shorter; code
// points past U+FFFF are dropped (no symptom needs them).
func bracket(ranges []rune) string {
	neg := len(ranges) >= 2 && ranges[0] == 0 && ranges[len(ranges)-1] == 0x10FFFF
	if neg {
		var gaps []rune
		for i := 1; i+1 < len(ranges); i += 2 {
			gaps = append(gaps, ranges[i]+1, ranges[i+1]-1)
		}
		if len(gaps) == 0 {
			return "."
		}
		ranges = gaps
	}
	var body strings.Builder
	first, last := "", ""
	for i := 0; i+1 < len(ranges); i += 2 {
		lo, hi := ranges[i], min(ranges[i+1], 0xFFFF)
		// A pattern file cannot hold control characters: they become
		// [:cntrl:], which for \s and \S is close enough for timing.
		if lo < 0x20 {
			body.WriteString("[:cntrl:]")
			lo = min(hi+1, 0x20)
		}
		for lo <= hi && (lo == ']' || lo == '-' || lo == '^') {
			switch lo {
			case ']':
				first = "]"
			case '-':
				last = "-"
			default:
				last = "^" + last
			}
			lo++
		}
		if lo > hi {
			continue
		}
		body.WriteRune(lo)
		if hi > lo {
			body.WriteByte('-')
			body.WriteRune(hi)
		}
	}
	if neg && body.String() == "[:cntrl:]" && first == "" && last == "" {
		return "." // [^\n] and the like: any character on a line
	}
	open := "["
	if neg {
		open = "[^"
	}
	return open + first + body.String() + last + "]"
}
