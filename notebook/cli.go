package notebook

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

const runUsage = `usage: corelab run NOTEBOOK... [flags]

Executes each notebook top to bottom in a fresh evaluator (the same one the
kernel uses), in the notebook's directory, and writes it back with its
outputs and/or as a self-contained HTML handout. With neither --html nor
--output, notebooks are written back in place. A notebook whose cell fails
is not written; the run goes on with the next one and exits non-zero.

flags:
`

// Main is `corelab run`: it parses args (notebook paths and flags, in any
// order), runs the notebooks and reports on stderr (stdout stays quiet). It
// returns nil when every notebook ran without a failing cell, flag.ErrHelp
// for -h, and an error saying how many failed otherwise. SIGINT or
// SIGTERM interrupts the running cell and stops the run.
func Main(args []string, stdout, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// The first signal interrupts the run; a second one ends the process
	// the usual way.
	context.AfterFunc(ctx, stop)
	return runCommand(ctx, args, stderr, StartEvaluator)
}

// startFunc starts a fresh executor for one notebook, with dir (the
// notebook's directory) as its working directory.
type startFunc func(ctx context.Context, dir string) (Executor, error)

// runFlags are the parsed command line of `corelab run`.
type runFlags struct {
	paths          []string
	htmlDir        string
	outputDir      string
	inplace        bool
	noInput        bool
	stripSolutions bool
	allowErrors    bool
	timeout        time.Duration
}

func parseRunFlags(args []string, stderr io.Writer) (*runFlags, error) {
	f := &runFlags{}
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, runUsage)
		fs.PrintDefaults()
	}
	fs.StringVar(&f.htmlDir, "html", "", "also write an HTML handout per notebook, and index.html, into `DIR`")
	fs.StringVar(&f.outputDir, "output", "", "write executed notebooks into `DIR` instead of in place")
	fs.BoolVar(&f.inplace, "inplace", false, "write executed notebooks back in place (the default unless --html or --output is given)")
	fs.BoolVar(&f.noInput, "no-input", false, "leave code out of HTML handouts (Markdown and outputs only)")
	fs.BoolVar(&f.stripSolutions, "strip-solutions", false, "leave cells tagged \"solution\" out of handouts and --output notebooks (they still run)")
	fs.BoolVar(&f.allowErrors, "allow-errors", false, "keep going after a failing cell; the error is recorded in the notebook")
	fs.DurationVar(&f.timeout, "timeout", 10*time.Minute, "longest a single cell may run (0: no limit)")
	// Notebooks and flags may come in any order: parse, take a path, repeat.
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			break
		}
		if args[0] == "--" {
			f.paths = append(f.paths, args[1:]...)
			break
		}
		f.paths = append(f.paths, args[0])
		args = args[1:]
	}
	switch {
	case len(f.paths) == 0:
		fs.Usage()
		return nil, errors.New("run: no notebooks given")
	case f.inplace && f.outputDir != "":
		return nil, errors.New("run: --inplace and --output exclude each other")
	case f.stripSolutions && f.writesInPlace():
		return nil, errors.New("run: --strip-solutions would delete the solutions from the notebooks themselves; use it with --html or --output")
	case f.timeout < 0:
		return nil, errors.New("run: --timeout must not be negative")
	}
	seen := map[string]string{}
	for _, p := range f.paths {
		base := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
		if other, dup := seen[base]; dup && (f.htmlDir != "" || f.outputDir != "") {
			return nil, fmt.Errorf("run: %s and %s would be written to the same file", other, p)
		}
		seen[base] = p
	}
	return f, nil
}

func (f *runFlags) writesInPlace() bool {
	return f.inplace || (f.htmlDir == "" && f.outputDir == "")
}

func runCommand(ctx context.Context, args []string, stderr io.Writer, start startFunc) error {
	f, err := parseRunFlags(args, stderr)
	if err != nil {
		return err
	}
	for _, dir := range []string{f.htmlDir, f.outputDir} {
		if dir != "" {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return fmt.Errorf("run: %w", err)
			}
		}
	}
	var index []IndexEntry
	failed := 0
	for _, path := range f.paths {
		if ctx.Err() != nil {
			fmt.Fprintf(stderr, "skip %s: interrupted\n", path)
			failed++
			continue
		}
		entry, err := runOne(ctx, path, f, stderr, start)
		if err != nil {
			failed++
			fmt.Fprintf(stderr, "FAIL %s: %s\n", path, indentLines(err.Error()))
			continue
		}
		if entry != nil {
			index = append(index, *entry)
		}
	}
	if f.htmlDir != "" && len(index) > 0 {
		var buf bytes.Buffer
		if err := WriteIndex(&buf, "Handouts", index); err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(f.htmlDir, "index.html"), buf.Bytes()); err != nil {
			return fmt.Errorf("run: %w", err)
		}
	}
	if failed > 0 {
		return fmt.Errorf("run: %d of %d notebooks failed", failed, len(f.paths))
	}
	return nil
}

// runOne executes one notebook and writes what f asks for. It returns the
// handout's index entry when it wrote one.
func runOne(ctx context.Context, path string, f *runFlags, stderr io.Writer, start startFunc) (*IndexEntry, error) {
	nb, err := ReadFile(path)
	if err != nil {
		return nil, err
	}
	dir, err := filepath.Abs(filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	began := time.Now()
	ex, err := start(ctx, dir)
	if err != nil {
		return nil, fmt.Errorf("start evaluator: %w", err)
	}
	cells := 0
	err = Run(ctx, nb, ex, RunOptions{
		AllowErrors: f.allowErrors,
		Timeout:     f.timeout,
		OnCell:      func(int, *Cell) { cells++ },
	})
	if cerr := ex.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("stop evaluator: %w", cerr)
	}
	if err != nil {
		var ce *CellError
		if errors.As(err, &ce) {
			if tb := tracebackText(ce); tb != "" {
				err = fmt.Errorf("%w\n%s", err, tb)
			}
		}
		return nil, err
	}
	took := time.Since(began).Round(time.Millisecond)

	var wrote []string
	if f.writesInPlace() {
		if err := WriteFile(path, nb); err != nil {
			return nil, err
		}
		wrote = append(wrote, path)
	}
	shared := nb
	if f.stripSolutions {
		shared = WithoutTag(nb, "solution")
	}
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	if f.outputDir != "" {
		out := filepath.Join(f.outputDir, base+".ipynb")
		if err := WriteFile(out, shared); err != nil {
			return nil, err
		}
		wrote = append(wrote, out)
	}
	var entry *IndexEntry
	if f.htmlDir != "" {
		title := Title(nb)
		if title == "" {
			title = base
		}
		var buf bytes.Buffer
		if err := WriteHTML(&buf, shared, HTMLOptions{NoInput: f.noInput, Title: title}); err != nil {
			return nil, err
		}
		out := filepath.Join(f.htmlDir, base+".html")
		if err := writeFileAtomic(out, buf.Bytes()); err != nil {
			return nil, err
		}
		wrote = append(wrote, out)
		entry = &IndexEntry{Title: title, Href: base + ".html", Source: filepath.Base(path)}
	}
	fmt.Fprintf(stderr, "ok   %s: %d code cells in %v -> %s\n", path, cells, took, strings.Join(wrote, ", "))
	return entry, nil
}

// tracebackText is a failed cell's traceback for the terminal, without
// colour codes and without the lines that only repeat "ename: evalue".
func tracebackText(ce *CellError) string {
	var lines []string
	for _, l := range ce.Traceback {
		for _, line := range strings.Split(stripANSI(l), "\n") {
			if strings.TrimSpace(line) != ce.Name+": "+ce.Value {
				lines = append(lines, line)
			}
		}
	}
	return strings.TrimRight(strings.Join(lines, "\n"), "\n ")
}

// indentLines indents every line after the first, so that a multi-line
// error reads as one block under its FAIL line.
func indentLines(s string) string {
	return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ")
}
