package backend

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"time"
)

// A magic is a line starting with % at the top of a cell. Magic lines are
// blanked (not removed) before the rest of the cell is evaluated, so error
// line numbers stay the cell's own.
type magicSpec struct {
	name, args, help string
	run              func(b *Backend, arg string) error
}

var magicTable []magicSpec

func init() {
	magicTable = []magicSpec{
		{"mode", "gil|isolates|free|processes", "the model for the cells that follow: gil (default) runs cells and their goroutines under one lock; free runs goroutines in parallel with no lock; isolates and processes keep cells under the notebook's lock and start `go work(args)` (work a top-level func) in a new isolate or worker process, with copies of args — results come back through an rt.Queue (isolates). rt.Run, rt.Compare and rt.Scale take their model as an argument", (*Backend).magicMode},
		{"switchinterval", "DURATION", "how long a waiting goroutine lets the GIL holder run before asking it to drop the lock (like sys.setswitchinterval), e.g. 5ms", (*Backend).magicSwitch},
		{"checkpoints", "py310|py39", "where the GIL holder may be asked to switch: function entries and loop back-edges (3.10+) or every statement (3.9)", (*Backend).magicCheckpoints},
		{"cores", "on|off", "append a one-line core-usage summary (wall, CPU, cores used) to every cell", (*Backend).magicCores},
		{"python", "", "list the CPython interpreters found; a cell starting with %%python [VERSION|3.14t|/path] [--quiet] runs in one of them, measured like a Go run", (*Backend).magicPython},
		{"traceback", "short|full", "how much an error's traceback shows: short (default) the cell's own code; full also the evaluator's wrapping frames and the interpreter's own message", (*Backend).magicTraceback},
		{"help", "", "list the magics", (*Backend).magicHelp},
	}
}

// splitMagics returns the magic lines at the top of code (without the %)
// and the code with those lines blanked.
func splitMagics(code string) (magics []string, body string) {
	lines := strings.SplitAfter(code, "\n")
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" {
			continue
		}
		if !strings.HasPrefix(t, "%") {
			break
		}
		magics = append(magics, strings.TrimPrefix(t, "%"))
		if strings.HasSuffix(l, "\n") {
			lines[i] = "\n"
		} else {
			lines[i] = ""
		}
	}
	if len(magics) == 0 {
		return nil, code
	}
	return magics, strings.Join(lines, "")
}

func (b *Backend) magic(line string) error {
	name, arg, _ := strings.Cut(strings.TrimSpace(line), " ")
	arg = strings.TrimSpace(arg)
	for _, m := range magicTable {
		if m.name == name {
			return m.run(b, arg)
		}
	}
	return fmt.Errorf("unknown magic %%%s; %%help lists them", name)
}

func (b *Backend) magicMode(arg string) error {
	if arg == "" {
		fmt.Fprintf(os.Stdout, "mode: %s\n", b.lab.mode())
		return nil
	}
	switch arg {
	case "gil", "isolates", "free", "processes":
	default:
		return fmt.Errorf("%%mode %s: want one of gil, isolates, free, processes", arg)
	}
	if err := b.lab.setMode(arg); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "mode: %s\n", arg)
	return nil
}

func (b *Backend) magicSwitch(arg string) error {
	if arg == "" {
		fmt.Fprintf(os.Stdout, "switch interval: %v\n", b.lab.switchInterval())
		return nil
	}
	d, err := time.ParseDuration(arg)
	if err != nil || d <= 0 {
		return fmt.Errorf("%%switchinterval %s: want a positive duration such as 5ms or 100us", arg)
	}
	if err := b.lab.setSwitchInterval(d); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "switch interval: %v\n", d)
	return nil
}

func (b *Backend) magicCheckpoints(arg string) error {
	switch arg {
	case "":
		fmt.Fprintf(os.Stdout, "checkpoints: %s\n", b.lab.checkpoints())
		return nil
	case "py310", "py39":
	default:
		return fmt.Errorf("%%checkpoints %s: want py310 or py39", arg)
	}
	if err := b.lab.setCheckpoints(arg); err != nil {
		return err
	}
	fmt.Fprintf(os.Stdout, "checkpoints: %s\n", arg)
	return nil
}

func (b *Backend) magicCores(arg string) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	switch arg {
	case "on":
		b.cores = true
	case "off":
		b.cores = false
	case "":
	default:
		return fmt.Errorf("%%cores %s: want on or off", arg)
	}
	state := "off"
	if b.cores {
		state = "on"
	}
	fmt.Fprintf(os.Stdout, "cores summary: %s\n", state)
	return nil
}

func (b *Backend) magicHelp(string) error {
	var sb strings.Builder
	sb.WriteString("Magics (lines starting with % at the top of a cell):\n")
	for _, m := range magicTable {
		use := "%" + m.name
		if m.args != "" {
			use += " " + m.args
		}
		sb.WriteString(wrapWords(use, "  ", helpWidth))
		sb.WriteString(wrapWords(m.help, "      ", helpWidth))
	}
	sb.WriteString(wrapWords("Without an argument, %mode, %switchinterval, %checkpoints and %cores show the current setting.", "", helpWidth))
	sb.WriteString(wrapWords("Stdin: fmt.Scan reads a line from the frontend; import \"corelab/input\" for input.Line(prompt) and input.Password(prompt).", "", helpWidth))
	os.Stdout.WriteString(sb.String())
	return nil
}

// completeMagic completes a magic name on a line that starts with %.
func completeMagic(code string, cursor int) ([]string, int, int) {
	runes := []rune(code)
	cursor = max(0, min(cursor, len(runes)))
	prefix := runes[:cursor]
	start := strings.LastIndex(string(prefix), "%")
	word := string(prefix)[start+1:]
	if name, arg, ok := strings.Cut(word, " "); ok {
		return completeMagicArg(name, strings.TrimLeft(arg, " "), cursor)
	}
	if strings.ContainsAny(word, "\t") {
		return nil, cursor, cursor
	}
	var out []string
	for _, m := range magicTable {
		if strings.HasPrefix(m.name, word) {
			out = append(out, "%"+m.name)
		}
	}
	sort.Strings(out)
	return out, len([]rune(string(prefix)[:start])), cursor
}

// completeMagicArg completes the argument of a magic whose arguments are
// a list of words (%mode gi → gil); the span replaced is the argument
// typed so far, which ends at cursor.
func completeMagicArg(name, arg string, cursor int) ([]string, int, int) {
	if strings.ContainsAny(arg, " \t") {
		return nil, cursor, cursor
	}
	for _, m := range magicTable {
		if m.name != name || !strings.Contains(m.args, "|") {
			continue
		}
		var out []string
		for _, v := range strings.Split(m.args, "|") {
			if strings.HasPrefix(v, arg) {
				out = append(out, v)
			}
		}
		return out, cursor - len([]rune(arg)), cursor
	}
	return nil, cursor, cursor
}
