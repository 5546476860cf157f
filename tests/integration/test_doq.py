"""DNS over QUIC (RFC 9250): kdig (+quic, an independent client) and
`cairnctl query --quic` against Cairn's listen-quic; the DoQ rules (ALPN doq,
message ID 0, one query per stream) enforced with tests/tools/doq_probe, a
client that misbehaves on purpose; Retry address validation, padding, the
allow list, many streams on one connection, datagrams that are not QUIC, and
certificate reloads (a renewal keeps open connections).

Debian 12 has no aioquic, so dnspython's dns.query.quic() cannot run here;
kdig 3.2 (knot-dnsutils) is the independent client."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import tempfile
import time

import dns.edns
import dns.message
import dns.rcode
import pytest

from resolver_helpers import cairnctl_binary, rdatas
from resolvers import free_port
from tls_setup import HOSTNAME, Pki, pki  # noqa: F401 (fixture)

WWW = "www.plain.example."
TCP_KEEPALIVE = 11  # RFC 7828 (dnspython 2.3 has no name for it)
DOQ_NO_ERROR = 0x0
DOQ_PROTOCOL_ERROR = 0x2
CRYPTO_ERROR_NO_APPLICATION_PROTOCOL = 0x100 + 120  # RFC 9001 §4.8, TLS alert 120


class Doq:
    """A running Cairn with listen-quic on 127.0.0.1 and a control socket."""

    def __init__(self, cairn, port: int, control: str):
        self.cairn = cairn
        self.host = "127.0.0.1"
        self.port = port
        self.control = control

    def stats(self) -> dict[str, float]:
        from resolver_helpers import cairn_stats
        return cairn_stats(self.control)

    def probe(self, pki: Pki, queries: list[bytes], *, alpn: str | None = None,
              timeout: int = 10, unframed: bool = False, hold: bool = False) -> dict:
        """doq_probe on one connection: the parsed JSON result. Fails the test if
        there was no handshake; see probe_failure() for that case."""
        out = self._run_probe(pki, queries, alpn, timeout, unframed, hold)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    def probe_failure(self, pki: Pki, queries: list[bytes], *, alpn: str | None = None,
                      timeout: int = 3) -> str:
        out = self._run_probe(pki, queries, alpn, timeout)
        assert out.returncode == 2, out.stdout + out.stderr
        return out.stderr

    def probe_args(self, pki: Pki, queries, alpn=None, timeout=10, unframed=False,
                   hold=False, keepalive=False) -> list[str]:
        args = [probe_binary(), f"{self.host}:{self.port}", "--ca", pki.ca,
                "--timeout", str(timeout)]
        if alpn:
            args += ["--alpn", alpn]
        if unframed:
            args.append("--unframed")
        if hold:
            args.append("--hold")
        if keepalive:
            args.append("--keepalive")
        return args + [q.hex() for q in queries]

    def _run_probe(self, pki: Pki, queries, alpn, timeout, unframed=False,
                   hold=False) -> subprocess.CompletedProcess:
        args = self.probe_args(pki, queries, alpn, timeout, unframed, hold)
        return subprocess.run(args, capture_output=True, text=True, timeout=timeout + 30)

    def cairnctl(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([cairnctl_binary(), "query", "--quic", f"@{self.host}:{self.port}",
                               *args], capture_output=True, text=True, timeout=60)


def probe_binary() -> str:
    path = os.path.join(os.path.dirname(cairnctl_binary()), "doq_probe")
    assert os.access(path, os.X_OK), f"{path} is not built (scripts/build.sh release doq_probe)"
    return path


@pytest.fixture
def doq(cairn, pki):
    """Factory: doq(overrides) -> Doq."""
    dirs = []

    def start(overrides: dict | None = None) -> Doq:
        control_dir = tempfile.mkdtemp(prefix="cairn-q-", dir="/tmp")
        dirs.append(control_dir)
        control = os.path.join(control_dir, "control.sock")
        port = free_port()
        config = {
            "listen-quic": [f"127.0.0.1:{port}"],
            "tls-certificate": pki.cert,
            "tls-key": pki.key,
            "control-socket": control,
        }
        config.update(overrides or {})
        return Doq(cairn(config), port, control)

    yield start
    for d in dirs:
        shutil.rmtree(d, ignore_errors=True)


def query(name: str = WWW, rdtype: str = "A", **kw) -> bytes:
    kw.setdefault("id", 0)
    return dns.message.make_query(name, rdtype, **kw).to_wire()


def answer_of(stream: dict) -> dns.message.Message:
    assert stream["complete"], stream
    return dns.message.from_wire(bytes.fromhex(stream["answer"]))


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_kdig_over_quic_verifies_the_certificate_and_gets_the_answer(doq, pki):
    d = doq()
    out = subprocess.run(["kdig", f"+tls-ca={pki.ca}", f"+tls-hostname={HOSTNAME}", "+quic",
                          f"@{d.host}", "-p", str(d.port), WWW, "A"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "QUIC session (QUICv1)-(TLS1.3)" in out.stdout, out.stdout
    assert "status: NOERROR" in out.stdout and "\tA\t" in out.stdout, out.stdout
    stats = d.stats()
    assert stats["net.doq_queries"] >= 1 and stats["net.doq_handshakes"] >= 1


def test_cairnctl_query_quic_gets_the_answer_with_the_certificate_checked(doq, pki, tmp_path):
    d = doq()
    out = d.cairnctl("--ca", pki.ca, WWW, "A")
    assert out.returncode == 0, out.stderr
    assert "status: NOERROR" in out.stdout and WWW in out.stdout, out.stdout
    assert f"SERVER: 127.0.0.1#{d.port}(quic)" in out.stdout, out.stdout
    # the query was padded (RFC 8467 §4.1), so the answer is too
    assert "; PADDING:" in out.stdout and "MSG SIZE  rcvd: 468" in out.stdout, out.stdout
    # a certificate from another CA is refused, unless told not to check
    other = Pki(str(tmp_path))
    bad = d.cairnctl("--ca", other.ca, WWW, "A")
    assert bad.returncode == 2 and "not trusted" in bad.stderr, bad.stdout + bad.stderr
    assert d.cairnctl("--insecure", WWW, "A").returncode == 0


def test_cairnctl_quic_checks_the_certificate_for_the_name_given_with_tls_name(doq, pki):
    d = doq()
    # the certificate is for HOSTNAME and 127.0.0.1
    out = d.cairnctl("--ca", pki.ca, "--tls-name", HOSTNAME, WWW, "A")
    assert out.returncode == 0, out.stderr
    assert "status: NOERROR" in out.stdout, out.stdout
    bad = d.cairnctl("--ca", pki.ca, "--tls-name", "other.test", WWW, "A")
    assert bad.returncode == 2 and "not trusted" in bad.stderr, bad.stdout + bad.stderr
    # options that do not go together are refused before anything is sent
    both = d.cairnctl("--tls", "--ca", pki.ca, WWW, "A")
    assert both.returncode == 1 and "choose one transport" in both.stderr, both.stderr


def test_answers_are_padded_to_468_octets_when_the_query_is(doq, pki):
    d = doq()
    padded = query(use_edns=0, pad=128)
    plain = query(use_edns=0)
    r = d.probe(pki, [padded, plain])
    padded_answer, plain_answer = (bytes.fromhex(s["answer"]) for s in r["streams"])
    assert len(padded_answer) % 468 == 0, len(padded_answer)
    assert dns.edns.OptionType.PADDING in {o.otype for o in answer_of(r["streams"][0]).options}
    assert not answer_of(r["streams"][1]).options
    assert len(plain_answer) % 468 != 0
    assert answer_of(r["streams"][0]).id == 0 and answer_of(r["streams"][0]).rcode() == 0


def test_a_client_without_alpn_doq_is_refused(doq, pki):
    d = doq()
    err = d.probe_failure(pki, [query()], alpn="h3")
    assert "CRYPTO_ERROR (TLS alert 120)" in err, err
    assert wait_for(lambda: d.stats()["net.doq_handshake_failures"] >= 1)
    assert d.stats()["net.doq_queries"] == 0


def framed(message: bytes) -> bytes:
    return struct.pack("!H", len(message)) + message


@pytest.mark.parametrize("bad", ["nonzero-id", "keepalive", "two-messages", "short-message",
                                 "fin-inside-message", "fin-inside-length", "empty-stream"])
def test_a_stream_breaking_doq_rules_closes_the_connection_with_protocol_error(doq, pki, bad):
    """RFC 9250 §4.2.1 (ID 0), §5.5.2 (no TCP keepalive), §4.2 and §4.3.3 (one whole
    message per stream, ended by FIN)."""
    d = doq()
    q = query()
    stream = {
        "nonzero-id": framed(query(id=4242)),
        "keepalive": framed(query(use_edns=0,
                                  options=[dns.edns.GenericOption(TCP_KEEPALIVE, b"")])),
        "two-messages": framed(q) + framed(q),
        "short-message": framed(q[:11]),
        "fin-inside-message": struct.pack("!H", len(q) + 10) + q,
        "fin-inside-length": b"\x00",
        "empty-stream": b"",
    }[bad]
    r = d.probe(pki, [stream], unframed=True)
    assert r["closed"] == {"application": True, "code": DOQ_PROTOCOL_ERROR}, r
    assert not r["streams"][0]["complete"]
    assert wait_for(lambda: d.stats()["net.doq_protocol_errors"] >= 1)
    # only that connection ends
    assert answer_of(d.probe(pki, [query()])["streams"][0]).rcode() == dns.rcode.NOERROR


def test_a_query_that_does_not_parse_gets_its_stream_reset(doq, pki):
    d = doq()
    header_only = query()[:12]  # QDCOUNT 1, and no question
    r = d.probe(pki, [header_only, query()])
    assert r["streams"][0]["reset"] == DOQ_PROTOCOL_ERROR, r
    assert answer_of(r["streams"][1]).rcode() == dns.rcode.NOERROR  # the connection lives on
    assert r["closed"] is None


def test_queries_are_refused_before_any_work_for_clients_not_allowed(doq, pki):
    d = doq({"allow": ["10.0.0.0/8"]})
    err = d.probe_failure(pki, [query()])
    assert "no QUIC handshake" in err, err
    stats = d.stats()
    assert stats["net.doq_refused_acl"] >= 1
    assert stats["net.doq_accepted"] == 0 and stats["net.doq_retries"] == 0


def test_new_clients_go_through_a_retry_unless_it_is_off(doq, pki):
    d = doq()
    r = d.probe(pki, [query()])
    assert r["after_retry"] is True and answer_of(r["streams"][0]).rcode() == dns.rcode.NOERROR
    stats = d.stats()
    assert stats["net.doq_retries"] >= 1 and stats["net.doq_accepted"] == 1
    off = doq({"quic-retry": False})
    r = off.probe(pki, [query()])
    assert r["after_retry"] is False and answer_of(r["streams"][0]).rcode() == dns.rcode.NOERROR
    assert off.stats()["net.doq_retries"] == 0


def test_many_queries_on_one_connection_beyond_the_stream_limit(doq, pki):
    d = doq({"quic-max-streams": 8, "threads": 2})
    names = [f"{label}.plain.example." for label in ("www", "mail", "nx")] * 30
    r = d.probe(pki, [query(n) for n in names], timeout=30)
    assert r["closed"] is None, r["closed"]
    assert len(r["streams"]) == len(names)
    for name, stream in zip(names, r["streams"]):
        a = answer_of(stream)
        assert a.question[0].name.to_text() == name and a.id == 0
        expected = dns.rcode.NXDOMAIN if name.startswith("nx.") else dns.rcode.NOERROR
        assert a.rcode() == expected, a
    assert rdatas(answer_of(r["streams"][0]), WWW, "A")
    stats = d.stats()
    assert stats["net.doq_accepted"] == 1 and stats["net.doq_queries"] == len(names)


def test_an_idle_connection_ends_after_quic_idle_timeout(doq, pki):
    d = doq({"quic-idle-timeout": "1s"})
    r = d.probe(pki, [query()], hold=True, timeout=30)
    assert answer_of(r["streams"][0]).rcode() == dns.rcode.NOERROR
    # QUIC's idle close is silent (RFC 9000 §10.1): both ends just stop
    assert r["idle_timeout"] is True and r["closed"] is None, r
    assert wait_for(lambda: d.stats()["net.encrypted_idle_closed"] >= 1)
    assert d.stats()["net.doq_open"] == 0


def test_connections_over_the_per_client_limit_are_refused(doq, pki):
    # the held connection pings; once it is killed, it goes idle soon
    d = doq({"tcp-max-connections-per-client": 1, "quic-idle-timeout": "2s"})
    held = subprocess.Popen(d.probe_args(pki, [query()], hold=True, keepalive=True, timeout=60),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: d.stats()["net.doq_open"] == 1, timeout=20)
        err = d.probe_failure(pki, [query()], timeout=10)
        assert "CONNECTION_REFUSED" in err, err
        assert d.stats()["net.encrypted_refused_limit"] >= 1
    finally:
        held.terminate()
        held.wait(timeout=10)
    # the slot is free again once the held connection is gone
    assert wait_for(lambda: d.stats()["net.doq_open"] == 0, timeout=60)
    assert answer_of(d.probe(pki, [query()])["streams"][0]).rcode() == dns.rcode.NOERROR


def test_datagrams_that_are_not_quic_get_nothing_and_harm_nothing(doq, pki):
    d = doq()
    v1_initial = bytes([0xc0]) + b"\x00\x00\x00\x01"
    garbage = [
        b"",
        os.urandom(1),
        b"\x00" + os.urandom(40),                          # fixed bit clear
        b"\x40" + os.urandom(100),                         # short header, no such connection
        v1_initial + bytes([21]) + os.urandom(1300),      # connection ID longer than 20
        v1_initial + bytes([8]) + os.urandom(8) + b"\x00" + os.urandom(300),  # Initial < 1200
        bytes([0xe0]) + b"\x00\x00\x00\x01" + bytes([8]) + os.urandom(1300),  # Handshake type
        dns.message.make_query(WWW, "A", id=0x1234).to_wire(),  # plain DNS on the DoQ port
    ]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(1.0)
        for datagram in garbage * 3:
            s.sendto(datagram, (d.host, d.port))
        with pytest.raises(socket.timeout):
            s.recvfrom(4096)
    assert wait_for(lambda: d.stats()["net.doq_dropped"] >= 3 * len(garbage))
    assert d.stats()["net.doq_retries"] == 0
    assert d.cairn.pid is not None
    assert answer_of(d.probe(pki, [query()])["streams"][0]).rcode() == dns.rcode.NOERROR
    assert d.stats()["net.doq_accepted"] == 1


def test_an_unknown_quic_version_gets_version_negotiation(doq, pki):
    d = doq()
    dcid, scid = os.urandom(8), os.urandom(8)
    packet = bytes([0xc0]) + b"\x1a\x2a\x3a\x4a" + bytes([8]) + dcid + bytes([8]) + scid
    packet += b"\0" * (1200 - len(packet))
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(10)
        s.sendto(packet, (d.host, d.port))
        reply, _ = s.recvfrom(4096)
    # RFC 9000 §17.2.1: version 0, the client's IDs swapped, then version 1
    assert reply[1:5] == b"\0\0\0\0"
    assert reply[5] == 8 and reply[6:14] == scid and reply[14] == 8 and reply[15:23] == dcid
    assert b"\0\0\0\1" in reply[23:]


def test_sighup_loads_a_new_certificate_and_a_bad_one_keeps_the_old(doq, pki, tmp_path):
    d = doq()
    c = d.cairn
    other = Pki(str(tmp_path))
    new_cert, new_key = other.issue("renewed")
    _, wrong_key = other.issue("unrelated")
    conf = open(c.conf_path).read()
    # a key that does not match: the reload fails, naming the file, and the old one serves
    open(c.conf_path, "w").write(conf.replace(pki.key, wrong_key).replace(pki.cert, new_cert))
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: wrong_key in c.output(200)), c.output()
    assert d.cairnctl("--ca", pki.ca, WWW, "A").returncode == 0
    # a good pair: new connections get the new certificate
    open(c.conf_path, "w").write(conf.replace(pki.key, new_key).replace(pki.cert, new_cert))
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "configuration reloaded" in c.output(200)), c.output()
    assert wait_for(lambda: d.cairnctl("--ca", other.ca, WWW, "A").returncode == 0, timeout=30)
    assert d.cairnctl("--ca", pki.ca, WWW, "A").returncode == 2


def test_a_renewed_certificate_keeps_open_doq_connections(doq, pki, tmp_path):
    # the files cairn reads, which the renewal overwrites in place
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    shutil.copy(pki.cert, cert)
    shutil.copy(pki.key, key)
    d = doq({"tls-certificate": cert, "tls-key": key})
    c = d.cairn
    # a connection checked against the first CA; its second query waits
    held = subprocess.Popen(d.probe_args(pki, [query(WWW), query("mail.plain.example.")],
                                         timeout=60, keepalive=True) + ["--last-after-stdin"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: d.stats()["net.doq_queries"] >= 1, timeout=30), d.stats()
        other = Pki(str(tmp_path))
        new_cert, new_key = other.issue("renewed")
        shutil.copy(new_cert, cert)
        shutil.copy(new_key, key)
        os.kill(c.pid, signal.SIGHUP)
        assert wait_for(lambda: "nothing to rebuild" in c.output(200)), c.output()
        # new connections get the renewed certificate
        assert d.cairnctl("--ca", other.ca, WWW, "A").returncode == 0
        assert d.cairnctl("--ca", pki.ca, WWW, "A").returncode == 2
        # the open connection goes on answering
        out, err = held.communicate("go\n", timeout=90)
    finally:
        if held.poll() is None:
            held.kill()
            held.wait()
    assert held.returncode == 0, err
    result = json.loads(out)
    assert result["closed"] is None and not result["idle_timeout"], result
    assert [s["complete"] for s in result["streams"]] == [True, True], result
    assert rdatas(answer_of(result["streams"][0]), WWW, "A")
    assert rdatas(answer_of(result["streams"][1]), "mail.plain.example.", "A")
