package interp

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

// Func literals made in a loop see that iteration's variable, as in Go
// 1.22+, in every loop form; loops that move their own variable keep
// working; a panic in such a loop still names its line.
func TestLoopVariablesPerIteration(t *testing.T) {
	for _, tc := range []valueCase{
		{"three-clause closures", "fs := []func() int{}\nfor i := 0; i < 3; i++ {\n\tfs = append(fs, func() int { return i })\n}\nfs[0]()*100 + fs[1]()*10 + fs[2]()", "12"},
		{"range key and value", "fs := []func() int{}\nfor i, x := range []int{7, 8, 9} { fs = append(fs, func() int { return i*10 + x }) }\nfs[0]()*10000 + fs[1]()*100 + fs[2]()", "71829"},
		{"goroutines", "import \"sync\"\nvar mu sync.Mutex\nvar wg sync.WaitGroup\nseen := map[int]bool{}\nfor w := 0; w < 4; w++ {\n\twg.Add(1)\n\tgo func() {\n\t\tdefer wg.Done()\n\t\tmu.Lock()\n\t\tseen[w] = true\n\t\tmu.Unlock()\n\t}()\n}\nwg.Wait()\nlen(seen)", "4"},
		{"range over a channel", "ch := make(chan int, 3)\nch <- 1\nch <- 2\nch <- 3\nclose(ch)\nfs := []func() int{}\nfor v := range ch { fs = append(fs, func() int { return v }) }\nfs[0]() + fs[2]()*10", "31"},
		{"inside a func", "func makers() []func() int {\n\tvar fs []func() int\n\tfor i := 0; i < 2; i++ { fs = append(fs, func() int { return i }) }\n\treturn fs\n}\nfs := makers()\nfs[0]()*10 + fs[1]()", "1"},
		{"body moves the variable", "n := 0\nfor i := 0; i < 10; i++ {\n\tif i == 2 { i += 5 }\n\tf := func() int { return i }\n\tn += f()\n}\nn", fmt.Sprint(0 + 1 + 7 + 8 + 9)},
		{"nested loops", "fs := []func() int{}\nfor i := 0; i < 2; i++ {\n\tfor _, j := range []int{1, 2} {\n\t\tfs = append(fs, func() int { return i*10 + j })\n\t}\n}\nfs[0]()*1000000 + fs[1]()*10000 + fs[2]()*100 + fs[3]()", "1021112"},
		{"signature on two lines", "fs := []func(int) int{}\nfor i := 0; i < 2; i++ {\n\tfs = append(fs, func(\n\t\tx int) int { return x + i })\n}\nfs[0](10)*100 + fs[1](10)", "1011"},
		{"no closure, no copy", "s := 0\nfor i := 0; i < 4; i++ { s += i }\ns", "6"},
	} {
		tc.run(t)
	}
}

func TestLoopVariableCopyKeepsLines(t *testing.T) {
	in, _, _ := newTest(t, Options{})
	src := "var m map[int]int\nfs := []func(){}\nfor i := 0; i < 2; i++ {\n\tfs = append(fs, func() {\n\t\tm[i] = 1\n\t})\n}\nfs[1]()"
	_, err := in.Eval(context.Background(), src)
	var e *Error
	if !errors.As(err, &e) || e.Line != 5 {
		t.Fatalf("err %v (line %d), want a panic on line 5", err, e.Line)
	}
}

// valueCase is a cell and the value it must end with, under both policies.
type valueCase struct{ name, src, want string }

func (tc valueCase) run(t *testing.T) {
	t.Helper()
	for _, pol := range []Policy{Py310, Py39} {
		t.Run(fmt.Sprintf("%s/%v", tc.name, pol), func(t *testing.T) {
			in, _, _ := newTest(t, Options{Policy: pol})
			r, err := in.Eval(context.Background(), tc.src)
			if err != nil {
				t.Fatalf("%v\n%s", err, tc.src)
			}
			if got := show(r); got != tc.want {
				t.Errorf("got %s, want %s\n%s", got, tc.want, tc.src)
			}
		})
	}
}
