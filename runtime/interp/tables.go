// Symbol tables: what New and Use give yaegi, and when.

package interp

import (
	"flag"
	"fmt"
	"go/constant"
	"io"
	"log"
	"maps"
	"math/bits"
	"os"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	yaegi "github.com/traefik/yaegi/interp"
	"github.com/traefik/yaegi/stdlib"
	gen "github.com/traefik/yaegi/stdlib/generic"
)

// An interpreter's symbol tables are layers, in the order they were given:
// yaegi's stdlib, stdlibFixes, Options.Symbols, the stdio and host tables,
// then each Use. yaegi's Use copies every table it is given into the
// interpreter, one map per package, which for the stdlib's 156 packages is
// most of what a new interpreter costs. So a package's tables are given to
// yaegi when a cell first imports it (yaegi resolves imports when it
// compiles them), from every layer in order, as if all had been given at
// once.
//
// yaegi also looks a package up when interpreted code passes a value of
// its own type where an interface is wanted: it finds the interface's
// wrapper in the table of the interface's package (getWrapper), whether
// the cell imported that package or not. Loading a package therefore also
// loads the packages of every interface type its symbols' types reach
// (ifaceDeps): bufio brings io for io.Reader.
type layer struct {
	ex    yaegi.Exports
	paths map[string][]string // import path -> its keys in ex
	eager []string            // keys yaegi takes whole, not per package: "." (MapTypes) and its own hooks
	types bool                // the tables bring types of their own (see ifaceDeps); false for the evaluator's
}

// yaegiPath prefixes the keys yaegi's Use treats as its own hooks.
const yaegiPath = "github.com/traefik/yaegi"

func newLayer(ex yaegi.Exports, types bool) (*layer, error) {
	l := &layer{ex: ex, paths: map[string][]string{}, types: types}
	for k, v := range ex {
		dir := path.Dir(k) // as yaegi's Use splits the key
		switch {
		case k == "." && v["MapTypes"].IsValid(), dir == yaegiPath:
			l.eager = append(l.eager, k)
		case dir == ".":
			return nil, fmt.Errorf("export path %[1]q is missing a package name; did you mean '%[1]s/%[1]s'?", k)
		default:
			l.paths[dir] = append(l.paths[dir], k)
		}
	}
	return l, nil
}

// sub is the part of l for the packages at paths.
func (l *layer) sub(paths []string) yaegi.Exports {
	var ex yaegi.Exports
	for _, p := range paths {
		for _, k := range l.paths[p] {
			if ex == nil {
				ex = yaegi.Exports{}
			}
			ex[k] = l.ex[k]
		}
	}
	return ex
}

// startTables gives yaegi what it needs before any cell: the eager keys of
// every layer and the host table the prelude imports. A table for "fmt/fmt"
// besides the stdlib's makes yaegi's Use do what stdTables avoids, and
// MapTypes of a host's own may name any package: with either, all is
// loaded at once, as before tables were loaded lazily.
func (in *Interpreter) startTables() error {
	in.useM.Lock()
	defer in.useM.Unlock()
	for _, l := range in.layers {
		ex := yaegi.Exports{}
		for _, k := range l.eager {
			ex[k] = l.ex[k]
		}
		if err := in.yi.Use(ex); err != nil {
			return err
		}
	}
	for _, l := range in.layers[1:] {
		if _, ok := l.ex["fmt/fmt"]; ok {
			in.generics.Store(true) // yaegi's Use compiles them
			return in.loadAllLocked()
		}
		if l.ownMapTypes() {
			return in.loadAllLocked()
		}
	}
	return in.loadLocked(hostPath)
}

// ownMapTypes reports whether l brings MapTypes of its own (the stdlib's
// and stdlibFixes' are known to ifaceDeps): the interfaces they name may
// be in any package, so everything is loaded.
func (l *layer) ownMapTypes() bool {
	if l == stdTables().layer {
		return false
	}
	_, ok := l.ex["."]
	return ok && l.types
}

// hasTable reports whether some layer has a table for the package at p.
func (in *Interpreter) hasTable(p string) bool {
	for _, l := range in.layers {
		if len(l.paths[p]) > 0 {
			return true
		}
	}
	return false
}

// loadLocked gives yaegi the tables of the packages at paths not loaded
// yet, and of the packages their types need, from every layer in order.
// Paths without a table (source packages) are left to yaegi. in.useM is
// held.
func (in *Interpreter) loadLocked(paths ...string) error {
	var need []string
	add := func(p string) {
		if !in.loaded[p] && !slices.Contains(need, p) && in.hasTable(p) {
			need = append(need, p)
		}
	}
	for _, p := range paths {
		if in.loaded[p] || !in.hasTable(p) {
			continue
		}
		add(p)
		for _, l := range in.layers {
			if !l.types {
				continue
			}
			for _, k := range l.paths[p] {
				for _, d := range ifaceDeps(l.ex[k]) {
					add(d)
				}
			}
		}
	}
	return in.useLocked(need)
}

// loadAllLocked gives yaegi every table not loaded yet.
func (in *Interpreter) loadAllLocked() error {
	var need []string
	for _, l := range in.layers {
		for p := range l.paths {
			if !in.loaded[p] && !slices.Contains(need, p) {
				need = append(need, p)
			}
		}
	}
	return in.useLocked(need)
}

// useLocked gives yaegi the tables of need, layer by layer.
func (in *Interpreter) useLocked(need []string) error {
	if len(need) == 0 {
		return nil
	}
	for _, l := range in.layers {
		if ex := l.sub(need); ex != nil {
			if err := in.yi.Use(ex); err != nil {
				return err
			}
		}
	}
	for _, p := range need {
		in.loaded[p] = true
	}
	return nil
}

// loadFor loads what cell c may use before it is compiled: the packages it
// imports, and yaegi's generic stdlib sources if it may use them. A cell
// that imports a package without a table (a source package, whose imports
// the cell does not show) gets everything.
func (in *Interpreter) loadFor(c *cell) error {
	in.useM.Lock()
	defer in.useM.Unlock()
	paths := make([]string, 0, len(c.imports)+3)
	all := false
	for _, s := range c.imports {
		paths = append(paths, s.path)
		all = all || !in.hasTable(s.path)
	}
	generics := !in.generics.Load() && (all || mentionsGenerics(c.src))
	if generics {
		// yaegi resolves their imports (slices imports cmp) from the
		// stdlib's empty tables of the same names, as before
		paths = append(paths, "cmp", "maps", "slices")
	}
	var err error
	if all {
		err = in.loadAllLocked()
	} else {
		err = in.loadLocked(paths...)
	}
	if err == nil && generics {
		err = in.compileGenerics()
	}
	if err != nil {
		return &Error{Name: "CompileError", Value: err.Error()}
	}
	return nil
}

// mentionsGenerics reports whether src names a package of yaegi's generic
// stdlib sources (a cell may use them without importing them: yaegi makes
// them visible everywhere).
func mentionsGenerics(src string) bool {
	return strings.Contains(src, "cmp") || strings.Contains(src, "maps") || strings.Contains(src, "slices")
}

// compileGenerics compiles yaegi's generic stdlib sources (packages cmp,
// maps and slices), which yaegi's Use would have compiled into every
// interpreter (see stdTables). Once, even if it fails: a retry would
// redeclare.
func (in *Interpreter) compileGenerics() error {
	in.generics.Store(true)
	for _, src := range gen.Sources {
		if _, err := in.yi.Compile(src); err != nil {
			return fmt.Errorf("yaegi's generic stdlib sources: %w", err)
		}
	}
	return nil
}

// ifaceDeps lists the import paths of the interface types (with methods)
// that the types of table's symbols reach, through parameters, results,
// fields, elements and methods, or that yaegi's stdlib MapTypes names for
// them: the packages whose tables yaegi may need for an interface wrapper
// once table's package is imported. Computed once per table; tables are
// not changed once given.
func ifaceDeps(table map[string]reflect.Value) []string {
	key := reflect.ValueOf(table).Pointer()
	if e, ok := depsCache.Load(key); ok {
		return e.(*depsEntry).pkgs
	}
	e := &depsEntry{table: table, pkgs: ifacePkgs(table)}
	depsCache.Store(key, e)
	return e.pkgs
}

// depsCache holds ifaceDeps by table.
var depsCache sync.Map // map pointer -> *depsEntry

type depsEntry struct {
	table map[string]reflect.Value // keeps the map, and so its address, alive
	pkgs  []string
}

func ifacePkgs(table map[string]reflect.Value) []string {
	seen := map[reflect.Type]bool{}
	pkgs := map[string]bool{}
	var walk func(t reflect.Type)
	walkMethods := func(t reflect.Type) {
		for i := 0; i < t.NumMethod(); i++ {
			walk(t.Method(i).Type)
		}
	}
	walk = func(t reflect.Type) {
		if seen[t] {
			return
		}
		seen[t] = true
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Chan:
			walk(t.Elem())
		case reflect.Map:
			walk(t.Key())
			walk(t.Elem())
		case reflect.Func:
			for i := 0; i < t.NumIn(); i++ {
				walk(t.In(i))
			}
			for i := 0; i < t.NumOut(); i++ {
				walk(t.Out(i))
			}
		case reflect.Struct:
			for i := 0; i < t.NumField(); i++ {
				// interpreted code reaches exported fields, and those
				// promoted from embedded ones
				if f := t.Field(i); f.IsExported() || f.Anonymous {
					walk(f.Type)
				}
			}
		case reflect.Interface:
			if t.NumMethod() > 0 && t.PkgPath() != "" {
				pkgs[t.PkgPath()] = true
			}
			walkMethods(t)
			return
		}
		walkMethods(t)
		if t.Kind() != reflect.Pointer {
			walkMethods(reflect.PointerTo(t))
		}
	}
	for _, v := range table {
		if v.IsValid() {
			walk(v.Type())
			// the interfaces yaegi wraps arguments of v in (json.Marshal's
			// encoding.TextMarshaler)
			for _, t := range stdlib.MapTypes[v] {
				walk(t)
			}
		}
	}
	return slices.Sorted(maps.Keys(pkgs))
}

// addPkgs merges symbol tables keyed "path/name" into in.pkgs, copying a
// package's table the first time it changes: until then it is the one all
// interpreters share (stdTables).
func (in *Interpreter) addPkgs(ex yaegi.Exports) {
	addPkgs(in.pkgs, in.ownPkgs, ex)
}

// addPkgs merges symbol tables keyed "path/name" into pkgs keyed by path;
// a package not in own is copied before it changes, and then owned.
func addPkgs(pkgs map[string]map[string]reflect.Value, own map[string]bool, ex yaegi.Exports) {
	for k, syms := range ex {
		i := strings.LastIndex(k, "/")
		if i < 0 || strings.HasPrefix(k, yaegiPath) {
			continue
		}
		path := k[:i]
		if !own[path] {
			m := make(map[string]reflect.Value, len(pkgs[path])+len(syms))
			maps.Copy(m, pkgs[path])
			pkgs[path] = m
			own[path] = true
		}
		maps.Copy(pkgs[path], syms)
	}
}

// stdTables is yaegi's stdlib prepared once for every New: its layer, and
// the by-path view completion reads, shared by all interpreters.
var stdTables = sync.OnceValue(func() *stdlib0 {
	ex := make(yaegi.Exports, len(stdlib.Symbols))
	for k, v := range stdlib.Symbols {
		if k == "fmt/fmt" {
			// yaegi's Use, given the key "fmt/fmt", runs its fixStdlib and
			// compiles its generic stdlib sources (cmp, maps, slices) into
			// the interpreter: 1.6 ms of the 4 ms an interpreter took. Under
			// this key, which names the same package, it does neither: New
			// applies stdlibFixes itself, and a cell that may use the
			// generic packages compiles them (loadFor).
			k = fmtKey
		}
		ex[k] = v
	}
	l, err := newLayer(ex, true)
	if err != nil {
		panic(err) // yaegi's own tables
	}
	t := &stdlib0{layer: l, pkgs: map[string]map[string]reflect.Value{}}
	addPkgs(t.pkgs, map[string]bool{}, stdlib.Symbols)
	return t
})

// fmtKey is the key fmt's table is given under (see stdTables).
const fmtKey = "fmt/./fmt"

// stdlib0 is yaegi's stdlib as New uses it.
type stdlib0 struct {
	layer *layer
	pkgs  map[string]map[string]reflect.Value // by import path; read only
}

// stdlibFixes is what yaegi v0.16.1's fixStdlib (interp/use.go) sets in an
// interpreter, with the same values: fmt's, log's and flag's output and
// input are the interpreter's streams, log.Fatal* panics instead of
// exiting, os.Args is the interpreter's copy, the environment is a private
// empty one (yaegi's default restricted mode), and math/bits.UintSize is
// this machine's. TestStdlibFixes compares it with yaegi's own.
func stdlibFixes(stdin io.Reader, stdout, stderr io.Writer) yaegi.Exports {
	// yaegi's MapTypes entries of the replaced functions hold for the
	// replacements too
	mt := map[reflect.Value][]reflect.Type{}
	alias := func(p map[string]reflect.Value, origs map[string]any) {
		for name, orig := range origs {
			mt[p[name]] = stdlib.MapTypes[reflect.ValueOf(orig)]
		}
	}

	fm := map[string]reflect.Value{
		"Print":   reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprint(stdout, a...) }),
		"Printf":  reflect.ValueOf(func(f string, a ...any) (int, error) { return fmt.Fprintf(stdout, f, a...) }),
		"Println": reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fprintln(stdout, a...) }),
		"Scan":    reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fscan(stdin, a...) }),
		"Scanf":   reflect.ValueOf(func(f string, a ...any) (int, error) { return fmt.Fscanf(stdin, f, a...) }),
		"Scanln":  reflect.ValueOf(func(a ...any) (int, error) { return fmt.Fscanln(stdin, a...) }),
	}
	alias(fm, map[string]any{"Print": fmt.Print, "Printf": fmt.Printf, "Println": fmt.Println,
		"Scan": fmt.Scan, "Scanf": fmt.Scanf, "Scanln": fmt.Scanln})

	cl := flag.NewFlagSet(os.Args[0], flag.PanicOnError)
	cl.SetOutput(stderr)
	fl := map[string]reflect.Value{"CommandLine": reflect.ValueOf(&cl).Elem()}

	l := log.New(stderr, "", log.LstdFlags)
	lg := map[string]reflect.Value{
		"Fatal":     reflect.ValueOf(l.Panic),
		"Fatalf":    reflect.ValueOf(l.Panicf),
		"Fatalln":   reflect.ValueOf(l.Panicln),
		"Flags":     reflect.ValueOf(l.Flags),
		"Output":    reflect.ValueOf(l.Output),
		"Panic":     reflect.ValueOf(l.Panic),
		"Panicf":    reflect.ValueOf(l.Panicf),
		"Panicln":   reflect.ValueOf(l.Panicln),
		"Prefix":    reflect.ValueOf(l.Prefix),
		"Print":     reflect.ValueOf(l.Print),
		"Printf":    reflect.ValueOf(l.Printf),
		"Println":   reflect.ValueOf(l.Println),
		"SetFlags":  reflect.ValueOf(l.SetFlags),
		"SetOutput": reflect.ValueOf(l.SetOutput),
		"SetPrefix": reflect.ValueOf(l.SetPrefix),
		"Writer":    reflect.ValueOf(l.Writer),
	}
	alias(lg, map[string]any{"Print": log.Print, "Printf": log.Printf, "Println": log.Println,
		"Panic": log.Panic, "Panicf": log.Panicf, "Panicln": log.Panicln})

	args := os.Args
	om := map[string]reflect.Value{"Args": reflect.ValueOf(&args).Elem()}
	if special, _ := strconv.ParseBool(os.Getenv("YAEGI_SPECIAL_STDIO")); special {
		om["Stdin"] = reflect.ValueOf(&stdin).Elem()
		om["Stdout"] = reflect.ValueOf(&stdout).Elem()
		om["Stderr"] = reflect.ValueOf(&stderr).Elem()
	} else {
		if f, ok := stdin.(*os.File); ok {
			om["Stdin"] = reflect.ValueOf(&f).Elem()
		}
		if f, ok := stdout.(*os.File); ok {
			om["Stdout"] = reflect.ValueOf(&f).Elem()
		}
		if f, ok := stderr.(*os.File); ok {
			om["Stderr"] = reflect.ValueOf(&f).Elem()
		}
	}
	env := map[string]string{}
	getenv := func(key string) string { return env[key] }
	om["Clearenv"] = reflect.ValueOf(func() { env = map[string]string{} })
	om["ExpandEnv"] = reflect.ValueOf(func(s string) string { return os.Expand(s, getenv) })
	om["Getenv"] = reflect.ValueOf(getenv)
	om["LookupEnv"] = reflect.ValueOf(func(key string) (s string, ok bool) { s, ok = env[key]; return })
	om["Setenv"] = reflect.ValueOf(func(key, value string) error { env[key] = value; return nil })
	om["Unsetenv"] = reflect.ValueOf(func(key string) error { delete(env, key); return nil })
	om["Environ"] = reflect.ValueOf(func() (a []string) {
		for k, v := range env {
			a = append(a, k+"="+v)
		}
		return
	})

	return yaegi.Exports{
		fmtKey:           fm,
		"flag/flag":      fl,
		"log/log":        lg,
		"os/os":          om,
		"math/bits/bits": {"UintSize": reflect.ValueOf(constant.MakeInt64(bits.UintSize))},
		".":              {"MapTypes": reflect.ValueOf(mt)},
	}
}
