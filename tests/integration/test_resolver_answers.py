"""Answers through the mini-internet: record types, CNAME/DNAME, wildcards,
negative answers and the caching of all of them.

Every test runs against Cairn and Unbound (the `resolver` fixture); what only
Cairn promises is checked behind `r.is_cairn`.
"""

from __future__ import annotations

import time

import dns.flags
import dns.rcode
import pytest

from hierarchy import data_addr
from resolver_helpers import (describe, rdatas, rcode_text, seen_everywhere, settle, ttl_of)


@pytest.fixture
def net(mini_internet):
    return mini_internet.net


# (zone, index of its data addresses)
FEATURE_ZONES = [("plain.example.", 1), ("secure.example.", 2), ("secure3.cairn.", 3)]


def test_a_aaaa_mx_txt(resolver, net):
    r = resolver()
    for zone, i in FEATURE_ZONES:
        www = "www." + zone
        a = r.query(www, "A")
        assert rcode_text(a) == "NOERROR" and rdatas(a, www, "A") == [data_addr(net, 200, i)], a
        aaaa = r.query(www, "AAAA")
        assert rdatas(aaaa, www, "AAAA") == [f"2001:db8::{i:x}"], aaaa
        mx = r.query(zone, "MX")
        assert rdatas(mx, zone, "MX") == [f"10 mail.{zone}"], mx
        txt = r.query(www, "TXT")
        assert rdatas(txt, www, "TXT") == ['"hello"'], txt
        apex_txt = r.query(zone, "TXT")
        assert rdatas(apex_txt, zone, "TXT") == ['"apex"'], apex_txt
        # answers are recursive answers: RA set, never AA
        assert a.flags & dns.flags.RA and not a.flags & dns.flags.AA


def test_in_zone_cname(resolver, net):
    r = resolver()
    ans = r.query("alias.plain.example.", "A")
    assert rdatas(ans, "alias.plain.example.", "CNAME") == ["www.plain.example."], ans
    assert rdatas(ans, "www.plain.example.", "A") == [data_addr(net, 200, 1)], ans


def test_cname_chain_across_zones(resolver, net):
    """chain.plain.example -> hop.infra.cairn -> www.secure.example: three zones,
    three TLD paths; the answer carries the complete chain, in order."""
    r = resolver()
    ans = r.query("chain.plain.example.", "A")
    assert rcode_text(ans) == "NOERROR", ans
    assert rdatas(ans, "chain.plain.example.", "CNAME") == ["hop.infra.cairn."], ans
    assert rdatas(ans, "hop.infra.cairn.", "CNAME") == ["www.secure.example."], ans
    assert rdatas(ans, "www.secure.example.", "A") == [data_addr(net, 200, 2)], ans
    owners = [rr.name.to_text() for rr in ans.answer]
    assert owners.index("chain.plain.example.") < owners.index("hop.infra.cairn.") \
        < owners.index("www.secure.example."), owners


def test_dname_synthesises_cname(resolver, net):
    """moved.plain.example DNAME secure.example (RFC 6672): the answer has the
    DNAME, the synthesised CNAME and the target's data."""
    r = resolver()
    ans = r.query("www.moved.plain.example.", "A")
    assert rcode_text(ans) == "NOERROR", ans
    assert rdatas(ans, "moved.plain.example.", "DNAME") == ["secure.example."], ans
    assert rdatas(ans, "www.moved.plain.example.", "CNAME") == ["www.secure.example."], ans
    assert rdatas(ans, "www.secure.example.", "A") == [data_addr(net, 200, 2)], ans
    # a second name under the same DNAME, now from the cached DNAME or not
    txt = r.query("www.moved.plain.example.", "TXT")
    assert rdatas(txt, "www.secure.example.", "TXT") == ['"hello"'], txt


def test_wildcard(resolver, net):
    r = resolver()
    for zone, i in FEATURE_ZONES:
        name = f"anything-{i}.wild.{zone}"
        a = r.query(name, "A")
        # the answer's owner is the query name, not "*.wild"
        assert rcode_text(a) == "NOERROR" and rdatas(a, name, "A") == [data_addr(net, 202, i)], a
        txt = r.query(f"deeper.label.wild.{zone}", "TXT")
        assert rdatas(txt, f"deeper.label.wild.{zone}", "TXT") == ['"wildcard"'], txt
        # the wildcard does not cover the empty non-terminal's siblings
        assert r.query(f"x.ent.{zone}", "A").rcode() == dns.rcode.NXDOMAIN


def test_empty_non_terminal_is_nodata(resolver, net):
    r = resolver()
    ent = r.query("ent.plain.example.", "A")
    assert rcode_text(ent) == "NOERROR" and not ent.answer, ent
    leaf = r.query("leaf.ent.plain.example.", "A")
    assert rdatas(leaf, "leaf.ent.plain.example.", "A") == [data_addr(net, 203, 1)]


NEGATIVE = [  # name, type, rcode
    ("nx.plain.example.", "A", "NXDOMAIN"),
    ("nodata.plain.example.", "A", "NOERROR"),
    ("nx.secure3.cairn.", "TXT", "NXDOMAIN"),
    ("nodata.secure.example.", "AAAA", "NOERROR"),
]


def _zone_of(name: str) -> str:
    return name.split(".", 1)[1]


def test_negative_answers_carry_soa_and_are_cached(resolver, counts):
    """NXDOMAIN and NODATA have the zone's SOA in authority (RFC 2308) with the
    negative TTL (min of SOA TTL and MINIMUM = 60 here); asked again, they come
    from the cache: nothing about them reaches any authoritative server."""
    r = resolver()
    for name, rdtype, rcode in NEGATIVE:
        ans = r.query(name, rdtype)
        assert rcode_text(ans) == rcode and not ans.answer, ans
        assert rdatas(ans, _zone_of(name), "SOA", "authority"), ans
        assert ttl_of(ans, _zone_of(name), "SOA", "authority") <= 60, ans
    settle()
    counts.reset_counts()
    for name, rdtype, rcode in NEGATIVE:
        ans = r.query(name, rdtype)
        assert rcode_text(ans) == rcode and not ans.answer, ans
        assert rdatas(ans, _zone_of(name), "SOA", "authority"), ans
    seen = seen_everywhere(counts)
    names = {n for n, _, _ in NEGATIVE}
    again = [s for s in seen if s.qname in names]
    assert not again, "negative answers were fetched again:\n" + describe(again)


def test_ttl_decrements_in_cache(resolver, counts):
    """Ask, wait 2 s, ask again: the TTL is lower by at least 1 (and by no more
    than the time that passed, plus rounding), and the second answer came
    from the cache without any upstream query."""
    r = resolver()
    first = r.query("www.plain.example.", "A")
    t1 = ttl_of(first, "www.plain.example.", "A")
    assert 0 < t1 <= 300, first
    neg = r.query("nx.plain.example.", "A")
    n1 = ttl_of(neg, "plain.example.", "SOA", "authority")
    settle(0.3)
    counts.reset_counts()
    t0 = time.monotonic()
    time.sleep(2.1)
    second = r.query("www.plain.example.", "A")
    neg2 = r.query("nx.plain.example.", "A")
    waited = time.monotonic() - t0
    t2 = ttl_of(second, "www.plain.example.", "A")
    assert t1 - (waited + 1) <= t2 <= t1 - 1, (t1, t2, waited)
    n2 = ttl_of(neg2, "plain.example.", "SOA", "authority")
    assert n1 - (waited + 1) <= n2 <= n1 - 1, (n1, n2, waited)
    seen = [s for s in seen_everywhere(counts) if s.qname in ("www.plain.example.", "nx.plain.example.")]
    assert not seen, describe(seen)


def test_rd0_uncached_name_does_not_go_upstream(resolver, counts):
    """RD=0 for a name the resolver does not have: it answers (from cache,
    REFUSED, ...) but never recurses: nothing about the name goes upstream."""
    r = resolver()
    settle(0.3)     # any start-up priming is not part of this
    counts.reset_counts()
    name = "www.secure3.cairn."
    ans = r.query(name, "A", rd=False, timeout=5)
    assert ans.rcode() in (dns.rcode.NOERROR, dns.rcode.REFUSED, dns.rcode.SERVFAIL), ans
    assert not rdatas(ans, name, "A"), ans
    settle()
    seen = seen_everywhere(counts)
    # with or without QNAME minimisation, recursion would ask one of these
    related = [s for s in seen if s.qname in (name, "secure3.cairn.")]
    assert not related, "an RD=0 query caused recursion:\n" + describe(related)
    # the resolver still recurses for RD=1
    assert rdatas(r.query(name, "A"), name, "A")
