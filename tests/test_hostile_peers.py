"""Reliability against hostile peers: raw TCP and pyzmq peers that hold no key, against the real kernel binary.

Every peer connects to 127.0.0.1 only; every loop is bounded in count and in time. Each test checks that the
kernel keeps answering kernel_info, that a well-behaved client's output keeps flowing, and that the kernel
process's memory (VmRSS) and file descriptors (from /proc) stay bounded while and after it is attacked.
"""

import os
import socket
import struct
import time

import pytest
import zmq
from jupyter_client.session import Session

from conftest import execute, fds, settles, start_kernel

LOOPBACK = "127.0.0.1"
MiB = 1 << 20


@pytest.fixture
def fresh():
    km, kc = start_kernel()
    assert km.get_connection_info()["ip"] == LOOPBACK
    assert execute(kc, 'import "fmt"').status == "ok"
    yield km, kc
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def pid(km):
    return km.provisioner.process.pid


def rss_mb(km):
    """The kernel process's resident memory in MB (not its evaluator child's)."""
    with open("/proc/%d/status" % pid(km)) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def serving(km, kc, text):
    """The kernel answers kernel_info and a cell's output reaches the client."""
    kc.kernel_info()
    reply = kc.get_shell_msg(timeout=30)
    assert reply["msg_type"] == "kernel_info_reply"
    r = execute(kc, 'fmt.Println(%s)' % ('"' + text + '"'), timeout=60)
    assert r.status == "ok" and r.stdout == text + "\n", r


# --- a raw ZMTP 3.0 peer (NULL mechanism), enough to misbehave after the handshake ---------------------


def greeting():
    return b"\xff" + b"\x00" * 8 + b"\x7f" + bytes([3, 0]) + b"NULL".ljust(20, b"\x00") + b"\x00" * 32


def command(name, body=b""):
    data = bytes([len(name)]) + name + body
    return bytes([0x04, len(data)]) + data if len(data) < 256 else bytes([0x06]) + struct.pack(">Q", len(data)) + data


def ready(sock_type, identity=None):
    props = b""
    for key, value in [(b"Socket-Type", sock_type)] + ([(b"Identity", identity)] if identity is not None else []):
        props += bytes([len(key)]) + key + struct.pack(">I", len(value)) + value
    return command(b"READY", props)


def frame(body, more=False):
    flags = 0x01 if more else 0
    if len(body) < 256:
        return bytes([flags, len(body)]) + body
    return bytes([flags | 0x02]) + struct.pack(">Q", len(body)) + body


def read_exactly(s, n):
    buf = b""
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed after %d of %d bytes" % (len(buf), n))
        buf += chunk
    return buf


def zmtp_peer(port, sock_type, rcvbuf=None, timeout=10):
    """A TCP connection that has completed the ZMTP handshake as sock_type."""
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.settimeout(timeout)
    s.connect((LOOPBACK, port))
    s.sendall(greeting())
    read_exactly(s, 64)
    s.sendall(ready(sock_type))
    flags, size = read_exactly(s, 2)
    assert flags == 0x04, "the kernel's READY"
    read_exactly(s, size)
    return s


def closed_by_kernel(s, timeout=10):
    """True if the kernel closes s (reads until EOF or reset) within timeout seconds."""
    s.settimeout(timeout)
    try:
        while s.recv(1 << 16):
            pass
        return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


# --- iopub -----------------------------------------------------------------------------------------------


def test_iopub_takes_only_subscriptions(fresh):
    """Peers that complete the handshake on iopub and send messages (3 rounds of 8 peers x 8 MiB, 12 each)
    or huge topics are dropped: no memory or socket is kept for them. Before the fix each such peer's
    reader blocked forever holding its message (3 x 14 x 32 MiB: kernel RSS 21 -> 1753 MB, an fd each)."""
    km, kc = fresh
    port = km.get_connection_info()["iopub_port"]
    rss0, fd0 = rss_mb(km), fds(km)
    for round in range(3):
        peers = []
        for i in range(8):
            s = zmtp_peer(port, b"SUB")
            try:
                s.sendall(frame(b"\x01") + frame(b"status", more=True) + frame(b"x" * (8 * MiB)))
                for _ in range(12):
                    s.sendall(frame(b"not a subscription"))
            except (ConnectionResetError, BrokenPipeError):
                pass  # already dropped
            peers.append(s)
        # Subscriptions with huge topics: the other way to make zmq4 keep memory per peer.
        for i in range(2):
            s = zmtp_peer(port, b"SUB")
            try:
                s.sendall(frame(b"\x01" + bytes([i]) * (8 * MiB)))
            except (ConnectionResetError, BrokenPipeError):
                pass
            peers.append(s)
        for s in peers:
            assert closed_by_kernel(s), "the kernel kept a peer that sent something other than a subscription"
            s.close()
        serving(km, kc, "round %d" % round)
    fd1 = settles(lambda: fds(km), lambda n: n <= fd0 + 2)
    assert fd1 <= fd0 + 2, "fds %d -> %d after the peers left" % (fd0, fd1)
    rss1 = rss_mb(km)
    assert rss1 < rss0 + 128, "kernel RSS %.0f -> %.0f MB" % (rss0, rss1)


def tcp_state(kernel_pid, local_port, remote_port):
    """The kernel-side TCP state (hex, as in /proc/net/tcp) of the connection between the two ports."""
    want = ":%04X" % local_port, ":%04X" % remote_port
    with open("/proc/%d/net/tcp" % kernel_pid) as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(want[0]) and fields[2].endswith(want[1]):
                return fields[3]
    return None


ESTABLISHED = "01"


def test_stuck_subscriber_delays_nobody(fresh):
    """A subscriber that stops reading does not hold other clients' output: two cells of ~1.9 MB reach the
    client while the stuck peer is still connected, so their output did not wait for it to be dropped.
    Before, zmq4's PUB wrote to it under a lock for the 10 s write timeout, every client waiting."""
    km, kc = fresh
    info = km.get_connection_info()
    stuck = zmtp_peer(info["iopub_port"], b"SUB", rcvbuf=4096)
    stuck.sendall(frame(b"\x01"))  # everything
    local = stuck.getsockname()[1]
    try:
        serving(km, kc, "the stuck peer gets this and stops reading")
        for _ in range(2):
            r = execute(kc, 'for i := 0; i < 190; i++ {\n\tfmt.Printf("%09999d\\n", i)\n}', timeout=60)
            assert r.status == "ok" and len(r.stdout) == 190 * 10000, r
        assert tcp_state(pid(km), info["iopub_port"], local) == ESTABLISHED, \
            "the stuck subscriber was dropped before the output arrived: output waited for it"
    finally:
        stuck.close()
    serving(km, kc, "after")


# --- heartbeat -------------------------------------------------------------------------------------------


def heartbeat(info, timeout=10):
    s = zmq.Context.instance().socket(zmq.REQ)
    s.linger = 0
    try:
        s.connect("tcp://%s:%d" % (LOOPBACK, info["hb_port"]))
        s.send(b"ping")
        return s.poll(timeout * 1000) and s.recv() == b"ping"
    finally:
        s.close()


def test_big_pings_are_refused(fresh):
    """A heartbeat peer sending 17 pings of 8 MiB is dropped; other heartbeats are answered. Before, the
    kernel echoed them all and other heartbeats stalled about 9 s."""
    km, kc = fresh
    info = km.get_connection_info()
    rss0 = rss_mb(km)
    big = zmtp_peer(info["hb_port"], b"REQ")
    try:
        for _ in range(17):
            big.sendall(frame(b"", more=True) + frame(b"p" * (8 * MiB)))
    except (ConnectionResetError, BrokenPipeError):
        pass
    assert closed_by_kernel(big), "a peer sending 8 MiB pings was kept"
    big.close()
    assert heartbeat(info)
    serving(km, kc, "pings")
    assert rss_mb(km) < rss0 + 128


# --- connections that never speak ------------------------------------------------------------------------


def test_silent_connections_do_not_lock_clients_out(fresh):
    """1,100 TCP connections that never send a byte (more than the kernel's 1,024 pending greetings) do
    not keep a new client from its greeting: the oldest silent one makes room. Before, the new client was
    refused (closed at once) until silent ones timed out, about 5 s."""
    km, kc = fresh
    info = km.get_connection_info()
    silent = []
    try:
        for _ in range(1100):
            s = socket.create_connection((LOOPBACK, info["shell_port"]), timeout=10)
            silent.append(s)
        # A new client that speaks gets the kernel's greeting and READY while the silent ones hang on.
        s = zmtp_peer(info["shell_port"], b"DEALER")
        s.close()
        serving(km, kc, "still here")
    finally:
        for s in silent:
            s.close()
    fd0 = settles(lambda: fds(km), lambda n: n < 200)
    assert fd0 < 200, "%d fds left after the silent peers closed" % fd0


# --- ROUTER identities -----------------------------------------------------------------------------------


def test_duplicate_identity_gets_no_copies(fresh):
    """A second peer claiming the ZMQ identity of the connected client receives its own replies and none of
    that client's; before, it received copies of every reply to that client (zmq4's ROUTER sends to all
    peers with the identity). It is given an identity of its own rather than refused: jupyter_client gives
    every client of one KernelManager the same identity."""
    km, kc = fresh
    info = km.get_connection_info()
    identity = kc.shell_channel.socket.getsockopt(zmq.ROUTING_ID)
    assert identity, "jupyter_client sets the shell socket's identity"
    second = zmq.Context.instance().socket(zmq.DEALER)
    second.linger = 0
    second.routing_id = identity
    second.connect("tcp://%s:%d" % (LOOPBACK, info["shell_port"]))
    try:
        # The test signs with the kernel's key: this checks routing, not authentication.
        session = Session(key=info["key"].encode() if isinstance(info["key"], str) else info["key"],
                          signature_scheme=info["signature_scheme"])
        session.send(second, "kernel_info_request", content={})
        assert second.poll(30000), "the second peer got no reply to its own request"
        session.recv(second)
        serving(km, kc, "mine alone")
        assert not second.poll(2000), "the second peer received a copy of the first client's replies"
    finally:
        second.close()
