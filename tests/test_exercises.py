"""Every exercise of every workshop notebook can be not attempted, wrong and right — and its check says which.

An exercise NAME is found by its cell ids (notebooks/README.md, "Exercises"): the task `ex-NAME` (tagged exercise),
the worked solution `ex-NAME-solution` (a Markdown cell, tagged solution, whose one ```go block replaces the task)
and the check `ex-NAME-check` (tagged check, calling rt.Check("NAME", ...)). Typical wrong answers live in
tests/data/exercises/NAME/*.go, each a complete replacement for the task cell with a first-line comment that says
which mistake it makes.

For each notebook with exercises, one kernel runs the notebook as shipped up to its last check cell:
(a) every cell runs clean and every check says "unsolved";
then, in the same kernel, for each exercise the task cell is replaced and the check run again:
(b) with the worked solution the check says "pass";
(c) with each wrong answer the check says "fail".
The checks read the output's metadata.corelab.check, as an instructor's tool would.

A check's verdict must not depend on the machine: CORELAB_EXERCISES_ONE_CORE=1 pins the kernels to one CPU (like
`taskset -c 0`), to run the same assertions as a learner on a small Binder would see them.
"""

import json
import os
import re
from pathlib import Path

import pytest

from conftest import ROOT, execute, start_kernel

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WRONG = ROOT / "tests" / "data" / "exercises"
FENCE = re.compile(r"^```go[ \t]*\n(.*?)^```[ \t]*$", re.S | re.M)
CELL_TIMEOUT = 300


def source(cell):
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def find_exercises(path):
    """The exercises of one notebook, in order: name, task/solution/check cells and the index of the check cell."""
    cells = json.loads(path.read_text())["cells"]
    by_id = {c.get("id"): (i, c) for i, c in enumerate(cells)}
    found = []
    for i, c in enumerate(cells):
        cid = c.get("id", "")
        if not cid.startswith("ex-") or cid.endswith(("-solution", "-check")):
            continue
        name = cid[len("ex-"):]
        found.append({
            "name": name,
            "path": path,
            "task": (i, c),
            "solution": by_id.get(cid + "-solution"),
            "check": by_id.get(cid + "-check"),
        })
    return cells, found


EXERCISES = {p: find_exercises(p) for p in NOTEBOOKS}
EX_NOTEBOOKS = [p for p, (_, ex) in EXERCISES.items() if ex]
ALL = [ex for p in EX_NOTEBOOKS for ex in EXERCISES[p][1]]

if not ALL:
    pytestmark = pytest.mark.skip(reason="no notebook has ex-* cells yet")


def solution_code(ex):
    """The worked solution's code: the one ```go block of its Markdown cell."""
    _, cell = ex["solution"]
    blocks = FENCE.findall(source(cell))
    assert len(blocks) == 1, "%s: ex-%s-solution must hold exactly one ```go block, has %d" % (
        ex["path"].name, ex["name"], len(blocks))
    return blocks[0]


def outcomes(run):
    """(name, outcome) of every rt.Check output of one execution."""
    found = []
    for msg in run.of_type("display_data"):
        meta = msg["content"].get("metadata", {}).get("corelab", {})
        if "check" in meta:
            text = msg["content"]["data"].get("text/plain", "")
            found.append((meta.get("name"), meta["check"], text))
    return found


class Session:
    """One kernel that ran a notebook as shipped up to its last check cell."""

    def __init__(self, path):
        self.path = path
        self.cells, self.exercises = EXERCISES[path]
        saved = os.sched_getaffinity(0)
        if os.environ.get("CORELAB_EXERCISES_ONE_CORE") == "1":
            os.sched_setaffinity(0, {min(saved)})  # the kernel and its workers inherit it
        try:
            self.km, self.kc = start_kernel()
        finally:
            os.sched_setaffinity(0, saved)
        self.shipped = {}  # exercise name -> (outcome, text) as shipped
        try:
            last = max(ex["check"][0] for ex in self.exercises if ex["check"])
            for i, cell in enumerate(self.cells[: last + 1]):
                if cell["cell_type"] != "code" or not source(cell).strip():
                    continue
                run = self.run(source(cell), "cell %d (%s)" % (i, cell.get("id")))
                for name, outcome, text in outcomes(run):
                    self.shipped[name] = (outcome, text)
        except BaseException:
            self.close()
            raise

    def run(self, code, what):
        run = execute(self.kc, code, timeout=CELL_TIMEOUT)
        assert run.status == "ok" and not run.error, "%s %s failed:\n%s\n-> %s" % (
            self.path.name, what, code[:300], run.error_text() if run.error else run)
        return run

    def check(self, ex, task_source, what):
        """Put task_source in the task cell, run it and the check; return the check's (outcome, text)."""
        self.run(task_source, "task ex-%s replaced by %s" % (ex["name"], what))
        run = self.run(source(ex["check"][1]), "check ex-%s-check after %s" % (ex["name"], what))
        got = [(o, t) for n, o, t in outcomes(run) if n == ex["name"]]
        assert len(got) == 1, "%s ex-%s-check published %d results named %r: %s" % (
            self.path.name, ex["name"], len(got), ex["name"], outcomes(run))
        return got[0]

    def close(self):
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def sessions():
    opened = {}

    broken = {}

    def get(path):
        if path in broken:
            pytest.fail("%s could not be run as shipped (see the first failure): %s" % (path.name, broken[path]))
        if path not in opened:
            try:
                opened[path] = Session(path)
            except Exception as e:
                broken[path] = str(e).splitlines()[0]
                raise
        return opened[path]

    yield get
    for s in opened.values():
        s.close()


def ex_id(ex):
    return "%s:%s" % (ex["path"].name[:2], ex["name"])


@pytest.mark.parametrize("ex", ALL or [None], ids=lambda e: ex_id(e) if e else "none")
def test_exercise_cells_follow_the_convention(ex):
    """Task, folded Markdown solution with one go block, check calling rt.Check with the exercise's name."""
    where = "%s ex-%s" % (ex["path"].name, ex["name"])
    i, task = ex["task"]
    assert task["cell_type"] == "code" and "exercise" in task["metadata"].get("tags", []), where
    assert ex["solution"], "%s: no ex-%s-solution cell" % (where, ex["name"])
    assert ex["check"], "%s: no ex-%s-check cell" % (where, ex["name"])
    si, sol = ex["solution"]
    ci, chk = ex["check"]
    assert i < si < ci, "%s: the order must be task, solution, check (cells %d, %d, %d)" % (where, i, si, ci)
    assert sol["cell_type"] == "markdown", "%s: the worked solution must be Markdown, so it never runs" % where
    assert "solution" in sol["metadata"].get("tags", []), where
    text = source(sol)
    assert "<details>" in text and "</details>" in text, "%s: the solution must be folded in <details>" % where
    solution_code(ex)
    assert chk["cell_type"] == "code" and "check" in chk["metadata"].get("tags", []), where
    assert 'rt.Check("%s"' % ex["name"] in source(chk), "%s: the check must call rt.Check(%r, ...)" % (where, ex["name"])
    assert sorted(WRONG.joinpath(ex["name"]).glob("*.go")), (
        "%s: no typical wrong answer in tests/data/exercises/%s/*.go" % (where, ex["name"]))


def test_every_wrong_answer_belongs_to_an_exercise():
    names = {ex["name"] for ex in ALL}
    stray = [d.name for d in WRONG.iterdir() if d.is_dir() and d.name not in names] if WRONG.is_dir() else []
    assert not stray, "tests/data/exercises has answers for exercises no notebook has: %s" % stray


@pytest.mark.parametrize("path", EX_NOTEBOOKS or [None], ids=lambda p: p.name if p else "none")
def test_shipped_notebook_runs_clean_and_every_check_is_unsolved(sessions, path):
    s = sessions(path)
    for ex in s.exercises:
        assert ex["name"] in s.shipped, "%s: ex-%s-check published no check result" % (path.name, ex["name"])
        outcome, text = s.shipped[ex["name"]]
        assert outcome == "unsolved", "%s ex-%s as shipped: check says %s, want unsolved:\n%s" % (
            path.name, ex["name"], outcome, text)


@pytest.mark.parametrize("ex", ALL or [None], ids=lambda e: ex_id(e) if e else "none")
def test_worked_solution_passes(sessions, ex):
    outcome, text = sessions(ex["path"]).check(ex, solution_code(ex), "the worked solution")
    assert outcome == "pass", "%s ex-%s with the worked solution: %s, want pass:\n%s" % (
        ex["path"].name, ex["name"], outcome, text)


WRONG_CASES = [(ex, f) for ex in ALL for f in sorted(WRONG.joinpath(ex["name"]).glob("*.go"))]


@pytest.mark.parametrize("ex,answer", WRONG_CASES or [(None, None)],
                         ids=lambda v: (ex_id(v) if isinstance(v, dict) else v.stem) if v else "none")
def test_wrong_answer_fails(sessions, ex, answer):
    code = answer.read_text()
    assert code.startswith("//"), "%s: the first line must be a comment saying what mistake it represents" % answer
    outcome, text = sessions(ex["path"]).check(ex, code, answer.name)
    assert outcome == "fail", "%s ex-%s with %s (%s): %s, want fail:\n%s" % (
        ex["path"].name, ex["name"], answer.name, code.splitlines()[0], outcome, text)
    # A wrong answer is told why: at least one reason line.
    assert "✗" in text, "%s ex-%s with %s failed without a reason:\n%s" % (ex["path"].name, ex["name"], answer.name, text)
