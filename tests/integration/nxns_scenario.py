"""The NXNSAttack scenario (Afek, Bremler-Barr, Shafir 2020), shared by
test_resolver_hostile.py and bench/nxns_bench.py.

An attacker's zone answers every query for `x-...` names below it with a
referral to FAN_OUT name servers whose names (random per reply) lie in a
victim's zone, without glue. The resolver must look those names up in the
victim's zone, where none exists: each client query makes the victim's
server answer NXDOMAIN a number of times, the amplification the attack buys.

Slots: the attacker is `script1.zz.` (script-1), the victim `script2.zz.`
(script-2). `script3.zz.` (script-3) holds the names of a legitimate
delegation with as many glueless servers, of which only the last exists
(`legit.script1.zz.`, served at a spare address).
"""

from __future__ import annotations

import secrets

import dns.message
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

import scripted_server as ss
from hierarchy import spare_addr
from resolver_helpers import slot_zone, zone_server

ATTACKER = "script1.zz."
VICTIM = "script2.zz."
NS_HOLDER = "script3.zz."
LEGIT = "legit.script1.zz."
FAN_OUT = 30
GOOD = "127.0.0.42"           # www.legit.script1.zz. and the rest of that zone
LEGIT_SERVER_INDEX = 50       # spare_addr(net, 50) serves legit.script1.zz.


def legit_ns_names() -> list[str]:
    """FAN_OUT names in script3.zz.; only the last one has an address."""
    return [f"l{k:02d}.{NS_HOLDER}" for k in range(1, FAN_OUT + 1)]


def attacker(address: str) -> ss.Handler:
    """script1.zz.: referrals of `x-*` names to FAN_OUT glueless names in
    the victim's zone (fresh random names each time); the legitimate
    delegation of legit.script1.zz. and the apex are answered from the zone."""
    origin = dns.name.from_text(ATTACKER)
    records = [f"{LEGIT} 300 IN NS {ns}" for ns in legit_ns_names()]
    base = zone_server(slot_zone(ATTACKER, address, records), ATTACKER)

    def handle(rec: ss.Received) -> ss.Reply:
        m = rec.message
        if m is None or not m.question or not m.question[0].name.is_subdomain(origin):
            return base(rec)
        name = m.question[0].name
        below = name.relativize(origin)
        if len(below) == 0 or not below.labels[-1].lower().startswith(b"x-"):
            return base(rec)
        child = dns.name.Name((below.labels[-1],) + origin.labels)
        token = secrets.token_hex(4)
        ns = dns.rrset.RRset(child, dns.rdataclass.IN, dns.rdatatype.NS)
        for k in range(1, FAN_OUT + 1):
            ns.add(dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.NS, f"ns{k}-{token}.{VICTIM}"), 300)
        resp = dns.message.make_response(m)
        resp.authority.append(ns)
        return resp

    return handle


def victim(address: str) -> ss.Handler:
    """script2.zz.: nothing but its apex; every other name is NXDOMAIN."""
    return zone_server(slot_zone(VICTIM, address), VICTIM)


def ns_holder(address: str, net: str) -> ss.Handler:
    """script3.zz.: only the last of the legitimate NS names exists."""
    last = legit_ns_names()[-1]
    return zone_server(slot_zone(NS_HOLDER, address, [f"{last} 300 IN A {spare_addr(net, LEGIT_SERVER_INDEX)}"]),
                       NS_HOLDER)


def legit_server(net: str) -> ss.Handler:
    """legit.script1.zz.: every name has the address GOOD."""
    o = LEGIT
    text = "\n".join([f"{o} 300 IN SOA {legit_ns_names()[-1]} hostmaster.{o} 1 3600 600 86400 60",
                      *[f"{o} 300 IN NS {ns}" for ns in legit_ns_names()],
                      f"*.{o} 300 IN A {GOOD}"]) + "\n"
    return zone_server(text, o)


def attack_names(n: int) -> list[str]:
    """n distinct names that each get the attacker's referral."""
    token = secrets.token_hex(3)
    return [f"x-{i}-{token}.{ATTACKER}" for i in range(n)]
