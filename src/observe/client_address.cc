#include "observe/client_address.h"

#include <stdlib.h>

#include <algorithm>
#include <array>

#include "wire/encoding.h"

namespace cairn::observe {
namespace {

// The key of one period: two SipHash outputs of the secret over the period's
// number, told apart by their last octet. Knowing a period's key tells
// nothing of the secret, and so nothing of another period's key.
wire::SipHashKey period_key(const AddressSecret& secret, int64_t period) {
    std::array<uint8_t, 9> input{};
    for (size_t i = 0; i < 8; ++i)
        input[i] = static_cast<uint8_t>(static_cast<uint64_t>(period) >> (8 * i));
    wire::SipHashKey key{};
    for (uint8_t half = 0; half < 2; ++half) {
        input[8] = half;
        const auto part = wire::siphash24(secret, input);
        std::copy(part.begin(), part.end(), key.begin() + 8 * half);
    }
    return key;
}

int64_t period_of(int64_t now, int64_t length) {
    if (length <= 0) return 0;
    // Floor division: a clock before the epoch still has whole periods.
    return now >= 0 ? now / length : -((-now + length - 1) / length);
}

wire::IpAddress hashed(const wire::IpAddress& client, const AddressPolicy& policy, int64_t now) {
    const auto key = period_key(policy.secret, period_of(now, policy.key_period));
    const auto token = wire::siphash24(key, client.bytes());
    if (client.is_v4()) return wire::IpAddress::v4({token[0], token[1], token[2], token[3]});
    std::array<uint8_t, 16> octets{};
    std::copy(token.begin(), token.end(), octets.begin());
    return wire::IpAddress::v6(octets);
}

}  // namespace

std::optional<AddressPrivacy> address_privacy_from(std::string_view word) {
    if (word == "full") return AddressPrivacy::kFull;
    if (word == "prefix") return AddressPrivacy::kPrefix;
    if (word == "hash") return AddressPrivacy::kHash;
    return std::nullopt;
}

std::string_view address_privacy_name(AddressPrivacy privacy) {
    switch (privacy) {
        case AddressPrivacy::kFull: return "full";
        case AddressPrivacy::kPrefix: return "prefix";
        case AddressPrivacy::kHash: return "hash";
    }
    return "prefix";
}

AddressSecret random_address_secret() {
    AddressSecret secret{};
    // glibc's arc4random: the kernel's CSPRNG, never failing.
    arc4random_buf(secret.data(), secret.size());
    return secret;
}

ShownAddress show_client_address(const wire::IpAddress& client, const AddressPolicy& policy,
                                 int64_t now) {
    const wire::IpAddress address = client.mapped_v4().value_or(client);
    switch (policy.privacy) {
        case AddressPrivacy::kFull: return {AddressPrivacy::kFull, address};
        case AddressPrivacy::kHash: return {AddressPrivacy::kHash, hashed(address, policy, now)};
        case AddressPrivacy::kPrefix: break;
    }
    const uint8_t length = address.is_v4() ? kShownPrefixV4 : kShownPrefixV6;
    return {AddressPrivacy::kPrefix, wire::IpPrefix(address, length).address()};
}

void ShownAddress::append_to(std::string& out) const {
    const auto octets = address.bytes();
    const auto append_address = [&] {
        if (address.is_v4())
            wire::append_ipv4(out, octets.first<4>());
        else
            wire::append_ipv6(out, octets.first<16>());
    };
    switch (form) {
        case AddressPrivacy::kFull: append_address(); return;
        case AddressPrivacy::kPrefix:
            append_address();
            out += address.is_v4() ? "/24" : "/48";
            return;
        case AddressPrivacy::kHash:
            out += "hash:";
            wire::append_hex(out, octets.first(address.is_v4() ? 4 : 8));
            return;
    }
}

std::string ShownAddress::to_string() const {
    std::string out;
    append_to(out);
    return out;
}

}  // namespace cairn::observe
