"""A declarative DNS hierarchy and the zone files it implies.

A hierarchy is a list of servers (one loopback address each) and a list of
zones. A zone says which NS names (and so which server addresses) its parent
delegates to, which servers really load it, and its own records. Everything a
real parent would carry is derived, so the test-specific part stays small:

- the delegation (NS) in the parent zone, plus DS when the child is signed;
- glue in the parent when an NS name lies below the zone cut (and the zone
  allows glue: `glue=False` makes an in-domain delegation glueless);
- the A record of every NS name, in the zone that owns that name.

"Rogue" zones (`delegated=False`) are extra copies served by one server only,
outside the tree (e.g. the second half of a referral ping-pong). They get
their SOA and apex NS from the model but nothing else is derived for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import dns.name

from signing import Signing


@dataclass
class Server:
    key: str                 # short id used everywhere in tests, e.g. "host-1"
    address: str             # loopback address, port 53
    kind: str = "nsd"        # "nsd" | "dead" (nothing listens) | "scripted" (slot for ScriptedServer)
    note: str = ""


@dataclass
class Zone:
    name: str                                # absolute, lower case, e.g. "plain.example."
    ns: list[tuple[str, str | None]]         # (NS host name, server key); key None = no address
    served_by: list[str]                     # keys of the NSD servers that load this zone
    # (owner, type, rdata), or (owner, type, rdata, ttl) for a TTL other than the zone's
    records: list[tuple] = field(default_factory=list)
    signing: Signing | None = None
    glue: bool = True
    delegated: bool = True
    ttl: int = 300
    negative_ttl: int = 60
    note: str = ""

    @property
    def dname(self) -> dns.name.Name:
        return dns.name.from_text(self.name)


def _n(text: str) -> dns.name.Name:
    return dns.name.from_text(text)


class Hierarchy:
    def __init__(self, net: str, servers: list[Server], zones: list[Zone]):
        self.net = net
        self.servers = {s.key: s for s in servers}
        self.zones = zones
        self.tree = {z.dname: z for z in zones if z.delegated}
        self.check()

    # -- lookups -------------------------------------------------------------

    def addr(self, key: str) -> str:
        return self.servers[key].address

    def server_by_address(self, address: str) -> Server:
        for s in self.servers.values():
            if s.address == address:
                return s
        raise KeyError(address)

    def zone(self, name: str) -> Zone:
        return self.tree[_n(name)]

    def zones_served_by(self, key: str) -> list[Zone]:
        return [z for z in self.zones if key in z.served_by]

    def owner_zone(self, name: dns.name.Name) -> Zone | None:
        """Deepest zone of the tree at or above name."""
        while True:
            if name in self.tree:
                return self.tree[name]
            if name == dns.name.root:
                return None
            name = name.parent()

    def parent(self, zone: Zone) -> Zone | None:
        if zone.dname == dns.name.root:
            return None
        return self.owner_zone(zone.dname.parent())

    def children(self, zone: Zone) -> list[Zone]:
        return [z for z in self.tree.values() if z is not zone and self.parent(z) is zone]

    def ns_addresses(self, zone: Zone, host: str) -> list[str]:
        return [self.addr(k) for h, k in zone.ns if h == host and k is not None]

    # -- invariants ----------------------------------------------------------

    def check(self) -> None:
        for z in self.zones:
            if not z.name.endswith(".") or z.name != z.name.lower():
                raise ValueError(f"zone names must be absolute and lower case: {z.name}")
            for key in z.served_by:
                if self.servers[key].kind != "nsd":
                    raise ValueError(f"{z.name} served by non-NSD server {key}")
            for _, key in z.ns:
                if key is not None and key not in self.servers:
                    raise ValueError(f"{z.name}: unknown server {key}")
            if z.delegated and z.dname != dns.name.root and self.parent(z) is None:
                raise ValueError(f"{z.name} has no parent zone in the hierarchy")
        # One NSD must never serve a zone and one of its descendants: it would
        # answer from the child itself and a resolver would never see the cut.
        for key in self.servers:
            served = [z.dname for z in self.zones_served_by(key)]
            for a in served:
                for b in served:
                    if a != b and a.is_subdomain(b):
                        raise ValueError(f"server {key} serves both {b} and its descendant {a}")

    # -- rendering -----------------------------------------------------------

    def _host_records(self, zone: Zone) -> list[tuple[str, str, str]]:
        """A records of every NS host name this zone is authoritative for."""
        out = []
        sources = [zone] if not zone.delegated else list(self.tree.values())
        for z in sources:
            for host, key in z.ns:
                if key is None:
                    continue
                h = _n(host)
                owner = zone if not zone.delegated else self.owner_zone(h)
                if owner is zone and h.is_subdomain(zone.dname):
                    out.append((host, "A", self.addr(key)))
        return out

    def _glue(self, zone: Zone, delegation: Zone) -> list[tuple[str, str, str]]:
        """Glue `zone` carries for the NS set of `delegation` (itself or a child)."""
        if not delegation.glue:
            return []
        out = []
        for host, key in delegation.ns:
            h = _n(host)
            if key is not None and h.is_subdomain(zone.dname) and self.owner_zone(h) is not zone:
                out.append((host, "A", self.addr(key)))
        return out

    def render(self, zone: Zone, ds: dict[str, list[str]]) -> str:
        """Zone-file text for `zone`; `ds` maps signed child zone names to DS rdata."""
        rname = "hostmaster." + (zone.name if zone.name != "." else "")
        rrs: list[tuple[str, str, str]] = [
            (zone.name, "SOA", f"{zone.ns[0][0]} {rname} 1 3600 600 86400 {zone.negative_ttl}"),
        ]
        rrs += [(zone.name, "NS", host) for host, _ in zone.ns]
        if zone.delegated:
            rrs += self._glue(zone, zone)
            for child in sorted(self.children(zone), key=lambda c: c.name):
                rrs += [(child.name, "NS", host) for host, _ in child.ns]
                rrs += [(child.name, "DS", d) for d in ds.get(child.name, [])]
                rrs += self._glue(zone, child)
        rrs += zone.records
        rrs += self._host_records(zone)
        lines = [f"$ORIGIN {zone.name}", f"$TTL {zone.ttl}"]
        seen = set()
        for owner, rtype, rdata, *ttl in rrs:
            line = f"{owner}\t{ttl[0]}\tIN\t{rtype}\t{rdata}" if ttl else f"{owner}\tIN\t{rtype}\t{rdata}"
            if line not in seen:
                seen.add(line)
                lines.append(line)
        return "\n".join(lines) + "\n"

    def signing_order(self) -> list[Zone]:
        """Zones deepest first, so a child's DS exists before its parent is signed."""
        return sorted(self.zones, key=lambda z: -len(z.dname.labels))
