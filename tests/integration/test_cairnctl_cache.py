"""The cache and control commands of cairnctl against the mini-internet:
`cache dump` and `cache load` (a warm restart keeps TTLs honest and DNSSEC
verdicts), `flush NAME [--subtree] [--type T]`, `flush-bogus`,
`flush-infra`, `status`, `stats --json`."""

import json
import os
import time

import dns.flags
import dns.rcode

from control_helpers import cairnctl, cairnctl_ok, short_tmp, with_control  # noqa: F401


def _entries(dump: str) -> dict[tuple[str, str, str], str]:
    """(owner, type, kind) -> the whole line, for every entry of a dump."""
    out = {}
    for line in dump.splitlines():
        if not line or line.startswith(";"):
            continue
        owner, _ttl, _class, rtype, kind = line.split()[:5]
        out[(owner.lower(), rtype, kind)] = line
    return out


def _ttl(line: str) -> int:
    return int(line.split()[1])


def _asked(internet) -> list:
    return [q for queries in internet.all_queries().values() for q in queries]


def _warmed_up(resolver) -> None:
    """Waits for the start-up warm-up (root probes, priming, the root's keys)."""
    deadline = time.monotonic() + 10
    while (".", "DNSKEY", "rrset") not in _entries(cairnctl_ok(resolver, "cache", "dump")):
        assert time.monotonic() < deadline, "the root's keys never reached the cache"
        time.sleep(0.05)


def test_dump_stop_start_load_answers_from_the_cache_with_honest_ttls(mini_internet, cairn,
                                                                       short_tmp):
    first = with_control(cairn, short_tmp, "first.sock")
    answer = first.query("www.secure.example.", "A", dnssec=True)
    assert answer.rcode() == dns.rcode.NOERROR and answer.flags & dns.flags.AD
    ttl_before = answer.answer[0].ttl
    dump = cairnctl_ok(first, "cache", "dump")
    entries = _entries(dump)
    line = entries[("www.secure.example.", "A", "rrset")]
    assert " validated secure | " in line and " RRSIG A " in line, line
    assert ("secure.example.", "DNSKEY", "rrset") in entries
    path = os.path.join(short_tmp, "cache.dump")
    with open(path, "w") as f:
        f.write(dump)
    first.stop()
    # Long enough for the TTLs to have counted down a whole second.
    time.sleep(1.5)

    second = with_control(cairn, short_tmp, "second.sock")
    _warmed_up(second)
    mini_internet.reset_counts()
    before = json.loads(cairnctl_ok(second, "stats", "--json"))["resolver.upstream_queries"]
    loaded = cairnctl_ok(second, "cache", "load", path)
    assert loaded.startswith("ok: ") and "0 expired" in loaded, loaded
    answer = second.query("www.secure.example.", "A", dnssec=True)
    assert answer.rcode() == dns.rcode.NOERROR
    assert answer.flags & dns.flags.AD, "the Secure verdict was kept"
    assert 0 < answer.answer[0].ttl < ttl_before
    assert _asked(mini_internet) == [], "the answer came from the loaded cache"
    stats = json.loads(cairnctl_ok(second, "stats", "--json"))
    assert stats["resolver.upstream_queries"] == before and stats["resolver.cache_answers"] >= 1


def test_load_skips_what_expired_and_refuses_bad_files(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    old = os.path.join(short_tmp, "old.dump")
    with open(old, "w") as f:
        f.write(f"; time {int(time.time()) - 1000}\n"
                "www.old.example. 300 IN A rrset answer-auth insecure | "
                "www.old.example. 300 IN A 192.0.2.1\n"
                "long.old.example. 86400 IN A rrset answer-auth insecure | "
                "long.old.example. 86400 IN A 192.0.2.2\n")
    out = cairnctl_ok(c, "cache", "load", old)
    assert out == "ok: 1 RRset and 0 negative answers loaded, 1 expired since the dump, " \
                  "0 kept out by fresher data\n", out
    entries = _entries(cairnctl_ok(c, "cache", "dump"))
    assert ("long.old.example.", "A", "rrset") in entries
    assert 85000 < _ttl(entries[("long.old.example.", "A", "rrset")]) <= 86400 - 1000
    assert ("www.old.example.", "A", "rrset") not in entries

    bad = os.path.join(short_tmp, "bad.dump")
    with open(bad, "w") as f:
        f.write(f"; time {int(time.time())}\nwww.bad.example. 300 IN A rrset answer-auth shiny | "
                "www.bad.example. 300 IN A 192.0.2.1\n")
    out = cairnctl(c, "cache", "load", bad)
    assert out.returncode == 2 and f"{bad}:2: bad security 'shiny'" in out.stderr, out
    out = cairnctl(c, "cache", "load", os.path.join(short_tmp, "missing.dump"))
    assert out.returncode == 2 and "cannot read" in out.stderr, out
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR


def test_flush_a_name_a_type_or_a_subtree(mini_internet, cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    for name, rtype in [("www.secure.example.", "A"), ("www.secure.example.", "AAAA"),
                        ("mail.secure.example.", "A"), ("www.plain.example.", "A")]:
        assert c.query(name, rtype).rcode() == dns.rcode.NOERROR
    before = _entries(cairnctl_ok(c, "cache", "dump"))
    assert {("www.secure.example.", "AAAA", "rrset"), ("secure.example.", "NS", "rrset"),
            ("secure.example.", "DNSKEY", "rrset")} <= before.keys()

    out = cairnctl_ok(c, "flush", "www.secure.example.", "--type", "AAAA")
    assert out.startswith("ok: removed 1 RRset, 0 negative answers"), out
    after = _entries(cairnctl_ok(c, "cache", "dump"))
    assert before.keys() - after.keys() == {("www.secure.example.", "AAAA", "rrset")}
    # Asked again upstream; the A still comes from the cache.
    mini_internet.reset_counts()
    assert c.query("www.secure.example.", "AAAA").rcode() == dns.rcode.NOERROR
    assert c.query("www.secure.example.", "A").rcode() == dns.rcode.NOERROR
    asked = [(q.qname.lower(), q.qtype) for q in _asked(mini_internet)]
    assert asked == [("www.secure.example.", "AAAA")], asked

    cairnctl_ok(c, "flush", "www.secure.example.")
    after = _entries(cairnctl_ok(c, "cache", "dump"))
    assert not [k for k in after if k[0] == "www.secure.example."]
    assert ("mail.secure.example.", "A", "rrset") in after

    cairnctl_ok(c, "flush", "secure.example.", "--subtree")
    after = _entries(cairnctl_ok(c, "cache", "dump"))
    assert not [k for k in after if k[0].endswith("secure.example.")], sorted(after)
    assert {("www.plain.example.", "A", "rrset"), ("example.", "NS", "rrset"),
            ("example.", "DNSKEY", "rrset")} <= after.keys()
    # Gone from the packet cache too: the next answer is fetched again.
    mini_internet.reset_counts()
    assert c.query("mail.secure.example.", "A").rcode() == dns.rcode.NOERROR
    assert ("mail.secure.example.", "A") in [(q.qname.lower(), q.qtype)
                                             for q in _asked(mini_internet)]


def test_flush_bogus_removes_only_what_failed_validation(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    assert c.query("www.badsig.example.", "A").rcode() == dns.rcode.SERVFAIL
    assert c.query("www.secure.example.", "A").rcode() == dns.rcode.NOERROR
    entries = _entries(cairnctl_ok(c, "cache", "dump"))
    bogus = {k for k, line in entries.items() if line.split()[6].startswith("bogus")}
    assert ("www.badsig.example.", "A", "rrset") in bogus
    assert " bogus/6 | " in entries[("www.badsig.example.", "A", "rrset")]
    out = cairnctl_ok(c, "flush-bogus")
    assert out.startswith(f"ok: removed {len(bogus)} RRset"), out
    after = _entries(cairnctl_ok(c, "cache", "dump"))
    assert after.keys() == entries.keys() - bogus
    assert ("www.secure.example.", "A", "rrset") in after


def test_flush_infra_forgets_the_servers(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert json.loads(cairnctl_ok(c, "stats", "--json"))["cache.infra_entries"] > 0
    assert cairnctl_ok(c, "flush-infra") == "ok\n"
    assert json.loads(cairnctl_ok(c, "stats", "--json"))["cache.infra_entries"] == 0
    assert c.query("www.secure.example.", "A").rcode() == dns.rcode.NOERROR


def test_flush_without_a_name_still_empties_everything(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert _entries(cairnctl_ok(c, "cache", "dump"))
    assert cairnctl_ok(c, "flush") == "ok\n"
    assert _entries(cairnctl_ok(c, "cache", "dump")) == {}
    out = cairnctl(c, "flush", "--subtree")
    assert out.returncode == 1 and "need a NAME" in out.stderr, out
    out = cairnctl(c, "flush", "www.example.", "--type", "BOGUSTYPE")
    assert out.returncode == 2 and "unknown type" in out.stderr, out


def test_status_shows_version_uptime_config_threads_and_listeners(cairn, short_tmp):
    c = with_control(cairn, short_tmp, threads=2)
    status = dict(line.split(" ", 1) for line in cairnctl_ok(c, "status").splitlines()
                  if " " in line and not line.startswith("listen "))
    listens = [line for line in cairnctl_ok(c, "status").splitlines() if line.startswith("listen ")]
    assert status["version"].count(".") == 2
    assert status["uptime"].endswith("s")
    assert status["config"] == c.conf_path
    assert status["threads"] == "2"
    assert listens == [f"listen 127.0.0.1:{c.port} udp tcp"]
    assert status["control-socket"] == c.config["control-socket"]


def test_stats_json_has_the_counters_of_stats(cairn, short_tmp):
    c = with_control(cairn, short_tmp)
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    doc = json.loads(cairnctl_ok(c, "stats", "--json"))
    names = [line.split()[0] for line in cairnctl_ok(c, "stats").splitlines()]
    assert list(doc) == names
    assert doc["server.queries_udp"] >= 1 and doc["resolver.client_queries"] >= 1
