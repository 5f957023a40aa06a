"""%%python cells: real CPython beside the emulation, through a real Jupyter client and the real kernel.

Every test uses Debian's /usr/bin/python3, which is always here, and tests the "absent" paths by asking for
interpreters that are not (9.99, a free-threaded 3.14t). Waits are on iopub messages, never on sleeps.
"""

import os
import re
import tempfile
import time

import pytest

from conftest import clean, collect, execute, start_kernel

SYSTEM_PYTHON = "/usr/bin/python3"


@pytest.fixture(scope="module")
def kernel():
    km, kc = start_kernel()
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def ok(kc, code, timeout=120):
    r = execute(kc, code, timeout=timeout)
    assert r.status == "ok", r
    return r


def displays(run):
    return [m["content"]["data"] for m in run.of_type("display_data")]


def test_listing_names_the_system_python_and_a_default(kernel):
    _, kc = kernel
    r = ok(kc, "%python")
    assert SYSTEM_PYTHON in r.stdout, r.stdout
    assert re.search(r"^\* 3\.\d+", r.stdout, re.M), r.stdout  # one marked as the default
    assert "Looked for python3" in r.stdout


def test_output_streams_while_the_cell_runs(kernel):
    """The first line reaches the client while the cell still runs: the cell waits for a file that this
    test creates only after it has seen that line on iopub."""
    _, kc = kernel
    gate = os.path.join(tempfile.mkdtemp(prefix="corelab-pycell-"), "go-on")
    code = (
        "%%%%python %s --quiet\n"
        "import os, sys, time\n"
        "print('first', flush=True)\n"
        "while not os.path.exists(%r):\n"
        "    time.sleep(0.01)\n"
        "print('second')\n"
        "print('to stderr', file=sys.stderr)\n" % (SYSTEM_PYTHON, gate)
    )
    msg_id = kc.execute(code)
    deadline = time.monotonic() + 60
    seen = []
    while True:
        assert time.monotonic() < deadline, "no 'first' on iopub within 60 s: %r" % seen
        msg = kc.get_iopub_msg(timeout=60)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        seen.append(msg["msg_type"])
        assert msg["msg_type"] != "status" or msg["content"]["execution_state"] == "busy", seen
        if msg["msg_type"] == "stream" and "first" in msg["content"]["text"]:
            break
    open(gate, "w").close()
    r = collect(kc, msg_id, timeout=60)
    assert r.status == "ok", r
    assert "second" in r.stdout and "first" not in r.stdout, r  # 'first' came before, on its own
    assert "to stderr" in r.stderr, r
    assert not displays(r), "--quiet shows no report"


def test_exception_is_the_cells_error_with_its_own_line_numbers(kernel):
    _, kc = kernel
    code = "%%python --quiet\nx = 1\n\ndef f():\n    return 1 / 0\nf()\n"
    r = execute(kc, code, timeout=120)
    assert r.status == "error", r
    assert r.error["ename"] == "ZeroDivisionError", r.error
    assert r.error["evalue"] == "division by zero", r.error
    tb = clean("\n".join(r.error["traceback"]))
    assert 'File "<cell>", line 6, in <module>' in tb, tb
    assert 'File "<cell>", line 5, in f' in tb, tb
    assert "return 1 / 0" in tb, tb
    assert "runpy" not in tb and "corelab_driver" not in tb, tb


def test_syntax_error_points_at_the_cell_line(kernel):
    _, kc = kernel
    r = execute(kc, "%%python --quiet\nok = 1\nx = = 1\n", timeout=120)
    assert r.status == "error", r
    assert r.error["ename"] == "SyntaxError", r.error
    assert "line 3" in clean("\n".join(r.error["traceback"])), r.error


def test_interrupt_stops_python_and_keeps_go_state(kernel):
    km, kc = kernel
    ok(kc, "kept := 7")
    msg_id = kc.execute("%%python --quiet\nprint('spinning', flush=True)\nwhile True:\n    pass\n")
    deadline = time.monotonic() + 60
    while True:
        assert time.monotonic() < deadline, "the cell printed nothing within 60 s"
        msg = kc.get_iopub_msg(timeout=60)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"
                and "spinning" in msg["content"]["text"]):
            break
    start = time.monotonic()
    km.interrupt_kernel()
    r = collect(kc, msg_id, timeout=30)
    took = time.monotonic() - start
    assert r.status == "error", r
    assert r.error["ename"] == "KeyboardInterrupt", r.error
    assert took < 5, "interrupt took %.1fs" % took
    assert "line 3" in clean("\n".join(r.error["traceback"])), r.error
    assert ok(kc, "kept").result == "7"
    assert km.is_alive()


def test_report_has_one_lane_per_python_thread(kernel):
    _, kc = kernel
    code = (
        "%%python\n"
        "import threading\n"
        "ready = threading.Barrier(4)\n"
        "def work():\n"
        "    ready.wait()\n"
        "    x = 0\n"
        "    for _ in range(1_000_000):\n"
        "        x += 1\n"
        "ts = [threading.Thread(target=work) for _ in range(3)]\n"
        "for t in ts:\n"
        "    t.start()\n"
        "ready.wait()\n"
        "for t in ts:\n"
        "    t.join()\n"
        "threads = len(ts)\n"
    )
    r = execute(kc, code, timeout=180)
    assert r.status == "ok", r
    [report] = displays(r)
    svg = report["image/svg+xml"]
    assert svg.count('class="lane"') == 4, "main thread and 3 workers: %d lanes" % svg.count('class="lane"')
    assert "main thread" in svg
    assert "waiting for the GIL or a lock" in svg and "cannot tell" in svg  # what the chart cannot tell
    text = report["text/plain"]
    assert "CPython 3." in text and "cores used" in text and "core budget" in text, text
    assert "OS threads (most at once)" in text and re.search(r"OS threads \(most at once\)\s+4", text), text
    assert "<svg" in report["text/html"] and "wall time" in report["text/html"]


def test_go_cell_reads_the_python_cells_numbers(kernel):
    _, kc = kernel
    ok(kc, "%%python --quiet\nlost = 6 * 7\nratio = 0.5\nname = 'x'\n_hidden = 1\n")
    r = ok(kc, 'import (\n\t"fmt"\n\trt "corelab/runtime"\n)\npy := rt.Python()\nfmt.Println(py.Int("lost"), py.Num("ratio"), py.Str("name"), py.Has("_hidden"))')
    assert r.stdout.strip() == "42 0.5 x false", r
    r = execute(kc, 'rt.Python().Num("nope")')
    assert r.status == "error" and "lost, name, ratio" in r.error["evalue"], r


def test_input_goes_through_the_stdin_channel(kernel):
    _, kc = kernel
    msg_id = kc.execute("%%python --quiet\nname = input('Name? ')\nprint('hello', name)\n", allow_stdin=True)
    req = kc.get_stdin_msg(timeout=60)
    assert req["content"]["prompt"] == "Name? "
    kc.input("Ada")
    r = collect(kc, msg_id, timeout=60)
    assert r.status == "ok", r
    assert "hello Ada" in r.stdout, r


def test_input_without_stdin_is_refused_clearly(kernel):
    _, kc = kernel
    r = execute(kc, "%%python --quiet\ninput('Name? ')\n", allow_stdin=False, timeout=120)
    assert r.status == "error", r
    assert r.error["ename"] == "StdinNotImplementedError", r.error


def test_missing_interpreter_says_what_was_looked_for(kernel):
    _, kc = kernel
    r = execute(kc, "%%python 9.99\nprint('never')\n", timeout=120)
    assert r.status == "error", r
    assert r.error["ename"] == "PythonNotFoundError", r.error
    v = r.error["evalue"]
    assert "No CPython 9.99 was found" in v and SYSTEM_PYTHON in v and "Looked for" in v, v
    assert "uv python install 9.99" in v, v
    assert "never" not in r.stdout


def test_missing_free_threaded_build_says_so(kernel):
    _, kc = kernel
    r = execute(kc, "%%python 3.14t\nprint('never')\n", timeout=120)
    assert r.status == "error", r
    assert r.error["ename"] == "PythonNotFoundError", r.error
    assert "No free-threaded CPython (3.14t)" in r.error["evalue"], r.error
    assert "python-freethreading" in r.error["evalue"], r.error
    [ref] = displays(r)  # instead of a run: what is known, labelled as not measured here, with sources
    assert "Reference" in ref["text/markdown"] and "not run here" in ref["text/markdown"], ref
    assert "https://github.com/python/cpython/issues/125646" in ref["text/markdown"], ref
