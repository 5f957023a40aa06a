"""On a fresh Debian machine the README's two commands install what they need when run as root, and otherwise
print the one command that would (scripts/test-deps.sh, which `make test`, `make kernelspec` and
`make workshop` run before anything that needs those packages).

The unprivileged path runs for real, as user nobody (setpriv) when the tests run as root, as CI does.
"""

import os
import shutil
import subprocess
import tempfile

import pytest

from conftest import ROOT

SCRIPT = ROOT / "scripts" / "test-deps.sh"
ABSENT = "corelab-no-such-package"


def installed(package):
    r = subprocess.run(["dpkg-query", "-W", "-f=${Status}", package], capture_output=True, text=True)
    return r.returncode == 0 and "install ok installed" in r.stdout


def unprivileged(args):
    """Run a copy of the script as an unprivileged user, from a directory that user can read."""
    where = tempfile.mkdtemp(prefix="corelab-deps-")
    try:
        os.chmod(where, 0o755)
        os.makedirs(os.path.join(where, "scripts"))
        os.chmod(os.path.join(where, "scripts"), 0o755)
        copy = os.path.join(where, "scripts", "test-deps.sh")
        shutil.copy(SCRIPT, copy)
        os.chmod(copy, 0o755)
        cmd = ["scripts/test-deps.sh"] + args
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"] + cmd
        env = {"PATH": os.environ["PATH"], "LANG": "C.UTF-8", "HOME": where}
        return subprocess.run(cmd, cwd=where, env=env, capture_output=True, text=True, timeout=60)
    finally:
        shutil.rmtree(where)


pytestmark = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="Debian's package tools are needed")


@pytest.mark.parametrize("package_set", ["test", "jupyter", "workshop"])
def test_unprivileged_names_the_missing_package_and_the_one_command(package_set):
    r = unprivileged([package_set, ABSENT])
    assert r.returncode == 1, r
    assert "missing Debian packages:" in r.stderr and ABSENT in r.stderr, r.stderr
    lines = [l for l in r.stderr.splitlines() if "install them with:" in l]
    assert lines and lines[0].endswith("sudo scripts/test-deps.sh %s %s" % (package_set, ABSENT)), r.stderr
    assert "installing" not in r.stdout, "an unprivileged run must not try to install"


def test_unprivileged_with_everything_present_passes():
    if not installed("python3-jupyter-client"):
        pytest.skip("python3-jupyter-client is not a Debian package here")
    r = unprivileged(["jupyter"])
    assert r.returncode == 0, r
    assert "present" in r.stdout


def test_unknown_set_is_a_usage_error():
    r = unprivileged(["everything"])
    assert r.returncode == 2 and "usage:" in r.stderr


def make_plan(target):
    r = subprocess.run(["make", "-n", "--no-print-directory", "-C", str(ROOT), target],
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout.splitlines()


def first(lines, text):
    return next(i for i, l in enumerate(lines) if text in l)


def test_kernelspec_phase_runs_after_its_packages():
    # The fresh-machine failure was `No module named 'jupyter_client'` in the kernelspec phase.
    plan = make_plan("kernelspec")
    assert first(plan, "test-deps.sh jupyter") < first(plan, "install.sh kernelspec"), plan
    plan = make_plan("test")
    assert first(plan, "phase.sh deps scripts/test-deps.sh") < first(plan, "install.sh kernelspec"), plan

