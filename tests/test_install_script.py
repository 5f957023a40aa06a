"""scripts/install.sh, run here exactly as the Dockerfile runs it, into temporary directories.

The Dockerfile cannot be built in CI (no Docker engine), so this is where its install steps are exercised:
the build stage's `install.sh build`, and the final stage's `install.sh kernelspec ... --sys-prefix
--python $CONDA_DIR/bin/python` with a stand-in conda Python. Then jupyter_client must find a kernelspec
that starts this binary.
"""

import json
import os
import shlex
import subprocess

from jupyter_client.kernelspec import KernelSpecManager

from conftest import ROOT
from test_dockerfile import runs, stages

SCRIPT = ROOT / "scripts" / "install.sh"


def dockerfile_command(stage, verb):
    """The words of the Dockerfile's `install.sh VERB ...` command in that stage."""
    (cmd,) = [r.split("&&")[0] for r in runs(stage) if "install.sh " + verb in r]
    return shlex.split(cmd)


def test_build_and_sys_prefix_install_as_in_the_dockerfile(tmp_path):
    build_words = dockerfile_command(stages()[0], "build")
    assert build_words[:2] == ["scripts/install.sh", "build"]
    binary = tmp_path / "out" / "corelab"
    subprocess.run([str(SCRIPT), "build", str(binary)], check=True, timeout=600)
    assert os.access(binary, os.X_OK)
    out = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("corelab "), out

    # The final stage's command, with $CONDA_DIR pointing at a stand-in whose python reports our prefix.
    conda = tmp_path / "conda"
    (conda / "bin").mkdir(parents=True)
    fake_python = conda / "bin" / "python"
    fake_python.write_text("#!/bin/sh\necho %s\n" % shlex.quote(str(conda)))
    fake_python.chmod(0o755)
    words = dockerfile_command(stages()[-1], "kernelspec")
    flags = [w.replace("${CONDA_DIR}", str(conda)) for w in words[3:]]
    subprocess.run([str(SCRIPT), "kernelspec", str(binary)] + flags, check=True, timeout=60)

    kernels = conda / "share" / "jupyter" / "kernels"
    spec_dir = kernels / "corelab"
    spec = json.loads((spec_dir / "kernel.json").read_text())
    assert spec["argv"][0] == str(binary)
    assert spec["argv"][1:] == ["kernel", "-f", "{connection_file}"]
    assert spec["language"] == "go"
    assert spec["interrupt_mode"] == "message"
    for logo in ("logo-32x32.png", "logo-64x64.png"):
        assert (spec_dir / logo).stat().st_size > 0, logo

    found = KernelSpecManager(kernel_dirs=[str(kernels)]).get_kernel_spec("corelab")
    assert found.argv[0] == str(binary)


def test_user_install_honours_jupyter_data_dir(tmp_path):
    binary = os.environ["CORELAB_BIN"]
    data = tmp_path / "data"
    env = dict(os.environ, JUPYTER_DATA_DIR=str(data))
    subprocess.run([str(SCRIPT), "kernelspec", binary, "--user"], check=True, env=env, timeout=60)
    spec = json.loads((data / "kernels" / "corelab" / "kernel.json").read_text())
    assert spec["argv"][0] == os.path.realpath(binary)


def test_usage_errors():
    r = subprocess.run([str(SCRIPT), "nonsense", "x"], capture_output=True, text=True)
    assert r.returncode == 2 and "install.sh build OUT" in r.stderr
    r = subprocess.run([str(SCRIPT), "kernelspec", "/nonexistent/corelab", "--user"], capture_output=True, text=True)
    assert r.returncode != 0 and "not an executable" in r.stderr
