"""scripts/nbdiff.py: two runs of one notebook compare equal when only measurements moved, and every change a
reader would see is reported."""

import copy
import subprocess
import sys

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output

from conftest import ROOT

SVG = ('<svg viewBox="0 0 760 {h}"><title>rt.Fib(34) × 2 worker(s)</title><rect x="{x}" y="3" width="{w}"/>'
       '<text x="{x}">wall {wall}</text></svg>')


def notebook(wall="155 ms", cores="1.03", pid=4242, path="/tmp/corelab-python-abc123/cell.py", h=370, x=12.5,
             w=80, ename="ZeroDivisionError", word="faster", stream="stdout"):
    text = "wall %s, %s cores used; pid %d ran %s; free was %s\n" % (wall, cores, pid, path, word)
    svg = SVG.format(h=h, x=x, w=w, wall=wall)
    result = new_output("execute_result", execution_count=1, data={
        "text/plain": "cores used %s" % cores, "image/svg+xml": svg, "text/html": "<div>%s</div>" % svg})
    error = new_output("error", ename=ename, evalue="division by zero",
                       traceback=["\x1b[31m%s\x1b[0m: division by zero" % ename])
    return new_notebook(cells=[
        new_code_cell("run()", outputs=[new_output("stream", name=stream, text=text), result]),
        new_code_cell("fail()", outputs=[error]),
    ])


def nbdiff(tmp_path, a, b):
    pa, pb = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    nbformat.write(a, str(pa))
    nbformat.write(b, str(pb))
    r = subprocess.run([sys.executable, str(ROOT / "scripts/nbdiff.py"), str(pa), str(pb)],
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    return r.returncode, r.stdout


def test_measurements_moved_is_equal(tmp_path):
    code, out = nbdiff(tmp_path, notebook(), notebook(wall="2.3 s", cores="0.97", pid=99, h=402, x=40, w=3,
                                                    path="/tmp/corelab-python-zz9/cell.py"))
    assert code == 0 and "equal" in out, out


def test_what_a_reader_sees_is_reported(tmp_path):
    base = notebook()
    for change, want in [
        (dict(ename="TypeError"), "ename differs"),
        (dict(word="slower"), "text differs"),
        (dict(stream="stderr"), "stream stdout, then stderr"),
    ]:
        code, out = nbdiff(tmp_path, base, notebook(**change))
        assert code == 1 and want in out, (change, out)
    fewer = copy.deepcopy(base)
    fewer.cells[0].outputs.pop()
    code, out = nbdiff(tmp_path, base, fewer)
    assert code == 1 and "outputs ['stream', 'execute_result'], then ['stream']" in out, out
    more = copy.deepcopy(base)
    more.cells.append(new_code_cell("x"))
    code, out = nbdiff(tmp_path, base, more)
    assert code == 1 and "2 cells, then 3" in out, out


def test_stream_batching_is_not_a_difference(tmp_path):
    """How output is cut into stream messages depends on timing; the text they add up to does not."""
    a = notebook()
    b = notebook()
    text = b.cells[0].outputs[0].text
    b.cells[0].outputs[0:1] = [new_output("stream", name="stdout", text=text[:7]),
                               new_output("stream", name="stdout", text=text[7:])]
    code, out = nbdiff(tmp_path, a, b)
    assert code == 0, out


def test_cleared_progress_display_is_not_a_difference(tmp_path):
    """A run that lasts over a second shows a live progress line and clears it at the end: an empty display that
    one run has and another not."""
    a = notebook()
    b = notebook()
    text = b.cells[0].outputs[0].text
    b.cells[0].outputs[0:1] = [new_output("stream", name="stdout", text=text[:7]),
                               new_output("display_data", data={}),
                               new_output("stream", name="stdout", text=text[7:])]
    code, out = nbdiff(tmp_path, a, b)
    assert code == 0, out
    b.cells[0].outputs[1] = new_output("display_data", data={"text/plain": "progress"})
    code, out = nbdiff(tmp_path, a, b)
    assert code == 1 and "outputs ['stream', 'execute_result'], then ['stream', 'display_data', 'stream', 'execute_result']" in out, out
