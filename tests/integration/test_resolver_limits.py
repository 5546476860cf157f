"""Work limits (DESIGN.md): long CNAME chains, glueless NS fan-out
(NXNSAttack), referral depth, upstream queries per request. Exceeding a
budget ends in SERVFAIL (Cairn: with an EDE naming the limit) after a
bounded number of upstream queries, and the resolver keeps serving."""

from __future__ import annotations

import dns.rcode

from hierarchy import data_addr
from resolver_helpers import (CAIRN_KEY, CAIRN_ONLY, EDE_NO_REACHABLE_AUTHORITY, EDE_OTHER,
                              assert_limit_ede, assert_servfail_with_ede, describe, final_rdatas,
                              rdatas, seen_everywhere, settle, slot_zone, zone_server)

GOOD = "127.0.0.42"
CHAIN = 20              # hops c0 -> c1 -> ... -> c20 (A)
CAIRN_CNAME_LIMIT = 8   # Cairn is started with max-cname-chain: 8


def _chain_zone(counts):
    records = [f"c{i}.script3.zz. 300 IN CNAME c{i + 1}.script3.zz." for i in range(CHAIN)]
    records.append(f"c{CHAIN}.script3.zz. 300 IN A {GOOD}")
    return slot_zone("script3.zz.", counts.addr("script-3"), records)


def test_cname_chain_beyond_the_limit(resolver, counts, scripted_server):
    """script3.zz has a 20-hop CNAME chain (one CNAME per answer). A 4-hop
    tail resolves; the whole chain is beyond the limit (Cairn 8, Unbound 11):
    SERVFAIL, GOOD never returned, and the walk stops near the limit."""
    srv = scripted_server(counts.addr("script-3"), zone_server(_chain_zone(counts), "script3.zz."))
    r = resolver(cairn={CAIRN_KEY["max_cname_chain"]: CAIRN_CNAME_LIMIT})
    tail = r.query(f"c{CHAIN - 4}.script3.zz.", "A")
    assert final_rdatas(tail, "A") == [GOOD], tail
    assert len([rr for rr in tail.answer if rr.rdtype == 5]) == 4, tail     # 4 CNAMEs
    before = len(srv.queries())
    ans = r.query("c0.script3.zz.", "A", timeout=60)
    assert GOOD not in final_rdatas(ans, "A"), f"a {CHAIN}-hop chain was followed to the end:\n{ans}"
    assert ans.rcode() == dns.rcode.SERVFAIL, ans
    walked = len(srv.queries()) - before
    assert walked <= 16, f"{walked} upstream queries for a chain the limit should have cut"
    if r.is_cairn:
        assert walked <= CAIRN_CNAME_LIMIT + 2, walked
        assert_limit_ede(ans, "max_cname_chain")
        assert r.metric("limit_cname_chain") >= 1
    assert final_rdatas(r.query(f"c{CHAIN - 2}.script3.zz.", "A"), "A") == [GOOD]


NXNS_NAMES = 40


def _nxns_zones(counts):
    """script1.zz delegates nxns.script1.zz to 40 glueless NS names under
    victim.script2.zz, none of which exists (NXNSAttack, 2020)."""
    attack = slot_zone("script1.zz.", counts.addr("script-1"),
                       [f"nxns.script1.zz. 300 IN NS r{i}.victim.script2.zz." for i in range(NXNS_NAMES)])
    # victim.script2.zz exists (so RFC 8020 NXDOMAIN-cut cannot hide the fan-out)
    victim = slot_zone("script2.zz.", counts.addr("script-2"), ['victim.script2.zz. 300 IN TXT "here"'])
    return attack, victim


def test_glueless_ns_fan_out_is_bounded(resolver, counts, scripted_server):
    attack, victim = _nxns_zones(counts)
    scripted_server(counts.addr("script-1"), zone_server(attack, "script1.zz."))
    target = scripted_server(counts.addr("script-2"), zone_server(victim, "script2.zz."))
    limit = 4
    r = resolver(cairn={CAIRN_KEY["max_glueless_ns"]: limit})
    ans = r.query("www.nxns.script1.zz.", "A", timeout=60)
    assert ans.rcode() == dns.rcode.SERVFAIL, ans
    settle(1.0)         # background NS lookups count too
    flood = [q for q in target.queries()
             if q.qname and q.qname.lower().endswith(".victim.script2.zz.")]
    names = {q.qname.lower() for q in flood}
    assert len(flood) <= 24, f"{len(flood)} queries at the victim for {len(names)} NS names"
    if r.is_cairn:
        # per NS name: A (and AAAA if IPv6 upstream is on), one retry at most
        assert len(names) <= limit, sorted(names)
        assert len(flood) <= 2 * limit + 2, len(flood)
        assert_servfail_with_ede(ans, {EDE_OTHER, EDE_NO_REACHABLE_AUTHORITY})
        assert r.metric("limit_glueless_ns") >= 1
    # a second name under the same delegation does not start a new fan-out
    before = len(target.queries())
    r.query("www2.nxns.script1.zz.", "A", timeout=60)
    settle(1.0)
    again = [q for q in target.queries()[before:]
             if q.qname and q.qname.lower().endswith(".victim.script2.zz.")]
    assert len(again) <= 24, len(again)
    if r.is_cairn:
        assert len(again) <= 2 * limit + 2, len(again)
    assert rdatas(r.query("www.plain.example.", "A"), "www.plain.example.", "A")


DEEP = "www.x.y.z.c.b.a.deep.cairn."   # five referrals below the root


@CAIRN_ONLY
def test_referral_depth_limit(resolver, counts):
    """Cairn only: max-referral-depth 3 stops the 5-referral walk to DEEP
    (SERVFAIL, EDE naming the limit, counter) but not www.plain.example (2)."""
    c = resolver(cairn={CAIRN_KEY["max_referral_depth"]: 3})
    ans = c.query(DEEP, "A")
    assert not final_rdatas(ans, "A"), ans
    assert_limit_ede(ans, "max_referral_depth")
    assert c.metric("limit_referral_depth") >= 1
    seen = seen_everywhere(counts)
    assert not [s for s in seen if s.server == "deep-4"], describe(seen)
    assert rdatas(c.query("www.plain.example.", "A"), "www.plain.example.", "A") == \
        [data_addr(counts.net, 200, 1)]


@CAIRN_ONLY
def test_upstream_query_budget(resolver, counts):
    """Cairn only: with max-upstream-queries 4, DEEP cannot be reached once
    only the root is known (it needs at least 6 queries, more to validate):
    SERVFAIL, EDE naming the limit, the counter, and at most the budget spent
    (+1 for slack)."""
    budget = 4
    c = resolver(cairn={CAIRN_KEY["max_upstream_queries"]: budget})
    assert c.query(".", "NS").rcode() == dns.rcode.NOERROR     # root primed and cached
    settle(0.5)
    counts.reset_counts()
    ans = c.query(DEEP, "A")
    assert not final_rdatas(ans, "A"), ans
    assert_limit_ede(ans, "max_upstream_queries")
    assert c.metric("limit_upstream_queries") >= 1
    seen = seen_everywhere(counts)
    assert len(seen) <= budget + 1, describe(seen)
    # and keeps serving
    assert c.query(".", "NS").rcode() == dns.rcode.NOERROR
