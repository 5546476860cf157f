#!/usr/bin/python3
"""What aggressive NSEC, serve-stale and prefetch buy, measured on the
integration tests' mini-internet (run by bench/help_dns_bench.sh, as root).

    /usr/bin/python3 bench/help_dns_bench.py WORKDIR

Phases (BENCH_PHASES, comma-separated, default all three):

  aggressive  random-subdomain attack: BENCH_FLOOD (20,000) random names under
              big.example. (NSEC) and big3.cairn. (NSEC3), 2,000 names each;
              upstream queries the zone's server received (dnstap), for Cairn
              with aggressive-nsec on (default) and off, Unbound with
              aggressive-nsec yes and no, each a fresh process; reduction vs off.
  outage      BENCH_OUTAGE_NAMES (200) names (wildcards in short.example. and
              shortplain.zz., TTL 3 s) cached; every authoritative server
              stopped (by pid); past every TTL of those zones (11 s) all names
              asked again (20 at a time): fraction answered, median/p95
              latency. Cairn (serve-stale on by default), Unbound with
              serve-expired (reply TTL 30, client timeout 1.8 s).
  prefetch    Zipf (s = BENCH_ZIPF_S, 1.0) queries over p000..p099 of
              short.example. and shortplain.zz. (200 names, TTL 10..30 s),
              BENCH_PREFETCH_QPS (50) per second for BENCH_PREFETCH_SECONDS
              (120), the same sequence to Cairn and Unbound with prefetch on
              and off, all four at once. Client-visible cache misses (queries
              that waited for upstream) by the resolvers' own counters
              (Cairn: server.resolutions - resolver.cache_answers; Unbound:
              num.cachemiss), over the whole run and after the first 30 s,
              plus latency percentiles (at these rates on loopback, a miss
              costs ~1 ms: latency alone does not tell misses apart).
              BENCH_PREFETCH_MIN_HITS (e.g. "1,2,3") adds a Cairn with
              prefetch on for each `prefetch-min-hits` listed, in the same
              run: how its default was chosen.

Env: BENCH_NET (127.58), CAIRN_BIN (build/bin/cairn). A benchmark measures:
failures are reported and the script goes on; the exit status is always 0.
"""

from __future__ import annotations

import bisect
import os
import random
import shutil
import signal
import string
import sys
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import dns.dnssec  # noqa: E402
import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.name  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402
import dns.rdataclass  # noqa: E402
import dns.rdatatype  # noqa: E402
import dns.zone  # noqa: E402

from hierarchy import (BIG_NAMES, BIG_ZONES, PREFETCH_NAMES, PREFETCH_TTL, SHORT_TTL,  # noqa: E402
                       STALE_NAMES, default_hierarchy, prefetch_ttl)
from mini_internet import MiniInternet  # noqa: E402
from resolver_helpers import bulk_query, cairn_stats, unbound_stats  # noqa: E402
from resolvers import Cairn, Unbound, cairn_config, free_port  # noqa: E402

NET = os.environ.get("BENCH_NET", "127.58")
CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
FLOOD = int(os.environ.get("BENCH_FLOOD", "20000"))
OUTAGE_NAMES = int(os.environ.get("BENCH_OUTAGE_NAMES", "200"))
PREFETCH_SECONDS = float(os.environ.get("BENCH_PREFETCH_SECONDS", "120"))
PREFETCH_QPS = float(os.environ.get("BENCH_PREFETCH_QPS", "50"))
PREFETCH_MIN_HITS = [int(h) for h in os.environ.get("BENCH_PREFETCH_MIN_HITS", "").split(",") if h.strip()]
ZIPF_S = float(os.environ.get("BENCH_ZIPF_S", "1.0"))
PHASES = [p.strip() for p in os.environ.get("BENCH_PHASES", "aggressive,outage,prefetch").split(",") if p.strip()]
WARMUP = 30.0       # prefetch phase: seconds before the "steady" counters start
SHORT_ZONES = ["short.example.", "shortplain.zz."]
UNBOUND_QUIET = ["verbosity: 0", "log-servfail: no", "extended-statistics: yes"]


def say(text: str = "") -> None:
    print(text, flush=True)


def progress(text: str) -> None:
    print(f"[{time.monotonic() - T0:5.0f}s] {text}", flush=True)


T0 = time.monotonic()


# ---------------------------------------------------------------------------
# resolvers
# ---------------------------------------------------------------------------

class Subject:
    """A resolver under measurement: its process and its counters."""

    def __init__(self, label: str, kind: str, proc, ctl: str | None = None):
        self.label, self.kind, self.proc, self.ctl = label, kind, proc, ctl

    @property
    def port(self) -> int:
        return self.proc.port

    def stats(self) -> dict[str, float]:
        try:
            return cairn_stats(self.ctl) if self.kind == "cairn" else unbound_stats(self.proc)
        except Exception as exc:           # a counter we cannot read is reported as missing
            progress(f"{self.label}: no stats ({exc})")
            return {}

    def stop(self) -> None:
        self.proc.stop()


def start_cairn(internet: MiniInternet, workdir: str, label: str, overrides: dict | None = None) -> Subject | None:
    if not os.access(CAIRN_BIN, os.X_OK):
        return None
    d = os.path.join(workdir, label)
    os.makedirs(d, exist_ok=True)
    port = free_port()
    ctl = os.path.join(d, "ctl.sock")
    config = cairn_config(internet.root_hints, internet.trust_anchor, port,
                          {"control-socket": ctl, "log-level": "warn", **(overrides or {})})
    try:
        return Subject(label, "cairn", Cairn(d, CAIRN_BIN, config, port=port).start(), ctl)
    except Exception as exc:
        progress(f"{label}: did not start: {str(exc).splitlines()[0]}")
        return None


def start_unbound(internet: MiniInternet, workdir: str, label: str, extra: list[str]) -> Subject | None:
    if not shutil.which("unbound") and not os.path.exists("/usr/sbin/unbound"):
        return None
    d = os.path.join(workdir, label)
    try:
        u = Unbound(d, internet.root_hints, internet.trust_anchor, UNBOUND_QUIET + extra)
        return Subject(label, "unbound", u.start())
    except Exception as exc:
        progress(f"{label}: did not start: {str(exc).splitlines()[0]}")
        return None


def query(port: int, name: str, rdtype: str = "A", dnssec: bool = False, timeout: float = 10.0):
    """(message or None, seconds)"""
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232, want_dnssec=dnssec)
    t = time.monotonic()
    try:
        msg = dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)
    except (dns.exception.DNSException, OSError):
        msg = None
    return msg, time.monotonic() - t


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def fmt(x, spec: str = ".0f") -> str:
    if x is None or (isinstance(x, float) and x != x):
        return "-"
    return format(x, spec)


# ---------------------------------------------------------------------------
# 1. random-subdomain attack
# ---------------------------------------------------------------------------

def random_names(zone: str, n: int, seed: str) -> list[str]:
    rng = random.Random(seed)
    alphabet = string.ascii_lowercase + string.digits
    return ["".join(rng.choice(alphabet) for _ in range(10)) + "." + zone for _ in range(n)]


def upstream_count(internet: MiniInternet, zone: str) -> int:
    z = dns.name.from_text(zone)
    n = 0
    for q in internet.queries("big"):
        try:
            if dns.name.from_text(q.qname).is_subdomain(z):
                n += 1
        except dns.exception.DNSException:
            pass
    return n


def denial_floor(internet: MiniInternet, zone: str, names: list[str]) -> int:
    """The fewest upstream queries that can answer `names` from denial records.

    Each NXDOMAIN answer from the zone carries one NSEC (NSEC3) interval that
    depends on the name asked, plus intervals every answer carries alike (the
    one denying the wildcard; for NSEC3 the apex match). So a resolver must
    ask at least once for each distinct interval the flood's names fall into,
    the common ones aside, whatever it asks: the floor for any resolver, read
    from the signed zone file the server loads."""
    origin = dns.name.from_text(zone)
    z = dns.zone.from_file(internet.zonefile(zone), origin=origin, relativize=False, check_origin=False)
    params = z.get_rdataset(origin, dns.rdatatype.NSEC3PARAM)
    nsec3param = params[0] if params else None
    if nsec3param is None:
        keys = sorted(n for n, node in z.nodes.items() if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC))

        def key_of(name: dns.name.Name):
            return name
    else:
        keys = sorted(n.labels[0].decode().upper() for n, node in z.nodes.items()
                      if node.get_rdataset(dns.rdataclass.IN, dns.rdatatype.NSEC3))

        def key_of(name: dns.name.Name):
            return dns.dnssec.nsec3_hash(name, nsec3param.salt, nsec3param.iterations, nsec3param.algorithm)

    def interval(name: dns.name.Name) -> int:
        return (bisect.bisect_right(keys, key_of(name)) - 1) % len(keys)   # below the first: the last wraps

    common = {interval(dns.name.from_text("*", origin))}
    return max(1, len({interval(dns.name.from_text(n)) for n in names} - common))


def phase_aggressive(internet: MiniInternet, workdir: str) -> None:
    configs = [
        ("cairn on", lambda: start_cairn(internet, workdir, "agg-cairn-on")),
        ("cairn off", lambda: start_cairn(internet, workdir, "agg-cairn-off", {"aggressive-nsec": False})),
        ("unbound yes", lambda: start_unbound(internet, workdir, "agg-unbound-yes",
                                              ["aggressive-nsec: yes", "neg-cache-size: 16m"])),
        ("unbound no", lambda: start_unbound(internet, workdir, "agg-unbound-no", ["aggressive-nsec: no"])),
    ]
    zones = list(BIG_ZONES)
    floods = {z: random_names(z, FLOOD, f"bench-{z}") for z in zones}
    floors = {z: denial_floor(internet, z, floods[z]) for z in zones}
    results: dict[tuple[str, str], dict] = {}
    for label, starter in configs:
        subject = starter()
        if subject is None:
            progress(f"{label}: not run")
            continue
        try:
            for zone in zones:
                time.sleep(0.5)
                internet.reset_counts()
                s0 = subject.stats()
                t = time.monotonic()
                rcodes = bulk_query("127.0.0.1", subject.port, floods[zone], "A", window=32, timeout=5)
                elapsed = time.monotonic() - t
                time.sleep(1.0)         # background work the flood started
                s1 = subject.stats()
                up = upstream_count(internet, zone)
                nx = sum(1 for rc in rcodes.values() if rc == dns.rcode.NXDOMAIN)
                res = {"upstream": up, "nx": nx, "secs": elapsed}
                if subject.kind == "cairn":
                    res["counter"] = s1.get("resolver.upstream_queries", 0) - s0.get("resolver.upstream_queries", 0)
                    res["synth"] = s1.get("resolver.synthesised_nxdomain", 0) - s0.get("resolver.synthesised_nxdomain", 0)
                results[(label, zone)] = res
                progress(f"{label} {zone}: {up} upstream, {nx}/{FLOOD} NXDOMAIN, {elapsed:.1f} s")
        finally:
            subject.stop()
    say()
    say(f"1. random-subdomain attack: {FLOOD} random names per zone, {BIG_NAMES} names in each zone,")
    say("   32 queries outstanding, fresh resolver per configuration; upstream = queries for names")
    say("   in the zone that reached its server (dnstap); Cairn's own upstream counter alongside")
    say()
    say(f"{'zone':14} {'resolver':12} {'upstream':>9} {'vs off':>8} {'NXDOMAIN':>9} {'q/s':>7} "
        f"{'cairn ctr':>10} {'synth.':>7}")
    for zone in zones:
        denial = "NSEC3" if "big3" in zone else "NSEC"
        for label, _ in configs:
            res = results.get((label, zone))
            if res is None:
                continue
            off_label = "cairn off" if label.startswith("cairn") else "unbound no"
            off = results.get((off_label, zone))
            red = "-"
            if off and off["upstream"] > 0 and label != off_label:
                red = f"-{100 * (1 - res['upstream'] / off['upstream']):.1f}%"
            say(f"{zone + ' ' + denial:14} {label:12} {res['upstream']:>9} {red:>8} {res['nx']:>9} "
                f"{FLOOD / res['secs']:>7.0f} {fmt(res.get('counter')):>10} {fmt(res.get('synth')):>7}")
    say("(vs off: upstream queries saved against the same resolver with aggressive use off;")
    say(" Unbound 1.17 synthesises from NSEC only)")
    say()
    say("floor: distinct denial intervals of the zone the flood's names fall into, the ones every")
    say("answer carries aside; each upstream answer teaches at most one more, so no resolver can")
    say("answer the flood with fewer upstream queries (best reduction = 1 - floor / queries)")
    for zone in zones:
        on, off = results.get(("cairn on", zone)), results.get(("cairn off", zone))
        line = f"  {zone:14} floor {floors[zone]:>6}  best reduction -{100 * (1 - floors[zone] / FLOOD):.1f}%"
        if on:
            line += f"  cairn on {on['upstream'] / floors[zone]:.2f} x floor"
        if off and off["upstream"] > 0 and on:
            line += f", -{100 * (1 - on['upstream'] / off['upstream']):.1f}% vs off"
        say(line)


# ---------------------------------------------------------------------------
# 2. outage: serve-stale
# ---------------------------------------------------------------------------

def phase_outage(internet: MiniInternet, workdir: str) -> None:
    subjects = [s for s in (
        start_cairn(internet, workdir, "outage-cairn"),
        start_unbound(internet, workdir, "outage-unbound",
                      ["serve-expired: yes", "serve-expired-ttl: 86400", "serve-expired-reply-ttl: 30",
                       "serve-expired-client-timeout: 1800", "ede: yes", "ede-serve-expired: yes"]),
    ) if s is not None]
    if not subjects:
        say("2. outage: no resolver started")
        return
    half = min(OUTAGE_NAMES // 2, STALE_NAMES)
    names = [f"s{i:03d}.{z}" for z in SHORT_ZONES for i in range(half)]
    # wildcard-expanded names: all but the first few of a zone may be
    # synthesised from the cached wildcard and NSEC (RFC 8198) instead of
    # being cached one by one, so they are reported apart
    wild = [f"o{i}.wild.{z}" for z in SHORT_ZONES for i in range(20)]
    wild_results = {}
    results = {}
    stopped = []
    try:
        for s in subjects:
            with ThreadPoolExecutor(max_workers=8) as pool:
                got = list(pool.map(lambda n: query(s.port, n)[0], names + wild))
            ok = sum(1 for m in got if m is not None and m.rcode() == 0 and m.answer)
            progress(f"{s.label}: cached {ok}/{len(names) + len(wild)} names")
        cached = time.monotonic()
        for key in list(internet.nsd):
            internet.stop_server(key)
            stopped.append(key)
        progress(f"stopped all {len(stopped)} authoritative servers")
        wait = PREFETCH_TTL + 1 - (time.monotonic() - cached)      # every TTL of the short zones
        if wait > 0:
            time.sleep(wait)
        for s in subjects:
            s0 = s.stats()
            t = time.monotonic()
            with ThreadPoolExecutor(max_workers=20) as pool:
                got = list(pool.map(lambda n: query(s.port, n, timeout=30), names))
            wall = time.monotonic() - t
            s1 = s.stats()
            answered = [lat for m, lat in got if m is not None and m.rcode() == 0 and m.answer]
            by_zone = {z: sum(1 for n, (m, _) in zip(names, got)
                              if n.endswith(z) and m is not None and m.rcode() == 0 and m.answer)
                       for z in SHORT_ZONES}
            ttls = sorted({m.answer[0].ttl for m, _ in got if m is not None and m.answer})
            lat_all = [lat for _, lat in got]
            res = {"answered": len(answered), "p50": pct(lat_all, 50) * 1000, "p95": pct(lat_all, 95) * 1000,
                   "max": max(lat_all) * 1000, "ttls": ttls[:4], "wall": wall, "by_zone": by_zone,
                   "noanswer": sum(1 for m, _ in got if m is None),
                   "servfail": sum(1 for m, _ in got if m is not None and m.rcode() == dns.rcode.SERVFAIL)}
            if s.kind == "cairn":
                res["stale"] = s1.get("resolver.stale_answers", 0) - s0.get("resolver.stale_answers", 0)
            results[s.label] = res
            progress(f"{s.label}: {len(answered)}/{len(names)} answered in {wall:.1f} s")
            with ThreadPoolExecutor(max_workers=20) as pool:
                got = list(pool.map(lambda n: query(s.port, n, timeout=30)[0], wild))
            wild_results[s.label] = {z: sum(1 for n, m in zip(wild, got) if n.endswith(z) and m is not None
                                            and m.rcode() == 0 and m.answer) for z in SHORT_ZONES}
    finally:
        for s in subjects:
            s.stop()
        for key in stopped:
            try:
                internet.start_server(key)
            except Exception as exc:
                progress(f"restart {key} failed: {exc}")
        progress("authoritative servers started again")
    say()
    say(f"2. outage: {len(names)} names cached (TTL {SHORT_TTL} s: {half} signed, "
        f"{len(names) - half} unsigned), every authoritative")
    say(f"   server stopped, all names asked {PREFETCH_TTL + 1} s later, 20 at a time")
    say()
    say(f"{'resolver':16} {'answered':>9} {'signed':>7} {'unsigned':>9} {'SERVFAIL':>9} {'no reply':>9} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'TTLs':>10} {'stale ctr':>10}")
    for label, res in results.items():
        signed, unsigned = (res["by_zone"][z] for z in SHORT_ZONES)
        say(f"{label:16} {res['answered'] / len(names):>8.1%} {signed:>7} {unsigned:>9} {res['servfail']:>9} "
            f"{res['noanswer']:>9} {res['p50']:>8.1f} {res['p95']:>8.1f} {res['max']:>8.1f} "
            f"{','.join(map(str, res['ttls'])):>10} {fmt(res.get('stale')):>10}")
    say("(latency includes the client's 30 s timeout for queries never answered)")
    for label, w in wild_results.items():
        say(f"{label}: wildcard-expanded names answered during the outage: "
            + ", ".join(f"{w[z]}/{len(wild) // len(SHORT_ZONES)} in {z}" for z in SHORT_ZONES))


# ---------------------------------------------------------------------------
# 3. prefetch
# ---------------------------------------------------------------------------

def zipf_schedule(names: list[str], seconds: float, qps: float, s: float, seed: str) -> list[str]:
    rng = random.Random(seed)
    ranked = names[:]
    rng.shuffle(ranked)
    weights = [1 / (r + 1) ** s for r in range(len(ranked))]
    return rng.choices(ranked, weights=weights, k=int(seconds * qps))


def misses_of(subject: Subject, stats: dict[str, float]) -> float | None:
    if not stats:
        return None
    if subject.kind == "cairn":
        return stats.get("server.resolutions", 0) - stats.get("resolver.cache_answers", 0)
    return stats.get("total.num.cachemiss", 0)


def prefetches_of(subject: Subject, stats: dict[str, float]) -> float | None:
    if not stats:
        return None
    return stats.get("resolver.prefetches" if subject.kind == "cairn" else "total.num.prefetch", 0)


def phase_prefetch(internet: MiniInternet, workdir: str) -> None:
    subjects = [s for s in (
        start_cairn(internet, workdir, "prefetch-cairn-on"),
        start_cairn(internet, workdir, "prefetch-cairn-off", {"prefetch": False}),
        start_unbound(internet, workdir, "prefetch-unbound-on", ["prefetch: yes"]),
        start_unbound(internet, workdir, "prefetch-unbound-off", ["prefetch: no"]),
        *(start_cairn(internet, workdir, f"prefetch-cairn-hits-{h}", {"prefetch-min-hits": h})
          for h in PREFETCH_MIN_HITS),
    ) if s is not None]
    if not subjects:
        say("3. prefetch: no resolver started")
        return
    names = [f"p{i:03d}.{z}" for z in SHORT_ZONES for i in range(PREFETCH_NAMES)]
    ttls = sorted({prefetch_ttl(i) for i in range(PREFETCH_NAMES)})
    schedule = zipf_schedule(names, PREFETCH_SECONDS, PREFETCH_QPS, ZIPF_S, "bench-zipf")
    progress(f"prefetch: {len(schedule)} queries over {PREFETCH_SECONDS:.0f} s to {len(subjects)} resolvers at once")
    results: dict[str, dict] = {}
    start_at = time.monotonic() + 1.0

    def run(s: Subject) -> None:
        lat_all, lat_steady, failed = [], [], 0
        before = s.stats()
        steady = None
        for i, name in enumerate(schedule):
            at = start_at + i / PREFETCH_QPS
            if steady is None and at - start_at >= WARMUP:
                steady = s.stats()
            delay = at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            msg, lat = query(s.port, name)
            if msg is None or msg.rcode() != 0 or not msg.answer:
                failed += 1
            lat_all.append(lat)
            if steady is not None:
                lat_steady.append(lat)
        time.sleep(0.5)
        after = s.stats()
        res = {"failed": failed, "n": len(lat_all),
               "n_steady": len(lat_steady), "p50": pct(lat_all, 50) * 1000, "p99": pct(lat_all, 99) * 1000,
               "max": max(lat_all) * 1000}
        for key, fn in (("misses", misses_of), ("prefetches", prefetches_of)):
            a, b, m = fn(s, before), fn(s, after), fn(s, steady or {})
            res[key] = None if a is None or b is None else b - a
            res[key + "_steady"] = None if m is None or b is None else b - m
        if s.kind == "cairn" and after:
            res["unchanged"] = after.get("resolver.prefetch_unchanged", 0) - before.get("resolver.prefetch_unchanged", 0)
            res["upstream"] = after.get("resolver.upstream_queries", 0) - before.get("resolver.upstream_queries", 0)
        results[s.label] = res

    threads = [threading.Thread(target=run, args=(s,), daemon=True) for s in subjects]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for s in subjects:
            s.stop()
    top = schedule.count(max(set(schedule), key=schedule.count)) if schedule else 0
    say()
    say(f"3. prefetch: Zipf s={ZIPF_S} over {len(names)} names (TTL {ttls[0]}..{ttls[-1]} s, half signed), "
        f"{PREFETCH_QPS:.0f} q/s for {PREFETCH_SECONDS:.0f} s")
    say(f"   ({len(schedule)} queries, the most popular name {top} times), same sequence to each resolver,")
    say("   all at once; misses = client queries that waited for upstream (resolver counters);")
    say(f"   steady = after the first {WARMUP:.0f} s")
    say()
    say(f"{'resolver':22} {'misses':>7} {'steady':>7} {'prefetch':>9} {'steady':>7} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'failed':>7} {'unchanged':>9} {'upstream':>9}")
    for label, r in results.items():
        say(f"{label:22} {fmt(r['misses']):>7} {fmt(r['misses_steady']):>7} {fmt(r['prefetches']):>9} "
            f"{fmt(r['prefetches_steady']):>7} {r['p50']:>7.2f} "
            f"{r['p99']:>7.2f} {r['max']:>7.1f} {r['failed']:>7} {fmt(r.get('unchanged')):>9} "
            f"{fmt(r.get('upstream')):>9}")
    for kind in ("cairn", "unbound"):
        on, off = results.get(f"prefetch-{kind}-on"), results.get(f"prefetch-{kind}-off")
        if on and off and on["misses_steady"] is not None and off["misses_steady"]:
            say(f"{kind}: steady-state client-visible misses with prefetch {on['misses_steady']:.0f} vs "
                f"{off['misses_steady']:.0f} without ({100 * (1 - on['misses_steady'] / off['misses_steady']):.0f}% fewer)")


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 0
    workdir = sys.argv[1]
    progress(f"mini-internet on {NET}.x.y (2 x {BIG_NAMES} big-zone names to sign)")
    internet = MiniInternet(os.path.join(workdir, "internet"), default_hierarchy(net=NET))
    try:
        internet.start()
    except Exception as exc:
        say(f"help_dns_bench: the mini-internet did not start ({exc}); another run on {NET}? set BENCH_NET")
        return 0
    progress(f"up: build {internet.timings['build']:.1f} s, start {internet.timings['start']:.1f} s")
    if not os.access(CAIRN_BIN, os.X_OK):
        say(f"note: no cairn binary at {CAIRN_BIN}: Unbound only")
    try:
        for phase, fn in (("aggressive", phase_aggressive), ("outage", phase_outage), ("prefetch", phase_prefetch)):
            if phase not in PHASES:
                continue
            progress(f"phase {phase}")
            try:
                fn(internet, workdir)
            except Exception:
                say(f"phase {phase} failed:")
                traceback.print_exc(file=sys.stdout)
    finally:
        internet.stop()
    progress("done")
    return 0


def interrupted(*_) -> None:
    raise KeyboardInterrupt         # unwinds through the finally blocks that stop every process


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, interrupted)
    try:
        main()
    except KeyboardInterrupt:
        pass
    sys.exit(0)
