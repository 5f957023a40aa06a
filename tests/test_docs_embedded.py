"""Shift-Tab shows real documentation from a corelab binary that has no Go sources and no Go toolchain.

This is the Binder / JupyterHub image's situation: the binary sits in /usr/local/bin, no GOROOT, no module
cache, no checkout. The binary is copied into an empty directory and started as a kernel through
jupyter_client with no `go` on PATH, no GOROOT, empty GOPATH/GOMODCACHE/GOFLAGS and an empty HOME; and
since this machine does have Go, its GOROOT is hidden from the kernel by an empty directory mounted over
it in a private mount namespace (unshare -m), so the only documentation left is what the binary embeds.
"""

import json
import os
import shutil
import subprocess

import pytest
from jupyter_client.manager import KernelManager

from conftest import execute

SANDBOX = 'mount --bind "$0" "$1" && shift && exec "$@"'  # $0 over $1, then the command


def goroot():
    return subprocess.run(["go", "env", "GOROOT"], capture_output=True, text=True, check=True).stdout.strip()


def can_hide(path, empty):
    r = subprocess.run(["unshare", "-m", "--", "/bin/sh", "-c", SANDBOX, str(empty), path, "/bin/true"],
                       capture_output=True)
    return r.returncode == 0


@pytest.fixture(scope="module")
def bare_kernel(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bare")
    empty, home, gopath, cache, where = (tmp / n for n in ("empty", "home", "gopath", "gomodcache", "bin"))
    for d in (empty, home, gopath, cache, where):
        d.mkdir()
    binary = where / "corelab"
    shutil.copy(os.environ["CORELAB_BIN"], binary)
    root = goroot()
    if not can_hide(root, empty):
        pytest.skip("cannot hide GOROOT (needs unshare -m: root, or user namespaces)")

    # Inside the sandbox: GOROOT's sources are gone and there is no go to ask.
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "GOPATH": str(gopath),
        "GOMODCACHE": str(cache),
        "GOFLAGS": "",
        "LANG": "C.UTF-8",
    }
    probe = subprocess.run(
        ["unshare", "-m", "--", "/bin/sh", "-c", SANDBOX, str(empty), root, "/bin/sh", "-c",
         'command -v go || ls "$0/src/strings" || echo hidden', root],
        env=env, capture_output=True, text=True, cwd=where,
    )
    assert probe.stdout.strip() == "hidden", probe

    spec_dir = tmp / "kernels" / "corelab-bare"
    spec_dir.mkdir(parents=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": ["unshare", "-m", "--", "/bin/sh", "-c", SANDBOX, str(empty), root, str(binary),
                 "kernel", "-f", "{connection_file}"],
        "display_name": "corelab without sources",
        "language": "go",
        "interrupt_mode": "message",
    }))
    km = KernelManager(kernel_name="corelab-bare")
    km.kernel_spec_manager.kernel_dirs = [str(tmp / "kernels")]
    km.start_kernel(env=env, cwd=str(where))
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    yield kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def inspect(kc, code):
    kc.inspect(code, len(code))
    reply = kc.get_shell_msg(timeout=30)["content"]
    assert reply["status"] == "ok" and reply["found"], (code, reply)
    return reply["data"]["text/plain"]


def test_runtime_docs_without_sources(bare_kernel):
    kc = bare_kernel
    r = execute(kc, 'import rt "corelab/runtime"')
    assert r.status == "ok", r
    text = inspect(kc, "rt.Compare")
    # the signature and the doc comment, not only the signature
    assert "func Compare(models []Model, workers int, fn any, args ...any) *Comparison" in text, text
    assert "rt.Compare(nil, 2, rt.Fib, 32)" in text, text


def test_standard_library_docs_without_sources(bare_kernel):
    kc = bare_kernel
    assert execute(kc, 'import "strings"').status == "ok"
    text = inspect(kc, "strings.ToUpper")
    assert "func ToUpper(s string) string" in text, text
    assert "ToUpper returns s with all Unicode letters mapped to their upper case." in text, text
    # a method, through a variable of a standard-library type
    assert execute(kc, "var sb strings.Builder").status == "ok"
    text = inspect(kc, "sb.WriteString")
    assert "WriteString appends the contents of s to b's buffer." in text, text
    # a builtin
    assert "The len built-in function returns the length of v" in inspect(kc, "len"), "no builtin doc"


def test_display_docs_without_sources(bare_kernel):
    kc = bare_kernel
    assert execute(kc, 'import "corelab/display"').status == "ok"
    text = inspect(kc, "display.HTML")
    assert "func HTML(s string)" in text and "HTML displays an HTML fragment." in text, text


def runtime_examples():
    """The Example functions of corelab/runtime's tests, as (func name, the rt name they document)."""
    import re

    from conftest import ROOT

    found = []
    for f in sorted((ROOT / "runtime").glob("*_test.go")):
        for m in re.finditer(r"^func Example(\w+)\(\)", f.read_text(), re.M):
            # ExampleCompare and ExampleCompare_twoModels document Compare; ExampleReport_Text is a
            # method's, shown on a value of that type, not here
            name, _, suffix = m.group(1).partition("_")
            if name and name[0].isupper() and not suffix[:1].isupper():
                found.append(("Example" + m.group(1), name))
    return found


def test_runtime_examples_without_sources(bare_kernel):
    examples = runtime_examples()
    if not examples:
        pytest.skip("corelab/runtime has no Example functions yet")
    kc = bare_kernel
    assert execute(kc, 'import rt "corelab/runtime"').status == "ok"
    for func, name in examples:
        text = inspect(kc, "rt." + name)
        assert "\n\nExample" in text, "%s is not shown under rt.%s:\n%s" % (func, name, text)
