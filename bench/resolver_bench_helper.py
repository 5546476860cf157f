#!/usr/bin/python3
"""Helpers for bench/resolver_bench.sh (Debian's /usr/bin/python3, dnspython).

    config unbound|cairn WORKDIR PORT ROOT_HINTS TRUST_ANCHOR   -> prints the config path
    wait PORT SECONDS PID            -> exit 0 once 127.0.0.1:PORT answers DNS (any rcode),
                                        1 on timeout or when PID has exited
    names hot|cold|signed N FILE     -> writes a dnsperf data file ("name type" lines);
                                        signed also prints a one-line summary of the mix
    resolve PORT FILE                -> resolves every line (RD=1), prints "ANSWERED TOTAL"
    resolve-signed PORT FILE OUT     -> resolves every line with RD=1 and DO=1, SIGNED_CONCURRENCY
                                        queries outstanding; prints "MS TOTAL AD SERVFAIL ANSWERED"
                                        (MS: wall clock for the whole list), writes one
                                        "name type rcode ad|-" line per name to OUT
    compare OUT_A OUT_B              -> the names whose rcode or AD bit differ between two OUTs
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
    overrides["dnssec"] = True      # validating, like Unbound; trust-anchors comes from cairn_config
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


def signed_zones() -> list[tuple[str, bool, set[tuple[str, str]]]]:
    """(zone, NSEC3?, (owner, type) of its records) of the validly signed zones the signed list
    uses: secure.example. (NSEC), secure3.cairn. (NSEC3) and the algorithm
    zones, read from the hierarchy so the list follows its records."""
    try:
        from hierarchy import ALGORITHM_ZONES, default_hierarchy
        wanted = ["secure.example.", "secure3.cairn."] + [f"{a.lower()}.example." for a in ALGORITHM_ZONES]
        zones = {z.name: z for z in default_hierarchy(net="127.53").zones if z.delegated and z.signing}
        return [(name, zones[name].signing.nsec3, {(owner, rdtype) for owner, rdtype, _ in zones[name].records})
                for name in wanted if name in zones]
    except Exception as exc:        # the hierarchy changed under us: a fixed guess
        print(f"resolver_bench_helper: hierarchy not readable ({exc!r}), fixed signed zone list",
              file=sys.stderr)
        full = {("@", "MX"), ("www", "A"), ("www", "AAAA"), ("www", "TXT"), ("mail", "A"),
                ("alias", "CNAME"), ("*.wild", "A"), ("*.wild", "TXT")}
        algs = ["rsasha1", "rsasha1-nsec3-sha1", "rsasha256", "rsasha512", "ecdsap256sha256",
                "ecdsap384sha384", "ed25519", "ed448"]
        return [("secure.example.", False, full), ("secure3.cairn.", True, full)] + \
            [(f"{a}.example.", "nsec3" in a, {("www", "A"), ("www", "TXT")}) for a in algs]


def signed_names(n: int) -> tuple[list[str], str]:
    """Names in validly signed zones, all of which should come back with AD=1:
    the fixed www/mail/alias/apex names of each zone, then a cycle of
    wildcard-expanded names (n<i>.wild.<zone>) and NXDOMAINs (nx<i>.<zone>)
    in NSEC and NSEC3 zones; algorithm zones take turns in the cycle (a
    wildcard name where the zone has *.wild, else an NXDOMAIN)."""
    zones = signed_zones()
    kinds = {"wildcard": 0, "data": 0, "nx-nsec": 0, "nx-nsec3": 0}
    out: list[tuple[str, str]] = []
    for zone, _, owners in zones:
        fixed = [("www", "A"), ("www", "AAAA"), ("www", "TXT"), ("mail", "A"), ("alias", "A"), ("@", "MX")]
        for owner, rdtype in fixed:
            if (owner, rdtype) in owners or (owner, "CNAME") in owners:
                out.append((zone if owner == "@" else f"{owner}.{zone}", rdtype, "data"))
    main = [z for z in zones if z[0] in ("secure.example.", "secure3.cairn.")] or zones[:2]
    algs = [z for z in zones if z not in main] or main

    def wild_or_nx(zone, nsec3, owners, i, rdtype="A"):
        if ("*.wild", rdtype) in owners:
            return (f"n{i}.wild.{zone}", rdtype, "wildcard")
        return (f"nx{i}.{zone}", "A", "nx-nsec3" if nsec3 else "nx-nsec")

    i = 0
    while len(out) < n:
        step = i % 7
        if step in (0, 1, 5, 6):            # wildcard hits in the two feature zones, A and TXT
            zone, nsec3, owners = main[step % len(main)]
            out.append(wild_or_nx(zone, nsec3, owners, i, "A" if step < 2 else "TXT"))
        elif step in (2, 3):                # NXDOMAIN: NSEC (secure.example.) and NSEC3 (secure3.cairn.)
            zone, nsec3, _ = main[(step - 2) % len(main)]
            out.append((f"nx{i}.{zone}", "A", "nx-nsec3" if nsec3 else "nx-nsec"))
        else:                               # the algorithm zones in turn
            zone, nsec3, owners = algs[(i // 7) % len(algs)]
            out.append(wild_or_nx(zone, nsec3, owners, i))
        i += 1
    out = out[:n]
    for _, _, kind in out:
        kinds[kind] += 1
    summary = (f"{len(out)} names in {len(zones)} signed zones: {kinds['wildcard']} wildcard-expanded, "
               f"{kinds['data']} www/mail/alias/apex, {kinds['nx-nsec']} NXDOMAIN (NSEC), "
               f"{kinds['nx-nsec3']} NXDOMAIN (NSEC3)")
    return [f"{name} {rdtype}" for name, rdtype, _ in out], summary


def cmd_names(kind: str, n: str, path: str) -> int:
    if kind == "signed":
        lines, summary = signed_names(int(n))
        print(summary)
    else:
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


SIGNED_CONCURRENCY = 10      # queries outstanding in the signed cold phase


def cmd_resolve_signed(port: str, path: str, out_path: str) -> int:
    with open(path) as f:
        lines = [line.split() for line in f if line.strip()]

    def one(item) -> tuple[str, bool]:
        name, rdtype = item
        q = dns.message.make_query(name, rdtype, use_edns=0, payload=1232, want_dnssec=True)
        try:
            r = dns.query.udp(q, "127.0.0.1", port=int(port), timeout=15)
            if r.flags & dns.flags.TC:
                r = dns.query.tcp(q, "127.0.0.1", port=int(port), timeout=15)
        except (dns.exception.DNSException, OSError) as exc:
            return type(exc).__name__.upper(), False
        return dns.rcode.to_text(r.rcode()), bool(r.flags & dns.flags.AD)

    t0 = time.monotonic()
    with ThreadPoolExecutor(max_workers=SIGNED_CONCURRENCY) as pool:
        results = list(pool.map(one, lines))
    ms = (time.monotonic() - t0) * 1000
    with open(out_path, "w") as f:
        for (name, rdtype), (rcode, ad) in zip(lines, results):
            f.write(f"{name} {rdtype} {rcode} {'ad' if ad else '-'}\n")
    ad = sum(1 for _, a in results if a)
    servfail = sum(1 for r, _ in results if r == "SERVFAIL")
    answered = sum(1 for r, _ in results if r in ("NOERROR", "NXDOMAIN"))
    print(f"{ms:.0f} {len(lines)} {ad} {servfail} {answered}")
    return 0


def cmd_compare(path_a: str, path_b: str) -> int:
    def load(path):
        with open(path) as f:
            return {tuple(p[:2]): tuple(p[2:4]) for p in (line.split() for line in f) if len(p) >= 4}
    a, b = load(path_a), load(path_b)
    for key in a:
        if key in b and a[key] != b[key]:
            print(f"{key[0]} {key[1]}: {' '.join(a[key])} vs {' '.join(b[key])}")
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
                "resolve": (cmd_resolve, 2), "resolve-signed": (cmd_resolve_signed, 3),
                "compare": (cmd_compare, 2), "cputicks": (cmd_cputicks, 1),
                "dnsperf-field": (cmd_dnsperf_field, 2)}
    if len(argv) < 1 or argv[0] not in commands or len(argv) - 1 != commands[argv[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[argv[0]][0](*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
