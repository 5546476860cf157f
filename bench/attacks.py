#!/usr/bin/python3
"""Cairn and Unbound under attack, side by side, on the integration tests'
mini-internet (loopback only; run as root; started by bench/attacks).

    /usr/bin/python3 bench/attacks.py

Phases (BENCH_PHASES, comma-separated, default all five); each resolver is
a fresh process with default settings and one thread:

  forgery    off-path forgery with the source port known: script1.zz.'s
             server answers each of BENCH_FORGERY_QUERIES (100) client
             queries (distinct names) only after it has sent
             BENCH_FORGERY_BURST (4,000) forged answers to the very port the
             query came from, from its own address (paced, ~16,000 a
             second, so the resolver's socket buffer keeps them), with IDs
             guessed at random and the name in lower case (an attacker sees neither ID
             nor letter case). Figure: client answers carrying the forged
             address (a resolver that checks only the ID accepts about
             queries x burst / 65,536), and queries that moved to TCP.
  malformed  BENCH_MALFORMED_ROUNDS (4) rounds of 22 kinds of malformed
             query (short, bad counts, bad names, pointer loops, broken
             EDNS, responses, trailing bytes...), each from its own port.
             Figure: share answered at all (an answer to what is not a query
             makes the resolver a reflector).
  tcp        BENCH_TCP_CLIENTS (500) TCP clients, from 250 addresses of
             BENCH_NET.60.0/24, each with a 4 KiB receive buffer, write
             BENCH_TCP_PIPELINE (1,000) queries for a ~2.7 KB answer and
             never read. Figure: resident memory of the resolver
             before, with all clients connected (after 3 s), and after they
             are gone; clients whose connection the resolver kept open.
  keytrap    KeyTrap (CVE-2023-50387) under a flood: keytrap.example. has
             101 DNSKEYs sharing one key tag and 50 garbage RRSIGs with
             that tag over *.trap A. After a warm-up (nodata.keytrap.example.
             TXT, and www.secure.example. A cached), BENCH_KEYTRAP_CLIENTS
             (50) client threads, client c from BENCH_NET.(100 + c).1 (a /24
             each, so per-client limits such as Cairn's rate-limit-errors
             see 50 clients), each ask distinct new names
             k<client>-<n>.trap.keytrap.example. A (DO set) one after the
             other for BENCH_KEYTRAP_SECONDS (10) s, while another client
             asks the cached www.secure.example. A every 20 ms (timeout
             2 s). Each client side is a process of its own (this script
             with --keytrap-client). Figures: CPU time of the resolver
             (/proc/PID/task/*/schedstat) per flood query answered, flood
             queries answered per second, the flood's rcodes, median and
             95th percentile latency of the cached name and how many of
             its queries timed out; as a reference, CPU per query for 50
             names under the healthy wildcard *.wild.secure.example. asked
             one at a time. Issue 14 point 11's goal: at most 0.3 ms CPU
             per flood query, the cached name's median under 5 ms.
  flood      BENCH_FLOOD_NAMES (1,000,000) distinct names under
             BENCH_FLOOD_ZONES (100,000) delegated zones
             (tests/integration/flood_scenario.py), cache-size
             BENCH_FLOOD_CACHE (64m; Unbound: half to rrset-cache-size, half
             to msg-cache-size). Figure: peak and final resident memory,
             against Cairn's documented ceiling (README "Memory"), and the
             queries the zones' servers received.

Env: BENCH_NET (127.63), CAIRN_BIN (build/bin/cairn), BENCH_KEEP=1 keeps the
work directory. Every server and resolver started here is stopped by pid
(ScriptedServers are threads of this process). A benchmark measures: the
exit status is always 0.
"""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import dns.exception  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdatatype  # noqa: E402

import flood_scenario as fs  # noqa: E402
import scripted_server as ss  # noqa: E402
from hierarchy import default_hierarchy  # noqa: E402
from mini_internet import MiniInternet  # noqa: E402
from resolver_helpers import bulk_query, parse_size  # noqa: E402
from resolvers import Cairn, Unbound, cairn_config, free_port  # noqa: E402

NET = os.environ.get("BENCH_NET", "127.63")
CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
PHASES = os.environ.get("BENCH_PHASES", "forgery,malformed,tcp,keytrap,flood").split(",")
FORGERY_QUERIES = int(os.environ.get("BENCH_FORGERY_QUERIES", "100"))
FORGERY_BURST = int(os.environ.get("BENCH_FORGERY_BURST", "4000"))
MALFORMED_ROUNDS = int(os.environ.get("BENCH_MALFORMED_ROUNDS", "4"))
TCP_CLIENTS = int(os.environ.get("BENCH_TCP_CLIENTS", "500"))
TCP_PIPELINE = int(os.environ.get("BENCH_TCP_PIPELINE", "1000"))
KEYTRAP_CLIENTS = int(os.environ.get("BENCH_KEYTRAP_CLIENTS", "50"))
KEYTRAP_SECONDS = float(os.environ.get("BENCH_KEYTRAP_SECONDS", "10"))
KEYTRAP_REFERENCE = 50             # healthy wildcard names, one at a time
KEYTRAP_CACHED = "www.secure.example."
KEYTRAP_PROBE_INTERVAL = 0.020
KEYTRAP_PROBE_TIMEOUT = 2.0
KEYTRAP_FIRST_CLIENT_NET = 100      # flood client c asks from BENCH_NET.(100 + c).1
FLOOD_NAMES = int(os.environ.get("BENCH_FLOOD_NAMES", "1000000"))
FLOOD_ZONES = int(os.environ.get("BENCH_FLOOD_ZONES", "100000"))
FLOOD_CACHE = os.environ.get("BENCH_FLOOD_CACHE", "64m")
UNBOUND_QUIET = ["verbosity: 0", "log-servfail: no"]

FORGED_ADDRESS = bytes([127, 0, 0, 66])
REAL_ADDRESS = bytes([127, 0, 0, 42])


def say(text: str = "") -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------
# resolvers
# ---------------------------------------------------------------------------

def have_unbound() -> bool:
    return bool(shutil.which("unbound")) or os.path.exists("/usr/sbin/unbound")


def kinds() -> list[str]:
    out = []
    if os.access(CAIRN_BIN, os.X_OK):
        out.append("cairn")
    else:
        say(f"note: no cairn binary at {CAIRN_BIN}")
    if have_unbound():
        out.append("unbound")
    else:
        say("note: unbound is not installed: no peer to compare with")
    return out


def start_resolver(kind: str, internet: MiniInternet, workdir: str, label: str,
                   cache_size: str | None = None):
    d = os.path.join(workdir, label)
    if kind == "cairn":
        port = free_port()
        overrides = {"log-level": "warn"}
        if cache_size:
            overrides["cache-size"] = cache_size
        config = cairn_config(internet.root_hints, internet.trust_anchor, port, overrides)
        return Cairn(d, CAIRN_BIN, config, port=port).start()
    extra = list(UNBOUND_QUIET)
    if cache_size:
        half = parse_size(cache_size) // 2
        extra += [f"rrset-cache-size: {half}", f"msg-cache-size: {half}"]
    return Unbound(d, internet.root_hints, internet.trust_anchor, extra).start()


def cpu_seconds(pid: int) -> float:
    """CPU time of all the process's threads, to the nanosecond (schedstat)."""
    total = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
        except OSError:
            pass                    # a thread that ended meanwhile
    return total / 1e9


def rss_mib(pid: int, field: str = "VmRSS") -> float:
    return fs.rss_kib(pid, field) / 1024


def ask(port: int, name: str, rdtype: str = "A", timeout: float = 10.0, dnssec: bool = False):
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232, want_dnssec=dnssec)
    try:
        return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)
    except (dns.exception.DNSException, OSError):
        return None


def addresses(msg) -> list[bytes]:
    if msg is None:
        return []
    return [bytes(int(x) for x in rd.address.split("."))
            for rrset in msg.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset]


def per_resolver(phase, internet: MiniInternet, workdir: str) -> dict[str, dict]:
    results = {}
    for kind in kinds():
        try:
            results[kind] = phase(kind, internet, workdir)
        except Exception:
            say(f"{kind}: measurement failed:")
            traceback.print_exc(file=sys.stdout)
    return results


# ---------------------------------------------------------------------------
# forgery
# ---------------------------------------------------------------------------

class Forger:
    """script1.zz.: the apex and its server from the zone; any other name has
    REAL_ADDRESS, but over UDP a thread first sends the burst of forgeries
    from the server's own address and port, paced (~16,000 a second) so that
    the resolver's socket buffer does not drop them, and the real answer
    only after the last of them."""

    def __init__(self, address: str):
        self.address = address
        self.threads: list[threading.Thread] = []
        self.rng = random.Random(53)

    def forgeries(self, q, labels) -> list[bytes]:
        question = fs.name_wire(labels) + struct.pack("!HH", fs.A, 1)     # lower case
        answer = fs.rr(b"\xc0\x0c", fs.A, FORGED_ADDRESS)
        out = []
        for _ in range(FORGERY_BURST):
            guess = self.rng.randrange(65536)     # blind: right with odds 1 in 65,536
            out.append(struct.pack("!HHHHHH", guess, fs.QR_AA | q[1], 1, 1, 0, 0) + question + answer)
        return out

    def burst(self, client, packets: list[bytes], real: bytes) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((self.address, 53))
            for start in range(0, len(packets), 40):
                for packet in packets[start:start + 40]:
                    s.sendto(packet, client)
                time.sleep(0.0025)
            s.sendto(real, client)

    def join(self) -> None:
        for t in self.threads:
            t.join(timeout=10)

    def __call__(self, rec: ss.Received) -> ss.Reply:
        apex = list(fs.PARENT_LABELS)
        ns_name = fs.name_wire([b"ns"] + apex)
        ns_addr = bytes(int(x) for x in self.address.split("."))
        q = fs.parse_query(rec.wire)
        if q is None:
            return None
        labels, qtype = q[2], q[3]
        if labels[-2:] != apex:
            return fs.reply(q, fs.QR, rcode=fs.REFUSED)
        below = labels[:-2]
        if not below:
            if qtype == fs.NS:
                return fs.reply(q, fs.QR_AA, answer=[fs.rr(fs.name_wire(apex), fs.NS, ns_name)],
                                additional=[fs.rr(ns_name, fs.A, ns_addr)])
            if qtype == fs.SOA:
                return fs.reply(q, fs.QR_AA, answer=[fs.soa_rr(apex)])
            return fs.reply(q, fs.QR_AA, authority=[fs.soa_rr(apex)])
        owner = fs.name_wire(labels)
        if qtype != fs.A:
            return fs.reply(q, fs.QR_AA, authority=[fs.soa_rr(apex)])
        if below == [b"ns"]:
            return fs.reply(q, fs.QR_AA, answer=[fs.rr(owner, fs.A, ns_addr)])
        real = fs.reply(q, fs.QR_AA, answer=[fs.rr(b"\xc0\x0c", fs.A, REAL_ADDRESS)])
        if rec.transport == "tcp" or not below[-1].startswith(b"f"):
            return real
        t = threading.Thread(target=self.burst, args=(rec.client, self.forgeries(q, labels), real),
                             daemon=True)
        self.threads.append(t)
        t.start()
        return None


def measure_forgery(kind: str, internet: MiniInternet, workdir: str) -> dict:
    forger = Forger(internet.addr("script-1"))
    server = ss.ScriptedServer(forger.address, forger).start()
    proc = start_resolver(kind, internet, workdir, f"forgery-{kind}")
    try:
        ask(proc.port, "ns.script1.zz.")           # the delegation is cached before counting
        forged = real = other = 0
        for i in range(FORGERY_QUERIES):
            # The burst's socket shares the server's address and port, and
            # the kernel hands it the queries that arrive meanwhile: the next
            # query waits for the last burst to end, or it would be lost.
            forger.join()
            got = addresses(ask(proc.port, f"f{i}-{kind}.script1.zz."))
            if FORGED_ADDRESS in got:
                forged += 1
            elif REAL_ADDRESS in got:
                real += 1
            else:
                other += 1
        tcp = sum(1 for r in server.queries() if r.transport == "tcp" and (r.qname or "").lower().startswith("f"))
        return {"forged": forged, "real": real, "other": other, "tcp": tcp}
    finally:
        proc.stop()
        forger.join()
        server.stop()


def report_forgery(results: dict[str, dict]) -> None:
    say(f"\n== forgery: {FORGERY_QUERIES} queries, {FORGERY_BURST} forged answers each to the known "
        f"source port (ID guessed, lower case)")
    odds = 1 - (1 - 1 / 65536) ** FORGERY_BURST
    say(f"(a resolver matching on the ID alone would take about {FORGERY_QUERIES * odds:.1f} forged answers)")
    say(f"{'resolver':10} {'forged':>7} {'real':>6} {'none':>6} {'via TCP':>8}")
    for kind, r in results.items():
        say(f"{kind:10} {r['forged']:7d} {r['real']:6d} {r['other']:6d} {r['tcp']:8d}")


# ---------------------------------------------------------------------------
# malformed
# ---------------------------------------------------------------------------

def malformed_packets(rng: random.Random) -> list[tuple[str, bytes]]:
    qname = fs.name_wire([b"www", b"plain", b"example"])
    question = qname + struct.pack("!HH", 1, 1)
    opt = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)

    def header(qd=1, an=0, ns=0, ar=0, flags=0x0100) -> bytes:
        return struct.pack("!HHHHHH", rng.randrange(65536), flags, qd, an, ns, ar)

    return [
        ("empty", b""),
        ("one byte", b"\x12"),
        ("short header", header()[:11]),
        ("no question, QDCOUNT 0", header(qd=0)),
        ("QDCOUNT 1, no question", header()),
        ("name cut short", header() + qname[:6]),
        ("no type and class", header() + qname),
        ("QDCOUNT 2", header(qd=2) + question + question),
        ("a response (QR=1)", header(flags=0x8180) + question),
        ("label of 64 bytes", header() + b"\x40" + b"a" * 64 + b"\x00" + struct.pack("!HH", 1, 1)),
        ("pointer to itself", header() + b"\xc0\x0c" + struct.pack("!HH", 1, 1)),
        ("pointer past the end", header() + b"\xc0\xff" + struct.pack("!HH", 1, 1)),
        ("name over 255 bytes", header() + (b"\x3f" + b"a" * 63) * 5 + b"\x00" + struct.pack("!HH", 1, 1)),
        ("ANCOUNT 1, no record", header(an=1) + question),
        ("ARCOUNT 1, OPT cut", header(ar=1) + question + opt[:5]),
        ("two OPT records", header(ar=2) + question + opt + opt),
        ("OPT RDLENGTH too long", header(ar=1) + question + opt[:-2] + struct.pack("!H", 40)),
        ("OPT not at the root", header(ar=1) + question + b"\x01a" + opt),
        ("EDNS option overflows", header(ar=1) + question + opt[:-2] + struct.pack("!HHH", 4, 10, 60)),
        ("trailing bytes", header() + question + b"\xde\xad\xbe\xef"),
        ("garbage after a header", header() + bytes(rng.randrange(256) for _ in range(40))),
        ("unknown opcode 15", header(flags=0x7900) + question),
    ]


def measure_malformed(kind: str, internet: MiniInternet, workdir: str) -> dict:
    proc = start_resolver(kind, internet, workdir, f"malformed-{kind}")
    try:
        ask(proc.port, "www.plain.example.")       # warm: answers to well-formed ones come at once
        rng = random.Random(7)
        sent, answered, by_kind = 0, 0, {}
        for _ in range(MALFORMED_ROUNDS):
            socks = []
            for label, packet in malformed_packets(rng):
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.setblocking(False)
                s.sendto(packet, ("127.0.0.1", proc.port))
                socks.append((label, s))
            time.sleep(1.0)
            for label, s in socks:
                try:
                    data = s.recv(65535)
                    answered += 1
                    rcode = data[3] & 0x0F if len(data) >= 4 else -1
                    by_kind.setdefault(label, set()).add(rcode)
                except (BlockingIOError, ConnectionRefusedError):
                    pass
                s.close()
                sent += 1
        return {"sent": sent, "answered": answered, "by_kind": by_kind}
    finally:
        proc.stop()


def report_malformed(results: dict[str, dict]) -> None:
    say(f"\n== malformed queries: {MALFORMED_ROUNDS} rounds of {len(malformed_packets(random.Random(0)))} kinds")
    for kind, r in results.items():
        share = r["answered"] / r["sent"] if r["sent"] else float("nan")
        say(f"{kind:10} answered {r['answered']}/{r['sent']} ({share:.0%})")
        for label, rcodes in sorted(r["by_kind"].items()):
            say(f"  {'':8} {label}: rcode {', '.join(str(c) for c in sorted(rcodes))}")


# ---------------------------------------------------------------------------
# non-reading TCP clients
# ---------------------------------------------------------------------------

def tcp_query(name: str, qid: int) -> bytes:
    body = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1) + \
        fs.name_wire(name.rstrip(".").encode().split(b".")) + struct.pack("!HH", 16, 1) + \
        b"\x00" + struct.pack("!HHIH", 41, 4096, 0, 0)
    return struct.pack("!H", len(body)) + body


def measure_tcp(kind: str, internet: MiniInternet, workdir: str) -> dict:
    proc = start_resolver(kind, internet, workdir, f"tcp-{kind}")
    clients: list[socket.socket] = []
    try:
        name = "big.plain.example."
        ask(proc.port, name, "TXT")                 # cached: every query is answered at once
        before = rss_mib(proc.pid)
        stream = b"".join(tcp_query(name, i) for i in range(TCP_PIPELINE))
        connected = 0
        for i in range(TCP_CLIENTS):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            s.settimeout(2.0)
            try:
                s.bind((f"{NET}.60.{i % 250 + 1}", 0))
                s.connect(("127.0.0.1", proc.port))
                s.sendall(stream)
                connected += 1
            except OSError:
                pass
            clients.append(s)
        time.sleep(3.0)
        during = rss_mib(proc.pid)
        open_now = sum(1 for s in clients if _still_open(s))
        for s in clients:
            s.close()
        clients.clear()
        time.sleep(2.0)
        return {"before": before, "during": during, "after": rss_mib(proc.pid),
                "peak": rss_mib(proc.pid, "VmHWM"), "connected": connected, "open": open_now}
    finally:
        for s in clients:
            s.close()
        proc.stop()


def _still_open(s: socket.socket) -> bool:
    """Whether the resolver has not closed the connection (nothing is read)."""
    try:
        s.setblocking(False)
        return s.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False


def report_tcp(results: dict[str, dict]) -> None:
    say(f"\n== {TCP_CLIENTS} TCP clients, {TCP_PIPELINE} queries each for a ~2.7 KB answer, never reading")
    say(f"{'resolver':10} {'RSS before':>10} {'with them':>10} {'peak':>8} {'after':>8} {'sent ok':>8} "
        f"{'still open':>10}  (MiB)")
    for kind, r in results.items():
        say(f"{kind:10} {r['before']:10.1f} {r['during']:10.1f} {r['peak']:8.1f} {r['after']:8.1f} "
            f"{r['connected']:8d} {r['open']:10d}")


# ---------------------------------------------------------------------------
# KeyTrap under a flood
# ---------------------------------------------------------------------------

def keytrap_client_address(c: int) -> str:
    """Client c's own address, each in a /24 of its own: the resolver's
    per-client limits (Cairn: rate-limit-errors, 50 SERVFAILs a second per
    /24 by default) see 50 clients, not one. Beyond 150 clients the /24s
    are shared."""
    return f"{NET}.{KEYTRAP_FIRST_CLIENT_NET + c % 150}.{1 + c // 150}"


def keytrap_flood_client(port: int, seconds: float, clients: int) -> dict:
    """`clients` threads, each asking distinct new trap names one after the
    other (DO set) until `seconds` have passed."""
    lock = threading.Lock()
    rcodes: dict[str, int] = {}
    deadline = time.monotonic() + seconds

    def client(c: int) -> None:
        source = keytrap_client_address(c)
        n = 0
        while time.monotonic() < deadline:
            q = dns.message.make_query(f"k{c}-{n}.trap.keytrap.example.", "A", want_dnssec=True,
                                       use_edns=0, payload=1232)
            n += 1
            try:
                code = dns.rcode.to_text(dns.query.udp(q, "127.0.0.1", port=port, timeout=5.0,
                                                           source=source).rcode())
            except (dns.exception.DNSException, OSError):
                code = "timeout"
            with lock:
                rcodes[code] = rcodes.get(code, 0) + 1

    t0 = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return {"rcodes": rcodes, "seconds": time.monotonic() - t0}


def keytrap_probe_client(port: int, seconds: float, name: str) -> dict:
    """The cached name every KEYTRAP_PROBE_INTERVAL seconds (a slot missed
    while waiting is skipped): latencies in seconds, and timeouts."""
    latencies: list[float] = []
    timeouts = 0
    start = time.monotonic()
    k = 0
    while True:
        slot = start + k * KEYTRAP_PROBE_INTERVAL
        now = time.monotonic()
        if slot - start >= seconds:
            break
        if slot < now:
            k += 1
            continue
        time.sleep(slot - now)
        k += 1
        q = dns.message.make_query(name, "A", want_dnssec=True, use_edns=0, payload=1232)
        sent = time.monotonic()
        try:
            dns.query.udp(q, "127.0.0.1", port=port, timeout=KEYTRAP_PROBE_TIMEOUT)
            latencies.append(time.monotonic() - sent)
        except (dns.exception.DNSException, OSError):
            timeouts += 1
    return {"latencies": latencies, "timeouts": timeouts}


def run_client(role: str, port: int) -> subprocess.Popen:
    """A client in a process of its own, so that neither the other client nor
    this process's threads (the dnstap collector) hold its interpreter lock
    while it measures."""
    return subprocess.Popen([sys.executable, __file__, "--keytrap-client", role, str(port)],
                            stdout=subprocess.PIPE, text=True)


def client_main(role: str, port: int) -> None:
    if role == "flood":
        result = keytrap_flood_client(port, KEYTRAP_SECONDS, KEYTRAP_CLIENTS)
    else:
        result = keytrap_probe_client(port, KEYTRAP_SECONDS, KEYTRAP_CACHED)
    print(json.dumps(result), flush=True)


def cpu_per_query(port: int, pid: int, names: list[str]) -> tuple[float, dict[str, int]]:
    rcodes: dict[str, int] = {}
    start = cpu_seconds(pid)
    for name in names:
        msg = ask(port, name, timeout=20.0, dnssec=True)
        code = dns.rcode.to_text(msg.rcode()) if msg is not None else "timeout"
        rcodes[code] = rcodes.get(code, 0) + 1
    return (cpu_seconds(pid) - start) / len(names), rcodes


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure_keytrap(kind: str, internet: MiniInternet, workdir: str) -> dict:
    proc = start_resolver(kind, internet, workdir, f"keytrap-{kind}")
    try:
        # keys of ., example. and keytrap.example. proven, the cached name
        # cached (as the probe asks it: with DO)
        ask(proc.port, "nodata.keytrap.example.", "TXT", dnssec=True)
        for _ in range(2):
            ask(proc.port, KEYTRAP_CACHED, dnssec=True)
        healthy, healthy_rcodes = cpu_per_query(
            proc.port, proc.pid, [f"k{i}.wild.secure.example." for i in range(KEYTRAP_REFERENCE)])

        cpu_before = cpu_seconds(proc.pid)
        clients = [run_client("flood", proc.port), run_client("probe", proc.port)]
        try:
            flood_out, probe_out = (c.communicate(timeout=KEYTRAP_SECONDS + 120)[0] for c in clients)
        finally:
            for c in clients:
                if c.poll() is None:
                    c.kill()
                    c.wait()
        cpu = cpu_seconds(proc.pid) - cpu_before
        flooded = json.loads(flood_out)
        probed = json.loads(probe_out)
        answered = sum(n for code, n in flooded["rcodes"].items() if code != "timeout")
        return {"cpu_per_query": cpu / answered if answered else float("nan"),
                "rate": answered / flooded["seconds"], "rcodes": flooded["rcodes"],
                "median": percentile(probed["latencies"], 0.5),
                "p95": percentile(probed["latencies"], 0.95),
                "probes": len(probed["latencies"]) + probed["timeouts"],
                "probe_timeouts": probed["timeouts"],
                "healthy": healthy, "healthy_rcodes": healthy_rcodes}
    finally:
        proc.stop()


def report_keytrap(results: dict[str, dict]) -> None:
    say(f"\n== KeyTrap under a flood: {KEYTRAP_CLIENTS} clients asking new names under "
        f"*.trap.keytrap.example. (DO) for {KEYTRAP_SECONDS:g} s; {KEYTRAP_CACHED} A asked every "
        f"{KEYTRAP_PROBE_INTERVAL * 1000:g} ms meanwhile (timeout {KEYTRAP_PROBE_TIMEOUT:g} s)")
    say("(goal, issue 14 point 11: at most 0.3 ms CPU per flood query, cached name median under 5 ms)")
    say(f"{'resolver':10} {'CPU ms/q':>8} {'q/s':>7} {'cached p50':>10} {'p95':>8} "
        f"{'timeouts':>9}  flood rcodes")
    for kind, r in results.items():
        codes = ", ".join(f"{k} {v}" for k, v in sorted(r["rcodes"].items()))
        say(f"{kind:10} {r['cpu_per_query'] * 1000:8.3f} {r['rate']:7.0f} {r['median'] * 1000:8.2f}ms "
            f"{r['p95'] * 1000:6.2f}ms {r['probe_timeouts']:4d}/{r['probes']:<4d}  {codes}")
    say(f"reference: CPU per query for {KEYTRAP_REFERENCE} distinct names under the healthy "
        f"*.wild.secure.example., one at a time")
    for kind, r in results.items():
        codes = ", ".join(f"{k} {v}" for k, v in sorted(r["healthy_rcodes"].items()))
        say(f"{kind:10} {r['healthy'] * 1000:8.3f}  {codes}")


# ---------------------------------------------------------------------------
# flood of names and zones
# ---------------------------------------------------------------------------

def measure_flood(kind: str, internet: MiniInternet, workdir: str) -> dict:
    servers = fs.start_servers(internet, NET)
    proc = start_resolver(kind, internet, workdir, f"flood-{kind}", cache_size=FLOOD_CACHE)
    try:
        start_rss = rss_mib(proc.pid)
        names = fs.names(FLOOD_NAMES, FLOOD_ZONES)
        answered, upstream, peak, t0 = 0, 0, 0.0, time.monotonic()
        chunk = 20000
        for start in range(0, len(names), chunk):
            result = bulk_query("127.0.0.1", proc.port, names[start:start + chunk], window=64, timeout=5)
            answered += sum(1 for rc in result.values() if rc == 0)
            upstream += sum(len(s.queries()) for s in servers)
            fs.forget_received(servers)
            peak = max(peak, rss_mib(proc.pid))
        return {"start": start_rss, "peak": max(peak, rss_mib(proc.pid, "VmHWM")),
                "end": rss_mib(proc.pid), "answered": answered, "upstream": upstream,
                "seconds": time.monotonic() - t0}
    finally:
        proc.stop()
        for s in servers:
            s.stop()


def report_flood(results: dict[str, dict]) -> None:
    cache = parse_size(FLOOD_CACHE)
    ceiling = (cache * 9 // 8 + (32 << 20) + (8 << 20)) / (1 << 20)
    say(f"\n== flood: {FLOOD_NAMES} names under {FLOOD_ZONES} zones, cache-size {FLOOD_CACHE} "
        f"(Cairn's documented ceiling with one thread: {ceiling:.0f} MiB)")
    say(f"{'resolver':10} {'RSS start':>9} {'peak':>8} {'end':>8} (MiB) {'answered':>9} {'upstream q':>10} "
        f"{'seconds':>8}")
    for kind, r in results.items():
        say(f"{kind:10} {r['start']:9.1f} {r['peak']:8.1f} {r['end']:8.1f}       {r['answered']:9d} "
            f"{r['upstream']:10d} {r['seconds']:8.0f}")


PHASE_TABLE = {
    "forgery": (measure_forgery, report_forgery),
    "malformed": (measure_malformed, report_malformed),
    "tcp": (measure_tcp, report_tcp),
    "keytrap": (measure_keytrap, report_keytrap),
    "flood": (measure_flood, report_flood),
}


def main() -> int:
    if os.geteuid() != 0:
        say(f"attacks: skipped: needs root (NSD binds port 53 on {NET}.x.y)")
        return 0
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, max(soft, TCP_CLIENTS + 1024))
    resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    workdir = tempfile.mkdtemp(prefix="attacks-bench-")
    internet = MiniInternet(os.path.join(workdir, "internet"), default_hierarchy(net=NET, big_names=0))
    try:
        internet.start()
        for phase in PHASES:
            if phase not in PHASE_TABLE:
                say(f"unknown phase {phase!r}: one of {', '.join(PHASE_TABLE)}")
                continue
            measure, report = PHASE_TABLE[phase]
            report(per_resolver(measure, internet, workdir))
    except Exception:
        say(f"attacks: failed (another run on {NET}? set BENCH_NET):")
        traceback.print_exc(file=sys.stdout)
    finally:
        internet.stop()
        if os.environ.get("BENCH_KEEP") == "1":
            say(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


def interrupted(*_) -> None:
    raise KeyboardInterrupt         # unwinds through the finally blocks that stop every process


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--keytrap-client":
        client_main(sys.argv[2], int(sys.argv[3]))
        sys.exit(0)
    signal.signal(signal.SIGTERM, interrupted)
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
