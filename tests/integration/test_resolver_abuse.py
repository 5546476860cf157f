"""Clients that abuse the resolver (issue 14, points 5-8): floods from forged
sources are not reflected (response rate limiting), DNS cookies prove a
client's address, TCP clients that never read cannot exhaust memory, and one
client cannot take every resolution slot."""

from __future__ import annotations

import os
import select
import signal
import socket
import struct
import time

import dns.edns
import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from resolver_helpers import cairn_stats, rdatas, rss_kib
from resolvers import to_yaml


@pytest.fixture
def control(tmp_path_factory):
    """A short path for a control socket (unix socket paths are limited)."""
    path = tmp_path_factory.mktemp("ctl", numbered=True)
    return str(path / "c.sock")


def _wait_for(predicate, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting for {what}"
        time.sleep(0.05)


def _flood(r, control: str, wires: list[bytes]) -> list[bytes]:
    """Sends `wires` from one UDP socket as fast as it can, waits until cairn
    has read them all, and returns the replies that came back."""
    before = cairn_stats(control).get("server.queries_udp", 0)
    replies = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        for w in wires:
            s.sendto(w, (r.host, r.port))
        _wait_for(lambda: cairn_stats(control).get("server.queries_udp", 0) >= before + len(wires),
                  "cairn to read the flood")
        _wait_for(lambda: cairn_stats(control).get("server.inflight", 0) == 0, "resolutions to end")
        s.settimeout(0.5)
        while True:
            try:
                replies.append(s.recv(65535))
            except socket.timeout:
                break
    return replies


def _query(name: str, rdtype: str = "A", qid: int = 1) -> bytes:
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
    q.id = qid
    return q.to_wire()


# -- response rate limiting (point 5) ----------------------------------------------

def test_refused_flood_gets_well_under_ten_percent_answered(cairn, control):
    """Default settings, a client outside `allow` (so every answer is a
    REFUSED) sends 2,000 queries: at most a second's budget of errors comes
    back, the rest is counted as rate limited; over TCP it is still refused."""
    r = cairn({"control-socket": control, "allow": ["10.0.0.0/8"]})
    wires = [_query(f"n{i}.plain.example.", qid=i) for i in range(2000)]
    replies = _flood(r, control, wires)
    assert len(replies) < len(wires) // 20, f"{len(replies)} of {len(wires)} answered"
    assert all(dns.message.from_wire(w).rcode() == dns.rcode.REFUSED for w in replies)
    stats = cairn_stats(control)
    assert stats["server.rate_limited_errors"] >= len(wires) * 0.9, stats


def test_malformed_flood_gets_well_under_ten_percent_answered(cairn, control):
    """Queries whose question parses but that are malformed after it (FORMERR)
    are limited like any error."""
    r = cairn({"control-socket": control})
    wires = [_query("www.plain.example.", qid=i % 65536) + b"\x00junk" for i in range(2000)]
    replies = _flood(r, control, wires)
    assert len(replies) < len(wires) // 20, f"{len(replies)} of {len(wires)} answered"
    assert all(dns.message.from_wire(w, ignore_trailing=True).rcode() == dns.rcode.FORMERR
               for w in replies)
    assert cairn_stats(control)["server.rate_limited_errors"] >= len(wires) * 0.9


def test_answer_rate_limit_slips_truncated_answers_and_spares_tcp(cairn, control):
    """With rate-limit-answers 5 and slip 2, a flood for one name gets about a
    second's budget of answers and, of the rest, every second one empty with
    TC=1; a TCP query is answered in full meanwhile."""
    r = cairn({"control-socket": control, "rate-limit-answers": 5, "rate-limit-slip": 2})
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")
    wires = [_query("www.plain.example.", qid=i) for i in range(400)]
    replies = [dns.message.from_wire(w) for w in _flood(r, control, wires)]
    full = [m for m in replies if not m.flags & dns.flags.TC]
    slips = [m for m in replies if m.flags & dns.flags.TC]
    assert all(not m.answer for m in slips)
    assert len(full) <= 5 * 4, len(full)                 # a few seconds' budget at most
    limited = len(wires) - len(full)
    assert abs(len(slips) - limited / 2) <= 5 * 4, (len(slips), limited)
    stats = cairn_stats(control)
    assert stats["server.rate_limit_slips"] == len(slips), stats
    assert stats["server.rate_limited_answers"] == limited, stats
    tcp = r.query("www.plain.example.", "A", tcp=True, timeout=5)
    assert rdatas(tcp, "www.plain.example.", "A")


def test_answers_are_not_limited_by_default(cairn, control):
    r = cairn({"control-socket": control})
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")
    wires = [_query("www.plain.example.", qid=i) for i in range(300)]
    replies = [dns.message.from_wire(w) for w in _flood(r, control, wires)]
    assert len(replies) == len(wires)
    assert all(rdatas(m, "www.plain.example.", "A") for m in replies)
    assert cairn_stats(control)["server.rate_limited_answers"] == 0


# -- DNS cookies (point 6) ---------------------------------------------------------

CLIENT_COOKIE = bytes.fromhex("0102030405060708")
SECRET_OLD = "dd3bdf9344b678b185a6f5cb60fca715"
SECRET_NEW = "445536bcd2513298075a5d379663c962"


def _cookie_query(server_cookie: bytes = b"", qid: int = 1, name: str = "www.plain.example.") -> bytes:
    q = dns.message.make_query(name, "A", use_edns=0, payload=1232,
                               options=[dns.edns.GenericOption(10, CLIENT_COOKIE + server_cookie)])
    q.id = qid
    return q.to_wire()


def _server_cookie(wire: bytes) -> bytes:
    m = dns.message.from_wire(wire)
    cookies = [o for o in m.options if o.otype == 10]
    assert len(cookies) == 1, m
    data = cookies[0].to_wire() if hasattr(cookies[0], "to_wire") else cookies[0].data
    assert data[:8] == CLIENT_COOKIE
    assert len(data) == 24 and data[8] == 1, data.hex()    # RFC 9018 version 1
    return data[8:]


def _ask(r, wire: bytes) -> bytes:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(wire, (r.host, r.port))
        return s.recv(65535)


def _rewrite_config(r, **changes) -> None:
    """Edits a running cairn's configuration file (None removes a key)."""
    for key, value in changes.items():
        if value is None:
            r.config.pop(key, None)
        else:
            r.config[key] = value
    with open(r.conf_path, "w") as f:
        f.write(to_yaml(r.config) + "\n")


def test_server_cookie_is_issued_and_exempts_from_rate_limits(cairn, control):
    """A client cookie gets an RFC 9018 server cookie; returned, it is valid
    and spares the client the rate limit that stops the same flood without
    it; a limited client that sent only a client cookie gets BADCOOKIE."""
    r = cairn({"control-socket": control, "rate-limit-answers": 2, "rate-limit-slip": 2})
    server_cookie = _server_cookie(_ask(r, _cookie_query()))
    with_cookie = [dns.message.from_wire(w) for w in
                   _flood(r, control, [_cookie_query(server_cookie, qid=i) for i in range(200)])]
    assert len(with_cookie) == 200
    assert all(rdatas(m, "www.plain.example.", "A") for m in with_cookie)
    stats = cairn_stats(control)
    assert stats["server.cookies_valid"] >= 200, stats
    assert stats["server.rate_limited_answers"] == 0, stats

    without = [dns.message.from_wire(w) for w in
               _flood(r, control, [_cookie_query(qid=i) for i in range(200)])]
    badcookie = [m for m in without if m.rcode() == dns.rcode.BADCOOKIE]
    assert len(without) < 200 * 0.6, len(without)
    assert badcookie, "no BADCOOKIE for a limited client with a cookie"
    assert cairn_stats(control)["server.badcookie_sent"] == len(badcookie)


def test_cookie_secret_is_shared_and_rolled_over(cairn, control):
    """Two instances with one cookie-secret accept each other's cookies; after
    a reload that moves the secret to cookie-secret-previous, cookies made
    with it are still accepted, and answered with one made with the new."""
    a = cairn({"cookie-secret": SECRET_OLD})
    b = cairn({"control-socket": control, "cookie-secret": SECRET_OLD,
               "rate-limit-answers": 1, "rate-limit-slip": 0})
    from_a = _server_cookie(_ask(a, _cookie_query()))
    replies = _flood(b, control, [_cookie_query(from_a, qid=i) for i in range(50)])
    assert len(replies) == 50 and _server_cookie(replies[0]) == from_a

    _rewrite_config(b, **{"cookie-secret": SECRET_NEW, "cookie-secret-previous": SECRET_OLD})
    os.kill(b.pid, signal.SIGHUP)
    _wait_for(lambda: _server_cookie(_ask(b, _cookie_query(from_a))) != from_a, "the reload")
    rolled = _flood(b, control, [_cookie_query(from_a, qid=i) for i in range(50)])
    assert len(rolled) == 50, "a cookie made with the previous secret was refused"
    new_cookie = _server_cookie(rolled[0])
    assert new_cookie != from_a

    _rewrite_config(b, **{"cookie-secret-previous": None})
    os.kill(b.pid, signal.SIGHUP)
    _wait_for(lambda: len(_flood(b, control, [_cookie_query(from_a, qid=i) for i in range(20)])) < 20,
              "the old secret to be forgotten")
    assert len(_flood(b, control, [_cookie_query(new_cookie, qid=i) for i in range(50)])) == 50


def test_random_cookie_secret_survives_a_reload(cairn, control):
    r = cairn({"control-socket": control})
    cookie = _server_cookie(_ask(r, _cookie_query()))
    before = cairn_stats(control)["server.cookies_valid"]
    os.kill(r.pid, signal.SIGHUP)
    time.sleep(0.5)
    assert _server_cookie(_ask(r, _cookie_query(cookie))) == cookie
    assert cairn_stats(control)["server.cookies_valid"] > before


# -- TCP exhaustion (point 7) ----------------------------------------------------------

BIG = "big.plain.example."      # ~2.8 KB of TXT records


def _silent_tcp_client(r, wire: bytes, max_queries: int) -> socket.socket:
    """A connection that pipelines copies of `wire` and never reads: it
    writes until cairn has stopped reading it (the socket stays unwritable
    for half a second), cairn closed it, or `max_queries` were sent."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.connect((r.host, r.port))
    chunk = (struct.pack("!H", len(wire)) + wire) * 64
    unsent = b""
    chunks = 0
    s.setblocking(False)
    while unsent or chunks * 64 < max_queries:
        if not unsent:
            unsent = chunk
            chunks += 1
        try:
            unsent = unsent[s.send(unsent):]     # whole frames only, in the end
        except BlockingIOError:
            if not select.select([], [s], [], 0.5)[1]:
                break
        except OSError:            # closed by cairn
            break
    return s


def test_tcp_clients_that_never_read_hold_bounded_memory_and_are_closed(cairn, control):
    """20 connections each pipeline thousands of queries for a 2.8 KB answer
    and read nothing: cairn stops reading them (its resident memory grows by
    a few MB, not by the ~hundreds of MB of answers they asked for) and
    closes them after tcp-write-timeout."""
    r = cairn({"control-socket": control, "tcp-write-timeout": "1s",
               "tcp-max-connections-per-client": 64})
    assert r.query(BIG, "TXT", tcp=True).rcode() == dns.rcode.NOERROR       # now cached
    rss_before = rss_kib(r.pid)
    wire = _query(BIG, "TXT")
    clients = [_silent_tcp_client(r, wire, 20_000) for _ in range(20)]
    try:
        _wait_for(lambda: cairn_stats(control).get("net.tcp_write_timeouts", 0) >= 20,
                  "the write timeout to close the silent connections", timeout=30)
        rss_after = rss_kib(r.pid)
        stats = cairn_stats(control)
        assert stats["net.tcp_reads_paused"] >= 20, stats
        assert stats["net.tcp_open"] == 0, stats
        assert rss_after - rss_before < 48 * 1024, (rss_before, rss_after)
        # The connections are closed from cairn's side.
        for s in clients:
            s.setblocking(True)
            s.settimeout(10)
            try:
                while s.recv(1 << 16):
                    pass
            except ConnectionResetError:
                pass
    finally:
        for s in clients:
            s.close()
    assert r.query(BIG, "TXT", tcp=True).rcode() == dns.rcode.NOERROR


def test_tcp_from_a_client_outside_allow_is_closed_at_accept(cairn, control):
    r = cairn({"control-socket": control, "allow": ["10.0.0.0/8"]})
    with pytest.raises((EOFError, ConnectionError)):
        dns.query.tcp(dns.message.make_query("www.plain.example.", "A"), r.host, port=r.port,
                      timeout=5)
    stats = cairn_stats(control)
    assert stats["net.tcp_refused_acl"] == 1 and stats["net.tcp_accepted"] == 0, stats
    assert stats["server.queries_tcp"] == 0, stats


# -- resolutions in flight (point 8) ---------------------------------------------------

def test_a_client_cannot_take_every_resolution_slot(cairn, control, counts, scripted_server):
    """The servers of script1.zz never answer. One client asks for 10 names
    there with max-inflight-per-client 3: 7 are answered SERVFAIL at once
    with an Extended DNS Error naming the limit, while another client
    (127.0.1.1, another /24) is still answered."""
    import scripted_server as ss
    scripted_server(counts.addr("script-1"), ss.drop())
    r = cairn({"control-socket": control, "max-inflight-per-client": 3,
               "resolution-timeout": "20s"})
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for i in range(10):
            s.sendto(_query(f"n{i}.script1.zz.", qid=i), (r.host, r.port))
        s.settimeout(10)
        refused = [dns.message.from_wire(s.recv(65535)) for _ in range(7)]
        for m in refused:
            assert m.rcode() == dns.rcode.SERVFAIL, m
            texts = [o.text for o in m.options if o.otype == dns.edns.EDE]
            assert any("max-inflight-per-client" in (t or "") for t in texts), m
        stats = cairn_stats(control)
        assert stats["server.refused_inflight_client"] == 7, stats
        assert stats["server.inflight"] == 3, stats
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as other:
            other.bind(("127.0.1.1", 0))
            other.settimeout(10)
            other.sendto(_query("www.plain.example.", qid=99), (r.host, r.port))
            answer = dns.message.from_wire(other.recv(65535))
        assert rdatas(answer, "www.plain.example.", "A"), answer
