"""The default mini-internet: which servers exist and which zones they serve.

Every address is `{net}.X.Y` where net is CAIRN_TEST_NET (default 127.53), so
two runs on one machine can use disjoint parts of 127.0.0.0/8. Addresses in
*data* records (www, mail, wildcard) are in `{net}.200-202.N` and never have
a listener: only the servers listed here ever receive traffic.

TLDs are `example.` (RFC 2606), and made-up `cairn.` and `zz.` (user-assigned
ISO code, never a ccTLD). `test.`, `invalid.` and `localhost.` are avoided on
purpose: resolvers (Unbound, and maybe Cairn) special-case them (RFC 6761).

README.md has the same plan as a table; keep them in step.
"""

from __future__ import annotations

import os
import re

from signing import Signing
from zones import Hierarchy, Server, Zone

DEFAULT_NET = "127.53"
BIG_TXT_COUNT = 24   # x ~110 bytes: > 1232 bytes, so UDP answers are truncated


def net_from_env() -> str:
    net = os.environ.get("CAIRN_TEST_NET", DEFAULT_NET)
    if not re.fullmatch(r"127\.(25[0-5]|2[0-4]\d|1?\d?\d)", net):
        raise ValueError(f"CAIRN_TEST_NET must look like 127.N (got {net!r})")
    return net


# key, address suffix, kind, note
SERVERS = [
    ("root-a", "0.1", "nsd", "a.root-servers.cairn: root zone"),
    ("root-b", "0.2", "nsd", "b.root-servers.cairn: root zone"),
    ("example-1", "1.1", "nsd", "ns1.nic.example: example."),
    ("example-2", "1.2", "nsd", "ns2.nic.example: example."),
    ("cairn-1", "1.3", "nsd", "ns1.nic.cairn: cairn."),
    ("cairn-2", "1.4", "nsd", "ns2.nic.cairn: cairn."),
    ("zz-1", "1.5", "nsd", "ns1.nic.zz: zz."),
    ("host-1", "2.1", "nsd", "hosts many second-level zones"),
    ("host-2", "2.2", "nsd", "hosts many second-level zones"),
    ("lame", "3.1", "nsd", "live NSD that serves no zone: answers REFUSED (lame)"),
    ("dead", "3.2", "dead", "nothing listens (dead server)"),
    ("pingpong-1", "3.3", "nsd", "referral ping-pong, half 1"),
    ("pingpong-2", "3.4", "nsd", "referral ping-pong, half 2"),
    ("deep-1", "4.1", "nsd", "deep.cairn"),
    ("deep-2", "4.2", "nsd", "a.deep.cairn"),
    ("deep-3", "4.3", "nsd", "b.a.deep.cairn"),
    ("deep-4", "4.4", "nsd", "c.b.a.deep.cairn"),
    ("script-1", "5.1", "scripted", "script1.zz: slot for a ScriptedServer"),
    ("script-2", "5.2", "scripted", "script2.zz: slot for a ScriptedServer"),
    ("script-3", "5.3", "scripted", "script3.zz: slot for a ScriptedServer"),
    ("big", "6.1", "nsd", "big.example and big3.cairn: 2,000 names each (aggressive NSEC)"),
    ("short", "7.1", "nsd", "short.example, shortplain.zz, expiry.example: short TTLs (serve-stale, prefetch)"),
    ("twoface", "8.1", "nsd", "twoface.example: hidden primary, reached through the twoface-1/2 slots"),
    ("twoface-1", "8.2", "scripted", "ns1.twoface.example: slot for a ScriptedServer (proxy of twoface)"),
    ("twoface-2", "8.3", "scripted", "ns2.twoface.example: slot for a ScriptedServer (proxy of twoface)"),
]

# Addresses {net}.9.1 .. {net}.9.250 belong to no server and no zone: a test
# starts extra ScriptedServers there (e.g. the servers of a zone that a
# scripted slot delegates) or uses them as dead addresses (nothing listens).
SPARE_BLOCK = 9
TWOFACE_INDEX = 45      # twoface.example.: data addresses N.200.45


def spare_addr(net: str, i: int) -> str:
    """The i-th spare address (1..250) for a test's own ScriptedServers."""
    if not 1 <= i <= 250:
        raise ValueError(f"spare address index out of range: {i}")
    return f"{net}.{SPARE_BLOCK}.{i}"

DAY = 86400

# DNSSEC variants: children of example., each its own zone on host-1 and
# host-2, each broken (or odd) in one way. name, data index, Signing options,
# what is wrong. tamper.py does the breaking; README.md has the same table.
DNSSEC_VARIANTS = [
    ("badsig", 30, dict(breakage="badsig"), "RRSIG over www A has flipped signature bytes"),
    ("expired", 31, dict(inception=-40 * DAY, lifetime=-10 * DAY), "every RRSIG expired 10 days ago"),
    ("future", 32, dict(inception=10 * DAY, lifetime=40 * DAY), "every RRSIG valid only from 10 days on"),
    ("nokey", 33, dict(breakage="nokey"), "DS names a key that is not in the DNSKEY set"),
    ("nodnskeysig", 34, dict(split_keys=True, dnskey_by_all_keys=True, breakage="nodnskeysig"),
     "no RRSIG over the DNSKEY RRset by the KSK (the ZSK's is left: NSD needs one)"),
    ("nonsec", 35, dict(breakage="nonsec"), "NSEC records and their RRSIGs removed: no denial proofs"),
    ("keytrap", 36, dict(algorithm="ED25519", split_keys=True, breakage="keytrap"),
     "KeyTrap: 100 extra DNSKEYs with the ZSK's tag, www A and *.trap A with 50 garbage RRSIGs"),
    ("iter", 37, dict(nsec3=True, iterations=100), "NSEC3 with 100 iterations (RFC 9276 limit: 0, insecure above 50)"),
    ("unsupalg", 38, dict(breakage="unsupalg"), "DS only with algorithm 253: insecure"),
    ("unsupdigest", 39, dict(breakage="unsupdigest"), "DS only with digest type 3 (GOST): insecure"),
]

ALGORITHM_ZONES = ["RSASHA1", "RSASHA1-NSEC3-SHA1", "RSASHA256", "RSASHA512",
                   "ECDSAP256SHA256", "ECDSAP384SHA384", "ED25519", "ED448"]


# Big zones (RFC 8198 aggressive NSEC, random-subdomain floods): BIG_NAMES
# one-label names each, spread evenly over the space of 4-character labels
# [0-9a-z]{4} so that random labels fall into ~BIG_NAMES different NSEC gaps
# (names like h0001..h2000 would share a handful of gaps: they sort together).
BIG_NAMES = 2000
BIG_ZONES = {"big.example.": 40, "big3.cairn.": 41}     # NSEC, NSEC3: zone -> data index

# Short-TTL zones (serve-stale, prefetch), all on the `short` server so a test
# can stop them together. Data TTL SHORT_TTL (NXDOMAIN/NODATA too: SOA minimum),
# apex NS/SOA/DNSKEY and `pf` PREFETCH_TTL, `p000`..`p099` 10..30 s.
SHORT_TTL = 3
PREFETCH_TTL = 10
PREFETCH_NAMES = 100
STALE_NAMES = 100       # s000..s099: SHORT_TTL, for outage benchmarks
EXPIRY_TTL = 2          # expiry.example.: a test re-signs it with a lifetime of seconds
SHORT_ZONES = {"short.example.": 42, "shortplain.zz.": 43, "expiry.example.": 44}


def data_addr(net: str, block: int, index: int) -> str:
    return f"{net}.{block}.{index}"


def base36(value: int, width: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(width):
        value, d = divmod(value, 36)
        out = digits[d] + out
    return out


def big_labels(n: int = BIG_NAMES) -> list[str]:
    """The owner labels of a big zone, in canonical (DNSSEC) order."""
    return [base36(i * 36 ** 4 // n, 4) for i in range(n)]


def big_records(net: str, n: int = BIG_NAMES) -> list[tuple[str, str, str]]:
    """One A record per label; addresses N.204.(k mod 250)."""
    return [(label, "A", data_addr(net, 204, k % 250)) for k, label in enumerate(big_labels(n))]


def prefetch_ttl(i: int) -> int:
    """TTL of p<i>: 10..30 s, spread."""
    return 10 + (i * 13) % 21


def short_records(net: str, index: int) -> list[tuple]:
    """www (A, TXT), nodata (TXT), *.wild (A), s000..s099 (A) with SHORT_TTL;
    pf (A) with PREFETCH_TTL; p000..p099 (A) with 10..30 s; nx does not exist."""
    t = SHORT_TTL
    recs = [("www", "A", data_addr(net, 200, index), t), ("www", "TXT", '"hello"', t),
            ("nodata", "TXT", '"only a TXT here"', t), ("*.wild", "A", data_addr(net, 202, index), t),
            ("pf", "A", data_addr(net, 201, index), PREFETCH_TTL)]
    recs += [(f"p{i:03d}", "A", data_addr(net, 205, index), prefetch_ttl(i)) for i in range(PREFETCH_NAMES)]
    recs += [(f"s{i:03d}", "A", data_addr(net, 206, index), t) for i in range(STALE_NAMES)]
    return recs


def big_txt() -> list[str]:
    return [f'"big-{i:02d}-' + "x" * 96 + '"' for i in range(BIG_TXT_COUNT)]


def feature_records(net: str, index: int, dname_target: str | None = None) -> list[tuple[str, str, str]]:
    """The common feature set; addresses encode the zone's index so an answer
    shows which zone it came from. `nodata` has only TXT; `nx` does not exist;
    `ent` is an empty non-terminal above `leaf.ent`; `*.cwild` is a wildcard
    CNAME to `www`."""
    recs = [
        ("@", "MX", "10 mail"),
        ("@", "TXT", '"apex"'),
        ("www", "A", data_addr(net, 200, index)),
        ("www", "AAAA", f"2001:db8::{index:x}"),
        ("www", "TXT", '"hello"'),
        ("mail", "A", data_addr(net, 201, index)),
        ("alias", "CNAME", "www"),
        ("nodata", "TXT", '"only a TXT here"'),
        ("*.wild", "A", data_addr(net, 202, index)),
        ("*.wild", "TXT", '"wildcard"'),
        ("*.cwild", "CNAME", "www"),
        ("leaf.ent", "A", data_addr(net, 203, index)),
    ]
    recs += [("big", "TXT", t) for t in big_txt()]
    if dname_target:
        recs.append(("moved", "DNAME", dname_target))
    return recs


def small_records(net: str, index: int) -> list[tuple[str, str, str]]:
    return [("www", "A", data_addr(net, 200, index)), ("www", "TXT", '"hello"')]


def variant_records(net: str, index: int) -> list[tuple[str, str, str]]:
    """What every DNSSEC variant has: an answer (www A), NODATA (nodata A)
    and a wildcard (*.wild A); `nx` does not exist."""
    return small_records(net, index) + [
        ("nodata", "TXT", '"only a TXT here"'),
        ("*.wild", "A", data_addr(net, 202, index)),
    ]


def default_hierarchy(net: str | None = None, big_names: int = BIG_NAMES) -> Hierarchy:
    """big_names: names in each of big.example./big3.cairn. (0: no big zones)."""
    net = net or net_from_env()
    servers = [Server(k, f"{net}.{suffix}", kind, note) for k, suffix, kind, note in SERVERS]
    a = {s.key: s.address for s in servers}
    Z = Zone
    zones = [
        Z(".", [("a.root-servers.cairn.", "root-a"), ("b.root-servers.cairn.", "root-b")],
          ["root-a", "root-b"], signing=Signing("RSASHA256", ksk_bits=2048), ttl=3600, note="root"),
        Z("example.", [("ns1.nic.example.", "example-1"), ("ns2.nic.example.", "example-2")],
          ["example-1", "example-2"], signing=Signing("ECDSAP256SHA256"), note="signed TLD, NSEC"),
        Z("cairn.", [("ns1.nic.cairn.", "cairn-1"), ("ns2.nic.cairn.", "cairn-2")],
          ["cairn-1", "cairn-2"], signing=Signing("RSASHA256", nsec3=True, optout=True),
          note="signed TLD, NSEC3 opt-out"),
        Z("zz.", [("ns1.nic.zz.", "zz-1")], ["zz-1"], note="unsigned TLD"),

        # -- main feature zones (same content, three security flavours) --
        Z("plain.example.", [("ns1.plain.example.", "host-1"), ("ns2.plain.example.", "host-2")],
          ["host-1", "host-2"],
          feature_records(net, 1, "secure.example.") + [("chain", "CNAME", "hop.infra.cairn.")],
          note="unsigned child of signed parent; A/AAAA/MX/TXT, NX, NODATA, wildcard, big, DNAME, CNAME chain"),
        Z("secure.example.", [("ns1.secure.example.", "host-1"), ("ns2.secure.example.", "host-2")],
          ["host-1", "host-2"], feature_records(net, 2, "secure3.cairn."),
          signing=Signing("ECDSAP256SHA256"), note="signed, NSEC"),
        Z("secure3.cairn.", [("ns1.secure3.cairn.", "host-2")], ["host-2"],
          feature_records(net, 3, "secure.example."),
          signing=Signing("RSASHA256", nsec3=True, salt="c0ffee"), note="signed, NSEC3 with salt"),
        Z("infra.cairn.", [("ns1.infra.cairn.", "host-1")], ["host-1"],
          small_records(net, 4) + [("hop", "CNAME", "www.secure.example.")],
          note="unsigned under NSEC3 opt-out; names of glueless NS; CNAME chain hop"),

        # -- delegation features --
        Z("glueless.example.", [("gns1.infra.cairn.", "host-1"), ("gns2.infra.cairn.", "host-2")],
          ["host-1", "host-2"], small_records(net, 5), note="NS names in another TLD, no glue"),
        Z("lame.example.", [("ns1.lame.example.", "lame"), ("ns2.lame.example.", "host-1")],
          ["host-1"], small_records(net, 6), note="one NS is a live server that does not serve it"),
        Z("dead.example.", [("ns1.dead.example.", "dead"), ("ns2.dead.example.", "host-2")],
          ["host-2"], small_records(net, 7), note="one NS address has nothing listening"),
        Z("loop.example.", [("ns.loop.cairn.", "host-1")], ["host-1"], small_records(net, 8),
          note="cyclic glueless dependency with loop.cairn"),
        Z("loop.cairn.", [("ns.loop.example.", "host-2")], ["host-2"], small_records(net, 9),
          note="cyclic glueless dependency with loop.example"),
        Z("pingpong.zz.", [("ns.pingpong.zz.", "pingpong-1")], ["pingpong-1"], small_records(net, 10),
          note="delegates loop.pingpong.zz to pingpong-2"),
        Z("loop.pingpong.zz.", [("ns-b.loop.pingpong.zz.", "pingpong-2")], [],
          note="never served: pingpong-2 refers it back to pingpong-1"),
        Z("pingpong.zz.", [("ns.pingpong.zz.", "pingpong-2")], ["pingpong-2"],
          [("loop", "NS", "ns-a.loop"), ("ns-a.loop", "A", a["pingpong-1"])],
          delegated=False, note="rogue copy on pingpong-2: refers loop.pingpong.zz back"),

        # -- deep delegation chain (QNAME minimisation), one server per level --
        Z("deep.cairn.", [("ns.deep.cairn.", "deep-1")], ["deep-1"], small_records(net, 11)),
        Z("a.deep.cairn.", [("ns.a.deep.cairn.", "deep-2")], ["deep-2"], small_records(net, 12)),
        Z("b.a.deep.cairn.", [("ns.b.a.deep.cairn.", "deep-3")], ["deep-3"], small_records(net, 13)),
        Z("c.b.a.deep.cairn.", [("ns.c.b.a.deep.cairn.", "deep-4")], ["deep-4"],
          small_records(net, 14) + [("www.x.y.z", "A", data_addr(net, 200, 15))]),
    ]
    # -- slots for ScriptedServer (nothing listens until a test starts one) --
    for i in (1, 2, 3):
        zones.append(Z(f"script{i}.zz.", [(f"ns.script{i}.zz.", f"script-{i}")], [],
                       note="answered by a ScriptedServer started by the test"))
    # -- one small signed zone per DNSSEC algorithm, single combined key --
    for i, alg in enumerate(ALGORITHM_ZONES):
        name = f"{alg.lower()}.example."
        nsec3 = "NSEC3" in alg
        zones.append(Z(name, [(f"ns1.{name}", "host-2")], ["host-2"], small_records(net, 20 + i),
                       signing=Signing(alg, nsec3=nsec3, split_keys=False),
                       note=f"signed with {alg}" + (", NSEC3" if nsec3 else "")))
    # -- DNSSEC variants: bogus, insecure and odd children of example. --
    for label, index, options, note in DNSSEC_VARIANTS:
        name = f"{label}.example."
        records = variant_records(net, index)
        if label == "keytrap":
            records.append(("*.trap", "A", data_addr(net, 200, index)))
        options = {"split_keys": False, **options}    # one key each unless said otherwise
        zones.append(Z(name, [(f"ns1.{name}", "host-1"), (f"ns2.{name}", "host-2")],
                       ["host-1", "host-2"], records, signing=Signing(**options), note=note))
    # -- big signed zones: aggressive use of NSEC/NSEC3 (RFC 8198) --
    if big_names:
        zones.append(Z("big.example.", [("ns1.big.example.", "big")], ["big"], big_records(net, big_names),
                       signing=Signing("ECDSAP256SHA256"), note=f"{big_names} names, NSEC"))
        zones.append(Z("big3.cairn.", [("ns1.big3.cairn.", "big")], ["big"], big_records(net, big_names),
                       signing=Signing("ECDSAP256SHA256", nsec3=True),
                       note=f"{big_names} names, NSEC3 (no opt-out, 0 iterations, no salt)"))
    # -- short TTLs: serve-stale and prefetch; one server, stopped by tests --
    zones.append(Z("short.example.", [("ns1.short.example.", "short")], ["short"],
                   short_records(net, SHORT_ZONES["short.example."]), signing=Signing("ECDSAP256SHA256"),
                   ttl=PREFETCH_TTL, negative_ttl=SHORT_TTL, note="signed, NSEC, short TTLs"))
    zones.append(Z("shortplain.zz.", [("ns1.shortplain.zz.", "short")], ["short"],
                   short_records(net, SHORT_ZONES["shortplain.zz."]),
                   ttl=PREFETCH_TTL, negative_ttl=SHORT_TTL, note="unsigned, short TTLs"))
    zones.append(Z("expiry.example.", [("ns1.expiry.example.", "short")], ["short"],
                   small_records(net, SHORT_ZONES["expiry.example."]) + [("nodata", "TXT", '"only a TXT"')],
                   signing=Signing("ECDSAP256SHA256", split_keys=False), ttl=EXPIRY_TTL,
                   negative_ttl=EXPIRY_TTL, note="signed, TTL 2 s; re-signed by a test to expire in seconds"))
    # -- a signed zone whose two listed servers are test-controlled proxies of
    # a hidden primary: one of them can corrupt what it relays --
    zones.append(Z("twoface.example.", [("ns1.twoface.example.", "twoface-1"),
                                        ("ns2.twoface.example.", "twoface-2")], ["twoface"],
                   variant_records(net, TWOFACE_INDEX), signing=Signing("ECDSAP256SHA256", split_keys=False),
                   note="signed, NSEC; NS are ScriptedServer slots relaying the hidden primary"))
    return Hierarchy(net, servers, zones)
