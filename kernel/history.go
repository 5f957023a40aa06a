package kernel

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"sync"

	"corelab/kernel/wire"
)

// history keeps the cells executed with store_history, per session: this
// kernel's in memory, earlier ones from the optional history file (JSON
// lines of {"session", "line", "source"}).
type history struct {
	mu      sync.Mutex
	session int
	entries []histEntry // all sessions, oldest first
	f       *os.File
}

type histEntry struct {
	Session int    `json:"session"`
	Line    int    `json:"line"`
	Source  string `json:"source"`
}

func openHistory(path string) (*history, error) {
	h := &history{session: 1}
	if path == "" {
		return h, nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		var e histEntry
		if json.Unmarshal(sc.Bytes(), &e) == nil {
			h.entries = append(h.entries, e)
			if e.Session >= h.session {
				h.session = e.Session + 1
			}
		}
	}
	h.f = f
	return h, nil
}

func (h *history) add(line int, source string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	e := histEntry{Session: h.session, Line: line, Source: source}
	h.entries = append(h.entries, e)
	if h.f != nil {
		b, _ := json.Marshal(e)
		h.f.Write(append(b, '\n'))
	}
}

func (h *history) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f != nil {
		h.f.Close()
		h.f = nil
	}
}

type historyContent struct {
	Output         bool   `json:"output"`
	Raw            bool   `json:"raw"`
	HistAccessType string `json:"hist_access_type"`
	Session        int    `json:"session"`
	Start          int    `json:"start"`
	Stop           int    `json:"stop"`
	N              int    `json:"n"`
	Pattern        string `json:"pattern"`
	Unique         bool   `json:"unique"`
}

// query answers a history_request: tail (last n), range (lines
// [start, stop) of a session; 0 or negative session counts back from this
// one) or search (glob pattern with * and ?).
func (h *history) query(c historyContent) [][]any {
	h.mu.Lock()
	defer h.mu.Unlock()
	var sel []histEntry
	switch c.HistAccessType {
	case "range":
		s := c.Session
		if s <= 0 {
			s = h.session + s
		}
		for _, e := range h.entries {
			if e.Session == s && e.Line >= c.Start && (c.Stop <= 0 || e.Line < c.Stop) {
				sel = append(sel, e)
			}
		}
	case "search":
		seen := map[string]bool{}
		for i := len(h.entries) - 1; i >= 0; i-- {
			e := h.entries[i]
			if !globMatch(c.Pattern, e.Source) || (c.Unique && seen[e.Source]) {
				continue
			}
			seen[e.Source] = true
			sel = append(sel, e)
			if c.N > 0 && len(sel) >= c.N {
				break
			}
		}
		for i, j := 0, len(sel)-1; i < j; i, j = i+1, j-1 {
			sel[i], sel[j] = sel[j], sel[i]
		}
	default: // "tail"
		sel = h.entries
		if c.N > 0 && len(sel) > c.N {
			sel = sel[len(sel)-c.N:]
		}
	}
	out := make([][]any, 0, len(sel))
	for _, e := range sel {
		if c.Output {
			out = append(out, []any{e.Session, e.Line, []any{e.Source, nil}})
		} else {
			out = append(out, []any{e.Session, e.Line, e.Source})
		}
	}
	return out
}

// globMatch matches s against a glob with * and ? (an empty pattern is *).
func globMatch(pattern, s string) bool {
	if pattern == "" {
		return true
	}
	if !strings.ContainsAny(pattern, "*?") {
		return strings.Contains(s, pattern)
	}
	p, t := []rune(pattern), []rune(s)
	var match func(i, j int) bool
	match = func(i, j int) bool {
		for i < len(p) {
			switch p[i] {
			case '*':
				for ; j <= len(t); j++ {
					if match(i+1, j) {
						return true
					}
				}
				return false
			case '?':
				if j >= len(t) {
					return false
				}
			default:
				if j >= len(t) || t[j] != p[i] {
					return false
				}
			}
			i++
			j++
		}
		return j == len(t)
	}
	return match(0, 0)
}

func (k *server) historyReq(m *wire.Message, r func(content)) {
	var c historyContent
	m.DecodeContent(&c)
	r(historyReply{Status: "ok", History: k.history.query(c)})
}
