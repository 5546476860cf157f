"""Minimal dnstap receiver: Frame Streams over a unix socket + protobuf decoding.

NSD (built with --enable-dnstap) writes every query it receives to a unix
socket as a dnstap message (dnstap-log-auth-query-messages: yes). That gives an
exact per-server record of what a resolver sent, including qname case (0x20),
transport and the raw wire bytes, without parsing logs.

Only what the harness needs is implemented:
- the *bidirectional* Frame Streams handshake libfstrm's unix writer speaks
  (READY -> ACCEPT, START, data frames..., STOP -> FINISH);
- a hand-rolled protobuf reader for the few dnstap fields we use
  (schema: https://github.com/dnstap/dnstap.pb, dnstap.proto).

One background thread multiplexes all listening sockets and connections with
`selectors`, so dozens of NSD instances cost one thread.
"""

from __future__ import annotations

import os
import selectors
import socket
import struct
import threading
from dataclasses import dataclass, field

import dns.exception
import dns.message
import dns.name
import dns.rdatatype

CONTENT_TYPE = b"protobuf:dnstap.Dnstap"

# Frame Streams control frame types.
FSTRM_ACCEPT = 0x01
FSTRM_START = 0x02
FSTRM_STOP = 0x03
FSTRM_READY = 0x04
FSTRM_FINISH = 0x05
FSTRM_FIELD_CONTENT_TYPE = 0x01

# dnstap.Message.Type values we care about (dnstap.proto).
MESSAGE_TYPES = {
    1: "AUTH_QUERY", 2: "AUTH_RESPONSE", 3: "RESOLVER_QUERY",
    4: "RESOLVER_RESPONSE", 5: "CLIENT_QUERY", 6: "CLIENT_RESPONSE",
}
SOCKET_PROTOCOLS = {1: "udp", 2: "tcp", 3: "dot", 4: "doh"}


# --------------------------------------------------------------------------
# protobuf: just enough to walk fields of a message.
# --------------------------------------------------------------------------

def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if pos >= len(buf):
            raise ValueError("truncated varint")
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, pos
        shift += 7


def protobuf_fields(buf: bytes) -> dict[int, list]:
    """Field number -> list of values (int for varint/fixed, bytes for LEN)."""
    fields: dict[int, list] = {}
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        number, wire_type = key >> 3, key & 7
        if wire_type == 0:
            value, pos = _varint(buf, pos)
        elif wire_type == 1:
            value = struct.unpack_from("<Q", buf, pos)[0]
            pos += 8
        elif wire_type == 2:
            length, pos = _varint(buf, pos)
            value = buf[pos:pos + length]
            if len(value) != length:
                raise ValueError("truncated length-delimited field")
            pos += length
        elif wire_type == 5:
            value = struct.unpack_from("<I", buf, pos)[0]
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire_type}")
        fields.setdefault(number, []).append(value)
    return fields


@dataclass
class Query:
    """One query as seen by an authoritative server."""
    server: str            # key the listener was registered with (server address)
    qname: str             # as received, case preserved (0x20 is visible)
    qtype: str             # mnemonic, e.g. "A"
    protocol: str          # "udp" / "tcp"
    client: tuple[str, int] | None
    wire: bytes = field(repr=False)
    time: float = 0.0

    def message(self) -> dns.message.Message:
        return dns.message.from_wire(self.wire)


def _ip(raw: bytes | None) -> str | None:
    if not raw:
        return None
    family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
    return socket.inet_ntop(family, raw)


def decode_dnstap(frame: bytes, server: str) -> Query | None:
    """Decode one dnstap.Dnstap frame; None unless it is a query we can read."""
    top = protobuf_fields(frame)
    if top.get(15, [0])[0] != 1 or 14 not in top:   # type MESSAGE, message
        return None
    msg = protobuf_fields(top[14][0])
    if MESSAGE_TYPES.get(msg.get(1, [0])[0]) not in ("AUTH_QUERY", "CLIENT_QUERY"):
        return None
    wire = msg.get(10, [b""])[0]
    try:
        # Parse only the question: a resolver's query may carry anything.
        qname, pos = _wire_name(wire, 12)
        qtype = struct.unpack_from("!H", wire, pos)[0]
        qtype_text = dns.rdatatype.to_text(qtype)
    except (ValueError, struct.error, IndexError, dns.exception.DNSException):
        qname, qtype_text = "<unparseable>", "<unparseable>"
    client_ip = _ip(msg.get(4, [None])[0])
    client = (client_ip, msg.get(6, [0])[0]) if client_ip else None
    secs = msg.get(8, [0])[0] + msg.get(9, [0])[0] / 1e9
    return Query(server, qname, qtype_text,
                 SOCKET_PROTOCOLS.get(msg.get(3, [0])[0], "?"), client, wire, secs)


def _wire_name(wire: bytes, pos: int) -> tuple[str, int]:
    """Question names are never compressed; keep the exact case of each label."""
    labels = []
    while True:
        length = wire[pos]
        if length & 0xC0:
            raise ValueError("compression in question")
        pos += 1
        if length == 0:
            break
        labels.append(wire[pos:pos + length])
        pos += length
    return dns.name.Name(labels + [b""]).to_text(), pos


# --------------------------------------------------------------------------
# Frame Streams (bidirectional, as libfstrm's unix writer does it).
# --------------------------------------------------------------------------

def control_frame(ctype: int, content_type: bytes | None = CONTENT_TYPE) -> bytes:
    body = struct.pack("!I", ctype)
    if content_type is not None:
        body += struct.pack("!II", FSTRM_FIELD_CONTENT_TYPE, len(content_type)) + content_type
    return struct.pack("!II", 0, len(body)) + body


class _Connection:
    def __init__(self, sock: socket.socket, key: str):
        self.sock = sock
        self.key = key
        self.buf = b""

    def frames(self):
        """Yield (is_control, payload) for every complete frame buffered."""
        while True:
            if len(self.buf) < 4:
                return
            (length,) = struct.unpack_from("!I", self.buf)
            if length == 0:                       # escape: a control frame follows
                if len(self.buf) < 8:
                    return
                (clen,) = struct.unpack_from("!I", self.buf, 4)
                if len(self.buf) < 8 + clen:
                    return
                payload, self.buf = self.buf[8:8 + clen], self.buf[8 + clen:]
                yield True, payload
            else:
                if len(self.buf) < 4 + length:
                    return
                payload, self.buf = self.buf[4:4 + length], self.buf[4 + length:]
                yield False, payload


class DnstapCollector:
    """Listens on any number of unix sockets; stores decoded queries per key."""

    def __init__(self, marker_suffix: str | None = None):
        # Queries for names under marker_suffix are the harness talking to
        # itself: they are kept out of the record. Their first label is
        # remembered (seen_marker); one starting with "r-" also empties the
        # record of that server, so "since the reset" is exact in stream order.
        self.marker_suffix = marker_suffix.lower() if marker_suffix else None
        self._markers: dict[str, set[str]] = {}
        self._sel = selectors.DefaultSelector()
        self._lock = threading.Lock()
        self._queries: dict[str, list[Query]] = {}
        self._listeners: dict[str, socket.socket] = {}
        self._wake_r, self._wake_w = socket.socketpair()
        self._sel.register(self._wake_r, selectors.EVENT_READ, ("wake", None))
        self._stopping = False
        self.errors: list[str] = []
        self._thread = threading.Thread(target=self._run, name="dnstap", daemon=True)
        self._thread.start()

    def listen(self, path: str, key: str) -> None:
        """Accept dnstap writers on `path`; their queries are filed under `key`."""
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        sock.listen(8)
        sock.setblocking(False)
        with self._lock:
            self._queries.setdefault(key, [])
            self._listeners[path] = sock
        self._sel.register(sock, selectors.EVENT_READ, ("listen", key))
        self._wake()

    def queries(self, key: str) -> list[Query]:
        with self._lock:
            return list(self._queries.get(key, []))

    def seen_marker(self, key: str, label: str) -> bool:
        with self._lock:
            return label.lower() in self._markers.get(key, ())

    def _ingest(self, q: Query) -> None:
        with self._lock:
            name = q.qname.lower()
            if self.marker_suffix and name.endswith("." + self.marker_suffix):
                label = name.split(".", 1)[0]
                self._markers.setdefault(q.server, set()).add(label)
                if label.startswith("r-"):
                    self._queries[q.server] = []
                return
            self._queries.setdefault(q.server, []).append(q)

    def clear(self, key: str | None = None) -> None:
        with self._lock:
            for k in ([key] if key else list(self._queries)):
                self._queries[k] = []

    def close(self) -> None:
        self._stopping = True
        self._wake()
        self._thread.join(timeout=5)
        for path, sock in list(self._listeners.items()):
            sock.close()
            if os.path.exists(path):
                os.unlink(path)
        self._wake_r.close()
        self._wake_w.close()

    # -- event loop --------------------------------------------------------

    def _wake(self) -> None:
        try:
            self._wake_w.send(b"x")
        except OSError:
            pass

    def _run(self) -> None:
        while not self._stopping:
            for skey, _ in self._sel.select(timeout=1.0):
                kind, data = skey.data
                try:
                    if kind == "wake":
                        self._wake_r.recv(4096)
                    elif kind == "listen":
                        conn, _ = skey.fileobj.accept()
                        conn.setblocking(False)
                        self._sel.register(conn, selectors.EVENT_READ,
                                           ("conn", _Connection(conn, data)))
                    else:
                        self._read(data)
                except OSError as exc:   # keep serving the other sockets
                    self.errors.append(repr(exc))
        for skey in list(self._sel.get_map().values()):
            if skey.data[0] == "conn":
                skey.fileobj.close()
        self._sel.close()

    def _read(self, conn: _Connection) -> None:
        chunk = conn.sock.recv(65536)
        if not chunk:
            self._drop(conn)
            return
        conn.buf += chunk
        for is_control, payload in conn.frames():
            if not is_control:
                try:
                    q = decode_dnstap(payload, conn.key)
                except ValueError as exc:
                    self.errors.append(f"{conn.key}: bad dnstap frame: {exc}")
                    continue
                if q is not None:
                    self._ingest(q)
                continue
            (ctype,) = struct.unpack_from("!I", payload)
            if ctype == FSTRM_READY:
                conn.sock.setblocking(True)
                conn.sock.sendall(control_frame(FSTRM_ACCEPT))
                conn.sock.setblocking(False)
            elif ctype == FSTRM_STOP:
                try:
                    conn.sock.setblocking(True)
                    conn.sock.sendall(control_frame(FSTRM_FINISH, None))
                except OSError:
                    pass
                self._drop(conn)
                return

    def _drop(self, conn: _Connection) -> None:
        self._sel.unregister(conn.sock)
        conn.sock.close()
