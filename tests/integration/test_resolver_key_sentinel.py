"""The root key trust anchor sentinel (RFC 8509) through the mini-internet.

A client asks for root-key-sentinel-is-ta-<tag>.<signed zone> and
root-key-sentinel-not-ta-<tag>.<signed zone>; the wildcard `*.wild` of
`secure.example.` (README.md, the feature set) answers both names, and the
resolver turns the validated answer into SERVFAIL when the label disagrees
with its root trust anchors (§3.2): is-ta with a tag no anchor has, not-ta
with one an anchor has. Runs against Cairn and Unbound (whose
`root-key-sentinel` is on by default); the switch is Cairn's.
"""

from __future__ import annotations

import dns.dnssec
import dns.flags
import dns.rdatatype
import pytest

from hierarchy import data_addr
from resolver_helpers import CAIRN_KEY, CAIRN_ONLY, EDE_OTHER, assert_servfail_with_ede, \
    rcode_text, rdatas

SECURE_INDEX = 2      # secure.example. in hierarchy.py
ZONE = "wild.secure.example."
INSECURE_ZONE = "wild.plain.example."


@pytest.fixture
def tags(mini_internet):
    """(anchor, other): the root KSK's key tag (the trust anchor) and the
    root ZSK's, a real root key that no anchor names."""
    anchor = dns.dnssec.key_id(mini_internet.keys["."].ksk_dnskey)
    keys = mini_internet.query("root-a", ".", "DNSKEY")
    others = [dns.dnssec.key_id(rd) for rrset in keys.answer if rrset.rdtype == dns.rdatatype.DNSKEY
              for rd in rrset if dns.dnssec.key_id(rd) != anchor]
    assert others, keys
    return anchor, others[0]


def is_ta(tag: int, zone: str = ZONE) -> str:
    return f"root-key-sentinel-is-ta-{tag:05d}.{zone}"


def not_ta(tag: int, zone: str = ZONE) -> str:
    return f"root-key-sentinel-not-ta-{tag:05d}.{zone}"


def assert_answered(msg, qname: str, net: str) -> None:
    assert rcode_text(msg) == "NOERROR", f"{qname}: expected the wildcard answer\n{msg}"
    assert rdatas(msg, qname, "A") == [data_addr(net, 202, SECURE_INDEX)], msg


def assert_sentinel_servfail(resolver, msg) -> None:
    if resolver.is_cairn:
        assert_servfail_with_ede(msg, {EDE_OTHER}, "sentinel")
    else:
        assert rcode_text(msg) == "SERVFAIL", msg
    assert not msg.answer, msg


def test_sentinel_answers_follow_the_root_trust_anchor(resolver, mini_internet, tags):
    r = resolver()
    anchor, other = tags
    net = mini_internet.net
    assert_answered(r.query(is_ta(anchor), "A"), is_ta(anchor), net)
    assert_sentinel_servfail(r, r.query(is_ta(other), "A"))
    assert_sentinel_servfail(r, r.query(not_ta(anchor), "A"))
    assert_answered(r.query(not_ta(other), "A"), not_ta(other), net)
    # The label matches in any case; a tag above 65535 belongs to no key.
    upper = is_ta(anchor).upper()
    assert rcode_text(r.query(upper, "A")) == "NOERROR"
    assert_sentinel_servfail(r, r.query(is_ta(99999), "A"))
    # The AD bit of a sentinel answer is the validated one's.
    answered = r.query(is_ta(anchor), "A", dnssec=True)
    assert answered.flags & dns.flags.AD, answered


def test_sentinel_preconditions(resolver, mini_internet, tags):
    """§3.1: only validated (CD clear), Secure, A/AAAA answers are touched."""
    r = resolver()
    anchor, other = tags
    net = mini_internet.net
    # CD=1: no validation asked for, the answer stands.
    assert_answered(r.query(is_ta(other), "A", cd=True), is_ta(other), net)
    # Another type: the wildcard's TXT is returned.
    txt = r.query(not_ta(anchor), "TXT")
    assert rcode_text(txt) == "NOERROR" and rdatas(txt, not_ta(anchor), "TXT") == ['"wildcard"'], txt
    # An insecure zone's answer is left alone.
    plain = r.query(is_ta(other, INSECURE_ZONE), "A")
    assert rcode_text(plain) == "NOERROR" and plain.answer, plain
    assert rcode_text(r.query(not_ta(anchor, INSECURE_ZONE), "A")) == "NOERROR"
    # Not the leftmost label: an ordinary name under the wildcard.
    deeper = "x." + is_ta(other)
    assert rcode_text(r.query(deeper, "A")) == "NOERROR"


@CAIRN_ONLY
def test_sentinel_can_be_switched_off(resolver, mini_internet, tags):
    r = resolver(cairn={CAIRN_KEY["root_key_sentinel"]: False})
    anchor, other = tags
    net = mini_internet.net
    for qname in (is_ta(anchor), is_ta(other), not_ta(anchor), not_ta(other)):
        assert_answered(r.query(qname, "A"), qname, net)
