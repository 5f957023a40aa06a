"""A Python learner's first `v, ok := d["k"]` (notebook 00's Go crib teaches it), through a real kernel and a
real Jupyter client: the comma-ok forms at a cell's top level, each in a cell of its own as a learner types them.
"""

import pytest

from conftest import execute, start_kernel


def ok(kc, code, timeout=60):
    r = execute(kc, code, timeout=timeout)
    assert r.status == "ok", r
    return r


@pytest.fixture(scope="module")
def kc():
    km, kc = start_kernel()
    ok(kc, 'import "fmt"')
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def test_missing_key(kc):
    ok(kc, 'd := map[string]int{"a": 1}')
    ok(kc, 'v, ok := d["b"]')
    assert ok(kc, "fmt.Println(v, ok)").stdout == "0 false\n"


def test_present_key_and_its_type(kc):
    ok(kc, 'ages := map[string]int{"ann": 31}')
    ok(kc, 'age, found := ages["ann"]')
    assert ok(kc, 'fmt.Printf("%T %v %v\\n", age, age, found)').stdout == "int 31 true\n"


def test_type_assertion_that_fails_is_false_not_a_panic(kc):
    ok(kc, "var x any = 3")
    r = ok(kc, "s, isString := x.(string)")
    assert r.error is None, r
    assert ok(kc, 'fmt.Printf("%q %v\\n", s, isString)').stdout == '"" false\n'


def test_receive_from_a_closed_channel(kc):
    ok(kc, 'ch := make(chan string, 1)\nch <- "hi"\nclose(ch)')
    ok(kc, "g, open := <-ch")
    ok(kc, "g2, open2 := <-ch")
    assert ok(kc, 'fmt.Printf("%q %v %q %v\\n", g, open, g2, open2)').stdout == '"hi" true "" false\n'


def test_error_names_the_learners_line_and_column(kc):
    r = execute(kc, 'n := 1\nv, ok := d[nope]\n_, _, _ = n, v, ok')
    assert r.status == "error", r
    text = r.error_text()
    assert "undefined: nope" in text, text
    assert "2:12" in text, text
