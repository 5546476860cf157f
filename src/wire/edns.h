// EDNS(0) (RFC 6891): the OPT pseudo-record and its typed options.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "wire/buffer.h"

namespace cairn::wire {

enum class EdnsOptionCode : uint16_t {
    NSID = 3,
    CLIENT_SUBNET = 8,
    COOKIE = 10,
    TCP_KEEPALIVE = 11,
    PADDING = 12,
    EXTENDED_ERROR = 15,
};

// RFC 8914 §4 info codes.
enum class ExtendedErrorCode : uint16_t {
    kOther = 0,
    kUnsupportedDnskeyAlgorithm = 1,
    kUnsupportedDsDigestType = 2,
    kStaleAnswer = 3,
    kForgedAnswer = 4,
    kDnssecIndeterminate = 5,
    kDnssecBogus = 6,
    kSignatureExpired = 7,
    kSignatureNotYetValid = 8,
    kDnskeyMissing = 9,
    kRrsigsMissing = 10,
    kNoZoneKeyBitSet = 11,
    kNsecMissing = 12,
    kCachedError = 13,
    kNotReady = 14,
    kBlocked = 15,
    kCensored = 16,
    kFiltered = 17,
    kProhibited = 18,
    kStaleNxdomainAnswer = 19,
    kNotAuthoritative = 20,
    kNotSupported = 21,
    kNoReachableAuthority = 22,
    kNetworkError = 23,
    kInvalidData = 24,
    kSignatureExpiredBeforeValid = 25,
    kTooEarly = 26,
    kUnsupportedNsec3Iterations = 27,
};

std::string to_string(ExtendedErrorCode code);

// RFC 7873: 8-octet client cookie, optional 8..32-octet server cookie.
struct CookieOption {
    std::array<uint8_t, 8> client{};
    std::vector<uint8_t> server;
    bool operator==(const CookieOption&) const = default;
};

// RFC 7871. `address` holds ceil(source_prefix / 8) octets.
struct ClientSubnetOption {
    uint16_t family = 1;  // 1 = IPv4, 2 = IPv6
    uint8_t source_prefix = 0;
    uint8_t scope_prefix = 0;
    std::vector<uint8_t> address;
    bool operator==(const ClientSubnetOption&) const = default;
};

// RFC 8914.
struct ExtendedErrorOption {
    ExtendedErrorCode code = ExtendedErrorCode::kOther;
    std::string extra_text;
    bool operator==(const ExtendedErrorOption&) const = default;
};

// RFC 7830: the padding's length; its content is zeros on output.
struct PaddingOption {
    uint16_t length = 0;
    bool operator==(const PaddingOption&) const = default;
};

// RFC 7828: timeout in units of 100 ms; absent in client queries.
struct TcpKeepaliveOption {
    std::optional<uint16_t> timeout;
    bool operator==(const TcpKeepaliveOption&) const = default;
};

// Any other option, kept as bytes so it can be shown and passed on.
struct UnknownOption {
    uint16_t code = 0;
    std::vector<uint8_t> data;
    bool operator==(const UnknownOption&) const = default;
};

using EdnsOption = std::variant<CookieOption, ClientSubnetOption, ExtendedErrorOption,
                                PaddingOption, TcpKeepaliveOption, UnknownOption>;

struct Edns {
    uint16_t udp_size = 1232;
    uint8_t extended_rcode = 0;  // upper 8 bits of the 12-bit rcode
    uint8_t version = 0;
    bool dnssec_ok = false;
    uint16_t other_flags = 0;  // the Z bits besides DO, kept as received
    std::vector<EdnsOption> options;

    // Decodes an OPT record's CLASS, TTL and RDATA. A malformed known option
    // is an error (RFC 7873 §5.2.2: FORMERR for a bad cookie).
    static WireResult<Edns> parse(uint16_t rrclass, uint32_t ttl, std::span<const uint8_t> rdata);
    // Writes the whole OPT record (owner, type, class, TTL, RDLENGTH, RDATA).
    WireStatus write(Writer& writer) const;
    size_t wire_size() const;

    template <class T>
    const T* find() const {
        for (const auto& option : options)
            if (const T* found = std::get_if<T>(&option)) return found;
        return nullptr;
    }

    bool operator==(const Edns&) const = default;
};

}  // namespace cairn::wire
