package kernel

import (
	"strings"
	"sync"
	"time"

	"corelab/kernel/supervisor"
	"corelab/kernel/wire"
)

// Stream output is batched: text collects for up to streamDelay after the
// first byte (or until streamMax bytes), then goes out as one stream
// message per run of the same stream name. Displays flush it first, so
// order is kept. A print loop of thousands of lines becomes a handful of
// messages instead of thousands.
const (
	streamDelay = 20 * time.Millisecond
	streamMax   = 512 << 10
)

// streamer turns one cell's evaluator output into iopub messages with the
// cell's request as parent. It keeps working after the cell ended, for
// output of goroutines the cell left running.
type streamer struct {
	k      *server
	parent *wire.Message

	mu      sync.Mutex
	pending []segment
	size    int
	timer   *time.Timer
}

type segment struct {
	name string
	text strings.Builder
}

func newStreamer(k *server, parent *wire.Message) *streamer {
	return &streamer{k: k, parent: parent}
}

// output receives evaluator output in order (from one goroutine at a time).
func (s *streamer) output(o supervisor.Output) {
	if o.Display != nil {
		s.flush()
		d := o.Display
		dd := displayData{Data: d.Data, Metadata: orEmpty(d.Metadata), Transient: transient{DisplayID: d.DisplayID}}
		if d.Update {
			s.k.publish(s.parent, updateDisplayData(dd))
		} else {
			s.k.publish(s.parent, dd)
		}
		return
	}
	s.mu.Lock()
	if n := len(s.pending); n > 0 && s.pending[n-1].name == o.Stream {
		s.pending[n-1].text.WriteString(o.Text)
	} else {
		s.pending = append(s.pending, segment{name: o.Stream})
		s.pending[len(s.pending)-1].text.WriteString(o.Text)
	}
	s.size += len(o.Text)
	big := s.size >= streamMax
	if !big && s.timer == nil {
		s.timer = time.AfterFunc(streamDelay, s.flush)
	}
	s.mu.Unlock()
	if big {
		s.flush()
	}
}

// flush publishes the pending text now.
func (s *streamer) flush() {
	s.mu.Lock()
	segs := s.pending
	s.pending, s.size = nil, 0
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	// Publish under the lock so that a timer flush and an explicit flush
	// cannot reorder two batches.
	for i := range segs {
		s.k.publish(s.parent, streamMsg{Name: segs[i].name, Text: segs[i].text.String()})
	}
	s.mu.Unlock()
}
