// Command gen builds the workshop notebooks (notebooks/NN-*.ipynb) from their
// plain-text sources in notebooks/src/NN-*.nb.
//
// Usage, from the repository root:
//
//	go run ./notebooks/gen          # rewrite every notebook from its source
//	go run ./notebooks/gen -check   # exit 1 if a notebook differs from its source
//
// A source file is a sequence of cells. A line that starts with "%% md" or
// "%% go" opens a new cell (Markdown or Go code); what follows on that line are
// options:
//
//	id=NAME        the cell id (default: the notebook's prefix and the cell's ordinal)
//	tags=a,b       metadata.tags
//	hidden         metadata.jupyter.source_hidden
//
// Exercises follow the convention of notebooks/README.md ("Exercises");
// parse refuses a notebook that breaks it.
//
// Output is deterministic: same source, same bytes. Outputs are empty and
// execution counts null, since learners run the notebooks themselves.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

func main() {
	check := flag.Bool("check", false, "report notebooks that differ from their sources instead of writing them")
	dir := flag.String("dir", "notebooks", "the notebooks directory (sources are in DIR/src)")
	flag.Parse()
	stale, err := build(*dir, !*check)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(2)
	}
	if *check && len(stale) > 0 {
		fmt.Fprintf(os.Stderr, "gen: out of date (run go run ./notebooks/gen): %s\n", strings.Join(stale, ", "))
		os.Exit(1)
	}
}

// build renders every DIR/src/*.nb to DIR/*.ipynb. It returns the notebooks
// whose current bytes differ from the rendering; with write set it rewrites them.
func build(dir string, write bool) (stale []string, err error) {
	srcs, err := filepath.Glob(filepath.Join(dir, "src", "*.nb"))
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no sources in %s", filepath.Join(dir, "src"))
	}
	sort.Strings(srcs)
	for _, src := range srcs {
		text, err := os.ReadFile(src)
		if err != nil {
			return nil, err
		}
		stem := strings.TrimSuffix(filepath.Base(src), ".nb")
		cells, err := parse(stem, string(text))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		out, err := render(cells)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src, err)
		}
		dst := filepath.Join(dir, stem+".ipynb")
		old, _ := os.ReadFile(dst)
		if bytes.Equal(old, out) {
			continue
		}
		stale = append(stale, dst)
		if write {
			if err := os.WriteFile(dst, out, 0o644); err != nil {
				return nil, err
			}
		}
	}
	return stale, nil
}

// cell is one notebook cell as written in a source file.
type cell struct {
	kind   string // "markdown" or "code"
	id     string
	tags   []string
	hidden bool
	source string
}

var (
	header = regexp.MustCompile(`^%% (md|go)\b(.*)$`)
	idOK   = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// parse splits a source file into cells. stem is the file name without
// extension; its NN prefix names cells that have no explicit id.
func parse(stem, text string) ([]cell, error) {
	prefix := "nb" + strings.SplitN(stem, "-", 2)[0]
	var cells []cell
	var body []string
	flush := func() {
		if len(cells) == 0 {
			return
		}
		c := &cells[len(cells)-1]
		c.source = strings.Trim(strings.Join(body, "\n"), "\n")
		body = body[:0]
	}
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		m := header.FindStringSubmatch(sc.Text())
		if m == nil {
			if len(cells) == 0 && strings.TrimSpace(sc.Text()) != "" {
				return nil, fmt.Errorf("line %d: text before the first %%%% header", line)
			}
			body = append(body, sc.Text())
			continue
		}
		flush()
		c := cell{kind: map[string]string{"md": "markdown", "go": "code"}[m[1]]}
		for _, opt := range strings.Fields(m[2]) {
			k, v, _ := strings.Cut(opt, "=")
			switch k {
			case "id":
				c.id = v
			case "tags":
				c.tags = strings.Split(v, ",")
			case "hidden":
				c.hidden = true
			default:
				return nil, fmt.Errorf("line %d: unknown option %q", line, opt)
			}
		}
		if c.id == "" {
			c.id = fmt.Sprintf("%s-%02d", prefix, len(cells)+1)
		}
		if !idOK.MatchString(c.id) {
			return nil, fmt.Errorf("line %d: bad cell id %q", line, c.id)
		}
		cells = append(cells, c)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	flush()
	seen := map[string]bool{}
	for _, c := range cells {
		if seen[c.id] {
			return nil, fmt.Errorf("duplicate cell id %q", c.id)
		}
		seen[c.id] = true
	}
	if err := checkExercises(cells); err != nil {
		return nil, err
	}
	return cells, nil
}

// checkExercises enforces the exercise convention (notebooks/README.md,
// "Exercises") on the cells whose ids start with "ex-": the task ex-NAME
// (Go, tagged exercise), then its worked solution ex-NAME-solution
// (Markdown, tagged solution, folded in <details> around exactly one go
// block, so it never runs), then its check ex-NAME-check (Go, tagged
// check, calling rt.Check("NAME", ...)). A solution tag anywhere else is
// refused: solution code that runs would replace the learner's answer.
func checkExercises(cells []cell) error {
	at := map[string]int{}
	for i, c := range cells {
		at[c.id] = i
	}
	for _, c := range cells {
		if hasTag(c, "solution") && (!strings.HasPrefix(c.id, "ex-") || !strings.HasSuffix(c.id, "-solution")) {
			return fmt.Errorf("cell %q is tagged solution but is not the ex-NAME-solution of an exercise", c.id)
		}
	}
	for i, c := range cells {
		if !strings.HasPrefix(c.id, "ex-") || strings.HasSuffix(c.id, "-solution") || strings.HasSuffix(c.id, "-check") {
			continue
		}
		name := strings.TrimPrefix(c.id, "ex-")
		if c.kind != "code" || !hasTag(c, "exercise") {
			return fmt.Errorf("exercise %s: cell %q must be Go and tagged exercise", name, c.id)
		}
		si, ok1 := at[c.id+"-solution"]
		ci, ok2 := at[c.id+"-check"]
		if !ok1 || !ok2 || !(i < si && si < ci) {
			return fmt.Errorf("exercise %s: want cells %s, %s-solution and %s-check, in that order", name, c.id, c.id, c.id)
		}
		sol, chk := cells[si], cells[ci]
		if sol.kind != "markdown" || !hasTag(sol, "solution") || !strings.HasPrefix(sol.source, "<details>") ||
			!strings.HasSuffix(sol.source, "</details>") || strings.Count(sol.source, "```go") != 1 {
			return fmt.Errorf("exercise %s: %s must be Markdown tagged solution: <details><summary>…</summary>, one ```go block, </details>", name, sol.id)
		}
		if chk.kind != "code" || !hasTag(chk, "check") || !strings.Contains(chk.source, `rt.Check("`+name+`"`) {
			return fmt.Errorf("exercise %s: %s must be Go, tagged check, and call rt.Check(%q, ...)", name, chk.id, name)
		}
	}
	return nil
}

func hasTag(c cell, tag string) bool {
	for _, t := range c.tags {
		if t == tag {
			return true
		}
	}
	return false
}

// render writes cells as an nbformat 4.5 notebook for the corelab kernel, in
// the layout Jupyter itself writes (one-space indent, sorted keys).
func render(cells []cell) ([]byte, error) {
	var list []map[string]any
	for _, c := range cells {
		meta := map[string]any{}
		if len(c.tags) > 0 {
			meta["tags"] = c.tags
		}
		if c.hidden {
			meta["jupyter"] = map[string]any{"source_hidden": true}
		}
		m := map[string]any{
			"cell_type": c.kind,
			"id":        c.id,
			"metadata":  meta,
			"source":    lines(c.source),
		}
		if c.kind == "code" {
			m["execution_count"] = nil
			m["outputs"] = []any{}
		}
		list = append(list, m)
	}
	nb := map[string]any{
		"cells": list,
		"metadata": map[string]any{
			"kernelspec": map[string]any{
				"name":         "corelab",
				"display_name": "Go (corelab)",
				"language":     "go",
			},
			"language_info": map[string]any{
				"name":           "go",
				"file_extension": ".go",
				"mimetype":       "text/x-go",
			},
		},
		"nbformat":       4,
		"nbformat_minor": 5,
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(nb); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// lines splits s the way nbformat stores multi-line strings: each line keeps
// its newline except the last.
func lines(s string) []string {
	if s == "" {
		return []string{}
	}
	parts := strings.SplitAfter(s, "\n")
	return parts
}
