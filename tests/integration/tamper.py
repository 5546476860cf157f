"""DNSSEC broken on purpose: the `breakage` of a zone's `Signing`.

A zone with a breakage is signed normally (ldns-signzone) and then made wrong
in exactly one way, either in its signed zone file or in the DS its parent
publishes. The mini-internet calls the three hooks in this order:

    ds = ds_records(zone, keys, signing)       # what the parent carries
    before_signing(zonefile, zone, keys)       # edits the unsigned zone file
    sign_zone(...)
    after_signing(signed_zonefile, zone, keys) # edits the signed zone file

| breakage | what is wrong | a validator concludes |
|---|---|---|
| `badsig` | the signature bytes of the RRSIG over `www A` are flipped | `www A` bogus (EDE 6) |
| `nokey` | the DS names a key that is not in the zone (a key made up and thrown away) | zone bogus (EDE 9) |
| `nodnskeysig` | KSK + ZSK, the DNSKEY RRset signed by both (`dnskey_by_all_keys`), then the KSK's RRSIG removed: no signature by the key the DS names | zone bogus (EDE 10) |
| `nonsec` | every NSEC and every RRSIG over an NSEC is removed | negative answers bogus (EDE 12) |
| `keytrap` | KeyTrap (CVE-2023-50387): 100 extra DNSKEYs share the ZSK's key tag, and `www A` / `*.trap A` carry 50 RRSIGs with that tag and garbage signatures (the real one removed) | those RRsets bogus, after bounded work |
| `unsupalg` | the only DS has algorithm 253 (unsupported) | zone insecure |
| `unsupdigest` | the only DS has digest type 3 (GOST, unsupported) | zone insecure |

Expired and not-yet-valid signatures need no breakage: `Signing(inception=,
lifetime=)` puts the validity period where you want it.

Signed zone files are one record per line, as ldns-signzone writes them:
`owner<TAB>ttl<TAB>IN<TAB>type<TAB>rdata`, names absolute.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

from signing import ZoneKeys, ds_rdata, read_dnskey

BREAKAGES = ("badsig", "nokey", "nodnskeysig", "nonsec", "keytrap", "unsupalg", "unsupdigest")

KEYTRAP_EXTRA_KEYS = 100     # DNSKEYs sharing the ZSK's key tag (besides the ZSK)
KEYTRAP_EXTRA_SIGS = 50      # garbage RRSIGs with that tag on each trapped RRset
KEYTRAP_OWNERS = ("www", "*.trap")

UNSUPPORTED_ALGORITHM = 253  # PRIVATEDNS: no validator can use it without more context
UNSUPPORTED_DIGEST = 3       # GOST R 34.11-94: not in OpenSSL 3, not implemented by Cairn


# ---------------------------------------------------------------------------
# Hooks
# ---------------------------------------------------------------------------

def ds_records(zone: str, keys: ZoneKeys, signing) -> list[str]:
    """DS rdata (text) the parent publishes for `zone`."""
    breakage = signing.breakage
    real = ds_rdata(zone, keys, signing.ds_digests)
    if breakage == "nokey":
        stranger = random_dnskey(keys.ksk_dnskey.algorithm, flags=257,
                                 size=len(keys.ksk_dnskey.key))
        return [dns.dnssec.make_ds(dns.name.from_text(zone), stranger, d).to_text()
                for d in signing.ds_digests]
    if breakage == "unsupalg":
        out = []
        for text in real:
            tag, _alg, digest_type, digest = text.split(None, 3)
            out.append(f"{tag} {UNSUPPORTED_ALGORITHM} {digest_type} {digest}")
        return out
    if breakage == "unsupdigest":
        tag = dns.dnssec.key_id(keys.ksk_dnskey)
        # a GOST digest is 32 bytes; this one is SHA-256 of the key: a
        # validator that cannot compute GOST never finds out it is wrong
        digest = hashlib.sha256(keys.ksk_dnskey.to_digestable()).hexdigest()
        return [f"{tag} {int(keys.ksk_dnskey.algorithm)} {UNSUPPORTED_DIGEST} {digest}"]
    return real


def before_signing(zonefile: str, zone: str, keys: ZoneKeys, signing) -> None:
    if signing.breakage == "keytrap":
        zsk = read_dnskey(keys.zsk or keys.ksk)
        extra = colliding_dnskeys(zsk, KEYTRAP_EXTRA_KEYS)
        with open(zonefile, "a") as f:
            # The real keys too: ldns-signzone adds a signing key's DNSKEY
            # only if no DNSKEY with its key tag is in the zone already.
            for key in [read_dnskey(b) for b in keys.basenames()] + extra:
                f.write(f"{zone}\tIN\tDNSKEY\t{key.to_text()}\n")


def after_signing(signed_zonefile: str, zone: str, keys: ZoneKeys, signing) -> None:
    breakage = signing.breakage
    if breakage not in ("badsig", "nodnskeysig", "nonsec", "keytrap"):
        return
    with open(signed_zonefile) as f:
        records = [_split(line) for line in f if line.strip() and not line.startswith(";")]
    if breakage == "badsig":
        records = _corrupt_signature(records, f"www.{zone}", "A")
    elif breakage == "nodnskeysig":
        records = _drop_ksk_dnskey_signature(records, zone, keys)
    elif breakage == "nonsec":
        records = [r for r in records if r[3] != "NSEC" and not _is_rrsig_over(r, None, "NSEC")]
    elif breakage == "keytrap":
        zsk = read_dnskey(keys.zsk or keys.ksk)
        for owner in KEYTRAP_OWNERS:
            records = _trap(records, f"{owner}.{zone}", "A", zsk)
    with open(signed_zonefile + ".tmp", "w") as f:
        f.writelines("\t".join(r) + "\n" for r in records)
    os.replace(signed_zonefile + ".tmp", signed_zonefile)


# ---------------------------------------------------------------------------
# Zone-file lines
# ---------------------------------------------------------------------------

def _split(line: str) -> list[str]:
    owner, ttl, klass, rtype, rdata = line.rstrip("\n").split("\t", 4)
    if rtype == "DNSKEY":
        rdata = rdata.split(";", 1)[0]         # ldns adds ";{id = ...}" (base64 has no ";")
    rdata = rdata.strip()
    return [owner, ttl, klass, rtype, rdata]


def _is_rrsig_over(record: list[str], owner: str | None, covered: str) -> bool:
    return (record[3] == "RRSIG" and record[4].split(None, 1)[0] == covered
            and (owner is None or record[0].lower() == owner.lower()))


def _corrupt_signature(records: list[list[str]], owner: str, covered: str) -> list[list[str]]:
    found = False
    out = []
    for r in records:
        if _is_rrsig_over(r, owner, covered):
            fields = r[4].split()
            sig = bytearray(base64.b64decode("".join(fields[8:])))
            for i in range(0, len(sig), 7):           # flip bytes all through r and s
                sig[i] ^= 0x5A
            r = r[:4] + [" ".join(fields[:8] + [base64.b64encode(bytes(sig)).decode()])]
            found = True
        out.append(r)
    if not found:
        raise ValueError(f"no RRSIG over {owner} {covered} to corrupt")
    return out


def _drop_ksk_dnskey_signature(records: list[list[str]], zone: str, keys: ZoneKeys) -> list[list[str]]:
    """Remove the RRSIG over the DNSKEY RRset made by the KSK (the key the DS
    names), keep the ZSK's.

    Removing every RRSIG over DNSKEY is not possible with NSD: it serves a
    zone as signed (RRSIGs in answers, NSEC in denials) only if the apex has
    an RRSIG covering DNSKEY. The ZSK's is a valid signature by a key that
    nothing vouches for, so for a validator the DNSKEY RRset has no RRSIG
    it can use: missing."""
    if not keys.zsk:
        raise ValueError(f"{zone}: nodnskeysig needs split keys (KSK + ZSK)")
    ksk_tag = str(dns.dnssec.key_id(keys.ksk_dnskey))
    out = [r for r in records if not (_is_rrsig_over(r, zone, "DNSKEY") and r[4].split()[6] == ksk_tag)]
    left = [r for r in out if _is_rrsig_over(r, zone, "DNSKEY")]
    if len(out) == len(records) or not left:
        raise ValueError(f"{zone}: expected RRSIGs over DNSKEY by the KSK and by the ZSK")
    return out


def _trap(records: list[list[str]], owner: str, covered: str, zsk) -> list[list[str]]:
    """Replace the real RRSIG over owner/covered by KEYTRAP_EXTRA_SIGS garbage
    RRSIGs with the ZSK's key tag (same validity period, labels, TTL)."""
    real = [r for r in records if _is_rrsig_over(r, owner, covered)]
    if not real:
        raise ValueError(f"no RRSIG over {owner} {covered} to replace")
    fields = real[0][4].split()
    tag = dns.dnssec.key_id(zsk)
    out = [r for r in records if not _is_rrsig_over(r, owner, covered)]
    for _ in range(KEYTRAP_EXTRA_SIGS):
        sig = garbage_signature(int(zsk.algorithm), len(zsk.key))
        rdata = " ".join(fields[:6] + [str(tag), fields[7], base64.b64encode(sig).decode()])
        out.append([real[0][0], real[0][1], "IN", "RRSIG", rdata])
    return out


# ---------------------------------------------------------------------------
# Keys and signatures
# ---------------------------------------------------------------------------

ED25519_P = 2 ** 255 - 19
ED25519_D = -121665 * pow(121666, -1, ED25519_P) % ED25519_P
ED25519_L = 2 ** 252 + 27742317777372353535851937790883648493


def ed25519_point_decodes(key: bytes) -> bool:
    """RFC 8032 §5.1.3: does this 32-byte string decode to a curve point?"""
    y = int.from_bytes(key, "little")
    sign = y >> 255
    y &= (1 << 255) - 1
    if y >= ED25519_P:
        return False
    u = (y * y - 1) % ED25519_P
    v = (ED25519_D * y * y + 1) % ED25519_P
    x2 = u * pow(v, -1, ED25519_P) % ED25519_P
    if x2 == 0:
        return sign == 0
    return pow(x2, (ED25519_P - 1) // 2, ED25519_P) == 1


def random_dnskey(algorithm: int, flags: int = 256, size: int = 64) -> dns.rdata.Rdata:
    """A DNSKEY with random key material (nobody holds its private key)."""
    wire = struct.pack("!HBB", flags, 3, int(algorithm)) + os.urandom(size)
    return dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY, wire, 0, len(wire))


def colliding_dnskeys(target: dns.rdata.Rdata, count: int) -> list[dns.rdata.Rdata]:
    """`count` distinct DNSKEYs with target's flags, algorithm and key tag
    (RFC 4034 App. B): random key material whose last two bytes are solved
    for the tag. For Ed25519 only keys that decode to a curve point are kept,
    so a validator really runs each verification instead of rejecting the
    key on sight. Every key sorts after the target in canonical order (and
    so in the signed zone and on the wire): a validator that tries keys in
    order finds the real one first, so what the real key signs (NSEC, SOA)
    still validates and only the trapped RRsets are bogus."""
    tag = dns.dnssec.key_id(target)
    alg = int(target.algorithm)
    size = len(target.key)
    head = struct.pack("!HBB", target.flags, target.protocol, alg)
    out: list[dns.rdata.Rdata] = []
    seen = {target.key}
    while len(out) < count:
        material = bytearray(os.urandom(size))
        material[0] = 0xFF       # sort after the target (canonical order), see below
        wire = bytearray(head) + material
        # key tag: 16-bit words (even offset = high byte), folded carry
        partial = sum(b << 8 if i % 2 == 0 else b for i, b in enumerate(wire[:-2]))
        base = (tag - (partial & 0xFFFF) - (partial >> 16)) % 0x10000
        word = None
        for candidate in (base, (base - 1) % 0x10000, (base + 1) % 0x10000):
            wire[-2:] = _word_bytes(candidate, len(wire))
            if _key_tag(bytes(wire)) == tag:
                word = candidate
                break
        if word is None:
            continue
        key = bytes(wire[4:])
        if alg == 15 and not ed25519_point_decodes(key):
            continue
        if key in seen or key <= target.key:
            continue
        seen.add(key)
        out.append(dns.rdata.from_wire(dns.rdataclass.IN, dns.rdatatype.DNSKEY,
                                       bytes(wire), 0, len(wire)))
    return out


def _word_bytes(word: int, length: int) -> bytes:
    """The last two bytes of a `length`-byte rdata that add `word` to the key tag sum."""
    if length % 2 == 0:          # [-2] is at an even offset (high byte), [-1] low
        return bytes([word >> 8, word & 0xFF])
    return bytes([word & 0xFF, word >> 8])   # [-2] odd (low), [-1] even (high)


def _key_tag(wire: bytes) -> int:
    ac = sum(b << 8 if i % 2 == 0 else b for i, b in enumerate(wire))
    return (ac + (ac >> 16)) & 0xFFFF


def garbage_signature(algorithm: int, key_size: int) -> bytes:
    """Random bytes of the right length for the algorithm, well-formed enough
    that a verifier does the whole computation before it says no (Ed25519:
    S below the group order)."""
    if algorithm == 15:
        r = os.urandom(32)
        s = int.from_bytes(os.urandom(32), "little") % ED25519_L
        return r + s.to_bytes(32, "little")
    if algorithm == 16:
        return os.urandom(114)
    if algorithm in (13, 14):
        return os.urandom(64 if algorithm == 13 else 96)
    return os.urandom(key_size - 4)      # RSA: about the modulus length
