"""A scriptable authoritative server (dnspython), for servers that misbehave on purpose.

It stands in for one address of the mini-internet (the `script-N` slots,
delegated from `zz.` as `scriptN.zz.`), over UDP and TCP, and runs in a
thread that the test (or fixture) stops. What it answers is a *handler*:

    handler(received: Received) -> None | bytes | Message | Send | list[...]

None sends nothing (a black hole), bytes are sent as they are (malformed
packets), a Message is rendered (TC is set if it does not fit the client's
UDP size), Send adds a delay or a different source address. Handlers
compose: `wrong_id(authoritative(ZONE))`. Every query is kept in
`server.received`.

    with ScriptedServer(addr, poison(authoritative(ZONE), additional=[...])) as srv:
        ...
"""

from __future__ import annotations

import os
import selectors
import socket
import struct
import threading
from dataclasses import dataclass
from typing import Callable, Union

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.zone


@dataclass
class Received:
    wire: bytes
    message: dns.message.Message | None    # None when the query did not parse
    transport: str                         # "udp" | "tcp"
    client: tuple[str, int]

    @property
    def qname(self) -> str | None:
        return self.message.question[0].name.to_text() if self.message and self.message.question else None

    @property
    def qtype(self) -> str | None:
        if self.message and self.message.question:
            return dns.rdatatype.to_text(self.message.question[0].rdtype)
        return None


@dataclass
class Send:
    payload: Union[bytes, dns.message.Message]
    delay: float = 0.0
    source: tuple[str, int] | None = None   # UDP only: reply from this address/port instead


Reply = Union[None, bytes, dns.message.Message, Send, list]
Handler = Callable[[Received], Reply]


# ---------------------------------------------------------------------------
# The server
# ---------------------------------------------------------------------------

class ScriptedServer:
    def __init__(self, address: str, handler: Handler, port: int = 53):
        self.address = address
        self.port = port
        self.handler = handler
        self.received: list[Received] = []
        self.errors: list[str] = []
        self._lock = threading.Lock()
        self._sel = selectors.DefaultSelector()
        self._stop_r, self._stop_w = socket.socketpair()
        self._thread: threading.Thread | None = None
        self._timers: list[threading.Timer] = []

    def __enter__(self) -> "ScriptedServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> "ScriptedServer":
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.udp.bind((self.address, self.port))
        self.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.tcp.bind((self.address, self.port))
        self.tcp.listen(16)
        for s in (self.udp, self.tcp):
            s.setblocking(False)
        self._sel.register(self.udp, selectors.EVENT_READ, "udp")
        self._sel.register(self.tcp, selectors.EVENT_READ, "accept")
        self._sel.register(self._stop_r, selectors.EVENT_READ, "stop")
        self._thread = threading.Thread(target=self._run, name=f"scripted-{self.address}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._stop_w.send(b"x")
        self._thread.join(timeout=5)
        self._thread = None
        for t in self._timers:
            t.cancel()
        for key in list(self._sel.get_map().values()):
            key.fileobj.close()
        self._sel.close()
        self._stop_w.close()

    def queries(self) -> list[Received]:
        with self._lock:
            return list(self.received)

    # -- event loop ------------------------------------------------------------

    def _run(self) -> None:
        while True:
            for key, _ in self._sel.select():
                if key.data == "stop":
                    return
                try:
                    if key.data == "udp":
                        wire, client = self.udp.recvfrom(65535)
                        self._handle(wire, "udp", client, None)
                    elif key.data == "accept":
                        conn, _ = self.tcp.accept()
                        conn.setblocking(False)
                        self._sel.register(conn, selectors.EVENT_READ, [b""])
                    else:
                        self._tcp_read(key.fileobj, key.data)
                except OSError as exc:
                    self.errors.append(repr(exc))

    def _tcp_read(self, conn: socket.socket, state: list) -> None:
        chunk = conn.recv(65535)
        if not chunk:
            self._sel.unregister(conn)
            conn.close()
            return
        state[0] += chunk
        while len(state[0]) >= 2:
            (length,) = struct.unpack("!H", state[0][:2])
            if len(state[0]) < 2 + length:
                break
            wire, state[0] = state[0][2:2 + length], state[0][2 + length:]
            self._handle(wire, "tcp", conn.getpeername(), conn)

    def _handle(self, wire: bytes, transport: str, client, conn) -> None:
        try:
            msg = dns.message.from_wire(wire)
        except dns.exception.DNSException:
            msg = None
        rec = Received(wire, msg, transport, client)
        with self._lock:
            self.received.append(rec)
        try:
            reply = self.handler(rec)
        except Exception as exc:     # a broken handler must not kill the server
            self.errors.append(f"handler: {exc!r}")
            return
        for item in reply if isinstance(reply, list) else [reply]:
            if item is None:
                continue
            send = item if isinstance(item, Send) else Send(item)
            data = _render(send.payload, rec)
            if send.delay:
                t = threading.Timer(send.delay, self._send, (data, rec, conn, send.source))
                self._timers.append(t)
                t.start()
            else:
                self._send(data, rec, conn, send.source)

    def _send(self, data: bytes, rec: Received, conn, source) -> None:
        try:
            if rec.transport == "tcp":
                conn.setblocking(True)
                conn.sendall(struct.pack("!H", len(data)) + data)
                conn.setblocking(False)
            elif source:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                    s.bind(source)
                    s.sendto(data, rec.client)
            else:
                self.udp.sendto(data, rec.client)
        except OSError as exc:
            self.errors.append(f"send: {exc!r}")


def _render(payload, rec: Received) -> bytes:
    if isinstance(payload, bytes):
        return payload
    if rec.transport == "udp":
        limit = 512
        if rec.message is not None and rec.message.edns >= 0:
            limit = max(512, rec.message.payload)
        try:
            return payload.to_wire(max_size=limit)
        except dns.exception.TooBig:
            payload.flags |= dns.flags.TC
            for section in (payload.answer, payload.authority, payload.additional):
                section.clear()
    return payload.to_wire(max_size=65535)


# ---------------------------------------------------------------------------
# Handlers: a tiny authoritative engine and the ways to break it
# ---------------------------------------------------------------------------

def authoritative(zone_text: str, origin: str) -> Handler:
    """Answer from a zone (zone-file text): answers, CNAME, NODATA, NXDOMAIN, REFUSED."""
    zone = dns.zone.from_text(zone_text, origin=origin, relativize=False, check_origin=True)
    soa = zone.find_rrset(zone.origin, dns.rdatatype.SOA)

    def handle(rec: Received) -> Reply:
        if rec.message is None:
            return None
        if not rec.message.question:
            return _with_rcode(rec.message, dns.rcode.FORMERR)
        q = rec.message.question[0]
        resp = dns.message.make_response(rec.message)
        if not q.name.is_subdomain(zone.origin):
            resp.set_rcode(dns.rcode.REFUSED)
            return resp
        resp.flags |= dns.flags.AA
        node = zone.get_node(q.name)
        if node is None:
            if not any(n.is_subdomain(q.name) for n in zone.nodes):
                resp.set_rcode(dns.rcode.NXDOMAIN)
            resp.authority.append(soa)
            return resp
        for rtype in (q.rdtype, dns.rdatatype.CNAME):
            rds = node.get_rdataset(dns.rdataclass.IN, rtype)
            if rds is not None:
                rrset = dns.rrset.RRset(q.name, dns.rdataclass.IN, rtype)
                rrset.update(rds)
                resp.answer.append(rrset)
                return resp
        resp.authority.append(soa)      # NODATA
        return resp

    return handle


def _with_rcode(query: dns.message.Message, rcode: int) -> dns.message.Message:
    resp = dns.message.make_response(query)
    resp.set_rcode(rcode)
    return resp


def _map_messages(inner: Handler, fn) -> Handler:
    """Apply fn(message, received) to every Message inner produces."""
    def handle(rec: Received) -> Reply:
        reply = inner(rec)
        items = reply if isinstance(reply, list) else [reply]
        out = []
        for item in items:
            if isinstance(item, dns.message.Message):
                item = fn(item, rec)
            elif isinstance(item, Send) and isinstance(item.payload, dns.message.Message):
                item = Send(fn(item.payload, rec), item.delay, item.source)
            out.append(item)
        return out
    return handle


def drop() -> Handler:
    """Never answer (UDP and TCP): a black hole, the resolver must time out."""
    return lambda rec: None


def rcode(code: int | str) -> Handler:
    code = dns.rcode.from_text(code) if isinstance(code, str) else code
    return lambda rec: _with_rcode(rec.message, code) if rec.message else None


def wrong_id(inner: Handler) -> Handler:
    """Reply with a different ID: the resolver must ignore it (and time out)."""
    def fix(msg, rec):
        msg.id = (msg.id + 1) & 0xFFFF
        return msg
    return _map_messages(inner, fix)


def wrong_question(inner: Handler, qname: str | None = None) -> Handler:
    """Reply whose question section is not the one asked."""
    def fix(msg, rec):
        if msg.question:
            q = msg.question[0]
            other = dns.name.from_text(qname) if qname else dns.name.Name((b"other",) + q.name.labels)
            msg.question[0] = dns.rrset.RRset(other, q.rdclass, q.rdtype)
        return msg
    return _map_messages(inner, fix)


def poison(inner: Handler, answer: list[str] = (), authority: list[str] = (),
           additional: list[str] = ()) -> Handler:
    """Add records (zone-file lines, absolute names), typically out of bailiwick."""
    def parse(lines):
        return [dns.rrset.from_text(*_split_rr(line)) for line in lines]
    extra = (parse(answer), parse(authority), parse(additional))

    def fix(msg, rec):
        msg.answer += extra[0]
        msg.authority += extra[1]
        msg.additional += extra[2]
        return msg
    return _map_messages(inner, fix)


def _split_rr(line: str):
    name, ttl, cls, rtype, rdata = line.split(None, 4)
    return name, int(ttl), cls, rtype, rdata


def truncate_udp(inner: Handler) -> Handler:
    """TC=1 and empty sections over UDP; the real answer over TCP."""
    def fix(msg, rec):
        if rec.transport == "udp":
            msg.flags |= dns.flags.TC
            for section in (msg.answer, msg.authority, msg.additional):
                section.clear()
        return msg
    return _map_messages(inner, fix)


def delay(inner: Handler, seconds: float) -> Handler:
    def handle(rec):
        reply = inner(rec)
        items = reply if isinstance(reply, list) else [reply]
        return [Send(i, seconds) if not isinstance(i, Send) else Send(i.payload, i.delay + seconds, i.source)
                for i in items if i is not None]
    return handle


def reply_from(inner: Handler, source: tuple[str, int]) -> Handler:
    """Send the UDP reply from another address/port (must be ignored, RFC 5452)."""
    def handle(rec):
        reply = inner(rec)
        items = reply if isinstance(reply, list) else [reply]
        return [Send(i, source=source) for i in items if i is not None]
    return handle


def edns_intolerant(inner: Handler) -> Handler:
    """FORMERR without OPT to any query carrying EDNS (an old, broken server)."""
    def handle(rec):
        if rec.message is not None and rec.message.edns >= 0:
            resp = dns.message.make_response(rec.message)
            resp.use_edns(False)
            resp.set_rcode(dns.rcode.FORMERR)
            return resp
        return inner(rec)
    return handle


MALFORMED_STYLES = ("short", "truncated", "garbage", "pointer-loop", "qr-clear", "count-mismatch")


def malformed(style: str, inner: Handler | None = None) -> Handler:
    """Bytes that are not a valid reply to the query (ID always matches).

    short: 3 bytes; truncated: a real reply cut mid-record; garbage: header
    then random bytes; pointer-loop: a compression pointer to itself;
    qr-clear: the reply without its QR bit; count-mismatch: ANCOUNT larger
    than the records present. Styles needing a real reply use `inner`."""
    if style not in MALFORMED_STYLES:
        raise ValueError(style)

    def handle(rec: Received) -> Reply:
        if rec.message is None:
            return None
        qid = struct.pack("!H", rec.message.id)
        real = inner(rec) if inner else None
        if isinstance(real, list):
            real = real[0] if real else None
        if real is None:
            real = dns.message.make_response(rec.message)
        wire = real.to_wire() if isinstance(real, dns.message.Message) else real
        if style == "short":
            return qid + b"\x84"
        if style == "truncated":
            return wire[:max(13, len(wire) - 7)]
        if style == "garbage":
            return qid + b"\x84\x00\x00\x01\x00\x01\x00\x00\x00\x00" + os.urandom(40)
        if style == "pointer-loop":
            # header with 1 question whose name is a pointer to itself (offset 12)
            return qid + b"\x84\x00\x00\x01\x00\x00\x00\x00\x00\x00" + b"\xc0\x0c\x00\x01\x00\x01"
        if style == "qr-clear":
            return wire[:2] + bytes([wire[2] & 0x7F]) + wire[3:]
        # count-mismatch
        (an,) = struct.unpack("!H", wire[6:8])
        return wire[:6] + struct.pack("!H", an + 3) + wire[8:]

    return handle


def not_authoritative(inner: Handler) -> Handler:
    """The same replies with the AA bit cleared."""
    def fix(msg, rec):
        msg.flags &= ~dns.flags.AA
        return msg
    return _map_messages(inner, fix)


def proxy(address: str, port: int = 53, timeout: float = 5.0) -> Handler:
    """Relay each query to another server (over TCP, so nothing is truncated
    on the way; the reply to the client is fitted to its UDP size)."""
    def handle(rec: Received) -> Reply:
        if rec.message is None:
            return None
        try:
            return dns.query.tcp(rec.message, address, port=port, timeout=timeout)
        except (dns.exception.DNSException, OSError):
            return None
    return handle


def corrupt_rrsigs(inner: Handler) -> Handler:
    """Flip one byte in the signature of every RRSIG, in every section: the
    records stay well formed, but no signature verifies."""
    def corrupt(rrset: dns.rrset.RRset) -> dns.rrset.RRset:
        if rrset.rdtype != dns.rdatatype.RRSIG:
            return rrset
        out = dns.rrset.RRset(rrset.name, rrset.rdclass, rrset.rdtype, rrset.covers)
        for rd in rrset:
            sig = bytearray(rd.signature)
            sig[len(sig) // 2] ^= 0xFF
            out.add(rd.replace(signature=bytes(sig)), rrset.ttl)
        return out

    def fix(msg, rec):
        msg.answer = [corrupt(r) for r in msg.answer]
        msg.authority = [corrupt(r) for r in msg.authority]
        msg.additional = [corrupt(r) for r in msg.additional]
        return msg
    return _map_messages(inner, fix)


def by_name(routes: dict[str, Handler], default: Handler) -> Handler:
    """Dispatch on the query name (case-insensitive, exact match)."""
    table = {dns.name.from_text(k): v for k, v in routes.items()}

    def handle(rec):
        name = rec.message.question[0].name if rec.message and rec.message.question else None
        return table.get(name, default)(rec)
    return handle


def zone_for_slot(origin: str, address: str, records: list[str] = ()) -> str:
    """Minimal zone text for a scripted slot: SOA, NS, the NS address, records."""
    ns = f"ns.{origin}"
    lines = [f"{origin} 300 IN SOA {ns} hostmaster.{origin} 1 3600 600 86400 60",
             f"{origin} 300 IN NS {ns}",
             f"{ns} 300 IN A {address}"]
    return "\n".join(lines + list(records)) + "\n"
