"""Clients that abuse the resolver (issue 14, points 5-8): floods from forged
sources are not reflected (response rate limiting), DNS cookies prove a
client's address, TCP clients that never read cannot exhaust memory, and one
client cannot take every resolution slot."""

from __future__ import annotations

import socket
import struct
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from resolver_helpers import cairn_stats, rdatas


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
    wires = [_query("www.plain.example.", qid=i) + b"\x00junk" for i in range(1000)]
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
