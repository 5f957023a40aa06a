"""Every workshop notebook, run the way Binder runs it: a one-CPU quota and a 2 GiB memory limit, both cores visible.

Binder (and Zero to JupyterHub) give a learner a container whose cgroup allows about one CPU of time per wall
second while runtime.NumCPU and os.cpu_count still see every core of the node. `taskset` (test_notebooks.py's
one-core run) is a different shape: one visible core. Here the kernel, and only the kernel, runs inside a cgroup
v1 groups made for this run:

    /sys/fs/cgroup/cpu/corelab-binder-PID      cpu.cfs_quota_us = cpu.cfs_period_us = 100000 (one CPU)
    /sys/fs/cgroup/memory/corelab-binder-PID   memory.limit_in_bytes = 2 GiB
    /sys/fs/cgroup/cpuacct/corelab-binder-PID  no limit: cpuacct.usage counts each notebook's CPU time

It gets there through its kernelspec: a copy of the installed corelab kernelspec whose argv starts with a shell
that writes its own pid into the groups' cgroup.procs and then execs the kernel, so the kernel, its evaluator and
its worker processes are in the group from their first instruction, and pytest and nbclient are not.

Each notebook must run clean (as in test_notebooks.py), its reports must show a core budget of 1 with GOMAXPROCS 2
(Go ≥ 1.25 derives GOMAXPROCS from the quota but never below 2) and every core visible, and no speed-up above the
budget may stand without the reports' own "not a result" flag. The group's peak memory
(memory.max_usage_in_bytes, reset before each notebook), its memory.failcnt, its CPU time and how often the quota
throttled it are printed in a table at the end of the run and written to .build/binder-quota.txt (or $CORELAB_BINDER_REPORT).

Why a third run of every notebook, beside test_notebooks.py's all-cores and taskset runs: the three shapes take
different paths through the meter and the lessons' text. Pinned with taskset the kernel sees one core (NumCPU 1,
GOMAXPROCS 1, goroutines never overlap); under the quota it sees two (GOMAXPROCS 2, goroutines run in parallel
within a period until the quota is spent) and must still say its budget is 1 and flag every speed-up above it.
Only this run asserts the budget and the claims. On this 2-core machine the nine notebooks took 83 s under the
quota at a quiet moment and 142 s at load average 15 (the taskset run: 256 s at load 18);
CORELAB_NOTEBOOKS_ONE_CORE=0 drops the taskset run if CI time runs short.

Making the groups needs root and cgroup v1 with the cpu, cpuacct and memory controllers. Elsewhere the tests skip, saying
why; under CI (CI=true) as root they fail instead, because there the machine is known to allow it.
"""

import json
import os
import re
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from nbclient import NotebookClient

from conftest import KERNEL_NAME, ROOT, settles
from test_notebooks import NOTEBOOKS, check_outputs

CPU_ROOT = Path("/sys/fs/cgroup/cpu")
MEM_ROOT = Path("/sys/fs/cgroup/memory")
ACCT_ROOT = Path("/sys/fs/cgroup/cpuacct")  # only to count the CPU time each notebook used
MEM_LIMIT = 2 << 30
PERIOD_US = 100000
SPEC_NAME = "corelab-binder"
# A speed-up this much above the budget must carry the reports' flag: the tolerance Comparison.void uses.
TOLERANCE = 1.1
REPORT = Path(os.environ.get("CORELAB_BINDER_REPORT") or ROOT / ".build" / "binder-quota.txt")
ROWS = []  # (notebook, seconds, CPU seconds, peak bytes, failcnt, throttled periods, periods), for the table

# 07's summary prints each server's throughput against the gil server's with no flag when it is above the
# budget ("processes: ... (1.76× the gil server's)" under the quota). Until its notebook says so, the claims
# check for 07 reports the lines and xfails instead of failing; everything else about 07 is still asserted.
KNOWN_CLAIMS = {}


def unavailable():
    """Why the groups cannot be made here, or None."""
    if os.geteuid() != 0:
        return "needs root to create cgroup v1 groups (CI runs as root)"
    for root, f in ((CPU_ROOT, "cpu.cfs_quota_us"), (MEM_ROOT, "memory.limit_in_bytes"), (ACCT_ROOT, "cpuacct.usage")):
        if not (root / f).exists():
            return "no cgroup v1 %s controller at %s (cgroup v2 only?)" % (root.name, root)
    return None


def write(path, value):
    path.write_text(str(value))


def members(group):
    return [int(p) for p in (group / "cgroup.procs").read_text().split()]


def remove_group(group):
    """Remove a group once it is empty. Only the kernel this test started (and its children) ever entered it, so
    whatever is still inside is ours to kill."""
    if not group.exists():
        return
    if settles(lambda: members(group), lambda m: not m, timeout=20):
        for pid in members(group):
            if pid <= 1:
                continue
            try:
                os.kill(pid, 9)
            except ProcessLookupError:
                pass
        settles(lambda: members(group), lambda m: not m, timeout=10)
    # rmdir can fail with EBUSY for a moment after the last task leaves.
    deadline = time.monotonic() + 10
    while True:
        try:
            group.rmdir()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


@pytest.fixture(scope="module")
def groups():
    why = unavailable()
    if why:
        if os.environ.get("CI") == "true" and os.geteuid() == 0:
            pytest.fail("CI=true as root, but " + why)
        pytest.skip(why)
    name = "corelab-binder-%d" % os.getpid()
    cpu, mem, acct = CPU_ROOT / name, MEM_ROOT / name, ACCT_ROOT / name
    made = []
    try:
        for g in (cpu, mem, acct):
            g.mkdir()
            made.append(g)
        write(cpu / "cpu.cfs_period_us", PERIOD_US)
        write(cpu / "cpu.cfs_quota_us", PERIOD_US)
        write(mem / "memory.limit_in_bytes", MEM_LIMIT)
        yield cpu, mem, acct
    finally:
        errors = []
        for g in made:
            try:
                remove_group(g)
            except OSError as e:
                errors.append("%s: %s" % (g, e))
        write_report()
        assert not errors, "cgroups left behind: %s" % errors


@pytest.fixture(scope="module")
def kernelspecs(groups, tmp_path_factory):
    """A kernelspec directory holding corelab-binder: the installed corelab spec, entered into the groups first."""
    spec = KernelSpecManager().get_kernel_spec(KERNEL_NAME)
    enter = 'for g in "$1" "$2" "$3"; do echo $$ >"$g/cgroup.procs" || exit 1; done; shift 3; exec "$@"'
    d = tmp_path_factory.mktemp("kernels")
    (d / SPEC_NAME).mkdir()
    data = spec.to_dict()
    data["argv"] = ["/bin/sh", "-c", enter, "corelab-in-cgroup"] + [str(g) for g in groups] + spec.argv
    data["display_name"] = spec.display_name + " (Binder-like quota)"
    (d / SPEC_NAME / "kernel.json").write_text(json.dumps(data, indent=1))
    return KernelSpecManager(kernel_dirs=[str(d)])


def cpu_stat(group):
    stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
    return int(stat["nr_periods"]), int(stat["nr_throttled"])


@pytest.mark.parametrize("path", NOTEBOOKS or [None], ids=lambda p: p.name if p else "none")
def test_notebook_under_binder_quota(path, groups, kernelspecs):
    if path is None:
        pytest.skip("notebooks/ has no .ipynb files yet")
    cpu, mem, acct = groups
    nb = nbformat.read(path, as_version=4)
    write(mem / "memory.max_usage_in_bytes", 0)  # the peak from here on
    fails0 = int((mem / "memory.failcnt").read_text())
    periods0, throttled0 = cpu_stat(cpu)
    used0 = int((acct / "cpuacct.usage").read_text())

    km = KernelManager(kernel_name=SPEC_NAME, kernel_spec_manager=kernelspecs)
    start = time.monotonic()
    try:
        NotebookClient(nb, km=km, timeout=300, startup_timeout=60,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if km.has_kernel:
            km.shutdown_kernel(now=False)
    secs = time.monotonic() - start
    left = settles(lambda: members(cpu), lambda m: not m, timeout=20)
    peak = int((mem / "memory.max_usage_in_bytes").read_text())
    fails = int((mem / "memory.failcnt").read_text()) - fails0
    periods, throttled = cpu_stat(cpu)
    used = (int((acct / "cpuacct.usage").read_text()) - used0) / 1e9
    ROWS.append((path.name, secs, used, peak, fails, throttled - throttled0, periods - periods0))
    assert not left, "processes still in the group after the kernel shut down: %s" % left

    texts = check_outputs(path, nb)

    assert periods > periods0, "the quota's periods did not advance: the kernel did not run in %s" % cpu
    assert fails == 0, "%s hit the 2 GiB limit %d times" % (path.name, fails)
    check_budget(path.name, texts, cpu)
    claims = unflagged_speedups(texts, budget=1)
    if claims and path.name in KNOWN_CLAIMS:
        pytest.xfail("%s:\n%s" % (KNOWN_CLAIMS[path.name], "\n".join(claims)))
    assert not claims, "%s claims speed-ups above the budget of 1 without saying 'not a result':\n%s" % (
        path.name, "\n".join(claims))


def check_budget(name, texts, cpu):
    """The budget table (every notebook opens with one) and every report's budget line: 1 core, GOMAXPROCS 2,
    every core visible, the quota and the memory limit read from this run's groups."""
    visible = os.cpu_count()
    gomaxprocs = min(visible, 2)
    # The budget table has a GOMAXPROCS row; a report's own "core budget" row (a %%python run's) is a report line.
    table = [t for _, t in texts if re.search(r"^core budget\s{2,}", t, re.M) and re.search(r"^GOMAXPROCS\s{2,}", t, re.M)]
    assert table, "%s shows no budget table" % name
    for t in table:
        rows = dict(re.findall(r"^(core budget|GOMAXPROCS|runtime\.NumCPU\(\)|cgroup CPU quota|cgroup memory limit)"
                               r"\s+(.*?)(?:\s{2,}|$)", t, re.M))
        assert rows.get("core budget") == "1", "%s budget table:\n%s" % (name, t)
        assert rows.get("GOMAXPROCS") == str(gomaxprocs), "%s budget table:\n%s" % (name, t)
        assert rows.get("runtime.NumCPU()") == str(visible), "%s budget table:\n%s" % (name, t)
        assert rows.get("cgroup CPU quota", "").startswith("1 CPU (%s/cpu.cfs_quota_us)" % cpu), \
            "%s budget table:\n%s" % (name, t)
        assert rows.get("cgroup memory limit") == "2.0 GiB", "%s budget table:\n%s" % (name, t)
    for i, t in texts:
        for m in re.finditer(r"budget (?:of )?([\d.]+)(?: cores?)? \(GOMAXPROCS (\d+), NumCPU (\d+), affinity (\d+), "
                             r"cgroup ([\d.]+) CPU\)", t):
            assert m.groups() == ("1", str(gomaxprocs), str(visible), str(visible), "1"), \
                "%s cell %d: %s" % (name, i, m.group(0))


# A figure "N×" is a speed ratio unless its sentence says it is a ratio of something else: time to start or to
# finish ("as long"), a cost, a growth, interpreted against compiled code, or one worker against one worker (04's
# single-thread tax: nothing runs in parallel there, so the ratio is one model's overhead, not cores at work).
NOT_SPEED = re.compile(r"as long|\bcost|\bgrew\b|compiled|\bone worker\b", re.I)
FLAG = re.compile(r"⚠|not a result|not results", re.I)
RATIO = re.compile(r"(\d+(?:\.\d+)?)×")


def unflagged_speedups(texts, budget):
    """Lines of the outputs that show a speed ratio above budget × TOLERANCE without the reports' flag, either
    right after the figure (a table cell: "1.40× (0.77–1.48) ⚠") or in its sentence ("Not results: free 1.11×")."""
    found = []
    for i, text in texts:
        for line in text.splitlines():
            ratios = list(RATIO.finditer(line))
            for k, m in enumerate(ratios):
                if float(m.group(1)) <= budget * TOLERANCE:
                    continue
                after = line[m.end():ratios[k + 1].start() if k + 1 < len(ratios) else len(line)]
                sentence = sentence_of(line, m.start())
                if NOT_SPEED.search(sentence) or FLAG.search(after) or FLAG.search(sentence):
                    continue
                found.append("cell %d: %s" % (i, line.strip()[:300]))
    return found


def sentence_of(line, pos):
    """The sentence of line around pos (sentences end at '. ', '; ' or ': ' before a capital)."""
    starts = [0] + [m.end() for m in re.finditer(r"[.;:!?]\s+(?=[A-Z•])", line) if m.end() <= pos]
    start = starts[-1]
    end = re.search(r"[.;!?]\s+(?=[A-Z])", line[pos:])
    return line[start:pos + end.start() if end else len(line)]


def write_report():
    """The table of peaks, printed at the end of the run (conftest) and written for the lead to quote."""
    if not ROWS:
        return
    lines = [
        "Binder-like run: one-CPU quota (cfs_quota_us = cfs_period_us = %d), memory limit %d GiB, %d cores visible"
        % (PERIOD_US, MEM_LIMIT >> 30, os.cpu_count()),
        "peak = memory.max_usage_in_bytes of the kernel's group (kernel + evaluator + workers; RSS and page cache)",
        "CPU = cpuacct.usage of the group (all CPU time the kernel and its children used)",
        "%-38s %8s %8s %10s %8s %18s" % ("notebook", "wall", "CPU", "peak", "failcnt", "throttled/periods"),
    ]
    for name, secs, used, peak, fails, thr, per in ROWS:
        lines.append("%-38s %7.1fs %7.1fs %6.1f MiB %8d %10d/%d" % (name, secs, used, peak / 2**20, fails, thr, per))
    top = max(ROWS, key=lambda r: r[3])
    busy = max(ROWS, key=lambda r: r[2])
    lines.append("highest peak: %s, %.1f MiB; most CPU: %s, %.1fs; all notebooks: %.1f CPU seconds in %.1fs"
                 % (top[0], top[3] / 2**20, busy[0], busy[2], sum(r[2] for r in ROWS), sum(r[1] for r in ROWS)))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n")
