"""Shared set-up for the Jupyter-side tests of corelab.

These tests talk to the real kernel through real Jupyter clients (jupyter_client, nbclient, nbconvert,
jupyter console, the notebook server). They need a kernelspec named "corelab":

- `make test` (and so CI) builds bin/corelab, installs its kernelspec into a throw-away HOME and runs pytest
  with HOME, JUPYTER_DATA_DIR and CORELAB_BIN pointing there;
- run by hand (`/usr/bin/python3 -m pytest tests`), this file does the same into a temporary directory, using
  scripts/install.sh like everything else.
"""

import os
import queue
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KERNEL_NAME = "corelab"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def pytest_configure(config):
    """Make sure a corelab kernelspec is installed and visible before any test starts a kernel."""
    if os.environ.get("CORELAB_BIN") and os.environ.get("CORELAB_TEST_HOME"):
        return
    home = Path(tempfile.mkdtemp(prefix="corelab-test-home-"))
    go_env = {}
    for var in ("GOCACHE", "GOMODCACHE", "GOPATH"):  # keep Go's caches when HOME moves
        go_env[var] = subprocess.run(
            ["go", "env", var], capture_output=True, text=True, check=True
        ).stdout.strip()
    binary = home / "bin" / "corelab"
    os.environ.update(
        go_env,
        HOME=str(home),
        JUPYTER_DATA_DIR=str(home / ".local/share/jupyter"),
        JUPYTER_CONFIG_DIR=str(home / ".jupyter"),
        JUPYTER_RUNTIME_DIR=str(home / ".local/share/jupyter/runtime"),
        CORELAB_BIN=str(binary),
        CORELAB_TEST_HOME=str(home),
    )
    subprocess.run(
        [str(ROOT / "scripts/install.sh"), "all", str(binary), "--user"], check=True
    )


def clean(text):
    """Text of an output or traceback with terminal colour codes removed."""
    return ANSI.sub("", text)


class Run:
    """Everything one execute request produced, collected from iopub and shell."""

    def __init__(self, reply, messages):
        self.reply = reply
        self.content = reply["content"]
        self.messages = messages  # iopub outputs with this request as parent, in arrival order

    @property
    def status(self):
        return self.content["status"]

    def of_type(self, *types):
        return [m for m in self.messages if m["msg_type"] in types]

    @property
    def stdout(self):
        return "".join(
            m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stdout"
        )

    @property
    def stderr(self):
        return "".join(
            m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stderr"
        )

    @property
    def result(self):
        """text/plain of the execute_result, or None."""
        results = self.of_type("execute_result")
        return results[-1]["content"]["data"].get("text/plain") if results else None

    @property
    def error(self):
        """The error message content, or None."""
        errors = self.of_type("error")
        return errors[-1]["content"] if errors else None

    def error_text(self):
        """ename, evalue and traceback of the error, as one plain string."""
        e = self.error or {}
        parts = [e.get("ename", ""), e.get("evalue", "")] + list(e.get("traceback", []))
        return clean("\n".join(parts))

    def __repr__(self):
        return "Run(status=%r, result=%r, stdout=%r, stderr=%r, error=%r)" % (
            self.status,
            self.result,
            self.stdout[:300],
            self.stderr[:300],
            self.error_text()[:500] if self.error else None,
        )


def execute(kc, code, timeout=60, **kw):
    """Run code through client kc and wait for its reply and its closing status: idle on iopub."""
    return collect(kc, kc.execute(code, **kw), timeout, code)


def collect(kc, msg_id, timeout=60, code=""):
    """Wait for the reply to request msg_id and its closing status: idle on iopub, collecting its outputs."""
    deadline = time.monotonic() + timeout
    reply = None
    messages = []
    idle = False
    while reply is None or not idle:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(
                "no %s within %ss for %r (got %d iopub messages)"
                % ("reply" if reply is None else "idle", timeout, code[:80], len(messages))
            )
        if not idle:
            try:
                msg = kc.get_iopub_msg(timeout=min(left, 0.2))
            except queue.Empty:
                pass
            else:
                if msg["parent_header"].get("msg_id") == msg_id:
                    if msg["msg_type"] == "status":
                        idle = msg["content"]["execution_state"] == "idle"
                    elif msg["msg_type"] != "execute_input":
                        messages.append(msg)
        if reply is None:
            try:
                msg = kc.get_shell_msg(timeout=0 if not idle else min(left, 0.2))
            except queue.Empty:
                pass
            else:
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg
    return Run(reply, messages)


def start_kernel(**kw):
    """A fresh corelab kernel and a ready blocking client."""
    from jupyter_client.manager import start_new_kernel

    return start_new_kernel(kernel_name=KERNEL_NAME, startup_timeout=60, **kw)



def pytest_terminal_summary(terminalreporter):
    """How long each workshop notebook took, on all cores and on one (the notebooks promise well under a minute)."""
    mod = sys.modules.get("test_notebooks")
    timings = getattr(mod, "TIMINGS", None)
    if timings:
        terminalreporter.section("notebook run times")
        for name, cores, secs in timings:
            terminalreporter.write_line("%-42s %-4s cores %6.1fs" % (name, cores, secs))
    quota = sys.modules.get("test_binder_quota")
    if quota and getattr(quota, "ROWS", None) and quota.REPORT.exists():
        terminalreporter.section("notebooks under a Binder-like quota (%s)" % quota.REPORT)
        for line in quota.REPORT.read_text().splitlines():
            terminalreporter.write_line(line)
    hub = sys.modules.get("test_hub")
    if hub and getattr(hub, "RESULTS", None) and hub.REPORT.exists():
        terminalreporter.section("a class on one hub (%s)" % hub.REPORT)
        for line in hub.REPORT.read_text().splitlines():
            terminalreporter.write_line(line)


def fds(km):
    """How many file descriptors the kernel process (not its evaluator) has open."""
    return len(os.listdir("/proc/%d/fd" % km.provisioner.process.pid))


def settles(measure, ok, timeout=30):
    """Wait, within timeout seconds, until measure() satisfies ok; return the last value.

    There is no event for "the kernel has closed a socket" or "memory went back": this polls a condition,
    bounded, and the caller asserts on the value it returns."""
    deadline = time.monotonic() + timeout
    while True:
        v = measure()
        if ok(v) or time.monotonic() > deadline:
            return v
        time.sleep(0.05)
