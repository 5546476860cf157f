"""A flood of distinct names under many distinct zones, for memory bounds.

`script1.zz.` (script-1) delegates every child `z<k>.script1.zz.` to
`ns.z<k>.script1.zz.`, with glue, at script-2's address; script-2 answers
for every such zone: any name below it has an A record, the apex its SOA
and NS. So each client query `n<i>.z<k>.script1.zz.` costs the resolver a
fresh answer, and the first one of each zone a fresh delegation (NS, glue,
zone cut): everything a resolver keeps per name and per zone grows with
the flood. Shared by test_cache_memory_flood.py (scaled down) and
bench/attacks (1,000,000 names under 100,000 zones).

Both handlers work on the wire bytes (no dnspython on the answer path) so
that one Python process can serve a few thousand queries a second.
"""

from __future__ import annotations

import struct

import scripted_server as ss

PARENT = "script1.zz."
PARENT_LABELS = (b"script1", b"zz")
TTL = 3600
SOA_MINIMUM = 60
QR_AA = 0x8400
QR = 0x8000
REFUSED = 5
A, NS, SOA, DS = 1, 2, 6, 43
# An empty OPT record: 1232-byte payload, no options.
_OPT = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)


def names(count: int, zones: int) -> list[str]:
    """`count` distinct names spread evenly over `zones` zones (zone of name i: i % zones)."""
    return [f"n{i}.z{i % zones}.{PARENT}" for i in range(count)]


def name_wire(labels) -> bytes:
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\x00"


def parse_query(wire: bytes):
    """(id, rd flag, labels lower-cased, qtype, question bytes, has OPT) or None."""
    if len(wire) < 17:
        return None
    qid, flags, qd, _an, _ns, ar = struct.unpack("!HHHHHH", wire[:12])
    if flags & 0x8000 or qd != 1:
        return None
    labels, pos = [], 12
    while True:
        if pos >= len(wire):
            return None
        n = wire[pos]
        if n == 0:
            break
        if n > 63:
            return None
        labels.append(wire[pos + 1:pos + 1 + n].lower())
        pos += n + 1
    end = pos + 5
    if end > len(wire):
        return None
    (qtype,) = struct.unpack("!H", wire[pos + 1:pos + 3])
    return qid, flags & 0x0100, labels, qtype, wire[12:end], ar > 0


def rr(owner: bytes, rtype: int, rdata: bytes, ttl: int = TTL) -> bytes:
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


def soa_rr(zone: list[bytes]) -> bytes:
    rdata = name_wire([b"ns"] + zone) + name_wire([b"hostmaster"] + zone) + \
        struct.pack("!IIIII", 1, 3600, 600, 86400, SOA_MINIMUM)
    return rr(name_wire(zone), SOA, rdata, SOA_MINIMUM)


def reply(query, flags: int, answer=(), authority=(), additional=(), rcode: int = 0) -> bytes:
    qid, rd, _labels, _qtype, question, has_opt = query
    extra = list(additional) + ([_OPT] if has_opt else [])
    header = struct.pack("!HHHHHH", qid, flags | rd | rcode, 1, len(answer), len(authority), len(extra))
    return header + question + b"".join(answer) + b"".join(authority) + b"".join(extra)


def _address(k: int, net_prefix: str) -> bytes:
    a, b = (int(x) for x in net_prefix.split("."))
    return bytes([a, b, 202, k % 250 + 1])


def parent(address: str, child_address: str) -> ss.Handler:
    """script1.zz.: its apex, its server's address, and a referral for every
    child zone to ns.<zone> at `child_address`."""
    apex = list(PARENT_LABELS)
    ns_name = name_wire([b"ns"] + apex)
    ns_addr = bytes(int(x) for x in address.split("."))
    child_addr = bytes(int(x) for x in child_address.split("."))

    def handle(rec: ss.Received) -> ss.Reply:
        q = parse_query(rec.wire)
        if q is None:
            return None
        labels, qtype = q[2], q[3]
        if labels[-2:] != apex:
            return reply(q, QR, rcode=REFUSED)
        below = labels[:-2]
        if not below:
            if qtype == SOA:
                return reply(q, QR_AA, answer=[soa_rr(apex)])
            if qtype == NS:
                return reply(q, QR_AA, answer=[rr(name_wire(apex), NS, ns_name)],
                              additional=[rr(ns_name, A, ns_addr)])
            return reply(q, QR_AA, authority=[soa_rr(apex)])
        if below == [b"ns"]:
            if qtype == A:
                return reply(q, QR_AA, answer=[rr(ns_name, A, ns_addr)])
            return reply(q, QR_AA, authority=[soa_rr(apex)])
        if len(below) == 1 and qtype == DS:
            # The parent side of the cut: no DS (an unsigned delegation).
            return reply(q, QR_AA, authority=[soa_rr(apex)])
        zone = [below[-1]] + apex
        child_ns = name_wire([b"ns"] + zone)
        return reply(q, QR, authority=[rr(name_wire(zone), NS, child_ns)],
                      additional=[rr(child_ns, A, child_addr)])

    return handle


def children(address: str, net_prefix: str) -> ss.Handler:
    """Every z<k>.script1.zz.: apex SOA and NS, ns.<zone> at `address`, an A for any other name."""
    apex = list(PARENT_LABELS)
    own = bytes(int(x) for x in address.split("."))

    def handle(rec: ss.Received) -> ss.Reply:
        q = parse_query(rec.wire)
        if q is None:
            return None
        labels, qtype = q[2], q[3]
        if labels[-2:] != apex or len(labels) < 3:
            return reply(q, QR, rcode=REFUSED)
        zone = labels[-3:]
        below = labels[:-3]
        owner = name_wire(labels)
        if not below:
            if qtype == SOA:
                return reply(q, QR_AA, answer=[soa_rr(zone)])
            if qtype == NS:
                ns = name_wire([b"ns"] + zone)
                return reply(q, QR_AA, answer=[rr(owner, NS, ns)], additional=[rr(ns, A, own)])
            return reply(q, QR_AA, authority=[soa_rr(zone)])
        if qtype != A:
            return reply(q, QR_AA, authority=[soa_rr(zone)])
        if below == [b"ns"]:
            return reply(q, QR_AA, answer=[rr(owner, A, own)])
        k = int(zone[0][1:]) if zone[0][1:].isdigit() else 0
        return reply(q, QR_AA, answer=[rr(owner, A, _address(k, net_prefix))])

    return handle


def start_servers(internet, net_prefix: str) -> list[ss.ScriptedServer]:
    """The parent at script-1 and the children's server at script-2, started."""
    a1, a2 = internet.addr("script-1"), internet.addr("script-2")
    servers = [ss.ScriptedServer(a1, parent(a1, a2)), ss.ScriptedServer(a2, children(a2, net_prefix))]
    for s in servers:
        s.start()
    return servers


def forget_received(servers: list[ss.ScriptedServer]) -> None:
    """Drop the servers' query records (a flood would keep millions)."""
    for s in servers:
        s.received.clear()


def rss_kib(pid: int, field: str = "VmRSS") -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for pid {pid}")
