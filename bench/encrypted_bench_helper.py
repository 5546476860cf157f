#!/usr/bin/python3
"""Helpers of bench/encrypted_bench.sh (resolver_bench_helper.py does the rest).

    certs DIR                                 -> prints "CERT KEY" (a CA-signed pair)
    config unbound|cairn WORKDIR PORT TLS_PORT HTTPS_PORT ROOT_HINTS TRUST_ANCHOR CERT KEY
                                              -> prints the config path
    s_time OUTPUT                             -> prints the connections openssl s_time made
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "integration"))
sys.path.insert(0, str(REPO / "bench"))

# Clients at once in the runs (dnsperf -c), and room for the handshake runs.
CONNECTIONS = 1000


def cmd_certs(workdir: str) -> int:
    from tls_setup import Pki
    os.makedirs(workdir, exist_ok=True)
    cert, key = Pki(workdir).issue("server")
    print(cert, key)
    return 0


def cmd_config(kind: str, workdir: str, port: str, tls_port: str, https_port: str, hints: str,
               anchor: str, cert: str, key: str) -> int:
    import resolver_bench_helper as base
    from resolvers import Unbound, to_yaml
    os.makedirs(workdir, exist_ok=True)
    if kind == "unbound":
        extra = ["verbosity: 0", "log-servfail: no",
                 f"interface: 127.0.0.1@{tls_port}", f"interface: 127.0.0.1@{https_port}",
                 f"tls-port: {tls_port}", f"https-port: {https_port}",
                 f'tls-service-pem: "{cert}"', f'tls-service-key: "{key}"',
                 f"incoming-num-tcp: {CONNECTIONS}", "http-notls-downstream: no"]
        u = Unbound(workdir, hints, anchor, extra, port=int(port))
        print(u.conf_path)
        return 0
    with contextlib.redirect_stdout(io.StringIO()):  # it prints the path too
        base.cmd_config("cairn", workdir, port, hints, anchor)
    path = os.path.join(workdir, "cairn.yaml")
    with open(path, "a") as f:
        f.write(to_yaml({
            "listen-tls": [f"127.0.0.1:{tls_port}"],
            "listen-https": [f"127.0.0.1:{https_port}"],
            "tls-certificate": cert, "tls-key": key,
            "tcp-max-connections": CONNECTIONS,
            "tcp-max-connections-per-client": CONNECTIONS,
        }) + "\n")
    print(path)
    return 0


def cmd_s_time(output: str) -> int:
    # Its first line divides by the client's own user CPU time, not by the
    # wall clock; the caller times the run itself.
    text = Path(output).read_text(errors="replace")
    found = re.findall(r"(\d+) connections in \d+ real seconds", text)
    if not found:
        print("n/a")
        return 1
    print(found[0])
    return 0


def main() -> int:
    commands = {"certs": cmd_certs, "config": cmd_config, "s_time": cmd_s_time}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__, file=sys.stderr)
        return 2
    return commands[sys.argv[1]](*sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
