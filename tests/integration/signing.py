"""DNSSEC keys and signatures for test zones, made at fixture time with ldnsutils.

Keys are generated fresh for every run (small sizes: this is about protocol
behaviour, not strength), zones are signed with ldns-signzone, and DS records
are computed here with dnspython so the parent can carry them before it is
signed itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass

import dns.dnssec
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype

LDNS_KEYGEN = shutil.which("ldns-keygen") or "/usr/bin/ldns-keygen"
LDNS_SIGNZONE = shutil.which("ldns-signzone") or "/usr/bin/ldns-signzone"

# mnemonic -> (number, KSK bits, ZSK bits). RSA sizes are modest on purpose:
# key generation is on the fixture's critical path (RSA-2048 takes ~0.2-0.4 s).
ALGORITHMS = {
    "RSASHA1": (5, 1024, 1024),
    "RSASHA1-NSEC3-SHA1": (7, 1024, 1024),
    "RSASHA256": (8, 1024, 1024),
    "RSASHA512": (10, 1024, 1024),
    "ECDSAP256SHA256": (13, 256, 256),
    "ECDSAP384SHA384": (14, 384, 384),
    "ED25519": (15, 256, 256),
    "ED448": (16, 456, 456),
}


@dataclass
class Signing:
    """How to sign one zone. Defaults: ECDSA P-256, KSK + ZSK, NSEC."""
    algorithm: str = "ECDSAP256SHA256"
    nsec3: bool = False
    iterations: int = 0
    salt: str = ""                 # hex; "" = no salt (RFC 9276)
    optout: bool = False
    split_keys: bool = True        # False: one combined signing key (CSK) signs everything
    ksk_bits: int | None = None
    zsk_bits: int | None = None
    inception: int = -3600         # seconds relative to signing time
    lifetime: int = 30 * 86400     # seconds after signing time until expiration
    ds_digests: tuple[str, ...] = ("SHA256",)
    dnskey_by_all_keys: bool = False   # the DNSKEY RRset signed by every key, not only the KSK
    breakage: str = ""             # DNSSEC broken on purpose: one of tamper.BREAKAGES

    def __post_init__(self):
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unknown algorithm {self.algorithm}; choose from {sorted(ALGORITHMS)}")
        from tamper import BREAKAGES
        if self.breakage and self.breakage not in BREAKAGES:
            raise ValueError(f"unknown breakage {self.breakage}; choose from {BREAKAGES}")


@dataclass
class ZoneKeys:
    zone: str
    ksk: str                 # key file base name (path without .key/.private)
    zsk: str | None
    ksk_dnskey: dns.rdata.Rdata

    def basenames(self) -> list[str]:
        return [self.ksk] + ([self.zsk] if self.zsk else [])


def _keygen(zone: str, algorithm: str, bits: int, ksk: bool, keydir: str) -> str:
    cmd = [LDNS_KEYGEN, "-a", algorithm, "-b", str(bits), "-r", "/dev/urandom"]
    if ksk:
        cmd.append("-k")
    out = subprocess.run(cmd + [zone], cwd=keydir, check=True, capture_output=True, text=True)
    return os.path.join(keydir, out.stdout.strip())


def read_dnskey(basename: str) -> dns.rdata.Rdata:
    with open(basename + ".key") as f:
        for line in f:
            tokens = line.split()
            if "DNSKEY" in tokens:
                rdata = " ".join(tokens[tokens.index("DNSKEY") + 1:])
                return dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.DNSKEY, rdata)
    raise ValueError(f"no DNSKEY in {basename}.key")


def generate_keys(zone: str, signing: Signing, keydir: str) -> ZoneKeys:
    os.makedirs(keydir, exist_ok=True)
    _, ksk_bits, zsk_bits = ALGORITHMS[signing.algorithm]
    ksk = _keygen(zone, signing.algorithm, signing.ksk_bits or ksk_bits, True, keydir)
    zsk = None
    if signing.split_keys:
        zsk = _keygen(zone, signing.algorithm, signing.zsk_bits or zsk_bits, False, keydir)
    return ZoneKeys(zone, ksk, zsk, read_dnskey(ksk))


def ds_rdata(zone: str, keys: ZoneKeys, digests: tuple[str, ...]) -> list[str]:
    name = dns.name.from_text(zone)
    return [dns.dnssec.make_ds(name, keys.ksk_dnskey, d).to_text() for d in digests]


def sign_zone(zonefile: str, zone: str, keys: ZoneKeys, signing: Signing,
              now: int | None = None) -> str:
    """Sign zonefile; returns the path of the signed zone file."""
    now = int(time.time()) if now is None else now
    out = zonefile + ".signed"
    cmd = [LDNS_SIGNZONE, "-o", zone, "-f", out,
           "-i", str(now + signing.inception), "-e", str(now + signing.lifetime)]
    if signing.dnskey_by_all_keys:
        cmd.append("-A")
    if signing.nsec3:
        cmd += ["-n", "-a", "1", "-t", str(signing.iterations)]
        if signing.salt:
            cmd += ["-s", signing.salt]
        if signing.optout:
            cmd.append("-p")
    subprocess.run(cmd + [zonefile] + keys.basenames(), check=True, capture_output=True, text=True)
    return out


def write_trust_anchors(root_keys: ZoneKeys, directory: str,
                        digests: tuple[str, ...] = ("SHA256",)) -> tuple[str, str]:
    """Root KSK as DS and as DNSKEY, each in zone-file syntax; returns both
    paths. Also writes `root-anchor.bind` (see write_bind_trust_anchor)."""
    ds_path = os.path.join(directory, "root-anchor.ds")
    key_path = os.path.join(directory, "root-anchor.dnskey")
    with open(ds_path, "w") as f:
        for d in ds_rdata(".", root_keys, digests):
            f.write(f".\t3600\tIN\tDS\t{d}\n")
    with open(key_path, "w") as f:
        f.write(f".\t3600\tIN\tDNSKEY\t{root_keys.ksk_dnskey.to_text()}\n")
    write_bind_trust_anchor(ds_rdata(".", root_keys, digests), os.path.join(directory, "root-anchor.bind"))
    return ds_path, key_path


def write_bind_trust_anchor(ds_texts: list[str], path: str) -> str:
    """DS anchors of the root in BIND's `trust-anchors` syntax (delv -a)."""
    with open(path, "w") as f:
        f.write("trust-anchors {\n")
        for d in ds_texts:
            tag, alg, digest_type, digest = d.split(None, 3)
            f.write(f'    "." static-ds {tag} {alg} {digest_type} "{digest.replace(" ", "")}";\n')
        f.write("};\n")
    return path
