"""Cross-check of Cairn's wire library against dnspython, in both directions.

1. dnspython renders >= 10,000 random messages (seeded: every run is the same)
   to wire form, with name compression; `wire_roundtrip parse` reads them all
   in one run, and every header, question, EDNS option and RR it prints must
   equal what dnspython itself reads from the same bytes. RDATA is compared
   as presentation text after normalising legal spelling variants only (hex
   case, base64/hex chunking, quoting of character-strings, `\\DDD` versus a
   literal character, TTL units, IPv6 zero compression, mnemonic versus
   TYPEnnn): any other difference fails.
2. `wire_roundtrip build` reads the same messages as presentation text
   (dnspython's spelling) and writes wire form; dnspython must read back the
   same header, question, EDNS options and records.

The program is tests/tools/wire_roundtrip.cc, expected at
<repo>/$CAIRN_BUILD_DIR/bin/wire_roundtrip (default build/); CI builds it first.
"""

from __future__ import annotations

import base64
import calendar
import ipaddress
import multiprocessing
import os
import random
import re
import subprocess
import time
from pathlib import Path

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.svcbbase
import dns.rrset
import dns.ttl
import pytest

REPO = Path(__file__).resolve().parents[2]
BINARY = REPO / os.environ.get("CAIRN_BUILD_DIR", "build") / "bin" / "wire_roundtrip"

SEED = 0x0CA1A
MESSAGES = 10_000
BUILD_MESSAGES = 3_000  # of those, also sent through `build`

T = dns.rdatatype
IN = dns.rdataclass.IN

# Types neither side knows (dnspython 2.3 and Cairn print them as \#).
# (Not 128..255: RFC 6895 §3.1 keeps those for meta-types and QTYPEs, and
# Cairn rightly refuses them in zone data.)
UNKNOWN_TYPES = [54, 68, 97, 110, 1000, 4000, 32770, 65280, 65400, 65534]

# ---------------------------------------------------------------- generation

PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"
SPECIAL = b'.\\" ();@$\t\x00\x7f\x80\xff,'


class Gen(random.Random):
    """Random DNS data, biased towards the awkward cases."""

    def plain_label(self, n: int) -> bytes:
        return "".join(self.choice(PLAIN) for _ in range(n)).encode()

    def label(self) -> bytes:
        r = self.random()
        if r < 0.75:
            return self.plain_label(self.randint(1, 12))
        if r < 0.85:
            return self.plain_label(self.randint(40, 63))
        n = self.randint(1, 10)
        return bytes(self.choice(SPECIAL) if self.random() < 0.5 else self.randint(0, 255)
                     for _ in range(n))

    def mixcase(self, label: bytes) -> bytes:
        if self.random() < 0.6:
            return label
        return bytes(c ^ 0x20 if (65 <= c <= 90 or 97 <= c <= 122) and self.random() < 0.5
                     else c for c in label)

    def name(self, zone: tuple[bytes, ...] | None = None, root_ok: bool = False) -> dns.name.Name:
        if root_ok and self.random() < 0.05:
            return dns.name.root
        suffix = [self.mixcase(x) for x in zone] if zone is not None and self.random() < 0.8 else []
        labels = [self.label() for _ in range(self.randint(0 if suffix else 1, 3))]
        if self.random() < 0.03:  # close to the 255-octet limit
            labels = [self.plain_label(63) for _ in range(3)] + [self.plain_label(61)]
            suffix = []
        labels = labels + suffix
        while sum(len(x) + 1 for x in labels) + 1 > 255:
            labels.pop(0)
        return dns.name.Name(labels + [b""])

    def zone(self) -> tuple[bytes, ...]:
        choices = [(b"example", b"com"), (b"Example", b"COM"), (b"xn--bcher-kva", b"example"),
                   (b"a", b"b", b"c", b"d", b"e", b"f"), (b"test",), (b"sub", b"example", b"net")]
        if self.random() < 0.3:
            return tuple(self.label() for _ in range(self.randint(1, 2)))
        return self.choice(choices)

    def cs(self, maxlen: int = 40) -> bytes:
        n = self.randint(0, maxlen) if self.random() < 0.97 else 255
        if self.random() < 0.5:
            return bytes(self.randint(0x20, 0x7e) for _ in range(n))
        return bytes(self.randint(0, 255) for _ in range(n))

    def blob(self, lo: int, hi: int) -> bytes:
        return self.randbytes(self.randint(lo, hi))

    def ipv6(self) -> str:
        raw = bytearray(self.randbytes(16))
        r = self.random()
        if r < 0.4:  # zero runs of every length and place
            start = self.randint(0, 7)
            end = self.randint(start, 8)
            raw[2 * start:2 * end] = bytes(2 * (end - start))
        elif r < 0.5:
            raw[:12] = bytes(10) + b"\xff\xff"  # IPv4-mapped
        elif r < 0.55:
            raw = bytearray(16)
        return str(ipaddress.IPv6Address(bytes(raw)))

    def ttl(self) -> int:
        return self.choice([0, 1, 60, 300, 3600, 86400, 604800, 2**31 - 1,
                            self.randint(0, 2**31 - 1), self.randint(0, 2**32 - 1)])

    def types(self, allow_empty: bool = True) -> str:
        pool = [1, 2, 5, 6, 12, 15, 16, 28, 33, 43, 46, 47, 48, 50, 51, 52, 64, 65, 257,
                54, 99, 262, 1000, 32768, 65280, 65534]
        n = self.randint(0 if allow_empty else 1, 8)
        return " ".join(T.to_text(t) for t in sorted(set(self.sample(pool, n))))


def q(data: bytes) -> str:
    """A quoted <character-string> (RFC 1035 §5.1)."""
    out = []
    for c in data:
        if c in b'"\\':
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7f:
            out.append(chr(c))
        else:
            out.append("\\%03d" % c)
    return '"' + "".join(out) + '"'


def b32hex(data: bytes) -> str:
    std = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    ext = "0123456789ABCDEFGHIJKLMNOPQRSTUV"
    return base64.b32encode(data).decode().rstrip("=").translate(str.maketrans(std, ext))


def svcb_wire(g: Gen, priority: int, target: dns.name.Name) -> bytes:
    out = priority.to_bytes(2, "big") + target.to_wire()
    if priority == 0:
        return out
    params: dict[int, bytes] = {}
    if g.random() < 0.6:
        ids = [g.cs(8) or b"h2" for _ in range(g.randint(1, 3))]
        ids = [i.replace(b"\x00", b"x") if g.random() < 0.5 else i for i in ids]
        params[1] = b"".join(len(i).to_bytes(1, "big") + i for i in ids)
        if g.random() < 0.3:
            params[2] = b""
    if g.random() < 0.5:
        params[3] = g.randint(0, 65535).to_bytes(2, "big")
    if g.random() < 0.4:
        params[4] = b"".join(g.randbytes(4) for _ in range(g.randint(1, 3)))
    if g.random() < 0.3:
        params[5] = g.blob(1, 40)
    if g.random() < 0.4:
        params[6] = b"".join(g.randbytes(16) for _ in range(g.randint(1, 2)))
    if g.random() < 0.3:
        params[g.randint(8, 65534)] = g.blob(0, 12)
    if params and g.random() < 0.3:
        keys = sorted(g.sample(sorted(params), g.randint(1, len(params))))
        params[0] = b"".join(k.to_bytes(2, "big") for k in keys)
    for key in sorted(params):
        out += key.to_bytes(2, "big") + len(params[key]).to_bytes(2, "big") + params[key]
    return out


def rdata_text(g: Gen, rtype: int, zone) -> str:
    n = lambda root_ok=False: g.name(zone, root_ok).to_text()  # noqa: E731
    u8, u16, u32 = (lambda: g.randint(0, 255)), (lambda: g.randint(0, 65535)), \
        (lambda: g.randint(0, 2**32 - 1))
    if rtype == T.A:
        return str(ipaddress.IPv4Address(g.randbytes(4)))
    if rtype == T.AAAA:
        return g.ipv6()
    if rtype in (T.NS, T.CNAME, T.DNAME, T.PTR):
        return n(rtype != T.CNAME)
    if rtype == T.SOA:
        return f"{n()} {n()} {u32()} {u32()} {u32()} {u32()} {u32()}"
    if rtype == T.MX:
        return f"{u16()} {n(True)}"
    if rtype == T.TXT:
        return " ".join(q(g.cs()) for _ in range(g.randint(1, 4)))
    if rtype == T.SRV:
        return f"{u16()} {u16()} {u16()} {n(True)}"
    if rtype in (T.DS, T.CDS):
        digest = g.choice([(1, 20), (2, 32), (4, 48), (g.randint(5, 255), g.randint(1, 40))])
        return f"{u16()} {u8()} {digest[0]} {g.randbytes(digest[1]).hex().upper()}"
    if rtype in (T.DNSKEY, T.CDNSKEY):
        key = base64.b64encode(g.blob(1, 300)).decode()
        return f"{g.choice([256, 257, u16()])} {g.choice([3, u8()])} {u8()} {key}"
    if rtype == T.RRSIG:
        covered = T.to_text(g.choice([1, 2, 6, 28, 48, 65280, 1000]))
        sig = base64.b64encode(g.blob(1, 260)).decode()
        exp = time.strftime("%Y%m%d%H%M%S", time.gmtime(u32()))
        inc = time.strftime("%Y%m%d%H%M%S", time.gmtime(u32()))
        return f"{covered} {u8()} {u8()} {u32()} {exp} {inc} {u16()} {n(True)} {sig}"
    if rtype == T.NSEC:
        return f"{n(True)} {g.types()}"
    if rtype == T.NSEC3:
        salt = g.blob(1, 16).hex() if g.random() < 0.7 else "-"
        # dnspython 2.3 reads base32 only in whole 40-bit groups.
        nxt = b32hex(g.randbytes(g.choice([20, 20, 5 * g.randint(1, 12)])))
        return f"{u8()} {u8()} {u16()} {salt} {nxt} {g.types()}"
    if rtype == T.NSEC3PARAM:
        salt = g.blob(1, 16).hex() if g.random() < 0.7 else "-"
        return f"{u8()} {u8()} {u16()} {salt}"
    if rtype == T.TLSA:
        return f"{u8()} {u8()} {u8()} {g.blob(1, 64).hex()}"
    if rtype == T.SSHFP:
        return f"{u8()} {u8()} {g.blob(1, 32).hex()}"
    if rtype == T.ZONEMD:
        alg, size = g.choice([(1, 48), (2, 64), (g.randint(3, 255), g.randint(12, 40))])
        return f"{u32()} {g.randint(1, 255)} {alg} {g.randbytes(size).hex()}"
    raise AssertionError(rtype)


TYPED = [T.A, T.AAAA, T.NS, T.CNAME, T.DNAME, T.SOA, T.MX, T.TXT, T.PTR, T.SRV, T.NAPTR,
         T.HINFO, T.DS, T.CDS, T.DNSKEY, T.CDNSKEY, T.RRSIG, T.NSEC, T.NSEC3, T.NSEC3PARAM,
         T.CAA, T.TLSA, T.SSHFP, T.SVCB, T.HTTPS, T.ZONEMD]


def counted(data: bytes) -> bytes:
    return bytes([len(data)]) + data


def rdata_wire(g: Gen, rtype: int, zone) -> bytes:
    """RDATA built as wire: dnspython 2.3 reads `\\DDD` above 127 in HINFO,
    NAPTR and CAA text as a Unicode code point and writes it as UTF-8."""
    if rtype in (T.SVCB, T.HTTPS):
        priority = 0 if g.random() < 0.2 else g.randint(1, 65535)
        return svcb_wire(g, priority, g.name(zone, True))
    if rtype == T.HINFO:
        return counted(g.cs(20)) + counted(g.cs(20))
    if rtype == T.NAPTR:
        return (g.randbytes(4) + counted(g.cs(3)) + counted(g.cs(12)) + counted(g.cs(30)) +
                g.name(zone, True).to_wire())
    if rtype == T.CAA:
        tag = g.choice([b"issue", b"issuewild", b"iodef", b"tbs"]) if g.random() < 0.8 else \
            bytes(g.choice(b"abcXYZ019") for _ in range(g.randint(1, 15)))
        return bytes([g.choice([0, 128, g.randint(0, 255)])]) + counted(tag) + g.cs(60)
    raise AssertionError(rtype)


def make_rdata(g: Gen, rtype: int, zone) -> dns.rdata.Rdata:
    if rtype in (T.SVCB, T.HTTPS, T.HINFO, T.NAPTR, T.CAA):
        wire = rdata_wire(g, rtype, zone)
        return dns.rdata.from_wire(IN, rtype, wire, 0, len(wire))
    if rtype not in TYPED:
        return dns.rdata.GenericRdata(IN, rtype, g.blob(0, 40))
    return dns.rdata.from_text(IN, rtype, rdata_text(g, rtype, zone))


def make_options(g: Gen) -> list[dns.edns.Option]:
    options = []
    for _ in range(g.randint(0, 4)):
        kind = g.randrange(8)
        if kind == 0:
            server = g.randbytes(g.randint(8, 32)) if g.random() < 0.6 else b""
            options.append(dns.edns.GenericOption(10, g.randbytes(8) + server))
        elif kind == 1:
            if g.random() < 0.5:
                src = g.randint(0, 32)
                addr = str(ipaddress.IPv4Address(g.randbytes(4)))
            else:
                src = g.randint(0, 128)
                addr = str(ipaddress.IPv6Address(g.randbytes(16)))
            options.append(dns.edns.ECSOption(addr, src, g.randint(0, src)))
        elif kind == 2:
            text = "".join(g.choice("abc XYZ:.-é€") for _ in range(g.randint(0, 20)))
            options.append(dns.edns.EDEOption(g.randint(0, 30), text or None))
        elif kind == 3:
            options.append(dns.edns.GenericOption(12, bytes(g.randint(0, 100))))
        elif kind == 4:
            data = g.randbytes(2) if g.random() < 0.5 else b""
            options.append(dns.edns.GenericOption(11, data))
        elif kind == 5:
            options.append(dns.edns.GenericOption(3, g.blob(0, 12)))
        else:
            options.append(dns.edns.GenericOption(g.choice([5, 6, 7, 9, 14, 20, 65001]),
                                                  g.blob(0, 20)))
    return options


def make_message(g: Gen) -> bytes:
    zone = g.zone()
    m = dns.message.Message(id=g.randint(0, 65535))
    m.flags = 0
    for flag, p in ((dns.flags.QR, 0.6), (dns.flags.AA, 0.3), (dns.flags.TC, 0.05),
                    (dns.flags.RD, 0.6), (dns.flags.RA, 0.5), (dns.flags.AD, 0.2),
                    (dns.flags.CD, 0.1), (0x0040, 0.03)):
        if g.random() < p:
            m.flags |= flag
    m.set_opcode(g.choice([0, 0, 0, 0, 1, 2, 4]))
    use_edns = g.random() < 0.8
    rcode = g.choice([0, 0, 0, 2, 3, 5, g.randint(0, 15)] + ([g.randint(0, 4095)] if use_edns else []))
    if use_edns:
        flags = (dns.flags.DO if g.random() < 0.5 else 0) | \
            (g.randint(0, 0x7FFF) if g.random() < 0.05 else 0)
        m.use_edns(g.choice([0, 0, 0, 1, 255]), flags, g.choice([512, 1232, 4096, g.randint(0, 65535)]),
                   options=make_options(g))
    m.set_rcode(rcode)
    for _ in range(g.choice([0, 1, 1, 1, 1, 2])):
        qtype = g.choice(TYPED + [T.ANY, T.AXFR, 65280])
        m.question.append(dns.rrset.RRset(g.name(zone, True), IN, qtype))
    owners = [g.name(zone, True) for _ in range(g.randint(1, 5))]
    for section, count in ((m.answer, g.randint(0, 6)), (m.authority, g.randint(0, 3)),
                           (m.additional, g.randint(0, 3))):
        for _ in range(count):
            rtype = g.choice(TYPED + [g.choice(UNKNOWN_TYPES)])
            rclass = IN
            if rtype in (T.TXT, T.NS, T.CNAME, T.PTR) and g.random() < 0.1:
                rclass = g.choice([dns.rdataclass.CH, dns.rdataclass.HS, 32])
            rrset = dns.rrset.RRset(g.choice(owners), rclass, rtype)
            rrset.update_ttl(g.ttl())
            for _ in range(1 if rtype == T.RRSIG else g.choice([1, 1, 1, 2, 3])):
                rd = make_rdata(g, rtype, zone)
                if rclass != IN:
                    rd = dns.rdata.from_wire(rclass, rtype, rd.to_wire(), 0, len(rd.to_wire()))
                rrset.add(rd)
            section.append(rrset)
    return m.to_wire(max_size=65535)


CHUNK = 250  # messages per work item; each chunk has its own seed


def generate_chunk(index: int) -> list[bytes]:
    g = Gen(SEED * 100_000 + index)
    out = []
    while len(out) < CHUNK:
        try:
            out.append(make_message(g))
        except dns.exception.TooBig:
            continue
    return out


def in_parallel(function, items: list) -> list:
    """map() over the CPUs; the results do not depend on how many there are."""
    with multiprocessing.get_context("fork").Pool(min(4, os.cpu_count() or 1)) as pool:
        return pool.map(function, items, chunksize=1)


# ------------------------------------------------ presentation normalisation


def tokens(text: str) -> list[tuple[str, bool]]:
    """Splits presentation text into (raw token, quoted) pairs; escapes kept."""
    out, cur, quoted, in_quote, started = [], [], False, False, False
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\":
            cur.append(text[i:i + 2] if not text[i + 1:i + 2].isdigit() else text[i:i + 4])
            i += len(cur[-1])
            started = True
            continue
        if c == '"':
            in_quote = not in_quote
            quoted = started = True
        elif c in " \t\n" and not in_quote:
            if started:
                out.append(("".join(cur), quoted))
            cur, quoted, started = [], False, False
        else:
            cur.append(c)
            started = True
        i += 1
    if in_quote:
        raise ValueError("unterminated quote")
    if started:
        out.append(("".join(cur), quoted))
    return out


def unescape(raw: str) -> bytes:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            nxt = raw[i + 1:i + 4]
            if nxt[:1].isdigit():
                if len(nxt) != 3 or not nxt.isdigit() or int(nxt) > 255:
                    raise ValueError(f"bad escape in {raw!r}")
                out.append(int(nxt))
                i += 4
                continue
            if not nxt:
                raise ValueError(f"dangling backslash in {raw!r}")
            out += nxt[0].encode("latin-1")
            i += 2
            continue
        out += c.encode("utf-8")
        i += 1
    return bytes(out)


def name_labels(raw: str) -> tuple[bytes, ...]:
    """Labels of an absolute name in presentation form, exactly (case kept)."""
    if raw == ".":
        return ()
    if not raw.endswith("."):
        raise ValueError(f"name not absolute: {raw!r}")
    labels, cur, i = [], "", 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            step = 4 if raw[i + 1:i + 2].isdigit() else 2
            cur += raw[i:i + step]
            i += step
            continue
        if c == ".":
            labels.append(unescape(cur))
            cur = ""
        else:
            cur += c
        i += 1
    if cur:
        raise ValueError(f"name not absolute: {raw!r}")
    return tuple(labels)


def ipv6_packed(raw: str) -> bytes:
    return ipaddress.IPv6Address(raw).packed


def sigtime(raw: str) -> int:
    if len(raw) == 14 and raw.isdigit():
        return calendar.timegm(time.strptime(raw, "%Y%m%d%H%M%S"))
    return int(raw)


def svc_values(raw: bytes) -> list[bytes]:
    """RFC 9460 Appendix A.1 value-list: ',' separates, '\\' escapes."""
    items, cur, i = [], bytearray(), 0
    while i < len(raw):
        c = raw[i]
        if c == 0x5C and i + 1 < len(raw):
            cur.append(raw[i + 1])
            i += 2
            continue
        if c == 0x2C:
            items.append(bytes(cur))
            cur = bytearray()
        else:
            cur.append(c)
        i += 1
    items.append(bytes(cur))
    return items


SVC_KEYS = {"mandatory": 0, "alpn": 1, "no-default-alpn": 2, "port": 3, "ipv4hint": 4,
            "ech": 5, "ipv6hint": 6}


def svc_key(text: str) -> int:
    if text in SVC_KEYS:
        return SVC_KEYS[text]
    if text.startswith("key") and text[3:].isdigit():
        return int(text[3:])
    raise ValueError(f"unknown SvcParamKey {text!r}")


def svc_params(toks: list[tuple[str, bool]]) -> list:
    out = []
    for raw, _ in toks:
        key_text, eq, value_raw = raw.partition("=")
        key = svc_key(key_text)
        value = unescape(value_raw) if eq else b""
        if key == 0:
            v = tuple(svc_key(x.decode()) for x in value.split(b","))
        elif key == 1:
            v = tuple(svc_values(value))
        elif key == 3:
            v = int(value)
        elif key == 4:
            v = tuple(ipaddress.IPv4Address(x.decode()).packed for x in value.split(b","))
        elif key == 6:
            v = tuple(ipv6_packed(x.decode()) for x in value.split(b","))
        elif key == 5:
            v = base64.b64decode(value, validate=True)
        else:
            v = value
        out.append((key, v))
    return out


def svcb_fields(rd) -> tuple:
    """SVCB/HTTPS RDATA as normalise_rdata() reads it, from dnspython's fields:
    dnspython 2.3 prints alpn-ids with a second level of escaping that it
    reads back differently (`\\\\182`), so its text is no reference there."""
    params = []
    for key in sorted(rd.params):
        p = rd.params[key]
        k = int(key)
        if p is None:  # no value (no-default-alpn, or an empty unknown key)
            v = b""
        elif k == 0:
            v = tuple(int(x) for x in p.keys)
        elif k == 1:
            v = tuple(p.ids)
        elif k == 3:
            v = p.port
        elif k == 4:
            v = tuple(ipaddress.IPv4Address(a).packed for a in p.addresses)
        elif k == 6:
            v = tuple(ipv6_packed(a) for a in p.addresses)
        elif k == 5:
            v = p.ech
        else:
            v = p.value
        params.append((k, v))
    return (rd.priority, tuple(rd.target.labels[:-1]), params)


# Field layouts, independent of Cairn's table: what each token means.
LAYOUT = {
    T.A: "4", T.AAAA: "6", T.NS: "n", T.CNAME: "n", T.DNAME: "n", T.PTR: "n",
    T.SOA: "nniiiii", T.MX: "in", T.TXT: "S", T.HINFO: "ss", T.SRV: "iiin",
    T.NAPTR: "iisssn", T.DS: "iiiH", T.CDS: "iiiH", T.DNSKEY: "iiiB", T.CDNSKEY: "iiiB",
    T.RRSIG: "tiiiwwinB", T.NSEC: "nY", T.NSEC3: "iiixbY", T.NSEC3PARAM: "iiix",
    T.CAA: "igs", T.TLSA: "iiiH", T.SSHFP: "iiH", T.SVCB: "inV", T.HTTPS: "inV",
    T.ZONEMD: "iiiH",
}


def normalise_rdata(rtype: int, text: str):
    toks = tokens(text)
    if toks and toks[0] == ("\\#", False):
        # RFC 3597 generic form: length and hex (chunked or not, any case).
        data = bytes.fromhex("".join(t for t, _ in toks[2:]))
        if int(toks[1][0]) != len(data):
            raise ValueError("\\# length does not match its data")
        return ("generic", data)
    layout = LAYOUT.get(rtype)
    if layout is None:
        raise ValueError(f"typed text for a type without typed format: {text!r}")
    out, i = [], 0
    for kind in layout:
        if kind in "SHBYV":  # rest of the tokens
            rest, i = toks[i:], len(toks)
            if kind == "S":
                out.append(tuple(unescape(t) for t, _ in rest))
            elif kind == "H":
                out.append(bytes.fromhex("".join(t for t, _ in rest)))
            elif kind == "B":
                out.append(base64.b64decode("".join(t for t, _ in rest), validate=True))
            elif kind == "Y":
                out.append(tuple(sorted(T.from_text(t) for t, _ in rest)))
            else:
                out.append(svc_params(rest))
            continue
        if i >= len(toks):
            raise ValueError(f"too few fields in {text!r}")
        raw, quoted = toks[i]
        i += 1
        if kind != "s" and kind != "g" and quoted:
            raise ValueError(f"quoted token {raw!r} where none belongs")
        if kind == "i":
            out.append(int(raw))
        elif kind == "4":
            out.append(ipaddress.IPv4Address(raw).packed)
        elif kind == "6":
            out.append(ipv6_packed(raw))
        elif kind == "n":
            out.append(name_labels(raw))
        elif kind == "s":
            out.append(unescape(raw))
        elif kind == "g":
            out.append(raw)
        elif kind == "t":
            out.append(T.from_text(raw))
        elif kind == "w":
            out.append(sigtime(raw))
        elif kind == "x":
            out.append(b"" if raw == "-" else bytes.fromhex(raw))
        elif kind == "b":
            out.append(raw.upper())
    if i != len(toks):
        raise ValueError(f"extra fields in {text!r}")
    return tuple(out)


def normalise_rr(text: str) -> tuple:
    """(owner labels, ttl, class, type, normalised rdata) of one RR line."""
    owner, ttl, rclass, rtype, rdata = (text.split(" ", 4) + [""])[:5]
    rtype_value = T.from_text(rtype)
    return (name_labels(owner), dns.ttl.from_text(ttl), dns.rdataclass.from_text(rclass),
            rtype_value, normalise_rdata(rtype_value, rdata))


# ------------------------------------------------------------------- oracle


def option_line(option: dns.edns.Option) -> str:
    data = option.to_wire()
    code = int(option.otype)
    if code == 10:
        return f"COOKIE client={data[:8].hex()} server={data[8:].hex()}"
    if code == 8:
        family, src, scope = int.from_bytes(data[:2], "big"), data[2], data[3]
        size = 4 if family == 1 else 16
        addr = ipaddress.ip_address(data[4:].ljust(size, b"\0"))
        return f"ECS family={family} source={src} scope={scope} address={addr}"
    if code == 15:
        return f"EDE info={int.from_bytes(data[:2], 'big')} text={data[2:].hex()}"
    if code == 12:
        return f"PADDING length={len(data)}"
    if code == 11:
        value = int.from_bytes(data, "big") if data else "none"
        return f"KEEPALIVE timeout={value}"
    return f"CODE{code} data={data.hex()}"


HIGH_ESCAPE = re.compile(r"\\(12[89]|1[3-9][0-9]|2[0-9][0-9])")  # \128 .. \255
SECTION_NAMES = ("ANSWER", "AUTHORITY", "ADDITIONAL")


def expected_lines(m: dns.message.Message) -> dict:
    """What wire_roundtrip parse must print, from dnspython's own reading."""
    out = {
        "HEADER": f"id={m.id} flags=0x{m.flags:04x} opcode={m.opcode()} rcode={m.rcode()}",
        "QUESTION": [(tuple(r.name.labels[:-1]), r.rdclass, r.rdtype) for r in m.question],
        "EDNS": None,
        "OPTION": [],
    }
    if m.edns >= 0:
        out["EDNS"] = (f"udp={m.payload} ext_rcode={(m.ednsflags >> 24) & 0xFF} "
                       f"version={m.edns} do={1 if m.ednsflags & dns.flags.DO else 0} "
                       f"z=0x{m.ednsflags & 0x7FFF:04x}")
        out["OPTION"] = [option_line(o) for o in m.options]
    for name, section in zip(SECTION_NAMES, (m.answer, m.authority, m.additional)):
        out[name] = [(rrset.name, rrset.ttl, rrset.rdclass, rrset.rdtype, rd)
                     for rrset in section for rd in rrset]
    return out


def parse_blocks(output: str) -> list[list[str]]:
    blocks, cur = [], []
    for line in output.splitlines():
        if line == "END":
            blocks.append(cur)
            cur = []
        else:
            cur.append(line)
    return blocks


def compare_message(wire: bytes, block: list[str], stats: dict) -> list[str]:
    """Differences between Cairn's reading (block) and dnspython's."""
    m = dns.message.from_wire(wire, one_rr_per_rrset=True)
    exp = expected_lines(m)
    got: dict = {k: [] for k in ("QUESTION", "OPTION") + SECTION_NAMES}
    got["HEADER"] = got["EDNS"] = None
    for line in block:
        key, _, rest = line.partition(" ")
        if key == "ERROR":
            return [f"Cairn rejected a message dnspython reads: {rest}"]
        if key in ("HEADER", "EDNS"):
            got[key] = rest
        else:
            got[key].append(rest)
    problems = []
    for key in ("HEADER", "EDNS"):
        if got[key] != exp[key]:
            problems.append(f"{key}: cairn {got[key]!r} dnspython {exp[key]!r}")
    if got["OPTION"] != exp["OPTION"]:
        problems.append(f"OPTION: cairn {got['OPTION']} dnspython {exp['OPTION']}")
    questions = []
    for text in got["QUESTION"]:
        qname, qclass, qtype = text.split(" ")
        questions.append((name_labels(qname), dns.rdataclass.from_text(qclass),
                          T.from_text(qtype)))
    if questions != exp["QUESTION"]:
        problems.append(f"QUESTION: cairn {got['QUESTION']} dnspython {exp['QUESTION']}")
    for section in SECTION_NAMES:
        if len(got[section]) != len(exp[section]):
            problems.append(f"{section}: cairn has {len(got[section])} RRs, "
                            f"dnspython {len(exp[section])}")
            continue
        for text, (name, ttl, rclass, rtype, rd) in zip(got[section], exp[section]):
            stats["rrs"] += 1
            stats["types"].add(rtype)
            theirs = f"{name.to_text()} {ttl} {dns.rdataclass.to_text(rclass)} " \
                     f"{T.to_text(rtype)} {rd.to_text()}"
            if text == theirs:
                continue
            try:
                mine = normalise_rr(text)
                if rtype in (T.SVCB, T.HTTPS):
                    expected = (tuple(name.labels[:-1]), ttl, rclass, rtype, svcb_fields(rd))
                else:
                    expected = normalise_rr(theirs)
            except (ValueError, dns.exception.DNSException) as e:
                problems.append(f"{section}: cannot read Cairn's {text!r} ({e}); "
                                f"dnspython: {theirs!r}")
                continue
            if mine != expected:
                if mine[0] == expected[0] and mine[2:] == expected[2:] and mine[1] >= 2**31:
                    problems.append(f"{section}: TTL with the top bit set not read as 0 "
                                    f"(RFC 2181 §8): cairn {text!r}")
                else:
                    problems.append(f"{section}: cairn {text!r}\n      dnspython {theirs!r}")
                continue
            stats["variants"] += 1
            # A spelling that differs from dnspython's must still read back,
            # in dnspython, to the very same RDATA (case included); not where
            # dnspython 2.3 reads `\\DDD` above 127 as a code point (see
            # rdata_wire).
            rdata_text = text.split(" ", 4)[4]
            if rtype in (T.HINFO, T.NAPTR, T.CAA) and HIGH_ESCAPE.search(rdata_text):
                continue
            try:
                again = dns.rdata.from_text(rclass, rtype, rdata_text, dns.name.root,
                                            relativize=False)
                if again.to_wire() != rd.to_wire():
                    problems.append(f"{section}: dnspython reads Cairn's {text!r} as "
                                    f"{again.to_text()!r}")
            except dns.exception.DNSException as e:
                problems.append(f"{section}: dnspython cannot read Cairn's {text!r}: {e}")
    return problems


def run(mode: str, stdin: str) -> str:
    if not BINARY.exists():
        pytest.fail(f"{BINARY} not found: build it first (scripts/build.sh builds "
                    f"tests/tools into build/bin; CAIRN_BUILD_DIR selects another build dir)")
    proc = subprocess.run([str(BINARY), mode], input=stdin, capture_output=True, text=True,
                          timeout=120, errors="surrogateescape")
    assert proc.returncode == 0, f"wire_roundtrip {mode} failed: {proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def chunks() -> list[list[bytes]]:
    return in_parallel(generate_chunk, list(range((MESSAGES + CHUNK - 1) // CHUNK)))


def category(problem: str) -> str:
    """A short label grouping problems of one kind, for the summary."""
    words = problem.split()
    if len(words) > 3 and words[2] == "built":
        return " ".join(words[:2]) + " RR differs after building"
    if len(words) > 3 and words[1] == "cairn":
        return f"{words[0]} RR differs"
    return " ".join(problem.split(":")[:2])[:80]


def report(problems: list[tuple[int, str]], total: int, what: str) -> str:
    counts: dict[str, int] = {}
    examples: dict[str, str] = {}
    for index, text in problems:
        key = category(text)
        counts[key] = counts.get(key, 0) + 1
        examples.setdefault(key, f"message #{index}: {text}")
    lines = [f"{len(problems)} differences in {total} {what}, by kind:"]
    for key, n in sorted(counts.items(), key=lambda kv: -kv[1]):
        lines.append(f"  {n:6d}  {key}\n          e.g. {examples[key][:1500]}")
    return "\n".join(lines)


def compare_chunk(args) -> tuple[list[tuple[int, str]], dict]:
    first, wires, blocks = args
    stats = {"rrs": 0, "types": set(), "variants": 0}
    problems = []
    for index, (wire, block) in enumerate(zip(wires, blocks), first):
        for p in compare_message(wire, block, stats):
            problems.append((index, p + f"\n      wire {wire.hex()}"))
    return problems, stats


def test_cairn_reads_what_dnspython_writes(chunks):
    messages = [w for chunk in chunks for w in chunk]
    assert len(messages) >= MESSAGES
    blocks = parse_blocks(run("parse", "".join(w.hex() + "\n" for w in messages)))
    assert len(blocks) == len(messages)
    work = [(i, messages[i:i + CHUNK], blocks[i:i + CHUNK])
            for i in range(0, len(messages), CHUNK)]
    problems, rrs, variants, types = [], 0, 0, set()
    for chunk_problems, stats in in_parallel(compare_chunk, work):
        problems += chunk_problems
        rrs += stats["rrs"]
        variants += stats["variants"]
        types |= stats["types"]
    print(f"\ncompared {len(messages)} messages, {rrs} RRs of {len(types)} RR types "
          f"({variants} spelled differently from dnspython)")
    assert rrs > 50_000
    assert set(TYPED) <= types
    assert not problems, report(problems, len(messages), "messages")


def rdata_presentation(rd) -> str:
    """dnspython's text for `rd`, except SVCB/HTTPS alpn, which dnspython 2.3
    escapes twice (see svcb_fields): written here as RFC 9460 Appendix A
    says, value-list escapes (`\\,`, `\\\\`) inside a quoted char-string."""
    if rd.rdtype not in (T.SVCB, T.HTTPS) or 1 not in rd.params:
        return rd.to_text()
    items = [i.replace(b"\\", b"\\\\").replace(b",", b"\\,") for i in rd.params[1].ids]
    alpn = "alpn=" + q(b",".join(items))
    parts = [str(rd.priority), rd.target.to_text()]
    for key in sorted(rd.params):
        if int(key) == 1:
            parts.append(alpn)
        else:
            parts.append(dns.rdtypes.svcbbase.key_to_text(key) +
                         ("" if rd.params[key] is None else "=" + rd.params[key].to_text()))
    return " ".join(parts)


def build_block(m: dns.message.Message) -> str:
    lines = [f"MESSAGE id={m.id} flags=0x{m.flags:04x}"]
    for r in m.question:
        lines.append(f"QUESTION {r.name.to_text()} {dns.rdataclass.to_text(r.rdclass)} "
                     f"{T.to_text(r.rdtype)}")
    if m.edns >= 0:
        lines.append(f"EDNS udp={m.payload} ext_rcode={(m.ednsflags >> 24) & 0xFF} "
                     f"version={m.edns} do={1 if m.ednsflags & dns.flags.DO else 0} "
                     f"z=0x{m.ednsflags & 0x7FFF:04x}")
        for o in m.options:
            lines.append(f"OPTION {int(o.otype)} {o.to_wire().hex()}")
    for name, section in zip(SECTION_NAMES, (m.answer, m.authority, m.additional)):
        for rrset in section:
            for rd in rrset:
                lines.append(f"{name} {rrset.name.to_text()} {rrset.ttl} "
                             f"{dns.rdataclass.to_text(rrset.rdclass)} {T.to_text(rrset.rdtype)} "
                             f"{rdata_presentation(rd)}")
    lines.append("END")
    return "\n".join(lines) + "\n"


# Types whose RDATA names Cairn compresses: there a name may come back in the
# spelling of an earlier, equal name (compression ignores case, as dnspython's).
COMPRESSED = {T.NS, T.CNAME, T.SOA, T.MX, T.PTR, T.MINFO, T.MB, T.MG, T.MR, T.MD, T.MF}


def same_rr(a, b) -> bool:
    (an, at, ac, ay, ard), (bn, bt, bc, by, brd) = a, b
    if an != bn or at != bt or ac != bc or ay != by:
        return False
    if ay in COMPRESSED:
        return ard == brd  # dnspython compares names without case here
    return ard.to_wire() == brd.to_wire()


def build_blocks(wires: list[bytes]) -> str:
    return "".join(build_block(dns.message.from_wire(w, one_rr_per_rrset=True)) for w in wires)


def compare_built(args) -> tuple[list[tuple[int, str]], int]:
    first, wires, results = args
    problems = []
    rrs = 0
    for index, (wire, line) in enumerate(zip(wires, results), first):
        orig = dns.message.from_wire(wire, one_rr_per_rrset=True)
        if line.startswith("ERROR"):
            problems.append((index, f"Cairn could not build: {line}\n{build_block(orig)}"))
            continue
        try:
            built = dns.message.from_wire(bytes.fromhex(line), one_rr_per_rrset=True)
        except dns.exception.DNSException as e:
            problems.append((index, f"dnspython cannot read what Cairn built ({e}): {line}"))
            continue
        exp, got = expected_lines(orig), expected_lines(built)
        # Question names may come back in another case only through
        # compression (a second question equal to the first).
        for x in (exp, got):
            x["QUESTION"] = [(tuple(l.lower() for l in n), c, t) for n, c, t in x["QUESTION"]]
        for key in ("HEADER", "QUESTION", "EDNS", "OPTION"):
            if exp[key] != got[key]:
                problems.append((index, f"{key}: built {got[key]} expected {exp[key]}"))
        for section in SECTION_NAMES:
            if len(exp[section]) != len(got[section]):
                problems.append((index, f"{section}: built {len(got[section])} RRs, "
                                        f"expected {len(exp[section])}"))
                continue
            for a, b in zip(exp[section], got[section]):
                rrs += 1
                if not same_rr(a, b):
                    problems.append((index, f"{section} {T.to_text(a[3])}: built {b[0]} {b[1]} "
                                            f"{b[4].to_text()!r} expected {a[0]} {a[1]} "
                                            f"{a[4].to_text()!r}"))
    return problems, rrs


def test_dnspython_reads_what_cairn_builds(chunks):
    wires = [w for chunk in chunks for w in chunk][:BUILD_MESSAGES]
    pieces = [wires[i:i + CHUNK] for i in range(0, len(wires), CHUNK)]
    output = run("build", "".join(in_parallel(build_blocks, pieces)))
    results = output.splitlines()
    assert len(results) == len(wires)
    work = [(i, wires[i:i + CHUNK], results[i:i + CHUNK]) for i in range(0, len(wires), CHUNK)]
    problems, rrs = [], 0
    for chunk_problems, n in in_parallel(compare_built, work):
        problems += chunk_problems
        rrs += n
    print(f"\nbuilt {len(wires)} messages, {rrs} RRs")
    assert not problems, report(problems, len(wires), "built messages")
