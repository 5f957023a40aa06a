"""The corelab kernel through jupyter_client: behaviour a notebook user relies on, and robustness against
peers that misbehave on the kernel's sockets.

Each test talks to a real kernel process over real ZeroMQ sockets. Bounds on time are generous (seconds
where a user would wait a fraction of one); they catch hangs, not slowness.
"""

import json
import re
import signal
import socket
import time

import pytest
import zmq
from jupyter_client.session import Session

from conftest import execute, fds, settles, start_kernel

IMPORTS = 'import (\n\t"fmt"\n\t"os"\n\t"strings"\n\t"time"\n)'
PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def ok(kc, code, timeout=60):
    """Run code, insist that it succeeded, and return the Run."""
    r = execute(kc, code, timeout=timeout)
    assert r.status == "ok", r
    return r


def running_kernel():
    km, kc = start_kernel()
    ok(kc, IMPORTS)
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def kernel():
    """One kernel shared by the tests that leave it as they found it."""
    yield from running_kernel()


@pytest.fixture
def fresh():
    """A kernel of its own, for a test that interrupts, crashes or attacks it."""
    yield from running_kernel()


def healthy(km, kc):
    """The kernel process runs, answers heartbeats, and a cell still executes."""
    assert km.is_alive()
    assert heartbeat(km.get_connection_info())
    assert ok(kc, "40 + 2").result == "42"


def heartbeat(info, timeout=5):
    """One ping on the heartbeat socket comes back unchanged within timeout seconds."""
    ctx = zmq.Context.instance()
    s = ctx.socket(zmq.REQ)
    s.linger = 0
    try:
        s.connect("tcp://%s:%d" % (info["ip"], info["hb_port"]))
        s.send(b"corelab-ping")
        if not s.poll(timeout * 1000):
            return False
        return s.recv() == b"corelab-ping"
    finally:
        s.close()


# --- cells -------------------------------------------------------------------------------------------


def test_state_persists_across_cells(kernel):
    km, kc = kernel
    ok(kc, "var total int\nfunc bump(n int) { total += n }")
    ok(kc, "bump(40)")
    ok(kc, "bump(2)")
    assert ok(kc, "total").result == "42"


def test_execution_count_increments(kernel):
    km, kc = kernel
    a = ok(kc, "1").content["execution_count"]
    b = ok(kc, "2").content["execution_count"]
    assert b == a + 1


def test_stdout_and_result_in_one_cell(kernel):
    km, kc = kernel
    r = ok(kc, 'fmt.Println("printed")\n"trailing"')
    assert r.stdout == "printed\n"
    assert r.result is not None and "trailing" in r.result


@pytest.mark.parametrize(
    "code, line",
    [
        ("a := 1\nb := a + 1\nc := undefinedName + b", 3),
        ('var m map[string]int\n\nm["a"] = 1', 3),
        ('func boom() {\n\tpanic("deep")\n}\n\nboom()', 2),
        ("xs := []int{1}\n_ = xs\nfmt.Println(xs[5])", 3),
    ],
    ids=["compile-error", "runtime-panic", "panic-in-func", "index-out-of-range"],
)
def test_error_names_the_cells_line(kernel, code, line):
    km, kc = kernel
    r = execute(kc, code)
    assert r.status == "error", r
    assert r.error is not None, "an error reply must come with an error message on iopub"
    assert r.content["ename"] == r.error["ename"]
    text = r.error_text()
    # "line 3" or "3:12" (line:col): the cell's own line, not one of the rewritten source.
    assert re.search(r"\bline %d\b|(?<![\d.])%d:\d+" % (line, line), text), "line %d not named in:\n%s" % (line, text)
    ok(kc, "1")  # the kernel carries on


def test_value_of_a_notebook_type_shows_through_its_own_methods(kernel):
    km, kc = kernel
    ok(kc, 'type Temp struct{ C float64 }\nfunc (t Temp) String() string { return fmt.Sprintf("%.1f C", t.C) }')
    ok(kc, 'import "corelab/display"\ntype Card struct{ Title string }\n'
        'func (c Card) DisplayBundle() display.Bundle {\n'
        '\treturn display.Bundle{"text/html": "<b>" + c.Title + "</b>", "text/plain": c.Title}\n}')
    assert ok(kc, "Temp{21.5}").result == "21.5 C"
    data = ok(kc, 'Card{"hello"}').of_type("execute_result")[-1]["content"]["data"]
    assert data.get("text/html") == "<b>hello</b>", data


def test_big_output_complete_and_in_order(kernel):
    km, kc = kernel
    r = ok(kc, "for i := 0; i < 20000; i++ {\n\tfmt.Println(i)\n}", timeout=120)
    streams = r.of_type("stream")
    assert r.stdout == "".join("%d\n" % i for i in range(20000))
    # Output is batched, not one message per line (a browser would choke on 20,000 messages).
    assert len(streams) <= 100, "%d stream messages for 20,000 lines" % len(streams)


@pytest.mark.parametrize(
    "code, prompt, password",
    [
        ('var name string\nfmt.Scanln(&name)\nfmt.Println("hello,", name)', None, False),
        ('import "corelab/input"\nname := input.Password("Token: ")\nfmt.Println("hello,", name)', "Token: ", True),
    ],
    ids=["fmt.Scanln", "input.Password"],
)
def test_stdin_input_request(kernel, code, prompt, password):
    km, kc = kernel
    msg_id = kc.execute(code, allow_stdin=True)
    req = kc.get_stdin_msg(timeout=30)
    assert req["msg_type"] == "input_request"
    assert req["parent_header"]["msg_id"] == msg_id
    assert req["content"]["password"] is password
    if prompt is not None:
        assert req["content"]["prompt"] == prompt
    kc.input("gopher")
    reply = kc.get_shell_msg(timeout=30)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "ok", reply["content"]
    out = ""
    while True:
        msg = kc.get_iopub_msg(timeout=10)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    assert "hello, gopher" in out


def test_complete_replaces_the_right_span(kernel):
    km, kc = kernel
    code = "x := strings.ToUp"
    kc.complete(code, len(code))
    reply = kc.get_shell_msg(timeout=15)["content"]
    assert reply["status"] == "ok"
    done = {code[: reply["cursor_start"]] + m + code[reply["cursor_end"] :] for m in reply["matches"]}
    assert "x := strings.ToUpper" in done, reply


def test_inspect_shows_runtime_docs(kernel):
    km, kc = kernel
    ok(kc, 'import rt "corelab/runtime"')
    code = "rt.Compare"
    kc.inspect(code, len(code))
    reply = kc.get_shell_msg(timeout=15)["content"]
    assert reply["status"] == "ok" and reply["found"], reply
    text = reply["data"]["text/plain"]
    assert "Compare" in text and len(text) > len("rt.Compare") + 20, text


# --- interrupts and crashes --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how, code",
    [
        ("message", "for {\n}"),
        ("message", "time.Sleep(time.Hour)"),
        ("signal", "n := 0\nfor {\n\tn++\n}"),
    ],
    ids=["message-busy-loop", "message-sleep", "sigint-busy-loop"],
)
def test_interrupt_keeps_state(fresh, how, code):
    km, kc = fresh
    ok(kc, "kept := 7")
    # The cell prints before it blocks: once that output arrives it surely runs in the evaluator (an
    # interrupt that arrives before the cell starts has nothing to stop).
    msg_id = kc.execute('fmt.Println("running")\n' + code)
    wait_for_output(kc, msg_id, "running")
    start = time.monotonic()
    if how == "message":
        km.interrupt_kernel()  # the kernelspec says interrupt_mode "message": an interrupt_request on control
    else:
        km.signal_kernel(signal.SIGINT)
    reply = kc.get_shell_msg(timeout=15)
    took = time.monotonic() - start
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert "interrupt" in reply["content"]["ename"].lower(), reply["content"]
    assert took < 5, "interrupt took %.1fs" % took
    assert ok(kc, "kept").result == "7"


def wait_for_output(kc, msg_id, text, timeout=60):
    """Read iopub until the request msg_id has printed text (a stream message), within timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        assert left > 0, "the cell printed no %r within %ds" % (text, timeout)
        msg = kc.get_iopub_msg(timeout=left)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream"
                and text in msg["content"]["text"]):
            return


def test_stack_overflow_loses_state_but_not_the_kernel(fresh):
    km, kc = fresh
    ok(kc, "before := 5")
    r = execute(kc, "func down(n int) int { return down(n+1) + 1 }\ndown(0)", timeout=180)
    assert r.status == "error", r
    text = r.error_text().lower()
    assert "stack" in text, text
    assert "state" in text and "lost" in text, text
    healthy(km, kc)
    # The message is honest: the old evaluator and its variables are gone.
    assert execute(kc, "before").status == "error"
    ok(kc, IMPORTS)
    assert ok(kc, 'fmt.Sprint("fresh")').result is not None


def test_panicking_goroutine_does_not_kill_the_kernel(fresh):
    km, kc = fresh
    ok(kc, "still := 3")
    r = execute(kc, 'go func() { panic("in a goroutine") }()\ntime.Sleep(300 * time.Millisecond)')
    assert "in a goroutine" in r.stderr + r.error_text(), r  # the learner is told
    healthy(km, kc)
    assert ok(kc, "still").result == "3"


def test_mode_isolates_and_processes_move_go_statements(fresh, tmp_path):
    km, kc = fresh
    ok(kc, 'import rt "corelab/runtime"\nvar calls int\nfunc bump(q *rt.Queue) { calls++; q.Put(calls) }')
    ok(kc, 'func mark(path string) {\n\tfmt.Println("hello from a worker")\n\tos.WriteFile(path, []byte(fmt.Sprint(os.Getpid())), 0o644)\n}')
    assert "mode: isolates" in ok(kc, "%mode isolates").stdout
    # Each isolate has its own copy of calls; the notebook's is untouched.
    r = ok(kc, "q := rt.NewQueue(2)\ngo bump(q)\ngo bump(q)\nfmt.Println(q.Get(), q.Get(), calls)")
    assert r.stdout.strip() == "1 1 0", r
    # A closure would share the cell's variables: refused, and says what to write.
    r = execute(kc, "n := 0\ngo func() { n++ }()")
    assert r.status == "error" and r.error["ename"] == "UsageError", r
    assert "go work(args)" in r.error["evalue"], r
    assert "mode: processes" in ok(kc, "%mode processes").stdout
    path = tmp_path / "pid"
    # The cell waits for the worker's file; what the worker printed before it is the cell's stdout.
    wait = 'for i := 0; i < 3000; i++ {\n\tif b, _ := os.ReadFile(%s); len(b) > 0 {\n\t\tbreak\n\t}\n\ttime.Sleep(10 * time.Millisecond)\n}'
    r = ok(kc, ("go mark(%s)\n" + wait) % (json.dumps(str(path)), json.dumps(str(path))))
    assert "hello from a worker" in r.stdout, r
    evaluator = ok(kc, "os.Getpid()").result
    assert path.read_text() and path.read_text() != evaluator, "go mark did not run in a worker process"
    assert "mode: gil" in ok(kc, "%mode gil").stdout
    healthy(km, kc)


def test_shutdown_request_ends_the_process(fresh):
    km, kc = fresh
    kc.shutdown()
    reply = kc.get_control_msg(timeout=15)  # shutdown_request goes on the control channel
    assert reply["msg_type"] == "shutdown_reply"
    # Wait for the process itself to exit (raises TimeoutExpired if it is still running after 15 s).
    assert km.provisioner.process.wait(timeout=15) == 0


# --- misbehaving peers -------------------------------------------------------------------------------


def test_silent_and_garbage_tcp_peers(fresh):
    km, kc = fresh
    info = km.get_connection_info()
    peers = []
    zmtp_signature = b"\xff" + b"\x00" * 8 + b"\x7f"  # the first 10 bytes of a ZMTP greeting, then nothing
    fds_before = fds(km)
    for port in PORTS:
        for payload in (b"", zmtp_signature, bytes(range(64))):
            s = socket.create_connection((info["ip"], info[port]), timeout=5)
            if payload:
                s.sendall(payload)
            peers.append(s)
    try:
        # Until the kernel has accepted the ten silent peers (2 per port; the garbage ones it may close at
        # once), bounded.
        want = fds_before + 2 * len(PORTS)
        assert settles(lambda: fds(km), lambda n: n >= want) >= want, "the kernel did not accept the peers"
        healthy(km, kc)
        r = ok(kc, 'for i := 0; i < 3; i++ {\n\tfmt.Println("line", i)\n}')
        assert r.stdout == "line 0\nline 1\nline 2\n"
        # A client that connects now, while the silent peers still hang on, gets kernel_info.
        kc2 = km.client()
        kc2.start_channels()
        try:
            kc2.wait_for_ready(timeout=30)
            assert execute(kc2, "2 * 21").result == "42"
        finally:
            kc2.stop_channels()
    finally:
        for s in peers:
            s.close()
    healthy(km, kc)


def raw_dealer(info, port):
    s = zmq.Context.instance().socket(zmq.DEALER)
    s.linger = 0
    s.connect("tcp://%s:%d" % (info["ip"], info[port]))
    return s


def test_wrongly_signed_message_is_ignored(fresh):
    km, kc = fresh
    info = km.get_connection_info()
    forger = Session(key=b"not-the-kernel-key", signature_scheme=info["signature_scheme"], username="forger")
    for port in ("shell_port", "control_port"):
        s = raw_dealer(info, port)
        try:
            forger.send(s, "execute_request", content={"code": "forged := 1", "silent": False})
            forger.send(s, "kernel_info_request", content={})
            assert not s.poll(2000), "the kernel answered a message signed with the wrong key"
        finally:
            s.close()
    healthy(km, kc)
    assert execute(kc, "forged").status == "error", "the forged cell ran"


def test_unsigned_and_malformed_frames_are_ignored(fresh):
    km, kc = fresh
    info = km.get_connection_info()
    s = raw_dealer(info, "shell_port")
    try:
        s.send_multipart([b"<IDS|MSG>"])  # too few frames
        s.send_multipart([b"<IDS|MSG>", b"", b"{}", b"{}", b"{}", b"{}"])  # no signature at all
        s.send_multipart([b"no delimiter", b"x"])
        s.send_multipart([b"<IDS|MSG>", b"00" * 32, b"\xff\xfe", b"[", b"", b"\x00"])  # not JSON
        assert not s.poll(2000)
    finally:
        s.close()
    healthy(km, kc)


def test_huge_message_does_not_kill_the_kernel(fresh):
    km, kc = fresh
    info = km.get_connection_info()
    session = Session(key=info["key"], signature_scheme=info["signature_scheme"])
    fds_before = fds(km)
    s = raw_dealer(info, "shell_port")
    try:
        # 96 MiB in one frame, wrongly signed, then a correctly signed request with a 96 MiB comment in it.
        blob = b"x" * (96 << 20)
        s.send_multipart([b"<IDS|MSG>", b"0" * 64, b"{}", b"{}", b"{}", blob])
        session.send(s, "execute_request", content={"code": "// " + "y" * (96 << 20), "silent": True})
        s.poll(5000)  # an error reply is fine, silence is fine; dying is not
    finally:
        s.close()
    # Until the kernel has let go of the peer (bounded): then it has read or refused all it was sent.
    assert settles(lambda: fds(km), lambda n: n <= fds_before) <= fds_before, "the kernel kept the huge peer"
    healthy(km, kc)


def test_stalled_iopub_subscriber_does_not_block_the_kernel(fresh):
    km, kc = fresh
    info = km.get_connection_info()
    ctx = zmq.Context.instance()
    stalled = []
    fds_before = fds(km)
    # A ZeroMQ subscriber that subscribes to everything and never reads (tiny queue and socket buffer, so
    # TCP back-pressure reaches the kernel) and a plain TCP peer that never completes its greeting.
    sub = ctx.socket(zmq.SUB)
    sub.linger = 0
    sub.setsockopt(zmq.RCVHWM, 1)
    sub.setsockopt(zmq.RCVBUF, 4096)
    sub.setsockopt(zmq.SUBSCRIBE, b"")
    sub.connect("tcp://%s:%d" % (info["ip"], info["iopub_port"]))
    stalled.append(sub)
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    raw.connect((info["ip"], info["iopub_port"]))
    try:
        # Until the kernel has accepted both stalled peers (bounded): then output meets them.
        assert settles(lambda: fds(km), lambda n: n >= fds_before + 2) >= fds_before + 2, "stalled peers not accepted"
        # 8 cells of ~1.9 MB (the kernel caps one cell's output at 2 MiB): far more than the socket buffers
        # between the kernel and the stalled peers can take.
        for _ in range(8):
            r = ok(kc, 'line := strings.Repeat("x", 9999)\nfor i := 0; i < 190; i++ {\n\tfmt.Println(line)\n}',
                   timeout=60)
            assert len(r.stdout) == 190 * 10000
        healthy(km, kc)
    finally:
        for s in stalled:
            s.close()
        raw.close()

