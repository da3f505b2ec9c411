package doctor

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/goport/goport/internal/finding"
)

func goflagsChecks() []Check {
	return []Check{
		{
			Rule: finding.Rule{
				ID:       "GP-FLAGS-001",
				Title:    "GOFLAGS holds an entry that is not a valid build flag",
				Severity: finding.Error,
				Explanation: "The go command applies `GOFLAGS` to every command it runs. It splits the value on " +
					"spaces (a field may be wrapped whole in `'…'` or `\"…\"`), and every field must be one " +
					"flag in `-name` or `-name=value` form. A field that does not start with `-` " +
					"(`go: parsing $GOFLAGS: non-flag \"mod=mod\"`), a name no go command knows " +
					"(`unknown flag -notaflag`) or an unterminated quote makes **every** go command fail, " +
					"`go build`, `go test` and `go mod` alike; only `go env` and `go bug` tolerate it.\n\n" +
					"Subtler: a flag that some other go command defines is silently ignored by the commands " +
					"that lack it. `GOFLAGS=\"-ldflags=-s -w\"` becomes `-ldflags=-s` plus `-w` (a flag of " +
					"`go env`): builds quietly keep their DWARF, and `go env` now runs as `go env -w`, so " +
					"`go env GOPATH` and `go env -json` (used by gopls and other tools) fail. `-u` is worse: " +
					"`go env GOPROXY` becomes `go env -u GOPROXY` and deletes the setting. " +
					"`GOFLAGS=\"-ldflags=-w -s\"` fails outright because no go command has `-s`. " +
					"A build flag given a bad value (`-race=maybe`, `-p=0`, " +
					"`-mod=bogus`, `-ldflags` without `=value`) stops every build with a usage error.",
				Fix: "Write each entry as one `-flag=value` field, and wrap a value containing spaces around the " +
					"whole field: `GOFLAGS=\"'-ldflags=-s -w'\"` (quotes inside a field, as in " +
					"`-ldflags='-s -w'`, are not quotes to the go command). Pass per-invocation flags on " +
					"the command line instead.",
			},
			Run: checkGOFLAGS,
		},
	}
}

// goflagProblem is one reason the go command rejects or ignores a GOFLAGS
// field.
type goflagProblem struct {
	Field    string // the field as split, or the whole value for a quoting error
	Severity finding.Severity
	// GoSays is the go command's own complaint, "" when it is silent.
	GoSays string
	Why    string
	Fix    string
}

func (p goflagProblem) message() string {
	if p.GoSays == "" {
		return p.Why
	}
	return p.GoSays + ": " + p.Why
}

// checkGOFLAGSValue reports every problem the go command would have with
// GOFLAGS=value when running `go build` (and, for fatal ones, any command).
// It mirrors cmd/go/internal/base.InitGOFLAGS and SetFromGOFLAGS of Go 1.26.
func checkGOFLAGSValue(value string) []goflagProblem {
	fields, err := quotedFields(value)
	if err != nil {
		return []goflagProblem{{Field: value, Severity: finding.Error,
			GoSays: "go: parsing $GOFLAGS: " + err.Error(), Why: "every go command fails",
			Fix: "close the quote: a quoted field runs from its opening quote to the next identical quote"}}
	}
	var out []goflagProblem
	prevTakesList := false // the previous field was -ldflags=… or another list flag
	for _, f := range fields {
		if p, bad := checkGOFLAGSField(f); bad {
			if prevTakesList && p.Severity >= finding.Warning {
				p.Why += "; it looks like the rest of the previous field, split off at a space"
				p.Fix = "wrap the whole previous field in quotes inside GOFLAGS, e.g. GOFLAGS=\"'-ldflags=-s -w'\""
			}
			out = append(out, p)
		}
		name, val, hasVal := goflagParts(f)
		prevTakesList = hasVal && listFlags[name] && val != ""
	}
	return out
}

// checkGOFLAGSField returns the problem with one field, if any.
func checkGOFLAGSField(f string) (goflagProblem, bool) {
	if !strings.HasPrefix(f, "-") || f == "-" || f == "--" || strings.HasPrefix(f, "---") ||
		strings.HasPrefix(f, "-=") || strings.HasPrefix(f, "--=") {
		return goflagProblem{Field: f, Severity: finding.Error,
			GoSays: fmt.Sprintf("go: parsing $GOFLAGS: non-flag %q", f), Why: "every go command fails",
			Fix: "start the entry with '-' (for example -mod=mod), or remove it"}, true
	}
	name, val, hasVal := goflagParts(f)
	if !knownGoFlag(name) {
		return goflagProblem{Field: f, Severity: finding.Error,
			GoSays: "go: parsing $GOFLAGS: unknown flag -" + name, Why: "no go command defines it, so every go command fails",
			Fix: "remove -" + name + " from GOFLAGS"}, true
	}
	kind, isBuild := buildFlags[name]
	if !isBuild {
		p := goflagProblem{Field: f, Severity: finding.Warning,
			Why: "-" + name + " is not a go build flag: go build, run and install ignore it silently",
			Fix: "remove -" + name + " from GOFLAGS and pass it on the command line of the go command that defines it"}
		switch {
		case goEnvFlags[name] != "":
			// go env has these flags, so GOFLAGS applies them to it.
			p.Severity = finding.Error
			p.Why = "-" + name + " is not a go build flag (go build ignores it), but go env applies it: " + goEnvFlags[name]
		case name == "insecure":
			p.Why += "; go get rejects it (\"-insecure flag is no longer supported; use GOINSECURE instead\")"
			p.Fix = "remove -insecure; list the hosts that lack HTTPS in GOINSECURE instead"
		case testFlags[strings.TrimPrefix(name, "test.")]:
			p.Severity = finding.Info
			p.Why = "-" + name + " is a go test flag: go test applies it, go build and the others ignore it"
			p.Fix = "nothing, if every go test run should use it; otherwise pass it to go test on the command line"
		}
		return p, true
	}
	if why := badBuildFlagValue(name, kind, val, hasVal); why != "" {
		return goflagProblem{Field: f, Severity: finding.Error, GoSays: why, Why: "every build fails",
			Fix: "correct or remove " + f}, true
	}
	return goflagProblem{}, false
}

// goflagParts splits -name=value or --name=value.
func goflagParts(f string) (name, value string, hasValue bool) {
	name = strings.TrimPrefix(f, "-")
	name = strings.TrimPrefix(name, "-")
	name, value, hasValue = strings.Cut(name, "=")
	return name, value, hasValue
}

type flagKind int

const (
	boolFlag flagKind = iota + 1
	valueFlag
)

// buildFlags are the flags `go build` accepts in Go 1.26: -o plus the
// build flags of `go help build` (TestBuildFlagsMatchHelp keeps it true).
var buildFlags = map[string]flagKind{
	"C": valueFlag, "a": boolFlag, "asan": boolFlag, "asmflags": valueFlag, "buildmode": valueFlag,
	"buildvcs": boolFlag, "compiler": valueFlag, "cover": boolFlag, "covermode": valueFlag,
	"coverpkg": valueFlag, "gccgoflags": valueFlag, "gcflags": valueFlag, "installsuffix": valueFlag,
	"json": boolFlag, "ldflags": valueFlag, "linkshared": boolFlag, "mod": valueFlag,
	"modcacherw": boolFlag, "modfile": valueFlag, "msan": boolFlag, "n": boolFlag, "o": valueFlag,
	"overlay": valueFlag, "p": valueFlag, "pgo": valueFlag, "pkgdir": valueFlag, "race": boolFlag,
	"tags": valueFlag, "toolexec": valueFlag, "trimpath": boolFlag, "v": boolFlag, "work": boolFlag,
	"x": boolFlag,
}

// listFlags take a space-separated argument list, so a space in their
// value is the classic way to split a GOFLAGS field by accident.
var listFlags = map[string]bool{"asmflags": true, "gccgoflags": true, "gcflags": true, "ldflags": true, "toolexec": true}

// otherGoFlags are the flags that go commands other than build define in
// Go 1.26 (TestOtherGoFlagsAreKnown checks each against the real go
// command). GOFLAGS may name them without failing; commands that lack them
// ignore them.
var otherGoFlags = map[string]bool{
	"artifacts": true, "bench": true, "benchmem": true, "benchtime": true, "blockprofile": true,
	"blockprofilerate": true, "c": true, "cache": true, "changed": true, "compat": true, "compiled": true,
	"count": true, "coverprofile": true, "cpu": true, "cpuprofile": true, "d": true,
	"debug-actiongraph": true, "debug-runtime-trace": true, "debug-trace": true, "deps": true,
	"diff": true, "dropexclude": true, "dropgodebug": true, "dropignore": true, "dropreplace": true,
	"droprequire": true, "dropretract": true, "droptool": true, "dropuse": true, "e": true,
	"exclude": true, "exec": true, "export": true, "f": true, "failfast": true, "find": true,
	"fix": true, "fixtool": true, "fmt": true, "fullpath": true, "fuzz": true, "fuzzcache": true,
	"fuzzminimizetime": true, "fuzztime": true, "go": true, "godebug": true, "i": true,
	"ignore": true, "insecure": true, "list": true, "m": true, "memprofile": true,
	"memprofilerate": true, "modcache": true, "module": true, "mutexprofile": true,
	"mutexprofilefraction": true, "outputdir": true, "parallel": true, "print": true, "r": true,
	"replace": true, "require": true, "retract": true, "retracted": true, "reuse": true, "run": true,
	"short": true, "shuffle": true, "skip": true, "t": true, "test": true, "testcache": true,
	"timeout": true, "tool": true, "toolchain": true, "trace": true, "u": true, "use": true,
	"vendor": true, "versions": true, "vet": true, "vettool": true, "w": true,
}

// goEnvFlags are the go env flags that change what `go env KEY` does when
// they come from GOFLAGS (checked with Go 1.26 by TestGoEnvFlagsInGOFLAGS).
var goEnvFlags = map[string]string{
	"w":       "`go env KEY` fails (\"arguments must be KEY=VALUE\") and so does `go env -json` (\"cannot use -json with -w\"), which tools such as gopls and goport run",
	"u":       "`go env KEY` becomes `go env -u KEY` and silently deletes KEY from the GOENV file",
	"changed": "`go env KEY` prints nothing at all, so scripts that read settings with it get empty values",
}

// testFlags are the go test flags that also exist as -test.NAME
// (cmd/go/internal/test.passFlagToTest).
var testFlags = map[string]bool{
	"artifacts": true, "bench": true, "benchmem": true, "benchtime": true, "blockprofile": true,
	"blockprofilerate": true, "count": true, "coverprofile": true, "cpu": true, "cpuprofile": true,
	"failfast": true, "fullpath": true, "fuzz": true, "fuzzminimizetime": true, "fuzztime": true,
	"list": true, "memprofile": true, "memprofilerate": true, "mutexprofile": true,
	"mutexprofilefraction": true, "outputdir": true, "parallel": true, "run": true, "short": true,
	"shuffle": true, "skip": true, "timeout": true, "trace": true, "v": true,
}

func knownGoFlag(name string) bool {
	if _, ok := buildFlags[name]; ok || otherGoFlags[name] {
		return true
	}
	short, ok := strings.CutPrefix(name, "test.")
	return ok && testFlags[short]
}

// badBuildFlagValue says how `go build` rejects -name=val, or "" when it
// accepts it. Only values the go command checks before building are
// modelled.
func badBuildFlagValue(name string, kind flagKind, val string, hasVal bool) string {
	if kind == boolFlag {
		if !hasVal {
			return ""
		}
		if _, err := strconv.ParseBool(val); err != nil && !(name == "buildvcs" && val == "auto") {
			return fmt.Sprintf("go: invalid boolean value %q for flag -%s (from $GOFLAGS)", val, name)
		}
		return ""
	}
	if !hasVal {
		return "go: flag needs an argument: -" + name + " (from $GOFLAGS)"
	}
	switch name {
	case "C":
		return fmt.Sprintf("go: invalid value %q for flag -C (from $GOFLAGS): -C flag must be first flag on command line", val)
	case "mod":
		switch val {
		case "", "mod", "readonly", "vendor":
			return ""
		}
		return "-mod=" + val + " not supported (can be '', 'mod', 'readonly', or 'vendor')"
	case "p":
		n, err := strconv.Atoi(val)
		if err != nil {
			return fmt.Sprintf("go: invalid value %q for flag -p (from $GOFLAGS): parse error", val)
		}
		if n <= 0 {
			return fmt.Sprintf("go: -p must be a positive integer: %d", n)
		}
	case "compiler":
		if val != "gc" && val != "gccgo" {
			return fmt.Sprintf("go: invalid value %q for flag -compiler (from $GOFLAGS): unknown compiler %q", val, val)
		}
	case "buildmode":
		switch val {
		case "archive", "c-archive", "c-shared", "default", "exe", "pie", "plugin", "shared":
			return ""
		}
		return "buildmode=" + val + " not supported"
	}
	return ""
}

func checkGOFLAGS(c *Context) []finding.Finding {
	s := c.Setting("GOFLAGS")
	var fs []finding.Finding
	for _, p := range checkGOFLAGSValue(s.Value) {
		fs = append(fs, finding.Finding{
			Severity: p.Severity,
			Message:  fmt.Sprintf("GOFLAGS entry %q: %s", redact(p.Field), redact(p.message())),
			Evidence: []finding.Evidence{redactedEvidence(s)},
			Fix:      redact(p.Fix),
		})
	}
	return fs
}
