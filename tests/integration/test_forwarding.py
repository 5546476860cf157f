"""Forward zones and stub zones (forward-zones, stub-zones): where Cairn's
questions go, with which flags, that what forwarders say is still validated,
`first`, and a reload that changes the zones."""

from __future__ import annotations

import os
import signal
import time

import dns.flags
import dns.rcode
import pytest

from hierarchy import data_addr, spare_addr
from resolver_helpers import assert_servfail_with_ede, rdatas
from scripted_server import corrupt_rrsigs, drop, proxy
from tls_setup import HOSTNAME, Pki, encrypted, pki  # noqa: F401 (fixtures)

# Cairn's upstream queries leave from this address, so the servers' dnstap
# tells them from the forwarder's.
OUTGOING_INDEX = 200


def wait_for(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


@pytest.fixture
def outgoing(mini_internet) -> str:
    return spare_addr(mini_internet.net, OUTGOING_INDEX)


def from_cairn(internet, server: str, outgoing: str):
    return [q for q in internet.queries(server) if q.client and q.client[0] == outgoing]


def in_zone(qname: str, zone: str) -> bool:
    name = qname.lower()
    return name == zone or name.endswith("." + zone)


def forwarder_config(outgoing: str, zones: list[dict] | None = None,
                     stubs: list[dict] | None = None) -> dict:
    config = {"outgoing-address": [outgoing], "upstream-ipv6": False}
    if zones is not None:
        config["forward-zones"] = zones
    if stubs is not None:
        config["stub-zones"] = stubs
    return config


def test_forwarded_answers_come_from_the_forwarder_and_are_validated(
        counts, cairn, scripted_server, outgoing):
    internet = counts
    fwd = scripted_server(spare_addr(internet.net, 1), proxy(internet.addr("host-1")))
    c = cairn(forwarder_config(outgoing, [{"name": "secure.example",
                                           "addresses": [fwd.address]}]))
    r = c.query("www.secure.example.", "A", dnssec=True)
    assert r.rcode() == dns.rcode.NOERROR, r
    assert rdatas(r, "www.secure.example.", "A") == [data_addr(internet.net, 200, 2)]
    assert r.flags & dns.flags.AD, "a forwarded answer of a signed zone validates"
    asked = [rec.message for rec in fwd.queries() if rec.message is not None]
    assert any(str(m.question[0].name).lower() == "www.secure.example." for m in asked)
    for m in asked:
        assert m.flags & dns.flags.RD and m.flags & dns.flags.CD, m
    # The zone's own servers heard nothing from Cairn itself.
    for server in ("host-1", "host-2"):
        assert from_cairn(internet, server, outgoing) == [], server
    # Other zones still resolve by iteration.
    other = c.query("www.plain.example.", "A")
    assert rdatas(other, "www.plain.example.", "A") == [data_addr(internet.net, 200, 1)]


def test_a_forwarder_forging_signatures_gets_servfail(counts, cairn, scripted_server,
                                                      outgoing):
    internet = counts
    fwd = scripted_server(spare_addr(internet.net, 2),
                          corrupt_rrsigs(proxy(internet.addr("host-1"))))
    c = cairn(forwarder_config(outgoing, [{"name": "secure.example",
                                           "addresses": [fwd.address]}]))
    r = c.query("www.secure.example.", "A", dnssec=True)
    assert_servfail_with_ede(r)
    assert fwd.queries(), "the forwarder was asked"


def test_first_falls_back_to_iteration_when_the_forwarders_fail(counts, cairn, outgoing):
    internet = counts
    dead = internet.addr("dead")
    strict = cairn(forwarder_config(outgoing, [{"name": "plain.example",
                                                "addresses": [dead]}]))
    assert_servfail_with_ede(strict.query("www.plain.example.", "A"))
    strict.stop()
    fallback = cairn(forwarder_config(outgoing, [{"name": "plain.example", "addresses": [dead],
                                                  "first": True}]))
    r = fallback.query("www.plain.example.", "A")
    assert rdatas(r, "www.plain.example.", "A") == [data_addr(internet.net, 200, 1)]


def test_a_stub_zone_is_asked_without_rd_and_its_delegations_are_followed(counts, cairn,
                                                                         outgoing):
    internet = counts
    c = cairn(forwarder_config(outgoing, stubs=[
        {"name": "plain.example", "addresses": [internet.addr("host-1")]},
        {"name": "deep.cairn", "addresses": [internet.addr("deep-1")]}]))
    r = c.query("www.plain.example.", "A")
    assert rdatas(r, "www.plain.example.", "A") == [data_addr(internet.net, 200, 1)]
    stub_queries = from_cairn(internet, "host-1", outgoing)
    assert stub_queries, "the stub server was asked"
    for q in stub_queries:
        assert not q.message().flags & dns.flags.RD, q
    # Only the configured server; of names in the stub zone, the parent is
    # asked for the DS (the chain of trust) at most.
    assert from_cairn(internet, "host-2", outgoing) == []
    for server in ("example-1", "example-2"):
        for q in from_cairn(internet, server, outgoing):
            assert q.qtype == "DS" or not in_zone(q.qname, "plain.example."), q
    # Below deep.cairn's stub server: three more zone cuts, followed.
    deep = c.query("www.x.y.z.c.b.a.deep.cairn.", "A")
    assert deep.rcode() == dns.rcode.NOERROR, deep
    assert deep.answer, deep
    assert from_cairn(internet, "deep-4", outgoing), "the delegation chain was followed"
    for server in ("cairn-1", "cairn-2"):
        for q in from_cairn(internet, server, outgoing):
            assert q.qtype == "DS" or not in_zone(q.qname, "deep.cairn."), q


def test_a_reload_changes_the_zones(counts, cairn, outgoing):
    internet = counts
    c = cairn(forwarder_config(outgoing, [{"name": "plain.example",
                                           "addresses": [internet.addr("dead")]}]))
    assert_servfail_with_ede(c.query("www.plain.example.", "A"))
    conf = open(c.conf_path).read()
    start = conf.index("forward-zones")
    end = conf.index("\n", conf.index("addresses", start))
    without = conf[:start] + conf[end + 1:]
    assert "forward-zones" not in without and "dead" not in without
    with open(c.conf_path, "w") as f:
        f.write(without)
    os.kill(c.pid, signal.SIGHUP)
    assert wait_for(lambda: "configuration reloaded" in c.output(200)), c.output()
    r = c.query("mail.plain.example.", "A")
    assert rdatas(r, "mail.plain.example.", "A") == [data_addr(internet.net, 201, 1)]


# DNS over TLS to a forwarder: a second Cairn with listen-tls (tls_setup's
# `encrypted`), its certificate for HOSTNAME signed by the test CA.

def dot_forwarding(enc, pki, outgoing: str, name: str = HOSTNAME, ca: str | None = None) -> dict:
    config = forwarder_config(outgoing, [{"name": "secure.example",
                                          "addresses": [f"127.0.0.1:{enc.tls_port}"],
                                          "tls": name}])
    config["forward-tls-ca-file"] = ca or pki.ca
    return config


def test_dot_forwarding_checks_the_certificate_and_reuses_the_connection(
        counts, cairn, encrypted, pki, outgoing):
    internet = counts
    enc = encrypted()
    c = cairn(dot_forwarding(enc, pki, outgoing))
    r = c.query("www.secure.example.", "A", dnssec=True)
    assert r.rcode() == dns.rcode.NOERROR, r
    assert rdatas(r, "www.secure.example.", "A") == [data_addr(internet.net, 200, 2)]
    assert r.flags & dns.flags.AD
    r = c.query("mail.secure.example.", "A", dnssec=True)
    assert rdatas(r, "mail.secure.example.", "A") == [data_addr(internet.net, 201, 2)]
    stats = enc.stats()
    assert stats["net.dot_queries"] >= 2, stats
    assert stats["net.dot_accepted"] == 1, "one connection, kept for the next queries"
    for server in ("host-1", "host-2"):
        assert from_cairn(internet, server, outgoing) == [], server


@pytest.mark.parametrize("problem", ["wrong name", "unknown CA"])
def test_dot_forwarding_refuses_a_bad_certificate(counts, cairn, encrypted, pki, outgoing,
                                                  tmp_path, problem):
    enc = encrypted()
    if problem == "wrong name":
        config = dot_forwarding(enc, pki, outgoing, name="other.test")
    else:
        config = dot_forwarding(enc, pki, outgoing, ca=Pki(str(tmp_path)).ca)
    c = cairn(config)
    assert_servfail_with_ede(c.query("www.secure.example.", "A"))
    assert wait_for(lambda: "certificate not accepted" in c.output(200)), c.output()
    stats = enc.stats()
    # No query reached the forwarder: the handshake failed before any.
    assert stats["net.dot_queries"] == 0, stats


def test_a_dot_forwarder_that_never_completes_the_handshake_times_out(counts, cairn,
                                                                      scripted_server, pki,
                                                                      outgoing):
    # Accepts TCP, never answers the ClientHello: the exchange must still end
    # (cancelled by its timeout) and the client get its SERVFAIL.
    silent = scripted_server(spare_addr(counts.net, 3), drop(), port=853)
    c = cairn(forwarder_config(outgoing, [{"name": "secure.example",
                                           "addresses": [silent.address], "tls": HOSTNAME}])
              | {"forward-tls-ca-file": pki.ca})
    assert_servfail_with_ede(c.query("www.secure.example.", "A", timeout=30))
    assert silent.queries() == [], "nothing was sent in clear text"
