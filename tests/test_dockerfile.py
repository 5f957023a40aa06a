"""The Dockerfile (the Binder / JupyterHub image) meets what Binder and the workshop need.

No Docker engine runs in CI, so this reads the file: pinned base images, Go matching go.mod, a uid-1000
user, the shared install script in both stages, notebooks owned by that user, a command Binder can replace.
tests/test_install_script.py then runs the very install commands found here.
"""

import re
import shlex

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


def test_go_build_stage_matches_go_mod():
    build = stages()[0]
    assert build["image"].startswith("golang:"), build["image"]
    tag = build["image"].split(":", 1)[1]
    assert re.match(r"\d+\.\d+\.\d+", tag), "pin the Go patch release, not " + tag
    assert tag.startswith(go_mod_version() + "."), "golang image %s but go.mod says go %s" % (tag, go_mod_version())
    assert any(r.startswith("scripts/install.sh build ") for r in runs(build)), "build stage must use scripts/install.sh"


def test_final_stage_is_a_jupyter_image_with_user_1000():
    final = stages()[-1]
    assert re.match(r"(quay\.io/)?jupyter/[\w-]+-notebook:", final["image"]), final["image"]
    variables = args_of(final)
    users = [expand(rest, variables) for word, rest in final["body"] if word == "USER"]
    assert users, "the final stage must set USER"
    assert users[-1] in ("1000", variables.get("NB_USER")), "last USER is %s, Binder needs uid 1000" % users[-1]
    assert variables.get("NB_UID") == "1000"
    assert variables.get("NB_USER"), "Binder reads NB_USER"


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


def test_notebooks_are_copied_owned_by_the_user():
    final = stages()[-1]
    variables = args_of(final)
    copies = [expand(rest, variables) for word, rest in final["body"] if word == "COPY" and "notebooks" in rest]
    assert copies, "notebooks must be copied into the image"
    for c in copies:
        m = re.search(r"--chown=(\S+)", c)
        assert m and m.group(1).split(":")[0] in ("1000", variables.get("NB_USER")), c
        assert shlex.split(c)[-1].startswith("/home/" + variables["NB_USER"]), c


def test_has_a_command_binder_can_replace():
    final = stages()[-1]
    words = [w for w, _ in final["body"]]
    assert "CMD" in words or "ENTRYPOINT" in words
    entry = [rest for w, rest in final["body"] if w == "ENTRYPOINT"]
    # An ENTRYPOINT of our own would have to pass Binder's `jupyter notebook ...` through; keep the base's.
    assert not entry, "keep the base image's ENTRYPOINT (tini), which runs any command Binder passes"


def test_gomaxprocs_is_left_to_the_go_runtime():
    # Go >= 1.25 follows the container's CPU limit by itself; a fixed GOMAXPROCS would hide the real budget.
    text = DOCKERFILE.read_text()
    assert not re.search(r"^\s*ENV\s+.*GOMAXPROCS", text, re.M)
    assert int(go_mod_version().split(".")[1]) >= 25


def test_dockerignore_keeps_the_context_small():
    ignored = (ROOT / ".dockerignore").read_text().split()
    for entry in (".git", "tests/browser/node_modules", "bin"):
        assert entry in ignored, entry
