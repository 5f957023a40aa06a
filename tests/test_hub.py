"""A class on one JupyterHub: N learners log in, start their servers and run a workshop notebook at the same time.

This is the shape Zero to JupyterHub gives a class, on one machine: Debian's JupyterHub 3 on 127.0.0.1 (random
free ports) with its configurable-http-proxy, the DummyAuthenticator (any password) and the LocalProcessSpawner,
which starts each learner's single-user server (Debian's classic Notebook server wrapped by
jupyterhub-singleuser) as that learner's own Unix user. The learners are throw-away users corelab-learner1..N,
created with useradd (idempotently) and removed afterwards with their homes; the corelab binary and its kernelspec
are installed into a temporary prefix that every server sees through JUPYTER_PATH, and the workshop notebooks are
copied into each home, as the Docker image's start hook does.

Each learner, concurrently and only through HTTP and websockets as a browser would:
  1. logs in with the hub's login form (POST /hub/login) and keeps its cookies,
  2. asks the hub's REST API for an API token of its own (cookie-authenticated, as the hub's token page does),
  3. starts its server (POST /hub/api/users/NAME/server) and waits on the hub's progress event stream for "ready",
  4. starts a corelab kernel through its server's REST API and runs every code cell of NOTEBOOK over the kernel's
     websocket (/user/NAME/api/kernels/ID/channels), as JupyterLab does.

Meanwhile a sampler reads /proc ten times a second and sums, per learner (per Unix uid), the resident memory of
every process it owns: the single-user server, the kernel, its evaluator and any worker processes. CPU seconds per
learner are utime+stime of those processes plus what they collected from children that exited (cutime+cstime),
read when the notebook has finished. The table goes to the terminal summary and to .build/hub-run.txt (or
$CORELAB_HUB_REPORT); README's "Running a class" derives its capacity table from it.

NOTEBOOK is 00-your-machine: the first notebook a class runs together, all at once, in the first minutes; it
runs every model including worker processes, and takes a few seconds alone. Needs root (useradd, setuid
spawning) and JupyterHub with its proxy (Debian: jupyterhub, node-configurable-http-proxy). Without them the test
skips, saying why; under CI (CI=true) as root it fails instead.
"""

import asyncio
import fcntl
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import nbformat
import pytest

from conftest import KERNEL_NAME, ROOT, settles

LEARNERS = int(os.environ.get("CORELAB_HUB_LEARNERS", "5"))
NOTEBOOK = ROOT / "notebooks" / "00-your-machine.ipynb"
PREFIX_NAME = "corelab-learner"
REPORT = Path(os.environ.get("CORELAB_HUB_REPORT") or ROOT / ".build" / "hub-run.txt")
CELL_TIMEOUT = 120
RESULTS = {}  # learner -> dict of measurements, for the table


def unavailable():
    """Why a hub cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root: learners are real Unix users (useradd) and the LocalProcessSpawner switches to them"
    try:
        import jupyterhub  # noqa: F401
        import tornado.websocket  # noqa: F401
    except ImportError as e:
        return "JupyterHub is not installed for %s (Debian: jupyterhub): %s" % (sys.executable, e)
    for tool in ("jupyterhub", "configurable-http-proxy", "jupyterhub-singleuser", "useradd", "userdel"):
        if not shutil.which(tool):
            return "%s is not on PATH (Debian: jupyterhub, node-configurable-http-proxy, passwd)" % tool
    return None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def learner_names():
    return ["%s%d" % (PREFIX_NAME, k) for k in range(1, LEARNERS + 1)]


def user_processes(uid):
    """Pids of the live processes owned by uid."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat("/proc/" + entry).st_uid == uid:
                pids.append(int(entry))
        except FileNotFoundError:
            pass
    return pids


def remove_user(name):
    """Stop what the learner still runs (its server and kernels, started by this test) and delete the user."""
    try:
        uid = pwd.getpwnam(name).pw_uid
    except KeyError:
        return
    if uid < 1000:  # never a system account, whatever its name
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in user_processes(uid):
            if pid > 1:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
        if not settles(lambda: user_processes(uid), lambda p: not p, timeout=10):
            break
    subprocess.run(["userdel", "-r", name], capture_output=True)


@pytest.fixture(scope="module")
def learners():
    why = unavailable()
    if why:
        if os.environ.get("CI") == "true" and os.geteuid() == 0:
            pytest.fail("CI=true as root, but " + why)
        pytest.skip(why)
    names = learner_names()
    # The learners' names are fixed (so a crashed run's users are reused, then removed); two runs on one machine
    # (two worktrees' make test) take turns instead of deleting each other's users.
    lock = open("/tmp/corelab-hub-test.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    try:
        for name in names:
            try:
                pwd.getpwnam(name)
            except KeyError:
                subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True)
            home = Path(pwd.getpwnam(name).pw_dir)
            home.mkdir(exist_ok=True)
            # The notebooks in each home, as the image's start hook puts them there.
            dest = home / "notebooks"
            dest.mkdir(exist_ok=True)
            for nb in (ROOT / "notebooks").glob("*.ipynb"):
                shutil.copy(nb, dest / nb.name)
            u = pwd.getpwnam(name)
            for p in [home, dest] + list(dest.iterdir()):
                os.chown(p, u.pw_uid, u.pw_gid)
        yield {name: pwd.getpwnam(name).pw_uid for name in names}
    finally:
        for name in names:
            remove_user(name)
        lock.close()  # releases the lock


def install_prefix(work):
    """The corelab binary and its kernelspec in work/prefix, readable by every learner: the prefix."""
    os.chmod(work, 0o755)  # the learners' servers read the prefix below
    prefix = work / "prefix"
    (prefix / "bin").mkdir(parents=True)
    binary = prefix / "bin" / "corelab"
    shutil.copy(os.environ["CORELAB_BIN"], binary)
    subprocess.run([str(binary), "install", "--prefix", str(prefix)], check=True, capture_output=True)
    for d, _, files in os.walk(prefix):
        os.chmod(d, 0o755)
        for f in files:
            os.chmod(os.path.join(d, f), 0o755 if f == "corelab" else 0o644)
    return prefix


@pytest.fixture(scope="module")
def hub(learners):
    """A running JupyterHub on 127.0.0.1: its public URL. Stopped (and its servers with it) afterwards."""
    work = Path(tempfile.mkdtemp(prefix="corelab-hub-"))
    try:
        prefix = install_prefix(work)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise

    port, hub_port, api_port = free_port(), free_port(), free_port()
    config = work / "jupyterhub_config.py"
    config.write_text("\n".join([
        "c = get_config()  # noqa",
        "c.JupyterHub.ip = '127.0.0.1'",
        "c.JupyterHub.port = %d" % port,
        "c.JupyterHub.hub_ip = '127.0.0.1'",
        "c.JupyterHub.hub_port = %d" % hub_port,
        "c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:%d'" % api_port,
        "c.ConfigurableHTTPProxy.pid_file = %r" % str(work / "proxy.pid"),
        "c.JupyterHub.db_url = 'sqlite:///%s'" % (work / "jupyterhub.sqlite"),
        "c.JupyterHub.cookie_secret_file = %r" % str(work / "cookie_secret"),
        "c.JupyterHub.cleanup_servers = True",
        "c.JupyterHub.authenticator_class = 'jupyterhub.auth.DummyAuthenticator'",
        "c.Authenticator.allowed_users = %r" % set(learners),
        "c.JupyterHub.spawner_class = 'jupyterhub.spawner.LocalProcessSpawner'",
        "c.Spawner.notebook_dir = '~/notebooks'",
        "c.Spawner.start_timeout = 90",
        "c.Spawner.http_timeout = 90",
        "c.Spawner.environment = %r" % {
            "JUPYTER_PATH": str(prefix / "share" / "jupyter"),
            "JUPYTERHUB_SINGLEUSER_APP": "notebook.notebookapp.NotebookApp",
        },
    ]) + "\n")
    log = open(work / "jupyterhub.log", "w")
    # Debian's proxy finds its modules in /usr/share/nodejs, which Debian's own node searches; a Node from
    # elsewhere (NodeSource's, as on these machines) does not, unless NODE_PATH says so.
    env = dict(os.environ, NODE_PATH=":".join(p for p in ("/usr/share/nodejs", os.environ.get("NODE_PATH")) if p))
    proc = subprocess.Popen(["jupyterhub", "-f", str(config)], cwd=work, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)
    url = "http://127.0.0.1:%d" % port
    try:
        wait_ready(url, proc, work / "jupyterhub.log")
        yield url
    finally:
        # SIGTERM: the hub stops the learners' servers (cleanup_servers) and its proxy, then exits.
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the hub's own session: it and its proxy
            proc.wait()
        log.close()
        if os.environ.get("CORELAB_HUB_KEEP"):
            print("hub files kept in", work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def wait_ready(url, proc, logfile, timeout=90):
    """Poll the hub's API root until it answers (bounded); fail with its log if it exits first."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail("jupyterhub exited with %s:\n%s" % (proc.returncode, logfile.read_text()[-4000:]))
        try:
            with urllib.request.urlopen(url + "/hub/api/", timeout=2) as r:
                if r.status == 200 and "version" in json.load(r):
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            pytest.fail("jupyterhub not ready within %ss:\n%s" % (timeout, logfile.read_text()[-4000:]))
        time.sleep(0.1)


class Sampler:
    """Samples, ten times a second, the summed resident memory of each learner's processes (by uid)."""

    def __init__(self, uids):
        self.uids = uids  # name -> uid
        self.peak = {name: 0 for name in uids}
        self.procs = {name: 0 for name in uids}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)  # owned by this object: close() joins it

    def start(self):
        self.thread.start()
        return self

    def close(self):
        self.stop.set()
        self.thread.join()

    def run(self):
        by_uid = {uid: name for name, uid in self.uids.items()}
        while not self.stop.is_set():
            rss = {name: 0 for name in self.uids}
            count = {name: 0 for name in self.uids}
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    with open("/proc/%s/status" % entry) as f:
                        status = f.read()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                uid = int(fields.get("Uid", "-1").split()[0])
                if uid in by_uid and "VmRSS" in fields:
                    rss[by_uid[uid]] += int(fields["VmRSS"].split()[0]) * 1024
                    count[by_uid[uid]] += 1
            for name in self.uids:
                if rss[name] > self.peak[name]:
                    self.peak[name] = rss[name]
                self.procs[name] = max(self.procs[name], count[name])
            self.stop.wait(0.1)


def rss(uid):
    """Summed VmRSS of uid's live processes, in bytes."""
    total = 0
    for pid in user_processes(uid):
        try:
            with open("/proc/%d/status" % pid) as f:
                total += next((int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:")), 0)
        except OSError:
            pass
    return total


def cpu_seconds(uid):
    """CPU seconds (user+sys) of uid's live processes, plus what they collected from children that ended."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in user_processes(uid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        total += sum(int(v) for v in fields[11:15])  # utime stime cutime cstime (fields 14-17 of proc(5))
    return total / tick


class Learner:
    """One learner's browser: cookies, a token, and requests through the hub's public URL."""

    def __init__(self, name, url):
        from tornado.httpclient import AsyncHTTPClient

        self.name, self.url = name, url
        self.http = AsyncHTTPClient(force_instance=True, defaults={"request_timeout": 120})
        self.cookies = {}
        self.token = None

    async def fetch(self, path, method="GET", body=None, headers=None, **kw):
        h = dict(headers or {})
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if self.token:
            h["Authorization"] = "token " + self.token
        r = await self.http.fetch(self.url + path, method=method, body=body, headers=h, follow_redirects=False,
                                  raise_error=False, **kw)
        for c in r.headers.get_list("Set-Cookie"):
            for k, m in SimpleCookie(c).items():
                self.cookies[k] = m.value
        return r

    async def login(self):
        r = await self.fetch("/hub/login", "POST", urlencode({"username": self.name, "password": "any"}),
                             {"Content-Type": "application/x-www-form-urlencoded"})
        assert r.code == 302 and "jupyterhub-hub-login" in self.cookies, \
            "%s: login gave %s, cookies %s" % (self.name, r.code, list(self.cookies))

    async def get_token(self):
        r = await self.fetch("/hub/api/users/%s/tokens" % self.name, "POST",
                             json.dumps({"note": "corelab classroom test", "expires_in": 900}),
                             {"Referer": self.url + "/hub/token", "Content-Type": "application/json"})
        assert r.code in (200, 201), "%s: token request gave %s %s" % (self.name, r.code, r.body[:300])
        self.token = json.loads(r.body)["token"]

    async def start_server(self):
        r = await self.fetch("/hub/api/users/%s/server" % self.name, "POST", "{}")
        assert r.code in (201, 202), "%s: server start gave %s %s" % (self.name, r.code, r.body[:300])
        if r.code == 201:
            return
        # The hub's progress stream: server-sent events ending with {"ready": true}.
        events = []
        buf = b""

        def chunk(data):
            nonlocal buf
            buf += data
            while b"\n\n" in buf:
                ev, buf = buf.split(b"\n\n", 1)
                for line in ev.decode().splitlines():
                    if line.startswith("data:"):
                        events.append(json.loads(line[5:]))

        await self.fetch("/hub/api/users/%s/server/progress" % self.name, streaming_callback=chunk,
                         request_timeout=120)
        assert events and events[-1].get("ready"), "%s: server not ready: %s" % (self.name, events[-3:])

    async def run_notebook(self, nb):
        """Start a corelab kernel on this learner's server and run nb's code cells over its websocket."""
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        base = "/user/%s/api/kernels" % self.name
        r = await self.fetch(base, "POST", json.dumps({"name": KERNEL_NAME}))
        assert r.code == 201, "%s: kernel start gave %s %s" % (self.name, r.code, r.body[:300])
        kernel = json.loads(r.body)
        session = uuid.uuid4().hex
        ws = await websocket_connect(HTTPRequest(
            self.url.replace("http", "ws", 1) + "%s/%s/channels?session_id=%s" % (base, kernel["id"], session),
            headers={"Authorization": "token " + self.token}))
        errors, info = [], None
        try:
            info = await self.request(ws, session, "kernel_info_request", {})
            for i, cell in enumerate(nb.cells):
                if cell.cell_type != "code" or not cell.source.strip():
                    continue
                reply = await self.request(ws, session, "execute_request", {
                    "code": cell.source, "silent": False, "store_history": True, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True})
                if reply["content"]["status"] != "ok" and "raises-exception" not in cell.metadata.get("tags", []):
                    errors.append("cell %d: %s: %s" % (i, reply["content"].get("ename"), reply["content"].get("evalue")))
                    break
        finally:
            ws.close()
        return kernel, info, errors

    async def request(self, ws, session, msg_type, content):
        """Send one shell request; return its reply once the kernel is idle again for it."""
        msg_id = uuid.uuid4().hex
        await ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": msg_type, "session": session, "username": self.name,
                       "date": datetime.now(timezone.utc).isoformat(), "version": "5.3"},
            "parent_header": {}, "metadata": {}, "content": content, "channel": "shell", "buffers": []}))
        reply, idle = None, False
        while reply is None or not idle:
            raw = await asyncio.wait_for(ws.read_message(), CELL_TIMEOUT)
            assert raw is not None, "%s: the kernel's websocket closed during %s" % (self.name, msg_type)
            if isinstance(raw, bytes):
                continue  # binary frames carry buffers; nothing of ours uses them
            msg = json.loads(raw)
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if msg["channel"] == "shell":
                reply = msg
            elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                idle = True
        return reply

    async def stop_kernel(self, kernel_id):
        await self.fetch("/user/%s/api/kernels/%s" % (self.name, kernel_id), "DELETE")


async def lesson(name, url, uid, nb, class_in):
    """One learner's whole session; returns its measurements."""
    me = Learner(name, url)
    t0 = time.monotonic()
    await me.login()
    await me.get_token()
    await me.start_server()
    ready = time.monotonic()
    server_cpu, server_rss = cpu_seconds(uid), rss(uid)
    # Every learner presses Run All once the whole class is in: the notebooks run at the same time.
    await class_in.wait()
    start = time.monotonic()
    kernel, info, errors = await me.run_notebook(nb)
    end = time.monotonic()
    total_cpu = cpu_seconds(uid)
    procs = len(user_processes(uid))
    await me.stop_kernel(kernel["id"])
    me.http.close()
    return {
        "name": name, "spawn": ready - t0, "start": start, "end": end, "errors": errors, "info": info,
        "server_cpu": server_cpu, "server_rss": server_rss, "cpu": total_cpu, "procs_at_end": procs,
    }


def test_class_on_one_hub(learners, hub):
    nb = nbformat.read(NOTEBOOK, as_version=4)
    sampler = Sampler(learners).start()

    async def all_learners():
        class_in = asyncio.Barrier(len(learners))  # passed once every learner's server is up
        return await asyncio.gather(*(lesson(n, hub, uid, nb, class_in) for n, uid in learners.items()))

    t0 = time.monotonic()
    try:
        results = asyncio.run(asyncio.wait_for(all_learners(), 240))
    finally:
        sampler.close()
    wall = time.monotonic() - t0
    for r in results:
        r["peak_rss"] = sampler.peak[r["name"]]
        r["max_procs"] = sampler.procs[r["name"]]
        RESULTS[r["name"]] = r
    write_report(results, wall)

    for r in results:
        assert not r["errors"], "%s's notebook failed: %s" % (r["name"], r["errors"])
        impl = r["info"]["content"].get("implementation")
        assert impl == KERNEL_NAME, "%s got kernel %r, not corelab" % (r["name"], impl)
        # server + kernel + evaluator at least, all owned by the learner: the spawner really switched users.
        assert r["procs_at_end"] >= 3 and r["peak_rss"] > 0, r
        assert r["cpu"] > r["server_cpu"] > 0, r
    # At the same time: every notebook started before any finished.
    assert max(r["start"] for r in results) < min(r["end"] for r in results), \
        [(r["name"], r["start"], r["end"]) for r in results]


def write_report(results, wall):
    mib = 2**20
    lines = [
        "A class on one hub: %d learners ran %s at the same time on %d cores (%.1f GiB RAM); whole test %.1fs"
        % (len(results), NOTEBOOK.name, os.cpu_count(),
           os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, wall),
        "peak RSS = max over 0.1 s samples of the summed VmRSS of the learner's processes (server, kernel, evaluator,"
        " workers); CPU = utime+stime(+children) from /proc; server = once spawned, before the notebook",
        "%-18s %7s %9s %12s %12s %11s %10s %6s" % ("learner", "spawn", "notebook", "server RSS", "peak RSS",
                                                 "CPU server", "CPU total", "procs"),
    ]
    for r in results:
        lines.append("%-18s %6.1fs %8.1fs %8.1f MiB %8.1f MiB %10.2fs %9.2fs %6d" % (
            r["name"], r["spawn"], r["end"] - r["start"], r["server_rss"] / mib, r["peak_rss"] / mib,
            r["server_cpu"], r["cpu"], r["max_procs"]))
    peaks = [r["peak_rss"] / mib for r in results]
    cpus = [r["cpu"] for r in results]
    span = max(r["end"] for r in results) - min(r["start"] for r in results)
    servers = [r["server_rss"] / mib for r in results]
    lines.append("max peak RSS %.1f MiB, mean %.1f MiB (server alone: max %.1f MiB); max CPU %.2fs, mean %.2fs;"
                 " all notebooks ran within %.1fs"
                 % (max(peaks), sum(peaks) / len(peaks), max(servers), max(cpus), sum(cpus) / len(cpus), span))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
