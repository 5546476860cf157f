// How a client's address appears in what cairn writes about its queries
// (`client-address-privacy`): dnstap, the query log and the logs all show it
// through show_client_address(), so one setting decides for all of them.
// Whoever keeps records of lookups by address can profile the people behind
// the addresses; each form keeps less of that:
//   full    the address itself;
//   prefix  its network: the first 24 bits of IPv4, 48 of IPv6 (a customer
//           site, not a host), the rest zero;
//   hash    a keyed hash of the address. Within one period (a day) an
//           address always gives the same token, so clients can still be
//           counted and followed through that day's records; the key
//           changes with each period and is never written anywhere, so
//           nobody, not even with the records of every period, can recover
//           an address or link one period's tokens to another's (a 32-bit
//           IPv4 space cannot be searched without the key).
// An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4
// client) is taken as the IPv4 address it carries.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "wire/ip_address.h"
#include "wire/siphash.h"

namespace cairn::observe {

enum class AddressPrivacy : uint8_t { kFull, kPrefix, kHash };

// "full", "prefix", "hash" and back.
std::optional<AddressPrivacy> address_privacy_from(std::string_view word);
std::string_view address_privacy_name(AddressPrivacy privacy);

inline constexpr uint8_t kShownPrefixV4 = 24;
inline constexpr uint8_t kShownPrefixV6 = 48;
inline constexpr int64_t kAddressKeyPeriod = 86'400;  // seconds: a day, from 00:00 UTC

// What the keys of the hash form are derived from: random, made once per
// process, kept in memory only.
using AddressSecret = wire::SipHashKey;
AddressSecret random_address_secret();

struct AddressPolicy {
    AddressPrivacy privacy = AddressPrivacy::kPrefix;
    AddressSecret secret{};
    // Seconds one hashing key lasts.
    int64_t key_period = kAddressKeyPeriod;
};

// A client address as it may be shown.
struct ShownAddress {
    AddressPrivacy form = AddressPrivacy::kPrefix;
    // An address of the client's family: the client's own (full), its
    // network's first address (prefix), or the token's octets (hash: all 4
    // of IPv4, the first 8 of IPv6 and zeros), which is what dnstap, whose
    // address fields are 4 or 16 octets, carries.
    wire::IpAddress address;

    // "192.0.2.7", "192.0.2.0/24", "2001:db8:1::/48", "hash:5f0c2a9e" (IPv4)
    // or "hash:5f0c2a9e11d07b3c" (IPv6): a token never reads as an address.
    void append_to(std::string& out) const;
    std::string to_string() const;
};

// `client` as `policy` allows it to be shown at `now` (seconds since the
// epoch, which pick the hashing key).
ShownAddress show_client_address(const wire::IpAddress& client, const AddressPolicy& policy,
                                 int64_t now);

}  // namespace cairn::observe
