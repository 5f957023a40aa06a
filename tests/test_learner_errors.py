"""Errors a Python learner understands, through a real Jupyter client (issue 12).

Runtime errors in Go's words at the expression that failed (line:col), tracebacks coloured as ipykernel colours
its own, and a "did you mean" hint under the slips a Python programmer makes. The message texts and positions
are asserted exactly: they are what the learner reads.
"""

import re

import pytest

from conftest import ANSI, clean, execute, start_kernel


@pytest.fixture(scope="module")
def bare():
    """A kernel whose cells import nothing but what they say (hints about imports need that)."""
    km, kc = start_kernel()
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def lab():
    """A kernel with the lab imported as the notebooks import it."""
    km, kc = start_kernel()
    r = execute(kc, 'import (\n\t"fmt"\n\trt "corelab/runtime"\n)\nvar _ = fmt.Sprint')
    assert r.status == "ok", r
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def failed(kc, code):
    r = execute(kc, code, timeout=120)
    assert r.status == "error" and r.error, r
    assert r.content["ename"] == r.error["ename"] and r.content["evalue"] == r.error["evalue"], r
    return r


def where(r):
    """The plain traceback, and the line:col pairs it names for a cell ("cell[3]:2:7" or "In[3]:2:7")."""
    text = clean("\n".join(r.error["traceback"]))
    return text, re.findall(r"\[\d+\]:(\d+):(\d+)", text)


RUNTIME = [
    # (id, code, evalue, line:col of the failing expression)
    ("index-in-loop", "xs := []int{1, 2, 3}\nfor i := 0; i <= 3; i++ {\n\t_ = xs[i]\n}",
     "index i out of range [0:3)", (3, 6)),
    ("index-constant", "ys := []int{1}\n_ = ys\nfmt.Println(ys[5])", "index 5 out of range [0:1)", (3, 13)),
    ("index-in-func", "func get(xs []int) int {\n\ty := 2\n\treturn xs[y]\n}\nget([]int{1})",
     "index y out of range [0:len(xs))", (3, 9)),
    ("nil-map", 'var m map[string]int\n\nm["a"] = 1', "assignment to entry in nil map", (3, 1)),
    ("nil-pointer", "type T struct{ v int }\nvar p *T\n_ = p\nfmt.Println(p.v)",
     "invalid memory address or nil pointer dereference", (4, 13)),
    ("division", "a, b := 7, 0\nfmt.Println(a + 1, a / b)", "integer divide by zero", (2, 20)),
    ("type-assertion", 'var x any = "s"\n_ = x\nn := x.(int)\n_ = n',
     "interface conversion: interface {} is string, not int", (3, 6)),
]


@pytest.mark.parametrize("code, evalue, at", [c[1:] for c in RUNTIME], ids=[c[0] for c in RUNTIME])
def test_runtime_error_in_go_words_at_the_expression(lab, code, evalue, at):
    r = failed(lab, code)
    assert r.error["ename"] == "Panic" and r.error["evalue"] == evalue, r.error_text()
    text, places = where(r)
    assert (str(at[0]), str(at[1])) in places, "%d:%d not named in:\n%s" % (at + (text,))
    assert "reflect" not in text, text  # yaegi's own words stay behind %traceback full
    assert "func literal" not in text, text  # the cells above have none
    assert text.rstrip().splitlines()[-1].startswith("Panic: " + evalue) or "Hint: " in text, text


def test_traceback_is_coloured_and_ename_evalue_are_plain(lab):
    r = failed(lab, "zs := []int{1}\n_ = zs\nzs[4]")
    tb = r.error["traceback"]
    joined = "\n".join(tb)
    assert ANSI.search(joined), tb
    assert "\x1b[0;31mPanic\x1b[0m: index 4 out of range [0:1)" in tb, tb  # the error's name red, as ipykernel
    assert any("\x1b[0;32m" in l and "]:3:1" in l for l in tb), tb  # the cell reference green
    assert any(l.startswith("\x1b[0;31m") and "^^^^^" in l for l in tb), tb  # carets red under zs[4]
    assert not ANSI.search(r.error["ename"] + r.error["evalue"]), r.error


def test_traceback_full_shows_the_interpreter_frames(lab):
    code = "ws := []int{1}\nfor i := 0; i < 3; i++ {\n\t_ = ws[i]\n}"
    r = execute(lab, "%traceback full\n" + code)
    text, _ = where(r)
    assert "reflect: slice index out of range" in text and "func literal" in text, text
    r = execute(lab, "%traceback short\n" + code)
    text, _ = where(r)
    assert "reflect" not in text and "func literal" not in text, text


def test_panic_in_a_goroutine_names_its_line(lab):
    r = execute(lab, "done := make(chan bool)\ngo func() {\n\tdefer close(done)\n\tvar vs []int\n\t_ = vs[3]\n}()\n<-done")
    after = execute(lab, "1")  # a report written as the goroutine ended may reach the next request
    out = clean(r.stderr + after.stderr)
    assert "panic in goroutine: index 3 out of range [0:len(vs))" in out, (r, after)
    assert re.search(r"\[\d+\]:5:6\b", out), out


def test_panic_in_an_rt_run_worker_names_its_line(lab):
    assert execute(lab, "func work(n int) int {\n\tvar zs []int\n\treturn zs[n]\n}").status == "ok"
    r = failed(lab, "rt.Run(rt.GIL, 2, work, 3)")
    assert r.error["evalue"] == "index n out of range [0:len(zs))", r.error_text()
    text, places = where(r)
    assert ("3", "9") in places, text  # zs[n], in the cell that declared work
    assert "called from" in text and "rt.Run(rt.GIL, 2, work, 3)" in text, text


@pytest.mark.parametrize("model", ["Isolates", "Processes"])
def test_panic_in_an_isolate_or_process_names_the_notebooks_line(lab, model):
    """The worker runs a copy of the notebook's declarations; the error names the notebook's cell and line."""
    decl = execute(lab, "func work2(n int) int {\n\tvar zs []int\n\treturn zs[n]\n}")
    assert decl.status == "ok", decl
    r = failed(lab, 'rt.Run(rt.%s, 2, "work2", 3)' % model)
    assert r.error["evalue"] == "index n out of range [0:len(zs))", r.error_text()
    text, places = where(r)
    assert "return zs[n]" in text and ("3", "9") in places, text
    # the notebook's cell that declared work2, not the worker's replay of the declarations (its cell[1])
    assert re.search(r"\[\d+\]:3:9", text) and not re.search(r"\bcell\[1\]:", text), text
    assert "work2" not in text.replace("in work2 ", ""), text  # no "called from" the worker's own lookup of work2


def test_type_error_keeps_the_quotes(lab):
    r = failed(lab, 'rt.Run(rt.GIL, 2, rt.Fib, "34")')
    assert 'cannot use "34" (string) as int' in r.error["evalue"], r.error


def test_assignment_of_several_values_with_a_call(lab):
    code = ("func g() int { return 3 }\nfunc f() string {\n\tvar a, b int\n\ta, b = 5, g()\n"
            "\treturn fmt.Sprint(a, b)\n}\nf()")
    r = execute(lab, code)
    assert r.status == "ok" and r.result == "5 3", r


HINTS = [
    # (id, code, hint, line:col of the error)
    ("for-in", "xs := []int{1}\nfor x in xs:\n\tfmt.Println(x)", "Go loops with range: for _, x := range xs {", (2, 7)),
    ("for-in-range", "for i in range(10):\n\tprint(i)", "Go loops with range: for i := range 10 {", (1, 7)),
    ("range-call", "n := range(10)", "range is not a function in Go: for i := range n { ... } counts i from 0 to n-1", (1, 6)),
    ("print", 'print("a", end="")', 'print in Go: fmt.Println(a, b) (import "fmt"), or fmt.Printf("x = %d\\n", x) to format', (1, 15)),
    ("elif", "if true {\n} elif false {\n}", "Go writes elif as: } else if cond {", (2, 3)),
    ("True", "ok := True", "Go spells it true", (1, 7)),
    ("False", "ok := False", "Go spells it false", (1, 7)),
    ("None", "var p = None", "Go's None is nil (for pointers, slices, maps, channels, funcs, interfaces and errors)", (1, 5)),
    ("def", "def f(x):\n\treturn x", "Go declares a function with func and typed parameters: func f(x int) int { ... }", (1, 5)),
    ("new-variable", "k = 1", "a new variable is declared with := : k := 1", (1, 1)),
    ("missing-import", 'strconv.Itoa(3)', 'add the import: import "strconv"', (1, 1)),
    ("missing-rt", 'rt.Fib(30)', 'add the import: import rt "corelab/runtime"', (1, 1)),
]


@pytest.mark.parametrize("code, hint, at", [h[1:] for h in HINTS], ids=[h[0] for h in HINTS])
def test_hint_for_a_python_slip(bare, code, hint, at):
    r = failed(bare, code)
    tb = r.error["traceback"]
    assert clean(tb[-1]) == "Hint: " + hint, tb
    assert "\x1b[" in tb[-1], tb  # coloured like the rest
    text, places = where(r)
    assert (str(at[0]), str(at[1])) in places, "%d:%d not named in:\n%s" % (at + (text,))


def test_no_hint_for_a_go_mistake(bare):
    r = failed(bare, 'var y int\ny = "34"')
    assert not any("Hint:" in clean(l) for l in r.error["traceback"]), r.error
    assert '"34"' in r.error["evalue"], r.error  # quotes kept in type errors


def test_runtime_hint_names_the_nil_value(lab):
    r = failed(lab, 'var scores map[string]int\nscores["ann"] = 3')
    assert clean(r.error["traceback"][-1]) == (
        "Hint: scores is a nil map: make it before writing to it, scores = map[string]int{} (or make(map[string]int))"
    ), r.error["traceback"]


def test_panic_in_a_go_statement_under_isolates_names_the_notebooks_line(lab):
    """`go work(3)` under %mode isolates runs in a new isolate; its panic is reported on stderr when it happens."""
    import queue
    import time

    assert execute(lab, "func work3(n int) int {\n\tvar zs []int\n\treturn zs[n]\n}").status == "ok"
    r = execute(lab, "%mode isolates\ngo work3(3)")
    text = clean(r.stderr)
    deadline = time.monotonic() + 60
    while "go work3 in isolate" not in text and time.monotonic() < deadline:
        try:  # the report comes when the isolate's call ends, perhaps after the cell's idle
            msg = lab.get_iopub_msg(timeout=1)
        except queue.Empty:
            continue
        if msg["msg_type"] == "stream":
            text += clean(msg["content"]["text"])
    execute(lab, "%mode gil")
    assert re.search(r"go work3 in isolate \d+: index n out of range \[0:len\(zs\)\)\n", text), text
    assert re.search(r"  at \S+\[\d+\]:3:9\n", text) and "return zs[n]" in text, text
    assert not re.search(r"(?m)^panic: ", text), text
