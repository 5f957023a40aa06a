// Package display is how cells and the lab show rich output: HTML, SVG,
// Markdown, PNG, JSON and plain text, in place or updated later.
//
// A cell imports it as "corelab/display" and calls display.HTML(s),
// display.SVG(s), ... or builds a [Bundle] (MIME type -> data) and calls
// [Show]. Output goes to one process-wide [Sink]: the kernel installs one that
// publishes Jupyter display_data / update_display_data messages; without a
// kernel the default sink writes the text/plain part to os.Stdout.
//
// A [Handle] names one output area (a Jupyter display_id) so that it can be
// replaced later with [Handle.Update], which is how long runs show live
// progress. Any value with a DisplayBundle method ([Displayer]) is shown
// richly when it is a cell's trailing expression.
package display
