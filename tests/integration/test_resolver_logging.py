"""What Cairn logs below apps/: root priming, lame servers, unreachable zones
and DNSSEC failures, each with the zone, the server and the reason, and each
rate-limited so that a flood of failures cannot flood the log."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import dns.rcode

from resolvers import free_port

REPO = Path(__file__).resolve().parents[2]


def _wait_for(c, text, seconds=5.0):
    deadline = time.monotonic() + seconds
    while text not in c.output(400) and time.monotonic() < deadline:
        time.sleep(0.1)
    return text in c.output(400)


def test_priming_is_logged(cairn):
    c = cairn()
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert _wait_for(c, "root priming: "), c.output()


def test_a_bogus_answer_is_logged_with_its_server_and_reason(cairn):
    c = cairn()
    msg = c.query("www.expired.example.", "A", dnssec=True)
    assert msg.rcode() == dns.rcode.SERVFAIL
    assert _wait_for(c, "www.expired.example. A from 127."), c.output()
    line = next(l for l in c.output(400).splitlines() if "www.expired.example. A from" in l)
    assert "[warning]" in line and "DNSSEC" in line and "EDE " in line, line


def test_a_lame_server_is_logged(cairn):
    """lame.example.'s ns1 answers REFUSED, ns2 works: until the lame one
    is picked, names resolve without a word. Once ns2 has answered it is the
    faster server and ns1 is only tried when the selector explores (one query
    in 20), so enough names are asked for that to happen almost surely."""
    c = cairn()
    for i in range(400):
        assert c.query(f"n{i}.lame.example.", "A").rcode() in (dns.rcode.NOERROR,
                                                               dns.rcode.NXDOMAIN)
        if "is lame for lame.example." in c.output(400):
            break
    assert _wait_for(c, "is lame for lame.example. (REFUSED to "), c.output()


def test_an_unreachable_zone_is_logged(cairn):
    c = cairn({"upstream-deny": ["127.0.0.0/8"]})     # no server may be asked
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.SERVFAIL
    assert _wait_for(c, "no usable answer from the servers of"), c.output()
    # The zone (the root, as nothing may be asked) and the question asked.
    assert "no usable answer from the servers of . (0 tried" in c.output(400), c.output()
    assert " asked for " in c.output(400), c.output()


def test_failures_are_rate_limited(cairn):
    """Many distinct bogus names: at most 20 lines a minute, then a line
    that says how many were held back (in the next minute)."""
    c = cairn()
    for i in range(40):
        c.query(f"n{i}.nokey.example.", "A", dnssec=True)
    time.sleep(0.5)
    lines = [l for l in c.output(2000).splitlines() if "DNSSEC bogus for" in l]
    assert len(lines) == 20, "\n".join(lines)


def test_log_file_takes_the_log_and_a_bad_one_stops_the_start(cairn, tmp_path, mini_internet):
    log = tmp_path / "cairn.log"
    c = cairn({"log-file": str(log)})
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    deadline = time.monotonic() + 5
    while "root priming: " not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    text = log.read_text()
    assert "started: 1 worker thread" in text and "root priming: " in text, text
    assert "DNSSEC validation on; trust anchors: . (" in text, text
    assert "root priming" not in c.output(), "the log went to stderr too"

    binary = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
    conf = tmp_path / "bad.yaml"
    (tmp_path / "a-file").write_text("")
    conf.write_text(f'listen: ["127.0.0.1:{free_port()}"]\nroot-hints: {mini_internet.root_hints}\n'
                    f"log-file: {tmp_path}/a-file/cairn.log\n")
    out = subprocess.run([binary, "--config", str(conf)], capture_output=True, text=True, timeout=30)
    assert out.returncode != 0
    assert f"log-file {tmp_path}/a-file/cairn.log: cannot open" in out.stderr, out.stderr


def test_debug_logs_each_resolution_step_by_step(cairn):
    c = cairn({"log-level": "debug"})
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert _wait_for(c, "resolution of www.plain.example. A:"), c.output()
    text = c.output(400)
    # The walk from the root: the servers asked, zone by zone.
    assert "example." in text and "127." in text, text
    quiet = cairn()
    assert quiet.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    time.sleep(0.3)
    assert "resolution of" not in quiet.output(400)
