#!/usr/bin/python3
"""Helpers for bench/resolver_bench.sh (Debian's /usr/bin/python3, dnspython).

    config unbound|cairn WORKDIR PORT ROOT_HINTS TRUST_ANCHOR   -> prints the config path
    wait PORT SECONDS PID            -> exit 0 once 127.0.0.1:PORT answers DNS (any rcode),
                                        1 on timeout or when PID has exited
    names hot|cold N FILE            -> writes a dnsperf data file ("name type" lines)
    resolve PORT FILE                -> resolves every line (RD=1), prints "ANSWERED TOTAL"
    cputicks PID                     -> utime+stime of the process (clock ticks)
    dnsperf-field FILE FIELD         -> one number from dnsperf's report (qps, lost, sent, latency)

Config files reuse the integration harness (tests/integration/resolvers.py),
so the benchmark runs each resolver exactly as the tests do, with one thread.
"""

from __future__ import annotations

import os
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))

import dns.exception  # noqa: E402
import dns.flags  # noqa: E402
import dns.message  # noqa: E402
import dns.query  # noqa: E402
import dns.rcode  # noqa: E402


def cmd_config(kind: str, workdir: str, port: str, hints: str, anchor: str) -> int:
    from resolvers import Unbound, cairn_config, to_yaml
    os.makedirs(workdir, exist_ok=True)
    if kind == "unbound":
        # Same as the tests' Unbound (validator + iterator, one thread), quieter log.
        u = Unbound(workdir, hints, anchor, ["verbosity: 0", "log-servfail: no"], port=int(port))
        print(u.conf_path)
        return 0
    from resolver_helpers import CAIRN_UNSUPPORTED_DEFAULTS
    overrides = {key: None for key in CAIRN_UNSUPPORTED_DEFAULTS}     # None: remove the key
    overrides["control-socket"] = os.path.join(workdir, "ctl.sock")
    config = cairn_config(hints, anchor, int(port), overrides)
    path = os.path.join(workdir, "cairn.yaml")
    with open(path, "w") as f:
        f.write(to_yaml(config) + "\n")
    print(path)
    return 0


def cmd_wait(port: str, seconds: str, pid: str) -> int:
    q = dns.message.make_query("bench-ready.invalid.", "A")
    q.flags &= ~dns.flags.RD        # never recurses: invisible upstream
    deadline = time.monotonic() + float(seconds)
    while time.monotonic() < deadline:
        if not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split(") ")[1][0] == "Z":
            return 1                # the resolver exited
        try:
            dns.query.udp(q, "127.0.0.1", port=int(port), timeout=0.2)
            return 0
        except (dns.exception.Timeout, OSError):
            time.sleep(0.1)
    return 1


def hot_names(n: int) -> list[str]:
    """Names that exist (wildcards and plain data), insecure and signed zones."""
    out = []
    zones = [("wild.plain.example.", "A"), ("wild.secure.example.", "A"), ("wild.secure3.cairn.", "TXT")]
    for i in range(n):
        zone, rdtype = zones[i % len(zones)]
        out.append(f"h{i}.{zone} {rdtype}")
    return out


def cold_names(n: int) -> list[str]:
    """A cold mix over the whole hierarchy: wildcard hits in three zones (two
    TLDs, signed and not), NXDOMAINs, NODATAs, a CNAME chain, a DNAME, the
    glueless zone, the deep chain and the algorithm zones."""
    fixed = ["chain.plain.example. A", "www.moved.plain.example. A", "www.glueless.example. A",
             "www.x.y.z.c.b.a.deep.cairn. A", "www.lame.example. A", "www.dead.example. A",
             "www.infra.cairn. A", "big.plain.example. TXT"]
    fixed += [f"www.{alg}.example. A" for alg in ("rsasha1", "rsasha256", "rsasha512", "ecdsap256sha256",
                                                 "ecdsap384sha384", "ed25519", "ed448")]
    patterns = ["c{i}.wild.plain.example. A", "c{i}.wild.secure.example. A",
                "c{i}.wild.secure3.cairn. TXT", "nx{i}.plain.example. A", "nx{i}.secure.example. A",
                "c{i}.wild.secure.example. AAAA", "nodata.plain.example. AAAA"]
    out = fixed[:n]
    i = 0
    while len(out) < n:
        line = patterns[i % len(patterns)].format(i=i)
        if line not in out:
            out.append(line)
        i += 1
    return out


def cmd_names(kind: str, n: str, path: str) -> int:
    lines = hot_names(int(n)) if kind == "hot" else cold_names(int(n))
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return 0


def cmd_resolve(port: str, path: str) -> int:
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]

    def one(item) -> bool:
        name, rdtype = item
        q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232)
        try:
            r = dns.query.udp(q, "127.0.0.1", port=int(port), timeout=15)
            if r.flags & dns.flags.TC:
                r = dns.query.tcp(q, "127.0.0.1", port=int(port), timeout=15)
        except (dns.exception.DNSException, OSError):
            return False
        return r.rcode() in (dns.rcode.NOERROR, dns.rcode.NXDOMAIN)

    # a few at a time, like real clients; the count of upstream queries is
    # what matters, not the time
    with ThreadPoolExecutor(max_workers=4) as pool:
        ok = sum(pool.map(one, lines))
    print(ok, len(lines))
    return 0


def cmd_cputicks(pid: str) -> int:
    with open(f"/proc/{pid}/stat") as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    print(int(fields[11]) + int(fields[12]))       # utime, stime (fields 14, 15)
    return 0


DNSPERF_FIELDS = {
    "qps": r"Queries per second:\s+([\d.]+)",
    "sent": r"Queries sent:\s+(\d+)",
    "lost": r"Queries lost:\s+(\d+)",
    "latency": r"Average Latency \(s\):\s+([\d.]+)",
}


def cmd_dnsperf_field(path: str, field: str) -> int:
    with open(path, errors="replace") as f:
        m = re.search(DNSPERF_FIELDS[field], f.read())
    print(m.group(1) if m else "")
    return 0 if m else 1


def main(argv: list[str]) -> int:
    commands = {"config": (cmd_config, 5), "wait": (cmd_wait, 3), "names": (cmd_names, 3),
                "resolve": (cmd_resolve, 2), "cputicks": (cmd_cputicks, 1),
                "dnsperf-field": (cmd_dnsperf_field, 2)}
    if len(argv) < 1 or argv[0] not in commands or len(argv) - 1 != commands[argv[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[0]][0](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
