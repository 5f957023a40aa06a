"""Headless notebook execution with the corelab kernel: nbclient (what `jupyter execute`, papermill and
CI systems use) and `jupyter nbconvert --execute` (the handouts route for people with Jupyter)."""

import subprocess
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from conftest import KERNEL_NAME

SMOKE = Path(__file__).parent / "data" / "smoke.ipynb"


def test_nbclient_runs_smoke_notebook():
    nb = nbformat.read(SMOKE, as_version=4)
    NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=120, startup_timeout=60).execute()
    code = [c for c in nb.cells if c.cell_type == "code"]
    imports, decl, hello, html, svg, upper = code

    for c in code:
        assert not [o for o in c.outputs if o.output_type == "error"], c.source
    assert [c.execution_count for c in code] == list(range(1, len(code) + 1))
    assert imports.outputs == [] and decl.outputs == []

    (out,) = hello.outputs
    assert out.output_type == "stream" and out.name == "stdout"
    assert out.text == "hello, corelab\n"

    (out,) = html.outputs
    assert out.output_type == "display_data"
    assert '<b id="smoke-html">bold from Go</b>' in out.data["text/html"]

    (out,) = svg.outputs
    assert out.output_type == "display_data"
    assert 'id="smoke-svg"' in out.data["image/svg+xml"]

    (out,) = upper.outputs
    assert out.output_type == "execute_result"
    assert "HELLO, NOTEBOOK" in out.data["text/plain"]
    assert out.execution_count == upper.execution_count

    nbformat.validate(nb)  # what we got back is still a valid notebook


def test_nbconvert_execute_to_html(tmp_path):
    subprocess.run(
        [
            sys.executable, "-m", "nbconvert", "--to", "html", "--execute",
            "--ExecutePreprocessor.kernel_name=" + KERNEL_NAME,
            "--ExecutePreprocessor.timeout=120",
            "--output-dir", str(tmp_path), str(SMOKE),
        ],
        check=True,
        timeout=300,
    )
    html = (tmp_path / "smoke.html").read_text()
    assert "hello, corelab" in html
    assert 'id="smoke-html"' in html
    assert 'id="smoke-svg"' in html
    assert "HELLO, NOTEBOOK" in html
