#include "policy/dns64.h"

#include <algorithm>
#include <array>
#include <string>

#include "wire/typed_rdata.h"

namespace cairn::policy {

namespace {

// RFC 6052 §2.2: bits 64 to 71 (the "u" octet) are never part of the
// embedded address.
constexpr size_t kReservedOctet = 8;

// §5.1.7: the TTL of a synthesised record when the AAAA answer had no SOA.
constexpr uint32_t kDefaultTtlCap = 600;

wire::IpPrefix v4_prefix(std::array<uint8_t, 4> address, uint8_t length) {
    return {wire::IpAddress::v4(address), length};
}

// RFC 6890's special-purpose blocks that are not global (and the
// multicast and reserved ones, which are not unicast at all).
const std::array<wire::IpPrefix, 15>& non_global_ipv4() {
    static const std::array<wire::IpPrefix, 15> blocks = {
        v4_prefix({0, 0, 0, 0}, 8),      v4_prefix({10, 0, 0, 0}, 8),
        v4_prefix({100, 64, 0, 0}, 10),  v4_prefix({127, 0, 0, 0}, 8),
        v4_prefix({169, 254, 0, 0}, 16), v4_prefix({172, 16, 0, 0}, 12),
        v4_prefix({192, 0, 0, 0}, 24),   v4_prefix({192, 0, 2, 0}, 24),
        v4_prefix({192, 88, 99, 0}, 24), v4_prefix({192, 168, 0, 0}, 16),
        v4_prefix({198, 18, 0, 0}, 15),  v4_prefix({198, 51, 100, 0}, 24),
        v4_prefix({203, 0, 113, 0}, 24), v4_prefix({224, 0, 0, 0}, 4),
        v4_prefix({240, 0, 0, 0}, 4)};
    return blocks;
}

// The octets of the IPv6 address that hold the IPv4 address, in order.
std::array<size_t, 4> embedding_octets(uint8_t prefix_length) {
    std::array<size_t, 4> octets{};
    size_t position = prefix_length / 8;
    for (auto& octet : octets) {
        if (position == kReservedOctet) ++position;
        octet = position++;
    }
    return octets;
}

// RFC 4035 §3.2.3 and RFC 8914: the validator refused the data. Such an
// answer is not "no AAAA": synthesising over it would let a forger hide a
// signed name's IPv6 address (RFC 6147 §5.5).
bool is_validation_failure(wire::ExtendedErrorCode code) {
    using enum wire::ExtendedErrorCode;
    switch (code) {
        case kUnsupportedDnskeyAlgorithm:
        case kUnsupportedDsDigestType:
        case kDnssecIndeterminate:
        case kDnssecBogus:
        case kSignatureExpired:
        case kSignatureNotYetValid:
        case kDnskeyMissing:
        case kRrsigsMissing:
        case kNoZoneKeyBitSet:
        case kNsecMissing:
        case kSignatureExpiredBeforeValid: return true;
        default: return false;
    }
}

bool covers(const wire::Record& rrsig, wire::RRType type) {
    const auto data = wire::RrsigData::from(rrsig.rdata);
    return data && data->type_covered == type;
}

std::optional<uint8_t> hex_nibble(std::span<const uint8_t> label) {
    if (label.size() != 1) return std::nullopt;
    const uint8_t c = label[0];
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return std::nullopt;
}

// The address an ip6.arpa name of 32 nibbles stands for (RFC 3596 §2.5).
std::optional<wire::IpAddress> address_of_ip6_arpa(const wire::Name& name) {
    static const wire::Name ip6_arpa = *wire::Name::from_text("ip6.arpa.");
    if (name.label_count() != 34 || !name.is_subdomain_of(ip6_arpa)) return std::nullopt;
    std::array<uint8_t, 16> bytes{};
    for (size_t i = 0; i < 32; ++i) {
        const auto nibble = hex_nibble(name.label(i));
        if (!nibble) return std::nullopt;
        // The leftmost label is the lowest nibble of the address.
        const size_t index = 31 - i;
        bytes[index / 2] |= static_cast<uint8_t>(index % 2 == 0 ? *nibble << 4 : *nibble);
    }
    return wire::IpAddress::v6(bytes);
}

}  // namespace

bool is_dns64_prefix_length(uint8_t length) {
    return length == 32 || length == 40 || length == 48 || length == 56 || length == 64 ||
           length == 96;
}

std::optional<std::string> dns64_prefix_problem(const wire::IpPrefix& prefix) {
    if (prefix.address().is_v4()) return "a DNS64 prefix is an IPv6 prefix";
    if (!is_dns64_prefix_length(prefix.length()))
        return "a DNS64 prefix is 32, 40, 48, 56, 64 or 96 bits long (RFC 6052 section 2.2), "
               "not " +
               std::to_string(prefix.length());
    if (prefix.length() > 64 && prefix.address().bytes()[kReservedOctet] != 0)
        return "bits 64 to 71 of a DNS64 prefix must be zero (RFC 6052 section 2.2)";
    return std::nullopt;
}

wire::IpAddress embed_ipv4(const wire::IpPrefix& prefix, const wire::IpAddress& v4) {
    std::array<uint8_t, 16> bytes{};
    const auto prefix_bytes = prefix.address().bytes();
    std::copy_n(prefix_bytes.begin(), prefix.length() / 8, bytes.begin());
    const auto octets = embedding_octets(prefix.length());
    for (size_t i = 0; i < octets.size(); ++i)
        bytes[octets[i]] = v4.bytes()[i];
    return wire::IpAddress::v6(bytes);
}

std::optional<wire::IpAddress> extract_ipv4(const wire::IpPrefix& prefix,
                                            const wire::IpAddress& v6) {
    if (v6.is_v4() || !prefix.contains(v6) || v6.bytes()[kReservedOctet] != 0) return std::nullopt;
    std::array<uint8_t, 4> v4{};
    const auto octets = embedding_octets(prefix.length());
    for (size_t i = 0; i < octets.size(); ++i)
        v4[i] = v6.bytes()[octets[i]];
    return wire::IpAddress::v4(v4);
}

bool is_well_known_prefix(const wire::IpPrefix& prefix) {
    static const wire::IpPrefix well_known{*wire::IpAddress::parse("64:ff9b::"), 96};
    return prefix == well_known;
}

bool is_global_ipv4(const wire::IpAddress& v4) {
    const auto& blocks = non_global_ipv4();
    return std::none_of(blocks.begin(), blocks.end(),
                        [&](const wire::IpPrefix& block) { return block.contains(v4); });
}

Dns64::Dns64(Dns64Options options) : options_(std::move(options)) {
    for (const auto& name : options_.ignore_aaaa)
        ignore_aaaa_.insert(name, true);
}

bool Dns64::wants_a(const wire::Name& qname, bool dnssec_ok, bool checking_disabled,
                    const AaaaOutcome& outcome) const {
    // §5.5: a client that sets both DO and CD validates by itself, and a
    // synthesised record would fail its validation.
    if (dnssec_ok && checking_disabled) return false;
    // §5.1.2: the name does not exist, so neither does its A record.
    if (outcome.rcode == wire::Rcode::NXDOMAIN) return false;
    if (outcome.rcode != wire::Rcode::NOERROR) {
        // §5.1.2 takes other rcodes as an empty answer, except a failed
        // validation (§5.5: the negative AAAA answer must validate first).
        return !(outcome.error && is_validation_failure(*outcome.error));
    }
    if (ignore_aaaa_.closest(qname)) return true;
    return std::none_of(outcome.answer.begin(), outcome.answer.end(),
                        [this](const wire::Record& record) { return usable_aaaa(record); });
}

bool Dns64::usable_aaaa(const wire::Record& record) const {
    if (record.type != wire::RRType::AAAA) return false;
    const auto data = wire::AaaaData::from(record.rdata);
    if (!data) return false;
    const auto address = wire::IpAddress::v6(data->address);
    return std::none_of(options_.exclude.begin(), options_.exclude.end(),
                        [&](const wire::IpPrefix& prefix) { return prefix.contains(address); });
}

bool Dns64::maps(const wire::IpAddress& v4) const {
    const auto& excluded = options_.exclude_ipv4;
    if (std::any_of(excluded.begin(), excluded.end(),
                    [&](const wire::IpPrefix& prefix) { return prefix.contains(v4); }))
        return false;
    return !is_well_known_prefix(options_.prefix) || is_global_ipv4(v4);
}

std::optional<std::vector<wire::Record>> Dns64::synthesise(std::span<const wire::Record> a_answer,
                                                           uint32_t ttl_cap) const {
    std::vector<wire::Record> out;
    bool mapped = false;
    for (const auto& record : a_answer) {
        if (record.type == wire::RRType::CNAME || record.type == wire::RRType::DNAME) {
            out.push_back(record);
        } else if (record.type == wire::RRType::RRSIG && !covers(record, wire::RRType::A)) {
            out.push_back(record);
        } else if (record.type == wire::RRType::A) {
            const auto data = wire::AData::from(record.rdata);
            if (!data) continue;
            const auto v4 = wire::IpAddress::v4(data->address);
            if (!maps(v4)) continue;
            wire::AaaaData aaaa;
            const auto v6 = embed_ipv4(options_.prefix, v4);
            std::copy_n(v6.bytes().begin(), aaaa.address.size(), aaaa.address.begin());
            out.push_back({record.owner, wire::RRType::AAAA, record.rclass,
                           std::min(record.ttl, ttl_cap), aaaa.to_rdata()});
            mapped = true;
        }
    }
    if (!mapped) return std::nullopt;
    return out;
}

uint32_t Dns64::ttl_cap(std::span<const wire::Record> aaaa_authority) {
    for (const auto& record : aaaa_authority) {
        if (record.type != wire::RRType::SOA) continue;
        const auto soa = wire::SoaData::from(record.rdata);
        if (soa) return std::min(record.ttl, soa->minimum);
    }
    return kDefaultTtlCap;
}

wire::Name Dns64::reverse_zone(const wire::IpPrefix& prefix) {
    static constexpr char kHex[] = "0123456789abcdef";
    const auto bytes = prefix.address().bytes();
    std::string text;
    for (int nibble = prefix.length() / 4 - 1; nibble >= 0; --nibble) {
        const uint8_t byte = bytes[static_cast<size_t>(nibble / 2)];
        text += kHex[nibble % 2 == 0 ? byte >> 4 : byte & 0x0F];
        text += '.';
    }
    text += prefix.address().is_v4() ? "in-addr.arpa." : "ip6.arpa.";
    return *wire::Name::from_text(text);
}

std::optional<wire::Name> Dns64::ptr_target(const wire::Name& qname) const {
    if (!options_.synthesise_ptr) return std::nullopt;
    const auto v6 = address_of_ip6_arpa(qname);
    if (!v6) return std::nullopt;
    const auto v4 = extract_ipv4(options_.prefix, *v6);
    if (!v4) return std::nullopt;
    const auto b = v4->bytes();
    const std::string text = std::to_string(b[3]) + "." + std::to_string(b[2]) + "." +
                             std::to_string(b[1]) + "." + std::to_string(b[0]) + ".in-addr.arpa.";
    auto name = wire::Name::from_text(text);
    if (!name) return std::nullopt;
    return *name;
}

}  // namespace cairn::policy
