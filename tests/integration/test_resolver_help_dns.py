"""Help from the DNS itself: aggressive use of validated NSEC/NSEC3 (RFC 8198),
serve-stale (RFC 8767) and prefetch.

Zones (README.md, hierarchy.py): `big.example.` (NSEC) and `big3.cairn.`
(NSEC3, no opt-out, 0 iterations) with 2,000 names each on the `big` server;
`short.example.` (signed), `shortplain.zz.` (unsigned) and `expiry.example.`
(signed, TTL 2 s) on the `short` server, which the serve-stale tests stop
(by pid, through MiniInternet) and start again.

Cairn runs with its defaults (aggressive-nsec, serve-stale and prefetch on);
Unbound with the equivalent options (UNBOUND_HELP). Unbound 1.17 synthesises
from NSEC only, so the NSEC3 cases, the RRSIG-expiration and serve-stale-off
cases, Extended DNS Errors and metrics are Cairn's alone.

Timing: the only assertions are "answered"; waits are generous and measured
from the moments data was cached (TTLs of 3 and 10 s).
"""

from __future__ import annotations

import base64
import bisect
import dataclasses
import hashlib
import os
import random
import string
import time
from contextlib import contextmanager

import dns.flags
import dns.name
import dns.rcode
import dns.rdatatype
import pytest

import scripted_server as ss
from hierarchy import BIG_ZONES, EXPIRY_TTL, PREFETCH_TTL, SHORT_TTL, SHORT_ZONES, data_addr
from resolver_helpers import (CAIRN_KEY, CAIRN_ONLY, EDE_STALE_ANSWER, EDE_STALE_NXDOMAIN,
                              assert_servfail_with_ede, bulk_query, extended_errors, rcode_text, rdatas,
                              settle, ttl_of)
from signing import sign_zone

# Unbound: the options equivalent to Cairn's defaults (RFC 8198, RFC 8767,
# prefetch), EDEs on; a negative cache large enough for a 2,000-NSEC chain.
UNBOUND_HELP = [
    "aggressive-nsec: yes",
    "serve-expired: yes",
    "serve-expired-ttl: 86400",
    "serve-expired-reply-ttl: 30",
    "serve-expired-client-timeout: 1800",
    "prefetch: yes",
    "ede: yes",
    "ede-serve-expired: yes",
    "neg-cache-size: 16m",
]
STALE_ANSWER_TTL = 30          # Cairn's stale-answer-ttl default, Unbound's serve-expired-reply-ttl
FLOOD = int(os.environ.get("CAIRN_TEST_HELP_FLOOD", "200"))
NSEC_ZONE, NSEC3_ZONE = list(BIG_ZONES)        # big.example., big3.cairn.
DENIAL = {"nsec": NSEC_ZONE, "nsec3": NSEC3_ZONE}
SHORT, SHORTPLAIN, EXPIRY = list(SHORT_ZONES)  # short.example., shortplain.zz., expiry.example.

# parametrisations: (resolver kind, denial); Unbound 1.17 does not synthesise from NSEC3
BOTH_NSEC_CAIRN_NSEC3 = pytest.mark.parametrize(
    "resolver,denial", [("cairn", "nsec"), ("unbound", "nsec"), ("cairn", "nsec3")],
    indirect=["resolver"], ids=["cairn-nsec", "unbound-nsec", "cairn-nsec3"])


def start(resolver, cairn: dict | None = None):
    return resolver(cairn=cairn, unbound=UNBOUND_HELP)


def ad(msg) -> bool:
    return bool(msg.flags & dns.flags.AD)


def summary(msg) -> str:
    return f"{rcode_text(msg)} AD={int(ad(msg))} EDE={extended_errors(msg)}"


def ede_codes(msg) -> list[int]:
    return [c for c, _ in extended_errors(msg)]


def random_labels(seed: str, n: int, length: int = 10) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_lowercase + string.digits
    return ["".join(rng.choice(alphabet) for _ in range(length)) for _ in range(n)]


def wait_until(t: float) -> None:
    """Sleep until wall-clock time t."""
    delay = t - time.time()
    if delay > 0:
        time.sleep(delay)


def upstream_names(internet, key: str, zone: str) -> list[str]:
    """Lower-cased qnames (at or below zone) the server received since the reset."""
    z = dns.name.from_text(zone)
    out = []
    for q in internet.queries(key):
        try:
            n = dns.name.from_text(q.qname)
        except Exception:
            continue
        if n.is_subdomain(z):
            out.append(n.to_text().lower())
    return out


def metrics(r, *keys: str) -> dict[str, float]:
    return {k: r.metric(k) for k in keys} if r.is_cairn else {}


# ---------------------------------------------------------------------------
# The denial chains of the big zones, from their signed zone files
# ---------------------------------------------------------------------------

def nsec3_hash(name: dns.name.Name, salt: bytes, iterations: int) -> str:
    wire = name.canonicalize().to_wire()
    h = hashlib.sha1(wire + salt).digest()
    for _ in range(iterations):
        h = hashlib.sha1(h + salt).digest()
    return base64.b32hexencode(h).decode().lower()


@dataclasses.dataclass
class Chain:
    """The NSEC or NSEC3 chain of a zone: find the gap a name falls into."""
    zone: dns.name.Name
    nsec3: bool
    keys: list                   # sorted: dns.name.Name (NSEC) or hash text (NSEC3)
    ttl: int                     # TTL of the NSEC/NSEC3 records
    salt: bytes = b""
    iterations: int = 0

    def key(self, name: dns.name.Name):
        return nsec3_hash(name, self.salt, self.iterations) if self.nsec3 else name

    def gap(self, name: dns.name.Name) -> int:
        """Index of the record whose span covers name (-1 wraps to the last)."""
        k = self.key(name)
        i = bisect.bisect_right(self.keys, k) - 1
        return i % len(self.keys)

    def learning_names(self, budget: int = 40000) -> tuple[list[str], set[int]]:
        """Names directly below the apex, one per gap, and the gaps they
        cover: querying them teaches a resolver the chain. NSEC: every gap.
        NSEC3: the gaps found among `budget` hashed candidates; NSEC3 gaps
        vary in size and the smallest of ~2,000 spans ~1/2,000^2 of the hash
        space, so a few of the smallest may be missed (as any real flood
        would miss them)."""
        found: dict[int, str] = {}
        if not self.nsec3:
            # right after each owner: '-' sorts before digits and letters
            for i, owner in enumerate(self.keys):
                label = "-a" if owner == self.zone else owner.labels[0].decode() + "-a"
                name = dns.name.Name((label.encode(),) + self.zone.labels)
                assert self.gap(name) == i, f"{name} is not in the gap after {owner}"
                found[i] = name.to_text()
        else:
            for k in range(budget):
                name = dns.name.Name((f"q-{k}".encode(),) + self.zone.labels)     # no zone label has a "-"
                found.setdefault(self.gap(name), name.to_text())
                if len(found) == len(self.keys):
                    break
        return [found[i] for i in sorted(found)], set(found)


def read_chain(path: str, zone: str) -> Chain:
    """NSEC/NSEC3 owners of a signed zone file (ldns-signzone's one-line records)."""
    owners, nsec3, ttl, salt, iterations = [], False, 0, b"", 0
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 5 or p[2] != "IN":
                continue
            if p[3] == "NSEC":
                owners.append(dns.name.from_text(p[0]))
                ttl = int(p[1])
            elif p[3] == "NSEC3":
                nsec3 = True
                owners.append(p[0].split(".", 1)[0].lower())
                ttl = int(p[1])
                iterations = int(p[6])
                salt = b"" if p[7] == "-" else bytes.fromhex(p[7])
    assert owners, f"no NSEC/NSEC3 in {path}"
    return Chain(dns.name.from_text(zone), nsec3, sorted(owners), ttl, salt, iterations)


@pytest.fixture(scope="module")
def chains(mini_internet) -> dict[str, Chain]:
    return {z: read_chain(mini_internet.zonefile(z), z)
            for z in (NSEC_ZONE, NSEC3_ZONE, "secure.example.", "secure3.cairn.")}


def names_in_gaps(chain: Chain, gaps: set[int], n: int, seed: str) -> list[str]:
    """n random names directly below the apex that fall into these gaps."""
    out = []
    rng = random.Random(seed)
    alphabet = string.ascii_lowercase + string.digits
    for _ in range(200000):
        label = "".join(rng.choice(alphabet) for _ in range(12))
        name = dns.name.Name((label.encode(),) + chain.zone.labels)
        if chain.gap(name) in gaps:
            out.append(name.to_text())
            if len(out) == n:
                return out
    raise AssertionError(f"only {len(out)} names found in {len(gaps)} gaps")


def check_nxdomain_proof(msg, zone: str, chain: Chain, soa_minimum: int) -> str | None:
    """None if msg is a secure NXDOMAIN with its proof and bounded TTLs."""
    dtype = dns.rdatatype.NSEC3 if chain.nsec3 else dns.rdatatype.NSEC
    if rcode_text(msg) != "NXDOMAIN" or not ad(msg):
        return f"expected NXDOMAIN AD=1, got {summary(msg)}"
    types = {rr.rdtype for rr in msg.authority}
    covered = {rd.type_covered for rr in msg.authority if rr.rdtype == dns.rdatatype.RRSIG for rd in rr}
    if dtype not in types or dtype not in covered:
        return f"no signed {dns.rdatatype.to_text(dtype)} proof in the authority section"
    if not rdatas(msg, zone, "SOA", "authority"):
        return "no SOA in the authority section"
    limit = min(soa_minimum, chain.ttl)
    over = [f"{rr.name} {dns.rdatatype.to_text(rr.rdtype)} {rr.ttl}" for rr in msg.authority if rr.ttl > limit]
    if over:
        return f"TTL above min(SOA minimum, NSEC TTL) = {limit}: {over}"
    return None


# ---------------------------------------------------------------------------
# (a) RFC 8198: a random-subdomain flood is answered from the learnt chain
# ---------------------------------------------------------------------------

@BOTH_NSEC_CAIRN_NSEC3
def test_random_subdomain_flood_is_answered_from_the_chain(resolver, denial, counts, chains):
    """Learn the zone's whole denial chain (one name in each of its ~2,000
    gaps: a few names would teach only a few gaps of a zone this big), then
    FLOOD random names: no query reaches the zone's server, and every answer
    is NXDOMAIN, AD=1, with its signed NSEC/NSEC3 proof and SOA, TTLs no
    higher than the SOA minimum and the NSEC TTL (RFC 8198 §5.4)."""
    zone = DENIAL[denial]
    chain = chains[zone]
    r = start(resolver)
    learn, learnt = chain.learning_names()
    result = bulk_query(r.host, r.port, learn, "A", window=16, timeout=10)
    wrong = {n: rc for n, rc in result.items() if rc != dns.rcode.NXDOMAIN}
    assert not wrong, f"{len(wrong)} of {len(learn)} learning names not NXDOMAIN: {list(wrong.items())[:5]}"
    flood = [f"{label}.{zone}" for label in random_labels(f"flood-{zone}", FLOOD)]
    # (NSEC3) names in a gap no learning name fell into may rightly go upstream
    unlearnt = {n for n in flood if chain.gap(dns.name.from_text(n)) not in learnt}
    assert len(unlearnt) <= FLOOD // 100, f"{len(unlearnt)} flood names in gaps not learnt"
    settle(1.0)
    before = metrics(r, "synthesised_nxdomain")
    counts.reset_counts()
    soa_minimum = counts.hierarchy.zone(zone).negative_ttl
    failures = []
    for name in flood:
        problem = check_nxdomain_proof(r.query(name, "A", dnssec=True), zone, chain, soa_minimum)
        if problem:
            failures.append(f"{name}: {problem}")
    assert not failures, f"{len(failures)} of {FLOOD}:\n" + "\n".join(failures[:10])
    upstream = [n for n in upstream_names(counts, "big", zone) if n not in unlearnt]
    assert not upstream, f"{len(upstream)} of {FLOOD} random names went upstream: {upstream[:10]}"
    if r.is_cairn:
        grown = r.metric("synthesised_nxdomain") - before["synthesised_nxdomain"]
        assert grown >= FLOOD - len(unlearnt), f"synthesised_nxdomain grew by {grown}, expected >= {FLOOD}"


# ---------------------------------------------------------------------------
# NODATA and wildcard answers synthesised from cached NSEC/NSEC3
# ---------------------------------------------------------------------------

@pytest.mark.parametrize(
    "resolver,zone", [("cairn", "secure.example."), ("unbound", "secure.example."),
                      ("cairn", "secure3.cairn.")],
    indirect=["resolver"], ids=["cairn-nsec", "unbound-nsec", "cairn-nsec3"])
def test_nodata_and_wildcard_synthesis(resolver, zone, counts, chains, mini_internet):
    """A NODATA proof (the NSEC/NSEC3 at `nodata`, TXT only) answers the other
    types of that name; a wildcard answer's proof plus the cached wildcard
    answer other names its proof covers. No upstream query, AD=1."""
    index = 2 if zone == "secure.example." else 3
    chain = chains[zone]
    r = start(resolver)
    first = r.query(f"nodata.{zone}", "A", dnssec=True)
    assert rcode_text(first) == "NOERROR" and ad(first) and not first.answer, summary(first)
    wild = r.query(f"a.wild.{zone}", "A", dnssec=True)
    assert ad(wild) and rdatas(wild, f"a.wild.{zone}", "A") == [data_addr(mini_internet.net, 202, index)]
    # other names below wild in the same gap as a.wild (for NSEC3: their
    # hash, as the next closer name, is covered by the same NSEC3)
    target_gap = chain.gap(dns.name.from_text(f"a.wild.{zone}"))
    others = []
    for label in random_labels(f"wild-{zone}", 5000, 8):
        name = f"{label}.wild.{zone}"
        if chain.gap(dns.name.from_text(name)) == target_gap:
            others.append(name)
            if len(others) == 3:
                break
    assert others
    settle(0.5)
    before = metrics(r, "synthesised_nodata", "synthesised_wildcard")
    counts.reset_counts()
    failures = []
    for rdtype in ("AAAA", "MX"):
        msg = r.query(f"nodata.{zone}", rdtype, dnssec=True)
        if rcode_text(msg) != "NOERROR" or not ad(msg) or msg.answer:
            failures.append(f"nodata {rdtype}: {summary(msg)}")
    for name in others:
        msg = r.query(name, "A", dnssec=True)
        if not ad(msg) or rdatas(msg, name, "A") != [data_addr(mini_internet.net, 202, index)]:
            failures.append(f"{name}: {summary(msg)} {rdatas(msg, name, 'A')}")
    assert not failures, "\n".join(failures)
    server = "host-2" if zone == "secure3.cairn." else None
    upstream = []
    for key in ([server] if server else ["host-1", "host-2"]):
        upstream += upstream_names(counts, key, zone)
    assert not upstream, f"went upstream: {upstream}"
    if r.is_cairn:
        assert r.metric("synthesised_nodata") - before["synthesised_nodata"] >= 2
        assert r.metric("synthesised_wildcard") - before["synthesised_wildcard"] >= len(others)


@CAIRN_ONLY
def test_deep_names_need_only_the_next_closer_cover(resolver, counts, chains):
    """NSEC3 NXDOMAIN synthesis (RFC 5155 §8.4, RFC 8198 §5) needs the closest
    encloser's record (the apex), a cover of the next closer name and a cover
    of the wildcard, nothing for the names below the next closer one. A few
    NXDOMAINs teach a few gaps of big3.cairn.; then names three labels deep,
    whose one-label ancestor falls into a learnt gap but whose deeper names
    fall into gaps never seen, are answered without asking the zone."""
    zone = NSEC3_ZONE
    chain = chains[zone]
    r = start(resolver)
    learn = [f"{label}.{zone}" for label in random_labels(f"deep-learn-{zone}", 20)]
    for name in learn:
        msg = r.query(name, "A", dnssec=True)
        assert rcode_text(msg) == "NXDOMAIN" and ad(msg), f"{name}: {summary(msg)}"
    learnt = {chain.gap(dns.name.from_text(n)) for n in learn}
    # every proof also brought the apex's record and the wildcard's cover
    held = learnt | {chain.gap(dns.name.from_text(n)) for n in (zone, f"*.{zone}")}
    flood = []
    prefixes = iter(random_labels(f"deep-prefix-{zone}", 20000, 6))
    for next_closer in names_in_gaps(chain, learnt, 40, f"deep-flood-{zone}"):
        for a, b in zip(prefixes, prefixes):
            middle = f"{b}.{next_closer}"
            name = f"{a}.{middle}"
            if not {chain.gap(dns.name.from_text(n)) for n in (name, middle)} & held:
                flood.append(name)
                break
    assert len(flood) == 40
    settle(0.5)
    before = r.metric("synthesised_nxdomain")
    counts.reset_counts()
    soa_minimum = counts.hierarchy.zone(zone).negative_ttl
    failures = []
    for name in flood:
        problem = check_nxdomain_proof(r.query(name, "A", dnssec=True), zone, chain, soa_minimum)
        if problem:
            failures.append(f"{name}: {problem}")
    assert not failures, f"{len(failures)} of {len(flood)}:\n" + "\n".join(failures[:10])
    upstream = upstream_names(counts, "big", zone)
    assert not upstream, f"{len(upstream)} queries went upstream for {len(flood)} names: {upstream[:10]}"
    assert r.metric("synthesised_nxdomain") - before == len(flood)


@pytest.mark.parametrize(
    "resolver,zone", [("cairn", "secure.example."), ("cairn", "secure3.cairn.")],
    indirect=["resolver"], ids=["cairn-nsec", "cairn-nsec3"])
def test_names_under_a_wildcard_cname_are_synthesised(resolver, zone, counts, chains, mini_internet):
    """*.cwild.<zone> is a CNAME to www. Once one expansion is validated (the
    wildcard's CNAME cached with its proof), other names the same NSEC/NSEC3
    denies are answered with the CNAME expansion, AD=1, and the chain is
    followed on to www, whatever the type asked; nothing under cwild is asked
    upstream again (RFC 8198 §5.3)."""
    index = 2 if zone == "secure.example." else 3
    www = f"www.{zone}"
    address = [data_addr(mini_internet.net, 200, index)]
    chain = chains[zone]
    r = start(resolver)
    first = r.query(f"a.cwild.{zone}", "A", dnssec=True)
    assert ad(first) and rdatas(first, f"a.cwild.{zone}", "CNAME") == [www], f"{summary(first)}\n{first}"
    assert rdatas(first, www, "A") == address, first
    assert ad(r.query(www, "TXT", dnssec=True))
    target_gap = chain.gap(dns.name.from_text(f"a.cwild.{zone}"))
    others = []
    for label in random_labels(f"cwild-{zone}", 5000, 8):
        name = f"{label}.cwild.{zone}"
        if chain.gap(dns.name.from_text(name)) == target_gap:
            others.append(name)
            if len(others) == 4:
                break
    assert len(others) == 4
    settle(0.5)
    before = r.metric("synthesised_wildcard")
    counts.reset_counts()
    failures = []
    for name, rdtype in zip(others, ("A", "TXT", "CNAME", "A")):
        msg = r.query(name, rdtype, dnssec=True)
        problem = None
        if rcode_text(msg) != "NOERROR" or not ad(msg):
            problem = summary(msg)
        elif rdatas(msg, name, "CNAME") != [www]:
            problem = f"CNAME {rdatas(msg, name, 'CNAME')}"
        elif rdtype == "A" and rdatas(msg, www, "A") != address:
            problem = f"A {rdatas(msg, www, 'A')}"
        elif rdtype == "TXT" and rdatas(msg, www, "TXT") != ['"hello"']:
            problem = f"TXT {rdatas(msg, www, 'TXT')}"
        elif rdtype == "CNAME" and len(msg.answer) != 2:       # the CNAME and its RRSIG
            problem = f"more than the CNAME: {msg.answer}"
        if problem:
            failures.append(f"{name} {rdtype}: {problem}\n{msg}")
    assert not failures, "\n".join(failures)
    upstream = []
    for key in ("host-1", "host-2"):
        upstream += [n for n in upstream_names(counts, key, zone) if "cwild" in n]
    assert not upstream, f"went upstream: {upstream}"
    assert r.metric("synthesised_wildcard") - before == len(others)


def test_ds_of_an_unsigned_delegation_from_the_cached_nsec(resolver, counts):
    """plain.example. is an unsigned delegation in example. (NSEC). An
    NXDOMAIN for plain-a.example., the name right after it, brings the NSEC
    owned by the cut (NS, no DS); a DS question for plain.example. is then
    answered from it (RFC 8198 applies to DS, the parent's records deny it):
    NOERROR, AD=1, and nothing asked at example.'s servers."""
    r = start(resolver)
    nx = r.query("plain-a.example.", "A", dnssec=True)
    assert rcode_text(nx) == "NXDOMAIN" and ad(nx), summary(nx)
    assert rdatas(nx, "plain.example.", "NSEC", "authority"), nx
    settle(0.5)
    before = metrics(r, "synthesised_nodata")
    counts.reset_counts()
    msg = r.query("plain.example.", "DS", dnssec=True)
    assert rcode_text(msg) == "NOERROR" and ad(msg) and not msg.answer, f"{summary(msg)}\n{msg}"
    nsec = rdatas(msg, "plain.example.", "NSEC", "authority")
    assert nsec and " NS " in f"{nsec[0]} " and " DS " not in f"{nsec[0]} ", msg
    assert rdatas(msg, "example.", "SOA", "authority"), msg
    asked = [q for key in ("example-1", "example-2") for q in counts.queries(key)
             if q.qname.lower() == "plain.example."]
    assert not asked, f"asked upstream: {[(q.qname, q.qtype) for q in asked]}"
    if r.is_cairn:
        assert r.metric("synthesised_nodata") - before["synthesised_nodata"] == 1


# ---------------------------------------------------------------------------
# (b) opt-out spans prove nothing: no synthesis
# ---------------------------------------------------------------------------

def test_opt_out_span_is_not_synthesised(resolver, counts):
    """cairn. is NSEC3 with opt-out: an NXDOMAIN there is not provably secure
    (its next closer name is covered by an opt-out NSEC3), so a covering
    NSEC3 proves nothing and every random name goes to cairn.'s servers,
    however many proofs the resolver has seen."""
    r = start(resolver)
    before = metrics(r, "synthesised_nxdomain")
    for label in random_labels("optout-learn", 40):
        msg = r.query(f"{label}.cairn.", "A", dnssec=True)
        assert rcode_text(msg) == "NXDOMAIN" and not ad(msg), summary(msg)
    settle(0.5)
    counts.reset_counts()
    flood = [f"{label}.cairn." for label in random_labels("optout-flood", 40)]
    for name in flood:
        msg = r.query(name, "A", dnssec=True)
        assert rcode_text(msg) == "NXDOMAIN" and not ad(msg), f"{name}: {summary(msg)}"
    seen = set(upstream_names(counts, "cairn-1", "cairn.") + upstream_names(counts, "cairn-2", "cairn."))
    missing = [n for n in flood if n not in seen]
    assert not missing, f"{len(missing)} of {len(flood)} names under the opt-out span never went upstream: " \
                        f"{missing[:10]}"
    if r.is_cairn:
        assert r.metric("synthesised_nxdomain") == before["synthesised_nxdomain"]


# ---------------------------------------------------------------------------
# (c) aggressive-nsec: false
# ---------------------------------------------------------------------------

@CAIRN_ONLY
@pytest.mark.parametrize("denial", ["nsec", "nsec3"])
def test_aggressive_nsec_off_asks_upstream(resolver, denial, counts, chains):
    """Names in gaps the resolver has proofs for: with aggressive-nsec on
    (the default) none goes upstream; with `aggressive-nsec: false` every
    one does, and nothing is counted as synthesised. Each of those answers
    repeats records verified before (the SOA, the record denying the
    wildcard): they are not checked again, so an answer costs at most one
    signature check."""
    zone = DENIAL[denial]
    chain = chains[zone]
    learn = [f"{label}.{zone}" for label in random_labels(f"off-learn-{zone}", 20)]
    gaps = {chain.gap(dns.name.from_text(n)) for n in learn}
    flood = names_in_gaps(chain, gaps, 30, f"off-flood-{zone}")
    for overrides, expect_upstream in (({}, False), ({CAIRN_KEY["aggressive_nsec"]: False}, True)):
        r = start(resolver, overrides)
        for name in learn:
            assert rcode_text(r.query(name, "A", dnssec=True)) == "NXDOMAIN"
        settle(0.5)
        before = r.metric("synthesised_nxdomain")
        verified, saved = r.metric("dnssec_verifications"), r.metric("dnssec_verifications_saved")
        counts.reset_counts()
        for name in flood:
            msg = r.query(name, "A", dnssec=True)
            assert rcode_text(msg) == "NXDOMAIN" and ad(msg), f"{name}: {summary(msg)}"
        seen = set(upstream_names(counts, "big", zone))
        went = [n for n in flood if n in seen]
        if expect_upstream:
            assert len(went) == len(flood), \
                f"aggressive-nsec: false, yet {len(flood) - len(went)} of {len(flood)} names were not asked"
            assert r.metric("synthesised_nxdomain") == before
            checks = r.metric("dnssec_verifications") - verified
            reused = r.metric("dnssec_verifications_saved") - saved
            assert checks <= len(flood), f"{checks} signature checks for {len(flood)} answers"
            assert reused >= 2 * len(flood), f"only {reused} RRsets reused for {len(flood)} answers"
        else:
            assert not went, f"aggressive-nsec on (default): {len(went)} names went upstream: {went[:5]}"
        r.proc.stop()


# ---------------------------------------------------------------------------
# serve-stale (RFC 8767)
# ---------------------------------------------------------------------------

@contextmanager
def server_down(internet, key: str = "short"):
    """The server's NSD is stopped (by pid): its port is closed."""
    internet.stop_server(key)
    try:
        yield
    finally:
        internet.start_server(key)


def stale_cases(net: str):
    """(qname, type, rcode, answer rdata or None) in the short-TTL zones."""
    return [
        (f"www.{SHORT}", "A", "NOERROR", [data_addr(net, 200, SHORT_ZONES[SHORT])]),
        (f"www.{SHORTPLAIN}", "A", "NOERROR", [data_addr(net, 200, SHORT_ZONES[SHORTPLAIN])]),
        (f"www.{SHORT}", "TXT", "NOERROR", ['"hello"']),
        (f"nx.{SHORT}", "A", "NXDOMAIN", None),
        (f"nx.{SHORTPLAIN}", "A", "NXDOMAIN", None),
    ]


def check_stale(r, msg, qname, rdtype, rcode, expect) -> str | None:
    if rcode_text(msg) != rcode:
        return f"expected {rcode}, got {summary(msg)}"
    if expect is not None:
        got = rdatas(msg, qname, rdtype)
        if got != expect:
            return f"data {got}, expected {expect}"
        ttl = ttl_of(msg, qname, rdtype)
        if ttl != STALE_ANSWER_TTL:
            return f"TTL {ttl}, expected {STALE_ANSWER_TTL}"
        if r.is_cairn and EDE_STALE_ANSWER not in ede_codes(msg):
            return f"no EDE {EDE_STALE_ANSWER} (Stale Answer): {extended_errors(msg)}"
    else:
        soa = [rr for rr in msg.authority if rr.rdtype == dns.rdatatype.SOA]
        if r.is_cairn:
            if EDE_STALE_NXDOMAIN not in ede_codes(msg):
                return f"no EDE {EDE_STALE_NXDOMAIN} (Stale NXDOMAIN Answer): {extended_errors(msg)}"
            if not soa or soa[0].ttl != STALE_ANSWER_TTL:
                return f"SOA TTL {[s.ttl for s in soa]}, expected {STALE_ANSWER_TTL}"
        elif soa and soa[0].ttl > STALE_ANSWER_TTL:
            return f"SOA TTL {soa[0].ttl} > {STALE_ANSWER_TTL}"
    return None


def test_stale_answers_when_the_servers_are_down(resolver, counts):
    """Names in short.example. (signed) and shortplain.zz., positive and
    NXDOMAIN, are cached; their server stops; past the TTL the same answers
    come back with TTL 30 (stale-answer-ttl / serve-expired-reply-ttl), and
    from Cairn with EDE 3 (Stale Answer) or EDE 19 (Stale NXDOMAIN Answer)."""
    r = start(resolver)
    cases = stale_cases(counts.net)
    for qname, rdtype, rcode, expect in cases:
        msg = r.query(qname, rdtype, dnssec=True)
        assert rcode_text(msg) == rcode and (expect is None or rdatas(msg, qname, rdtype) == expect), \
            f"{qname} {rdtype} before the outage: {summary(msg)}\n{msg}"
    cached = time.time()
    before = metrics(r, "stale_answers")
    with server_down(counts):
        wait_until(cached + SHORT_TTL + 1.5)
        failures = []
        for qname, rdtype, rcode, expect in cases:
            msg = r.query(qname, rdtype, dnssec=True, timeout=30)
            problem = check_stale(r, msg, qname, rdtype, rcode, expect)
            if problem:
                failures.append(f"{qname} {rdtype}: {problem}\n{msg}")
        assert not failures, "\n".join(failures)
    if r.is_cairn:
        assert r.metric("stale_answers") - before["stale_answers"] >= len(cases)


@CAIRN_ONLY
def test_serve_stale_off(resolver, counts):
    """`serve-stale: false`: expired data is not answered; SERVFAIL with an EDE."""
    r = start(resolver, {CAIRN_KEY["serve_stale"]: False})
    name = f"www.{SHORTPLAIN}"
    assert rdatas(r.query(name, "A"), name, "A")
    cached = time.time()
    with server_down(counts):
        wait_until(cached + SHORT_TTL + 1.5)
        msg = r.query(name, "A", timeout=30)
        assert_servfail_with_ede(msg)
        assert EDE_STALE_ANSWER not in ede_codes(msg) and not msg.answer, msg


@CAIRN_ONLY
def test_no_stale_answer_past_rrsig_expiration(resolver, counts):
    """expiry.example. is re-signed so that its RRSIGs expire LIFETIME
    seconds from now (TTL 2 s). Once the TTL has run out and the server is
    down, the stale answer is served (EDE 3); once the RRSIGs have expired
    it is not (SERVFAIL), even within stale-max and stale-recheck-interval."""
    lifetime = 10
    zone = EXPIRY
    name = f"www.{zone}"
    signed = counts.zonefile(zone)
    unsigned = signed[: -len(".signed")]
    keys = counts.keys[zone]
    signing = counts.hierarchy.zone(zone).signing
    r = start(resolver)
    counts.stop_server("short")
    try:
        t0 = time.time()
        sign_zone(unsigned, zone, keys, dataclasses.replace(signing, lifetime=lifetime), now=int(t0))
        expires = int(t0) + lifetime
        counts.start_server("short")
        fresh = r.query(name, "A", dnssec=True)
        assert rcode_text(fresh) == "NOERROR" and ad(fresh) and rdatas(fresh, name, "A"), summary(fresh)
        cached = time.time()
        counts.stop_server("short")
        wait_until(cached + EXPIRY_TTL + 1)
        if time.time() < expires - 1:          # the control: stale while the RRSIG is valid
            stale = r.query(name, "A", dnssec=True, timeout=30)
            assert rcode_text(stale) == "NOERROR" and rdatas(stale, name, "A"), \
                f"no stale answer while the RRSIG is still valid: {summary(stale)}\n{stale}"
            assert EDE_STALE_ANSWER in ede_codes(stale), extended_errors(stale)
        wait_until(expires + 1.5)
        late = r.query(name, "A", dnssec=True, timeout=30)
        assert not rdatas(late, name, "A"), f"served past its RRSIG expiration:\n{late}"
        assert_servfail_with_ede(late)
    finally:
        counts.stop_server("short")
        sign_zone(unsigned, zone, keys, signing)
        counts.start_server("short")


@CAIRN_ONLY
def test_dead_zone_is_not_asked_on_every_query(resolver, counts, scripted_server):
    """The `short` server falls silent (a black hole at its address: every
    query times out). The first query past the TTL gets the stale answer and
    the resolver's refresh fails; after that, within stale-recheck-interval
    (30 s), queries for the same names are answered from stale data without
    sending anything to the dead address (RFC 8767 §5, failure recheck).
    Unbound 1.17 has no such interval: it tries again on every query and
    answers after serve-expired-client-timeout."""
    r = start(resolver)
    names = [(f"www.{SHORTPLAIN}", "A"), (f"www.{SHORT}", "A")]
    for qname, rdtype in names:
        assert rdatas(r.query(qname, rdtype, dnssec=True), qname, rdtype)
    cached = time.time()
    counts.stop_server("short")
    hole = None
    try:
        hole = scripted_server(counts.addr("short"), ss.drop())
        wait_until(cached + SHORT_TTL + 1)
        for qname, rdtype in names:
            msg = r.query(qname, rdtype, dnssec=True, timeout=30)
            assert rcode_text(msg) == "NOERROR" and rdatas(msg, qname, rdtype), \
                f"{qname}: no stale answer: {summary(msg)}"
        first_failure = time.time()
        assert hole.queries(), "the refresh never reached the dead server"
        # let the first refresh run to its end: nothing new for 4 s
        last, last_change = len(hole.queries()), time.time()
        while time.time() - last_change < 4 and time.time() - first_failure < 20:
            time.sleep(0.25)
            n = len(hole.queries())
            if n != last:
                last, last_change = n, time.time()
        settled = len(hole.queries())
        answers = []
        for _ in range(8):
            for qname, rdtype in names:
                msg = r.query(qname, rdtype, dnssec=True, timeout=30)
                answers.append(f"{qname}: {summary(msg)}")
                assert rcode_text(msg) == "NOERROR" and rdatas(msg, qname, rdtype), answers[-1]
            time.sleep(0.3)
        late = hole.queries()[settled:]
        elapsed = time.time() - first_failure
        assert not late, (f"{len(late)} queries to the dead server within {elapsed:.0f} s of the failed "
                          f"refresh: {[(q.qname, q.qtype) for q in late][:10]}")
    finally:
        if hole is not None:
            hole.stop()
        counts.start_server("short")


# ---------------------------------------------------------------------------
# (g) prefetch
# ---------------------------------------------------------------------------

def client_misses(r) -> float:
    """Client queries that waited for upstream, as the resolver counts them.
    Cairn: resolutions (packet-cache misses) not answered from the caches
    alone; a prefetch is not a client resolution. Unbound: num.cachemiss
    (prefetches are counted apart, in num.prefetch)."""
    if r.is_cairn:
        return r.metric("resolutions") - r.metric("cache_answers")
    return r.stats().get("total.num.cachemiss", 0)


def prefetch_count(r) -> float:
    return r.metric("prefetches") if r.is_cairn else r.stats().get("total.num.prefetch", 0)


def test_prefetch_refreshes_before_expiry(resolver, counts):
    """pf.short.example. (signed) and pf.shortplain.zz., TTL 10 s, asked
    every 0.2 s for 2.3 TTLs: the server sees each refresh before the cached
    copy expires, every answer comes from the cache (the resolver's own
    count of client queries that needed upstream does not grow), and the
    resolver counts prefetches. Cairn: refreshes of the signed name found
    RRset and RRSIGs unchanged (no signature checked again)."""
    r = start(resolver)
    names = [f"pf.{SHORT}", f"pf.{SHORTPLAIN}"]
    settle(0.5)
    counts.reset_counts()
    for name in names:
        msg = r.query(name, "A", dnssec=True)
        assert rcode_text(msg) == "NOERROR" and rdatas(msg, name, "A"), summary(msg)
    start_t = time.time()
    # one more round from the cache, then the baseline
    for name in names:
        assert rdatas(r.query(name, "A", dnssec=True), name, "A")
    misses0, prefetch0 = client_misses(r), prefetch_count(r)
    unchanged0 = r.metric("prefetch_unchanged") if r.is_cairn else 0
    failures = []
    while time.time() < start_t + 2.3 * PREFETCH_TTL:
        for name in names:
            msg = r.query(name, "A", dnssec=True, timeout=30)
            if rcode_text(msg) != "NOERROR" or not rdatas(msg, name, "A"):
                failures.append(f"{time.time() - start_t:.1f}s {name}: {summary(msg)}")
        time.sleep(0.2)
    assert not failures, "\n".join(failures[:10])
    misses = client_misses(r) - misses0
    prefetches = prefetch_count(r) - prefetch0
    fetches = {}
    for q in counts.queries("short"):
        n = q.qname.lower().rstrip(".") + "."
        if n in names and q.qtype == "A":
            fetches.setdefault(n, []).append(q.time)
    problems = []
    for name in names:
        times = sorted(fetches.get(name, []))
        if len(times) < 2:
            problems.append(f"{name}: fetched {len(times)} time(s) in {2.3 * PREFETCH_TTL:.0f} s, no refresh")
            continue
        gaps = [b - a for a, b in zip(times, times[1:])]
        late = [f"{g:.2f}" for g in gaps if g >= PREFETCH_TTL]
        if late:
            problems.append(f"{name}: refreshed only after expiry (gaps {late} s >= TTL {PREFETCH_TTL})")
    assert not problems, "\n".join(problems) + f"\n(client misses {misses}, prefetches {prefetches})"
    assert misses == 0, f"{misses} client queries waited for upstream during the loop"
    assert prefetches > 0, "no prefetch counted"
    if r.is_cairn:
        assert r.metric("prefetch_unchanged") - unchanged0 > 0, "no refresh found its RRset unchanged"
