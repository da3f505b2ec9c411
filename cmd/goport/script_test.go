package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/goport/goport/internal/testenv"
)

// TestMain lets the test binary double as goport: testscript copies it
// into $PATH under that name, and scripts run it with exec.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"goport": func() { os.Exit(run()) },
	})
}

// TestScript runs the transcripts in testdata/script against the real
// goport and the installed go command, in a pinned environment: a fresh
// HOME and GOENV, no GOFLAGS, the local toolchain only, no module proxy.
// The build cache is the real one, so that go commands in transcripts stay
// fast.
func TestScript(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command on PATH: %v", err)
	}
	gocache := realGOCACHE(t, goBin)
	schemas := map[string]*jsonschema.Schema{
		"report": compileSchema(t, filepath.Join("..", "..", "docs", "schema", "report.v1.json")),
		"sarif":  compileSchema(t, filepath.Join("..", "..", "internal", "render", "testdata", "sarif-schema-2.1.0.json")),
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, ".home")
			if err := os.MkdirAll(home, 0o777); err != nil {
				return err
			}
			if err := testenv.DisableTelemetry(home); err != nil {
				return err
			}
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("GOENV", filepath.Join(home, ".config", "go", "env"))
			env.Setenv("GOPATH", filepath.Join(home, "go"))
			env.Setenv("GOCACHE", gocache)
			env.Setenv("GOFLAGS", "")
			env.Setenv("GOTOOLCHAIN", "local")
			env.Setenv("GOPROXY", "off")
			env.Setenv("PATH", filepath.Dir(goBin)+string(os.PathListSeparator)+env.Getenv("PATH"))
			return nil
		},
		Condition: func(cond string) (bool, error) {
			switch cond {
			case "root":
				// Root reads files whatever their mode says.
				return os.Geteuid() == 0, nil
			}
			return false, errors.New("unknown condition " + strconv.Quote(cond))
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     cmdExits,
			"validjson": func(ts *testscript.TestScript, neg bool, args []string) { cmdValidJSON(ts, neg, args, schemas) },
		},
	})
}

// realGOCACHE is the build cache of the environment running the tests.
func realGOCACHE(t *testing.T, goBin string) string {
	out, err := exec.Command(goBin, "env", "GOCACHE").Output()
	dir := strings.TrimSpace(string(out))
	if err != nil || dir == "" || dir == "off" {
		return t.TempDir()
	}
	return dir
}

func compileSchema(t *testing.T, path string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(path)
	if err != nil {
		t.Fatalf("compiling %s: %v", path, err)
	}
	return s
}

// cmdExits runs a program and checks its exact exit code, which exec and
// ! exec cannot: exits CODE PROGRAM [ARGS...]. Its output is then checked
// with stdout and stderr as usual.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! exits")
	}
	if len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exits: bad code %q", args[0])
	}
	got := 0
	var ee *exec.ExitError
	switch err := ts.Exec(args[1], args[2:]...); {
	case err == nil:
	case errors.As(err, &ee):
		got = ee.ExitCode()
	default:
		ts.Fatalf("exits: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// cmdValidJSON validates a file against a schema: validjson report|sarif
// FILE.
func cmdValidJSON(ts *testscript.TestScript, neg bool, args []string, schemas map[string]*jsonschema.Schema) {
	if len(args) != 2 {
		ts.Fatalf("usage: validjson report|sarif FILE")
	}
	s, ok := schemas[args[0]]
	if !ok {
		ts.Fatalf("validjson: unknown schema %q", args[0])
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(ts.ReadFile(args[1])))
	if err == nil {
		err = s.Validate(doc)
	}
	switch {
	case err != nil && !neg:
		ts.Fatalf("%s does not match the %s schema: %v", args[1], args[0], err)
	case err == nil && neg:
		ts.Fatalf("%s matches the %s schema", args[1], args[0])
	}
}
