// Which DNSSEC algorithms and DS digest types Cairn validates (RFC 8624).
#pragma once

#include <cstdint>

namespace cairn::dnssec {

// DNSKEY/RRSIG algorithm numbers (IANA "DNS Security Algorithm Numbers").
namespace algorithm {
inline constexpr uint8_t kRsaSha1 = 5;
inline constexpr uint8_t kRsaSha1Nsec3Sha1 = 7;
inline constexpr uint8_t kRsaSha256 = 8;
inline constexpr uint8_t kRsaSha512 = 10;
inline constexpr uint8_t kEcdsaP256Sha256 = 13;
inline constexpr uint8_t kEcdsaP384Sha384 = 14;
inline constexpr uint8_t kEd25519 = 15;
inline constexpr uint8_t kEd448 = 16;
}  // namespace algorithm

namespace digest {
inline constexpr uint8_t kSha1 = 1;
inline constexpr uint8_t kSha256 = 2;
inline constexpr uint8_t kSha384 = 4;
}  // namespace digest

// True for the algorithms above. Others (RSAMD5, DSA, GOST, private ones)
// make a zone insecure, not bogus (RFC 4035 §5.2, RFC 8624 §3.1).
bool algorithm_supported(uint8_t algorithm);
bool digest_supported(uint8_t digest_type);
// Mnemonic (RFC 8624 table), or the number as text.
const char* algorithm_mnemonic(uint8_t algorithm);

}  // namespace cairn::dnssec
