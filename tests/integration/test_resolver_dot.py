"""DNS over TLS (RFC 7858): independent clients (kdig, dnspython, openssl
s_client) against Cairn's listen-tls; TCP's manners (pipelining, limits,
idle timeout) and the EDNS keepalive and padding on TLS; bad clients."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import struct
import subprocess
import time

import dns.edns
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from resolver_helpers import rdatas
from resolvers import free_port
from tls_setup import HOSTNAME, encrypted, pki  # noqa: F401 (fixtures)

WWW = "www.plain.example."
BIG = "big.plain.example."
TCP_KEEPALIVE = 11  # RFC 7828 (dnspython 2.3 has no name for it)


def frame(message: dns.message.Message) -> bytes:
    wire = message.to_wire()
    return struct.pack("!H", len(wire)) + wire


def read_framed(sock) -> dns.message.Message:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise EOFError("closed")
            data += chunk
        return data
    (length,) = struct.unpack("!H", exactly(2))
    return dns.message.from_wire(exactly(length))


def closed_by_server(sock, timeout: float = 15.0) -> bool:
    """True when the server closes (EOF or reset) before `timeout`."""
    sock.settimeout(timeout)
    try:
        while True:
            if not sock.recv(4096):
                return True
    except (ConnectionResetError, OSError) as e:
        return not isinstance(e, socket.timeout)


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_kdig_over_tls_verifies_the_certificate_and_gets_the_answer(encrypted, pki):
    e = encrypted()
    out = subprocess.run(["kdig", f"@{e.host}", "-p", str(e.tls_port), "+tls",
                          f"+tls-ca={pki.ca}", f"+tls-hostname={HOSTNAME}", WWW, "A"],
                         capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "TLS session (TLS1.3)" in out.stdout, out.stdout
    assert "status: NOERROR" in out.stdout and WWW in out.stdout and "\tA\t" in out.stdout, out.stdout
    assert e.stats()["net.dot_queries"] >= 1


def test_dnspython_over_tls_with_the_certificate_checked(encrypted, pki):
    e = encrypted()
    q = dns.message.make_query(WWW, "A")
    r = dns.query.tls(q, e.host, port=e.tls_port, timeout=10, ssl_context=pki.client_context(["dot"]),
                      server_hostname=HOSTNAME)
    assert r.rcode() == dns.rcode.NOERROR and rdatas(r, WWW, "A"), r
    # a big answer comes whole: a stream has no UDP size limit
    q = dns.message.make_query(BIG, "TXT", use_edns=0, payload=1232)
    r = dns.query.tls(q, e.host, port=e.tls_port, timeout=10, ssl_context=pki.client_context(),
                      server_hostname=HOSTNAME)
    assert not r.flags & dns.flags.TC and len(r.to_wire()) > 1232, r


def test_alpn_dot_is_chosen_and_a_wrong_alpn_is_refused(encrypted, pki):
    e = encrypted()
    with e.tls_socket(pki, ["dot"]) as s:
        assert s.selected_alpn_protocol() == "dot"
    with e.tls_socket(pki) as s:  # no ALPN at all (RFC 7858 clients): served
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        assert read_framed(s).rcode() == dns.rcode.NOERROR
    out = subprocess.run(["openssl", "s_client", "-connect", f"{e.host}:{e.tls_port}", "-alpn", "dot",
                          "-CAfile", pki.ca, "-servername", HOSTNAME],
                         input="", capture_output=True, text=True, timeout=30)
    assert "ALPN protocol: dot" in out.stdout + out.stderr, out.stdout + out.stderr
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        e.tls_socket(pki, ["h2", "http/1.1"]).close()
    assert wait_for(lambda: e.stats()["net.tls_handshake_failures"] >= 1)


def test_tls_1_2_is_served_and_older_versions_are_not(encrypted, pki):
    e = encrypted()
    base = ["openssl", "s_client", "-connect", f"{e.host}:{e.tls_port}", "-CAfile", pki.ca,
            "-servername", HOSTNAME, "-brief"]
    ok = subprocess.run(base + ["-tls1_2"], input="", capture_output=True, text=True, timeout=30)
    assert "Protocol version: TLSv1.2" in ok.stdout + ok.stderr, ok.stdout + ok.stderr
    old = subprocess.run(base + ["-tls1_1"], input="", capture_output=True, text=True, timeout=30)
    assert "Protocol version" not in old.stdout + old.stderr


def test_sessions_resume_from_a_ticket(encrypted, pki):
    e = encrypted()
    ctx = pki.client_context(["dot"])
    raw = socket.create_connection((e.host, e.tls_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname=HOSTNAME) as s:
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        read_framed(s)  # TLS 1.3 tickets arrive after the handshake
        session = s.session
    assert session is not None and session.has_ticket
    raw = socket.create_connection((e.host, e.tls_port), timeout=10)
    with ctx.wrap_socket(raw, server_hostname=HOSTNAME, session=session) as s:
        assert s.session_reused
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        assert read_framed(s).rcode() == dns.rcode.NOERROR
    assert wait_for(lambda: e.stats()["net.tls_resumed"] >= 1)


def test_pipelined_queries_are_all_answered_on_one_connection(encrypted, pki):
    e = encrypted()
    names = [WWW, "mail.plain.example.", "nx.plain.example.", WWW]
    queries = [dns.message.make_query(n, "A") for n in names]
    with e.tls_socket(pki, ["dot"]) as s:
        s.sendall(b"".join(frame(q) for q in queries))
        answers = [read_framed(s) for _ in queries]
    # each answer matches its query by ID (answers may come in any order)
    by_id = {a.id: a for a in answers}
    for q in queries:
        assert q.id in by_id and by_id[q.id].question == q.question
    assert e.stats()["net.dot_queries"] >= len(queries)


def test_keepalive_and_padding_are_added_when_the_query_asks(encrypted, pki):
    e = encrypted({"tcp-idle-timeout": "7s"})
    keepalive = dns.edns.GenericOption(TCP_KEEPALIVE, b"")
    q = dns.message.make_query(WWW, "A", use_edns=0, options=[keepalive], pad=128)
    plain = dns.message.make_query(WWW, "A", use_edns=0)
    with e.tls_socket(pki, ["dot"]) as s:
        s.sendall(frame(q))
        wire_len, r = read_wire(s)
        s.sendall(frame(plain))
        plain_len, unpadded = read_wire(s)
    assert wire_len % 468 == 0, wire_len
    options = {o.otype: o for o in r.options}
    assert dns.edns.OptionType.PADDING in options, r
    assert options[TCP_KEEPALIVE].to_wire() == struct.pack("!H", 70)  # 7 s in 100 ms units
    assert not any(o.otype in (dns.edns.OptionType.PADDING, TCP_KEEPALIVE)
                   for o in unpadded.options), unpadded
    assert plain_len % 468 != 0


def read_wire(sock) -> tuple[int, dns.message.Message]:
    data = b""
    while len(data) < 2:
        data += sock.recv(2 - len(data))
    (length,) = struct.unpack("!H", data)
    body = b""
    while len(body) < length:
        body += sock.recv(length - len(body))
    return length, dns.message.from_wire(body)


def test_allow_list_applies_over_tls(encrypted, pki):
    e = encrypted({"allow": ["10.0.0.0/8"]})
    with e.tls_socket(pki, ["dot"]) as s:
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        assert read_framed(s).rcode() == dns.rcode.REFUSED


def test_connections_over_the_per_client_limit_are_closed(encrypted, pki):
    e = encrypted({"tcp-max-connections-per-client": 2})
    first = [e.tls_socket(pki, ["dot"]) for _ in range(2)]
    third = socket.create_connection((e.host, e.tls_port), timeout=10)
    assert closed_by_server(third)
    third.close()
    assert e.stats()["net.encrypted_refused_limit"] >= 1
    for s in first:  # the first two still work
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        assert read_framed(s).rcode() == dns.rcode.NOERROR
        s.close()


def test_a_silent_client_is_dropped_after_the_handshake_timeout(encrypted):
    e = encrypted({"tls-handshake-timeout": "300ms"})
    s = socket.create_connection((e.host, e.tls_port), timeout=10)
    assert closed_by_server(s)
    s.close()
    assert e.stats()["net.tls_handshake_timeouts"] >= 1


def test_an_idle_connection_is_closed(encrypted, pki):
    e = encrypted({"tcp-idle-timeout": "500ms"})
    with e.tls_socket(pki, ["dot"]) as s:
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        read_framed(s)
        assert closed_by_server(s)
    assert e.stats()["net.encrypted_idle_closed"] >= 1


def test_garbage_before_and_after_the_handshake_closes_only_that_connection(encrypted, pki):
    e = encrypted()
    before = socket.create_connection((e.host, e.tls_port), timeout=10)
    before.sendall(os.urandom(64) + b"GET / HTTP/1.1\r\n\r\n")
    assert closed_by_server(before)
    before.close()
    assert wait_for(lambda: e.stats()["net.tls_handshake_failures"] >= 1)
    # inside TLS: a length that cannot hold a DNS header
    with e.tls_socket(pki, ["dot"]) as s:
        s.sendall(b"\x00\x03abc")
        assert closed_by_server(s)
    assert e.stats()["net.dot_malformed"] >= 1
    # outside TLS, after the handshake: bytes that are no TLS record
    with e.tls_socket(pki, ["dot"]) as s:
        s.sendall(frame(dns.message.make_query(WWW, "A")))
        read_framed(s)
        raw = socket.socket(fileno=os.dup(s.fileno()))
        raw.sendall(os.urandom(100))
        raw.close()
        assert closed_by_server(s)
    assert wait_for(lambda: e.stats()["net.tls_errors"] >= 1)
    # the server goes on serving
    r = dns.query.tls(dns.message.make_query(WWW, "A"), e.host, port=e.tls_port, timeout=10,
                      ssl_context=pki.client_context(), server_hostname=HOSTNAME)
    assert r.rcode() == dns.rcode.NOERROR


def test_a_client_that_never_reads_does_not_stall_others(encrypted, pki):
    e = encrypted({"tcp-idle-timeout": "2s"})
    hog = e.tls_socket(pki, ["dot"])
    hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    query = frame(dns.message.make_query(BIG, "TXT", use_edns=0, payload=1232))
    hog.settimeout(1.0)
    sent = 0
    try:
        for _ in range(2000):  # ~6 MB of answers asked for, none read
            hog.sendall(query)
            sent += 1
    except (socket.timeout, OSError):
        pass  # the server stopped reading from us: that is the point
    assert sent > 0
    r = dns.query.tls(dns.message.make_query(WWW, "A"), e.host, port=e.tls_port, timeout=10,
                      ssl_context=pki.client_context(), server_hostname=HOSTNAME)
    assert r.rcode() == dns.rcode.NOERROR
    # the hog is cut off once nothing has moved for the idle timeout
    assert wait_for(lambda: e.stats()["net.encrypted_idle_closed"] >= 1, timeout=30)
    hog.close()


def test_unusable_certificates_are_refused_at_start(cairn, pki, tmp_path, mini_internet):
    other_cert, other_key = pki.issue("other")
    binary = os.environ.get("CAIRN_BIN", os.path.join(os.path.dirname(__file__), "..", "..",
                                                      "build", "bin", "cairn"))
    cases = [
        ({"tls-certificate": pki.cert, "tls-key": other_key}, [other_key, "does not match"]),
        ({"tls-certificate": pki.key, "tls-key": pki.key}, [pki.key, "certificate"]),
    ]
    for overrides, expected in cases:
        conf = tmp_path / "bad.yaml"
        conf.write_text("\n".join([
            f'listen: ["127.0.0.1:{free_port()}"]', f'listen-tls: ["127.0.0.1:{free_port()}"]',
            f"tls-certificate: {overrides['tls-certificate']}", f"tls-key: {overrides['tls-key']}",
            f"root-hints: {mini_internet.root_hints}"]) + "\n")
        out = subprocess.run([binary, "--config", str(conf)], capture_output=True, text=True,
                             timeout=30)
        assert out.returncode != 0
        for words in expected:
            assert words in out.stdout + out.stderr, out.stdout + out.stderr


def test_sighup_loads_a_new_certificate_and_a_bad_one_keeps_the_old(encrypted, pki):
    e = encrypted()
    c = e.cairn
    new_cert, new_key = pki.issue("renewed", cn="renewed.resolver.test")
    _, wrong_key = pki.issue("unrelated")
    conf = open(c.conf_path).read()
    # a key that does not match: the reload fails, naming the file, and the old one serves
    open(c.conf_path, "w").write(conf.replace(pki.key, wrong_key).replace(pki.cert, new_cert))
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "does not match" in c.output(200)), c.output()
    assert wrong_key in c.output(200)
    assert peer_cn(e, pki) == HOSTNAME
    # a good pair: new connections get the new certificate
    open(c.conf_path, "w").write(conf.replace(pki.key, new_key).replace(pki.cert, new_cert))
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "configuration reloaded" in c.output(200)), c.output()
    assert wait_for(lambda: peer_cn(e, pki) == "renewed.resolver.test")


def peer_cn(e, pki) -> str:
    with e.tls_socket(pki, ["dot"]) as s:
        subject = dict(x[0] for x in s.getpeercert()["subject"])
        return subject["commonName"]
