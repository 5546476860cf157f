"""Shared pieces of the resolver test suite (tests/integration/test_resolver_*.py).

- The `resolver` fixture: parametrised over Cairn and Unbound, so every
  resolver-independent test also runs against Unbound, the peer we compare
  with. `resolver(...)` starts one and returns a `Subject`; Cairn-specific
  checks (Extended DNS Errors, metrics, config keys) sit behind
  `subject.is_cairn`. Select one side with `-k unbound` / `-k cairn`.
- Every Cairn metric name and config key the suite relies on, in one place
  (METRIC, CAIRN_KEY), so a rename in Cairn is a one-line change here.
- Raw client packets, a pipelined bulk client, readers of the authoritative
  servers' query records, and ScriptedServer handlers that can delegate
  (referrals with or without glue) and synthesise wildcards.
"""

from __future__ import annotations

import os
import selectors
import shutil
import socket
import struct
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone
import pytest

import scripted_server as ss
from resolvers import ResolverProcess

REPO = Path(__file__).resolve().parents[2]

# ---------------------------------------------------------------------------
# Cairn's names: metrics (`cairnctl stats`) and config keys. Adjust here only.
# ---------------------------------------------------------------------------

# logical name -> alternatives, tried in order; each alternative is a list of
# `cairnctl stats` names whose values are summed (the caches report one line
# per cache). The first alternative with any name present wins. The brief's
# bare names come last, as a fallback.
METRIC: dict[str, list[list[str]]] = {
    "upstream_queries": [["resolver.upstream_queries"], ["upstream_queries"]],
    "inflight_joins": [["resolver.inflight_joins"], ["inflight_joins"]],
    "limit_upstream_queries": [["resolver.limit_upstream_queries"], ["limit_upstream_queries"]],
    "limit_referral_depth": [["resolver.limit_referral_depth"], ["limit_referral_depth"]],
    "limit_cname_chain": [["resolver.limit_cname_chain"], ["limit_cname_chain"]],
    "limit_glueless_ns": [["resolver.limit_glueless_ns"], ["limit_glueless_ns"]],
    # signatures checked, all requests together
    "dnssec_verifications": [["resolver.dnssec_verifications"]],
    # RRsets whose RRSIGs the cache held as verified: not checked again
    "dnssec_verifications_saved": [["resolver.dnssec_verifications_saved"]],
    # KeyTrap: a signature-verification budget (per RRset or per request) ran out
    "limit_dnssec_verifications": [["resolver.limit_dnssec_verifications"],
                                   ["limit_dnssec_verifications"]],
    # KeyTrap under a flood: times a zone was held (dnssec-limit-hold)
    "dnssec_limit_holds": [["resolver.dnssec_limit_holds"]],
    # all caches together: what `cache-size` bounds
    "cache_memory": [["cache.rrset_memory", "cache.negative_memory", "cache.packet_memory"],
                     ["cache_memory"]],
    "cache_entries": [["cache.rrset_entries", "cache.negative_entries", "cache.packet_entries"],
                      ["cache_entries"]],
    "cache_evictions": [["cache.rrset_evictions", "cache.negative_evictions",
                         "cache.packet_evictions"], ["cache_evictions"]],
    # client queries that missed the packet cache and went to the resolver,
    # and those of them the resolver answered from its caches alone
    "resolutions": [["server.resolutions"]],
    "cache_answers": [["resolver.cache_answers"]],
    # RFC 8198 aggressive use of NSEC/NSEC3, RFC 8767 serve-stale, prefetch
    "synthesised_nxdomain": [["resolver.synthesised_nxdomain"]],
    "synthesised_nodata": [["resolver.synthesised_nodata"]],
    "synthesised_wildcard": [["resolver.synthesised_wildcard"]],
    "stale_answers": [["resolver.stale_answers"]],
    "prefetches": [["resolver.prefetches"]],
    "prefetch_unchanged": [["resolver.prefetch_unchanged"]],
    # upstream hygiene (issue 14): replies that were not the answer, queries
    # moved to TCP for them, and what was learnt of servers over TCP
    "near_misses": [["upstream.near_misses"]],
    "spoof_tcp_retries": [["upstream.spoof_tcp_retries"]],
    "case_mismatches": [["upstream.case_mismatches"]],
    "case_blind_servers": [["upstream.case_blind_servers"]],
    "cookie_mismatches": [["upstream.cookie_mismatches"]],
    "badcookie_retries": [["upstream.badcookie_retries"]],
    "cookies_forgotten": [["upstream.cookies_forgotten"]],
}

# Config keys the suite sets (the harness's cairn_config() also sets listen,
# root-hints, upstream-deny and threads; see CAIRN_UNSUPPORTED_DEFAULTS).
CAIRN_KEY = {
    "allow": "allow",
    "cache_size": "cache-size",
    "qname_minimisation": "qname-minimisation",
    "control_socket": "control-socket",
    "max_upstream_queries": "max-upstream-queries",
    "max_referral_depth": "max-referral-depth",
    "max_cname_chain": "max-cname-chain",
    "max_glueless_ns": "max-glueless-ns",
    "dnssec": "dnssec",                                  # bool: validate at all
    "trust_anchors": "trust-anchors",                    # path or list of paths (DS/DNSKEY zone files)
    "negative_trust_anchors": "negative-trust-anchors",  # list of domain names (RFC 7646)
    "aggressive_nsec": "aggressive-nsec",                # bool (RFC 8198)
    "root_key_sentinel": "root-key-sentinel",            # bool (RFC 8509)
    "serve_stale": "serve-stale",                        # bool (RFC 8767)
    "stale_max": "stale-max",                            # duration
    "stale_answer_ttl": "stale-answer-ttl",              # duration
    "stale_client_timeout": "stale-client-timeout",      # duration
    "stale_recheck_interval": "stale-recheck-interval",  # duration
    "prefetch": "prefetch",                              # bool
    "prefetch_threshold": "prefetch-threshold",          # percent of the original TTL
    "qname_case_randomisation": "qname-case-randomisation",  # bool (0x20)
    "spoof_nearmiss_max": "spoof-nearmiss-max",          # int, 0: off
    "upstream_cookies": "upstream-cookies",              # bool (RFC 7873 client side)
    "dnssec_limit_hold": "dnssec-limit-hold",            # seconds a KeyTrap zone is held, 0: never
}

# Keys of the harness's default Cairn config (resolvers.cairn_config) that
# Cairn does not know (yet): an unknown option is a start-up error, so the
# suite removes them. Empty now that Cairn validates: it gets the test root
# anchor (`trust-anchors`), as Unbound does.
CAIRN_UNSUPPORTED_DEFAULTS: list[str] = []

# RFC 8914 Extended DNS Error codes the suite expects on Cairn's SERVFAILs.
EDE_OTHER = 0
EDE_PROHIBITED = 18           # REFUSED by the ACL
EDE_NO_REACHABLE_AUTHORITY = 22
EDE_NETWORK_ERROR = 23
# DNSSEC (RFC 8914 §4)
EDE_UNSUPPORTED_DNSKEY_ALGORITHM = 1
EDE_UNSUPPORTED_DS_DIGEST = 2
EDE_DNSSEC_INDETERMINATE = 5
EDE_DNSSEC_BOGUS = 6
EDE_SIGNATURE_EXPIRED = 7
EDE_SIGNATURE_NOT_YET_VALID = 8
EDE_DNSKEY_MISSING = 9
EDE_RRSIGS_MISSING = 10
EDE_NSEC_MISSING = 12
EDE_UNSUPPORTED_NSEC3_ITERATIONS = 27   # RFC 9276 §3.2
# serve-stale (RFC 8767, RFC 8914 §4)
EDE_STALE_ANSWER = 3
EDE_STALE_NXDOMAIN = 19
# A breached work limit: EDE 0 (Other) whose text names the limit; the text
# must contain this word (case-insensitive).
LIMIT_EDE_WORD = {
    "max_cname_chain": "cname",
    "max_referral_depth": "referral",
    "max_upstream_queries": "upstream",
}

KINDS = ("cairn", "unbound")

# Decorator for tests of Cairn-only behaviour: runs the `resolver` fixture
# for Cairn alone (the test id still says [cairn], so -k selects as usual).
CAIRN_ONLY = pytest.mark.parametrize("resolver", ["cairn"], indirect=True)


def cairnctl_binary() -> str:
    if "CAIRNCTL_BIN" in os.environ:
        return os.environ["CAIRNCTL_BIN"]
    cairn = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
    return os.path.join(os.path.dirname(cairn), "cairnctl")


# ---------------------------------------------------------------------------
# The resolver under test
# ---------------------------------------------------------------------------

class Subject:
    """One running resolver (Cairn or Unbound) as the tests see it."""

    def __init__(self, kind: str, proc: ResolverProcess, control_socket: str | None = None):
        self.kind = kind
        self.proc = proc
        self.control_socket = control_socket

    @property
    def is_cairn(self) -> bool:
        return self.kind == "cairn"

    @property
    def host(self) -> str:
        return self.proc.host

    @property
    def port(self) -> int:
        return self.proc.port

    @property
    def pid(self) -> int | None:
        return self.proc.pid

    def query(self, qname: str, rdtype: str = "A", tcp: bool = False, timeout: float = 30.0,
              rd: bool = True, dnssec: bool = False, payload: int = 1232, ad: bool = False,
              cd: bool = False) -> dns.message.Message:
        """dnssec: the DO bit; ad/cd: the AD and CD header bits of the query."""
        q = dns.message.make_query(qname, rdtype, use_edns=0, payload=payload, want_dnssec=dnssec)
        if not rd:
            q.flags &= ~dns.flags.RD
        if ad:
            q.flags |= dns.flags.AD
        if cd:
            q.flags |= dns.flags.CD
        fn = dns.query.tcp if tcp else dns.query.udp
        return fn(q, self.host, port=self.port, timeout=timeout)

    def raw(self, wire: bytes, timeout: float = 2.0) -> bytes | None:
        """Send bytes over UDP; the reply's bytes, or None if nothing came back."""
        return raw_udp(self.host, self.port, wire, timeout)

    def alive(self) -> bool:
        return self.proc.pid is not None

    def rss_kib(self) -> int:
        return rss_kib(self.pid)

    # -- counters ----------------------------------------------------------------

    def stats(self) -> dict[str, float]:
        if self.is_cairn:
            return cairn_stats(self.control_socket)
        return unbound_stats(self.proc)

    def metric(self, key: str) -> float:
        """A Cairn metric by its METRIC key (fails clearly if Cairn lacks it)."""
        assert self.is_cairn, "metrics are Cairn-specific"
        return cairn_metric(self.stats(), key)

    def flush(self) -> None:
        """Empty the caches (cairnctl flush / unbound-control flush_zone . and
        flush_negative; Unbound has no flush_all)."""
        if self.is_cairn:
            out = subprocess.run([cairnctl_binary(), "flush", "--socket", self.control_socket],
                                 capture_output=True, text=True, timeout=30)
            assert out.returncode == 0, f"cairnctl flush failed: {out.stderr or out.stdout}"
        else:
            self.proc.control("flush_zone", ".")
            self.proc.control("flush_negative")

    def cache_memory(self) -> float:
        s = self.stats()
        if self.is_cairn:
            return cairn_metric(s, "cache_memory")
        return s.get("mem.cache.rrset", 0) + s.get("mem.cache.message", 0)

    def __repr__(self) -> str:
        return f"<{self.kind} on {self.host}:{self.port}>"


def cairn_metric(stats: dict[str, float], key: str) -> float:
    for names in METRIC[key]:
        present = [n for n in names if n in stats]
        if present:
            return sum(stats[n] for n in present)
    raise AssertionError(f"cairnctl stats has none of {METRIC[key]} for {key!r}; it has {sorted(stats)}")


def cairn_stats(control_socket: str) -> dict[str, float]:
    out = subprocess.run([cairnctl_binary(), "stats", "--socket", control_socket],
                         capture_output=True, text=True, timeout=10)
    assert out.returncode == 0, f"cairnctl stats failed: {out.stderr or out.stdout}"
    return _parse_stats(out.stdout, " ")


def unbound_stats(proc) -> dict[str, float]:
    return _parse_stats(proc.control("stats_noreset"), "=")


def _parse_stats(text: str, sep: str) -> dict[str, float]:
    stats = {}
    for line in text.splitlines():
        parts = line.strip().split(sep, 1) if sep != " " else line.split()
        if len(parts) == 2:
            try:
                stats[parts[0].strip()] = float(parts[1])
            except ValueError:
                pass
    return stats


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def parse_size(text: str | int) -> int:
    if isinstance(text, int):
        return text
    text = text.strip().lower()
    mult = {"k": 1 << 10, "m": 1 << 20, "g": 1 << 30}.get(text[-1:], 1)
    return int(text.rstrip("kmg")) * mult


@pytest.fixture(params=KINDS)
def resolver(request, mini_internet):
    """Factory: resolver(**options) -> Subject, for Cairn and for Unbound.

    Generic options, translated for each resolver:
      qname_minimisation: bool | None   (None: the resolver's default)
      cache_size: "4m" | bytes          (Unbound: split between rrset and msg cache)
      refuse_loopback: bool             (an ACL that does not include 127.0.0.1)
    Resolver-specific: cairn={...} config overrides, unbound=[...] config lines.
    Cairn always gets a control socket so `subject.stats()` works."""
    kind = request.param
    factory = request.getfixturevalue(kind)     # skips when cairn is not built
    sockdirs: list[str] = []

    def start(qname_minimisation: bool | None = None, cache_size: str | int | None = None,
              refuse_loopback: bool = False, cairn: dict | None = None,
              unbound: list[str] | None = None) -> Subject:
        if kind == "cairn":
            # unix socket paths are limited to 108 bytes: keep it short
            sockdir = tempfile.mkdtemp(prefix="cairn-ctl-", dir="/tmp")
            sockdirs.append(sockdir)
            ctl = os.path.join(sockdir, "ctl.sock")
            config = {key: None for key in CAIRN_UNSUPPORTED_DEFAULTS}    # None: remove
            config[CAIRN_KEY["control_socket"]] = ctl
            if qname_minimisation is not None:
                config[CAIRN_KEY["qname_minimisation"]] = qname_minimisation
            if cache_size is not None:
                config[CAIRN_KEY["cache_size"]] = cache_size
            if refuse_loopback:
                config[CAIRN_KEY["allow"]] = ["10.0.0.0/8"]
            config.update(cairn or {})
            return Subject(kind, factory(config), ctl)
        lines = ["extended-statistics: yes"]       # mem.cache.* in stats()
        if qname_minimisation is not None:
            lines.append(f"qname-minimisation: {'yes' if qname_minimisation else 'no'}")
        if cache_size is not None:
            half = parse_size(cache_size) // 2
            lines += [f"rrset-cache-size: {half}", f"msg-cache-size: {half}"]
        if refuse_loopback:
            lines.append("access-control: 127.0.0.1/32 refuse")
        lines += unbound or []
        # Mutation checks: extra Unbound lines (";"-separated) that break a
        # behaviour, to see the tests that should notice it fail.
        lines += [x.strip() for x in os.environ.get("CAIRN_TEST_UNBOUND_EXTRA", "").split(";") if x.strip()]
        return Subject(kind, factory(lines))

    yield start
    for d in sockdirs:
        shutil.rmtree(d, ignore_errors=True)


# ---------------------------------------------------------------------------
# Reading answers
# ---------------------------------------------------------------------------

def rdatas(msg: dns.message.Message, name: str, rdtype: str, section: str = "answer") -> list[str]:
    n = dns.name.from_text(name)
    t = dns.rdatatype.from_text(rdtype)
    return sorted(rd.to_text() for rrset in getattr(msg, section)
                  if rrset.name == n and rrset.rdtype == t for rd in rrset)


def final_rdatas(msg: dns.message.Message, rdtype: str) -> list[str]:
    t = dns.rdatatype.from_text(rdtype)
    return sorted(rd.to_text() for rrset in msg.answer if rrset.rdtype == t for rd in rrset)


def rcode_text(msg: dns.message.Message) -> str:
    return dns.rcode.to_text(msg.rcode())


def ttl_of(msg: dns.message.Message, name: str, rdtype: str, section: str = "answer") -> int:
    n = dns.name.from_text(name)
    t = dns.rdatatype.from_text(rdtype)
    for rrset in getattr(msg, section):
        if rrset.name == n and rrset.rdtype == t:
            return rrset.ttl
    raise AssertionError(f"no {name} {rdtype} in {section}:\n{msg}")


def extended_errors(msg: dns.message.Message) -> list[tuple[int, str]]:
    """(code, text) of every EDE option (RFC 8914, option code 15)."""
    out = []
    for opt in msg.options:
        if opt.otype == dns.edns.OptionType.EDE:
            out.append((int(opt.code), opt.text or ""))
    return out


def assert_servfail_with_ede(msg: dns.message.Message, codes: set[int] | None = None,
                             word: str | None = None) -> None:
    """Cairn's contract: every SERVFAIL carries an EDE (of these codes, naming `word`)."""
    assert msg.rcode() == dns.rcode.SERVFAIL, f"expected SERVFAIL:\n{msg}"
    ede = extended_errors(msg)
    assert ede, f"SERVFAIL without an Extended DNS Error:\n{msg}"
    if codes is not None:
        assert any(c in codes for c, _ in ede), f"EDE {ede}, expected one of {sorted(codes)}"
    if word is not None:
        assert any(word in t.lower() for _, t in ede), f"EDE {ede} does not name {word!r}"


def assert_limit_ede(msg: dns.message.Message, limit: str) -> None:
    """A work limit was breached: SERVFAIL, EDE 0 (Other) naming the limit."""
    word = LIMIT_EDE_WORD[limit]
    assert msg.rcode() == dns.rcode.SERVFAIL, f"expected SERVFAIL:\n{msg}"
    ede = extended_errors(msg)
    assert any(c == EDE_OTHER and word in t.lower() for c, t in ede), \
        f"expected EDE 0 naming {word!r}, got {ede}"


# ---------------------------------------------------------------------------
# Raw client packets
# ---------------------------------------------------------------------------

def raw_udp(host: str, port: int, wire: bytes, timeout: float = 2.0) -> bytes | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        s.sendto(wire, (host, port))
        try:
            return s.recv(65535)
        except socket.timeout:
            return None


def header_rcode(wire: bytes) -> int:
    """RCODE from the fixed header (works on replies dnspython cannot parse)."""
    return wire[3] & 0x0F


def header_id(wire: bytes) -> int:
    return struct.unpack("!H", wire[:2])[0]


def header_is_response(wire: bytes) -> bool:
    return bool(wire[2] & 0x80)


# ---------------------------------------------------------------------------
# Many queries at once
# ---------------------------------------------------------------------------

_QUERY_FLAGS_COUNTS = struct.pack("!HHHHH", 0x0100, 1, 0, 0, 1)   # RD; QD=1, AR=1 (OPT)
_OPT_1232 = b"\x00" + struct.pack("!HHIH", dns.rdatatype.OPT, 1232, 0, 0)


def _name_wire(name: str) -> bytes:
    """Uncompressed wire form of a plain ASCII name (fast path for floods)."""
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\x00"


def bulk_query(host: str, port: int, names: list[str], rdtype: str = "A", window: int = 64,
               timeout: float = 5.0, retries: int = 2) -> dict[str, int | None]:
    """Resolve many names over one UDP socket with `window` queries outstanding.

    Returns name -> rcode (None if never answered). Retransmits on timeout."""
    t = dns.rdatatype.from_text(rdtype)
    result: dict[str, int | None] = {n: None for n in names}
    todo = list(reversed(names))
    pending: dict[int, tuple[str, float, int]] = {}     # id -> (name, sent, tries)
    next_id = 1
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 22)
        s.connect((host, port))
        s.setblocking(False)
        sel = selectors.DefaultSelector()
        sel.register(s, selectors.EVENT_READ)

        def send(name: str, tries: int) -> None:
            nonlocal next_id
            qid = next_id
            next_id = next_id % 0xFFFF + 1
            s.send(struct.pack("!H", qid) + _QUERY_FLAGS_COUNTS + _name_wire(name)
                   + struct.pack("!HH", t, 1) + _OPT_1232)
            pending[qid] = (name, time.monotonic(), tries)

        while todo or pending:
            while todo and len(pending) < window:
                send(todo.pop(), 0)
            for _ in sel.select(timeout=0.05):
                while True:
                    try:
                        wire = s.recv(65535)
                    except (BlockingIOError, ConnectionRefusedError):
                        break
                    if len(wire) < 12:
                        continue
                    entry = pending.pop(header_id(wire), None)
                    if entry:
                        result[entry[0]] = header_rcode(wire)
            now = time.monotonic()
            for qid, (name, sent, tries) in list(pending.items()):
                if now - sent > timeout:
                    del pending[qid]
                    if tries < retries:
                        send(name, tries + 1)
        sel.close()
    return result


def simultaneous_queries(host: str, port: int, qname: str, rdtype: str, n: int,
                         timeout: float = 10.0) -> list[dns.message.Message | None]:
    """n identical queries from n sockets, all sent before any reply is read."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            s.setblocking(False)
            socks.append(s)
        queries = [dns.message.make_query(qname, rdtype, use_edns=0, payload=1232) for _ in range(n)]
        for s, q in zip(socks, queries):
            s.sendto(q.to_wire(), (host, port))
        replies: list[dns.message.Message | None] = [None] * n
        sel = selectors.DefaultSelector()
        for i, s in enumerate(socks):
            sel.register(s, selectors.EVENT_READ, i)
        deadline = time.monotonic() + timeout
        while any(r is None for r in replies) and time.monotonic() < deadline:
            for key, _ in sel.select(timeout=0.1):
                i = key.data
                try:
                    wire = socks[i].recv(65535)
                except BlockingIOError:
                    continue
                msg = dns.message.from_wire(wire)
                if msg.id == queries[i].id:
                    replies[i] = msg
                    sel.unregister(socks[i])
        sel.close()
        return replies
    finally:
        for s in socks:
            s.close()


# ---------------------------------------------------------------------------
# What reached the authoritative servers
# ---------------------------------------------------------------------------

@dataclass
class Seen:
    server: str          # NSD key, or "scripted:<address>"
    qname: str           # lower-cased
    qtype: str
    protocol: str
    client: tuple[str, int] | None
    qid: int | None


def seen_everywhere(internet, scripted: list = ()) -> list[Seen]:
    """Every query recorded since the last reset_counts(), NSD and scripted."""
    out = []
    for key, queries in internet.all_queries().items():
        for q in queries:
            qid = header_id(q.wire) if len(q.wire) >= 2 else None
            out.append(Seen(key, q.qname.lower(), q.qtype, q.protocol, q.client, qid))
    for srv in scripted:
        for r in srv.queries():
            out.append(Seen(f"scripted:{srv.address}", (r.qname or "").lower(), r.qtype or "",
                            r.transport, r.client, header_id(r.wire) if len(r.wire) >= 2 else None))
    return out


def describe(seen: list[Seen], limit: int = 60) -> str:
    lines = [f"  {s.server:12} {s.protocol} {s.qname} {s.qtype}" for s in seen[:limit]]
    if len(seen) > limit:
        lines.append(f"  ... {len(seen) - limit} more")
    return "\n".join(lines)


def is_at_or_below(qname: str, zone: str) -> bool:
    return dns.name.from_text(qname).is_subdomain(dns.name.from_text(zone))


def settle(seconds: float = 0.5) -> None:
    """Let a resolver finish background work of the previous step before a reset."""
    time.sleep(seconds)


# ---------------------------------------------------------------------------
# Scripted authoritative servers that can delegate and synthesise wildcards
# ---------------------------------------------------------------------------

def zone_server(zone_text: str, origin: str) -> ss.Handler:
    """An authoritative server for one zone, from zone-file text.

    Beyond scripted_server.authoritative(): delegations inside the zone are
    answered with a referral (NS in authority, glue from the zone in
    additional, no AA), and wildcards (`*.label`) are expanded (RFC 4592).
    One record per answer step: CNAMEs are not chased (a resolver must)."""
    zone = dns.zone.from_text(zone_text, origin=origin, relativize=False, check_origin=True)
    apex = zone.origin
    soa = zone.find_rrset(apex, dns.rdatatype.SOA)
    IN = dns.rdataclass.IN
    names = set(zone.nodes.keys())

    def exists(name: dns.name.Name) -> bool:        # a node or an empty non-terminal
        return name in names or any(n.is_subdomain(name) for n in names)

    def cut_for(qname: dns.name.Name, rdtype: int) -> dns.name.Name | None:
        """Highest delegation point at or above qname (below the apex)."""
        cut = None
        n = qname
        while n != apex:
            node = zone.get_node(n)
            if node is not None and node.get_rdataset(IN, dns.rdatatype.NS) is not None:
                if not (n == qname and rdtype == dns.rdatatype.DS):
                    cut = n
            n = n.parent()
        return cut

    def handle(rec: ss.Received) -> ss.Reply:
        if rec.message is None:
            return None
        if not rec.message.question:
            r = dns.message.make_response(rec.message)
            r.set_rcode(dns.rcode.FORMERR)
            return r
        q = rec.message.question[0]
        resp = dns.message.make_response(rec.message)
        if not q.name.is_subdomain(apex):
            resp.set_rcode(dns.rcode.REFUSED)
            return resp
        cut = cut_for(q.name, q.rdtype)
        if cut is not None:
            ns = zone.find_rrset(cut, dns.rdatatype.NS)
            resp.authority.append(ns)
            for rd in ns:
                if rd.target.is_subdomain(apex):
                    glue = zone.get_rdataset(rd.target, dns.rdatatype.A)
                    if glue is not None:
                        rrset = dns.rrset.RRset(rd.target, IN, dns.rdatatype.A)
                        rrset.update(glue)
                        resp.additional.append(rrset)
            return resp
        resp.flags |= dns.flags.AA
        node = zone.get_node(q.name)
        owner = q.name
        if node is None and not exists(q.name):
            # closest encloser, then its wildcard
            ce = q.name.parent()
            while not exists(ce):
                ce = ce.parent()
            node = zone.get_node(dns.name.Name((b"*",) + ce.labels))
            if node is None:
                resp.set_rcode(dns.rcode.NXDOMAIN)
                resp.authority.append(soa)
                return resp
        if node is not None:
            for rtype in (q.rdtype, dns.rdatatype.CNAME):
                rds = node.get_rdataset(IN, rtype)
                if rds is not None:
                    rrset = dns.rrset.RRset(owner, IN, rtype)
                    rrset.update(rds)
                    resp.answer.append(rrset)
                    return resp
        resp.authority.append(soa)      # NODATA (or an empty non-terminal)
        return resp

    return handle


def fast_wildcard_txt(suffix: str, txt_strings: list[bytes], fallback: ss.Handler,
                      ttl: int = 300) -> ss.Handler:
    """Answer TXT queries for any name strictly below `suffix` with the same
    TXT RRset, built as bytes (fast enough for a flood of tens of thousands
    of queries); everything else goes to `fallback`. Wildcard-like: the
    owner is the query name (a compression pointer to the question)."""
    suffix_name = dns.name.from_text(suffix)
    rdata = b"".join(bytes([len(t)]) + t for t in txt_strings)
    rr = struct.pack("!HHHIH", 0xC00C, dns.rdatatype.TXT, dns.rdataclass.IN, ttl, len(rdata)) + rdata

    memo: dict[bytes, bytes] = {}      # repeated other questions (e.g. QNAME-minimised ENT)

    def question_of(wire: bytes) -> bytes:
        end = 12
        while wire[end] != 0:
            end += wire[end] + 1
        return wire[12:end + 5]

    def handle(rec: ss.Received) -> ss.Reply:
        m = rec.message
        if m is None or len(m.question) != 1 or m.edns > 0:
            return fallback(rec)
        question = question_of(rec.wire)
        rd = 0x0100 if m.flags & dns.flags.RD else 0
        q = m.question[0]
        if q.rdtype == dns.rdatatype.TXT and q.name.is_subdomain(suffix_name) and q.name != suffix_name:
            # same ID, QR AA (RD copied), QD=1 AN=1, the question as received
            return struct.pack("!HHHHHH", m.id, 0x8400 | rd, 1, 1, 0, 0) + question + rr
        key = question.lower() + bytes([rd >> 8, rec.transport == "tcp"])
        if key not in memo:
            reply = fallback(rec)
            if not isinstance(reply, dns.message.Message):
                return reply
            memo[key] = reply.to_wire()
        wire = memo[key]
        return struct.pack("!H", m.id) + wire[2:12] + question + wire[12 + len(question):]

    return handle


def slot_zone(origin: str, address: str, records: list[str] = ()) -> str:
    """Zone text for a `scriptN.zz.` slot (SOA, NS ns.<origin> -> address, records)."""
    return ss.zone_for_slot(origin, address, list(records))

