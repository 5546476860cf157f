#!/usr/bin/python3
"""NXNSAttack amplification: Cairn against Unbound, on the integration
tests' mini-internet (loopback only; run as root).

    /usr/bin/python3 bench/nxns_bench.py

The scenario is tests/integration/nxns_scenario.py, the one
test_resolver_hostile.py asserts on: the attacker's zone (script1.zz.)
answers each of BENCH_NXNS_QUERIES (20) client queries for distinct names
with a referral to 30 glueless NS names, fresh random ones each time, in the
victim's zone (script2.zz.), where none exists. Printed per resolver (each
a fresh process, default settings): queries that reached the victim's
server, per client query (mean and worst), and the ratio Cairn / Unbound.
Then the legitimate case: legit.script1.zz. has 30 glueless NS names of
which only the last exists; how many client queries (distinct names, asked
one after the other) it takes to get the answer, and the victim-side cost.

Env: BENCH_NET (127.59: mini-internet addresses, keep it apart from test runs
and other benchmarks), BENCH_NXNS_QUERIES (20), CAIRN_BIN (build/bin/cairn),
BENCH_KEEP=1 keeps the work directory. Every server and resolver started
here is stopped by pid (ScriptedServers are threads of this process). A
benchmark measures: the exit status is always 0.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import tempfile
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

import nxns_scenario as nxns  # noqa: E402
from hierarchy import default_hierarchy, spare_addr  # noqa: E402
from mini_internet import MiniInternet  # noqa: E402
from resolvers import Cairn, Unbound, cairn_config, free_port  # noqa: E402
from scripted_server import ScriptedServer  # noqa: E402

NET = os.environ.get("BENCH_NET", "127.59")
CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
QUERIES = int(os.environ.get("BENCH_NXNS_QUERIES", "20"))
LEGIT_ATTEMPTS = 30


def say(text: str = "") -> None:
    print(text, flush=True)


def ask(port: int, name: str, timeout: float = 30.0) -> dns.message.Message | None:
    q = dns.message.make_query(name, "A", use_edns=0, payload=1232)
    try:
        return dns.query.udp(q, "127.0.0.1", port=port, timeout=timeout)
    except (dns.exception.DNSException, OSError):
        return None


def addresses(msg: dns.message.Message | None) -> list[str]:
    if msg is None:
        return []
    return sorted(rd.to_text() for rrset in msg.answer if rrset.rdtype == dns.rdatatype.A for rd in rrset)


def rcode(msg: dns.message.Message | None) -> str:
    return dns.rcode.to_text(msg.rcode()) if msg is not None else "timeout"


def start_servers(internet: MiniInternet) -> dict[str, ScriptedServer]:
    a1, a2, a3 = (internet.addr(k) for k in ("script-1", "script-2", "script-3"))
    servers = {
        "attacker": ScriptedServer(a1, nxns.attacker(a1)),
        "victim": ScriptedServer(a2, nxns.victim(a2)),
        "holder": ScriptedServer(a3, nxns.ns_holder(a3, NET)),
        "legit": ScriptedServer(spare_addr(NET, nxns.LEGIT_SERVER_INDEX), nxns.legit_server(NET)),
    }
    for s in servers.values():
        s.start()
    return servers


def start_resolver(kind: str, internet: MiniInternet, workdir: str):
    d = os.path.join(workdir, kind)
    if kind == "cairn":
        port = free_port()
        config = cairn_config(internet.root_hints, internet.trust_anchor, port, {"log-level": "warn"})
        return Cairn(d, CAIRN_BIN, config, port=port).start()
    return Unbound(d, internet.root_hints, internet.trust_anchor, ["verbosity: 0", "log-servfail: no"]).start()


def measure(kind: str, internet: MiniInternet, servers: dict[str, ScriptedServer], workdir: str) -> dict:
    """Attack figures, then the legitimate delegation, for one fresh resolver."""
    proc = start_resolver(kind, internet, workdir)
    try:
        victim = servers["victim"]
        ask(proc.port, f"ns.{nxns.VICTIM}")         # both delegations cached before counting
        ask(proc.port, f"ns.{nxns.ATTACKER}")
        per_query, rcodes = [], {}
        start = len(victim.queries())
        t0 = time.monotonic()
        for name in nxns.attack_names(QUERIES):
            before = len(victim.queries())
            code = rcode(ask(proc.port, name))
            rcodes[code] = rcodes.get(code, 0) + 1
            per_query.append(len(victim.queries()) - before)
        elapsed = time.monotonic() - t0
        time.sleep(1.0)                              # background lookups still running
        total = len(victim.queries()) - start
        holder = servers["holder"]
        holder_before = len(holder.queries())
        attempts = None
        for i in range(LEGIT_ATTEMPTS):
            if addresses(ask(proc.port, f"n{i}.{nxns.LEGIT}")) == [nxns.GOOD]:
                attempts = i + 1
                break
        return {"total": total, "mean": total / QUERIES, "worst": max(per_query), "rcodes": rcodes,
                "seconds": elapsed, "legit_attempts": attempts,
                "legit_holder_queries": len(holder.queries()) - holder_before}
    finally:
        proc.stop()


def report(results: dict[str, dict]) -> None:
    say(f"NXNSAttack: {QUERIES} client queries, each a referral to {nxns.FAN_OUT} glueless NS names "
        f"in {nxns.VICTIM} (none exists)")
    say(f"{'resolver':10} {'victim q':>9} {'per query':>10} {'worst':>6} {'time s':>7}  client rcodes")
    for kind, r in results.items():
        codes = ", ".join(f"{k} {v}" for k, v in sorted(r["rcodes"].items()))
        say(f"{kind:10} {r['total']:9d} {r['mean']:10.2f} {r['worst']:6d} {r['seconds']:7.2f}  {codes}")
    if "cairn" in results and "unbound" in results and results["unbound"]["total"]:
        say(f"ratio cairn/unbound (victim queries): {results['cairn']['total'] / results['unbound']['total']:.2f}")
    say(f"legitimate: {nxns.LEGIT} with {nxns.FAN_OUT} glueless NS, only the last exists")
    for kind, r in results.items():
        got = f"answered at client query {r['legit_attempts']}" if r["legit_attempts"] else \
            f"not answered in {LEGIT_ATTEMPTS} client queries"
        say(f"  {kind:10} {got}; {r['legit_holder_queries']} queries to {nxns.NS_HOLDER}'s server")


def main() -> int:
    if os.geteuid() != 0:
        say(f"nxns_bench: skipped: needs root (NSD binds port 53 on {NET}.x.y)")
        return 0
    kinds = []
    if os.access(CAIRN_BIN, os.X_OK):
        kinds.append("cairn")
    else:
        say(f"note: no cairn binary at {CAIRN_BIN}")
    if shutil.which("unbound") or os.path.exists("/usr/sbin/unbound"):
        kinds.append("unbound")
    else:
        say("note: unbound is not installed: no peer to compare with")
    workdir = tempfile.mkdtemp(prefix="nxns-bench-")
    internet = MiniInternet(os.path.join(workdir, "internet"), default_hierarchy(net=NET, big_names=0))
    servers: dict[str, ScriptedServer] = {}
    try:
        internet.start()
        servers = start_servers(internet)
        results = {}
        for kind in kinds:
            try:
                results[kind] = measure(kind, internet, servers, workdir)
            except Exception:
                say(f"{kind}: measurement failed:")
                traceback.print_exc(file=sys.stdout)
        report(results)
    except Exception:
        say(f"nxns_bench: failed (another run on {NET}? set BENCH_NET):")
        traceback.print_exc(file=sys.stdout)
    finally:
        for s in servers.values():
            s.stop()
        internet.stop()
        if os.environ.get("BENCH_KEEP") == "1":
            say(f"work directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
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
