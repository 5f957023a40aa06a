"""The image's start hook (docker/corelab-workshop) puts the workshop into a learner's home, and a later
start with a new image updates it without overwriting what the learner edited.

The hook is the very script the Dockerfile installs into /usr/local/bin/before-notebook.d/; here it runs
with a temporary HOME and the repository's real notebooks as the shipped workshop, as start.sh would run it.
"""

import hashlib
import json
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

HOOK = ROOT / "docker" / "corelab-workshop"
SHIPPED = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))


def ship(tmp_path):
    """The image's read-only workshop: the notebooks and what they link to, as the Dockerfile copies them."""
    src = tmp_path / "opt-corelab-workshop"
    src.mkdir()
    for name in SHIPPED:
        shutil.copy(ROOT / "notebooks" / name, src / name)
    shutil.copytree(ROOT / "notebooks" / "images", src / "images")
    return src


def start(tmp_path, src, home, **extra):
    """One container start: run the hook as start.sh does (executed, not sourced) and return its result."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NB_", "CORELAB_WORKSHOP"))}
    env.update(HOME=str(home), CORELAB_WORKSHOP_SOURCE=str(src), **extra)
    return subprocess.run([str(HOOK)], env=env, capture_output=True, text=True, timeout=60)


def edit(path, text):
    nb = json.loads(path.read_text())
    nb["cells"][0]["source"] = text
    path.write_text(json.dumps(nb))


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_hook_is_executable_and_not_sourced():
    # run-hooks.sh sources *.sh files into start.sh's own shell, where an `exit` would end the container start
    assert os.access(HOOK, os.X_OK)
    assert not HOOK.name.endswith(".sh")


def test_first_start_copies_the_workshop(tmp_path):
    src, home = ship(tmp_path), tmp_path / "home"
    home.mkdir()
    r = start(tmp_path, src, home)
    assert r.returncode == 0, r.stderr
    dest = home / "corelab-workshop"
    assert sorted(p.name for p in dest.glob("*.ipynb")) == SHIPPED
    for name in SHIPPED:
        assert (dest / name).read_bytes() == (src / name).read_bytes()
    assert (dest / "images" / "gil-place.svg").is_file()
    assert "copied the workshop" in r.stderr
    # the learner can edit what was copied, although the image's copy is read-only
    os.chmod(src / SHIPPED[0], 0o444)
    assert os.access(dest / SHIPPED[0], os.W_OK)


def test_second_start_keeps_an_edit_and_delivers_the_new_version_beside_it(tmp_path):
    src, home = ship(tmp_path), tmp_path / "home"
    home.mkdir()
    assert start(tmp_path, src, home).returncode == 0
    dest = home / "corelab-workshop"
    edited, untouched = dest / SHIPPED[1], dest / SHIPPED[2]
    edit(edited, "my answer")
    mine = edited.read_bytes()
    (dest / "scratch.ipynb").write_text("{}")  # a notebook of the learner's own

    # A new image: both notebooks changed upstream.
    edit(src / SHIPPED[1], "new lesson text")
    edit(src / SHIPPED[2], "another new lesson text")
    r = start(tmp_path, src, home)
    assert r.returncode == 0, r.stderr

    assert edited.read_bytes() == mine, "the learner's edit was overwritten"
    beside = list(dest.glob(edited.stem + ".new-*.ipynb"))
    assert len(beside) == 1, sorted(p.name for p in dest.iterdir())
    assert beside[0].read_bytes() == (src / SHIPPED[1]).read_bytes()
    assert untouched.read_bytes() == (src / SHIPPED[2]).read_bytes(), "an unedited notebook was not updated"
    assert (dest / "scratch.ipynb").read_text() == "{}"
    assert "kept your edited " + SHIPPED[1] in r.stderr and beside[0].name in r.stderr, r.stderr
    assert "updated " + SHIPPED[2] in r.stderr, r.stderr
    updates = (dest / "UPDATES.txt").read_text()
    assert beside[0].name in updates and SHIPPED[2] in updates

    # A third start with the same image changes nothing and says nothing.
    before = {p: digest(p) for p in dest.rglob("*") if p.is_file()}
    r = start(tmp_path, src, home)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert {p: digest(p) for p in dest.rglob("*") if p.is_file()} == before


def test_a_deleted_notebook_comes_back(tmp_path):
    src, home = ship(tmp_path), tmp_path / "home"
    home.mkdir()
    assert start(tmp_path, src, home).returncode == 0
    gone = home / "corelab-workshop" / SHIPPED[0]
    gone.unlink()
    r = start(tmp_path, src, home)
    assert r.returncode == 0, r.stderr
    assert gone.read_bytes() == (src / SHIPPED[0]).read_bytes()
    assert "restored" in r.stderr


def test_no_shipped_workshop_is_not_an_error(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    r = start(tmp_path, tmp_path / "absent", home)
    assert r.returncode == 0 and "nothing to do" in r.stderr
    assert not (home / "corelab-workshop").exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the root path of start.sh needs root (CI runs as root)")
def test_as_root_it_writes_into_the_users_home_owned_by_the_user(tmp_path):
    # start.sh runs before-notebook.d as root when the container starts as root, with HOME=/root; the
    # workshop must land in NB_USER's home, owned by NB_UID:NB_GID.
    src = ship(tmp_path)
    dest = tmp_path / "home" / "learner" / "corelab-workshop"
    r = start(tmp_path, src, tmp_path / "root-home", NB_USER="learner", NB_UID="65534", NB_GID="65534",
              CORELAB_WORKSHOP_DIR=str(dest))
    assert r.returncode == 0, r.stderr
    assert (dest / SHIPPED[0]).is_file()
    for p in [dest, *dest.rglob("*")]:
        st = p.stat()
        assert (st.st_uid, st.st_gid) == (65534, 65534), p
