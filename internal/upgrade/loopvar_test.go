package upgrade

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const loopProgram = `package main

import "fmt"

func main() {
	var prints []func()
	for i := 0; i < 3; i++ {
		prints = append(prints, func() { fmt.Print(i) })
	}
	for _, p := range prints {
		p()
	}
	total := 0
	for j := 0; j < 3; j++ {
		total += j
	}
	fmt.Println(" ", total)
}
`

// The loop the compiler reports is one whose result really changes: the
// same program prints different output under go 1.21 and go 1.22.
func TestLoopVar(t *testing.T) {
	t.Parallel()
	env := testEnv(t)
	out := map[string]string{}
	for _, line := range []string{"1.21", "1.22"} {
		root := writeModule(t, map[string]string{"go.mod": gomod(line), "main.go": loopProgram})
		o, ok := goRun(t, root, env, "run", ".")
		if !ok {
			t.Fatalf("go run at go %s: %s", line, o)
		}
		out[line] = strings.TrimSpace(o)
	}
	if out["1.21"] != "333  3" || out["1.22"] != "012  3" {
		t.Fatalf("outputs = %q; want 333 at go 1.21 and 012 at go 1.22", out)
	}

	root := writeModule(t, map[string]string{
		"go.mod":  gomod("1.21"),
		"main.go": loopProgram,
		// A file whose build line keeps it at go1.21 keeps the old semantics.
		"old.go": "//go:build go1.21\n\npackage main\n\nfunc keep() []*int {\n\tvar ps []*int\n\tfor k := 0; k < 2; k++ {\n\t\tps = append(ps, &k)\n\t}\n\treturn ps\n}\n",
		// A file already at go1.22 by its build line does not change.
		"new.go":       "//go:build go1.22\n\npackage main\n\nfunc fresh() []*int {\n\tvar ps []*int\n\tfor k := 0; k < 2; k++ {\n\t\tps = append(ps, &k)\n\t}\n\treturn ps\n}\n",
		"loop_test.go": "package main\n\nimport \"testing\"\n\nfunc TestLoop(t *testing.T) {\n\tvar ps []*int\n\tfor _, v := range []int{1, 2} {\n\t\tps = append(ps, &v)\n\t}\n\t_ = ps\n}\n",
	})
	res := analyze(t, root, Options{To: "1.26", Environ: env, Loops: true})
	got := byRule(res.Findings, RuleLoopVar)
	if diff := cmp.Diff([]string{"loop_test.go:7", "main.go:7"}, locations(got)); diff != "" {
		t.Errorf("loop locations (-want +got):\n%s", diff)
	}

	// Already at go 1.22: nothing changes.
	root122 := writeModule(t, map[string]string{"go.mod": gomod("1.22"), "main.go": loopProgram})
	if got := byRule(analyze(t, root122, Options{To: "1.26", Environ: env, Loops: true}).Findings, RuleLoopVar); len(got) != 0 {
		t.Errorf("go 1.22 module: unexpected %v", got)
	}
	// Without the analysis nothing is reported and the facts say so.
	skipped := analyze(t, root, Options{To: "1.26", Environ: env})
	if len(byRule(skipped.Findings, RuleLoopVar)) != 0 || skipped.Facts.Loops {
		t.Errorf("Loops=false still reported loops")
	}
}

func TestParseLoopvarReport(t *testing.T) {
	t.Parallel()
	out := "# example.com/lv\n" +
		"./main.go:7:6: loop variable i now per-iteration, stack-allocated\n" +
		"sub/x_test.go:14:9: loop variable v now per-iteration, heap-allocated\n" +
		"a.go:3:2: loop variable k now per-iteration, heap-allocated (loop inlined into b.go:10)\n" +
		"main.go:1:1: some other diagnostic\n"
	want := []LoopVar{
		{File: "./main.go", Line: 7, Column: 6, Var: "i"},
		{File: "sub/x_test.go", Line: 14, Column: 9, Var: "v", Heap: true},
		{File: "a.go", Line: 3, Column: 2, Var: "k", Heap: true, InlinedInto: "b.go:10"},
	}
	if diff := cmp.Diff(want, ParseLoopvarReport([]byte(out))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
