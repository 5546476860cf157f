#include "policy/builtin_zones.h"

#include <string>
#include <string_view>

#include "wire/zone_reader.h"

namespace cairn::policy {

namespace {

// IPv6 loopback (::1) and unspecified (::) reverse names: 32 nibbles.
std::string nibbles_of_zero_address(char last) {
    std::string name(1, last);
    for (int i = 0; i < 31; ++i)
        name += ".0";
    return name + ".ip6.arpa.";
}

wire::Record record(const std::string& text) {
    // Fixed text written below: it always parses.
    return *wire::parse_record(text, wire::Name::root());
}

// RFC 6303 §3: the SOA and NS of an empty locally served zone. The SOA's
// MINIMUM and TTL make negative answers live 3 hours.
BuiltinZone empty_zone(const std::string& apex, LocalZoneType type = LocalZoneType::kStatic) {
    BuiltinZone zone{*wire::Name::from_text(apex), type, {}};
    zone.data.push_back(
        record(apex + " 10800 IN SOA " + apex + " nobody.invalid. 1 3600 1200 604800 10800"));
    zone.data.push_back(record(apex + " 10800 IN NS " + apex));
    return zone;
}

void add_special_use(std::vector<BuiltinZone>& zones) {
    // RFC 6761 §6.3: every name under localhost. is the loopback address.
    BuiltinZone localhost = empty_zone("localhost.", LocalZoneType::kRedirect);
    localhost.data.push_back(record("localhost. 10800 IN A 127.0.0.1"));
    localhost.data.push_back(record("localhost. 10800 IN AAAA ::1"));
    zones.push_back(std::move(localhost));
    // RFC 6761 §6.2 and §6.4: never resolved, always NXDOMAIN.
    zones.push_back(empty_zone("test."));
    zones.push_back(empty_zone("invalid."));
}

void add_private_reverse(std::vector<BuiltinZone>& zones) {
    // RFC 6303 §4.1 (RFC 1918).
    zones.push_back(empty_zone("10.in-addr.arpa."));
    for (int second = 16; second <= 31; ++second)
        zones.push_back(empty_zone(std::to_string(second) + ".172.in-addr.arpa."));
    zones.push_back(empty_zone("168.192.in-addr.arpa."));
    // RFC 6303 §4.2 (special-purpose IPv4 addresses).
    zones.push_back(empty_zone("0.in-addr.arpa."));
    BuiltinZone loopback = empty_zone("127.in-addr.arpa.");
    loopback.data.push_back(record("1.0.0.127.in-addr.arpa. 10800 IN PTR localhost."));
    zones.push_back(std::move(loopback));
    zones.push_back(empty_zone("254.169.in-addr.arpa."));
    zones.push_back(empty_zone("2.0.192.in-addr.arpa."));
    zones.push_back(empty_zone("100.51.198.in-addr.arpa."));
    zones.push_back(empty_zone("113.0.203.in-addr.arpa."));
    zones.push_back(empty_zone("255.255.255.255.in-addr.arpa."));
    // RFC 7793: shared address space 100.64.0.0/10.
    for (int second = 64; second <= 127; ++second)
        zones.push_back(empty_zone(std::to_string(second) + ".100.in-addr.arpa."));
    // RFC 6303 §4.3 to §4.6: ::, ::1, ULA, link-local, documentation.
    zones.push_back(empty_zone(nibbles_of_zero_address('0')));
    const std::string ip6_loopback = nibbles_of_zero_address('1');
    BuiltinZone ip6_localhost = empty_zone(ip6_loopback);
    ip6_localhost.data.push_back(record(ip6_loopback + " 10800 IN PTR localhost."));
    zones.push_back(std::move(ip6_localhost));
    zones.push_back(empty_zone("d.f.ip6.arpa."));
    for (const char* nibble : {"8", "9", "a", "b"})
        zones.push_back(empty_zone(std::string(nibble) + ".e.f.ip6.arpa."));
    zones.push_back(empty_zone("8.b.d.0.1.0.0.2.ip6.arpa."));
}

}  // namespace

std::vector<BuiltinZone> builtin_zones(const BuiltinZoneSwitches& switches) {
    std::vector<BuiltinZone> zones;
    if (switches.special_use) add_special_use(zones);
    if (switches.private_reverse) add_private_reverse(zones);
    // RFC 8375 §7: home.arpa is answered locally, never asked of the root.
    if (switches.home_arpa) zones.push_back(empty_zone("home.arpa."));
    // RFC 7686 §2: .onion names are NXDOMAIN, never resolved in the DNS.
    if (switches.onion) zones.push_back(empty_zone("onion."));
    return zones;
}

bool is_builtin_zone(const wire::Name& name) {
    static const std::vector<BuiltinZone> all = builtin_zones({});
    for (const BuiltinZone& zone : all)
        if (zone.name == name) return true;
    return false;
}

}  // namespace cairn::policy
