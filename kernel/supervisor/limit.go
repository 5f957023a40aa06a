package supervisor

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
)

// envOutputLimit passes Options.OutputLimit to the child, which applies it
// to each value of a result or display bundle (the supervisor applies it to
// streams).
const envOutputLimit = "CORELAB_EVAL_OUTPUT_LIMIT"

// childOutputLimit is the cap the supervisor passed; negative means none.
func childOutputLimit() int {
	if n, err := strconv.Atoi(os.Getenv(envOutputLimit)); err == nil && n != 0 {
		return n
	}
	return 2 << 20
}

// capBundle bounds a MIME bundle (execute_result or display_data) to limit
// bytes per value, so that no cell can send the kernel more than a few
// times the limit in one event: text/plain is cut (at a UTF-8 boundary) with
// a note of how much was cut; any other over-limit form is dropped, and the
// note in text/plain says which and how big it was. b is not modified.
func capBundle(b map[string]any, limit int) map[string]any {
	if limit < 0 || b == nil {
		return b
	}
	var notes []string
	out := make(map[string]any, len(b))
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := b[k]
		size := valueSize(v)
		switch {
		case size <= limit:
			out[k] = v
		case k == "text/plain":
			s, _ := v.(string)
			out[k] = cutText(s, limit) + fmt.Sprintf("\n[corelab: this output is %s; only the first %s are shown]", sizeString(len(s)), sizeString(limit))
		default:
			notes = append(notes, fmt.Sprintf("[corelab: the %s form of this output (%s) is over the %s limit and is not shown]", k, sizeString(size), sizeString(limit)))
		}
	}
	if len(notes) > 0 {
		text, _ := out["text/plain"].(string)
		if text != "" {
			text += "\n"
		}
		out["text/plain"] = text + strings.Join(notes, "\n")
	}
	return out
}

// valueSize is a bundle value's size: a string's length, else its JSON's.
func valueSize(v any) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return 0
	}
	return len(b)
}

// cutText returns s cut to at most limit bytes, never inside a UTF-8
// character.
func cutText(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut]
}

// capError bounds a cell's error the same way: the value and each
// traceback entry to limit bytes, and the traceback to limit bytes in all.
func capError(e *Error, limit int) *Error {
	if e == nil || limit < 0 {
		return e
	}
	c := *e
	cut := func(s string) string {
		if len(s) <= limit {
			return s
		}
		return cutText(s, limit) + fmt.Sprintf("\n[corelab: %s more not shown]", sizeString(len(s)-len(cutText(s, limit))))
	}
	c.Value = cut(e.Value)
	c.Traceback = nil
	total := 0
	for i, l := range e.Traceback {
		if total >= limit {
			c.Traceback = append(c.Traceback, fmt.Sprintf("[corelab: %d more traceback entries not shown]", len(e.Traceback)-i))
			break
		}
		l = cut(l)
		total += len(l)
		c.Traceback = append(c.Traceback, l)
	}
	return &c
}
