package supervisor

import "fmt"

// Each cell may show at most Options.OutputLimit bytes in all: the text it
// prints and the display_data bundles it shows count against one budget
// (Proc.limit), so that a cell showing many values, each under the
// per-value cap (capBundle), is still bounded, in the notebook and on the
// way to it. update_display_data does not count: it replaces an output the
// notebook already has instead of adding one.

// overNotice says, once per cell, that its output passed the cap.
func overNotice(limit int) string {
	return fmt.Sprintf("\n[corelab: this cell's output passed %s; the rest is not shown]\n", sizeString(limit))
}

// capDisplay applies the cell's budget to a display_data output; p.mu is
// held. It returns the output to deliver (the display, or the notice
// instead of the first display that does not fit) and false when there is
// nothing to deliver.
func (p *Proc) capDisplay(o Output) (Output, bool) {
	size := 0
	for _, v := range o.Display.Data {
		size += valueSize(v)
	}
	switch {
	case p.limit <= 0 && p.dropped > 0:
		p.dropped += size
		return o, false
	case size > p.limit:
		p.dropped += size
		p.limit = 0
		return Output{Stream: "stderr", Text: overNotice(p.opts.OutputLimit)}, true
	}
	p.limit -= size
	return o, true
}
