package interp

import (
	"context"
	"maps"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
)

// TestStdlibFixes checks that New leaves fmt, flag, log, os and math/bits
// as yaegi's own fixStdlib would (New applies stdlibFixes instead): the
// same names, of the same types, and the same ones replaced.
func TestStdlibFixes(t *testing.T) {
	// Files as streams: stdioSymbols then only binds os.Stdout and
	// os.Stderr to duplicates of them (checked in stdio_test.go). New gives
	// yaegi its panicTap as stderr, which is no file, so yaegi's own fixes
	// would leave os.Stderr the process's: that one difference is ours.
	in, err := New(Options{Stdout: os.Stdout, Stderr: os.Stderr, Stdin: os.Stdin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := in.Eval(context.Background(), `import ("flag"; "fmt"; "log"; "math/bits"; "os")`); err != nil {
		t.Fatal(err)
	}
	ref := yaegi.New(yaegi.Options{Stdout: os.Stdout, Stderr: &panicTap{w: os.Stderr}, Stdin: os.Stdin})
	if err := ref.Use(stdlib.Symbols); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"fmt", "flag", "log", "os", "math/bits"} {
		orig := stdlib.Symbols[path+"/"+path[strings.LastIndex(path, "/")+1:]]
		got, want := in.yi.Symbols(path)[path], ref.Symbols(path)[path]
		if names(got) != names(want) {
			t.Errorf("%s: names\n%s\nwant\n%s", path, names(got), names(want))
			continue
		}
		for n, w := range want {
			g := got[n]
			if g.Type() != w.Type() {
				t.Errorf("%s.%s: type %s, want %s", path, n, g.Type(), w.Type())
			}
			if path == "os" && n == "Stderr" {
				continue
			}
			if (g == orig[n]) != (w == orig[n]) {
				t.Errorf("%s.%s: replaced = %v, yaegi's = %v", path, n, g != orig[n], w != orig[n])
			}
		}
	}
	g, w := in.yi.Symbols("math/bits")["math/bits"]["UintSize"], ref.Symbols("math/bits")["math/bits"]["UintSize"]
	if g.Interface() != w.Interface() {
		t.Errorf("bits.UintSize = %v, want %v", g, w)
	}
}

func names(m map[string]reflect.Value) string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// TestStdlibFixesBehave runs what stdlibFixes sets up: output through the
// interpreter's streams (fmt's with interpreted Stringers, which needs the
// MapTypes entries), log.Fatal panicking, a private environment.
func TestStdlibFixesBehave(t *testing.T) {
	in, out, errw := newTest(t, Options{Stdin: strings.NewReader("7\n")})
	runSteps(t, in, out, []step{
		{src: `import ("flag"; "fmt"; "log"; "math/bits"; "os")`},
		{src: `type T struct{}
func (T) String() string { return "tee" }`},
		{src: `fmt.Println(T{}); fmt.Print(T{}, "\n"); fmt.Printf("%v\n", T{})`, out: "tee\ntee\ntee\n"},
		{src: `var n int; fmt.Scan(&n); n`, want: "7"},
		{src: `log.SetFlags(0); log.Println("logged")`},
		{src: `log.Fatal("boom")`, err: "boom"},
		{src: `os.Getenv("PATH") == "" && len(os.Environ()) == 0`, want: "true"},
		{src: `os.Setenv("A", "b"); os.ExpandEnv("$A")`, want: "b"},
		{src: `len(os.Args) > 0`, want: "true"},
		{src: `fmt.Fprintln(flag.CommandLine.Output(), "flag")`},
		{src: `bits.UintSize`, want: "64"},
	})
	if want := "logged\nboom\nflag\n"; errw.String() != want {
		t.Errorf("stderr %q, want %q", errw.String(), want)
	}
	if _, ok := os.LookupEnv("A"); ok {
		t.Error("os.Setenv in a cell changed the process's environment")
	}
	other, out2, _ := newTest(t, Options{})
	runSteps(t, other, out2, []step{{src: `import "os"`}, {src: `os.Getenv("A")`, want: ""}})
}

// TestGenericStdlib checks that the generic stdlib sources are there when
// a cell uses them, and only then.
func TestGenericStdlib(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{
		{src: `import "fmt"`},
		{src: `x := 1`},
	})
	if in.generics.Load() {
		t.Error("generic sources compiled for cells that do not use them")
	}
	runSteps(t, in, out, []step{
		{src: `cmp.Compare(1, 2)`, want: "-1"},
		{src: `slices.Contains([]int{1}, 1)`, want: "true"},
		{src: `import "cmp"`},
		{src: `cmp.Less(2, 1)`, want: "false"},
	})
	in2, out2, _ := newTest(t, Options{})
	runSteps(t, in2, out2, []step{
		{src: `import "cmp"`},
		{src: `func f(a, b string) int { return cmp.Compare(a, b) }`},
		{src: `f("a", "b")`, want: "-1"},
	})
}

// TestUseCopiesShared checks that symbol tables given to one interpreter
// do not reach the tables others share.
func TestUseCopiesShared(t *testing.T) {
	a, _, _ := newTest(t, Options{Symbols: []yaegi.Exports{{"strings/strings": {"Shout": reflect.ValueOf(strings.ToUpper)}}}})
	b, _, _ := newTest(t, Options{})
	if _, ok := a.pkgs["strings"]["Shout"]; !ok {
		t.Error("a: strings.Shout missing")
	}
	if _, ok := b.pkgs["strings"]["Shout"]; ok {
		t.Error("b: strings.Shout leaked from a")
	}
	if _, ok := stdTables().pkgs["strings"]["Shout"]; ok {
		t.Error("shared tables changed")
	}
	if err := b.Use(yaegi.Exports{"strings/strings": {"Whisper": reflect.ValueOf(strings.ToLower)}}); err != nil {
		t.Fatal(err)
	}
	if _, ok := a.pkgs["strings"]["Whisper"]; ok {
		t.Error("a: strings.Whisper leaked from b")
	}
	r, err := b.Eval(context.Background(), `import "strings"
strings.Whisper("HI")`)
	if err != nil || show(r) != "hi" {
		t.Errorf("strings.Whisper: %s, %v", show(r), err)
	}
}

// TestLazyTables checks what loading tables package by package must keep:
// only imported packages (and what their types need) reach yaegi, an
// interpreted type passed as an interface of a package the cell did not
// import still gets its wrapper, and tables given later still win.
func TestLazyTables(t *testing.T) {
	var upper atomic.Int32
	ov := yaegi.Exports{"strings/strings": {"ToUpper": reflect.ValueOf(func(s string) string { upper.Add(1); return strings.ToUpper(s) })}}
	in, out, _ := newTest(t, Options{Symbols: []yaegi.Exports{ov}})
	if err := in.Use(yaegi.Exports{"strings/strings": {"Shout": reflect.ValueOf(func(s string) string { return s + "!" })}}); err != nil {
		t.Fatal(err)
	}
	runSteps(t, in, out, []step{
		// bufio.NewScanner wants an io.Reader; the cell never imports io
		{src: `import ("bufio"; "strings")
type R struct{ s *strings.Reader }
func (r R) Read(p []byte) (int, error) { return r.s.Read(p) }
sc := bufio.NewScanner(R{strings.NewReader("a\nb\n")})
n := 0
for sc.Scan() {
	n++
}
n`, want: "2"},
		{src: `strings.Shout(strings.ToUpper("hi"))`, want: "HI!"},
		{src: `import "sort"
type byLen []string
func (b byLen) Len() int           { return len(b) }
func (b byLen) Less(i, j int) bool { return len(b[i]) < len(b[j]) }
func (b byLen) Swap(i, j int)      { b[i], b[j] = b[j], b[i] }
w := byLen{"ccc", "a", "bb"}
sort.Sort(w)
w[0] + w[2]`, want: "accc"},
		// json.Marshal wraps M as an encoding.TextMarshaler (yaegi's
		// MapTypes); the cell never imports encoding
		{src: `import "encoding/json"
type M struct{}
func (M) MarshalText() ([]byte, error) { return []byte("mt"), nil }
b, _ := json.Marshal(M{})
string(b)`, want: `"mt"`},
	})
	if upper.Load() != 1 {
		t.Errorf("strings.ToUpper override called %d times, want 1", upper.Load())
	}
	in.useM.Lock()
	loaded := maps.Clone(in.loaded)
	in.useM.Unlock()
	for _, p := range []string{"bufio", "strings", "io", "sort", "encoding"} {
		if !loaded[p] {
			t.Errorf("%s not loaded", p)
		}
	}
	for _, p := range []string{"net/http", "crypto/tls", "image"} {
		if loaded[p] {
			t.Errorf("%s loaded, not imported", p)
		}
	}
}

// TestIfaceDeps spot-checks the packages an import brings along.
func TestIfaceDeps(t *testing.T) {
	for path, want := range map[string][]string{
		"bufio/bufio":        {"io"},
		"fmt/fmt":            {"fmt", "io"},
		"sort/sort":          {"sort"},
		"encoding/json/json": {"encoding", "encoding/json"},
		"image/png/png":      {"image", "image/color", "io"},
	} {
		got := ifaceDeps(stdlib.Symbols[path])
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: %v, want %s among them", path, got, w)
			}
		}
	}
}

// TestSourceImport checks that importing a package without a table gives
// yaegi's own error, as when all tables were loaded at once.
func TestSourceImport(t *testing.T) {
	in, out, _ := newTest(t, Options{})
	runSteps(t, in, out, []step{{src: `import "example.com/nosuch"`, err: "unable to find source related to"}})
	in.useM.Lock()
	defer in.useM.Unlock()
	if !in.loaded["net/http"] || !in.generics.Load() {
		t.Error("a source import did not load every table and the generic sources")
	}
}

// TestUseFmt checks a host table for fmt itself: yaegi's Use then does
// what it always did with one (fixStdlib, the generic sources).
func TestUseFmt(t *testing.T) {
	in, out, _ := newTest(t, Options{Symbols: []yaegi.Exports{{"fmt/fmt": {"Hello": reflect.ValueOf(func() string { return "hello" })}}}})
	runSteps(t, in, out, []step{
		{src: `import ("fmt"; "strings")`},
		{src: `fmt.Println(strings.ToUpper(fmt.Hello()))`, out: "HELLO\n"},
		{src: `cmp.Compare(1, 2)`, want: "-1"},
	})
}
