"""Handouts: `corelab run notebooks/*.ipynb --html DIR` executes every workshop notebook with nothing but the
binary and writes self-contained HTML with the figures inline (issue: "Tests check that the HTML contains each
notebook's figures and no error output").

One run with --strip-solutions: the learners' handouts must carry every figure, no error output, nothing
fetched from the network, and no worked solution.
"""

import os
import re
import subprocess
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
# The lessons whose story is a chart (WORKSHOP.md: lanes and per-core usage, speed-up vs workers, start-up
# costs, lateness CDF, throughput, lost updates per variant and policy); 08 is a summary handout.
CHARTED = {"00", "01", "02", "03", "04", "05", "06", "07"}

if not NOTEBOOKS:
    pytestmark = pytest.mark.skip(reason="notebooks/ has no .ipynb files yet: nothing to export")


def svg_figures(nb):
    """How many SVG figures the executed notebook's outputs hold (a bundle counts once: its HTML may embed the
    same SVG that its image/svg+xml carries)."""
    n = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            html = data.get("text/html", "")
            if isinstance(html, list):
                html = "".join(html)
            if "image/svg+xml" in data or "<svg" in html:
                n += 1
    return n


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("handouts")
    html, executed = out / "html", out / "executed"
    binary = os.environ.get("CORELAB_BIN", str(ROOT / "bin" / "corelab"))
    proc = subprocess.run(
        [binary, "run", "--html", str(html), "--output", str(executed), "--strip-solutions",
         *[str(p) for p in NOTEBOOKS]],
        capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == 0, "corelab run failed:\n%s\n%s" % (proc.stdout, proc.stderr)
    return html, executed


@pytest.mark.parametrize("path", NOTEBOOKS or [None], ids=lambda p: p.name if p else "none")
def test_handout_has_every_figure_and_no_error(exported, path):
    html_dir, executed_dir = exported
    page = (html_dir / (path.stem + ".html")).read_text()
    nb = nbformat.read(executed_dir / path.name, as_version=4)

    figures = svg_figures(nb)
    if path.name[:2] in CHARTED:
        assert figures > 0, "%s should show live charts but its executed outputs hold no SVG figure" % path.name
    assert page.count("<svg") >= figures, "%s: %d figures in the notebook, %d <svg> in the handout" % (
        path.name, figures, page.count("<svg"))
    assert 'class="output error"' not in page, "%s: the handout shows an error output" % path.name
    # Self-contained: nothing loaded from elsewhere (links in the prose are fine, loads are not).
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)="https?:', page), path.name
    assert "Worked solution (open it after trying)" not in page, "%s: --strip-solutions left a worked solution in" % path.name


def test_index_lists_every_handout(exported):
    html_dir, _ = exported
    index = (html_dir / "index.html").read_text()
    for path in NOTEBOOKS:
        assert path.stem + ".html" in index, "index.html does not link %s" % path.name
