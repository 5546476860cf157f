"""The Prometheus endpoint (`metrics-listen`): GET /metrics over plain HTTP
shows the figures of `cairnctl stats` under Prometheus names, answers by
transport and rcode, DNSSEC outcomes and the latency and RTT histograms;
the figures move with the queries sent; the page passes `promtool check
metrics` (Debian's prometheus package); bad requests get 400, 404 or 405;
a reload moves the endpoint."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

import dns.message
import dns.query
import dns.rcode
import pytest

from resolver_helpers import cairn_stats
from resolvers import free_port, to_yaml
from tls_setup import HOSTNAME, encrypted, pki  # noqa: F401 (fixtures)

PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
SECURE = "www.secure.example."
PLAIN = "www.plain.example."
TRANSPORTS = ("udp", "tcp", "dot", "doh", "doq")
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


class Page:
    """A scraped page: samples by (name, labels), and the families' types."""

    def __init__(self, text: str):
        self.text = text
        self.samples: dict[tuple[str, frozenset], float] = {}
        self.types: dict[str, str] = {}
        for line in text.splitlines():
            if line.startswith("# TYPE "):
                _, _, name, kind = line.split(" ")
                self.types[name] = kind
                continue
            if line.startswith("#") or not line:
                continue
            m = SAMPLE.match(line)
            assert m, f"not a sample line: {line!r}"
            labels = frozenset(LABEL.findall(m.group(3) or ""))
            self.samples[(m.group(1), labels)] = float(m.group(4))

    def value(self, name: str, **labels) -> float:
        return self.samples[(name, frozenset(labels.items()))]

    def total(self, name: str, **labels) -> float:
        """Sum of the samples of `name` whose labels include `labels`."""
        want = set(labels.items())
        return sum(v for (n, ls), v in self.samples.items() if n == name and want <= ls)


def metrics_config(port: int, control: str | None = None) -> dict:
    config = {"metrics-listen": [f"127.0.0.1:{port}"]}
    if control:
        config["control-socket"] = control
    return config


def scrape(port: int) -> Page:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        assert r.status == 200
        assert r.headers["Content-Type"] == "text/plain; version=0.0.4; charset=utf-8"
        return Page(r.read().decode())


def raw_http(port: int, request: bytes) -> bytes:
    """Sends `request` as it is; everything the server says until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(request)
        out = b""
        while chunk := s.recv(65536):
            out += chunk
        return out


@pytest.fixture
def short_tmp():
    """A short directory for the control socket (unix socket paths are short)."""
    d = tempfile.mkdtemp(prefix="cairn-m-", dir="/tmp")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def metrics_cairn(cairn, short_tmp):
    """Cairn with metrics-listen and a control socket: (cairn, metrics port, control socket)."""
    port = free_port()
    control = os.path.join(short_tmp, "control.sock")
    return cairn(metrics_config(port, control)), port, control


def settled_scrape(port: int) -> Page:
    """A page on which every answer has been timed: a UDP batch's answers are
    timed just after they are sent, so a client may ask for the page first."""
    for _ in range(50):
        page = scrape(port)
        if all(page.value("cairn_answer_latency_seconds_count", transport=t)
               == page.total("cairn_answers_total", transport=t) for t in TRANSPORTS):
            return page
        time.sleep(0.02)
    return page


def query(c, name: str, tcp: bool = False, dnssec: bool = False) -> dns.message.Message:
    r = c.query(name, "A", tcp=tcp, dnssec=dnssec)
    assert r.rcode() == dns.rcode.NOERROR, r
    return r


def test_figures_move_with_the_queries_sent(metrics_cairn):
    c, port, _ = metrics_cairn
    before = scrape(port)
    query(c, SECURE, dnssec=True)              # resolved, validated secure
    query(c, SECURE, dnssec=True)              # a packet cache hit
    query(c, SECURE, dnssec=True, tcp=True)    # a hit over TCP
    nx = c.query("nx.plain.example.", "A")
    assert nx.rcode() == dns.rcode.NXDOMAIN, nx
    after = settled_scrape(port)

    def moved(name, **labels):
        return after.total(name, **labels) - before.total(name, **labels)

    assert moved("cairn_queries_total", transport="udp") == 3
    assert moved("cairn_queries_total", transport="tcp") == 1
    assert moved("cairn_answers_total", transport="udp", rcode="NOERROR") == 2
    assert moved("cairn_answers_total", transport="udp", rcode="NXDOMAIN") == 1
    assert moved("cairn_answers_total", transport="tcp", rcode="NOERROR") == 1
    assert moved("cairn_server_packet_cache_hits_total") == 2
    assert moved("cairn_server_resolutions_total") == 2
    assert moved("cairn_dnssec_outcomes_total", outcome="secure") >= 1
    assert moved("cairn_resolver_upstream_queries_total") >= 1
    # One latency observation per answer, whatever answered it.
    for transport in TRANSPORTS:
        assert (after.value("cairn_answer_latency_seconds_count", transport=transport)
                == after.total("cairn_answers_total", transport=transport)), transport
        assert (after.value("cairn_answer_latency_seconds_bucket", transport=transport, le="+Inf")
                == after.value("cairn_answer_latency_seconds_count", transport=transport))
    assert after.value("cairn_answer_latency_seconds_sum", transport="udp") > 0
    # Upstream round trips: one per answered upstream query at most.
    rtts = after.value("cairn_upstream_rtt_seconds_count")
    assert 0 < rtts <= after.value("cairn_resolver_upstream_queries_total")
    # The caches hold what the resolution brought.
    for cache in ("rrset", "packet", "infra", "key"):
        assert after.value("cairn_cache_entries", cache=cache) > 0, cache
        assert after.value("cairn_cache_bytes", cache=cache) > 0, cache
    assert after.types["cairn_cache_bytes"] == "gauge"
    assert after.types["cairn_answers_total"] == "counter"
    assert after.types["cairn_answer_latency_seconds"] == "histogram"


def prometheus_name(stat: str) -> tuple[str, dict]:
    """Where `cairnctl stats` name `stat` is on the page (see metrics_page.h)."""
    layer, name = stat.split(".", 1)
    if layer == "cache":
        for suffix, family in (("_entries", "cairn_cache_entries"), ("_memory", "cairn_cache_bytes"),
                               ("_evictions", "cairn_cache_evictions_total")):
            if name.endswith(suffix):
                return family, {"cache": name[: -len(suffix)]}
    outcomes = {"dnssec_secure": "secure", "dnssec_insecure": "insecure",
                "dnssec_bogus": "bogus", "dnssec_failures": "failed"}
    if layer == "resolver" and name in outcomes:
        return "cairn_dnssec_outcomes_total", {"outcome": outcomes[name]}
    if layer == "resolver" and name.startswith("limit_"):
        return "cairn_resolver_limits_reached_total", {"limit": name[len("limit_"):]}
    return f"cairn_{layer}_{name}", {}


def page_value(page: Page, stat: str) -> float:
    if stat == "server.queries_udp":
        return page.total("cairn_queries_total", transport="udp")
    if stat == "server.queries_tcp":
        return sum(page.total("cairn_queries_total", transport=t) for t in TRANSPORTS[1:])
    if stat.startswith("server.rcode_"):
        return page.total("cairn_answers_total", rcode=stat[len("server.rcode_"):].upper())
    family, labels = prometheus_name(stat)
    for name in (family, family + "_total"):
        if (name, frozenset(labels.items())) in page.samples:
            return page.value(name, **labels)
    raise AssertionError(f"{stat} is not on the page (looked for {family})")


def test_every_cairnctl_figure_is_on_the_page_with_the_same_value(metrics_cairn):
    c, port, control = metrics_cairn
    query(c, SECURE, dnssec=True)
    query(c, PLAIN, tcp=True)
    # Background work (NS address lookups) may still move a counter: take
    # the page between two equal readings of `cairnctl stats`.
    for _ in range(20):
        first = cairn_stats(control)
        page = scrape(port)
        second = cairn_stats(control)
        moving = {k for k in second if k != "process.uptime_seconds" and second[k] != first.get(k)}
        if not moving:
            break
        time.sleep(0.2)
    assert not moving, f"figures still moving: {moving}"
    assert len(second) > 100
    for stat, value in second.items():
        if stat == "process.uptime_seconds":
            assert abs(page_value(page, stat) - value) <= 2
            continue
        assert page_value(page, stat) == value, stat


def test_promtool_accepts_the_page(metrics_cairn):
    c, port, _ = metrics_cairn
    query(c, SECURE, dnssec=True)
    query(c, PLAIN, tcp=True)
    text = settled_scrape(port).text
    assert os.access(PROMTOOL, os.X_OK), "promtool missing: scripts/install-deps.sh installs it"
    out = subprocess.run([PROMTOOL, "check", "metrics"], input=text, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0 and not out.stdout.strip() and not out.stderr.strip(), (
        out.stdout + out.stderr)


def test_bad_requests_get_400_404_or_405(metrics_cairn):
    _, port, _ = metrics_cairn
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/nothing", timeout=10)
    assert e.value.code == 404  # "/" is the dashboard (test_dashboard.py)
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", data=b"x=1", timeout=10)
    assert e.value.code == 405 and e.value.headers["Allow"] == "GET, HEAD"
    head = raw_http(port, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n") and head.endswith(b"\r\n\r\n"), head
    assert raw_http(port, b"GET /metrics HTTP/1.1\r\n\r\n").startswith(
        b"HTTP/1.1 400 "), "HTTP/1.1 without Host"
    assert raw_http(port, b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03\r\n\r\n").startswith(
        b"HTTP/1.1 400 "), "TLS on the plain port"
    oversized = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 20000 + b"\r\n\r\n"
    assert raw_http(port, oversized).startswith(b"HTTP/1.1 400 ")
    # And it still serves.
    assert scrape(port).total("cairn_queries_total") >= 0


def test_encrypted_transports_are_counted_apart(encrypted, pki):
    port = free_port()
    quic = free_port()
    e = encrypted({"metrics-listen": [f"127.0.0.1:{port}"],
                   "listen-quic": [f"127.0.0.1:{quic}"]})
    for flag, p in (("+tls", e.tls_port), ("+https", e.https_port), ("+quic", quic)):
        out = subprocess.run(["kdig", f"+tls-ca={pki.ca}", f"+tls-hostname={HOSTNAME}", flag,
                              f"@{e.host}", "-p", str(p), PLAIN, "A"],
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 0 and "status: NOERROR" in out.stdout, out.stdout + out.stderr
    page = scrape(port)
    for transport in ("dot", "doh", "doq"):
        assert page.value("cairn_queries_total", transport=transport) == 1, transport
        assert page.value("cairn_answers_total", transport=transport, rcode="NOERROR") == 1
        assert page.value("cairn_answer_latency_seconds_count", transport=transport) == 1
    assert page.value("cairn_queries_total", transport="tcp") == 0
    stats = e.stats()
    assert stats["server.queries_tcp"] == 3, "DoT, DoH and DoQ count as stream queries"


def test_off_by_default_and_a_reload_moves_it(cairn, short_tmp):
    control = os.path.join(short_tmp, "control.sock")
    c = cairn({"control-socket": control})
    assert "metrics on" not in c.output()
    first, second = free_port(), free_port()
    for port, then in ((first, None), (second, first)):
        c.config["metrics-listen"] = [f"127.0.0.1:{port}"]
        with open(c.conf_path, "w") as f:
            f.write(to_yaml(c.config) + "\n")
        os.kill(c.pid, signal.SIGHUP)
        deadline = time.monotonic() + 10
        page = None
        while page is None and time.monotonic() < deadline:
            try:
                page = scrape(port)
            except OSError:
                time.sleep(0.05)
        assert page is not None, c.output()
        assert page.value("cairn_process_reloads_total") >= 1
        if then is not None:
            with pytest.raises(OSError):
                socket.create_connection(("127.0.0.1", then), timeout=2).close()
