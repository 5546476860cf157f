#!/usr/bin/python3
"""Writes the seed corpus of the fuzz targets (tests/fuzz/corpus/<target>/).

Run with Debian's /usr/bin/python3 (it has dnspython); the output is
deterministic, so re-running it changes nothing unless this file changed.
Files already in a corpus directory that this script did not write (inputs
a fuzzer found) are kept.
"""

import os
import sys

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

HERE = os.path.dirname(os.path.abspath(__file__))

ZONE_RECORDS = [
    ("A", "192.0.2.1"),
    ("AAAA", "2001:db8::1"),
    ("NS", "ns1.example.com."),
    ("CNAME", "target.Example.COM."),
    ("DNAME", "example.net."),
    ("SOA", "ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300"),
    ("MX", "10 mail.example.com."),
    ("TXT", '"v=spf1 -all" "second string" "with \\"quote\\" and \\\\ and \\010"'),
    ("PTR", "host.example.com."),
    ("SRV", "0 5 5060 sip.example.com."),
    ("NAPTR", '100 10 "S" "SIP+D2U" "!^.*$!sip:info@example.com!" _sip._udp.example.com.'),
    ("HINFO", '"Generic PC" "Linux"'),
    ("DS", "60485 8 2 D4B7D520E7BB5F0F67674A0CCEB1E3E0614B93C4F9E99B8383F6A1E4469DA50A"),
    ("CDS", "60485 13 2 E2D3C916F6DEEAC73294E8268FB5885044A833FC5459588F4A9184CFC41A5766"),
    ("DNSKEY", "257 3 8 AwEAAaz/tAm8yTn4Mfeh5eyI96WSVexTBAvkMgJzkKTOiW1vkIbzxeF3"
     "+/4RgWOq7HrxRixHlFlExOLAJr5emLvN7SWXgnLh4+B5xQlNVz8Og8kvArMtNROxVQuCaSnIDdD5"
     "LKyWbRd2n9WGe2R8PzgCmr3EgVLrjyBxWezF0jLHwVN8efS3rCj/EWgvIWgb9tarpVUDK/b58Da+"
     "sqqls3eNbuv7pr+eoZG+SrDK6nWeL3c6H5Apxz7LjVc1uTIdsIXxuOLYA4/ilBmSVIzuDWfdRUfh"
     "HdY6+cn8HFRm+2hM8AnXGXws9555KrUB5qihylGa8subX2Nn6UwNR1AkUTV74bU="),
    ("CDNSKEY", "257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+"
     "KkxLbxILfDLUT0rAK9iUzy1L53eKGQ=="),
    ("RRSIG", "A 8 3 300 20240201000000 20240101000000 12345 example.com. "
     "c2lnbmF0dXJlIGJ5dGVzIGdvIGhlcmUgYW5kIGhlcmUgdG9vIHNvbWUgbW9yZQ=="),
    ("NSEC", "z.example.com. A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY TYPE1234 CAA"),
    ("NSEC3", "1 1 10 AABBCCDD 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR A RRSIG"),
    ("NSEC3", "1 0 0 - 2T7B4G4VSA5SMI47K61MV5BV1A22BOJR NS SOA RRSIG DNSKEY NSEC3PARAM"),
    ("NSEC3PARAM", "1 0 0 -"),
    ("NSEC3PARAM", "1 0 5 CAFEBABE"),
    ("CAA", '0 issue "letsencrypt.org"'),
    ("CAA", '128 iodef "mailto:security@example.com"'),
    ("TLSA", "3 1 1 0C72AC70B745AC19998811B131D662C9AC69DBDBE7CB23E5B514B56664C5D3D6"),
    ("SSHFP", "4 2 123456789ABCDEF67890123456789ABCDEF67890123456789ABCDEF123456789"),
    ("SVCB", '1 svc.example.com. alpn="h2,h3" port=8443 ipv4hint=192.0.2.1,192.0.2.2 '
     'ipv6hint=2001:db8::1 key65333="ex"'),
    ("HTTPS", "0 target.example.com."),
    ("HTTPS", '1 . alpn=h2 no-default-alpn mandatory=alpn ech=AEX+DQBBpQAgACD...'),
    ("ZONEMD", "2024010101 1 1 " + "AB" * 48),
    ("TYPE65280", "\\# 4 DEADBEEF"),
    ("TYPE1234", "\\# 0"),
]


def rrset(owner, rtype, text, ttl=300):
    return dns.rrset.from_text(owner, ttl, "IN", rtype, *text.split("\n"))


def valid_records():
    """The ZONE_RECORDS that this dnspython can build (ech needs valid base64)."""
    out = []
    for rtype, text in ZONE_RECORDS:
        try:
            rrset("x.example.com.", rtype, text)
        except Exception:  # noqa: BLE001 - a seed we cannot build is skipped
            continue
        out.append((rtype, text))
    return out


def query(qname, qtype, edns_options=None, want_dnssec=False, payload=1232, case=None):
    q = dns.message.make_query(qname, qtype, use_edns=edns_options is not None or want_dnssec,
                               want_dnssec=want_dnssec, payload=payload,
                               options=edns_options or [])
    q.id = 0x1234
    return q


def response(qname, qtype, answers=(), authority=(), additional=(), rcode=0, edns=True,
             options=()):
    q = dns.message.make_query(qname, qtype, use_edns=edns)
    q.id = 0xbeef
    r = dns.message.make_response(q)
    if edns:
        r.use_edns(0, 0, 1232, options=list(options))
    r.flags |= dns.flags.AA | dns.flags.RA
    r.set_rcode(rcode)
    for rr in answers:
        r.answer.append(rr)
    for rr in authority:
        r.authority.append(rr)
    for rr in additional:
        r.additional.append(rr)
    return r


def cookie(client, server=b""):
    return dns.edns.GenericOption(10, client + server)


def messages():
    """(name, wire) pairs."""
    out = []
    ecs4 = dns.edns.ECSOption("192.0.2.0", 24)
    ecs6 = dns.edns.ECSOption("2001:db8::", 56, 48)
    ede = dns.edns.EDEOption(dns.edns.EDECode.STALE_ANSWER, "served stale")
    pad = dns.edns.GenericOption(12, b"\x00" * 37)
    keepalive = dns.edns.GenericOption(11, b"\x00\x96")
    keepalive_empty = dns.edns.GenericOption(11, b"")
    nsid = dns.edns.GenericOption(3, b"ns1.lab")
    unknown = dns.edns.GenericOption(65001, b"\x01\x02\x03")

    out.append(("query_plain", query("www.example.com.", "A").to_wire(max_size=65535)))
    out.append(("query_0x20", query("wWw.ExAmPlE.cOm.", "AAAA").to_wire(max_size=65535)))
    out.append(("query_do_cookie", query("example.com.", "DNSKEY", want_dnssec=True,
                                         edns_options=[cookie(b"\x01" * 8)]).to_wire(max_size=65535)))
    out.append(("query_ecs_pad", query("example.org.", "TXT",
                                       edns_options=[ecs4, pad, keepalive_empty]).to_wire(max_size=65535)))
    out.append(("query_ecs6_nsid", query("ipv6.example.", "AAAA",
                                         edns_options=[ecs6, nsid]).to_wire(max_size=65535)))
    out.append(("query_root_ns", query(".", "NS").to_wire(max_size=65535)))
    out.append(("query_escapes", query("a\\.b.\\000\\255x.ex\\\\ample.", "TXT").to_wire(max_size=65535)))
    long_label = "a" * 63
    long_name = ".".join([long_label] * 3) + "." + "b" * 61 + "."
    out.append(("query_long_name", query(long_name, "A").to_wire(max_size=65535)))
    out.append(("query_type_any", query("example.com.", "ANY").to_wire(max_size=65535)))
    out.append(("query_unknown_type", query("example.com.", "TYPE65280").to_wire(max_size=65535)))

    www = "www.example.com."
    typical = response(
        www, "A",
        answers=[rrset(www, "CNAME", "web.example.com."),
                 rrset("web.example.com.", "A", "192.0.2.10\n192.0.2.11")],
        authority=[rrset("example.com.", "NS", "ns1.example.com.\nns2.example.com.", 86400)],
        additional=[rrset("ns1.example.com.", "A", "192.0.2.53"),
                    rrset("ns2.example.com.", "AAAA", "2001:db8::53")],
        options=[cookie(b"\x02" * 8, b"\x03" * 16)])
    out.append(("response_typical", typical.to_wire(max_size=65535)))

    nx = response("nope.example.com.", "A", rcode=dns.rcode.NXDOMAIN,
                  authority=[rrset("example.com.", "SOA", ZONE_RECORDS[5][1], 300)],
                  options=[ede])
    out.append(("response_nxdomain_ede", nx.to_wire(max_size=65535)))
    badcookie = response("example.com.", "A", rcode=dns.rcode.BADCOOKIE,
                         options=[cookie(b"\x04" * 8, b"\x05" * 32)])
    out.append(("response_badcookie", badcookie.to_wire(max_size=65535)))
    servfail = response("example.com.", "A", rcode=dns.rcode.SERVFAIL,
                        options=[dns.edns.EDEOption(dns.edns.EDECode.DNSSEC_BOGUS),
                                 dns.edns.EDEOption(dns.edns.EDECode.NO_REACHABLE_AUTHORITY,
                                                    "192.0.2.1:53 timed out"),
                                 keepalive, unknown, pad])
    out.append(("response_servfail_many_options", servfail.to_wire(max_size=65535)))
    noedns = response("example.com.", "MX", edns=False,
                      answers=[rrset("example.com.", "MX", "10 mx1.example.com.\n20 mx2.Example.com.")])
    out.append(("response_no_edns", noedns.to_wire(max_size=65535)))

    # One response per RR type, owner sharing a suffix with the question so
    # compression pointers appear in owners and in RDATA names.
    for i, (rtype, text) in enumerate(valid_records()):
        owner = "rr%d.example.com." % i
        r = response(owner, rtype, answers=[rrset(owner, rtype, text, 3600 + i)],
                     options=[ecs4] if i % 3 == 0 else [])
        out.append(("type_%s_%d" % (rtype.lower(), i), r.to_wire(max_size=65535)))

    # Everything in one (DNSSEC-signed-like) message.
    big = response("all.example.com.", "ANY",
                   answers=[rrset("all.example.com.", t, x) for t, x in valid_records()],
                   authority=[rrset("example.com.", "NS", "ns1.example.com.")],
                   additional=[rrset("ns1.example.com.", "A", "192.0.2.53")],
                   options=[cookie(b"\x06" * 8, b"\x07" * 8), ede])
    big.flags |= dns.flags.AD | dns.flags.CD
    out.append(("response_all_types", big.to_wire(max_size=65535)))

    notify = dns.message.make_query("example.com.", "SOA")
    notify.set_opcode(dns.opcode.NOTIFY)
    notify.flags |= dns.flags.AA
    out.append(("notify", notify.to_wire(max_size=65535)))
    update = dns.message.make_query("example.com.", "SOA")
    update.set_opcode(dns.opcode.UPDATE)
    out.append(("update_opcode", update.to_wire(max_size=65535)))
    return out


NAME_SEEDS = [
    "www.example.com.", "www", "@", ".", "Mixed.CASE.Example.", "a\\.b.example.",
    "\\000\\255\\032.x.", "\\\\.backslash.", "*.wild.example.", "xn--bcher-kva.example.",
    "a" * 63 + ".", "a" * 64 + ".", "a..b.", "trailing\\", "\\1", "\\256.", "\"quoted\".",
    ".".join(["b" * 63] * 3) + "." + "c" * 61 + ".", "_sip._tcp", "semi\\;colon.",
]

# The first byte picks the type in fuzz_rdata_text (index into its kTypes).
RDATA_TYPES = ["A", "NS", "CNAME", "SOA", "PTR", "HINFO", "MINFO", "MX", "TXT", "RP",
               "AFSDB", "RT", "AAAA", "SRV", "NAPTR", "KX", "DNAME", "DS", "SSHFP", "RRSIG",
               "NSEC", "DNSKEY", "NSEC3", "NSEC3PARAM", "TLSA", "SMIMEA", "CDS", "CDNSKEY",
               "ZONEMD", "SVCB", "HTTPS", "SPF", "CAA", "DLV", "MB", "NULL", "TYPE65280",
               "TYPE1234"]

EXTRA_RDATA = [
    ("A", "0.0.0.0"), ("AAAA", "::ffff:192.0.2.1"), ("AAAA", "::"), ("TXT", "unquoted"),
    ("TXT", '""'), ("MX", "0 ."), ("NS", "relative"), ("MINFO", "rm.example. em.example."),
    ("RP", "mbox.example. txt.example."), ("AFSDB", "1 afs.example."), ("RT", "10 rt.example."),
    ("KX", "10 kx.example."), ("SMIMEA", "3 0 0 ABCDEF"), ("DLV", "1 5 1 ABCDEF0123"),
    ("MB", "mb.example."), ("NULL", "\\# 3 010203"), ("SPF", '"v=spf1 ~all"'),
    ("SOA", "@ hostmaster ( 1 2 3 4 5 )"), ("NSEC", ". NSEC"), ("A", "\\# 4 C0000201"),
    ("HTTPS", '1 . alpn="h2,h3\\\\,x" ipv4hint=192.0.2.1'),
]


def reply_chunk(message, mode=3):
    """One reply of fuzz_resolver's input: mode, 2-byte length, the message."""
    wire = message if isinstance(message, bytes) else message.to_wire()
    return bytes([mode]) + len(wire).to_bytes(2, "big") + wire


def referral(zone, ns, glue):
    r = response(zone, "NS", authority=[rrset(zone, "NS", ns)],
                 additional=[rrset(ns, "A", glue)])
    r.flags &= ~dns.flags.AA
    return r


def resolver_seeds():
    """(name, input) pairs: question byte, options byte, then replies.
    Question 0x00 is www.example. A; options bit 0 QNAME minimisation, bit 1
    DNSSEC, bit 3 ask twice (see fuzz_resolver.cc)."""
    root_ns = response(".", "NS", answers=[rrset(".", "NS", "a.root-servers.net.")],
                       additional=[rrset("a.root-servers.net.", "A", "198.41.0.4")])
    to_example = referral("example.", "ns1.example.", "192.0.2.53")
    answer = response("www.example.", "A", answers=[rrset("www.example.", "A", "192.0.2.1")])
    cname = response("www.example.", "A", answers=[
        rrset("www.example.", "CNAME", "alias.example."),
        rrset("alias.example.", "A", "192.0.2.2")])
    soa = rrset("example.", "SOA", "ns1.example. admin.example. 1 7200 900 1209600 60")
    nxdomain = response("www.example.", "A", authority=[soa], rcode=dns.rcode.NXDOMAIN)
    nodata = response("www.example.", "A", authority=[soa])
    dnskey = response(".", "DNSKEY", answers=[rrset(".", "DNSKEY", dict(ZONE_RECORDS)["DNSKEY"])])
    timeout = bytes([1, 0, 0])
    # The resolver primes first (". NS"), then walks down.
    priming = reply_chunk(root_ns)
    seeds = {
        "referral_answer": bytes([0x00, 0x00]) + priming + reply_chunk(to_example) +
        reply_chunk(answer),
        "minimised_twice": bytes([0x00, 0x09]) + priming + reply_chunk(to_example) +
        reply_chunk(answer),
        "cname": bytes([0x00, 0x01]) + priming + reply_chunk(to_example) + reply_chunk(cname) +
        reply_chunk(answer),
        "nxdomain": bytes([0x00, 0x00]) + priming + reply_chunk(to_example) +
        reply_chunk(nxdomain),
        "nodata_twice": bytes([0x00, 0x08 | 0xe0]) + priming + reply_chunk(to_example) +
        reply_chunk(nodata),
        "timeouts_then_answer": bytes([0x00, 0x00]) + priming + timeout * 3 +
        reply_chunk(to_example) + reply_chunk(answer, 3 | 0x40),
        "malformed_then_tcp": bytes([0x00, 0x00]) + priming +
        reply_chunk(answer.to_wire()[:20], 0) + reply_chunk(to_example, 3 | 4) +
        reply_chunk(answer, 3 | 4),
        "as_sent": bytes([0x00, 0x00]) + priming + reply_chunk(to_example, 0) +
        reply_chunk(answer, 0),
        "dnssec": bytes([0x80, 0x1a]) + priming + reply_chunk(dnskey) + reply_chunk(to_example) +
        reply_chunk(answer),
    }
    return sorted(seeds.items())


def tcp_stream(*frames):
    return b"".join(len(f).to_bytes(2, "big") + f for f in frames)


def tcp_seeds():
    """(name, input) pairs: what one client writes on a TCP connection. The
    third byte of each query tells fuzz_tcp_framing's handler what to do
    (0 answer at once, 1 later, 2 drop, 3 promise and abandon)."""
    q = query("www.example.com.", "A").to_wire()

    def with_mode(mode, qid=0x1234):
        return qid.to_bytes(2, "big") + bytes([(q[2] & ~3) | mode]) + q[3:]

    modes = [with_mode(m, 0x100 + m) for m in range(4)]
    return [
        ("one_query", tcp_stream(q)),
        ("four_modes", tcp_stream(*modes)),
        ("deferred_beyond_pipelining", tcp_stream(*[with_mode(1, i) for i in range(70)])),
        ("length_below_header", tcp_stream(q) + b"\x00\x05" + q[:5]),
        ("last_frame_cut", tcp_stream(q) + tcp_stream(q)[:-3]),
        ("lone_length_byte", tcp_stream(q) + b"\x00"),
        ("header_only", tcp_stream(q[:12])),
    ]


def doq_seeds():
    """(name, input) pairs for fuzz_doq_framing: the first byte is the size of
    the pieces the stream arrives in, the rest one DoQ stream (RFC 9250 §4.2)."""
    q = query("www.example.com.", "A").to_wire()
    q = b"\x00\x00" + q[2:]  # DoQ queries have message ID 0
    keepalive = query("a.example.", "A", edns_options=[dns.edns.GenericOption(11, b"")]).to_wire()
    return [
        ("query_in_one_piece", b"\xff" + tcp_stream(q)),
        ("query_byte_by_byte", b"\x01" + tcp_stream(q)),
        ("two_queries", b"\x07" + tcp_stream(q, q)),
        ("nonzero_id", b"\x05" + tcp_stream(b"\x00\x07" + q[2:])),
        ("keepalive", b"\x03" + tcp_stream(b"\x00\x00" + keepalive[2:])),
        ("cut_short", b"\x02" + tcp_stream(q)[:-3]),
    ]


def write_dir(target, files):
    path = os.path.join(HERE, "corpus", target)
    os.makedirs(path, exist_ok=True)
    for name, data in files:
        with open(os.path.join(path, name), "wb") as f:
            f.write(data)


def main():
    msgs = messages()
    write_dir("fuzz_message_parse", msgs)
    write_dir("fuzz_roundtrip", msgs)
    write_dir("fuzz_name_text", [("name_%02d" % i, s.encode("latin-1"))
                                 for i, s in enumerate(NAME_SEEDS)])
    rdata = []
    for i, (rtype, text) in enumerate(valid_records() + EXTRA_RDATA):
        index = RDATA_TYPES.index(rtype)
        rdata.append(("rdata_%02d_%s" % (i, rtype.lower()), bytes([index]) + text.encode()))
    write_dir("fuzz_rdata_text", rdata)
    write_dir("fuzz_resolver", resolver_seeds())
    write_dir("fuzz_tcp_framing", tcp_seeds())
    write_dir("fuzz_doq_framing", doq_seeds())
    total = sum(len(d) for _, d in msgs) * 2 + sum(len(d) for _, d in rdata)
    print("wrote %d messages, %d rdata seeds, %d name seeds (%d bytes)"
          % (len(msgs), len(rdata), len(NAME_SEEDS), total), file=sys.stderr)


if __name__ == "__main__":
    main()
