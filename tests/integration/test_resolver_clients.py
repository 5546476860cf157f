"""The client side: access control, and malformed or unusual client packets.
The resolver answers each as the RFCs say (or not at all) and keeps serving."""

from __future__ import annotations

import pathlib
import random
import shutil
import socket
import struct
import tempfile

import dns.flags
import dns.message
import dns.rcode
import pytest

from resolver_helpers import (EDE_PROHIBITED, cairn_stats, describe, extended_errors, header_id, header_is_response, header_rcode, rdatas,
                              seen_everywhere, settle)


def test_acl_refuses_clients_outside_allow(resolver, counts):
    """Cairn with allow: [10.0.0.0/8] (Unbound: access-control 127.0.0.1/32
    refuse) answers REFUSED to 127.0.0.1 over UDP and asks nobody anything.
    Over TCP Unbound answers REFUSED; Cairn closes the connection at accept,
    before reading a query (issue 14, point 7)."""
    r = resolver(refuse_loopback=True)
    settle(0.3)
    counts.reset_counts()
    for name, rdtype in (("www.plain.example.", "A"), ("www.secure.example.", "AAAA")):
        ans = r.query(name, rdtype, timeout=5)
        assert ans.rcode() == dns.rcode.REFUSED and not ans.answer, ans
        if r.is_cairn:
            assert EDE_PROHIBITED in [c for c, _ in extended_errors(ans)], ans
        if r.is_cairn:
            with pytest.raises((EOFError, ConnectionError)):
                r.query(name, rdtype, tcp=True, timeout=5)
        else:
            tcp = r.query(name, rdtype, tcp=True, timeout=5)
            assert tcp.rcode() == dns.rcode.REFUSED and not tcp.answer, tcp
    settle()
    seen = [s for s in seen_everywhere(counts) if s.qname in ("www.plain.example.", "plain.example.",
                                                            "www.secure.example.", "secure.example.",
                                                            "example.")]
    assert not seen, "a refused client made the resolver recurse:\n" + describe(seen)


def _query_wire(name: str = "www.plain.example.", rdtype: str = "A") -> bytes:
    q = dns.message.make_query(name, rdtype, use_edns=False)
    q.id = 0x4A4A
    return q.to_wire()


def _with_qdcount(wire: bytes, n: int) -> bytes:
    return wire[:4] + struct.pack("!H", n) + wire[6:]


def _with_opcode(wire: bytes, opcode: int) -> bytes:
    return wire[:2] + bytes([(wire[2] & 0x87) | (opcode << 3)]) + wire[3:]


def _edns_version(version: int) -> bytes:
    q = dns.message.make_query("www.plain.example.", "A")
    q.use_edns(edns=version, payload=1232)
    q.id = 0x4A4A
    return q.to_wire()


def _ch_query() -> bytes:
    q = dns.message.make_query("n0-such-thing-7f3a.example.", "TXT", rdclass="CH")
    q.id = 0x4A4A
    return q.to_wire()


# Expectations that differ: Cairn answers only queries whose header and
# question parse, and FORMERR to any damage after the question; Unbound
# answers FORMERR to some packets with no readable question.
NOT_A_QUERY = {"cairn": None, "unbound": dns.rcode.FORMERR}

BAD_PACKETS = {
    # name: (wire, expected rcode or None for "no answer at all", per kind if a dict)
    "truncated-header": (lambda: _query_wire()[:7], None),
    "garbage-after-header": (lambda: _query_wire()[:12] + b"\x3f\x01\x02\x03\x04\x05", NOT_A_QUERY),
    "qdcount-2": (lambda: _with_qdcount(_query_wire(), 2), NOT_A_QUERY),
    # Unbound ignores octets after the last section it counts.
    "trailing-garbage": (lambda: _query_wire() + b"\x00\x01",
                         {"cairn": dns.rcode.FORMERR, "unbound": dns.rcode.NOERROR}),
    "opcode-5-update": (lambda: _with_opcode(_query_wire(), 5), dns.rcode.NOTIMP),
    "class-ch-unknown-name": (_ch_query, dns.rcode.REFUSED),
    "edns-version-1": (lambda: _edns_version(1), dns.rcode.BADVERS),
}


def test_malformed_and_unusual_client_packets(resolver, counts):
    r = resolver()
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")
    failures = []
    for name, (make, expect) in BAD_PACKETS.items():
        if isinstance(expect, dict):
            expect = expect[r.kind]
        wire = make()
        reply = r.raw(wire, timeout=1.5 if expect is None else 10)
        if expect is None:
            if reply is not None:
                failures.append(f"{name}: expected no answer, got {reply[:16].hex()}")
            continue
        if reply is None:
            failures.append(f"{name}: no answer")
            continue
        if len(reply) < 12 or header_id(reply) != 0x4A4A or not header_is_response(reply):
            failures.append(f"{name}: not a reply to the query: {reply[:16].hex()}")
            continue
        if expect >= 16:      # extended RCODE: needs the OPT record
            got = dns.message.from_wire(reply).rcode()
        else:
            got = header_rcode(reply)
        if got != expect:
            failures.append(f"{name}: rcode {dns.rcode.to_text(got)}, expected {dns.rcode.to_text(expect)}")
        if expect == dns.rcode.BADVERS:
            msg = dns.message.from_wire(reply)
            if msg.edns != 0:
                failures.append(f"{name}: BADVERS must come with an OPT of version 0, got {msg.edns}")
    assert not failures, "\n".join(failures)
    # still serving, from the cache and by recursion
    assert r.alive()
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")
    assert rdatas(r.query("www.secure.example.", "A"), "www.secure.example.", "A")


@pytest.fixture
def short_tmp():
    """A directory with a short path (unix socket paths are limited to 108 bytes)."""
    path = tempfile.mkdtemp(prefix="cairn-", dir="/tmp")
    yield pathlib.Path(path)
    shutil.rmtree(path, ignore_errors=True)


def _random_packets(seed: int, n: int) -> list[bytes]:
    """Random bytes, and real queries damaged: header bits flipped, cut
    short, or the question overwritten. The same packets for one seed."""
    rng = random.Random(seed)
    good = _query_wire()
    out = []
    for i in range(n):
        if i % 2 == 0:
            out.append(rng.randbytes(rng.randrange(600)))
        elif i % 3 == 0:
            out.append(bytes(b ^ rng.randrange(256) for b in good[:12]) + good[12:])
        elif i % 3 == 1:
            out.append(good[:rng.randrange(len(good) - 11)])
        else:
            out.append(good[:12] + rng.randbytes(len(good) - 12))
    return out


def test_random_packets_are_not_reflected(cairn, counts, short_tmp):
    """1,000 random or damaged packets from one source (a reflection attempt):
    well under 10% get any answer, the rest are counted as dropped, and the
    resolver still answers a good query afterwards."""
    r = cairn({"control-socket": str(short_tmp / "ctl.sock")})
    packets = _random_packets(14, 1000)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        for p in packets:
            s.sendto(p, (r.host, r.port))
        # A good query last: its answer comes after every answer to the
        # packets before it (one worker thread reads them in order).
        good = dns.message.make_query("www.plain.example.", "A")
        good.id = 0xBEEF
        s.sendto(good.to_wire(), (r.host, r.port))
        s.settimeout(10)
        answered = 0
        while True:
            reply = s.recv(65535)
            if len(reply) >= 2 and header_id(reply) == 0xBEEF:
                break
            answered += 1
    assert answered < len(packets) // 20, f"{answered} of {len(packets)} packets answered"
    stats = cairn_stats(str(short_tmp / "ctl.sock"))
    assert stats["server.dropped"] >= len(packets) * 0.9, stats["server.dropped"]
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")


def test_responses_from_clients_are_ignored(resolver):
    """A packet with QR=1 (a response, e.g. a reflected one) gets no answer."""
    r = resolver()
    q = dns.message.make_query("www.plain.example.", "A")
    q.flags |= dns.flags.QR
    assert r.raw(q.to_wire(), timeout=1.5) is None
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")


def test_query_case_is_echoed(resolver):
    """The question comes back exactly as asked (0x20 clients rely on it)."""
    r = resolver()
    q = dns.message.make_query("WwW.PlAiN.ExAmPlE.", "A")
    wire = r.raw(q.to_wire(), timeout=10)
    reply = dns.message.from_wire(wire)
    assert reply.question[0].name.to_text() == "WwW.PlAiN.ExAmPlE."
    # twice: the second answer comes from the packet cache, which must patch the case
    q2 = dns.message.make_query("wWw.pLaIn.eXaMpLe.", "A")
    reply2 = dns.message.from_wire(r.raw(q2.to_wire(), timeout=10))
    assert reply2.question[0].name.to_text() == "wWw.pLaIn.eXaMpLe."
    assert reply2.id == q2.id and reply2.answer
