"""The query log (`log-queries`): a line per client query in the daemon's
log, with the client shown as `client-address-privacy` says (its /24 by
default), the transport, the name, the type and the rcode."""

from __future__ import annotations

import re
import time

import dns.rcode
import pytest

LINE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) query (\S+) (\S+) (\S+) (\S+) (\S+)$")


def query_lines(c, qname: str, count: int = 1, seconds: float = 10.0) -> list[tuple]:
    """The parsed query log lines for `qname`, once `count` of them are there."""
    deadline = time.monotonic() + seconds
    while True:
        lines = [m.groups() for m in (LINE.match(line) for line in c.output(2000).splitlines())
                 if m and m.group(4).lower() == qname]
        if len(lines) >= count or time.monotonic() > deadline:
            return lines
        time.sleep(0.05)


def test_lines_show_the_clients_prefix_by_default(cairn):
    c = cairn({"log-queries": True})
    assert c.query("www.plain.example.", "A").rcode() == dns.rcode.NOERROR
    assert c.query("nothing.plain.example.", "AAAA", tcp=True).rcode() == dns.rcode.NXDOMAIN
    (udp,) = query_lines(c, "www.plain.example.")
    assert udp[1:] == ("127.0.0.0/24", "udp", "www.plain.example.", "A", "NOERROR"), udp
    (tcp,) = query_lines(c, "nothing.plain.example.")
    assert tcp[1:] == ("127.0.0.0/24", "tcp", "nothing.plain.example.", "AAAA", "NXDOMAIN"), tcp
    # No query line shows the client's own address.
    assert not [line for line in c.output(2000).splitlines()
                if " query " in line and "127.0.0.1" in line]


@pytest.mark.parametrize("privacy, shown", [("full", r"127\.0\.0\.1"),
                                            ("prefix", r"127\.0\.0\.0/24"),
                                            ("hash", r"hash:[0-9a-f]{8}")])
def test_lines_follow_the_privacy_setting(cairn, privacy, shown):
    c = cairn({"log-queries": True, "client-address-privacy": privacy})
    c.query("www.secure.example.", "A")
    c.query("www.secure.example.", "A")
    lines = query_lines(c, "www.secure.example.", count=2)
    assert len(lines) == 2, c.output(50)
    for line in lines:
        assert re.fullmatch(shown, line[1]), line
    # The same client gives the same token (within the day).
    assert lines[0][1] == lines[1][1]

