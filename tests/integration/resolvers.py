"""Resolver processes under test: Cairn itself and Unbound (the peer we compare with).

Both listen on 127.0.0.1 on a free port, use the mini-internet's root hints and
trust anchor, run in the foreground and are stopped by their own pid.
"""

from __future__ import annotations

import collections
import json
import os
import shutil
import socket
import subprocess
import time

import dns.exception
import dns.flags
import dns.message
import dns.query

from procs import stop_process

UNBOUND = shutil.which("unbound") or "/usr/sbin/unbound"
UNBOUND_CONTROL = shutil.which("unbound-control") or "/usr/sbin/unbound-control"


# Ports handed out lately: the kernel may offer a port again as soon as its
# probe socket is closed, and callers that ask for several ports before
# binding any (listen, listen-tls, listen-https...) must get distinct ones.
_recent_ports: collections.deque[int] = collections.deque(maxlen=1024)


def free_port(host: str = "127.0.0.1") -> int:
    """A port free for both UDP and TCP right now (the resolver binds it next),
    and not one this process was given lately."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind((host, 0))
            port = t.getsockname()[1]
            if port in _recent_ports:
                continue
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                try:
                    u.bind((host, port))
                except OSError:
                    continue
                _recent_ports.append(port)
                return port


class ResolverProcess:
    """A running resolver: query() it, stop() it. Subclasses write the config."""

    name = "resolver"

    def __init__(self, workdir: str, host: str = "127.0.0.1", port: int | None = None):
        self.workdir = workdir
        self.host = host
        self.port = port or free_port(host)
        self.proc: subprocess.Popen | None = None
        self.log_path = os.path.join(workdir, f"{self.name}.log")
        os.makedirs(workdir, exist_ok=True)
        self.env: dict[str, str] = {}     # added to the environment it starts with

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc and self.proc.poll() is None else None

    def command(self) -> list[str]:
        raise NotImplementedError

    def start(self, timeout: float = 10.0) -> "ResolverProcess":
        with open(os.path.join(self.workdir, f"{self.name}.stderr"), "ab") as err:
            self.proc = subprocess.Popen(self.command(), stdout=err, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.workdir,
                                         env={**os.environ, **self.env} if self.env else None)
        self.wait_answering(timeout)
        return self

    def wait_answering(self, timeout: float) -> None:
        """Any DNS reply counts (even SERVFAIL/REFUSED): the listener is up."""
        # RD=0: a resolver answers it from cache or refuses; it never recurses,
        # so readiness probes never show up in the authoritative query logs.
        q = dns.message.make_query("harness-ready.invalid.", "A")
        q.flags &= ~dns.flags.RD
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
            try:
                dns.query.udp(q, self.host, port=self.port, timeout=0.2)
                return
            except (dns.exception.Timeout, OSError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.name} not answering on {self.host}:{self.port}:\n{self.output()}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)
            self.proc = None

    def query(self, qname: str, rdtype: str = "A", dnssec: bool = False, cd: bool = False,
              tcp: bool = False, timeout: float = 10.0) -> dns.message.Message:
        q = dns.message.make_query(qname, rdtype, use_edns=0, payload=1232, want_dnssec=dnssec)
        if cd:
            q.flags |= dns.flags.CD
        fn = dns.query.tcp if tcp else dns.query.udp
        return fn(q, self.host, port=self.port, timeout=timeout)

    def output(self, n: int = 40) -> str:
        out = []
        for p in (self.log_path, os.path.join(self.workdir, f"{self.name}.stderr")):
            if os.path.exists(p):
                with open(p, errors="replace") as f:
                    out += f.read().splitlines()[-n:]
        return "\n".join(out)


class Unbound(ResolverProcess):
    name = "unbound"

    def __init__(self, workdir: str, root_hints: str, trust_anchor: str | None,
                 extra: list[str] | None = None, **kw):
        super().__init__(workdir, **kw)
        self.conf_path = os.path.join(workdir, "unbound.conf")
        self.control_socket = os.path.join(workdir, "unbound.ctl")
        modules = "validator iterator" if trust_anchor else "iterator"
        lines = [
            "server:",
            f"    interface: {self.host}@{self.port}",
            "    do-ip6: no",
            "    num-threads: 1",
            "    so-reuseport: no",
            '    chroot: ""',
            '    username: ""',
            f'    directory: "{workdir}"',
            '    pidfile: ""',
            "    use-syslog: no",
            f'    logfile: "{self.log_path}"',
            "    verbosity: 1",
            "    log-servfail: yes",
            "    val-log-level: 2",
            # All test servers live in 127/8, which Unbound skips by default.
            "    do-not-query-localhost: no",
            # Unbound silently drops the client's reply when recursion takes
            # over 1.9 s (e.g. two timeouts on a dead server); tests want the
            # answer, however late.
            "    discard-timeout: 0",
            "    access-control: 127.0.0.0/8 allow",
            f'    root-hints: "{root_hints}"',
            f'    module-config: "{modules}"',
        ]
        if trust_anchor:
            lines.append(f'    trust-anchor-file: "{trust_anchor}"')
        lines += [f"    {line}" for line in (extra or [])]
        lines += [
            "remote-control:",
            "    control-enable: yes",
            f'    control-interface: "{self.control_socket}"',
            "    control-use-cert: no",
        ]
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def command(self) -> list[str]:
        return [UNBOUND, "-d", "-c", self.conf_path]

    def control(self, *args: str) -> str:
        """unbound-control, e.g. control("flush_all")."""
        out = subprocess.run([UNBOUND_CONTROL, "-c", self.conf_path, *args],
                             capture_output=True, text=True, timeout=10, check=True)
        return out.stdout


def to_yaml(value, indent: int = 0) -> str:
    """A tiny YAML writer for config dicts (scalars, lists, nested dicts).

    Strings are written as JSON strings, which are valid YAML double-quoted
    scalars, so no quoting rule of YAML can bite."""
    pad = "  " * indent
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            if isinstance(v, dict) and v:
                out.append(f"{pad}{k}:\n{to_yaml(v, indent + 1)}")
            elif isinstance(v, list) and v:
                out.append(f"{pad}{k}:\n" + "\n".join(f"{pad}  - {_scalar(x)}" for x in v))
            else:
                out.append(f"{pad}{k}: {_scalar(v)}")
        return "\n".join(out)
    raise TypeError("top level must be a dict")


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(_scalar(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{}" if not v else json.dumps(v)
    return json.dumps(str(v))


def cairn_config(root_hints: str, trust_anchor: str, port: int,
                 overrides: dict | None = None) -> dict:
    """Default test config for cairn; an override of None removes that key."""
    config = {
        "listen": [f"127.0.0.1:{port}"],
        "root-hints": root_hints,
        "upstream-deny": [],      # the test hierarchy lives in 127/8
        "threads": 1,
        "trust-anchors": trust_anchor,
    }
    for key, value in (overrides or {}).items():
        if value is None:
            config.pop(key, None)
        else:
            config[key] = value
    return config


class Cairn(ResolverProcess):
    name = "cairn"

    def __init__(self, workdir: str, binary: str, config: dict, **kw):
        super().__init__(workdir, **kw)
        self.binary = binary
        self.conf_path = os.path.join(workdir, "cairn.yaml")
        self.config = config
        with open(self.conf_path, "w") as f:
            f.write(to_yaml(self.config) + "\n")

    def command(self) -> list[str]:
        return [self.binary, "--config", self.conf_path]
