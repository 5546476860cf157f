"""One NSD process serving a set of zones on one loopback address.

Each server address of the mini-internet gets its own NSD, so a parent and its
child zone never share a process (NSD would otherwise answer the child from
its own copy and hide the referral a resolver must follow).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

import dns.exception
import dns.message
import dns.query
import dns.rdatatype

from procs import stop_process

NSD = shutil.which("nsd") or "/usr/sbin/nsd"


@dataclass
class ZoneFile:
    name: str   # absolute, e.g. "example."
    path: str   # absolute path of the (possibly signed) zone file


class NsdServer:
    def __init__(self, name: str, address: str, workdir: str, zones: list[ZoneFile],
                 dnstap_socket: str | None = None, port: int = 53):
        self.name = name
        self.address = address
        self.port = port
        self.workdir = workdir
        self.zones = zones
        self.dnstap_socket = dnstap_socket
        self.proc: subprocess.Popen | None = None
        self.conf_path = os.path.join(workdir, "nsd.conf")
        self.log_path = os.path.join(workdir, "nsd.log")
        os.makedirs(workdir, exist_ok=True)
        self._write_config()

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.running else None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _write_config(self) -> None:
        d = self.workdir
        lines = [
            "server:",
            f"    ip-address: {self.address}@{self.port}",
            "    do-ip4: yes",
            "    do-ip6: no",
            # One serving process: queries are logged in arrival order, and
            # two cores are plenty for a test hierarchy of ~16 servers.
            "    server-count: 1",
            '    username: ""',
            '    chroot: ""',
            f'    zonesdir: "{d}"',
            '    database: ""',
            f'    zonelistfile: "{d}/zone.list"',
            f'    xfrdfile: "{d}/xfrd.state"',
            f'    xfrdir: "{d}"',
            '    pidfile: ""',
            f'    logfile: "{self.log_path}"',
            "    verbosity: 1",
            # RRL is compiled in and on by default (200 qps); tests burst.
            # A small table: the default (1M buckets) costs ~0.2 s per start.
            "    rrl-ratelimit: 0",
            "    rrl-whitelist-ratelimit: 0",
            "    rrl-size: 1000",
            "    tcp-count: 20",
            # No zone transfers here; the default pipeline (128 x 128 query
            # IDs, shuffled with getrandom) costs ~0.15 s of CPU per start.
            "    xfrd-tcp-max: 1",
            "    xfrd-tcp-pipeline: 1",
            f'    identity: "{self.name}"',
            "    zonefiles-write: 0",
            "remote-control:",
            "    control-enable: no",
        ]
        if self.dnstap_socket:
            lines += [
                "dnstap:",
                "    dnstap-enable: yes",
                f'    dnstap-socket-path: "{self.dnstap_socket}"',
                "    dnstap-send-identity: yes",
                f'    dnstap-identity: "{self.address}"',
                "    dnstap-log-auth-query-messages: yes",
                "    dnstap-log-auth-response-messages: no",
            ]
        for z in self.zones:
            lines += ["zone:", f'    name: "{z.name}"', f'    zonefile: "{z.path}"']
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self) -> None:
        """Launch without waiting; call wait_ready() (lets many start in parallel)."""
        if self.running:
            return
        log = open(os.path.join(self.workdir, "stderr.log"), "ab")
        # -d: stay in the foreground so self.proc.pid *is* NSD's main process;
        # SIGTERM to it makes NSD stop its own children (xfrd, servers, dnstap).
        self.proc = subprocess.Popen([NSD, "-d", "-c", self.conf_path],
                                     stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        log.close()

    def wait_ready(self, timeout: float = 10.0, probe_name: str = "ready.cairn-harness.") -> None:
        deadline = time.monotonic() + timeout
        q = dns.message.make_query(probe_name, dns.rdatatype.SOA)
        while True:
            if not self.running:
                raise RuntimeError(f"nsd {self.name} ({self.address}) exited (address in use by "
                                   f"another run? set CAIRN_TEST_NET):\n{self.log_tail()}")
            try:
                dns.query.udp(q, self.address, port=self.port, timeout=0.2)
                return
            except (dns.exception.Timeout, OSError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"nsd {self.name} ({self.address}) not answering: {self.log_tail()}")
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None:
            return
        stop_process(self.proc, timeout)
        self.proc = None

    def log_tail(self, n: int = 20) -> str:
        out = []
        for p in (self.log_path, os.path.join(self.workdir, "stderr.log")):
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out += f.read().splitlines()[-n:]
        return "\n".join(out)
