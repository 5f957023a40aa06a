// Package notebook reads, writes, executes and renders Jupyter notebooks
// (nbformat v4) without Jupyter: it is what `corelab run` is made of.
//
// The pieces compose like this:
//
//	nb, err := notebook.ReadFile("00-intro.ipynb")   // nbformat v4, unknown fields kept
//	err = notebook.Run(ctx, nb, ex, notebook.RunOptions{})  // ex: an Executor (the evaluator child)
//	err = notebook.WriteFile("00-intro.ipynb", nb)   // outputs filled, as Jupyter would record them
//	err = notebook.WriteHTML(w, nb, notebook.HTMLOptions{})  // a self-contained handout
//
// Read and Write round-trip: a notebook written by Jupyter and read and
// written back here comes out byte for byte the same, unknown metadata and
// cell ids included. Run fills code cells the way a Jupyter client does: it
// merges consecutive stream output of the same name, applies
// update_display_data to the earlier output with that display_id, and
// stops at the first error unless told otherwise. The Executor it runs
// cells on is a small interface: StartEvaluator starts the kernel's own
// evaluator child process (kernel/supervisor), tests plug in a scripted one.
//
// Main is the `corelab run` command built from these pieces.
//
// WriteHTML renders a handout that needs nothing but a browser: CSS inline,
// SVG figures inline, PNG figures as data URIs, no scripts of its own, and
// Markdown cells rendered by RenderMarkdown: goldmark (CommonMark and
// GitHub's extensions) with math kept as text and raw HTML escaped but for
// a short allow-list.
package notebook
