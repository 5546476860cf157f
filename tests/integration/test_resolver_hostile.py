"""Hostile and broken authoritative servers (issue 13): what a resolver
believes, whom it asks, and when it gives up.

Each test is a scenario built from ScriptedServers under the `scriptN.zz.`
slots (a slot's server may delegate further zones to servers at spare
addresses, hierarchy.spare_addr), run against Cairn and Unbound through the
`resolver` fixture. Scenarios Unbound 1.17 itself gets wrong run for Cairn
only (CAIRN_ONLY), with Unbound's behaviour in the docstring.

Data addresses are loopback addresses nothing listens on: GOOD (and REAL)
are what the honest servers publish, BOGUS what an attacker slips in.
"""

from __future__ import annotations

import time

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

import nxns_scenario as nxns
import scripted_server as ss
from hierarchy import TWOFACE_INDEX, data_addr, spare_addr
from resolver_helpers import CAIRN_ONLY, describe, final_rdatas, rdatas, seen_everywhere, slot_zone, zone_server

GOOD = "127.0.0.42"
REAL = "127.0.0.43"
BOGUS = "127.0.0.66"
S1 = "script1.zz."


# ---------------------------------------------------------------------------
# Building blocks
# ---------------------------------------------------------------------------

def _rrsets(lines) -> list[dns.rrset.RRset]:
    """Zone-file lines (absolute names) -> RRsets, one per (owner, type)."""
    groups: dict[tuple[str, str], list[str]] = {}
    ttls: dict[tuple[str, str], int] = {}
    for line in lines:
        name, ttl, _cls, rtype, rdata = line.split(None, 4)
        key = (name.lower(), rtype.upper())
        groups.setdefault(key, []).append(rdata)
        ttls[key] = int(ttl)
    return [dns.rrset.from_text(name, ttls[(name, rtype)], "IN", rtype, *rdatas_)
            for (name, rtype), rdatas_ in groups.items()]


def _reply(rec: ss.Received, answer=(), authority=(), additional=(), aa: bool = True,
           rcode: int = dns.rcode.NOERROR) -> dns.message.Message:
    resp = dns.message.make_response(rec.message)
    if aa:
        resp.flags |= dns.flags.AA
    resp.set_rcode(rcode)
    resp.answer += _rrsets(answer)
    resp.authority += _rrsets(authority)
    resp.additional += _rrsets(additional)
    return resp


def _child_zone(origin: str, ns: dict[str, str], records=(), ttl: int = 300, ns_ttl: int | None = None,
                addr_ttl: dict[str, int] | None = None) -> str:
    """Zone text: SOA, NS (name -> address, in-zone names get an A), records."""
    ns_ttl = ttl if ns_ttl is None else ns_ttl
    addr_ttl = addr_ttl or {}
    first = next(iter(ns))
    lines = [f"{origin} {ttl} IN SOA {first} hostmaster.{origin} 1 3600 600 86400 60"]
    lines += [f"{origin} {ns_ttl} IN NS {name}" for name in ns]
    lines += [f"{name} {addr_ttl.get(name, ttl)} IN A {address}" for name, address in ns.items()
              if dns.name.from_text(name).is_subdomain(dns.name.from_text(origin))]
    return "\n".join(lines + list(records)) + "\n"


def _delegation(child: str, ns: dict[str, str], ns_ttl: int = 300, glue_ttl: dict[str, int] | None = None):
    """Parent-side records: the NS set of `child` and glue for its in-zone names."""
    glue_ttl = glue_ttl or {}
    lines = [f"{child} {ns_ttl} IN NS {name}" for name in ns]
    lines += [f"{name} {glue_ttl.get(name, ns_ttl)} IN A {address}" for name, address in ns.items()
              if dns.name.from_text(name).is_subdomain(dns.name.from_text(child))]
    return lines


def _asked(srv: ss.ScriptedServer, name: str | None = None, qtype: str | None = None) -> list[ss.Received]:
    """Queries the scripted server received (for this name / type)."""
    n = dns.name.from_text(name) if name else None
    out = []
    for q in srv.queries():
        if q.message is None or not q.message.question:
            continue
        if n is not None and q.message.question[0].name != n:
            continue
        if qtype is not None and q.qtype != qtype:
            continue
        out.append(q)
    return out


def _answers_everything() -> ss.Handler:
    """An attacker's server: every A query gets BOGUS, authoritatively."""
    def handle(rec: ss.Received) -> ss.Reply:
        if rec.message is None or not rec.message.question:
            return None
        q = rec.message.question[0]
        if q.rdtype == dns.rdatatype.A:
            return _reply(rec, answer=[f"{q.name} 300 IN A {BOGUS}"])
        return _reply(rec)
    return handle


def _wait_past(seconds: float) -> None:
    """Let cached records with a TTL of `seconds` expire (not a timing assertion)."""
    time.sleep(seconds + 2)


# ---------------------------------------------------------------------------
# 1. Answer normalisation: only the question's chain is kept
# ---------------------------------------------------------------------------

def _normalisation_server(counts, scripted_server):
    """script1.zz: a A GOOD, victim A REAL, c CNAME t, t A GOOD, victim2 A REAL.
    The answer for `a` also carries victim A BOGUS; the answer for `c` is the
    whole chain plus victim2 A BOGUS."""
    zone = slot_zone(S1, counts.addr("script-1"), [
        f"a.{S1} 300 IN A {GOOD}", f"victim.{S1} 300 IN A {REAL}",
        f"c.{S1} 300 IN CNAME t.{S1}", f"t.{S1} 300 IN A {GOOD}", f"victim2.{S1} 300 IN A {REAL}",
    ])
    base = zone_server(zone, S1)

    def chain(rec: ss.Received) -> ss.Reply:
        if rec.qtype != "A":
            return base(rec)
        return _reply(rec, answer=[f"c.{S1} 300 IN CNAME t.{S1}", f"t.{S1} 300 IN A {GOOD}",
                                   f"victim2.{S1} 300 IN A {BOGUS}"])

    handler = ss.by_name({f"a.{S1}": ss.poison(base, answer=[f"victim.{S1} 300 IN A {BOGUS}"]),
                          f"c.{S1}": chain}, base)
    return scripted_server(counts.addr("script-1"), handler)


@pytest.mark.parametrize("asked,victim", [("a", "victim"), ("c", "victim2")], ids=["plain", "after-cname"])
def test_answer_rrsets_off_the_question_chain_are_dropped(resolver, counts, scripted_server, asked, victim):
    """A reply to <asked>.script1.zz A carries an extra in-zone RRset
    <victim>.script1.zz A BOGUS (after the answer, or after a CNAME chain it
    is not part of): the client does not see it, it is not cached (an RD=0
    query finds nothing), and a real query for the victim gets REAL."""
    srv = _normalisation_server(counts, scripted_server)
    r = resolver()
    ans = r.query(f"{asked}.{S1}", "A")
    assert final_rdatas(ans, "A") == [GOOD], ans
    assert _asked(srv, f"{asked}.{S1}", "A"), "the poisoning reply was never sent"
    assert not rdatas(ans, f"{victim}.{S1}", "A"), f"the extra RRset reached the client:\n{ans}"
    cached = r.query(f"{victim}.{S1}", "A", rd=False)
    assert BOGUS not in final_rdatas(cached, "A"), f"the extra RRset was cached:\n{cached}"
    fresh = r.query(f"{victim}.{S1}", "A")
    assert final_rdatas(fresh, "A") == [REAL], f"the extra RRset was used:\n{fresh}"
    assert _asked(srv, f"{victim}.{S1}", "A"), "the victim's real data was never asked for"


# ---------------------------------------------------------------------------
# 2. Authority NS only where it can be true
# ---------------------------------------------------------------------------

KID = f"kid.{S1}"


def _kid_servers(counts, scripted_server, parent_handler=None, child_handler=None):
    """script1.zz (script-1) delegates kid.script1.zz to script-2; both have
    `other`/wildcard names with address GOOD. The wrappers may poison them."""
    a1, a2 = counts.addr("script-1"), counts.addr("script-2")
    parent = zone_server(slot_zone(S1, a1, _delegation(KID, {f"ns.{KID}": a2}) + [
        f"www.{S1} 300 IN A {GOOD}", f"other.{S1} 300 IN A {GOOD}"]), S1)
    child = zone_server(_child_zone(KID, {f"ns.{KID}": a2}, [f"*.{KID} 300 IN A {GOOD}"]), KID)
    p = scripted_server(a1, (parent_handler or (lambda h: h))(parent))
    c = scripted_server(a2, (child_handler or (lambda h: h))(child))
    return p, c


def _only(name: str, poisoned):
    """Wrap a handler so that only queries for `name` get the poisoned variant."""
    return lambda h: ss.by_name({name: poisoned(h)}, h)


# case -> (poisoned name, parent wrapper, child wrapper, kid's referral fetched first)
def _authority_cases(evil: str):
    child_ns_in_parent_answer = _only(f"www.{S1}", lambda h: ss.poison(
        h, authority=[f"{KID} 300 IN NS ns.evil.{S1}"], additional=[f"ns.evil.{S1} 300 IN A {evil}"]))
    own_ns_non_aa = _only(f"www.{KID}", lambda h: ss.poison(
        ss.not_authoritative(h), authority=[f"{KID} 300 IN NS ns.evil.{KID}"],
        additional=[f"ns.evil.{KID} 300 IN A {evil}"]))
    parent_ns_from_child = _only(f"www.{KID}", lambda h: ss.poison(
        h, authority=[f"{S1} 300 IN NS ns.evil.{KID}"], additional=[f"ns.evil.{KID} 300 IN A {evil}"]))
    return {
        "child-ns-in-parent-answer-after-referral": (f"www.{S1}", child_ns_in_parent_answer, None, True),
        "child-ns-in-parent-answer-before-referral": (f"www.{S1}", child_ns_in_parent_answer, None, False),
        "own-ns-in-non-authoritative-answer": (f"www.{KID}", None, own_ns_non_aa, True),
        "parent-ns-in-child-answer": (f"www.{KID}", None, parent_ns_from_child, True),
    }


AUTHORITY_CASES = ["child-ns-in-parent-answer-after-referral", "child-ns-in-parent-answer-before-referral",
                   "own-ns-in-non-authoritative-answer", "parent-ns-in-child-answer"]


def _authority_ns_scenario(r, counts, scripted_server, case: str) -> None:
    evil = spare_addr(counts.net, 1)
    attacker = scripted_server(evil, _answers_everything())
    poisoned_name, parent_wrap, child_wrap, referral_first = _authority_cases(evil)[case]
    parent, child = _kid_servers(counts, scripted_server, parent_wrap, child_wrap)
    if referral_first:
        assert final_rdatas(r.query(f"first.{KID}", "A"), "A") == [GOOD]
    ans = r.query(poisoned_name, "A")
    poisoner = parent if parent_wrap else child
    assert _asked(poisoner, poisoned_name), "the poisoning reply was never sent"
    assert BOGUS not in final_rdatas(ans, "A"), ans
    for i in range(3):
        ans = r.query(f"n{i}.{KID}", "A")
        assert final_rdatas(ans, "A") == [GOOD], f"n{i}.{KID}:\n{ans}"
    assert final_rdatas(r.query(f"other.{S1}", "A"), "A") == [GOOD]
    assert not attacker.queries(), "the NS set from the authority section was used: " + \
        ", ".join(f"{q.qname} {q.qtype}" for q in attacker.queries())


@pytest.mark.parametrize("case", AUTHORITY_CASES)
def test_authority_ns_of_an_answer_is_not_a_delegation(resolver, counts, scripted_server, case):
    """An answer's authority section carries an NS set naming an attacker's
    server (glue in additional), for:
    - child-ns-in-parent-answer: kid.script1.zz, in script1.zz's AA answer
      for www.script1.zz; kid's delegation cached from a referral before
      (after-referral) or not (before-referral). NS records of an answer's
      authority section are used only for the zone that answered (the
      parent's copy of a child's NS set is no authoritative data, RFC 2181
      §6.1; a delegation comes in a referral);
    - own-ns-in-non-authoritative-answer: kid.script1.zz itself, in kid's
      non-AA answer (no referral: it never replaces the cached delegation);
    - parent-ns-in-child-answer: script1.zz, in kid's AA answer (out of
      kid's bailiwick).
    Later names in kid and script1.zz go to the real servers; the attacker's
    server gets no query."""
    _authority_ns_scenario(resolver(), counts, scripted_server, case)


# ---------------------------------------------------------------------------
# 3. Classify before scrubbing: upward and sideways referrals are lame
# ---------------------------------------------------------------------------

TWO = f"two.{S1}"

LAME_AUTHORITY = {
    "root": lambda counts: ([". 3600 IN NS a.root-servers.cairn."],
                            [f"a.root-servers.cairn. 3600 IN A {counts.addr('root-a')}"]),
    "tld": lambda counts: (["zz. 3600 IN NS ns1.nic.zz."], [f"ns1.nic.zz. 3600 IN A {counts.addr('zz-1')}"]),
    "sideways": lambda counts: (["plain.example. 300 IN NS ns1.plain.example."],
                                [f"ns1.plain.example. 300 IN A {counts.addr('host-1')}"]),
}


def _lame_referral_scenario(r, counts, scripted_server, kind: str) -> None:
    a1, a2, a3 = (counts.addr(k) for k in ("script-1", "script-2", "script-3"))
    ns = {f"ns1.{TWO}": a2, f"ns2.{TWO}": a3}
    scripted_server(a1, zone_server(slot_zone(S1, a1, _delegation(TWO, ns)), S1))
    authority, glue = LAME_AUTHORITY[kind](counts)
    lame = scripted_server(a2, lambda rec: _reply(rec, authority=authority, additional=glue)
                           if rec.message else None)
    good = zone_server(_child_zone(TWO, ns, [f"*.{TWO} 300 IN A {GOOD}"]), TWO)
    scripted_server(a3, lambda rec: good(rec) if lame.queries() else None)
    ans = r.query(f"www.{TWO}", "A", timeout=60)
    assert lame.queries(), "the lame server was never asked"
    assert final_rdatas(ans, "A") == [GOOD], f"the lame reply was taken for an answer:\n{ans}"
    for i in range(3):
        ans = r.query(f"n{i}.{TWO}", "A", timeout=60)
        assert final_rdatas(ans, "A") == [GOOD], f"n{i}:\n{ans}"


@pytest.mark.parametrize("kind", ["root", "tld"])
def test_upward_referral_with_aa_is_lame_not_nodata(resolver, counts, scripted_server, kind):
    """two.script1.zz has two servers: ns1 (script-2) answers everything with
    AA=1, an empty answer and the NS set of an ancestor zone (the root, or
    zz.) in authority, no SOA: an upward referral, a lame server (RFC 1034
    §5.3.3; RFC 2308 §2.2: NODATA has a SOA or no NS in authority). ns2
    (script-3) answers correctly, but only once the lame one has been asked,
    so the lame reply is seen whichever server the resolver picks first.
    Every name gets its address."""
    _lame_referral_scenario(resolver(), counts, scripted_server, kind)


@CAIRN_ONLY
def test_sideways_referral_with_aa_is_lame_not_nodata(resolver, counts, scripted_server):
    """The same with the NS set of an unrelated zone (plain.example.) in the
    lame server's authority section: NS and no SOA is no NODATA (RFC 2308
    §2.2) whatever zone the NS set is for.

    Unbound 1.17 drops the out-of-bailiwick NS set first and answers NODATA."""
    _lame_referral_scenario(resolver(), counts, scripted_server, "sideways")


# ---------------------------------------------------------------------------
# 4. Ghost domains (CVE-2012-1191)
# ---------------------------------------------------------------------------

GHOST = f"ghost.{S1}"
PARENT_NS_TTL = 3
LONG = 86400

GHOST_CHILD_NS = {
    "same-ns": [f"ns.{GHOST}"],
    "new-ns": [f"ns.{GHOST}", f"ns2.{GHOST}"],
}


def _ghost_child(address: str, ns_names: list[str]) -> ss.Handler:
    """ghost.script1.zz: every name exists; every answer carries the child's
    NS set and addresses with a TTL of a day."""
    ns = {name: address for name in ns_names}
    base = zone_server(_child_zone(GHOST, ns, [f"*.{GHOST} {LONG} IN A {GOOD}"], ttl=LONG), GHOST)
    ns_lines = [f"{GHOST} {LONG} IN NS {name}" for name in ns_names]
    addr_lines = [f"{name} {LONG} IN A {address}" for name in ns_names]

    def handle(rec: ss.Received) -> ss.Reply:
        reply = base(rec)
        if isinstance(reply, dns.message.Message) and reply.answer:
            if rec.qtype != "NS":
                reply.authority += _rrsets(ns_lines)
            reply.additional += _rrsets(addr_lines)
        return reply
    return handle


@CAIRN_ONLY
@pytest.mark.parametrize("child_ns", sorted(GHOST_CHILD_NS))
def test_ghost_domain_dies_with_its_delegation(resolver, counts, scripted_server, child_ns):
    """script1.zz delegates ghost.script1.zz with an NS TTL of 3 s; ghost's
    server sends its NS set (the parent's, or a new one) with a TTL of a day
    in every answer, and is asked for it directly. Then the parent removes
    the delegation. Once the parent's TTL has passed, new names under ghost
    are NXDOMAIN (from the parent), not answers from ghost's server.

    Unbound 1.17 fails both: the child's NS set, more trusted than the
    referral's (RFC 2181 §5.4.1), replaces it with its day-long TTL (Unbound
    keeps the old TTL only for a changed NS set of equal trust)."""
    a1, a2 = counts.addr("script-1"), counts.addr("script-2")
    with_ghost = zone_server(slot_zone(S1, a1, _delegation(GHOST, {f"ns.{GHOST}": a2}, ns_ttl=PARENT_NS_TTL)), S1)
    parent = scripted_server(a1, with_ghost)
    child = scripted_server(a2, _ghost_child(a2, GHOST_CHILD_NS[child_ns]))
    r = resolver()
    assert final_rdatas(r.query(f"www.{GHOST}", "A"), "A") == [GOOD]
    ns = r.query(GHOST, "NS")
    assert rdatas(ns, GHOST, "NS") == sorted(GHOST_CHILD_NS[child_ns]), ns
    parent.handler = zone_server(slot_zone(S1, a1), S1)           # the delegation is gone
    r.query(GHOST, "NS")                                          # the attacker refreshes
    r.query(f"refresh.{GHOST}", "A")
    asked_child = len(child.queries())
    _wait_past(PARENT_NS_TTL)
    for i in range(3):
        ans = r.query(f"new{i}.{GHOST}", "A")
        assert ans.rcode() == dns.rcode.NXDOMAIN and not final_rdatas(ans, "A"), \
            f"new{i}.{GHOST} outlived its delegation:\n{ans}"
    assert len(child.queries()) == asked_child, "ghost's server was still asked: " + \
        ", ".join(f"{q.qname} {q.qtype}" for q in child.queries()[asked_child:])


# ---------------------------------------------------------------------------
# 5. NXNSAttack: glueless NS names cost little
# ---------------------------------------------------------------------------

NXNS_CLIENT_QUERIES = 20
NXNS_MAX_PER_QUERY = 2


def nxns_servers(counts, scripted_server):
    """Attacker (script1.zz), victim (script2.zz), NS holder (script3.zz)
    and the legitimate zone's server (nxns_scenario.py)."""
    net = counts.net
    attacker = scripted_server(counts.addr("script-1"), nxns.attacker(counts.addr("script-1")))
    victim = scripted_server(counts.addr("script-2"), nxns.victim(counts.addr("script-2")))
    holder = scripted_server(counts.addr("script-3"), nxns.ns_holder(counts.addr("script-3"), net))
    legit = scripted_server(spare_addr(net, nxns.LEGIT_SERVER_INDEX), nxns.legit_server(net))
    return attacker, victim, holder, legit


@CAIRN_ONLY
def test_nxns_referral_costs_the_victim_little(resolver, counts, scripted_server):
    """20 client queries, each answered by the attacker with a referral to
    30 glueless NS names (fresh random ones each time) in the victim's zone,
    where none exists: the victim's server gets at most 2 queries per client
    query (names are looked up lazily, one at a time, under a budget).

    Unbound 1.17 sends 6 per client query here (bench/nxns_bench.py prints both)."""
    attacker, victim, _, _ = nxns_servers(counts, scripted_server)
    r = resolver()
    # the delegations of both zones are cached before counting
    assert final_rdatas(r.query(f"ns.{nxns.VICTIM}", "A"), "A") == [counts.addr("script-2")]
    assert final_rdatas(r.query(f"ns.{nxns.ATTACKER}", "A"), "A") == [counts.addr("script-1")]
    before = len(victim.queries())
    names = nxns.attack_names(NXNS_CLIENT_QUERIES)
    for name in names:
        ans = r.query(name, "A", timeout=60)
        assert not final_rdatas(ans, "A"), ans
    assert len(_asked(attacker)) >= NXNS_CLIENT_QUERIES, "the attacker's referrals were not fetched"
    reached = len(victim.queries()) - before
    assert reached <= NXNS_MAX_PER_QUERY * NXNS_CLIENT_QUERIES, \
        f"{reached} queries reached the victim for {NXNS_CLIENT_QUERIES} client queries " \
        f"({reached / NXNS_CLIENT_QUERIES:.1f} each)"


NXNS_LEGIT_ATTEMPTS = 30


def test_thirty_glueless_ns_of_which_the_last_resolves(resolver, counts, scripted_server):
    """legit.script1.zz is delegated to 30 glueless names in script3.zz of
    which only the last exists. A budget per client query may stop one
    resolution before it reaches that name, but must not break the zone
    outright: the names found not to exist are remembered, so asking again
    (a client retries; distinct names so no failure cache gets in the way)
    gets the answer within 30 attempts, one per NS name at worst."""
    nxns_servers(counts, scripted_server)
    r = resolver()
    answers = []
    for i in range(NXNS_LEGIT_ATTEMPTS):
        ans = r.query(f"n{i}.{nxns.LEGIT}", "A", timeout=60)
        answers.append(dns.rcode.to_text(ans.rcode()))
        if final_rdatas(ans, "A") == [nxns.GOOD]:
            break
    assert final_rdatas(ans, "A") == [nxns.GOOD], f"never resolved; rcodes: {answers}"


# ---------------------------------------------------------------------------
# 6. Expired glue is learnt again
# ---------------------------------------------------------------------------

G6 = f"g6.{S1}"
SHORT_GLUE = 2


def test_expired_glue_is_learnt_again(resolver, counts, scripted_server):
    """script1.zz delegates g6.script1.zz for an hour to ns1 and ns2, both in
    the zone; ns1's glue (and its A in g6) lives 2 s, ns2's an hour. After
    ns1's address has expired, ns2's server stops: the resolver learns ns1's
    address again (from the parent) instead of failing on ns2."""
    a1 = counts.addr("script-1")
    p1, p2 = spare_addr(counts.net, 10), spare_addr(counts.net, 11)
    ns = {f"ns1.{G6}": p1, f"ns2.{G6}": p2}
    ttls = {f"ns1.{G6}": SHORT_GLUE}
    parent = scripted_server(a1, zone_server(slot_zone(S1, a1, _delegation(G6, ns, 3600, ttls)), S1))
    child_zone = _child_zone(G6, ns, [f"*.{G6} 300 IN A {GOOD}"], ns_ttl=3600, addr_ttl=ttls)
    scripted_server(p1, zone_server(child_zone, G6))
    second = scripted_server(p2, zone_server(child_zone, G6))
    r = resolver()
    assert final_rdatas(r.query(f"www.{G6}", "A"), "A") == [GOOD]
    _wait_past(SHORT_GLUE)
    second.stop()
    asked_parent = len(parent.queries())
    ans = r.query(f"n1.{G6}", "A", timeout=60)
    assert final_rdatas(ans, "A") == [GOOD], f"ns1's expired address was not learnt again:\n{ans}"
    assert len(parent.queries()) > asked_parent, "the parent was not asked again"


# ---------------------------------------------------------------------------
# 7. Minimised queries do not make servers lame
# ---------------------------------------------------------------------------

M7 = f"m7.{S1}"
M7_TARGETS = [f"www.a.b.{M7}", f"mail.a.b.{M7}"]


def test_empty_non_authoritative_reply_to_a_minimised_query_is_not_lameness(resolver, counts, scripted_server):
    """m7.script1.zz's only server answers the shortened names (b.m7,
    a.b.m7: empty non-terminals) with an empty, non-authoritative NOERROR
    without SOA, and the full names correctly. That is no lameness for the
    zone: the resolver falls back to the full name (RFC 9156 §2.3) and asks
    the same server, for each of two names."""
    a1, a2 = counts.addr("script-1"), counts.addr("script-2")
    scripted_server(a1, zone_server(slot_zone(S1, a1, _delegation(M7, {f"ns.{M7}": a2})), S1))
    zone = _child_zone(M7, {f"ns.{M7}": a2}, [f"{t} 300 IN A {GOOD}" for t in M7_TARGETS])
    base = zone_server(zone, M7)
    zone_name = dns.name.from_text(M7)
    ents = {dns.name.from_text(f"b.{M7}"), dns.name.from_text(f"a.b.{M7}")}

    def handle(rec: ss.Received) -> ss.Reply:
        if rec.message and rec.message.question and rec.message.question[0].name in ents:
            return _reply(rec, aa=False)
        return base(rec)
    server = scripted_server(a2, handle)
    assert all(e.is_subdomain(zone_name) for e in ents)
    r = resolver(qname_minimisation=True)
    for target in M7_TARGETS:
        ans = r.query(target, "A", timeout=60)
        assert final_rdatas(ans, "A") == [GOOD], f"{target}:\n{ans}"
        assert _asked(server, target, "A"), f"{target} was never asked in full"
    shortened = [q for q in server.queries() if q.message and q.message.question[0].name in ents]
    assert shortened, "no minimised query reached the server: the scenario did not happen"


# ---------------------------------------------------------------------------
# 8. Parent-side addresses as a fall-back
# ---------------------------------------------------------------------------

P8 = f"p8.{S1}"


def test_parent_glue_when_the_child_address_fails(resolver, counts, scripted_server):
    """The parent's glue for ns.p8.script1.zz is a working server; p8 itself
    publishes (authoritatively) another address for ns.p8, where nothing
    listens. Once the resolver has learnt the child's address (a client
    asks for it), names in p8 still resolve: the parent's glue is the
    fall-back when the zone's own addresses fail."""
    a1 = counts.addr("script-1")
    working, dead = spare_addr(counts.net, 20), spare_addr(counts.net, 21)
    scripted_server(a1, zone_server(slot_zone(S1, a1, _delegation(P8, {f"ns.{P8}": working})), S1))
    child = scripted_server(working, zone_server(_child_zone(P8, {f"ns.{P8}": dead}, [f"*.{P8} 300 IN A {GOOD}"]), P8))
    r = resolver()
    assert final_rdatas(r.query(f"www.{P8}", "A"), "A") == [GOOD]
    learnt = r.query(f"ns.{P8}", "A")
    assert final_rdatas(learnt, "A") == [dead], learnt
    assert _asked(child, f"ns.{P8}", "A"), "the child's address for its server was not fetched"
    ans = r.query(f"n1.{P8}", "A", timeout=60)
    assert final_rdatas(ans, "A") == [GOOD], f"the parent's glue was not used:\n{ans}"
    assert _asked(child, f"n1.{P8}", "A")


# ---------------------------------------------------------------------------
# 9. Bogus from one server is not bogus for the zone
# ---------------------------------------------------------------------------

TWOFACE = "twoface.example."


@pytest.mark.parametrize("bad", ["twoface-1", "twoface-2"])
def test_bogus_answer_from_one_server_is_retried_elsewhere(resolver, counts, scripted_server, bad):
    """twoface.example (signed) is served through two relays of its hidden
    primary; one flips a byte in every RRSIG it relays. The honest relay
    answers only once the corrupt one has been asked, so a bogus reply is
    seen whichever server comes first. The resolver asks another server
    before concluding: answers, NODATA, NXDOMAIN and wildcards come back
    with AD=1, none SERVFAIL."""
    good = "twoface-2" if bad == "twoface-1" else "twoface-1"
    primary = counts.addr("twoface")
    liar = scripted_server(counts.addr(bad), ss.corrupt_rrsigs(ss.proxy(primary)))
    honest = ss.proxy(primary)
    scripted_server(counts.addr(good), lambda rec: honest(rec) if liar.queries() else None)
    r = resolver()
    net, i = counts.net, TWOFACE_INDEX
    expected = [(f"www.{TWOFACE}", "A", dns.rcode.NOERROR, [data_addr(net, 200, i)]),
                (f"nodata.{TWOFACE}", "A", dns.rcode.NOERROR, []),
                (f"nx.{TWOFACE}", "A", dns.rcode.NXDOMAIN, []),
                (f"x.wild.{TWOFACE}", "A", dns.rcode.NOERROR, [data_addr(net, 202, i)])]
    for name, rdtype, rcode, data in expected:
        ans = r.query(name, rdtype, dnssec=True, timeout=60)
        assert ans.rcode() == rcode and final_rdatas(ans, rdtype) == data, f"{name}:\n{ans}"
        assert ans.flags & dns.flags.AD, f"{name} not validated:\n{ans}"
    assert liar.queries(), "the corrupting server was never asked"
    seen = seen_everywhere(counts)
    assert any(s.server == "twoface" for s in seen), describe(seen)
