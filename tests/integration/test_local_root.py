"""A local copy of the root zone (RFC 8806) with ZONEMD (RFC 8976).

The mini-internet's root zone, signed again by ldns-signzone with the root's
own keys and a ZONEMD (-z 1:1), is served for transfer by an NSD of its own
on a spare address (`provide-xfr` to loopback). Cairn with `local-root` on
takes it from there, and then answers from memory what it would have asked
the root servers: names resolve and validate while root-a and root-b see no
query. A tampered copy (data changed after signing: the ZONEMD digest no
longer matches; or a broken signature over the ZONEMD) is refused with a
log line and a counter, and Cairn asks the root servers instead. A new
serial is picked up after the SOA refresh time.
"""

from __future__ import annotations

import base64
import os
import re
import signal
import subprocess
import time

import dns.flags
import dns.rcode
import pytest

from control_helpers import short_tmp  # noqa: F401  (fixture: a short path for the control socket)
from hierarchy import spare_addr
from nsd import NsdServer, ZoneFile
from resolver_helpers import cairn_stats
from resolvers import to_yaml
from signing import LDNS_SIGNZONE

REFRESH = 2     # SOA refresh of the served copy, seconds
SOURCE_INDEX = 201


def unsigned_root(mini_internet) -> str:
    signed = mini_internet.zonefiles[(".", True)]
    assert signed.endswith(".signed"), signed
    with open(signed[: -len(".signed")]) as f:
        return f.read()


def with_soa(text: str, serial: int, expire: int = 86400) -> str:
    """The root zone text with its SOA's serial and timers set (retry 1 s)."""
    pattern = re.compile(
        r"^(\.\s+(?:\d+\s+)?IN\s+SOA\s+\S+\s+\S+\s+)(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", re.M)
    assert pattern.search(text), "no SOA line in the root zone"
    return pattern.sub(lambda m: f"{m.group(1)}{serial} {REFRESH} 1 {expire}", text, count=1)


def sign_with_zonemd(mini_internet, text: str, directory: str, name: str) -> str:
    """Signs `text` with the root's keys and a SHA-384 ZONEMD; the signed path."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w") as f:
        f.write(text)
    now = int(time.time())
    keys = mini_internet.keys["."]
    subprocess.run([LDNS_SIGNZONE, "-z", "1:1", "-o", ".", "-f", path + ".signed",
                    "-i", str(now - 3600), "-e", str(now + 30 * 86400), path] + keys.basenames(),
                   check=True, capture_output=True, text=True)
    return path + ".signed"


def tamper_glue(path: str) -> None:
    """Changes a glue address after signing: only the ZONEMD digest covers it."""
    with open(path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        fields = line.split()
        if len(fields) == 5 and fields[0] == "a.root-servers.cairn." and fields[3] == "A":
            lines[i] = "\t".join(fields[:4] + ["192.0.2.66"])
            break
    else:
        raise AssertionError("no glue for a.root-servers.cairn. in the signed root")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def break_zonemd_signature(path: str) -> None:
    """Flips signature bits of the RRSIG over the ZONEMD RRset."""
    with open(path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        fields = line.split()
        if len(fields) > 12 and fields[3] == "RRSIG" and fields[4] == "ZONEMD":
            signature = bytearray(base64.b64decode("".join(fields[12:])))
            signature[10] ^= 0xFF
            lines[i] = "\t".join(fields[:12] + [base64.b64encode(bytes(signature)).decode()])
            break
    else:
        raise AssertionError("no RRSIG over the ZONEMD in the signed root")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


class RootSource:
    """An NSD serving the root zone for transfer to loopback."""

    def __init__(self, address: str, workdir: str, zonefile: str):
        self.server = NsdServer("root-xfr", address, workdir, [ZoneFile(".", zonefile)])
        with open(self.server.conf_path) as f:
            conf = f.read()
        with open(self.server.conf_path, "w") as f:
            f.write(conf + "    provide-xfr: 127.0.0.0/8 NOKEY\n")

    def start(self) -> "RootSource":
        self.server.start()
        self.server.wait_ready()
        return self

    def restart(self, zonefile: str) -> None:
        """Serves `zonefile` from now on (a new version of the zone)."""
        self.server.stop()
        with open(self.server.conf_path) as f:
            conf = f.read()
        conf = re.sub(r'zonefile: ".*"', f'zonefile: "{zonefile}"', conf)
        with open(self.server.conf_path, "w") as f:
            f.write(conf)
        self.start()

    def stop(self) -> None:
        self.server.stop()


@pytest.fixture
def root_source(mini_internet, tmp_path):
    """Factory: root_source(zonefile) -> a started RootSource on the spare address."""
    started = []

    def start(zonefile: str) -> RootSource:
        s = RootSource(spare_addr(mini_internet.net, SOURCE_INDEX), str(tmp_path / "root-xfr"),
                       zonefile)
        started.append(s)
        return s.start()

    yield start
    for s in started:
        s.stop()


def local_root_cairn(cairn, mini_internet, control_dir, name="ctl.sock", **extra):
    config = {
        "local-root": True,
        "local-root-sources": [spare_addr(mini_internet.net, SOURCE_INDEX)],
        "control-socket": os.path.join(control_dir, name),
    }
    config.update(extra)
    return cairn(config)


def wait_for(predicate, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def stats(c) -> dict[str, float]:
    return cairn_stats(c.config["control-socket"])


def root_queries(counts) -> int:
    return counts.query_count("root-a") + counts.query_count("root-b")


def test_answers_come_from_the_local_copy(mini_internet, counts, cairn, root_source, tmp_path, short_tmp):
    zone = sign_with_zonemd(mini_internet, with_soa(unsigned_root(mini_internet), 1000),
                            str(tmp_path / "zones"), "root.zone")
    root_source(zone)
    c = local_root_cairn(cairn, mini_internet, short_tmp)
    wait_for(lambda: stats(c).get("local_root.loaded") == 1, "the local root copy")
    s = stats(c)
    assert s["local_root.serial"] == 1000
    assert "local root: serial 1000 from" in c.output(200)
    counts.reset_counts()

    for qname, rdtype in [("www.secure.example.", "A"), ("www.secure3.cairn.", "A"),
                          ("www.plain.example.", "AAAA")]:
        r = c.query(qname, rdtype, dnssec=True)
        assert r.rcode() == dns.rcode.NOERROR, (qname, r)
        assert r.answer, (qname, r)
        assert (r.flags & dns.flags.AD) == (0 if "plain" in qname else dns.flags.AD), (qname, r)
    r = c.query("nonexistent-tld-for-local-root.", "A", dnssec=True)
    assert r.rcode() == dns.rcode.NXDOMAIN
    assert r.flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) == 0, counts.all_queries()
    assert counts.query_count("example-1") + counts.query_count("example-2") >= 1
    assert stats(c)["local_root.answers"] >= 4
    assert "root priming: 2 root servers from the local root copy" in c.output(200)


@pytest.mark.parametrize("breakage, kind", [(tamper_glue, "zonemd"),
                                             (break_zonemd_signature, "zonemd_signature")])
def test_tampered_copy_is_refused(mini_internet, counts, cairn, root_source, tmp_path, short_tmp,
                                  breakage, kind):
    zone = sign_with_zonemd(mini_internet, with_soa(unsigned_root(mini_internet), 1000),
                            str(tmp_path / "zones"), "root.zone")
    breakage(zone)
    root_source(zone)
    c = local_root_cairn(cairn, mini_internet, short_tmp)
    wait_for(lambda: stats(c).get(f"local_root.failures.{kind}", 0) >= 1, f"a {kind} failure")
    assert stats(c)["local_root.loaded"] == 0
    assert re.search(r"local root: copy refused from .*; asking the root servers", c.output(200)), \
        c.output(200)
    counts.reset_counts()
    r = c.query("www.secure.example.", "A", dnssec=True)
    assert r.rcode() == dns.rcode.NOERROR
    assert r.flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) >= 1
    assert stats(c)["local_root.fallbacks"] >= 1


def test_new_serial_is_picked_up_after_refresh(mini_internet, counts, cairn, root_source,
                                                tmp_path, short_tmp):
    text = unsigned_root(mini_internet)
    first = sign_with_zonemd(mini_internet, with_soa(text, 1000), str(tmp_path / "v1"), "root.zone")
    source = root_source(first)
    c = local_root_cairn(cairn, mini_internet, short_tmp)
    wait_for(lambda: stats(c).get("local_root.serial") == 1000, "serial 1000")
    # An SOA query after `refresh` finds the same serial: the copy's age
    # starts again, and nothing is transferred.
    ages = []

    def refreshed() -> bool:
        ages.append(stats(c)["local_root.age_seconds"])
        return len(ages) > 1 and ages[-1] < max(ages)

    wait_for(refreshed, "an SOA refresh")
    assert c.output(500).count("local root: serial 1000 from") == 1

    second = sign_with_zonemd(mini_internet, with_soa(text, 1001), str(tmp_path / "v2"),
                              "root.zone")
    source.restart(second)
    wait_for(lambda: stats(c).get("local_root.serial") == 1001, "serial 1001")
    assert "local root: serial 1001 from" in c.output(200)
    assert stats(c)["local_root.loaded"] == 1
    counts.reset_counts()
    assert c.query("www.secure.example.", "A", dnssec=True).flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) == 0


def test_kept_copy_is_used_at_start(mini_internet, counts, cairn, root_source, tmp_path, short_tmp):
    zone = sign_with_zonemd(mini_internet, with_soa(unsigned_root(mini_internet), 1000),
                            str(tmp_path / "zones"), "root.zone")
    source = root_source(zone)
    kept = str(tmp_path / "kept-root.zone")
    first = local_root_cairn(cairn, mini_internet, short_tmp, "ctl1.sock",
                              **{"local-root-file": kept})
    wait_for(lambda: stats(first).get("local_root.loaded") == 1, "the local root copy")
    wait_for(lambda: os.path.exists(kept), "the kept copy")
    first.stop()
    source.stop()

    # No source answers now: the copy kept in the file is used.
    second = local_root_cairn(cairn, mini_internet, short_tmp, "ctl2.sock",
                              **{"local-root-file": kept})
    wait_for(lambda: stats(second).get("local_root.loaded") == 1, "the kept copy in use")
    assert f"local root: serial 1000 from {kept}" in second.output(200)
    counts.reset_counts()
    assert second.query("www.secure.example.", "A", dnssec=True).flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) == 0


def test_copy_past_soa_expire_is_dropped(mini_internet, counts, cairn, root_source, tmp_path,
                                         short_tmp):
    zone = sign_with_zonemd(mini_internet, with_soa(unsigned_root(mini_internet), 1000, expire=4),
                            str(tmp_path / "zones"), "root.zone")
    source = root_source(zone)
    c = local_root_cairn(cairn, mini_internet, short_tmp)
    wait_for(lambda: stats(c).get("local_root.loaded") == 1, "the local root copy")
    source.stop()   # no refresh from here on
    wait_for(lambda: stats(c).get("local_root.failures.expired", 0) >= 1, "the copy to expire")
    assert stats(c)["local_root.loaded"] == 0
    assert "local root: serial 1000 expired" in c.output(200)
    counts.reset_counts()
    r = c.query("www.secure.example.", "A", dnssec=True)
    assert r.flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) >= 1


def test_local_root_follows_a_reload(mini_internet, counts, cairn, root_source, tmp_path,
                                     short_tmp):
    zone = sign_with_zonemd(mini_internet, with_soa(unsigned_root(mini_internet), 1000),
                            str(tmp_path / "zones"), "root.zone")
    root_source(zone)
    c = cairn({"control-socket": os.path.join(short_tmp, "ctl.sock")})
    assert "local_root.loaded" not in stats(c)     # off: no local_root counters

    c.config.update({"local-root": True,
                     "local-root-sources": [spare_addr(mini_internet.net, SOURCE_INDEX)]})
    with open(c.conf_path, "w") as f:
        f.write(to_yaml(c.config) + "\n")
    os.kill(c.pid, signal.SIGHUP)
    wait_for(lambda: stats(c).get("local_root.loaded") == 1, "the local root copy after reload")
    counts.reset_counts()
    assert c.query("www.secure.example.", "A", dnssec=True).flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) == 0

    c.config["local-root"] = False
    with open(c.conf_path, "w") as f:
        f.write(to_yaml(c.config) + "\n")
    os.kill(c.pid, signal.SIGHUP)
    wait_for(lambda: "local_root.loaded" not in stats(c), "local root off after reload")
    counts.reset_counts()
    assert c.query("www.secure3.cairn.", "A", dnssec=True).flags & dns.flags.AD
    counts.sync()
    assert root_queries(counts) >= 1
