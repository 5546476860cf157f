"""dnstap, read back by independent tools: `fstrm_capture` (fstrm-bin)
takes the Frame Stream on a unix socket into a file, `dnstap-ldns`
(dnstap-ldns) decodes it. Client queries and responses show the client as
`client-address-privacy` says; resolver queries and responses appear when
selected; a reader that is absent or does not read never delays an answer
(frames are dropped and counted instead); a reader that comes back is
reconnected to."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import dns.rcode
import pytest

from procs import stop_process
from resolver_helpers import cairnctl_binary

FSTRM_CAPTURE = shutil.which("fstrm_capture") or "/usr/bin/fstrm_capture"
DNSTAP_LDNS = shutil.which("dnstap-ldns") or "/usr/bin/dnstap-ldns"
CONTENT_TYPE = b"protobuf:dnstap.Dnstap"


@pytest.fixture(autouse=True)
def _tools():
    for tool in (FSTRM_CAPTURE, DNSTAP_LDNS):
        if not os.access(tool, os.X_OK):
            pytest.fail(f"{tool} is missing: run scripts/install-deps.sh")


@pytest.fixture
def short_tmp():
    """A directory with a short path (unix socket paths are limited to 108 bytes)."""
    path = tempfile.mkdtemp(prefix="cairn-tap-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


class Capture:
    """fstrm_capture on a unix socket, writing what it reads to a file."""

    def __init__(self, socket_path: str, out_path: str):
        self.socket_path, self.out_path = socket_path, out_path
        self.log_path = out_path + ".log"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [FSTRM_CAPTURE, "-t", CONTENT_TYPE.decode(), "-u", socket_path, "-w", out_path],
                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while not self._listening():
            assert self.proc.poll() is None, self.log()
            assert time.monotonic() < deadline, "fstrm_capture is not listening:\n" + self.log()
            time.sleep(0.05)

    def _listening(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(self.socket_path)
            except OSError:
                return False
        return True

    def log(self) -> str:
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def stop(self) -> list[dict]:
        """Stops the capture (it writes out what it holds) and decodes the file."""
        stop_process(self.proc)
        return decode(self.out_path)


def decode(path: str) -> list[dict]:
    """Each frame of the capture file as dnstap-ldns's YAML output shows it:
    type, addresses, ports, protocol and the question of the message."""
    out = subprocess.run([DNSTAP_LDNS, "-y", "-r", path], capture_output=True, text=True,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    frames = []
    for doc in out.stdout.split("\n---"):
        if "type: MESSAGE" not in doc:
            continue
        frame = {}
        for key in ("identity", "version", "query_address", "response_address"):
            m = re.search(rf'^\s*{key}: "([^"]*)"', doc, re.M)
            frame[key] = m.group(1) if m else None
        for key in ("type", "socket_protocol", "socket_family"):
            m = re.search(rf"^  {key}: (\S+)", doc, re.M)
            frame[key] = m.group(1) if m else None
        for key in ("query_port", "response_port"):
            m = re.search(rf"^\s*{key}: (\d+)", doc, re.M)
            frame[key] = int(m.group(1)) if m else None
        m = re.search(r"^\s*;; QUESTION SECTION:\n\s*;(\S+)\s+(\S+)\s+(\S+)", doc, re.M)
        frame["qname"], frame["qclass"], frame["qtype"] = m.groups() if m else (None,) * 3
        frames.append(frame)
    return frames


def stats(ctl: str) -> dict[str, int]:
    out = subprocess.run([cairnctl_binary(), "stats", "--socket", ctl], capture_output=True,
                         text=True, timeout=10)
    assert out.returncode == 0, out
    return {name: int(value) for name, value in
            (line.split() for line in out.stdout.splitlines() if line.strip())}


def wait_for_stat(ctl: str, name: str, value: int, seconds: float = 15.0) -> None:
    """Polls until the reader is (dis)connected; the writer connects in the background."""
    deadline = time.monotonic() + seconds
    while stats(ctl).get(name) != value:
        assert time.monotonic() < deadline, f"{name} never became {value}: {stats(ctl)}"
        time.sleep(0.05)


def start_with_dnstap(cairn, tmp: str, **overrides):
    config = {"dnstap-socket": os.path.join(tmp, "tap.sock"),
              "control-socket": os.path.join(tmp, "ctl.sock")}
    config.update(overrides)
    return cairn(config)


def of_type(frames: list[dict], kind: str, qname: str | None = None) -> list[dict]:
    return [f for f in frames if f["type"] == kind
            and (qname is None or (f["qname"] or "").lower() == qname)]


def test_client_queries_and_responses_show_the_clients_prefix(cairn, short_tmp):
    capture = Capture(os.path.join(short_tmp, "tap.sock"), os.path.join(short_tmp, "cap.fstrm"))
    try:
        c = start_with_dnstap(cairn, short_tmp)
        ctl = c.config["control-socket"]
        wait_for_stat(ctl, "dnstap.connected", 1)
        assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
        assert c.query("www.secure.example.", "A", tcp=True).rcode() == dns.rcode.NOERROR
        # Stopping writes out what the writer holds and ends the stream.
        c.stop()
    finally:
        frames = capture.stop()
    udp_query = of_type(frames, "CLIENT_QUERY", "www.plain.example.")
    udp_answer = of_type(frames, "CLIENT_RESPONSE", "www.plain.example.")
    tcp_query = of_type(frames, "CLIENT_QUERY", "www.secure.example.")
    tcp_answer = of_type(frames, "CLIENT_RESPONSE", "www.secure.example.")
    assert len(udp_query) == len(udp_answer) == len(tcp_query) == len(tcp_answer) == 1, frames
    for frame in udp_query + udp_answer + tcp_query + tcp_answer:
        # prefix, the default: the client's /24, and no port.
        assert frame["query_address"] == "127.0.0.0", frame
        assert frame["query_port"] is None, frame
        assert frame["socket_family"] == "INET", frame
        assert frame["version"] == "cairn 0.1.0" and frame["identity"], frame
        assert frame["qtype"] == "A", frame
    assert udp_query[0]["socket_protocol"] == "UDP"
    assert tcp_query[0]["socket_protocol"] == "TCP"
    # Resolver events are off unless selected.
    assert not of_type(frames, "RESOLVER_QUERY") and not of_type(frames, "RESOLVER_RESPONSE")


@pytest.mark.parametrize("privacy", ["full", "hash"])
def test_client_address_follows_the_privacy_setting(cairn, short_tmp, privacy):
    capture = Capture(os.path.join(short_tmp, "tap.sock"), os.path.join(short_tmp, "cap.fstrm"))
    try:
        c = start_with_dnstap(cairn, short_tmp, **{"client-address-privacy": privacy,
                                                   "dnstap-identity": "tap-test"})
        wait_for_stat(c.config["control-socket"], "dnstap.connected", 1)
        c.query("www.plain.example.", "A")
        c.stop()
    finally:
        frames = capture.stop()
    queries = of_type(frames, "CLIENT_QUERY", "www.plain.example.")
    assert len(queries) == 1, frames
    frame = queries[0]
    assert frame["identity"] == "tap-test"
    if privacy == "full":
        assert frame["query_address"] == "127.0.0.1"
        assert frame["query_port"] and frame["query_port"] > 0
    else:
        # A token in the shape of an IPv4 address: neither the client nor its network.
        assert re.fullmatch(r"\d+\.\d+\.\d+\.\d+", frame["query_address"]), frame
        assert frame["query_address"] not in ("127.0.0.1", "127.0.0.0")
        assert frame["query_port"] is None


def test_resolver_queries_and_responses_when_selected(cairn, short_tmp, mini_internet):
    capture = Capture(os.path.join(short_tmp, "tap.sock"), os.path.join(short_tmp, "cap.fstrm"))
    try:
        c = start_with_dnstap(cairn, short_tmp, **{"dnstap-resolver-queries": True,
                                                   "dnstap-resolver-responses": True,
                                                   "dnstap-client-queries": False})
        wait_for_stat(c.config["control-socket"], "dnstap.connected", 1)
        assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
        c.stop()
    finally:
        frames = capture.stop()
    assert not of_type(frames, "CLIENT_QUERY")
    assert len(of_type(frames, "CLIENT_RESPONSE", "www.plain.example.")) == 1
    asked = of_type(frames, "RESOLVER_QUERY")
    answered = of_type(frames, "RESOLVER_RESPONSE")
    assert asked and answered, frames
    servers = {mini_internet.addr(key) for key in ("root-a", "root-b", "example-1",
                                                   "example-2", "host-1", "host-2")}
    for frame in asked + answered:
        # From cairn's own address and port to an authoritative server's.
        assert frame["response_address"] in servers, frame
        assert frame["response_port"] == 53, frame
        assert frame["query_address"].startswith("127."), frame
        assert frame["query_port"], frame
    # The name itself was asked of a server that holds it, and answered.
    assert of_type(asked, "RESOLVER_QUERY", "www.plain.example.")
    assert of_type(answered, "RESOLVER_RESPONSE", "www.plain.example.")


def test_an_absent_reader_never_delays_answers(cairn, short_tmp):
    """Nobody listens on the socket: every query is answered, every frame is
    dropped and counted."""
    c = start_with_dnstap(cairn, short_tmp)
    ctl = c.config["control-socket"]
    for i in range(50):
        assert c.query("www.plain.example.", "A", timeout=5.0).rcode() == dns.rcode.NOERROR
    figures = stats(ctl)
    assert figures["dnstap.connected"] == 0
    assert figures["dnstap.frames"] == 0
    assert figures["dnstap.dropped"] >= 100, figures   # a query and an answer each


class StalledReader:
    """A Frame Streams reader that completes the handshake and then reads
    nothing more: the writer's socket fills up."""

    def __init__(self, path: str):
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(path)
        self.listener.listen(4)
        self.listener.settimeout(15)
        self.connections: list[socket.socket] = []

    def accept_one(self) -> None:
        conn, _ = self.listener.accept()
        self.connections.append(conn)
        _read_control(conn)                                 # READY
        field = struct.pack("!II", 1, len(CONTENT_TYPE)) + CONTENT_TYPE
        body = struct.pack("!I", 1) + field                 # ACCEPT
        conn.sendall(struct.pack("!II", 0, len(body)) + body)
        _read_control(conn)                                 # START

    def close(self) -> None:
        for conn in self.connections:
            conn.close()
        self.listener.close()


def _read_exact(conn: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        assert chunk, "writer closed during the handshake"
        data += chunk
    return data


def _read_control(conn: socket.socket) -> None:
    escape, length = struct.unpack("!II", _read_exact(conn, 8))
    assert escape == 0
    _read_exact(conn, length)


def test_a_reader_that_does_not_read_never_delays_answers(cairn, short_tmp):
    reader = StalledReader(os.path.join(short_tmp, "tap.sock"))
    try:
        c = start_with_dnstap(cairn, short_tmp, **{"dnstap-queue-size": 16})
        ctl = c.config["control-socket"]
        reader.accept_one()
        wait_for_stat(ctl, "dnstap.connected", 1)
        # Frames pile up in the socket, then in the queue, then are dropped
        # by the thousand (far more than a busy machine's hiccup drops);
        # every query is answered all along.
        for i in range(20000):
            assert c.query("www.plain.example.", "A", timeout=5.0).rcode() == dns.rcode.NOERROR
            if i % 250 == 249 and stats(ctl)["dnstap.dropped"] >= 2000:
                break
        figures = stats(ctl)
        assert figures["dnstap.dropped"] >= 2000, figures
        assert figures["dnstap.frames"] > 0, figures
        # A stuck reader does not hold the daemon: it stops cleanly (not
        # killed), and well before the fixture would kill it.
        proc = c.proc
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        reader.close()


def test_a_reader_that_comes_back_is_reconnected(cairn, short_tmp):
    sock = os.path.join(short_tmp, "tap.sock")
    first = Capture(sock, os.path.join(short_tmp, "first.fstrm"))
    c = start_with_dnstap(cairn, short_tmp)
    ctl = c.config["control-socket"]
    wait_for_stat(ctl, "dnstap.connected", 1)
    first.stop()
    # The writer learns that the reader is gone when a write fails.
    deadline = time.monotonic() + 15
    while stats(ctl)["dnstap.connected"] != 0:
        assert time.monotonic() < deadline, stats(ctl)
        c.query("www.plain.example.", "A")
        time.sleep(0.05)
    second = Capture(sock, os.path.join(short_tmp, "second.fstrm"))
    try:
        wait_for_stat(ctl, "dnstap.connected", 1)
        assert c.query("www.secure.example.", "A").rcode() == dns.rcode.NOERROR
        c.stop()
    finally:
        after = second.stop()
    assert of_type(after, "CLIENT_QUERY", "www.secure.example."), after
    assert of_type(after, "CLIENT_RESPONSE", "www.secure.example."), after
