"""Response policy zones (`rpz`): every trigger (QNAME, wildcard QNAME,
client IP, response IP, NSDNAME, NSIP) and action (NXDOMAIN, NODATA,
PASSTHRU, DROP, TCP-only, local data, CNAME rewrite) against the
mini-internet, the Extended DNS Errors (RFC 8914 15/16/17), zones in order,
the packet cache after a new rule, a bad file on reload, the hit counters;
and zones transferred from NSD: AXFR at start, a change announced by NOTIFY,
a change found by the SOA refresh timer alone, a primary that goes away."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
import urllib.request

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.opcode
import dns.query
import dns.rcode
import dns.rdatatype
import pytest

from control_helpers import short_tmp, with_control  # noqa: F401 (fixture)
from hierarchy import data_addr, spare_addr
from nsd import NsdServer, ZoneFile
from resolver_helpers import cairn_stats
from resolvers import free_port

SOA = "@ SOA ns.{zone} admin.{zone} {serial} {refresh} {retry} 86400 30"


def zone_text(zone: str, serial: int, rules: str, refresh: int = 3600, retry: int = 600) -> str:
    return ("$TTL 60\n" + SOA.format(zone=zone, serial=serial, refresh=refresh, retry=retry) +
            f"\n@ NS ns.{zone}\n" + rules)


def ip_labels(address: str) -> str:
    """32.d.c.b.a: a host IPv4 address as an RPZ trigger."""
    return "32." + ".".join(reversed(address.split(".")))


def rules(net: str) -> str:
    return "\n".join([
        "www.plain.example CNAME .",
        "*.wild.plain.example CNAME *.",
        "ok.wild.plain.example CNAME rpz-passthru.",
        "drop.plain.example CNAME rpz-drop.",
        "tcp.wild.plain.example CNAME rpz-tcp-only.",
        "local.plain.example A 192.0.2.80",
        "local.plain.example TXT \"policy\"",
        "walled.plain.example CNAME www.secure.example.",
        "www.secure3.cairn CNAME .",
        "hop.infra.cairn CNAME .",
        f"{ip_labels(data_addr(net, 201, 1))}.rpz-ip CNAME .",
        f"{ip_labels(data_addr(net, 201, 2))}.rpz-ip CNAME *.",
        f"{ip_labels('127.0.0.7')}.rpz-client-ip CNAME .",
        "gns1.infra.cairn.rpz-nsdname CNAME .",
        f"{ip_labels(net + '.3.2')}.rpz-nsip CNAME *.",
        "",
    ])


def query(c, qname: str, rdtype: str = "A", tcp: bool = False, source: str | None = None,
          dnssec: bool = False, timeout: float = 10.0) -> dns.message.Message:
    q = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232, want_dnssec=dnssec)
    fn = dns.query.tcp if tcp else dns.query.udp
    return fn(q, "127.0.0.1", port=c.port, timeout=timeout, source=source)


def ede_codes(r: dns.message.Message) -> list[int]:
    return [o.code for o in r.options if o.otype == dns.edns.EDE]


def addresses(r: dns.message.Message) -> list[str]:
    return [rd.address for rrset in r.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset]


@pytest.fixture
def policy_files(tmp_path, mini_internet):
    main = tmp_path / "rpz.test.zone"
    main.write_text(zone_text("rpz.test.", 1, rules(mini_internet.net)))
    censored = tmp_path / "censored.test.zone"
    censored.write_text(zone_text("censored.test.", 1, "www.plain.example CNAME *.\n"
                                                       "www.zz-censor.plain.example CNAME .\n"
                                                       "mail.secure.example CNAME .\n"))
    return main, censored


@pytest.fixture
def rpz_cairn(cairn, short_tmp, policy_files):
    main, censored = policy_files
    return with_control(cairn, short_tmp, rpz=[
        {"name": "rpz.test.", "file": str(main), "log": True},
        {"name": "censored.test.", "file": str(censored), "ede": "censored"},
    ])


def test_qname_actions(rpz_cairn, mini_internet):
    net = mini_internet.net
    r = query(rpz_cairn, "www.plain.example.")
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert ede_codes(r) == [15]
    assert not r.flags & dns.flags.AD
    # The policy zone's SOA, for negative caching.
    assert [str(rrset.name) for rrset in r.authority] == ["rpz.test."]

    r = query(rpz_cairn, "a.wild.plain.example.")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and ede_codes(r) == [15]

    r = query(rpz_cairn, "ok.wild.plain.example.")
    assert addresses(r) == [data_addr(net, 202, 1)] and ede_codes(r) == []

    r = query(rpz_cairn, "local.plain.example.")
    assert addresses(r) == ["192.0.2.80"] and ede_codes(r) == [15]
    r = query(rpz_cairn, "local.plain.example.", "TXT")
    assert [rd.strings for rrset in r.answer for rd in rrset] == [(b"policy",)]
    r = query(rpz_cairn, "local.plain.example.", "AAAA")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer

    r = query(rpz_cairn, "walled.plain.example.")
    assert r.answer[0].rdtype == dns.rdatatype.CNAME
    assert str(r.answer[0][0].target) == "www.secure.example."
    assert addresses(r) == [data_addr(net, 200, 2)]
    assert ede_codes(r) == [15] and not r.flags & dns.flags.AD

    # Not a rule: answered as usual.
    r = query(rpz_cairn, "www.secure.example.")
    assert addresses(r) == [data_addr(net, 200, 2)] and ede_codes(r) == []


def test_qname_rules_apply_along_the_cname_chain(rpz_cairn):
    # chain.plain.example -> hop.infra.cairn (a rule) -> www.secure.example
    r = query(rpz_cairn, "chain.plain.example.")
    assert r.rcode() == dns.rcode.NXDOMAIN and ede_codes(r) == [15]
    assert [(str(rrset.name), rrset.rdtype) for rrset in r.answer] == [
        ("chain.plain.example.", dns.rdatatype.CNAME)]
    assert str(r.answer[0][0].target) == "hop.infra.cairn."


def test_drop_and_tcp_only(rpz_cairn, mini_internet):
    with pytest.raises(dns.exception.Timeout):
        query(rpz_cairn, "drop.plain.example.", timeout=1.5)
    r = query(rpz_cairn, "tcp.wild.plain.example.")
    assert r.flags & dns.flags.TC and not r.answer
    r = query(rpz_cairn, "tcp.wild.plain.example.", tcp=True)
    assert addresses(r) == [data_addr(mini_internet.net, 202, 1)]


def test_client_response_ip_nsdname_nsip(rpz_cairn, mini_internet):
    net = mini_internet.net
    # Client IP 127.0.0.7: every name blocked; 127.0.0.1 unaffected.
    r = query(rpz_cairn, "www.secure.example.", source="127.0.0.7")
    assert r.rcode() == dns.rcode.NXDOMAIN and ede_codes(r) == [15]
    assert query(rpz_cairn, "www.secure.example.").rcode() == dns.rcode.NOERROR

    # Response IP: mail.plain.example's A is in the zone.
    r = query(rpz_cairn, "mail.plain.example.")
    assert r.rcode() == dns.rcode.NXDOMAIN and ede_codes(r) == [15]
    # ... also when asked again (nothing of it went into the packet cache).
    assert query(rpz_cairn, "mail.plain.example.").rcode() == dns.rcode.NXDOMAIN

    # NSDNAME: glueless.example's name servers are gns1/gns2.infra.cairn.
    r = query(rpz_cairn, "www.glueless.example.")
    assert r.rcode() == dns.rcode.NXDOMAIN and ede_codes(r) == [15]

    # NSIP: dead.example's ns1 is at the dead address N.3.2.
    r = query(rpz_cairn, "www.dead.example.")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and ede_codes(r) == [15]


def test_zones_in_order_and_their_ede(rpz_cairn):
    # Both zones list www.plain.example: the first (NXDOMAIN) wins.
    assert query(rpz_cairn, "www.plain.example.").rcode() == dns.rcode.NXDOMAIN
    # The second zone's QNAME rule for mail.secure.example (NXDOMAIN) loses
    # to the first zone's response-IP rule for its address (NODATA).
    r = query(rpz_cairn, "mail.secure.example.")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer and ede_codes(r) == [15]
    r = query(rpz_cairn, "www.zz-censor.plain.example.")
    assert r.rcode() == dns.rcode.NXDOMAIN and ede_codes(r) == [16]


def test_dnssec_secure_answers_pass_for_do_clients(rpz_cairn, mini_internet):
    r = query(rpz_cairn, "www.secure3.cairn.")
    assert r.rcode() == dns.rcode.NXDOMAIN
    r = query(rpz_cairn, "www.secure3.cairn.", dnssec=True)
    assert r.rcode() == dns.rcode.NOERROR and r.flags & dns.flags.AD
    assert addresses(r) == [data_addr(mini_internet.net, 200, 3)]


def test_counters_in_stats_and_log(rpz_cairn):
    query(rpz_cairn, "www.plain.example.")
    query(rpz_cairn, "www.plain.example.")
    query(rpz_cairn, "a.wild.plain.example.")
    stats = cairn_stats(rpz_cairn.config["control-socket"])
    assert stats["rpz.hits.qname.nxdomain.rpz.test."] == 2
    assert stats["rpz.hits.qname.nodata.rpz.test."] == 1
    assert stats["rpz.serial.rpz.test."] == 1
    assert stats["rpz.rules.rpz.test."] == 14
    assert stats["rpz.loads.censored.test."] == 1
    assert ("rpz: www.plain.example. A from 127.0.0.0/24: answered nxdomain by qname rule "
            "www.plain.example.rpz.test. in rpz.test." in rpz_cairn.output(200))


def test_metrics_page_labels_hits_by_zone_trigger_and_action(cairn, short_tmp, policy_files):
    main, _ = policy_files
    port = free_port()
    c = with_control(cairn, short_tmp, rpz=[{"name": "rpz.test.", "file": str(main)}],
                     **{"metrics-listen": [f"127.0.0.1:{port}"]})
    query(c, "www.plain.example.")
    query(c, "a.wild.plain.example.")
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        text = r.read().decode()
    assert ('cairn_rpz_hits_total{zone="rpz.test.",trigger="qname",action="nxdomain"} 1'
            in text.splitlines())
    assert ('cairn_rpz_hits_total{zone="rpz.test.",trigger="qname",action="nodata"} 1'
            in text.splitlines())
    assert 'cairn_rpz_serial{zone="rpz.test."} 1' in text.splitlines()
    promtool = shutil.which("promtool") or "/usr/bin/promtool"
    out = subprocess.run([promtool, "check", "metrics"], input=text, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and not out.stdout.strip() and not out.stderr.strip(), (
        out.stdout + out.stderr)


def test_reload_new_rule_beats_the_packet_cache_and_bad_file_keeps_policy(
        rpz_cairn, policy_files, mini_internet):
    main, _ = policy_files
    net = mini_internet.net
    # Answered and kept in the packet cache...
    assert addresses(query(rpz_cairn, "www.secure.example.")) == [data_addr(net, 200, 2)]
    assert addresses(query(rpz_cairn, "www.secure.example.")) == [data_addr(net, 200, 2)]
    # ... until a response-IP rule for its address comes: the packet cache
    # goes with the old policy (a QNAME rule would be checked before it).
    main.write_text(zone_text("rpz.test.", 2, rules(net) +
                              f"{ip_labels(data_addr(net, 200, 2))}.rpz-ip CNAME .\n"))
    os.kill(rpz_cairn.pid, signal.SIGHUP)
    wait_for(lambda: query(rpz_cairn, "www.secure.example.").rcode() == dns.rcode.NXDOMAIN,
             "the new rule after reload")
    main.write_text("this is not a zone file\n")
    os.kill(rpz_cairn.pid, signal.SIGHUP)
    wait_for(lambda: cairn_stats(rpz_cairn.config["control-socket"])
             ["rpz.load_failures.rpz.test."] == 1, "the failed load counted")
    assert query(rpz_cairn, "www.secure.example.").rcode() == dns.rcode.NXDOMAIN
    stats = cairn_stats(rpz_cairn.config["control-socket"])
    assert stats["rpz.serial.rpz.test."] == 2
    assert "keeping serial 2" in rpz_cairn.output(200)


def test_policy_overrides(cairn, short_tmp, tmp_path, mini_internet):
    disabled = tmp_path / "disabled.test.zone"
    disabled.write_text(zone_text("disabled.test.", 1, "www.plain.example CNAME .\n"))
    garden = tmp_path / "garden.test.zone"
    garden.write_text(zone_text("garden.test.", 1, "www.plain.example CNAME .\n"
                                                   "mail.plain.example CNAME rpz-drop.\n"))
    c = with_control(cairn, short_tmp, rpz=[
        {"name": "disabled.test.", "file": str(disabled), "policy": "disabled"},
        {"name": "garden.test.", "file": str(garden), "policy": "cname",
         "cname": "www.secure.example.", "ede": "filtered"},
    ])
    # The disabled zone's rule is counted, not applied; the next zone's
    # rules all become the CNAME to the walled garden.
    for name in ("www.plain.example.", "mail.plain.example."):
        r = query(c, name)
        assert r.answer[0].rdtype == dns.rdatatype.CNAME
        assert str(r.answer[0][0].target) == "www.secure.example."
        assert addresses(r) == [data_addr(mini_internet.net, 200, 2)]
        assert ede_codes(r) == [17]
    stats = cairn_stats(c.config["control-socket"])
    assert stats["rpz.disabled_hits.disabled.test."] == 1
    assert stats["rpz.hits.qname.local-data.garden.test."] == 2


def wait_for(condition, what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never saw {what}")
        time.sleep(0.1)


# Zones transferred from NSD.

class PrimaryNsd(NsdServer):
    """NSD as a primary: zone transfers allowed, NOTIFY to the resolver."""

    def __init__(self, *args, notify: dict[str, str], **kw):
        self.notify = notify
        super().__init__(*args, **kw)

    def _write_config(self) -> None:
        super()._write_config()
        with open(self.conf_path) as f:
            text = f.read()
        text = text.replace("    xfrd-tcp-max: 1\n", "    xfrd-tcp-max: 4\n")
        for z in self.zones:
            # NOTIFY goes out from the primary's own address.
            extra = (f"    provide-xfr: 127.0.0.0/8 NOKEY\n"
                     f"    outgoing-interface: {self.address}\n")
            if z.name in self.notify:
                extra += f"    notify: {self.notify[z.name]} NOKEY\n"
            text = text.replace(f'    zonefile: "{z.path}"\n', f'    zonefile: "{z.path}"\n' + extra)
        with open(self.conf_path, "w") as f:
            f.write(text)

    def reload(self) -> None:
        os.kill(self.proc.pid, signal.SIGHUP)


@pytest.fixture
def primary_setup(cairn, short_tmp, tmp_path, mini_internet):
    address = spare_addr(mini_internet.net, 53)
    feed = tmp_path / "feed.test.zone"
    feed.write_text(zone_text("feed.test.", 1, "www.plain.example CNAME .\n"))
    timed = tmp_path / "timed.test.zone"
    timed.write_text(zone_text("timed.test.", 1, "mail.plain.example CNAME *.\n", refresh=1, retry=1))
    c = with_control(cairn, short_tmp, rpz=[
        {"name": "feed.test.", "primaries": [address]},
        {"name": "timed.test.", "primaries": [address], "min-refresh": "1s"},
    ])
    nsd = PrimaryNsd("rpz-primary", address, str(tmp_path / "nsd"),
                     [ZoneFile("feed.test.", str(feed)), ZoneFile("timed.test.", str(timed))],
                     notify={"feed.test.": f"127.0.0.1@{c.port}"})
    nsd.start()
    nsd.wait_ready()
    yield c, nsd, feed, timed
    nsd.stop()


def stat(c, name: str) -> float:
    return cairn_stats(c.config["control-socket"]).get(name, 0)


def test_axfr_at_start_then_notify_and_soa_refresh(primary_setup):
    c, nsd, feed, timed = primary_setup
    wait_for(lambda: stat(c, "rpz.serial.feed.test.") == 1 and stat(c, "rpz.serial.timed.test.") == 1,
             "both zones transferred")
    assert query(c, "www.plain.example.").rcode() == dns.rcode.NXDOMAIN
    r = query(c, "mail.plain.example.")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer

    # A new serial on the primary: feed.test. learns it by NOTIFY (its SOA
    # refresh is an hour), timed.test. by its 1 s refresh timer (no NOTIFY).
    feed.write_text(zone_text("feed.test.", 2, "www.secure.example CNAME .\n"))
    timed.write_text(zone_text("timed.test.", 2, "www.glueless.example CNAME *.\n",
                               refresh=1, retry=1))
    nsd.reload()
    wait_for(lambda: stat(c, "rpz.serial.feed.test.") == 2, "feed.test. serial 2 after NOTIFY")
    wait_for(lambda: stat(c, "rpz.serial.timed.test.") == 2, "timed.test. serial 2 by refresh")
    assert query(c, "www.secure.example.").rcode() == dns.rcode.NXDOMAIN
    assert query(c, "www.plain.example.").rcode() == dns.rcode.NOERROR
    r = query(c, "www.glueless.example.")
    assert r.rcode() == dns.rcode.NOERROR and not r.answer

    # The primary goes away: the policy stays, the failures are counted.
    nsd.stop()
    failures = stat(c, "rpz.load_failures.timed.test.")
    wait_for(lambda: stat(c, "rpz.load_failures.timed.test.") > failures, "a failed refresh")
    assert query(c, "www.secure.example.").rcode() == dns.rcode.NXDOMAIN
    assert stat(c, "rpz.serial.feed.test.") == 2


def notify(c, zone: str, source: str) -> dns.message.Message:
    q = dns.message.make_query(zone, "SOA")
    q.set_opcode(dns.opcode.NOTIFY)
    q.flags |= dns.flags.AA
    q.flags &= ~dns.flags.RD
    return dns.query.udp(q, "127.0.0.1", port=c.port, timeout=5, source=source)


def test_notify_only_from_the_primary(primary_setup, mini_internet):
    c, nsd, _, _ = primary_setup
    r = notify(c, "feed.test.", "127.0.0.1")
    assert r.rcode() == dns.rcode.REFUSED
    r = notify(c, "feed.test.", nsd.address)
    assert r.rcode() == dns.rcode.NOERROR and r.opcode() == dns.opcode.NOTIFY
    assert r.flags & dns.flags.AA and r.flags & dns.flags.QR
    assert str(r.question[0].name) == "feed.test."
    r = notify(c, "other.test.", nsd.address)
    assert r.rcode() == dns.rcode.REFUSED
