"""Help and output a Python learner meets first, through a real kernel and real Jupyter clients:
Shift-Tab inside a call's parentheses, %help's wrapping, and progress lines that go away when a run ends.
"""

import re

import pytest

from conftest import ROOT, execute, start_kernel


def ok(kc, code, timeout=60):
    r = execute(kc, code, timeout=timeout)
    assert r.status == "ok", r
    return r


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_kernel()
    ok(kc, 'import (\n\t"strings"\n\trt "corelab/runtime"\n)')
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def inspect(kc, marked):
    """Inspect code written with "|" at the cursor, as Shift-Tab there does; the reply's content."""
    cursor = marked.index("|")
    code = marked[:cursor] + marked[cursor + 1 :]
    msg_id = kc.inspect(code, cursor)
    while True:
        reply = kc.get_shell_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply["content"]


@pytest.mark.parametrize(
    "marked, want",
    [
        # Jupyter closes the parenthesis as the learner opens it: the cursor sits between the two.
        ("rt.Run(|)", "func Run("),
        ("rt.Run(rt.GIL, |", "func Run("),
        ("rt.Run(rt.GIL, 2, rt.Fib, |30)", "func Run("),
        # Where the standard library's docs come from is not this test's business: the called name is.
        ('strings.ToUpper("ab|")', "ToUpper"),
        ("rt.Run(rt.GIL, 2, rt.Fib, len(strings.ToUpper(|)))", "ToUpper"),
        ('rt.Run(rt.GIL, 2, rt.Fib, len(strings.Repeat(strings.ToUpper("x"), |3)))', "Repeat"),
        ('rt.Run(rt.GIL, 2, rt.Fib, len(strings.ToUpper("x"))|)', "func Run("),
    ],
)
def test_inspect_inside_a_call_shows_the_called_function(kernel, marked, want):
    km, kc = kernel
    reply = inspect(kc, marked)
    assert reply["status"] == "ok" and reply["found"], (marked, reply)
    assert want in reply["data"]["text/plain"], (marked, reply["data"]["text/plain"][:300])


def test_inspect_of_a_notebook_func_shows_signature_and_comment(kernel):
    km, kc = kernel
    ok(kc, "// Square returns n times n,\n// the learner's own helper.\nfunc Square(n int) int {\n\tproduct := n * n\n\treturn product\n}")
    for marked in ("Squ|are(3)", "Square(|)", "x := 3\ny := Square(x|)"):
        reply = inspect(kc, marked)
        assert reply["found"], (marked, reply)
        text = reply["data"]["text/plain"]
        assert text.startswith("func Square(n int) int"), (marked, text)
        assert "Square returns n times n,\nthe learner's own helper." in text, (marked, text)
        assert "product" not in text, (marked, text)  # the body is in the cell; help shows what to call it with


def test_help_lines_fit_and_break_between_words(kernel):
    """Notebook and Lab break a line that does not fit wherever it overflows, mid-word included; %help's
    lines fit 79 columns, and every word in them is a word of the help texts in the source."""
    km, kc = kernel
    text = ok(kc, "%help").stdout
    lines = text.splitlines()
    assert len(lines) > 5 and lines[0].startswith("Magics"), text
    too_long = [l for l in lines if len(l) > 79]
    assert not too_long, too_long
    source = (ROOT / "kernel/backend/magics.go").read_text()
    words = set()
    for literal in re.findall(r'"((?:[^"\\]|\\.)*)"', source):
        words.update(literal.replace('\\"', '"').replace("\\n", " ").split())
    broken = [w for w in text.split() if w not in words and w.lstrip("%") not in words]
    assert not broken, (broken, text)


# --- progress lines -----------------------------------------------------------------------------------

PROGRESS_CELLS = [
    'import (\n\t"fmt"\n\t"time"\n\trt "corelab/runtime"\n)',
    # Long enough (3 s) for rt.Run's live line, which waits a second before it shows.
    'fmt.Println("before the run")\nr := rt.Run(rt.GIL, 1, rt.Wait, 3*time.Second)\nfmt.Println("after the run", r.Workers)',
    # Six runs of 0.4 s: rt.Compare's line shows from the first run that starts after a second.
    "rt.Compare([]rt.Model{rt.GIL, rt.Free}, 1, rt.Wait, 400*time.Millisecond)",
]


def test_progress_lines_are_gone_from_the_saved_notebook():
    import nbformat
    from nbclient import NotebookClient

    from conftest import KERNEL_NAME

    shown = []  # text of every output that carried a display_id: the progress lines

    class Recording(NotebookClient):
        def process_message(self, msg, cell, cell_index):
            content = msg.get("content", {})
            if content.get("transient", {}).get("display_id"):
                shown.append(content.get("data", {}).get("text/plain", ""))
            return super().process_message(msg, cell, cell_index)

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in PROGRESS_CELLS])
    Recording(nb, kernel_name=KERNEL_NAME, timeout=120, startup_timeout=60).execute()
    for c in nb.cells:
        assert not [o for o in c.outputs if o.output_type == "error"], (c.source, c.outputs)

    lines = [s for s in shown if s]
    assert any("rt.Wait" in s and "gil" in s for s in lines), shown  # rt.Run's line was shown...
    assert any(s.startswith("comparing") for s in lines), shown  # ...and rt.Compare's
    saved = nbformat.writes(nb)
    for s in set(lines):
        assert s not in saved, ("a progress line stayed in the saved notebook", s)
    run_cell = nb.cells[1]
    text = "".join(o.get("text", "") for o in run_cell.outputs)
    assert "before the run" in text and "after the run 1" in text, run_cell.outputs
    compare = nb.cells[2]
    assert any("image/svg+xml" in o.get("data", {}) for o in compare.outputs), compare.outputs
    nbformat.validate(nb)


# --- Markdown tables ----------------------------------------------------------------------------------

DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)+\|?\s*$")


def test_markdown_tables_are_left_aligned():
    """Notebook 6 right-aligns table cells unless the delimiter row says otherwise (`|:---|`), which made
    the workshop's prose tables hard to read; this covers Markdown cells and the Markdown tables Go cells
    write at run time."""
    import nbformat

    rows = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                lines = cell.source.splitlines()
            else:  # "...\n|---|---|\n" inside a Go string literal
                lines = [l for s in re.findall(r'"((?:[^"\\]|\\.)*)"', cell.source) for l in s.split("\\n")]
            rows += [(path.name, l) for l in lines if DELIMITER.match(l)]
    assert len(rows) >= 10, rows  # the notebooks do have tables: the pattern finds them
    not_left = [(name, l) for name, l in rows if any(not c.strip().startswith(":") or c.strip().endswith(":")
                                                     for c in l.strip().strip("|").split("|"))]
    assert not not_left, not_left


# --- worker numbering -------------------------------------------------------------------------------


@pytest.mark.parametrize("model", ["GIL", "Isolates"])
def test_workers_are_numbered_as_rt_worker_numbers_them(kernel, model):
    """The lane, table row and result of a worker carry the number rt.Worker() returned in it."""
    km, kc = kernel
    ok(kc, "// who reports which worker runs it.\nfunc who() int { return rt.Worker() }")
    r = ok(kc, 'rt.Run(rt.%s, 3, "who")' % model, timeout=120)
    (result,) = [m for m in r.messages if m["msg_type"] in ("execute_result", "display_data")]
    text = result["content"]["data"]["text/plain"]
    noun = {"GIL": "worker", "Isolates": "isolate"}[model]
    rows = {}
    for line in text.splitlines():
        m = re.match(r"\s*%s (\d+)\s+(-?\d+)\s*(\S.*)?$" % noun, line)  # "worker 0  0  ..." in the results table
        if m:
            rows[int(m.group(1))] = int(m.group(2))
    assert rows == {0: 0, 1: 1, 2: 2}, text
    svg = result["content"]["data"]["image/svg+xml"]
    for w in range(3):
        assert ">%s %d<" % (noun, w) in svg, (w, svg[:2000])  # the lane's label
    assert ">%s 3<" % noun not in svg


# --- the Go crib ---------------------------------------------------------------------------------------


def test_notebook_00_opens_with_a_go_crib_for_pythonistas():
    """The crib sits before the first lesson, pairs each Python habit with its Go form, and its slice
    example shows, when run through a real client, that a Go slice of a slice shares the elements."""
    import nbformat
    from nbclient import NotebookClient

    from conftest import KERNEL_NAME

    nb = nbformat.read(ROOT / "notebooks/00-your-machine.ipynb", as_version=4)
    ids = [c.get("id") for c in nb.cells]
    crib = nb.cells[ids.index("go-crib")]
    first_lesson = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## 1." in c.source)
    assert ids.index("go-crib") < first_lesson
    pairs = [  # (Python, Go) as the crib's rows write them
        ("`x = 1`", "`x := 1`"),
        ("`for i in range(n):`", "`for i := range n {`"),
        ("`threading.Thread(target=f).start()`", "`go f()`"),
        ("`t.join()`", "`wg.Wait()`"),
        ("`lock = threading.Lock()`", "`var mu sync.Mutex`"),
        ("`try:` … `finally: cleanup()`", "`defer cleanup()`"),
        ("`except Exception as e:`", "recover()"),
        ("list `xs = [1, 2]`", "slice `xs := []int{1, 2}`"),
        ("dict `d = {\"a\": 1}`", "map `d := map[string]int{\"a\": 1}`"),
    ]
    rows = [l for l in crib.source.splitlines() if l.startswith("| ")]
    for py, go in pairs:
        assert any(py in r and go in r and r.index(py) < r.index(go) for r in rows), (py, go)

    demo = nb.cells[ids.index("go-crib-slices")]
    run = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(demo.source)])
    NotebookClient(run, kernel_name=KERNEL_NAME, timeout=60, startup_timeout=60).execute()
    out = "".join(o.get("text", "") for o in run.cells[0].outputs)
    assert "xs after ys[0] = 99: [1 99 3 4]" in out, out  # writing through the window changed xs
    assert "xs after zs[0] = -1: [1 99 3 4]   zs: [-1 3]" in out, out  # the copy did not
