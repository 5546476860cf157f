"""Proof that the mini-internet is what README.md says it is.

Direct queries to the authoritative servers check every feature zone; Unbound,
the reference resolver, checks that the whole hierarchy resolves and
validates; the query logs and the scripted server are checked too. If one of
these fails, a Cairn test built on the harness would prove nothing.
"""

from __future__ import annotations

import os
import socket
import time

import dns.dnssec
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rdata
import dns.rdataclass
import dns.rcode
import dns.rdatatype
import pytest

import scripted_server as ss
from hierarchy import BIG_TXT_COUNT, data_addr
from resolvers import Cairn, cairn_config, free_port, to_yaml

NET = None   # filled from the fixture: addresses depend on CAIRN_TEST_NET


@pytest.fixture(autouse=True)
def _net(mini_internet):
    global NET
    NET = mini_internet.net


def rdatas(msg, name, rdtype, section="answer"):
    name = dns.name.from_text(name)
    rdtype = dns.rdatatype.from_text(rdtype)
    return sorted(rd.to_text() for rrset in getattr(msg, section)
                  if rrset.name == name and rrset.rdtype == rdtype for rd in rrset)


def has_ad(msg) -> bool:
    return bool(msg.flags & dns.flags.AD)


# ---------------------------------------------------------------------------
# The hierarchy itself
# ---------------------------------------------------------------------------

def test_one_nsd_per_address_and_no_parent_child_sharing(mini_internet):
    pids = {k: s.pid for k, s in mini_internet.nsd.items()}
    assert all(pids.values()) and len(set(pids.values())) == len(pids)
    addresses = [s.address for s in mini_internet.nsd.values()]
    assert len(set(addresses)) == len(addresses)
    assert all(a.startswith(NET + ".") for a in addresses)
    for key, s in mini_internet.nsd.items():
        with open(s.conf_path) as f:
            conf = f.read()
        assert conf.count("ip-address:") == 1 and f"{s.address}@53" in conf
        names = [dns.name.from_text(z.name) for z in s.zones]
        assert not any(a != b and a.is_subdomain(b) for a in names for b in names), key


def test_root_hints_and_trust_anchor(mini_internet):
    with open(mini_internet.root_hints) as f:
        hints = f.read().split("\n")
    ns = [line.split()[-1] for line in hints if "\tNS\t" in line]
    assert ns == ["a.root-servers.cairn.", "b.root-servers.cairn."]
    assert f"a.root-servers.cairn.\t3600000\tIN\tA\t{mini_internet.addr('root-a')}" in hints
    # The DS anchor matches the root's KSK, and that key signs the DNSKEY RRset.
    r = mini_internet.query("root-a", ".", "DNSKEY", dnssec=True, tcp=True)
    keys = r.find_rrset(r.answer, dns.name.root, dns.rdataclass.IN, dns.rdatatype.DNSKEY)
    sigs = r.find_rrset(r.answer, dns.name.root, dns.rdataclass.IN, dns.rdatatype.RRSIG,
                        dns.rdatatype.DNSKEY)
    with open(mini_internet.trust_anchor) as f:
        anchor = dns.rdata.from_text("IN", "DS", f.read().split("DS", 1)[1].strip())
    ksks = [k for k in keys if k.flags & 1 and dns.dnssec.make_ds(".", k, "SHA256") == anchor]
    assert len(ksks) == 1
    dns.dnssec.validate(keys, sigs, {dns.name.root: keys})
    with open(mini_internet.trust_anchor_dnskey) as f:
        assert ksks[0].to_text() in f.read()


@pytest.mark.parametrize("server", ["root-a", "root-b"])
def test_root_servers_refer_to_tlds(mini_internet, server):
    soa = mini_internet.query(server, ".", "SOA")
    assert soa.flags & dns.flags.AA and rdatas(soa, ".", "SOA")
    r = mini_internet.query(server, "www.plain.example.", "A")
    assert not r.flags & dns.flags.AA
    assert rdatas(r, "example.", "NS", "authority") == ["ns1.nic.example.", "ns2.nic.example."]
    assert rdatas(r, "ns1.nic.example.", "A", "additional") == [mini_internet.addr("example-1")]


FEATURE_ZONES = [("plain.example.", "host-1", 1), ("plain.example.", "host-2", 1),
                 ("secure.example.", "host-1", 2), ("secure3.cairn.", "host-2", 3)]


@pytest.mark.parametrize("zone,server,index", FEATURE_ZONES)
def test_feature_zone_records(mini_internet, zone, server, index):
    q = lambda name, t="A": mini_internet.query(server, name + zone, t)   # noqa: E731
    assert rdatas(q("www."), "www." + zone, "A") == [data_addr(NET, 200, index)]
    assert rdatas(q("www.", "AAAA"), "www." + zone, "AAAA") == [f"2001:db8::{index:x}"]
    assert rdatas(q("", "MX"), zone, "MX") == [f"10 mail.{zone}"]
    assert rdatas(q("www.", "TXT"), "www." + zone, "TXT") == ['"hello"']
    assert rdatas(q("alias."), "alias." + zone, "CNAME") == [f"www.{zone}"]
    nx = q("nx.")
    assert nx.rcode() == dns.rcode.NXDOMAIN and rdatas(nx, zone, "SOA", "authority")
    nodata = q("nodata.")
    assert nodata.rcode() == dns.rcode.NOERROR and not nodata.answer
    assert rdatas(nodata, zone, "SOA", "authority")
    assert rdatas(q("anything.wild."), "anything.wild." + zone, "A") == [data_addr(NET, 202, index)]
    ent = q("ent.")
    assert ent.rcode() == dns.rcode.NOERROR and not ent.answer
    assert rdatas(q("leaf.ent."), "leaf.ent." + zone, "A") == [data_addr(NET, 203, index)]
    dname = q("www.moved.")
    assert rdatas(dname, "moved." + zone, "DNAME") and rdatas(dname, "www.moved." + zone, "CNAME")


def test_big_rrset_needs_tcp(mini_internet):
    udp = mini_internet.query("host-1", "big.plain.example.", "TXT", payload=4096)
    assert udp.flags & dns.flags.TC
    tcp = mini_internet.query("host-1", "big.plain.example.", "TXT", tcp=True)
    assert len(rdatas(tcp, "big.plain.example.", "TXT")) == BIG_TXT_COUNT
    assert len(tcp.to_wire()) > 1232


def test_cname_chain_crosses_zones(mini_internet):
    first = mini_internet.query("host-2", "chain.plain.example.", "A")
    assert rdatas(first, "chain.plain.example.", "CNAME") == ["hop.infra.cairn."]
    hop = mini_internet.query("host-1", "hop.infra.cairn.", "A")
    assert rdatas(hop, "hop.infra.cairn.", "CNAME") == ["www.secure.example."]


def test_glueless_delegation(mini_internet):
    r = mini_internet.query("example-1", "www.glueless.example.", "A")
    assert rdatas(r, "glueless.example.", "NS", "authority") == ["gns1.infra.cairn.", "gns2.infra.cairn."]
    assert not [rr for rr in r.additional if rr.rdtype == dns.rdatatype.A]
    ns = mini_internet.query("host-1", "gns1.infra.cairn.", "A")
    assert rdatas(ns, "gns1.infra.cairn.", "A") == [mini_internet.addr("host-1")]


def test_lame_and_dead_delegations(mini_internet):
    lame = mini_internet.query("example-2", "www.lame.example.", "A")
    assert rdatas(lame, "ns1.lame.example.", "A", "additional") == [mini_internet.addr("lame")]
    assert mini_internet.query("lame", "www.lame.example.", "A").rcode() == dns.rcode.REFUSED
    assert mini_internet.query("host-1", "www.lame.example.", "A").flags & dns.flags.AA
    dead = mini_internet.query("example-2", "www.dead.example.", "A")
    assert rdatas(dead, "ns1.dead.example.", "A", "additional") == [mini_internet.addr("dead")]
    with pytest.raises((dns.exception.Timeout, ConnectionRefusedError)):
        dns.query.udp(dns.message.make_query("www.dead.example.", "A"),
                      mini_internet.addr("dead"), timeout=0.3)
    assert rdatas(mini_internet.query("host-2", "www.dead.example.", "A"), "www.dead.example.", "A")


def test_loops(mini_internet):
    # cyclic glueless dependency: each zone's only NS name lives in the other zone
    r = mini_internet.query("example-1", "www.loop.example.", "A")
    assert rdatas(r, "loop.example.", "NS", "authority") == ["ns.loop.cairn."] and not r.additional
    r = mini_internet.query("cairn-1", "www.loop.cairn.", "A")
    assert rdatas(r, "loop.cairn.", "NS", "authority") == ["ns.loop.example."]
    # referral ping-pong: each half refers loop.pingpong.zz to the other
    p1 = mini_internet.query("pingpong-1", "www.loop.pingpong.zz.", "A")
    p2 = mini_internet.query("pingpong-2", "www.loop.pingpong.zz.", "A")
    assert rdatas(p1, "ns-b.loop.pingpong.zz.", "A", "additional") == [mini_internet.addr("pingpong-2")]
    assert rdatas(p2, "ns-a.loop.pingpong.zz.", "A", "additional") == [mini_internet.addr("pingpong-1")]


def test_deep_delegation_chain(mini_internet):
    name = "www.x.y.z.c.b.a.deep.cairn."
    for server, cut in [("cairn-1", "deep.cairn."), ("deep-1", "a.deep.cairn."),
                        ("deep-2", "b.a.deep.cairn."), ("deep-3", "c.b.a.deep.cairn.")]:
        r = mini_internet.query(server, name, "A")
        assert rdatas(r, cut, "NS", "authority") == [f"ns.{cut}"], server
    assert rdatas(mini_internet.query("deep-4", name, "A"), name, "A") == [data_addr(NET, 200, 15)]


def test_dnssec_material(mini_internet):
    h = mini_internet.hierarchy
    for zone in h.zones:
        if not zone.served_by or not zone.delegated:
            continue
        server = zone.served_by[0]
        keys = mini_internet.query(server, zone.name, "DNSKEY", dnssec=True, tcp=True)
        if zone.signing is None:
            assert not keys.answer, zone.name
            continue
        alg = dns.dnssec.algorithm_from_text(zone.signing.algorithm.replace("-", ""))
        assert {k.algorithm for k in keys.answer[0]} == {alg}, zone.name
        parent = h.parent(zone)
        if parent is not None:
            ds = mini_internet.query(parent.served_by[0], zone.name, "DS", dnssec=True)
            assert rdatas(ds, zone.name, "DS"), zone.name
    # unsigned child of a signed parent: authenticated denial of the DS
    r = mini_internet.query("example-1", "plain.example.", "DS", dnssec=True)
    assert not r.answer and rdatas(r, "plain.example.", "NSEC", "authority")
    salt = mini_internet.query("host-2", "secure3.cairn.", "NSEC3PARAM", dnssec=True)
    assert rdatas(salt, "secure3.cairn.", "NSEC3PARAM") == ["1 0 0 c0ffee"]
    optout = mini_internet.query("cairn-1", "infra.cairn.", "DS", dnssec=True)
    nsec3 = [rd for rr in optout.authority if rr.rdtype == dns.rdatatype.NSEC3 for rd in rr]
    assert nsec3 and all(rd.flags & 1 for rd in nsec3)


def _validates(keys, rrset, sigs, origin) -> bool:
    try:
        dns.dnssec.validate(rrset, sigs, {dns.name.from_text(origin): keys})
        return True
    except dns.dnssec.ValidationFailure:
        return False


def _rrset(msg, name, rdtype, covers=None, section="answer"):
    name = dns.name.from_text(name)
    covers = dns.rdatatype.from_text(covers) if covers else dns.rdatatype.NONE
    try:
        return msg.find_rrset(getattr(msg, section), name, dns.rdataclass.IN,
                              dns.rdatatype.from_text(rdtype), covers)
    except KeyError:
        return None


@pytest.mark.parametrize("server", ["host-1", "host-2"])
def test_dnssec_variants_are_broken_as_planned(mini_internet, server):
    """Each <breakage>.example. zone (README.md) is served, over UDP and TCP,
    and is wrong in exactly the planned way; the rest of it is sound."""
    q = lambda name, t="A", **kw: mini_internet.query(server, name, t, dnssec=True, **kw)  # noqa: E731
    now = time.time()

    def keys_of(zone):
        return _rrset(q(zone, "DNSKEY", tcp=True), zone, "DNSKEY")

    def sound(zone, name="www", rdtype="A"):
        r = q(f"{name}.{zone}", rdtype, tcp=True)
        return _validates(keys_of(zone), _rrset(r, f"{name}.{zone}", rdtype),
                          _rrset(r, f"{name}.{zone}", "RRSIG", rdtype), zone)

    for label in ("badsig", "expired", "future", "nokey", "nodnskeysig", "nonsec", "keytrap",
                  "iter", "unsupalg", "unsupdigest"):
        zone = f"{label}.example."
        r = q("www." + zone)
        assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AA, label
        assert q("nx." + zone).rcode() == dns.rcode.NXDOMAIN, label
    # badsig: www A's signature is wrong, www TXT's is right
    assert not sound("badsig.example.") and sound("badsig.example.", "www", "TXT")
    # expired / future: the validity period is 10 days off, on every RRSIG
    for zone, bad in (("expired.example.", lambda s: s.expiration < now - 9 * 86400),
                      ("future.example.", lambda s: s.inception > now + 9 * 86400)):
        r = q("www." + zone)
        sigs = _rrset(r, "www." + zone, "RRSIG", "A")
        assert sigs and all(bad(s) for s in sigs), zone
    # nokey: the DS in example. matches no key of the zone
    ds = _rrset(mini_internet.query("example-1", "nokey.example.", "DS", dnssec=True),
                "nokey.example.", "DS")
    keys = keys_of("nokey.example.")
    assert ds and not any(dns.dnssec.make_ds("nokey.example.", k, d.digest_type) == d
                          for k in keys for d in ds)
    assert sound("nokey.example.")
    # nodnskeysig: no RRSIG over DNSKEY by the KSK, the one key its DS names
    # (the ZSK's is left: NSD needs an RRSIG over DNSKEY to serve the zone as
    # signed); the rest signed
    keys = keys_of("nodnskeysig.example.")
    ds = _rrset(mini_internet.query("example-1", "nodnskeysig.example.", "DS", dnssec=True),
                "nodnskeysig.example.", "DS")
    ksks = [k for k in keys for d in ds if dns.dnssec.make_ds("nodnskeysig.example.", k, d.digest_type) == d]
    r = q("nodnskeysig.example.", "DNSKEY", tcp=True)
    sigs = _rrset(r, "nodnskeysig.example.", "RRSIG", "DNSKEY")
    assert len(ksks) == 1 and sigs and dns.dnssec.key_id(ksks[0]) not in {s.key_tag for s in sigs}
    assert _validates(keys, _rrset(r, "nodnskeysig.example.", "DNSKEY"), sigs, "nodnskeysig.example.")
    assert sound("nodnskeysig.example.")
    # nonsec: negative answers have no NSEC (the SOA is signed)
    for name in ("nx.nonsec.example.", "nodata.nonsec.example."):
        r = q(name)
        assert not any(rr.rdtype == dns.rdatatype.NSEC for rr in r.authority), name
        assert _rrset(r, "nonsec.example.", "SOA", section="authority"), name
    assert sound("nonsec.example.")
    # keytrap: 101 zone keys share the ZSK's tag; www A has 50 RRSIGs with
    # that tag, none valid; too big for UDP, complete over TCP
    keys = keys_of("keytrap.example.")
    assert keys and _validates(keys, keys, _rrset(q("keytrap.example.", "DNSKEY", tcp=True),
                                                  "keytrap.example.", "RRSIG", "DNSKEY"), "keytrap.example.")
    zsk_tags = [dns.dnssec.key_id(k) for k in keys if k.flags == 256]
    assert len(zsk_tags) == 101 and len(set(zsk_tags)) == 1
    assert q("keytrap.example.", "DNSKEY").flags & dns.flags.TC
    for name in ("www.keytrap.example.", "x.trap.keytrap.example."):
        assert q(name).flags & dns.flags.TC
        r = q(name, tcp=True)
        sigs = _rrset(r, name, "RRSIG", "A")
        assert len(sigs) == 50 and {s.key_tag for s in sigs} == set(zsk_tags), name
        assert not _validates(keys, _rrset(r, name, "A"), sigs, "keytrap.example."), name
    assert sound("keytrap.example.", "www", "TXT")       # the real ZSK signs the rest
    # iter: NSEC3 with 100 iterations
    assert rdatas(q("iter.example.", "NSEC3PARAM"), "iter.example.", "NSEC3PARAM") == ["1 0 100 -"]
    # unsupalg / unsupdigest: the DS has algorithm 253 / digest type 3 only
    for zone, field, value in (("unsupalg.example.", "algorithm", 253),
                               ("unsupdigest.example.", "digest_type", 3)):
        ds = _rrset(mini_internet.query("example-2", zone, "DS", dnssec=True), zone, "DS")
        assert ds and {getattr(d, field) for d in ds} == {value}, zone
        assert sound(zone)
    log = mini_internet.nsd[server].log_tail(200)
    assert " error" not in log.lower(), log


def test_scripted_slots_are_delegated(mini_internet):
    r = mini_internet.query("zz-1", "www.script1.zz.", "A")
    assert rdatas(r, "ns.script1.zz.", "A", "additional") == [mini_internet.addr("script-1")]


# ---------------------------------------------------------------------------
# Query records and server control
# ---------------------------------------------------------------------------

def test_query_log_records_exactly_what_arrived(counts):
    counts.query("host-1", "WwW.Plain.Example.", "A")
    counts.query("host-1", "www.plain.example.", "TXT", tcp=True)
    counts.query(counts.addr("host-1"), "nx.plain.example.", "AAAA")
    got = [(q.qname, q.qtype, q.protocol) for q in counts.queries("host-1")]
    assert got == [("WwW.Plain.Example.", "A", "udp"), ("www.plain.example.", "TXT", "tcp"),
                   ("nx.plain.example.", "AAAA", "udp")]
    assert counts.query_count(counts.addr("host-1")) == 3
    assert counts.queries("host-2") == [] and counts.queries("root-a") == []
    counts.reset_counts()
    assert counts.queries("host-1") == []


def test_stopped_server_stops_answering(counts):
    addr, pid = counts.addr("zz-1"), counts.nsd["zz-1"].pid
    counts.stop_server("zz-1")
    try:
        assert not os.path.exists(f"/proc/{pid}")
        with pytest.raises((dns.exception.Timeout, ConnectionRefusedError)):
            counts.query("zz-1", "zz.", "SOA", timeout=0.3)
        with pytest.raises(ConnectionRefusedError):
            counts.query("zz-1", "zz.", "SOA", tcp=True, timeout=0.3)
        assert counts.queries("zz-1") == []
        with ss.ScriptedServer(addr, ss.drop()):      # a silent outage instead
            with pytest.raises(dns.exception.Timeout):
                counts.query("zz-1", "zz.", "SOA", timeout=0.3)
    finally:
        counts.start_server("zz-1")
    assert counts.nsd["zz-1"].pid != pid
    assert counts.query(addr, "zz.", "SOA").flags & dns.flags.AA
    assert [q.qname for q in counts.queries("zz-1")] == ["zz."]


# ---------------------------------------------------------------------------
# Unbound through the hierarchy
# ---------------------------------------------------------------------------

RESOLVES = [  # name, type, rcode, expected answer (rdata of the final RRset), AD
    ("www.plain.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 1)], False),
    ("www.plain.example.", "AAAA", "NOERROR", lambda n: ["2001:db8::1"], False),
    ("plain.example.", "MX", "NOERROR", lambda n: ["10 mail.plain.example."], False),
    ("nx.plain.example.", "A", "NXDOMAIN", None, False),
    ("nodata.plain.example.", "A", "NOERROR", None, False),
    ("www.secure.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 2)], True),
    ("foo.wild.secure.example.", "A", "NOERROR", lambda n: [data_addr(n, 202, 2)], True),
    ("nx.secure.example.", "A", "NXDOMAIN", None, True),
    ("nodata.secure3.cairn.", "A", "NOERROR", None, True),
    ("foo.wild.secure3.cairn.", "TXT", "NOERROR", lambda n: ['"wildcard"'], True),
    ("chain.plain.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 2)], False),
    ("www.moved.plain.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 2)], False),
    ("www.moved.secure.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 3)], True),
    ("www.glueless.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 5)], False),
    ("www.lame.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 6)], False),
    ("www.dead.example.", "A", "NOERROR", lambda n: [data_addr(n, 200, 7)], False),
    ("www.infra.cairn.", "A", "NOERROR", lambda n: [data_addr(n, 200, 4)], False),
    ("www.pingpong.zz.", "A", "NOERROR", lambda n: [data_addr(n, 200, 10)], False),
    ("www.x.y.z.c.b.a.deep.cairn.", "A", "NOERROR", lambda n: [data_addr(n, 200, 15)], False),
] + [(f"www.{alg}.example.", "A", "NOERROR", (lambda i: lambda n: [data_addr(n, 200, 20 + i)])(i), True)
     for i, alg in enumerate(["rsasha1", "rsasha1-nsec3-sha1", "rsasha256", "rsasha512",
                              "ecdsap256sha256", "ecdsap384sha384", "ed25519", "ed448"])]


def test_unbound_resolves_and_validates(unbound):
    u = unbound()
    failures = []
    for name, rdtype, rcode, expect, ad in RESOLVES:
        r = u.query(name, rdtype, dnssec=True)
        final = [rd.to_text() for rr in r.answer if rr.rdtype == dns.rdatatype.from_text(rdtype)
                 for rd in rr]
        if (dns.rcode.to_text(r.rcode()) != rcode or sorted(final) != (expect(NET) if expect else [])
                or has_ad(r) != ad):
            failures.append(f"{name} {rdtype}: {dns.rcode.to_text(r.rcode())} AD={has_ad(r)} {final}")
    assert not failures, "\n".join(failures)


def test_unbound_cannot_resolve_loops(unbound):
    u = unbound()
    for name in ("www.loop.example.", "www.loop.cairn.", "www.loop.pingpong.zz."):
        r = u.query(name, "A")
        assert not any(rr.rdtype == dns.rdatatype.A for rr in r.answer), name


def test_unbound_big_answer_falls_back_to_tcp(unbound, counts):
    r = unbound().query("big.plain.example.", "TXT", tcp=True)
    assert len(rdatas(r, "big.plain.example.", "TXT")) == BIG_TXT_COUNT
    seen = counts.queries("host-1") + counts.queries("host-2")
    protocols = {q.protocol for q in seen if q.qname.lower() == "big.plain.example."}
    assert protocols == {"udp", "tcp"}


def test_query_logs_follow_a_resolution(unbound, counts):
    u = unbound(["qname-minimisation: yes"])
    r = u.query("www.x.y.z.c.b.a.deep.cairn.", "A")
    assert r.answer
    logs = counts.all_queries()
    assert logs["root-a"] or logs["root-b"]
    assert logs["cairn-1"] or logs["cairn-2"]
    # QNAME minimisation shows: a level is asked one label more than its cut,
    # and only the last server sees the full name.
    full = "www.x.y.z.c.b.a.deep.cairn."
    assert "a.deep.cairn." in {q.qname.lower() for q in logs["deep-1"]}
    for level in ("deep-1", "deep-2", "deep-3"):
        assert full not in {q.qname.lower() for q in logs[level]}, level
    assert full in {q.qname.lower() for q in logs["deep-4"]}
    for untouched in ("pingpong-1", "pingpong-2", "lame", "zz-1"):
        assert logs[untouched] == [], untouched


def test_unbound_survives_one_tld_server_down(unbound, counts):
    counts.stop_server("example-1")
    try:
        r = unbound().query("www.plain.example.", "A")
        assert rdatas(r, "www.plain.example.", "A") == [data_addr(NET, 200, 1)]
        assert counts.queries("example-2")
    finally:
        counts.start_server("example-1")


# ---------------------------------------------------------------------------
# The scripted server
# ---------------------------------------------------------------------------

def slot_zone(mini_internet, records=()):
    return ss.zone_for_slot("script1.zz.", mini_internet.addr("script-1"), records)


def raw_udp(addr, query: dns.message.Message, timeout=1.0) -> tuple[bytes, tuple]:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(query.to_wire(), (addr, 53))
        return s.recvfrom(65535)


def test_scripted_server_behaviours(mini_internet, scripted_server):
    addr = mini_internet.addr("script-1")
    zone = slot_zone(mini_internet, ["www.script1.zz. 300 IN A 127.0.0.42"])
    good = ss.authoritative(zone, "script1.zz.")
    q = dns.message.make_query("www.script1.zz.", "A")
    srv = scripted_server(addr, good)

    r = dns.query.udp(q, addr, timeout=1)
    assert r.flags & dns.flags.AA and rdatas(r, "www.script1.zz.", "A") == ["127.0.0.42"]
    assert dns.query.tcp(q, addr, timeout=1).answer
    assert dns.query.udp(dns.message.make_query("nope.script1.zz.", "A"), addr,
                         timeout=1).rcode() == dns.rcode.NXDOMAIN

    srv.handler = ss.wrong_id(good)
    wire, _ = raw_udp(addr, q)
    assert dns.message.from_wire(wire).id != q.id

    srv.handler = ss.wrong_question(good)
    wire, _ = raw_udp(addr, q)
    assert dns.message.from_wire(wire).question[0].name.to_text() == "other.www.script1.zz."

    srv.handler = ss.poison(good, additional=["www.plain.example. 300 IN A 127.53.66.66"])
    r = dns.query.udp(q, addr, timeout=1)
    assert rdatas(r, "www.plain.example.", "A", "additional") == ["127.53.66.66"]

    for style in ss.MALFORMED_STYLES:
        srv.handler = ss.malformed(style, good)
        wire, _ = raw_udp(addr, q)
        assert wire[:2] == q.to_wire()[:2], style
        if style == "qr-clear":
            assert not dns.message.from_wire(wire).flags & dns.flags.QR
        else:
            with pytest.raises(dns.exception.DNSException):
                dns.message.from_wire(wire)

    srv.handler = ss.truncate_udp(good)
    assert dns.query.udp(q, addr, timeout=1).flags & dns.flags.TC
    assert dns.query.tcp(q, addr, timeout=1).answer

    other = mini_internet.addr("script-2")
    srv.handler = ss.reply_from(good, (other, 0))
    _, source = raw_udp(addr, q)
    assert source[0] == other

    srv.handler = ss.edns_intolerant(good)
    assert dns.query.udp(dns.message.make_query("www.script1.zz.", "A", use_edns=0), addr,
                         timeout=1).rcode() == dns.rcode.FORMERR

    srv.handler = ss.delay(good, 0.3)
    t0 = time.monotonic()
    assert dns.query.udp(q, addr, timeout=2).answer and time.monotonic() - t0 >= 0.25

    srv.handler = ss.drop()
    with pytest.raises(dns.exception.Timeout):
        dns.query.udp(q, addr, timeout=0.3)
    with pytest.raises(dns.exception.Timeout):
        dns.query.tcp(q, addr, timeout=0.3)
    assert len(srv.queries()) >= 15 and not srv.errors


def test_unbound_through_scripted_server_scrubs_poison(mini_internet, scripted_server, unbound):
    zone = slot_zone(mini_internet, ["www.script1.zz. 300 IN A 127.0.0.42"])
    handler = ss.poison(ss.authoritative(zone, "script1.zz."),
                        additional=["www.plain.example. 300 IN A 127.53.66.66"])
    srv = scripted_server(mini_internet.addr("script-1"), handler)
    u = unbound()
    r = u.query("www.script1.zz.", "A")
    assert rdatas(r, "www.script1.zz.", "A") == ["127.0.0.42"]
    assert any(rec.qname and rec.qname.lower() == "www.script1.zz." for rec in srv.queries())
    r = u.query("www.plain.example.", "A")
    assert rdatas(r, "www.plain.example.", "A") == [data_addr(NET, 200, 1)]


def test_cairn_config_is_valid_yaml(mini_internet):
    yaml = pytest.importorskip("yaml")
    config = cairn_config(mini_internet.root_hints, mini_internet.trust_anchor, 5353,
                          {"threads": 2, "upstream-deny": None, "extra": {"nested": ["a", 'b"c']}})
    assert yaml.safe_load(to_yaml(config)) == config
    assert "upstream-deny" not in config and config["listen"] == ["127.0.0.1:5353"]


def test_cairn_fixture_machinery_with_a_stub(mini_internet, tmp_path):
    """The class behind the `cairn` fixture, run on a stub until cairn can serve."""
    port = free_port()
    stub = os.path.join(os.path.dirname(__file__), "stub_resolver.py")
    config = cairn_config(mini_internet.root_hints, mini_internet.trust_anchor, port)
    c = Cairn(str(tmp_path), stub, config, port=port).start()
    try:
        pid = c.pid
        assert c.query("www.plain.example.", "A", timeout=2).rcode() == dns.rcode.REFUSED
    finally:
        c.stop()
    assert not os.path.exists(f"/proc/{pid}")


def test_delay_proxy_passes_queries_and_replies_through(mini_internet):
    """bench/cold_bench's network delay: a DelayProxy in front of root-a answers exactly
    what root-a answers, over UDP and TCP, and never hands one client another's reply
    (twenty clients at once, all with the same query ID)."""
    from concurrent.futures import ThreadPoolExecutor

    from delay_proxy import DelayProxy
    from hierarchy import spare_addr

    address = spare_addr(mini_internet.net, 240)
    proxy = DelayProxy(address, (mini_internet.addr("root-a"), 53), delay_ms=30)
    proxy.start()
    try:
        def ask(i: int, tcp: bool = False) -> dns.message.Message:
            q = dns.message.make_query(f"n{i}.example.", "A", use_edns=0, payload=1232)
            q.flags &= ~dns.flags.RD
            q.id = 4242
            fn = dns.query.tcp if tcp else dns.query.udp
            return q, fn(q, address, port=53, timeout=5)

        direct = mini_internet.query("root-a", "n0.example.", "A")
        with ThreadPoolExecutor(max_workers=20) as pool:
            replies = list(pool.map(ask, range(20)))
        for i, (q, r) in enumerate(replies):
            assert r.id == 4242
            assert r.question[0].name == q.question[0].name, i
            assert r.rcode() == direct.rcode()
            assert sorted(str(rr) for rr in r.authority) == sorted(str(rr) for rr in direct.authority)
        q, r = ask(7, tcp=True)
        assert r.question[0].name == q.question[0].name
        assert sorted(str(rr) for rr in r.authority) == sorted(str(rr) for rr in direct.authority)
    finally:
        proxy.stop()
    with pytest.raises(dns.exception.Timeout):
        ask(1)
