"""The query log (`log-queries`): a line per client query in the daemon's
log, with the client shown as `client-address-privacy` says (its /24 by
default), the transport, the name, the type and the rcode."""

from __future__ import annotations

import re
import subprocess
import time

import dns.message
import dns.rcode
import pytest

from resolvers import free_port
from tls_setup import HOSTNAME, encrypted, pki  # noqa: F401 (fixtures)

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



def test_lines_name_the_encrypted_transports(encrypted, pki):
    e = encrypted({"log-queries": True, "listen-quic": [f"127.0.0.1:{free_port()}"]})
    quic_port = int(e.cairn.config["listen-quic"][0].rsplit(":", 1)[1])
    names = {"tls": "www.plain.example.", "https": "www.secure.example.",
             "quic": "mail.plain.example.", "http": "mail.secure.example."}
    for transport, port in (("tls", e.tls_port), ("https", e.https_port), ("quic", quic_port)):
        # +tls-ca and +tls-hostname first: after +quic they would mean TLS.
        out = subprocess.run(["kdig", f"+tls-ca={pki.ca}", f"+tls-hostname={HOSTNAME}",
                              f"+{transport}", f"@{e.host}", "-p", str(port),
                              names[transport], "A"],
                             capture_output=True, text=True, timeout=30)
        assert "status: NOERROR" in out.stdout, out.stdout + out.stderr
    # Cleartext HTTP/2, as a TLS-terminating proxy would send it.
    wire = dns.message.make_query(names["http"], "A", id=0).to_wire()
    out = subprocess.run(["curl", "-s", "--http2-prior-knowledge", "-o", "/dev/null",
                          "-w", "%{http_code}", "-H", "content-type: application/dns-message",
                          "--data-binary", "@-", f"http://{e.host}:{e.http_port}/dns-query"],
                         input=wire, capture_output=True, timeout=30)
    assert out.stdout == b"200", out
    for transport, qname in names.items():
        lines = query_lines(e.cairn, qname)
        assert len(lines) == 1, (transport, e.cairn.output(50))
        assert lines[0][1:4] == ("127.0.0.0/24", transport, qname), lines[0]
