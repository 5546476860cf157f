"""Local zones and local data (issue 17, point 2): the built-in zones of
RFC 6761, RFC 6303, RFC 8375 and RFC 7686 answered without asking anyone,
their switches, every `local-zones` type, `local-data` answered with AA and
its TTL, a reload that changes them, and a bad record refused with its line."""

import os
import signal
import subprocess
import time

import dns.edns
import dns.exception
import dns.flags
import dns.rcode
import dns.rdatatype
import pytest

from control_helpers import cairnctl_ok, short_tmp, with_control  # noqa: F401 (fixture)
from resolver_helpers import REPO
from resolvers import to_yaml

EDE_BLOCKED = 15
IP6_LOOPBACK = "1." + "0." * 31 + "ip6.arpa."


def _sent_anywhere(counts) -> int:
    return sum(len(queries) for queries in counts.all_queries().values())


def _rrs(message, rdtype):
    return [rr for rrset in message.answer if rrset.rdtype == dns.rdatatype.from_text(rdtype)
            for rr in rrset]


def _local(message) -> bool:
    return bool(message.flags & dns.flags.AA)


def _soa_ttl(message):
    soa = [rrset for rrset in message.authority if rrset.rdtype == dns.rdatatype.SOA]
    assert len(soa) == 1, message
    return soa[0].ttl


def _local_answers(c) -> int:
    stats = dict(line.split()[:2] for line in cairnctl_ok(c, "stats").splitlines())
    return int(stats["server.local_answers"])


def test_builtin_zones_are_answered_without_asking_anyone(cairn, counts, short_tmp):
    c = with_control(cairn, short_tmp)
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR   # warm the root
    counts.reset_counts()
    before = _local_answers(c)   # the harness's readiness probe is one (harness-ready.invalid.)

    m = c.query("localhost.", "A")
    assert _local(m) and [r.address for r in _rrs(m, "A")] == ["127.0.0.1"]
    m = c.query("app.localhost.", "AAAA")
    assert _local(m) and [r.address for r in _rrs(m, "AAAA")] == ["::1"]
    for name in ("1.0.0.127.in-addr.arpa.", IP6_LOOPBACK):
        m = c.query(name, "PTR")
        assert _local(m) and [r.target.to_text() for r in _rrs(m, "PTR")] == ["localhost."]
    negative = ["x.test.", "x.invalid.", "facebookcorewwwi.onion.", "printer.home.arpa.",
                "5.1.168.192.in-addr.arpa.", "1.0.0.10.in-addr.arpa.", "9.0.20.172.in-addr.arpa.",
                "1.1.254.169.in-addr.arpa.", "1.2.0.192.in-addr.arpa.", "7.1.64.100.in-addr.arpa.",
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa.",
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa.",
                "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa."]
    for name in negative:
        m = c.query(name, "PTR")
        assert m.rcode() == dns.rcode.NXDOMAIN and _local(m), (name, m)
        assert _soa_ttl(m) == 10800, name   # RFC 6303 §3
    assert _sent_anywhere(counts) == 0, "a local name went out"

    assert _local_answers(c) - before == 4 + len(negative)


@pytest.mark.parametrize("switch,name", [
    ("local-zones-special-use", "x.test."),
    ("local-zones-private-reverse", "5.1.168.192.in-addr.arpa."),
    ("local-zones-home-arpa", "printer.home.arpa."),
    ("local-zones-onion", "facebookcorewwwi.onion."),
])
def test_each_builtin_group_switches_off(cairn, counts, switch, name):
    c = cairn({switch: False})
    counts.reset_counts()
    m = c.query(name, "PTR")
    assert not _local(m), "answered locally although switched off"
    assert counts.query_count("root-a") + counts.query_count("root-b") > 0


def test_nodefault_switches_one_builtin_zone_off(cairn, counts):
    c = cairn({"local-zones": [{"name": "10.in-addr.arpa", "type": "nodefault"}]})
    counts.reset_counts()
    assert not _local(c.query("1.0.0.10.in-addr.arpa.", "PTR"))
    assert counts.query_count("root-a") + counts.query_count("root-b") > 0
    assert _local(c.query("5.1.168.192.in-addr.arpa.", "PTR"))


LOCAL_POLICY = {
    "local-zones": [
        {"name": "blocked.example", "type": "refuse"},
        {"name": "silent.example", "type": "deny"},
        {"name": "ads.example", "type": "redirect"},
        {"name": "corp.example", "type": "static"},
        {"name": "plain.example", "type": "transparent"},
    ],
    "local-data": [
        "ads.example. 60 IN A 127.0.0.1",
        "www.corp.example. 300 IN A 192.0.2.80",
        "alias.corp.example. 90 CNAME www.plain.example.",
        "extra.plain.example. 120 A 192.0.2.81",
        "printer.home.arpa. A 192.168.1.5",
        "5.1.168.192.in-addr.arpa. PTR printer.home.arpa.",
    ],
}


def test_every_local_zone_type(cairn, counts):
    c = cairn(dict(LOCAL_POLICY))
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR   # warm
    counts.reset_counts()

    refused = c.query("www.blocked.example.", "A")
    assert refused.rcode() == dns.rcode.REFUSED
    assert [o.code for o in refused.options if isinstance(o, dns.edns.EDEOption)] == [EDE_BLOCKED]
    with pytest.raises(dns.exception.Timeout):
        c.query("www.silent.example.", "A", timeout=1.0)

    m = c.query("deep.tracker.ads.example.", "A")
    assert _local(m) and m.answer[0].name.to_text() == "deep.tracker.ads.example."
    assert [r.address for r in _rrs(m, "A")] == ["127.0.0.1"] and m.answer[0].ttl == 60

    m = c.query("www.corp.example.", "A")
    assert _local(m) and [r.address for r in _rrs(m, "A")] == ["192.0.2.80"]
    assert m.answer[0].ttl == 300
    m = c.query("nope.corp.example.", "A")
    assert m.rcode() == dns.rcode.NXDOMAIN and _local(m) and _soa_ttl(m) == 10800
    m = c.query("www.corp.example.", "MX")
    assert m.rcode() == dns.rcode.NOERROR and not m.answer and _local(m)

    m = c.query("extra.plain.example.", "A")
    assert _local(m) and [r.address for r in _rrs(m, "A")] == ["192.0.2.81"]
    m = c.query("extra.plain.example.", "AAAA")
    assert m.rcode() == dns.rcode.NOERROR and not m.answer and _local(m)

    m = c.query("printer.home.arpa.", "A")
    assert _local(m) and m.answer[0].ttl == 3600
    m = c.query("5.1.168.192.in-addr.arpa.", "PTR")
    assert [r.target.to_text() for r in _rrs(m, "PTR")] == ["printer.home.arpa."]
    assert c.query("6.1.168.192.in-addr.arpa.", "PTR").rcode() == dns.rcode.NXDOMAIN

    local_zones = ("blocked.example.", "silent.example.", "ads.example.", "corp.example.",
                   "home.arpa.", "in-addr.arpa.")
    for queries in counts.all_queries().values():
        for q in queries:
            assert not q.qname.lower().endswith(local_zones), f"{q.qname} went out"

    # Transparent: names without local data are resolved as usual.
    m = c.query("www.plain.example.", "A")
    assert m.rcode() == dns.rcode.NOERROR and _rrs(m, "A") and not _local(m)
    # A local CNAME whose target is not local: the target is resolved.
    m = c.query("alias.corp.example.", "A")
    assert m.answer[0].rdtype == dns.rdatatype.CNAME and m.answer[0].ttl == 90
    assert _rrs(m, "A"), m


def _rewrite(c, **changes):
    c.config.update(changes)
    with open(c.conf_path, "w") as f:
        f.write(to_yaml(c.config) + "\n")


def _address_within(c, name, expected, seconds=5.0):
    deadline = time.monotonic() + seconds
    seen = None
    while time.monotonic() < deadline:
        try:
            seen = [r.address for r in _rrs(c.query(name, "A", timeout=2.0), "A")]
        except dns.exception.Timeout:
            continue
        if seen == expected:
            break
        time.sleep(0.1)
    return seen


def test_reload_changes_local_data_and_zones(cairn):
    c = cairn({"local-data": ["printer.home.arpa. A 192.168.1.5"]})
    assert [r.address for r in _rrs(c.query("printer.home.arpa.", "A"), "A")] == ["192.168.1.5"]
    assert c.query("x.onion.", "A").rcode() == dns.rcode.NXDOMAIN
    # Resolved, so in the caches: local data given later must win over it.
    for _ in range(2):
        resolved = c.query("www.plain.example.", "A")
        assert not _local(resolved) and _rrs(resolved, "A")
    _rewrite(c, **{"local-data": ["printer.home.arpa. A 192.168.1.6",
                                  "www.plain.example. 30 A 192.0.2.99"],
                   "local-zones": [{"name": "onion", "type": "refuse"}]})
    os.kill(c.pid, signal.SIGHUP)
    assert _address_within(c, "printer.home.arpa.", ["192.168.1.6"]) == ["192.168.1.6"]
    assert c.query("x.onion.", "A").rcode() == dns.rcode.REFUSED
    m = c.query("www.plain.example.", "A")
    assert _local(m) and [r.address for r in _rrs(m, "A")] == ["192.0.2.99"]


def test_a_bad_record_is_refused_with_its_line(tmp_path):
    binary = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
    conf = tmp_path / "cairn.yaml"
    conf.write_text("listen: ['127.0.0.1:5399']\n"
                    "local-data:\n"
                    "  - \"printer.home.arpa. A 192.168.1.5\"\n"
                    "  - \"scanner.home.arpa. A 192.168.1.300\"\n")
    result = subprocess.run([binary, "--config", str(conf)], capture_output=True, text=True,
                            timeout=10)
    assert result.returncode != 0
    message = result.stdout + result.stderr
    assert f"{conf}:4" in message and "local-data" in message, message
    assert "scanner.home.arpa. A 192.168.1.300" in message, message


BUILTIN_NAMES = [("localhost.", "A"), ("www.localhost.", "AAAA"), ("x.test.", "A"),
                 ("x.invalid.", "A"), ("x.onion.", "A"), ("printer.home.arpa.", "A"),
                 ("1.0.0.127.in-addr.arpa.", "PTR"), (IP6_LOOPBACK, "PTR"),
                 ("5.1.168.192.in-addr.arpa.", "PTR"), ("1.2.3.10.in-addr.arpa.", "PTR"),
                 ("1.0.31.172.in-addr.arpa.", "PTR"), ("1.1.254.169.in-addr.arpa.", "PTR"),
                 ("1.2.127.100.in-addr.arpa.", "PTR"), ("1.0.0.0.d.f.ip6.arpa.", "PTR")]


def test_builtin_zones_answer_as_unbound_does(cairn, unbound):
    """Same rcode, AA and answer records as Unbound's default local zones. The
    SOA of negative answers differs on purpose: RFC 6303 §3 makes its MNAME
    the zone itself, Unbound writes `localhost.`."""
    c = cairn()
    u = unbound()
    for name, rdtype in BUILTIN_NAMES:
        ours, theirs = c.query(name, rdtype), u.query(name, rdtype)
        assert ours.rcode() == theirs.rcode(), (name, ours, theirs)
        assert _local(ours) == _local(theirs), (name, ours, theirs)
        assert sorted(rr.to_text() for rrset in ours.answer for rr in rrset) == \
            sorted(rr.to_text() for rrset in theirs.answer for rr in rrset), (name, ours, theirs)
