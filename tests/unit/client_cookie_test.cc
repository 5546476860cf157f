// SipHash-2-4 against the reference vectors, and client cookies derived
// from it (RFC 7873 §5.1).
#include "net/client_cookie.h"

#include <gtest/gtest.h>

#include <numeric>
#include <vector>

#include "wire/siphash.h"

namespace cairn::net {
namespace {

wire::IpAddress ip(std::string_view text) {
    return *wire::IpAddress::parse(text);
}

TEST(SipHash, ReferenceVectors) {
    // Key 00 01 .. 0f, message 00 01 .. (n-1): the vectors of the SipHash
    // paper's reference code (its output bytes, little-endian).
    wire::SipHashKey key{};
    std::iota(key.begin(), key.end(), uint8_t{0});
    struct Vector {
        size_t length;
        std::array<uint8_t, 8> hash;
    };
    const Vector vectors[] = {
        {0, {0x31, 0x0e, 0x0e, 0xdd, 0x47, 0xdb, 0x6f, 0x72}},
        {1, {0xfd, 0x67, 0xdc, 0x93, 0xc5, 0x39, 0xf8, 0x74}},
        {8, {0x62, 0x24, 0x93, 0x9a, 0x79, 0xf5, 0xf5, 0x93}},
        {15, {0xe5, 0x45, 0xbe, 0x49, 0x61, 0xca, 0x29, 0xa1}},
    };
    for (const auto& v : vectors) {
        std::vector<uint8_t> message(v.length);
        std::iota(message.begin(), message.end(), uint8_t{0});
        EXPECT_EQ(wire::siphash24(key, message), v.hash) << "length " << v.length;
    }
}

TEST(ClientCookie, StableForAPairOfAddressesDifferentOtherwise) {
    const auto secret = random_cookie_secret();
    const auto us = ip("192.0.2.1");
    const auto them = ip("198.51.100.53");
    const auto cookie = client_cookie(secret, us, them);
    EXPECT_EQ(client_cookie(secret, us, them), cookie);
    EXPECT_NE(client_cookie(secret, us, ip("198.51.100.54")), cookie);   // another server
    EXPECT_NE(client_cookie(secret, ip("192.0.2.2"), them), cookie);     // our address changed
    EXPECT_NE(client_cookie(secret, them, us), cookie);                  // order matters
    EXPECT_NE(client_cookie(random_cookie_secret(), us, them), cookie);  // another secret
    EXPECT_NE(client_cookie(secret, ip("2001:db8::1"), ip("2001:db8::53")), cookie);
    EXPECT_NE(random_cookie_secret(), random_cookie_secret());
}

}  // namespace
}  // namespace cairn::net
