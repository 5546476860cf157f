"""Per-zone cache policy (zone-policy): two zones, one with a policy.

short.example. and shortplain.zz. live on the same server (`short`), with the
same short TTLs (3 s for www, 10 s for pf); plain.example. and
secure.example. share host-1/host-2 (TTL 3600). A policy on one zone of each
pair changes what Cairn does for that zone only.
"""

from __future__ import annotations

import contextlib
import dataclasses
import shutil
import tempfile
import time

import dns.rcode
import pytest

from hierarchy import EXPIRY_TTL, PREFETCH_TTL, SHORT_TTL
from resolver_helpers import EDE_STALE_ANSWER, cairn_stats, extended_errors, rdatas, ttl_of
from signing import sign_zone


@pytest.fixture
def control_dir():
    path = tempfile.mkdtemp(prefix="cairn-zp-", dir="/tmp")
    yield path
    shutil.rmtree(path, ignore_errors=True)


def start(cairn, control_dir, policy: list[dict], **more):
    socket = tempfile.mktemp(suffix=".sock", dir=control_dir)
    config = {"control-socket": socket, "zone-policy": policy}
    config.update(more)
    return cairn(config)


@contextlib.contextmanager
def server_down(internet, key: str = "short"):
    internet.stop_server(key)
    try:
        yield
    finally:
        internet.start_server(key)


def wait_until(t: float) -> None:
    delay = t - time.time()
    if delay > 0:
        time.sleep(delay)


def test_ttl_bounds_apply_to_the_zone_with_the_policy(cairn, control_dir):
    c = start(cairn, control_dir, [{"name": "plain.example", "cache-max-ttl": "1m"},
                                   {"name": "shortplain.zz", "cache-min-ttl": 100}])
    capped = c.query("www.plain.example.", "A")
    assert rdatas(capped, "www.plain.example.", "A")
    assert ttl_of(capped, "www.plain.example.", "A") <= 60
    other = c.query("www.secure.example.", "A")
    assert ttl_of(other, "www.secure.example.", "A") > 60, "no policy for secure.example."
    raised = c.query("www.shortplain.zz.", "A")
    assert 90 <= ttl_of(raised, "www.shortplain.zz.", "A") <= 100
    short = c.query("www.short.example.", "A")
    assert ttl_of(short, "www.short.example.", "A") <= SHORT_TTL
    # The most specific entry wins: a policy for the name itself below a
    # zone's policy.
    c2 = start(cairn, control_dir, [{"name": "example", "cache-max-ttl": "1m"},
                                    {"name": "www.plain.example", "cache-max-ttl": "30s"}])
    assert ttl_of(c2.query("www.plain.example.", "A"), "www.plain.example.", "A") <= 30
    assert 30 < ttl_of(c2.query("mail.plain.example.", "A"), "mail.plain.example.", "A") <= 60


def test_serve_stale_per_zone(cairn, control_dir, counts):
    c = start(cairn, control_dir, [{"name": "short.example", "serve-stale": False}],
              **{"stale-client-timeout": "0s"})
    names = ["www.short.example.", "www.shortplain.zz."]
    for name in names:
        assert rdatas(c.query(name, "A"), name, "A")
    cached = time.time()
    with server_down(counts):
        wait_until(cached + SHORT_TTL + 1.5)
        off = c.query("www.short.example.", "A", timeout=30)
        assert off.rcode() == dns.rcode.SERVFAIL and not off.answer
        on = c.query("www.shortplain.zz.", "A", timeout=30)
        assert on.rcode() == dns.rcode.NOERROR and rdatas(on, "www.shortplain.zz.", "A")
        assert EDE_STALE_ANSWER in [code for code, _ in extended_errors(on)]


def test_stale_max_per_zone(cairn, control_dir, counts):
    c = start(cairn, control_dir, [{"name": "shortplain.zz", "stale-max": "1s"}],
              **{"stale-client-timeout": "0s"})
    names = ["www.short.example.", "www.shortplain.zz."]
    for name in names:
        assert rdatas(c.query(name, "A"), name, "A")
    cached = time.time()
    with server_down(counts):
        wait_until(cached + SHORT_TTL + 2.5)
        gone = c.query("www.shortplain.zz.", "A", timeout=30)
        assert gone.rcode() == dns.rcode.SERVFAIL, "past shortplain.zz.'s 1 s stale-max"
        kept = c.query("www.short.example.", "A", timeout=30)
        assert rdatas(kept, "www.short.example.", "A"), "the global stale-max (1 day)"


def test_prefetch_off_for_one_zone(cairn, control_dir, counts):
    """pf (TTL 10 s) in both zones, asked every 0.3 s past half of its TTL
    (prefetch-threshold 50) until just before it expires: the zone without
    the policy is refreshed in the background, the other is not."""
    c = start(cairn, control_dir, [{"name": "short.example", "prefetch": False}],
              **{"prefetch-threshold": 50})
    names = ["pf.short.example.", "pf.shortplain.zz."]
    for name in names:
        assert rdatas(c.query(name, "A"), name, "A")
    cached = time.time()
    wait_until(cached + PREFETCH_TTL / 2 + 0.5)
    counts.reset_counts()
    while time.time() < cached + PREFETCH_TTL - 1:
        for name in names:
            assert rdatas(c.query(name, "A"), name, "A")
        time.sleep(0.3)
    stats = cairn_stats(c.config["control-socket"])
    assert stats["resolver.prefetches"] >= 1
    asked = {q.qname.lower().rstrip(".") + "." for q in counts.queries("short") if q.qtype == "A"}
    assert "pf.shortplain.zz." in asked, asked
    assert "pf.short.example." not in asked, asked


def test_signed_data_never_served_stale_past_its_signatures(cairn, control_dir, counts):
    """expiry.example. (TTL 2 s) is re-signed so that its RRSIGs expire 10 s
    from now; its zone-policy allows 30 days of stale data. Stale while the
    RRSIG is valid, SERVFAIL once it has expired."""
    lifetime = 10
    zone = "expiry.example."
    name = f"www.{zone}"
    signed = counts.zonefile(zone)
    unsigned = signed[: -len(".signed")]
    keys = counts.keys[zone]
    signing = counts.hierarchy.zone(zone).signing
    c = start(cairn, control_dir, [{"name": zone, "stale-max": "30d",
                                    "stale-recheck-interval": "1s"}],
              **{"stale-client-timeout": "0s"})
    counts.stop_server("short")
    try:
        t0 = time.time()
        sign_zone(unsigned, zone, keys, dataclasses.replace(signing, lifetime=lifetime), now=int(t0))
        expires = int(t0) + lifetime
        counts.start_server("short")
        assert rdatas(c.query(name, "A", dnssec=True), name, "A")
        cached = time.time()
        counts.stop_server("short")
        wait_until(cached + EXPIRY_TTL + 1)
        if time.time() < expires - 1:  # the control: stale while the RRSIG is valid
            stale = c.query(name, "A", dnssec=True, timeout=30)
            assert rdatas(stale, name, "A"), stale
            assert EDE_STALE_ANSWER in [code for code, _ in extended_errors(stale)]
        wait_until(expires + 1.5)
        late = c.query(name, "A", dnssec=True, timeout=30)
        assert late.rcode() == dns.rcode.SERVFAIL and not late.answer, late
    finally:
        counts.stop_server("short")
        sign_zone(unsigned, zone, keys, signing)
        counts.start_server("short")
