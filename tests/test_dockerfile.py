"""The Dockerfile (the Binder / JupyterHub image) meets what Binder and the workshop need.

No Docker engine runs in CI, so this reads the file: pinned base images (Go from a mirror, matching go.mod),
the version stamped, a uid-1000 user, the shared install script in both stages, the workshop shipped outside
the home with the start hook that copies it in (tests/test_start_hook.py runs that hook), CPython 3.14 and
3.14t, and the base's entry point kept so that Binder's and JupyterHub's commands still run the hooks.
tests/test_install_script.py then runs the very install commands found here.
"""

import json
import os
import re
import shlex
import subprocess

import pytest

from conftest import ROOT

DOCKERFILE = ROOT / "Dockerfile"


def instructions(text):
    """(instruction, arguments) pairs, with comments dropped and continuation lines joined."""
    out = []
    current = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if current and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        current += stripped
        word, _, rest = current.partition(" ")
        out.append((word.upper(), rest.strip()))
        current = ""
    return out


def stages():
    """The build stages: a list of dicts with the FROM image, the stage name and its instructions."""
    result = []
    for word, rest in instructions(DOCKERFILE.read_text()):
        if word == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else None
            result.append({"image": parts[0], "name": name, "body": []})
        elif result:
            result[-1]["body"].append((word, rest))
        else:
            assert word == "ARG", "only ARG may come before the first FROM, not " + word
    return result


def args_of(stage):
    """ARG defaults declared in a stage."""
    found = {}
    for word, rest in stage["body"]:
        if word == "ARG" and "=" in rest:
            k, _, v = rest.partition("=")
            found[k.strip()] = v.strip()
    return found


def expand(value, variables):
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: variables.get(m.group(1) or m.group(2), m.group(0)), value)


def runs(stage):
    return [rest for word, rest in stage["body"] if word == "RUN"]


def go_mod_version():
    m = re.search(r"^go (\d+\.\d+)", (ROOT / "go.mod").read_text(), re.M)
    return m.group(1)


def test_base_images_are_pinned():
    for stage in stages():
        image = stage["image"]
        assert "@sha256:" in image or re.search(r":[\w][\w.-]*$", image.split("/")[-1]), image + " has no tag"
        tag = image.rsplit(":", 1)[-1]
        assert tag not in ("latest", "stable", "main"), image + " is not pinned"


def test_go_build_stage_matches_go_mod_and_comes_from_a_mirror():
    build = stages()[0]
    # Docker Hub's anonymous pull limit has failed Binder builds; Google's mirror serves the same images.
    assert build["image"].startswith("mirror.gcr.io/library/golang:"), build["image"]
    tag = build["image"].split(":", 1)[1]
    assert re.match(r"\d+\.\d+\.\d+", tag), "pin the Go patch release, not " + tag
    assert tag.startswith(go_mod_version() + "."), "golang image %s but go.mod says go %s" % (tag, go_mod_version())
    assert any(r.startswith("scripts/install.sh build ") for r in runs(build)), "build stage must use scripts/install.sh"


def test_the_version_is_stamped_at_build_time():
    # install.sh stamps $CORELAB_VERSION, else `git describe`: the build stage takes the build arg, the
    # context keeps .git, and the build fails instead of shipping a binary whose `corelab version` says dev.
    build = stages()[0]
    assert any(w == "ARG" and rest.split("=")[0] == "CORELAB_VERSION" for w, rest in build["body"])
    assert ".git" not in (ROOT / ".dockerignore").read_text().split()
    (cmd,) = [r for r in runs(build) if r.startswith("scripts/install.sh build ")]
    assert "corelab dev" in cmd and "exit 1" in cmd, cmd
    script = (ROOT / "scripts" / "install.sh").read_text()
    assert "CORELAB_VERSION" in script and "git -C" in script and "describe" in script


def test_the_header_says_what_binder_runs():
    header = DOCKERFILE.read_text().split("FROM", 1)[0]
    assert "jupyter notebook" not in header, "Binder starts JupyterLab, not `jupyter notebook`"
    assert "JupyterLab" in header


def test_final_stage_is_a_jupyter_image_with_user_1000():
    final = stages()[-1]
    assert re.match(r"(quay\.io/)?jupyter/[\w-]+-notebook:", final["image"]), final["image"]
    # NB_USER, NB_UID and NB_GID come from the Docker Stacks base (ENV jovyan, 1000, 100). An ARG of the same
    # name would only shadow them at build time, never change the user, so none is declared.
    variables = {"NB_USER": "jovyan", "NB_UID": "1000", "NB_GID": "100"}
    declared = [rest.split("=")[0].strip() for w, rest in final["body"] if w == "ARG"]
    assert not {"NB_USER", "NB_UID", "NB_GID"} & set(declared), declared
    users = [expand(rest, variables) for word, rest in final["body"] if word == "USER"]
    assert users, "the final stage must set USER"
    assert users[-1] in ("1000", "jovyan"), "last USER is %s, Binder needs uid 1000" % users[-1]


def test_final_stage_installs_the_kernel_with_the_script():
    final = stages()[-1]
    copied = [rest for word, rest in final["body"] if word == "COPY" and "--from=" in rest]
    assert copied, "the binary must come from the build stage"
    binary = shlex.split(copied[0])[-1]
    installs = [r for r in runs(final) if "install.sh kernelspec" in r]
    assert len(installs) == 1, runs(final)
    words = shlex.split(installs[0].split("&&")[0])
    assert words[1] == "kernelspec" and words[2] == binary, words
    scripts = [shlex.split(rest) for word, rest in final["body"] if word == "COPY" and "scripts/install.sh" in rest]
    assert scripts and scripts[0][-1] == words[0], "the kernelspec step must run the copied scripts/install.sh"
    assert "--sys-prefix" in words or "--user" in words, words


def copies(stage):
    """(sources, destination) of each COPY in a stage, without --from copies."""
    out = []
    for word, rest in stage["body"]:
        if word == "COPY" and "--from=" not in rest:
            words = [w for w in shlex.split(rest) if not w.startswith("--")]
            out.append((words[:-1], words[-1]))
    return out


def test_the_workshop_ships_outside_home_with_what_the_notebooks_link_to():
    # A volume over /home/jovyan (JupyterHub) would hide anything the image put there.
    final = stages()[-1]
    shipped = [(srcs, dst) for srcs, dst in copies(final) if any(s.startswith("notebooks/") for s in srcs)]
    assert shipped, "the notebooks must be in the image"
    for srcs, dst in shipped:
        assert dst.startswith("/opt/corelab/workshop/"), dst
    sources = {s for srcs, _ in shipped for s in srcs}
    assert "notebooks/*.ipynb" in sources
    # every local file a notebook links to (images, reference scripts) is shipped with it
    linked = set()
    for nb in (ROOT / "notebooks").glob("*.ipynb"):
        for cell in json.loads(nb.read_text())["cells"]:
            for m in re.finditer(r"\]\(((?:images|reference)/[^)\s]+)\)", "".join(cell["source"])):
                linked.add(m.group(1).split("/")[0])
    for d in linked:
        assert "notebooks/" + d in sources, "notebooks link into %s/, which the image does not ship" % d
    assert not any(dst.startswith("/home/") for _, dst in copies(final)), "a home volume would hide it"


def test_the_start_hook_is_installed_to_run_on_every_start():
    final = stages()[-1]
    hooks = [dst for srcs, dst in copies(final) if srcs == ["docker/corelab-workshop"]]
    assert len(hooks) == 1, copies(final)
    (hook,) = hooks
    # start.sh's run-hooks executes files without .sh and sources *.sh ones; ours must be executed
    assert hook.startswith("/usr/local/bin/before-notebook.d/") and not hook.endswith(".sh"), hook
    assert any("chmod 0755 " + hook in r for r in runs(final)), "the hook must be executable in the image"
    assert os.access(ROOT / "docker" / "corelab-workshop", os.X_OK)
    text = (ROOT / "docker" / "corelab-workshop").read_text()
    assert "/opt/corelab/workshop" in text and "corelab-workshop" in text


def test_base_runs_start_hooks_before_any_command():
    # Docker Stacks images made start.sh part of the ENTRYPOINT on 2024-01-22 (jupyter/docker-stacks#2087);
    # before that, a command given by Binder or JupyterHub skipped start.sh and so the start hook.
    tag = stages()[-1]["image"].rsplit(":", 1)[-1]
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", tag)
    assert m, "pin the Docker Stacks base by its date tag, not " + tag
    assert tag >= "2024-01-22", tag


def test_has_a_command_binder_can_replace():
    final = stages()[-1]
    words = [w for w, _ in final["body"]]
    assert "CMD" in words or "ENTRYPOINT" in words
    entry = [rest for w, rest in final["body"] if w == "ENTRYPOINT"]
    # The base's ENTRYPOINT (tini -g -- start.sh) runs the before-notebook.d hooks before any command, Binder's
    # and JupyterHub's included; an ENTRYPOINT of our own would lose them.
    assert not entry, "keep the base image's ENTRYPOINT (tini, start.sh), which runs any command Binder passes"


def test_cpython_314_and_free_threaded_314t_from_conda_forge():
    final = stages()[-1]
    (cmd,) = [r for r in runs(final) if "python-freethreading" in r]
    creates = [c.strip() for c in cmd.split("&&") if "create" in c]
    assert len(creates) == 2, creates
    for c in creates:
        assert "-c conda-forge" in c and "--override-channels" in c, c
    assert any('"python=3.14"' in c for c in creates)
    assert any('"python-freethreading=3.14"' in c for c in creates)
    # both on PATH under the names %%python looks for, each checked for its GIL state at build time
    assert "/usr/local/bin/python3.14 " in cmd and "/usr/local/bin/python3.14t " in cmd
    assert "python3.14 -c" in cmd and "sys._is_gil_enabled()" in cmd
    assert "python3.14t -c" in cmd and "not sys._is_gil_enabled()" in cmd


def test_gomaxprocs_is_left_to_the_go_runtime():
    # Go >= 1.25 follows the container's CPU limit by itself; a fixed GOMAXPROCS would hide the real budget.
    text = DOCKERFILE.read_text()
    assert not re.search(r"^\s*ENV\s+.*GOMAXPROCS", text, re.M)
    assert int(go_mod_version().split(".")[1]) >= 25


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in ("tests/browser/node_modules", "bin", ".build"):
        assert entry in ignored, entry


def test_binder_link_opens_where_the_start_hook_puts_the_workshop():
    # corelab binder-url's default labpath is relative to the server's root, the image's WORKDIR (the home),
    # and must name the first notebook inside the folder the hook fills.
    m = re.search(r'DefaultLabPath = "([^"]+)"', (ROOT / "binder" / "binder.go").read_text())
    folder, _, notebook = m.group(1).partition("/")
    hook = (ROOT / "docker" / "corelab-workshop").read_text()
    assert "${CORELAB_WORKSHOP_DIR:-$home/%s}" % folder in hook
    assert (ROOT / "notebooks" / notebook).is_file(), notebook
    final = stages()[-1]
    workdirs = [rest for w, rest in final["body"] if w == "WORKDIR"]
    assert workdirs and workdirs[-1] == "/home/${NB_USER}", workdirs


def test_a_binary_built_from_a_checkout_is_not_dev():
    # What the image's build stage relies on: install.sh build in a git checkout stamps `git describe`.
    if subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True).returncode != 0:
        pytest.skip("not a git checkout")
    out = subprocess.run([os.environ["CORELAB_BIN"], "version"], capture_output=True, text=True, check=True).stdout
    assert out.startswith("corelab ") and not out.startswith("corelab dev "), out
