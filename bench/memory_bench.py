#!/usr/bin/python3
"""Memory per cached name: the resident memory Cairn and Unbound add for
BENCH_NAMES (100,000) distinct names, each a wildcard expansion in a signed
zone (n<i>.wild.secure.example. A, under *.wild, NSEC-signed), on the
integration tests' mini-internet, in one run.

    /usr/bin/python3 bench/memory_bench.py        (as root; started by bench/memory_bench)

Each resolver runs one thread, validating, with caches large enough to keep
every name (Cairn: cache-size BENCH_CACHE, 2g; Unbound: rrset-cache-size and
msg-cache-size half of it each, key-cache and neg-cache 64m). It is warmed
with BENCH_WARM (2,000) other names under the same wildcard, so that start-up
allocations, the zone's keys and the NSEC proof are in place; its resident
size (VmRSS) is read; then dnsperf asks the BENCH_NAMES names once each
(BENCH_DO=1 asks with DO=1), and VmRSS is read again once the process is
idle. Cairn answers wildcard expansions from the cached wildcard and its NSEC
(RFC 8198), where Unbound asks for each; BENCH_AGGRESSIVE=0 turns that off in
both (aggressive-nsec), so that Cairn too asks and caches every expansion with
its proof. Bytes per name = the difference / BENCH_NAMES. Every answer must be
NOERROR with the wildcard's address (checked on a sample), or the figure is
flagged. Issue 18's goal: Cairn's bytes per name <= Unbound's.

Env: BENCH_KIND (wildcard; nxdomain: n<i>.plain.example., unsigned
NXDOMAINs, a negative entry per name), BENCH_NET (127.74), CAIRN_BIN (build/bin/cairn), BENCH_KEEP=1 keeps the
work directory. Every server and resolver started here is stopped by pid. A
benchmark measures: the exit status is always 0.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402

from flood_scenario import rss_kib  # noqa: E402
from hierarchy import default_hierarchy  # noqa: E402
from mini_internet import MiniInternet  # noqa: E402
from resolvers import Cairn, Unbound, cairn_config, free_port  # noqa: E402

NET = os.environ.get("BENCH_NET", "127.74")
CAIRN_BIN = os.environ.get("CAIRN_BIN", str(REPO / "build" / "bin" / "cairn"))
NAMES = int(os.environ.get("BENCH_NAMES", "100000"))
WARM = int(os.environ.get("BENCH_WARM", "2000"))
CACHE = os.environ.get("BENCH_CACHE", "2g")
WITH_DO = os.environ.get("BENCH_DO", "0") == "1"
AGGRESSIVE = os.environ.get("BENCH_AGGRESSIVE", "1") == "1"
# BENCH_KIND=nxdomain asks n<i>.plain.example. instead: an unsigned zone's
# NXDOMAINs, one negative cache entry (with the SOA) per name.
KIND = os.environ.get("BENCH_KIND", "wildcard")
ZONE = "plain.example." if KIND == "nxdomain" else "wild.secure.example."


def say(text: str = "") -> None:
    print(text, flush=True)


def cache_mib() -> int:
    units = {"k": 1 / 1024, "m": 1, "g": 1024}
    return int(float(CACHE[:-1]) * units[CACHE[-1].lower()]) if CACHE[-1].isalpha() else \
        int(CACHE) // (1 << 20)


def start(kind: str, internet: MiniInternet, workdir: str):
    if kind == "cairn":
        port = free_port()
        config = cairn_config(internet.root_hints, internet.trust_anchor, port,
                              {"log-level": "warn", "dnssec": True, "threads": 1,
                               "cache-size": CACHE, "aggressive-nsec": AGGRESSIVE})
        return Cairn(workdir, CAIRN_BIN, config, port=port).start()
    half = cache_mib() // 2
    return Unbound(workdir, internet.root_hints, internet.trust_anchor,
                   ["verbosity: 0", "log-servfail: no", f"rrset-cache-size: {half}m",
                    f"msg-cache-size: {half}m", "key-cache-size: 64m",
                    "neg-cache-size: 64m", f"aggressive-nsec: {'yes' if AGGRESSIVE else 'no'}"]).start()


def dnsperf(port: int, names: list[str], workdir: str) -> str:
    path = os.path.join(workdir, "names.txt")
    with open(path, "w") as f:
        f.writelines(f"{n} A\n" for n in names)
    cmd = ["dnsperf", "-s", "127.0.0.1", "-p", str(port), "-d", path, "-n", "1",
           "-c", "4", "-q", "100", "-t", "10"]
    if WITH_DO:
        cmd.append("-D")
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=1800).stdout
    lines = [l.strip() for l in out.splitlines() if "Queries completed" in l or "Queries lost" in l
             or "Response codes" in l]
    return "; ".join(lines)


def idle_rss(pid: int) -> int:
    """VmRSS once it has stopped moving (the last answers written, caches settled)."""
    last = rss_kib(pid)
    for _ in range(20):
        time.sleep(0.5)
        now = rss_kib(pid)
        if now == last:
            return now
        last = now
    return last


def check_sample(port: int, names: list[str]) -> str:
    bad = 0
    for name in names[:: max(1, len(names) // 50)]:
        q = dns.message.make_query(name, "A", want_dnssec=WITH_DO)
        r = dns.query.udp(q, "127.0.0.1", port=port, timeout=5)
        expected = dns.rcode.NXDOMAIN if KIND == "nxdomain" else dns.rcode.NOERROR
        if r.rcode() != expected or (KIND != "nxdomain" and not r.answer):
            bad += 1
    return "all sampled answers as expected" if bad == 0 else f"{bad} sampled answers WRONG"


def measure(kind: str, internet: MiniInternet, workdir: str) -> dict:
    os.makedirs(workdir, exist_ok=True)
    resolver = start(kind, internet, workdir)
    try:
        dnsperf(resolver.port, [f"w{i}.{ZONE}" for i in range(WARM)], workdir)
        before = idle_rss(resolver.pid)
        names = [f"n{i}.{ZONE}" for i in range(NAMES)]
        t0 = time.monotonic()
        perf = dnsperf(resolver.port, names, workdir)
        seconds = time.monotonic() - t0
        after = idle_rss(resolver.pid)
        sample = check_sample(resolver.port, names)
    finally:
        resolver.stop()
    per_name = (after - before) * 1024 / NAMES
    say(f"{kind:<8} VmRSS {before / 1024:7.1f} -> {after / 1024:7.1f} MiB: "
        f"{per_name:6.0f} bytes per name ({seconds:.0f} s; {perf}; {sample})")
    return {"per_name": per_name}


def main() -> int:
    kinds = []
    if os.access(CAIRN_BIN, os.X_OK):
        kinds.append("cairn")
    else:
        say(f"memory_bench: no cairn binary at {CAIRN_BIN}")
    if shutil.which("unbound") or os.path.exists("/usr/sbin/unbound"):
        kinds.append("unbound")
    else:
        say("memory_bench: unbound is not installed: no peer to compare with")
    if not shutil.which("dnsperf"):
        say("memory_bench: skipped: dnsperf is not installed")
        return 0
    if not kinds:
        return 0
    workdir = tempfile.mkdtemp(prefix="cairn-memory-bench-")
    internet = MiniInternet(os.path.join(workdir, "internet"), default_hierarchy(net=NET, big_names=0))
    what = "unsigned NXDOMAINs" if KIND == "nxdomain" else "a signed wildcard"
    say(f"memory_bench: {NAMES} names n<i>.{ZONE} A ({what}), "
        f"DO={1 if WITH_DO else 0}, aggressive-nsec {'on' if AGGRESSIVE else 'off'}, caches {CACHE}, one thread each")
    results = {}
    try:
        internet.start()
        for kind in kinds:
            results[kind] = measure(kind, internet, os.path.join(workdir, kind))
        if len(results) == 2:
            c, u = results["cairn"]["per_name"], results["unbound"]["per_name"]
            say(f"cairn/unbound bytes per name: {c / u:.2f}" if u > 0 else "unbound added nothing?")
        say("goal (issue 18): cairn's bytes per name <= unbound's")
    except Exception:
        say("memory_bench: failed:\n" + traceback.format_exc())
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
