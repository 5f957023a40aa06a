// Package report renders measurements of the multi-core lab: SVG charts
// (worker lanes in the style of Dave Beazley's GIL charts, per-core usage,
// speed-up vs workers, CDFs, bars), HTML tables and plain-text summaries.
//
// Every function is pure: it takes data and returns a string (or a
// display.Bundle), with no globals and no I/O. Every SVG is a standalone
// document (xmlns set, viewBox, no external references, all text escaped)
// drawn on its own white card, so it reads the same in light and dark
// notebook themes and scales down to the width of its container.
//
// The usual entry point is [Bundle], which turns a meter.Measurement into a
// display bundle with image/svg+xml, text/html and text/plain.
package report
