"""DNS64 (RFC 6147): AAAA records made from A records.

A scripted zone (script1.zz.) holds a name with only A, one with A and
AAAA, one whose only AAAA is IPv4-mapped, and a CNAME to the A-only name;
secure.example. gives a signed A-only name (mail) for the DNSSEC rules. The
test data lives in 127/8, which the Well-Known Prefix may not carry
(RFC 6052 section 3.1) and which dns64-exclude-ipv4 leaves out by default, so
most tests use a network-specific prefix and an empty IPv4 exclusion list.
Unbound's dns64 module answers the same questions where the two agree.
"""

from __future__ import annotations

import ipaddress
import os

import dns.flags
import dns.rcode
import pytest

import scripted_server as ss
from hierarchy import data_addr
from control_helpers import cairnctl_ok, short_tmp  # noqa: F401
from resolver_helpers import cairn_stats, rdatas, ttl_of
from resolvers import to_yaml

PREFIX = "2001:db8:64::/96"
ZONE = "script1.zz."


def embed(prefix: str, v4: str) -> str:
    """RFC 6052 section 2.2: the IPv4 octets after the prefix, skipping octet 8."""
    net = ipaddress.IPv6Network(prefix)
    out = bytearray(net.network_address.packed)
    position = net.prefixlen // 8
    for octet in ipaddress.IPv4Address(v4).packed:
        if position == 8:
            position += 1
        out[position] = octet
        position += 1
    return str(ipaddress.IPv6Address(bytes(out)))


@pytest.fixture
def v4_zone(mini_internet, scripted_server):
    net = mini_internet.net
    addresses = {"v4only": f"{net}.210.1", "dual": f"{net}.210.2", "mapped": f"{net}.210.3"}
    records = [
        f"v4only.{ZONE} 300 IN A {addresses['v4only']}",
        f"dual.{ZONE} 300 IN A {addresses['dual']}",
        f"dual.{ZONE} 300 IN AAAA 2001:db8::99",
        f"mapped.{ZONE} 300 IN A {addresses['mapped']}",
        f"mapped.{ZONE} 300 IN AAAA ::ffff:{addresses['mapped']}",
        f"alias.{ZONE} 300 IN CNAME v4only.{ZONE}",
    ]
    zone = ss.zone_for_slot(ZONE, mini_internet.addr("script-1"), records)
    scripted_server(mini_internet.addr("script-1"), ss.authoritative(zone, ZONE))
    return addresses


def dns64_config(**more) -> dict:
    config = {"dns64": True, "dns64-prefix": PREFIX, "dns64-exclude-ipv4": []}
    config.update(more)
    return config


def test_aaaa_made_from_a_only_where_there_is_no_aaaa(cairn, unbound, v4_zone):
    c = cairn(dns64_config())
    u = unbound([f"dns64-prefix: {PREFIX}", 'module-config: "dns64 validator iterator"'])
    for r in (c, u):
        made = r.query(f"v4only.{ZONE}", "AAAA")
        assert made.rcode() == dns.rcode.NOERROR
        assert rdatas(made, f"v4only.{ZONE}", "AAAA") == [embed(PREFIX, v4_zone["v4only"])], r.name
        # RFC 6147 section 5.1.7: no longer than the A record nor the SOA's
        # negative TTL (60 s here).
        assert ttl_of(made, f"v4only.{ZONE}", "AAAA") <= 300
        real = r.query(f"dual.{ZONE}", "AAAA")
        assert rdatas(real, f"dual.{ZONE}", "AAAA") == ["2001:db8::99"], r.name
        # The CNAME chain is kept (section 5.1.6).
        chained = r.query(f"alias.{ZONE}", "AAAA")
        assert rdatas(chained, f"alias.{ZONE}", "CNAME") == [f"v4only.{ZONE}"], r.name
        assert rdatas(chained, f"v4only.{ZONE}", "AAAA") == [embed(PREFIX, v4_zone["v4only"])]
        missing = r.query(f"nx.{ZONE}", "AAAA")
        assert missing.rcode() == dns.rcode.NXDOMAIN and not missing.answer, r.name
        # Other types pass untouched.
        assert rdatas(r.query(f"v4only.{ZONE}", "A"), f"v4only.{ZONE}", "A") == [v4_zone["v4only"]]
    assert ttl_of(c.query(f"v4only.{ZONE}", "AAAA"), f"v4only.{ZONE}", "AAAA") <= 60


def test_ipv4_mapped_aaaa_counts_as_none(cairn, v4_zone):
    c = cairn(dns64_config())
    made = c.query(f"mapped.{ZONE}", "AAAA")
    assert rdatas(made, f"mapped.{ZONE}", "AAAA") == [embed(PREFIX, v4_zone["mapped"])]
    # With no exclusion, the zone's own AAAA stands.
    kept = cairn(dns64_config(**{"dns64-exclude": []})).query(f"mapped.{ZONE}", "AAAA")
    assert rdatas(kept, f"mapped.{ZONE}", "AAAA") == [f"::ffff:{v4_zone['mapped']}"]


def test_custom_64_bit_prefix_skips_bits_64_to_71(cairn, v4_zone):
    prefix = "2001:db8:64:ff00::/64"
    made = cairn(dns64_config(**{"dns64-prefix": prefix})).query(f"v4only.{ZONE}", "AAAA")
    expected = embed(prefix, v4_zone["v4only"])
    assert rdatas(made, f"v4only.{ZONE}", "AAAA") == [expected]
    assert ipaddress.IPv6Address(expected).packed[8] == 0


def test_defaults_map_no_loopback_or_non_global_address(cairn, v4_zone):
    # The Well-Known Prefix and the default exclusions: 127/8 is never mapped.
    c = cairn({"dns64": True})
    answer = c.query(f"v4only.{ZONE}", "AAAA")
    assert answer.rcode() == dns.rcode.NOERROR and not answer.answer


def test_signed_name_dnssec_rules(cairn, mini_internet):
    """mail.secure.example. has only a signed A record."""
    c = cairn(dns64_config())
    name = "mail.secure.example."
    mapped = [embed(PREFIX, data_addr(mini_internet.net, 201, 2))]
    plain = c.query(name, "AAAA")
    assert rdatas(plain, name, "AAAA") == mapped
    assert not plain.flags & dns.flags.AD, "a synthesised record carries no AD"
    # DO without CD: the resolver validated the empty AAAA answer and the A
    # record; the made record is still unsigned, so no AD and no RRSIG.
    with_do = c.query(name, "AAAA", dnssec=True)
    assert rdatas(with_do, name, "AAAA") == mapped
    assert not with_do.flags & dns.flags.AD
    assert not rdatas(with_do, name, "RRSIG")
    # CD alone: synthesis as usual.
    assert rdatas(c.query(name, "AAAA", cd=True), name, "AAAA") == mapped
    # DO and CD: the client validates by itself and gets the real, empty,
    # signed answer (RFC 6147 section 5.5).
    own = c.query(name, "AAAA", dnssec=True, cd=True)
    assert own.rcode() == dns.rcode.NOERROR and not own.answer
    assert any(rrset.rdtype == dns.rdatatype.NSEC for rrset in own.authority)
    # A real signed AAAA keeps its AD.
    real = c.query("www.secure.example.", "AAAA", dnssec=True)
    assert rdatas(real, "www.secure.example.", "AAAA") == ["2001:db8::2"]
    assert real.flags & dns.flags.AD


def test_aaaa_answer_failing_validation_is_never_replaced(cairn):
    """nonsec.example. has no NSEC records: the empty AAAA answer for www
    cannot be proven (bogus), while its A record validates. Synthesising
    would let a forger hide a signed AAAA (RFC 6147 section 5.5)."""
    c = cairn(dns64_config())
    assert c.query("www.nonsec.example.", "A").rcode() == dns.rcode.NOERROR
    answer = c.query("www.nonsec.example.", "AAAA")
    assert answer.rcode() == dns.rcode.SERVFAIL and not answer.answer


def test_ptr_for_a_prefix_address_is_a_cname_to_in_addr_arpa(cairn, v4_zone):
    c = cairn(dns64_config())
    address = ipaddress.IPv6Address(embed(PREFIX, v4_zone["v4only"]))
    qname = address.reverse_pointer + "."
    target = ipaddress.IPv4Address(v4_zone["v4only"]).reverse_pointer + "."
    answer = c.query(qname, "PTR")
    assert rdatas(answer, qname, "CNAME") == [target]


def test_counter_in_stats(cairn, v4_zone, short_tmp):  # noqa: F811
    c = cairn(dns64_config(**{"control-socket": os.path.join(short_tmp, "ctl.sock")}))
    c.query(f"v4only.{ZONE}", "AAAA")
    c.query(f"dual.{ZONE}", "AAAA")
    stats = cairn_stats(c.config["control-socket"])
    assert stats["server.dns64_synthesised"] == 1
    assert stats["server.dns64_ptr_synthesised"] == 0


def test_dns64_follows_a_reload(cairn, v4_zone, short_tmp):  # noqa: F811
    c = cairn({"control-socket": os.path.join(short_tmp, "ctl.sock")})
    name = f"v4only.{ZONE}"
    assert not c.query(name, "AAAA").answer
    c.config.update(dns64_config())
    with open(c.conf_path, "w") as f:
        f.write(to_yaml(c.config) + "\n")
    cairnctl_ok(c, "reload")
    assert rdatas(c.query(name, "AAAA"), name, "AAAA") == [embed(PREFIX, v4_zone["v4only"])]
    c.config["dns64"] = False
    with open(c.conf_path, "w") as f:
        f.write(to_yaml(c.config) + "\n")
    cairnctl_ok(c, "reload")
    assert not c.query(name, "AAAA").answer, "off again, and the packet cache emptied with it"
