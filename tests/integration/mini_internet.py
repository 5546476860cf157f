"""The mini-internet: a signed DNS hierarchy served by NSD on loopback.

    internet = MiniInternet(workdir)        # default_hierarchy(), CAIRN_TEST_NET
    internet.start()                        # zone files, keys, signing, NSDs, dnstap
    internet.root_hints, internet.trust_anchor
    internet.reset_counts(); ...; internet.queries("host-1")
    internet.stop_server("example-1"); internet.start_server("example-1")
    internet.stop()

Servers are named by key ("host-1") or address; see hierarchy.py / README.md.

Query recording: every NSD streams each query it receives over dnstap to a
unix socket that DnstapCollector reads. dnstap is asynchronous (libfstrm
buffers for up to ~1 s), so reading the log first *synchronises*: we send
marker queries to the server and wait until a marker comes back out of its
dnstap stream; NSD's single serving process keeps order, so everything it
received before the marker has then been recorded. Markers are never part of
what queries() returns.
"""

from __future__ import annotations

import atexit
import os
import secrets
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import dns.flags
import dns.message
import dns.query
import dns.rdatatype

from delay_proxy import DelayProxy
from dnstap import DnstapCollector, Query
from hierarchy import default_hierarchy
from nsd import NsdServer, ZoneFile
from procs import become_subreaper
import tamper
from signing import ZoneKeys, generate_keys, sign_zone, write_trust_anchors
from zones import Hierarchy, Zone

MARKER_SUFFIX = "cairn-harness."
SYNC_BURST = 50          # markers per round; libfstrm wakes its writer at ~480 queued
DELAYED_BACKEND_PORT = 10053   # where a delayed server's NSD listens, behind its DelayProxy


class MiniInternet:
    def __init__(self, workdir: str, hierarchy: Hierarchy | None = None,
                 delays: dict[str, float] | None = None):
        """`delays`: server key -> milliseconds each reply of that server is held
        (delay_proxy.py), to emulate distant servers; none by default."""
        self.workdir = os.path.abspath(workdir)
        self.delays = dict(delays or {})
        self.proxies: dict[str, DelayProxy] = {}
        self.hierarchy = hierarchy or default_hierarchy()
        self.net = self.hierarchy.net
        self.nsd: dict[str, NsdServer] = {}
        self.keys: dict[str, ZoneKeys] = {}
        self.zonefiles: dict[tuple[str, bool], str] = {}   # (zone name, delegated) -> served file
        self.collector: DnstapCollector | None = None
        self.root_hints = os.path.join(self.workdir, "root.hints")
        self.trust_anchor = ""          # root KSK as DS (zone-file syntax)
        self.trust_anchor_dnskey = ""   # root KSK as DNSKEY (zone-file syntax)
        self.trust_anchor_bind = ""     # root KSK as DS, BIND `trust-anchors` syntax (delv -a)
        self.timings: dict[str, float] = {}
        self._reset_nonce: dict[str, str] = {}
        self._built = False

    # -- lifecycle -----------------------------------------------------------

    def __enter__(self) -> "MiniInternet":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def build(self) -> None:
        """Write (and sign) every zone file, the root hints and the trust anchors."""
        t0 = time.monotonic()
        self.hierarchy.check()          # again: a test may have edited zones since
        os.makedirs(os.path.join(self.workdir, "zones"), exist_ok=True)
        signed = [z for z in self.hierarchy.zones if z.signing and z.delegated and z.served_by]
        # Keys do not depend on zone contents: make them all at once, in parallel.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            made = pool.map(lambda z: generate_keys(
                z.name, z.signing, os.path.join(self.workdir, "keys", z.name.strip(".") or "root")), signed)
            self.keys = {z.name: k for z, k in zip(signed, made)}
        # A DS depends on the child's keys only, not on its signed zone: write
        # every zone file first (children before parents, so each parent has
        # its children's DS), then sign them all in parallel.
        ds: dict[str, list[str]] = {}
        to_sign: list[tuple[Zone, str]] = []
        for zone in self.hierarchy.signing_order():     # children before parents
            if not zone.served_by:      # e.g. scripted slots: parent data only
                continue
            path = self._zone_path(zone)
            with open(path, "w") as f:
                f.write(self.hierarchy.render(zone, ds))
            if zone.name in self.keys and zone.delegated:
                keys = self.keys[zone.name]
                ds[zone.name] = tamper.ds_records(zone.name, keys, zone.signing)
                tamper.before_signing(path, zone.name, keys, zone.signing)
                to_sign.append((zone, path))
            self.zonefiles[(zone.name, zone.delegated)] = path

        def sign(item: tuple[Zone, str]) -> str:
            zone, path = item
            keys = self.keys[zone.name]
            signed = sign_zone(path, zone.name, keys, zone.signing)
            tamper.after_signing(signed, zone.name, keys, zone.signing)
            return signed

        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            for (zone, _), signed in zip(to_sign, pool.map(sign, to_sign)):
                self.zonefiles[(zone.name, True)] = signed
        root = self.hierarchy.zone(".")
        if "." in self.keys:
            self.trust_anchor, self.trust_anchor_dnskey = write_trust_anchors(
                self.keys["."], self.workdir, root.signing.ds_digests)
            self.trust_anchor_bind = os.path.join(self.workdir, "root-anchor.bind")
        self._write_root_hints(root)
        self._built = True
        self.timings["build"] = time.monotonic() - t0

    def start(self) -> None:
        become_subreaper()
        atexit.register(self.stop)      # safety net if a fixture's finaliser never runs
        if not self._built:
            self.build()
        t0 = time.monotonic()
        self.collector = DnstapCollector(MARKER_SUFFIX)
        for key, server in self.hierarchy.servers.items():
            if server.kind != "nsd":
                continue
            sock = os.path.join(self.workdir, "dnstap", f"{key}.sock")
            os.makedirs(os.path.dirname(sock), exist_ok=True)
            self.collector.listen(sock, key)
            zones = [ZoneFile(z.name, self.zonefiles[(z.name, z.delegated)])
                     for z in self.hierarchy.zones_served_by(key)]
            delayed = key in self.delays
            self.nsd[key] = NsdServer(key, server.address,
                                      os.path.join(self.workdir, "servers", key), zones, sock,
                                      port=DELAYED_BACKEND_PORT if delayed else 53)
            if delayed:
                self.proxies[key] = DelayProxy(server.address,
                                               (server.address, DELAYED_BACKEND_PORT),
                                               self.delays[key])
        try:
            for p in self.proxies.values():
                p.start()
            for s in self.nsd.values():
                s.start()
            for s in self.nsd.values():
                s.wait_ready(probe_name=f"ready.{MARKER_SUFFIX}")
            self.sync()     # proves every dnstap stream is connected
            dead = [k for k, s in self.nsd.items() if not s.running]
            if dead:
                raise RuntimeError(f"NSD exited: {dead}: {self.nsd[dead[0]].log_tail()}")
        except BaseException:
            self.stop()
            raise
        self.timings["start"] = time.monotonic() - t0

    def stop(self) -> None:
        atexit.unregister(self.stop)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda s: s.stop(), self.nsd.values()))
        for p in self.proxies.values():
            p.stop()
        self.proxies = {}
        if self.collector:
            self.collector.close()
            self.collector = None

    def stop_server(self, server: str) -> None:
        """Simulate an outage: the NSD at this address exits (port closed)."""
        self.nsd[self.key(server)].stop()

    def start_server(self, server: str) -> None:
        key = self.key(server)
        self.nsd[key].start()
        self.nsd[key].wait_ready(probe_name=f"ready.{MARKER_SUFFIX}")
        self.sync([key])

    # -- addresses -----------------------------------------------------------

    def key(self, server: str) -> str:
        """Server key from a key or an address."""
        if server in self.hierarchy.servers:
            return server
        return self.hierarchy.server_by_address(server).key

    def addr(self, server: str) -> str:
        return self.hierarchy.servers[self.key(server)].address

    def zonefile(self, name: str, delegated: bool = True) -> str:
        return self.zonefiles[(name, delegated)]

    # -- query recording -----------------------------------------------------

    def queries(self, server: str) -> list[Query]:
        """Queries the server received since the last reset_counts(), in order."""
        key = self.key(server)
        if self.nsd[key].running:
            self.sync([key])
        nonce = self._reset_nonce.get(key)
        if nonce and not self.collector.seen_marker(key, f"r-{nonce}"):
            raise RuntimeError(f"reset marker for {key} never came through dnstap")
        return self.collector.queries(key)

    def query_count(self, server: str) -> int:
        return len(self.queries(server))

    def all_queries(self) -> dict[str, list[Query]]:
        """Every NSD server's record (one synchronisation for all of them)."""
        self.sync()
        return {k: self.collector.queries(k) for k in self.nsd}

    def reset_counts(self) -> None:
        """Start counting afresh. Cheap: one marker per server, no waiting.

        The marker travels NSD's dnstap pipeline behind everything the server
        already received, and the collector empties the record when it comes
        out; so nothing in flight at reset time leaks into the next count."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            for key, s in self.nsd.items():
                if s.running:
                    nonce = secrets.token_hex(6)
                    self._reset_nonce[key] = nonce
                    sock.sendto(self._marker(f"r-{nonce}"), (s.address, s.port))
                else:
                    self._reset_nonce.pop(key, None)
                    self.collector.clear(key)

    def sync(self, keys: list[str] | None = None, timeout: float = 10.0) -> None:
        """Wait until every query already received by these servers is recorded.

        libfstrm (inside NSD) flushes after ~1 s of quiet, or at once when ~480
        messages are queued; so we send markers in bursts until one is out."""
        keys = [k for k in (keys or self.nsd) if self.nsd[k].running]
        label = f"s-{secrets.token_hex(6)}"
        wire = self._marker(label)
        pending = set(keys)
        deadline = time.monotonic() + timeout
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            while pending:
                for key in pending:
                    for _ in range(SYNC_BURST):
                        try:
                            sock.sendto(wire, (self.nsd[key].address, self.nsd[key].port))
                        except BlockingIOError:
                            break
                time.sleep(0.005)
                self._drain(sock)
                pending = {k for k in pending if not self.collector.seen_marker(k, label)}
                if pending and time.monotonic() > deadline:
                    raise TimeoutError(
                        f"dnstap never delivered markers from {sorted(pending)} (is another run "
                        f"serving {self.net}.x.y? set CAIRN_TEST_NET); "
                        f"collector errors: {self.collector.errors[-3:]}")

    # -- direct queries to one authoritative server ---------------------------

    def query(self, server: str, qname: str, rdtype: str = "A", tcp: bool = False,
              dnssec: bool = False, timeout: float = 2.0, payload: int = 1232) -> dns.message.Message:
        q = dns.message.make_query(qname, rdtype, use_edns=0, payload=payload, want_dnssec=dnssec)
        q.flags &= ~dns.flags.RD
        fn = dns.query.tcp if tcp else dns.query.udp
        return fn(q, self.addr(server), port=53, timeout=timeout)

    # -- helpers ---------------------------------------------------------------

    @staticmethod
    def _marker(label: str) -> bytes:
        return dns.message.make_query(f"{label}.{MARKER_SUFFIX}", dns.rdatatype.TXT,
                                      use_edns=False).to_wire()

    @staticmethod
    def _drain(sock: socket.socket) -> None:
        while True:
            try:
                sock.recv(4096)
            except (BlockingIOError, ConnectionRefusedError):
                return

    def _zone_path(self, zone: Zone) -> str:
        base = zone.name.strip(".") or "root"
        if not zone.delegated:
            base += "-rogue-" + "-".join(zone.served_by)
        return os.path.join(self.workdir, "zones", base + ".zone")

    def _write_root_hints(self, root: Zone) -> None:
        with open(self.root_hints, "w") as f:
            for host, _ in root.ns:
                f.write(f".\t3600000\tIN\tNS\t{host}\n")
            for host, key in root.ns:
                f.write(f"{host}\t3600000\tIN\tA\t{self.hierarchy.addr(key)}\n")
