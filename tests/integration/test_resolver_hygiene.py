"""Upstream hygiene (DESIGN.md, RFC 5452): random source ports and IDs,
replies that do not match the query are ignored, out-of-bailiwick records
are never believed, identical questions in flight are sent once."""

from __future__ import annotations

import time

import dns.rcode
import pytest

import scripted_server as ss
from resolver_helpers import (EDE_NETWORK_ERROR, EDE_NO_REACHABLE_AUTHORITY, EDE_OTHER,
                              assert_servfail_with_ede, describe, final_rdatas, rdatas,
                              seen_everywhere, settle, simultaneous_queries, slot_zone, zone_server)

GOOD = "127.0.0.42"      # what the real server answers
BOGUS = "127.0.0.66"     # what a spoofed / mismatched reply claims


def test_source_ports_and_ids_vary(resolver, counts):
    """20 cache misses under one zone: 20 upstream queries from (nearly) as
    many source ports and IDs, spread over the port and ID space."""
    r = resolver()
    r.query("www.plain.example.", "A")          # delegation now cached
    settle()
    counts.reset_counts()
    sent_before = r.metric("upstream_queries") if r.is_cairn else 0
    names = [f"p{i}.wild.plain.example." for i in range(20)]
    for name in names:
        assert final_rdatas(r.query(name, "A"), "A"), name
    everything = seen_everywhere(counts)
    seen = [s for s in everything if s.qname in names and s.protocol == "udp"]
    assert len(seen) >= 20, describe(seen)
    if r.is_cairn:      # Cairn's own counter agrees with what the servers saw
        assert r.metric("upstream_queries") - sent_before >= len(everything)
    ports = [s.client[1] for s in seen]
    ids = [s.qid for s in seen]
    assert len(set(ports)) >= 18, f"source ports repeat: {sorted(ports)}"
    assert max(ports) - min(ports) > 1000, f"source ports not spread: {sorted(ports)}"
    assert len(set(ids)) >= 18, f"IDs repeat: {sorted(ids)}"
    assert max(ids) - min(ids) > 1000, f"IDs not spread: {sorted(ids)}"


# -- replies that must be ignored ----------------------------------------------

def _other_source(net):
    """A loopback address no server uses: replies 'from' it are spoofed."""
    return (f"{net}.5.99", 0)


BAD_REPLIES = {
    "wrong-id": lambda h, net: ss.wrong_id(h),
    "wrong-question": lambda h, net: ss.wrong_question(h),
    "wrong-source": lambda h, net: ss.reply_from(h, _other_source(net)),
}


@pytest.mark.parametrize("bad", sorted(BAD_REPLIES))
def test_mismatched_replies_from_the_only_server_give_servfail(resolver, counts, scripted_server, bad):
    """script1.zz's only server answers, but never with a matching reply:
    the resolver ignores every reply (never returns BOGUS) and fails."""
    net = counts.net
    zone = slot_zone("script1.zz.", counts.addr("script-1"), [f"www.script1.zz. 300 IN A {BOGUS}"])
    srv = scripted_server(counts.addr("script-1"), BAD_REPLIES[bad](zone_server(zone, "script1.zz."), net))
    # Unbound backs off up to 2 minutes per server and gives up after ~30 s;
    # a lower RTT ceiling makes it fail sooner (Cairn: resolution-timeout, 10 s).
    r = resolver(unbound=["infra-cache-max-rtt: 1000"])
    t0 = time.monotonic()
    ans = r.query("www.script1.zz.", "A", timeout=60)
    assert BOGUS not in final_rdatas(ans, "A"), f"a {bad} reply was accepted:\n{ans}"
    assert ans.rcode() == dns.rcode.SERVFAIL, ans
    assert srv.queries(), "the scripted server was never asked"
    if r.is_cairn:
        assert_servfail_with_ede(ans, {EDE_NO_REACHABLE_AUTHORITY, EDE_NETWORK_ERROR, EDE_OTHER})
    assert time.monotonic() - t0 < 45


def _split_zones(counts):
    """script1.zz (script-1) delegates split.script1.zz to two servers:
    ns1 -> script-2, ns2 -> script-3. Names under it are a wildcard."""
    a1, a2, a3 = (counts.addr(k) for k in ("script-1", "script-2", "script-3"))
    parent = slot_zone("script1.zz.", a1, [
        "split.script1.zz. 300 IN NS ns1.split.script1.zz.",
        "split.script1.zz. 300 IN NS ns2.split.script1.zz.",
        f"ns1.split.script1.zz. 300 IN A {a2}",
        f"ns2.split.script1.zz. 300 IN A {a3}",
    ])

    def child(address_of_answer):
        o = "split.script1.zz."
        return "\n".join([
            f"{o} 300 IN SOA ns1.{o} hostmaster.{o} 1 3600 600 86400 60",
            f"{o} 300 IN NS ns1.{o}", f"{o} 300 IN NS ns2.{o}",
            f"ns1.{o} 300 IN A {a2}", f"ns2.{o} 300 IN A {a3}",
            f"*.{o} 300 IN A {address_of_answer}",
        ]) + "\n"
    return parent, child


@pytest.mark.parametrize("bad", sorted(BAD_REPLIES))
def test_mismatched_replies_fall_back_to_the_other_server(resolver, counts, scripted_server, bad):
    """Of split.script1.zz's two servers one sends mismatched replies (with
    BOGUS data). So that the liar is asked whatever the server choice, the
    honest server stays silent until the liar has had a query. BOGUS is never
    returned; the first name is GOOD (if the resolver retried the honest
    server) or SERVFAIL (both timed out once); every later name is GOOD: the
    resolver goes to the other server."""
    parent, child = _split_zones(counts)
    scripted_server(counts.addr("script-1"), zone_server(parent, "script1.zz."))
    liar = scripted_server(counts.addr("script-2"),
                           BAD_REPLIES[bad](zone_server(child(BOGUS), "split.script1.zz."), counts.net))
    good = zone_server(child(GOOD), "split.script1.zz.")
    honest = scripted_server(counts.addr("script-3"), lambda rec: good(rec) if liar.queries() else None)
    r = resolver()
    ans = r.query("n0.split.script1.zz.", "A", timeout=60)
    assert liar.queries(), "the resolver never asked the lying server"
    assert BOGUS not in final_rdatas(ans, "A"), f"a {bad} reply was accepted:\n{ans}"
    if ans.rcode() == dns.rcode.SERVFAIL:
        if r.is_cairn:
            assert_servfail_with_ede(ans, {EDE_NO_REACHABLE_AUTHORITY, EDE_NETWORK_ERROR, EDE_OTHER})
    else:
        assert final_rdatas(ans, "A") == [GOOD], f"after a {bad} reply:\n{ans}"
    assert honest.queries()
    for i in range(1, 6):
        ans = r.query(f"n{i}.split.script1.zz.", "A", timeout=60)
        assert final_rdatas(ans, "A") == [GOOD], f"name {i} after a {bad} reply:\n{ans}"


def test_out_of_bailiwick_records_are_not_believed(resolver, counts, scripted_server):
    """script1.zz's server adds records for names it has no authority over:
    an A for www.plain.example (answer and additional), a new address for the
    TLD server ns1.nic.example (additional), an NS set for plain.example
    (authority). None of it may be used."""
    net = counts.net
    fake_tld_addr = f"{net}.66.67"
    zone = slot_zone("script1.zz.", counts.addr("script-1"), [f"www.script1.zz. 300 IN A {GOOD}"])
    poisoner = ss.poison(
        zone_server(zone, "script1.zz."),
        answer=[f"www.secure.example. 300 IN A {net}.66.68"],
        authority=["plain.example. 300 IN NS ns.script1.zz."],
        additional=[f"www.plain.example. 300 IN A {net}.66.66",
                    f"ns1.nic.example. 300 IN A {fake_tld_addr}",
                    f"ns2.nic.example. 300 IN A {fake_tld_addr}"])
    srv = scripted_server(counts.addr("script-1"), poisoner)
    sinkhole = scripted_server(fake_tld_addr, ss.drop())   # would see traffic sent to the fake glue
    r = resolver()
    ans = r.query("www.script1.zz.", "A")
    assert final_rdatas(ans, "A") == [GOOD], ans
    assert srv.queries(), "the poisoning server was never asked"
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A") == [f"{net}.200.1"]
    assert rdatas(r.query("www.secure.example.", "A"), "www.secure.example.", "A") == [f"{net}.200.2"]
    assert rdatas(r.query("ns1.nic.example.", "A"), "ns1.nic.example.", "A") == [counts.addr("example-1")]
    assert rdatas(r.query("mail.plain.example.", "A"), "mail.plain.example.", "A") == [f"{net}.201.1"]
    assert rdatas(r.query("www.rsasha256.example.", "A"), "www.rsasha256.example.", "A")
    strays = [q for q in srv.queries() if q.qname and not q.qname.lower().endswith("script1.zz.")]
    assert not strays, "the injected NS was used: " + ", ".join(q.qname for q in strays)
    assert not sinkhole.queries(), "the injected glue for ns1.nic.example was used"


def test_identical_questions_in_flight_are_sent_once(resolver, counts, scripted_server):
    """20 identical queries for an uncached name whose server answers after
    0.25 s: the server sees one query (at most two), all 20 clients get the
    answer; Cairn counts the joins."""
    zone = slot_zone("script2.zz.", counts.addr("script-2"), [f"slow.script2.zz. 300 IN A {GOOD}"])
    srv = scripted_server(counts.addr("script-2"), ss.delay(zone_server(zone, "script2.zz."), 0.25))
    r = resolver()
    joins_before = r.metric("inflight_joins") if r.is_cairn else 0
    replies = simultaneous_queries(r.host, r.port, "slow.script2.zz.", "A", 20)
    assert all(m is not None for m in replies), f"{replies.count(None)} of 20 got no answer"
    assert all(final_rdatas(m, "A") == [GOOD] for m in replies), [str(m) for m in replies[:2]]
    asked = [q for q in srv.queries() if (q.qname or "").lower() == "slow.script2.zz." and q.qtype == "A"]
    assert 1 <= len(asked) <= 2, f"{len(asked)} upstream queries for one question"
    if r.is_cairn:
        assert r.metric("inflight_joins") - joins_before >= 10
