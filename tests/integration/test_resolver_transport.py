"""Transport: an answer too big for UDP is fetched over TCP upstream, and
delivered in full to a TCP client, truncated (TC) to a UDP client."""

from __future__ import annotations

import socket
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode

from hierarchy import BIG_TXT_COUNT
from resolver_helpers import describe, rdatas, seen_everywhere

BIG = "big.plain.example."


def test_big_answer_tcp_upstream_tc_to_udp_client_full_to_tcp_client(resolver, counts):
    r = resolver()
    # UDP client with a 1232-byte buffer: the ~2.8 KB answer cannot fit
    udp = r.query(BIG, "TXT", payload=1232)
    assert udp.rcode() == dns.rcode.NOERROR, udp
    assert udp.flags & dns.flags.TC, f"no TC on a UDP answer that cannot fit:\n{udp}"
    assert len(udp.to_wire()) <= 1232
    # the resolver fetched it over TCP from plain.example's servers
    seen = [s for s in seen_everywhere(counts) if s.qname == BIG]
    assert "tcp" in {s.protocol for s in seen}, "never fetched over TCP:\n" + describe(seen)
    assert len(seen) <= 6, describe(seen)
    # a TCP client gets all of it (from the cache: no new upstream query)
    counts.reset_counts()
    tcp = r.query(BIG, "TXT", tcp=True)
    assert tcp.rcode() == dns.rcode.NOERROR and not tcp.flags & dns.flags.TC, tcp
    assert len(rdatas(tcp, BIG, "TXT")) == BIG_TXT_COUNT, tcp
    assert len(tcp.to_wire()) > 1232
    assert not [s for s in seen_everywhere(counts) if s.qname == BIG]


def test_big_answer_first_asked_over_tcp(resolver, counts):
    """A TCP client first: the resolver still needs TCP upstream (the UDP
    answer is truncated at its EDNS buffer size) and returns all 24 records."""
    r = resolver()
    tcp = r.query(BIG, "TXT", tcp=True)
    assert len(rdatas(tcp, BIG, "TXT")) == BIG_TXT_COUNT, tcp
    seen = [s for s in seen_everywhere(counts) if s.qname == BIG]
    assert "tcp" in {s.protocol for s in seen}, describe(seen)
    # a UDP client with a 4096-byte buffer gets it whole (~2.8 KB) or, if the
    # resolver caps UDP answers lower (Cairn: its edns-buffer-size), TC
    big_udp = r.query(BIG, "TXT", payload=4096)
    if big_udp.flags & dns.flags.TC:
        assert len(big_udp.to_wire()) <= 1232, big_udp
    else:
        assert len(rdatas(big_udp, BIG, "TXT")) == BIG_TXT_COUNT, big_udp


def test_small_answers_over_tcp(resolver, mini_internet):
    r = resolver()
    ans = r.query("www.plain.example.", "A", tcp=True)
    assert rdatas(ans, "www.plain.example.", "A"), ans
    # several queries on one TCP connection (RFC 7766), answered in turn
    with socket.create_connection((r.host, r.port), timeout=10) as s:
        for name in ("www.secure.example.", "mail.plain.example.", "nx.plain.example."):
            q = dns.message.make_query(name, "A")
            dns.query.send_tcp(s, q, expiration=time.time() + 10)
            reply, _ = dns.query.receive_tcp(s, expiration=time.time() + 10)
            assert reply.id == q.id and reply.question == q.question, reply
            assert reply.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)
