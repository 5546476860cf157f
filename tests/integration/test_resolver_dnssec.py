"""DNSSEC validation through the mini-internet (README.md: the hierarchy and
the DNSSEC variants `<breakage>.example.`).

Secure answers carry AD (to clients that ask with DO or AD, RFC 6840 §5.7),
insecure ones do not, bogus ones are SERVFAIL unless the client sets CD, and
the work of validating a KeyTrap zone is bounded (Cairn holds such a zone for
a while, dnssec-limit-hold, so that a flood of new names in it costs little,
while network failures are not held). Every test runs against Cairn and
Unbound (the `resolver` fixture); Unbound is started with `ede: yes` (so its
Extended DNS Errors can be compared too) and with RFC 9276's NSEC3 iteration
limit of 50, which is Cairn's default (`nsec3-max-iterations`).
Extended DNS Error 27, metrics and config keys are Cairn's alone.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import dns.dnssec
import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

import scripted_server as ss
from hierarchy import ALGORITHM_ZONES, TWOFACE_INDEX, data_addr
from resolver_helpers import (CAIRN_KEY, CAIRN_ONLY, EDE_DNSKEY_MISSING, EDE_DNSSEC_BOGUS,
                              EDE_NSEC_MISSING, EDE_RRSIGS_MISSING, EDE_SIGNATURE_EXPIRED,
                              EDE_SIGNATURE_NOT_YET_VALID, EDE_UNSUPPORTED_DNSKEY_ALGORITHM,
                              EDE_UNSUPPORTED_DS_DIGEST, EDE_UNSUPPORTED_NSEC3_ITERATIONS,
                              assert_servfail_with_ede, extended_errors, rcode_text, rdatas)
from tamper import random_dnskey

# Unbound: report EDEs; NSEC3 proofs with more than 50 iterations are insecure
# (RFC 9276; Unbound 1.17's own default is 150, so iter.example's 100 would pass).
UNBOUND_DNSSEC = ["ede: yes", 'val-nsec3-keysize-iterations: "1024 50 2048 50 4096 50"']

RRSIG = dns.rdatatype.RRSIG
DENIAL_TYPES = {"NSEC": dns.rdatatype.NSEC, "NSEC3": dns.rdatatype.NSEC3}


@pytest.fixture
def net(mini_internet):
    return mini_internet.net


def start(resolver, cairn: dict | None = None):
    return resolver(cairn=cairn, unbound=UNBOUND_DNSSEC)


def ad(msg) -> bool:
    return bool(msg.flags & dns.flags.AD)


def summary(msg) -> str:
    return f"{rcode_text(msg)} AD={int(ad(msg))} EDE={extended_errors(msg)}"


def types_in(msg, section: str) -> set[int]:
    return {rr.rdtype for rr in getattr(msg, section)}


def covered_by_rrsigs(msg, section: str) -> set[int]:
    return {rd.type_covered for rr in getattr(msg, section) if rr.rdtype == RRSIG for rd in rr}


def has_rrsigs(msg) -> bool:
    return any(rr.rdtype == RRSIG for sec in (msg.answer, msg.authority, msg.additional) for rr in sec)


def assert_answer(msg, rcode: str, secure: bool, note: str = "") -> None:
    assert rcode_text(msg) == rcode and ad(msg) == secure, \
        f"{note}: expected {rcode} AD={int(secure)}, got {summary(msg)}\n{msg}"


# ---------------------------------------------------------------------------
# Secure answers
# ---------------------------------------------------------------------------

def secure_names(net):
    """(qname, type, expected answer rdata or None)"""
    names = [
        (".", "SOA", None), (".", "DNSKEY", None), ("example.", "SOA", None),
        ("example.", "DNSKEY", None), ("cairn.", "SOA", None), ("cairn.", "NS", None),
        ("www.secure.example.", "A", [data_addr(net, 200, 2)]),
        ("www.secure3.cairn.", "A", [data_addr(net, 200, 3)]),
        ("secure.example.", "MX", ["10 mail.secure.example."]),
        ("www.secure3.cairn.", "AAAA", ["2001:db8::3"]),
    ]
    names += [(f"www.{alg.lower()}.example.", "A", [data_addr(net, 200, 20 + i)])
              for i, alg in enumerate(ALGORITHM_ZONES)]
    return names


def test_secure_answers_have_ad(resolver, net):
    """Root, TLD and signed-zone data, one zone per algorithm: NOERROR, AD=1,
    and with DO=1 the RRSIGs come along."""
    r = start(resolver)
    failures = []
    for qname, rdtype, expect in secure_names(net):
        msg = r.query(qname, rdtype, dnssec=True)
        got = rdatas(msg, qname, rdtype)
        if rcode_text(msg) != "NOERROR" or not ad(msg) or not got or (expect and got != expect):
            failures.append(f"{qname} {rdtype}: {summary(msg)} {got}")
        elif dns.rdatatype.from_text(rdtype) not in covered_by_rrsigs(msg, "answer"):
            failures.append(f"{qname} {rdtype}: no RRSIG in the answer with DO=1")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("zone,index,denial", [("secure.example.", 2, "NSEC"),
                                               ("secure3.cairn.", 3, "NSEC3")],
                         ids=["nsec", "nsec3"])
def test_authenticated_denial_and_wildcards(resolver, net, zone, index, denial):
    """NXDOMAIN, NODATA, a wildcard answer and a wildcard NODATA in an NSEC
    and an NSEC3 zone: all AD=1, each with its proof (signed NSEC/NSEC3 and
    SOA) in the authority section."""
    r = start(resolver)
    dtype = DENIAL_TYPES[denial]
    cases = [  # qname, type, rcode, answer type or None
        (f"nx.{zone}", "A", "NXDOMAIN", None),
        (f"nodata.{zone}", "A", "NOERROR", None),
        (f"x.ent.{zone}", "A", "NXDOMAIN", None),          # wildcard does not cover it
        (f"ent.{zone}", "A", "NOERROR", None),             # empty non-terminal
        (f"any.wild.{zone}", "A", "NOERROR", "A"),         # wildcard answer
        (f"any.wild.{zone}", "AAAA", "NOERROR", None),     # wildcard NODATA
    ]
    for qname, rdtype, rcode, answer in cases:
        msg = r.query(qname, rdtype, dnssec=True)
        assert_answer(msg, rcode, True, f"{qname} {rdtype}")
        assert dtype in types_in(msg, "authority"), f"{qname} {rdtype}: no {denial} proof\n{msg}"
        assert dtype in covered_by_rrsigs(msg, "authority"), f"{qname} {rdtype}: unsigned {denial}\n{msg}"
        if answer is None:
            assert not msg.answer, msg
            assert rdatas(msg, zone, "SOA", "authority"), f"{qname}: no SOA\n{msg}"
            assert dns.rdatatype.SOA in covered_by_rrsigs(msg, "authority"), msg
        else:
            assert rdatas(msg, qname, answer) == [data_addr(net, 202, index)], msg
            sigs = [rd for rr in msg.answer if rr.rdtype == RRSIG for rd in rr]
            # expanded from *.wild.<zone>: the RRSIG's label count is the wildcard's
            assert sigs and all(rd.labels < len(dns.name.from_text(qname).labels) - 1 for rd in sigs), msg


def test_insecure_answers_have_no_ad(resolver, net):
    """Unsigned zones under signed parents (plain.example. by an NSEC proof,
    infra.cairn. inside cairn.'s NSEC3 opt-out span, zz. unsigned TLD) and
    CNAME chains that leave the signed part: the answers, no AD."""
    r = start(resolver)
    cases = [
        ("www.plain.example.", "A", "NOERROR", [data_addr(net, 200, 1)]),
        ("nx.plain.example.", "A", "NXDOMAIN", []),
        ("nodata.plain.example.", "A", "NOERROR", []),
        ("www.infra.cairn.", "A", "NOERROR", [data_addr(net, 200, 4)]),
        ("nx.infra.cairn.", "A", "NXDOMAIN", []),
        ("www.x.y.z.c.b.a.deep.cairn.", "A", "NOERROR", [data_addr(net, 200, 15)]),
        ("www.pingpong.zz.", "A", "NOERROR", [data_addr(net, 200, 10)]),
        ("zz.", "SOA", "NOERROR", None),
        ("hop.infra.cairn.", "A", "NOERROR", [data_addr(net, 200, 2)]),      # insecure -> secure
        ("chain.plain.example.", "A", "NOERROR", [data_addr(net, 200, 2)]),
    ]
    failures = []
    for qname, rdtype, rcode, expect in cases:
        msg = r.query(qname, rdtype, dnssec=True)
        final = sorted(rd.to_text() for rr in msg.answer if rr.rdtype == dns.rdatatype.from_text(rdtype)
                       for rd in rr)
        if rcode_text(msg) != rcode or ad(msg) or (expect is not None and final != expect):
            failures.append(f"{qname} {rdtype}: {summary(msg)} {final}")
    assert not failures, "\n".join(failures)


def test_secure_delegation_denials(resolver):
    """The DS of an unsigned child is denied by the signed parent: NODATA
    with AD=1, by an NSEC in example. and by an NSEC3 in cairn. (ldns-signzone
    gives each unsigned delegation its own NSEC3, opt-out flag set, so the
    NSEC3 matches the name and proves there is no DS)."""
    r = start(resolver)
    msg = r.query("plain.example.", "DS", dnssec=True)
    assert_answer(msg, "NOERROR", True, "plain.example. DS")
    assert not msg.answer and dns.rdatatype.NSEC in types_in(msg, "authority"), msg
    msg = r.query("infra.cairn.", "DS", dnssec=True)
    assert_answer(msg, "NOERROR", True, "infra.cairn. DS")
    assert not msg.answer and dns.rdatatype.NSEC3 in types_in(msg, "authority"), msg


# ---------------------------------------------------------------------------
# The AD bit for clients without DO (RFC 6840 §5.7, RFC 4035 §3.2.3)
# ---------------------------------------------------------------------------

def test_ad_and_rrsigs_follow_the_client(resolver):
    r = start(resolver)
    name = "www.secure.example."
    assert ad(r.query(name, dnssec=True))            # validated (and cached)
    plain = r.query(name)                            # no DO, no AD
    assert rcode_text(plain) == "NOERROR" and rdatas(plain, name, "A"), plain
    assert not ad(plain), f"AD without DO or AD in the query:\n{plain}"
    assert not has_rrsigs(plain), f"RRSIGs without DO:\n{plain}"
    asked = r.query(name, ad=True)                   # AD=1, no DO: AD=1, still no RRSIGs
    assert ad(asked) and rdatas(asked, name, "A"), f"AD=1 in the query, no AD in the answer:\n{asked}"
    assert not has_rrsigs(asked), asked
    with_do = r.query(name, dnssec=True)
    assert ad(with_do) and RRSIG in types_in(with_do, "answer"), with_do
    # the same from a cold start: the first answer, not only the cached one
    r2 = start(resolver)
    assert ad(r2.query("www.secure3.cairn.", ad=True))
    assert not ad(r2.query("www.secure3.cairn.", "AAAA"))
    # insecure data never has AD, whatever the client asks
    for kw in ({"ad": True}, {"dnssec": True}, {"ad": True, "dnssec": True}):
        msg = r.query("www.plain.example.", **kw)
        assert not ad(msg), (kw, msg)
    # negative answers: AD=1 for AD=1 clients, without any DNSSEC record
    nx = r.query("nx.secure.example.", ad=True)
    assert_answer(nx, "NXDOMAIN", True, "nx.secure.example. AD=1 no DO")
    assert not has_rrsigs(nx) and dns.rdatatype.NSEC not in types_in(nx, "authority"), nx


# ---------------------------------------------------------------------------
# Bogus answers
# ---------------------------------------------------------------------------

# zone, qname, type, the EDE the first failing query gets, rcode with CD=1
BOGUS = [
    ("badsig", "www.badsig.example.", "A", EDE_DNSSEC_BOGUS, "NOERROR"),
    ("expired", "www.expired.example.", "A", EDE_SIGNATURE_EXPIRED, "NOERROR"),
    ("future", "www.future.example.", "A", EDE_SIGNATURE_NOT_YET_VALID, "NOERROR"),
    ("nokey", "www.nokey.example.", "A", EDE_DNSKEY_MISSING, "NOERROR"),
    ("nodnskeysig", "www.nodnskeysig.example.", "A", EDE_RRSIGS_MISSING, "NOERROR"),
    ("nonsec", "nx.nonsec.example.", "A", EDE_NSEC_MISSING, "NXDOMAIN"),
]


@pytest.mark.parametrize("zone,qname,rdtype,ede,cd_rcode", BOGUS, ids=[b[0] for b in BOGUS])
def test_bogus_is_servfail_with_ede(resolver, zone, qname, rdtype, ede, cd_rcode):
    """A fresh resolver, one query with DO=1: SERVFAIL, no data, and the
    Extended DNS Error that names what is wrong (RFC 8914). Without DO the
    same. Unbound (ede: yes) agrees on every code here."""
    r = start(resolver)
    msg = r.query(qname, rdtype, dnssec=True)
    assert rcode_text(msg) == "SERVFAIL" and not msg.answer, f"{qname}: {summary(msg)}\n{msg}"
    assert not ad(msg)
    codes = [c for c, _ in extended_errors(msg)]
    assert ede in codes, f"{qname}: EDE {extended_errors(msg)}, expected {ede}"
    again = r.query(qname, rdtype)
    assert rcode_text(again) == "SERVFAIL" and not again.answer, f"{qname} without DO: {summary(again)}"
    if r.is_cairn:
        assert_servfail_with_ede(again)


@pytest.mark.parametrize("zone,qname,rdtype,ede,cd_rcode", BOGUS, ids=[b[0] for b in BOGUS])
def test_checking_disabled_returns_bogus_data(resolver, net, zone, qname, rdtype, ede, cd_rcode):
    """CD=1 (RFC 4035 §3.2.2): the data as the zone has it, AD=0; before and
    after the same name failed validation for a CD=0 client."""
    r = start(resolver)
    first = r.query(qname, rdtype, dnssec=True, cd=True)
    assert_answer(first, cd_rcode, False, f"{qname} CD=1")
    if cd_rcode == "NOERROR":
        assert rdatas(first, qname, rdtype), first
    assert rcode_text(r.query(qname, rdtype, dnssec=True)) == "SERVFAIL"
    second = r.query(qname, rdtype, dnssec=True, cd=True)
    assert_answer(second, cd_rcode, False, f"{qname} CD=1 after a SERVFAIL")
    if cd_rcode == "NOERROR":
        assert rdatas(second, qname, rdtype) == rdatas(first, qname, rdtype), second


def test_bogus_zones_fail_for_every_name(resolver):
    """Where the keys themselves cannot be proven (expired, future, nokey,
    nodnskeysig) every answer from the zone is bogus; where one signature is
    bad (badsig) or proofs are missing (nonsec) the rest still validates."""
    r = start(resolver)
    failures = []

    def check(qname, rdtype, rcode, secure=False):
        msg = r.query(qname, rdtype, dnssec=True)
        if rcode_text(msg) != rcode or ad(msg) != secure:
            failures.append(f"{qname} {rdtype}: {summary(msg)}, expected {rcode} AD={int(secure)}")
        elif rcode == "SERVFAIL" and r.is_cairn and not extended_errors(msg):
            failures.append(f"{qname} {rdtype}: SERVFAIL without EDE")

    for zone in ("expired", "future", "nokey", "nodnskeysig"):
        for qname, rdtype in [("www", "A"), ("www", "TXT"), ("nx", "A"), ("nodata", "A"), ("a.wild", "A")]:
            check(f"{qname}.{zone}.example.", rdtype, "SERVFAIL")
    check("www.badsig.example.", "TXT", "NOERROR", True)      # only www A is corrupted
    check("nx.badsig.example.", "A", "NXDOMAIN", True)
    check("a.wild.badsig.example.", "A", "NOERROR", True)
    check("www.nonsec.example.", "A", "NOERROR", True)        # signatures are fine
    check("nodata.nonsec.example.", "A", "SERVFAIL")           # NODATA without proof
    check("a.wild.nonsec.example.", "A", "SERVFAIL")           # wildcard without proof
    assert not failures, "\n".join(failures)


def test_nonsec_nodata_names_missing_nsec(resolver):
    r = start(resolver)
    msg = r.query("nodata.nonsec.example.", "A", dnssec=True)
    assert rcode_text(msg) == "SERVFAIL", summary(msg)
    assert EDE_NSEC_MISSING in [c for c, _ in extended_errors(msg)], extended_errors(msg)


# ---------------------------------------------------------------------------
# Insecure by policy: NSEC3 iterations, unsupported DS algorithm or digest
# ---------------------------------------------------------------------------

def test_nsec3_iterations_above_limit_are_insecure(resolver, net):
    """iter.example.: NSEC3 with 100 iterations, above RFC 9276's 50. Answers
    that rely on its NSEC3 proofs (NXDOMAIN, NODATA, wildcard) are given
    without AD, and Cairn says why (EDE 27); the positive answer needs no
    NSEC3 and stays secure."""
    r = start(resolver)
    www = r.query("www.iter.example.", "A", dnssec=True)
    assert_answer(www, "NOERROR", True, "www.iter.example.")
    assert rdatas(www, "www.iter.example.", "A") == [data_addr(net, 200, 37)]
    for qname, rdtype, rcode in [("nx.iter.example.", "A", "NXDOMAIN"),
                                 ("nodata.iter.example.", "A", "NOERROR"),
                                 ("a.wild.iter.example.", "A", "NOERROR")]:
        msg = r.query(qname, rdtype, dnssec=True)
        assert_answer(msg, rcode, False, qname)
        if qname.startswith("a.wild"):
            assert rdatas(msg, qname, "A") == [data_addr(net, 202, 37)], msg
        if r.is_cairn:
            codes = [c for c, _ in extended_errors(msg)]
            assert EDE_UNSUPPORTED_NSEC3_ITERATIONS in codes, f"{qname}: EDE {extended_errors(msg)}"


@pytest.mark.parametrize("zone", ["unsupalg", "unsupdigest"])
def test_unsupported_ds_is_insecure(resolver, net, zone):
    """The only DS has an algorithm (253) or digest type (3, GOST) the
    resolver does not implement: the zone is insecure (RFC 4035 §5.2,
    RFC 6840 §5.2), not bogus. Cairn says why with EDE 1 or 2, on the
    answer that found out and on the cached answers after it."""
    r = start(resolver)
    index = 38 if zone == "unsupalg" else 39
    note = EDE_UNSUPPORTED_DNSKEY_ALGORITHM if zone == "unsupalg" else EDE_UNSUPPORTED_DS_DIGEST
    for attempt in ("first", "cached"):
        www = r.query(f"www.{zone}.example.", "A", dnssec=True)
        assert_answer(www, "NOERROR", False, f"{zone} ({attempt})")
        assert rdatas(www, f"www.{zone}.example.", "A") == [data_addr(net, 200, index)]
        if r.is_cairn:
            codes = [c for c, _ in extended_errors(www)]
            assert note in codes, f"{zone} ({attempt}): EDE {extended_errors(www)}, expected {note}"
    assert_answer(r.query(f"nx.{zone}.example.", "A", dnssec=True), "NXDOMAIN", False, zone)
    assert_answer(r.query(f"a.wild.{zone}.example.", "A", dnssec=True), "NOERROR", False, zone)


# ---------------------------------------------------------------------------
# KeyTrap (CVE-2023-50387)
# ---------------------------------------------------------------------------

TRAP_NAMES = 16


def test_keytrap_is_bounded_and_others_are_served(resolver, net):
    """keytrap.example.: 101 DNSKEYs share the ZSK's key tag and www A (and
    *.trap A) carry 50 garbage RRSIGs with that tag: up to 5050 signature
    checks per RRset for a validator without limits. The trapped names are
    SERVFAIL, while queries for other names, sent at the same time, are
    answered. The zone's honest parts, signed by the real ZSK, validate
    before the attack and are still answered from the cache after it (Cairn
    holds the zone for a while after it, dnssec-limit-hold, when new names
    signed with the crowded key tag are not proven). Cairn counts the
    breached verification budget, and the signatures it checked stay within
    dnssec-max-verifications-per-request (default 64) for each query sent."""
    r = start(resolver)
    assert_answer(r.query("nx.keytrap.example.", "A", dnssec=True), "NXDOMAIN", True, "nx.keytrap")
    before = r.metric("limit_dnssec_verifications") if r.is_cairn else 0
    verified_before = r.metric("dnssec_verifications") if r.is_cairn else 0
    trapped = ["www.keytrap.example."] + [f"t{i}.trap.keytrap.example." for i in range(TRAP_NAMES)]
    others = [("www.secure.example.", "A", [data_addr(net, 200, 2)]),
              ("www.secure3.cairn.", "A", [data_addr(net, 200, 3)]),
              ("www.plain.example.", "A", [data_addr(net, 200, 1)]),
              ("mail.secure.example.", "A", [data_addr(net, 201, 2)])]
    others += [(f"www.{alg.lower()}.example.", "A", [data_addr(net, 200, 20 + i)])
               for i, alg in enumerate(ALGORITHM_ZONES)]
    others += [(f"o{i}.wild.secure3.cairn.", "A", [data_addr(net, 202, 3)]) for i in range(8)]
    trap_results: dict[str, str] = {}

    def attack(name):
        msg = r.query(name, "A", dnssec=True, timeout=20)
        trap_results[name] = summary(msg)
        return msg

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(attack, n) for n in trapped]
        time.sleep(0.05)        # the attack is under way
        answered = []
        for qname, rdtype, expect in others:
            msg = r.query(qname, rdtype, dnssec=True, timeout=20)
            answered.append((qname, rcode_text(msg), rdatas(msg, qname, rdtype) == expect))
        results = [f.result() for f in futures]
    bad = [a for a in answered if a[1] != "NOERROR" or not a[2]]
    assert not bad, f"not answered during the attack: {bad}"
    for name, msg in zip(trapped, results):
        assert rcode_text(msg) == "SERVFAIL" and not msg.answer, f"{name}: {summary(msg)}"
    # the honest denial proven before the attack is still answered, secure
    assert_answer(r.query("nx.keytrap.example.", "A", dnssec=True), "NXDOMAIN", True,
                  "nx.keytrap after the attack")
    assert r.query("www.secure.example.", "A", timeout=5).rcode() == dns.rcode.NOERROR
    if r.is_cairn:
        assert_servfail_with_ede(results[0])
        assert r.metric("limit_dnssec_verifications") > before
        queries_sent = len(trapped) + len(others) + 2
        verified = r.metric("dnssec_verifications") - verified_before
        assert verified <= 64 * queries_sent, f"{verified} signature checks for {queries_sent} queries"


# KeyTrap under a flood (issue 14, point 11): a zone whose keys exhausted the
# limits is held for dnssec-limit-hold seconds, during which its RRSIGs with a
# crowded key tag are not checked at all, so new names in it cost no
# signature checks; they are SERVFAIL (EDE 6), not cached as bogus.

DEFAULT_MAX_VERIFICATIONS_PER_RRSET = 8      # dnssec-max-verifications-per-rrset
FLOOD_NAMES = 40
FLOOD_THREADS = 8


def warm_keytrap(r) -> None:
    """The chain of trust down to keytrap.example.'s keys, proven by an
    honest answer (its NSEC is signed by the real ZSK, first of the keys with
    the crowded tag), before anything is counted."""
    assert_answer(r.query("nodata.keytrap.example.", "TXT", dnssec=True), "NOERROR", True,
                  "nodata.keytrap")


def assert_trapped(msg, name: str) -> None:
    assert_servfail_with_ede(msg, {EDE_DNSSEC_BOGUS})
    assert not msg.answer, f"{name}: {summary(msg)}"


@CAIRN_ONLY
def test_keytrap_flood_is_held(resolver, net):
    """40 new names under *.trap.keytrap.example. from 8 client threads: the
    first wave spends up to dnssec-max-verifications-per-rrset (8) signature
    checks per query in flight and puts the zone on hold; the names asked
    after cost none. All are SERVFAIL with EDE 6, and a cached name of
    another zone, asked meanwhile, is answered."""
    r = start(resolver)
    warm_keytrap(r)
    assert_answer(r.query("www.secure.example.", "A", dnssec=True), "NOERROR", True, "www.secure")
    verified_before = r.metric("dnssec_verifications")
    names = [f"f{i}.trap.keytrap.example." for i in range(FLOOD_NAMES)]
    with ThreadPoolExecutor(max_workers=FLOOD_THREADS) as pool:
        futures = [pool.submit(r.query, name, "A", dnssec=True, timeout=20) for name in names]
        time.sleep(0.05)        # the flood is under way
        meanwhile = r.query("www.secure.example.", "A", dnssec=True, timeout=20)
        results = [f.result() for f in futures]
    for name, msg in zip(names, results):
        assert_trapped(msg, name)
    assert_answer(meanwhile, "NOERROR", True, "www.secure.example. during the flood")
    assert rdatas(meanwhile, "www.secure.example.", "A") == [data_addr(net, 200, 2)]
    assert r.metric("dnssec_limit_holds") >= 1
    verified = r.metric("dnssec_verifications") - verified_before
    first_wave = DEFAULT_MAX_VERIFICATIONS_PER_RRSET * FLOOD_THREADS
    assert verified <= first_wave + 8, \
        f"{verified} signature checks for {FLOOD_NAMES} trap names from {FLOOD_THREADS} threads"


@CAIRN_ONLY
def test_keytrap_hold_ends(resolver):
    """dnssec-limit-hold: 2: once the hold is over, a new trap name is
    checked under the normal limits again (the per-RRset budget runs out
    anew) and puts the zone on hold again."""
    r = start(resolver, {CAIRN_KEY["dnssec_limit_hold"]: 2})
    warm_keytrap(r)
    assert_trapped(r.query("h0.trap.keytrap.example.", "A", dnssec=True), "h0")
    holds = r.metric("dnssec_limit_holds")
    assert holds >= 1
    trapped_at = time.monotonic()
    while time.monotonic() < trapped_at + 3:
        time.sleep(0.1)
    limited = r.metric("limit_dnssec_verifications")
    assert_trapped(r.query("h1.trap.keytrap.example.", "A", dnssec=True), "h1")
    assert r.metric("limit_dnssec_verifications") > limited, "no signature checks after the hold"
    assert r.metric("dnssec_limit_holds") > holds, "the zone was not held again"


@CAIRN_ONLY
def test_keytrap_hold_zero_never_holds(resolver):
    """dnssec-limit-hold: 0: every trap name runs into the per-RRset budget
    again, and no zone is ever held."""
    r = start(resolver, {CAIRN_KEY["dnssec_limit_hold"]: 0})
    warm_keytrap(r)
    for i in range(6):
        limited = r.metric("limit_dnssec_verifications")
        assert_trapped(r.query(f"z{i}.trap.keytrap.example.", "A", dnssec=True), f"z{i}")
        assert r.metric("limit_dnssec_verifications") > limited, f"z{i}: no signature checks"
    assert r.metric("dnssec_limit_holds") == 0


@CAIRN_ONLY
@pytest.mark.parametrize("dropped", ["DNSKEY", "all"])
def test_network_failure_is_not_held(resolver, mini_internet, scripted_server, net, dropped):
    """twoface.example. (signed) through its two relays, which at first drop
    the zone's DNSKEY queries (its keys cannot be fetched) or every query (its
    servers are silent): SERVFAIL, but a network failure is neither held nor
    remembered: once the relays answer, the very next query is secure."""
    relay = ss.proxy(mini_internet.addr("twoface"))
    outage = threading.Event()
    outage.set()

    def handler(rec):
        if outage.is_set() and (dropped == "all" or rec.qtype == dropped):
            return None
        return relay(rec)

    for key in ("twoface-1", "twoface-2"):
        scripted_server(mini_internet.addr(key), handler)
    r = start(resolver)
    name = "www.twoface.example."
    down = r.query(name, "A", dnssec=True, timeout=30)
    assert_servfail_with_ede(down)
    assert not down.answer, summary(down)
    outage.clear()
    up = r.query(name, "A", dnssec=True, timeout=30)
    assert_answer(up, "NOERROR", True, f"{name} once its servers answer")
    assert rdatas(up, name, "A") == [data_addr(net, 200, TWOFACE_INDEX)]
    assert r.metric("dnssec_limit_holds") == 0


# ---------------------------------------------------------------------------
# Cairn's configuration: negative trust anchors, validation off, anchors
# ---------------------------------------------------------------------------

@CAIRN_ONLY
def test_negative_trust_anchor(resolver, net):
    r = start(resolver, {CAIRN_KEY["negative_trust_anchors"]: ["badsig.example."]})
    msg = r.query("www.badsig.example.", "A", dnssec=True)
    assert_answer(msg, "NOERROR", False, "www.badsig.example. under an NTA")
    assert rdatas(msg, "www.badsig.example.", "A") == [data_addr(net, 200, 30)]
    assert rcode_text(r.query("www.expired.example.", "A", dnssec=True)) == "SERVFAIL"
    assert ad(r.query("www.secure.example.", "A", dnssec=True))


@CAIRN_ONLY
def test_validation_off(resolver, net):
    """dnssec: false: nothing is validated: bogus data is answered, no AD."""
    r = start(resolver, {CAIRN_KEY["dnssec"]: False})
    for _, qname, rdtype, _, rcode in BOGUS:
        msg = r.query(qname, rdtype, dnssec=True)
        assert_answer(msg, rcode, False, f"{qname} with dnssec: false")
    assert rdatas(r.query("www.keytrap.example.", "A"), "www.keytrap.example.", "A") == \
        [data_addr(net, 200, 36)]
    assert_answer(r.query("www.secure.example.", "A", dnssec=True), "NOERROR", False, "secure, off")


@CAIRN_ONLY
def test_dnskey_trust_anchor(resolver, mini_internet):
    """The root anchor as a DNSKEY file (a list of one path) works as the DS file does."""
    r = start(resolver, {CAIRN_KEY["trust_anchors"]: [mini_internet.trust_anchor_dnskey]})
    assert_answer(r.query("www.secure.example.", "A", dnssec=True), "NOERROR", True, "DNSKEY anchor")
    assert_answer(r.query("nx.secure3.cairn.", "A", dnssec=True), "NXDOMAIN", True, "DNSKEY anchor")
    assert rcode_text(r.query("www.badsig.example.", "A", dnssec=True)) == "SERVFAIL"
    both = start(resolver, {CAIRN_KEY["trust_anchors"]: [mini_internet.trust_anchor,
                                                         mini_internet.trust_anchor_dnskey]})
    assert_answer(both.query("www.secure.example.", "A", dnssec=True), "NOERROR", True, "both anchors")


@CAIRN_ONLY
def test_wrong_trust_anchor(resolver, tmp_path):
    """A root anchor for some other key: nothing signed can be proven, the
    signed names are SERVFAIL (with an EDE), not insecure."""
    stranger = random_dnskey(8, flags=257, size=260)
    path = tmp_path / "wrong-anchor.ds"
    path.write_text(f".\t3600\tIN\tDS\t{dns.dnssec.make_ds(dns.name.root, stranger, 'SHA256').to_text()}\n")
    r = start(resolver, {CAIRN_KEY["trust_anchors"]: [str(path)]})
    for qname in ("www.secure.example.", "www.secure3.cairn.", "www.ed25519.example."):
        msg = r.query(qname, "A", dnssec=True)
        assert_servfail_with_ede(msg)
        assert not ad(msg) and not msg.answer, msg
