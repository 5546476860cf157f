#!/usr/bin/python3
"""The first lookup, as users feel it: Cairn and Unbound resolve the same cold
names on the integration tests' mini-internet with emulated network delays
(tests/integration/delay_proxy.py holds every reply of a server for its delay),
in one run, fresh processes each round.

    /usr/bin/python3 bench/cold_bench.py        (as root; started by bench/cold_bench)

Delays (milliseconds per round trip; BENCH_DELAYS=key:ms,... overrides any):
root-a 20, root-b 80 (a second, distant root), the TLD servers (example-*,
cairn-*, zz-1) 30, every other server 50.

Each round starts each resolver afresh (one thread, validating, default
settings otherwise) and asks BENCH_NAMES (200) names in signed zones with DO=1
(bench/resolver_bench_helper.py's signed list: wildcard expansions, www/mail/
alias/apex data, NSEC and NSEC3 NXDOMAINs, seven algorithm zones),
BENCH_IN_FLIGHT (10) at a time; the resolvers take turns, their order
alternating from round to round, for BENCH_ROUNDS (3) rounds. Everything the
authoritative servers receive from the moment the resolver starts (its root
priming included) counts as upstream queries. Figures per resolver, medians
over the rounds: latency p50/p90/p99/max of the client queries, upstream
queries per name, answers with AD, SERVFAILs; then the Cairn/Unbound ratios.
Issue 18's goal: p99 <= 150 ms and <= 1.03 upstream queries per name, p50 no
worse than Unbound's.

Env: BENCH_NET (127.72), CAIRN_BIN (build/bin/cairn), BENCH_KEEP=1 keeps the
work directory. Every server and resolver started here is stopped by pid. A
benchmark measures: the exit status is always 0.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "bench"))

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402

from hierarchy import default_hierarchy  # noqa: E402
from mini_internet import MiniInternet  # noqa: E402
from resolver_bench_helper import signed_names  # noqa: E402
from resolvers import Cairn, Unbound, cairn_config, free_port  # noqa: E402

NET = os.environ.get("BENCH_NET", "127.72")
CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
NAMES = int(os.environ.get("BENCH_NAMES", "200"))
IN_FLIGHT = int(os.environ.get("BENCH_IN_FLIGHT", "10"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
CLIENT_TIMEOUT = 10.0
TLD_SERVERS = ("example-1", "example-2", "cairn-1", "cairn-2", "zz-1")


def say(text: str = "") -> None:
    print(text, flush=True)


def delays(hierarchy) -> dict[str, float]:
    out = {}
    for key, server in hierarchy.servers.items():
        if server.kind != "nsd":
            continue
        out[key] = 20.0 if key == "root-a" else 80.0 if key == "root-b" else \
            30.0 if key in TLD_SERVERS else 50.0
    for item in filter(None, os.environ.get("BENCH_DELAYS", "").split(",")):
        key, ms = item.split(":")
        out[key] = float(ms)
    return out


def start(kind: str, internet: MiniInternet, workdir: str):
    if kind == "cairn":
        port = free_port()
        config = cairn_config(internet.root_hints, internet.trust_anchor, port,
                              {"log-level": "warn", "dnssec": True})
        return Cairn(workdir, CAIRN_BIN, config, port=port).start()
    return Unbound(workdir, internet.root_hints, internet.trust_anchor,
                   ["verbosity: 0", "log-servfail: no"]).start()


def ask(port: int, line: str) -> tuple[float, str, bool]:
    name, rdtype = line.split()
    q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232, want_dnssec=True)
    t0 = time.monotonic()
    try:
        r = dns.query.udp(q, "127.0.0.1", port=port, timeout=CLIENT_TIMEOUT)
        if r.flags & dns.flags.TC:
            r = dns.query.tcp(q, "127.0.0.1", port=port, timeout=CLIENT_TIMEOUT)
    except (dns.exception.DNSException, OSError):
        return (time.monotonic() - t0) * 1000, "timeout", False
    return (time.monotonic() - t0) * 1000, dns.rcode.to_text(r.rcode()), bool(r.flags & dns.flags.AD)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def one_round(kind: str, internet: MiniInternet, workdir: str, names: list[str]) -> dict:
    internet.reset_counts()
    resolver = start(kind, internet, workdir)
    try:
        with ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:
            results = list(pool.map(lambda line: ask(resolver.port, line), names))
    finally:
        resolver.stop()
    upstream = sum(len(q) for q in internet.all_queries().values())
    latencies = [ms for ms, _, _ in results]
    slowest = sorted(zip(latencies, names), reverse=True)[:3]
    return {
        "p50": percentile(latencies, 0.50), "p90": percentile(latencies, 0.90),
        "p99": percentile(latencies, 0.99), "max": max(latencies),
        "per_name": upstream / len(names),
        "ad": sum(1 for _, _, ad in results if ad),
        "servfail": sum(1 for _, rcode, _ in results if rcode == "SERVFAIL"),
        "timeouts": sum(1 for _, rcode, _ in results if rcode == "timeout"),
        "slowest": slowest,
    }


def report(label: str, rows: list[dict]) -> dict:
    keys = ("p50", "p90", "p99", "max", "per_name", "ad", "servfail", "timeouts")
    median = {k: statistics.median(r[k] for r in rows) for k in keys}
    say(f"{label:<8} {median['p50']:7.1f} {median['p90']:7.1f} {median['p99']:7.1f} "
        f"{median['max']:7.1f} {median['per_name']:9.3f} {median['ad']:5.0f} "
        f"{median['servfail']:5.0f} {median['timeouts']:5.0f}")
    return median


def main() -> int:
    kinds = []
    if os.access(CAIRN_BIN, os.X_OK):
        kinds.append("cairn")
    else:
        say(f"cold_bench: no cairn binary at {CAIRN_BIN}")
    if shutil.which("unbound") or os.path.exists("/usr/sbin/unbound"):
        kinds.append("unbound")
    else:
        say("cold_bench: unbound is not installed: no peer to compare with")
    if not kinds:
        return 0
    names, summary = signed_names(NAMES)
    workdir = tempfile.mkdtemp(prefix="cairn-cold-bench-")
    hierarchy = default_hierarchy(net=NET, big_names=0)
    internet = MiniInternet(os.path.join(workdir, "internet"), hierarchy, delays=delays(hierarchy))
    say(f"cold_bench: {summary}; DO=1, {IN_FLIGHT} in flight, {ROUNDS} rounds, fresh processes")
    say("delays (ms): " + ", ".join(f"{k} {v:g}" for k, v in sorted(internet.delays.items())))
    rows: dict[str, list[dict]] = {k: [] for k in kinds}
    try:
        internet.start()
        for r in range(ROUNDS):
            order = kinds if r % 2 == 0 else list(reversed(kinds))
            for kind in order:
                row = one_round(kind, internet, os.path.join(workdir, f"{kind}-{r}"), names)
                rows[kind].append(row)
                slow = ", ".join(f"{n.split()[0]} {ms:.0f}" for ms, n in row["slowest"])
                say(f"round {r + 1} {kind:<8} p50 {row['p50']:.1f} p99 {row['p99']:.1f} "
                    f"max {row['max']:.1f} ms, {row['per_name']:.3f} upstream/name; "
                    f"slowest: {slow}")
        say()
        say(f"{'medians':<8} {'p50':>7} {'p90':>7} {'p99':>7} {'max':>7} {'up/name':>9} "
            f"{'AD':>5} {'SERVF':>5} {'t/o':>5}   (ms)")
        medians = {kind: report(kind, rows[kind]) for kind in kinds}
        if len(kinds) == 2:
            c, u = medians["cairn"], medians["unbound"]
            say("cairn/unbound: " + ", ".join(
                f"{k} {c[k] / u[k]:.2f}" for k in ("p50", "p90", "p99", "max", "per_name") if u[k]))
        say("goal (issue 18): cairn p99 <= 150 ms, <= 1.03 upstream queries per name, "
            "p50 no worse than unbound's")
    except Exception:
        say("cold_bench: failed:\n" + traceback.format_exc())
    finally:
        internet.stop()
        if os.environ.get("BENCH_KEEP") == "1":
            say(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    main()
    sys.exit(0)
