#include "server/server_cookies.h"

#include <algorithm>
#include <random>

namespace cairn::server {

namespace {

constexpr uint8_t kVersion = 1;
constexpr size_t kServerCookieSize = 16;
constexpr size_t kHashAt = 8;
// RFC 9018 §4.3.
constexpr int64_t kMaxAge = 3600;
constexpr int64_t kMaxAhead = 300;
constexpr int64_t kRenewAfter = 1800;

}  // namespace

const CookieSecret& process_cookie_secret() {
    static const CookieSecret secret = [] {
        CookieSecret s;
        std::random_device random;
        for (size_t i = 0; i < s.size(); i += 4) {
            const uint32_t word = random();
            for (size_t j = 0; j < 4; ++j)
                s[i + j] = static_cast<uint8_t>(word >> (8 * j));
        }
        return s;
    }();
    return secret;
}

std::array<uint8_t, 8> ServerCookies::hash(const CookieSecret& secret,
                                           const ClientCookie& client_cookie,
                                           std::span<const uint8_t, 8> head,
                                           const wire::IpAddress& client) {
    // client cookie (8) | version, reserved, timestamp (8) | address (4 or 16)
    std::array<uint8_t, 32> input{};
    std::copy(client_cookie.begin(), client_cookie.end(), input.begin());
    std::copy(head.begin(), head.end(), input.begin() + 8);
    const auto address = client.bytes();
    std::copy(address.begin(), address.end(), input.begin() + 16);
    return wire::siphash24(secret, std::span<const uint8_t>(input).first(16 + address.size()));
}

int64_t ServerCookies::age(std::span<const uint8_t> server_cookie, int64_t now) {
    uint32_t stamp = 0;
    for (size_t i = 4; i < 8; ++i)
        stamp = stamp << 8 | server_cookie[i];
    return static_cast<int32_t>(static_cast<uint32_t>(now) - stamp);
}

ServerCookie ServerCookies::make(const ClientCookie& client_cookie, const wire::IpAddress& client,
                                 int64_t now) const {
    ServerCookie cookie{};
    cookie[0] = kVersion;
    const auto stamp = static_cast<uint32_t>(now);
    for (size_t i = 0; i < 4; ++i)
        cookie[4 + i] = static_cast<uint8_t>(stamp >> (24 - 8 * i));
    const auto h = hash(secrets_.current, client_cookie,
                        std::span<const uint8_t, 8>(cookie.data(), 8), client);
    std::copy(h.begin(), h.end(), cookie.begin() + kHashAt);
    return cookie;
}

bool ServerCookies::made_with(const CookieSecret& secret, const ClientCookie& client_cookie,
                              std::span<const uint8_t> server_cookie,
                              const wire::IpAddress& client) const {
    // The reserved octets count as received (RFC 9018 §4.2).
    const auto h = hash(secret, client_cookie, server_cookie.first<8>(), client);
    return std::equal(h.begin(), h.end(), server_cookie.begin() + kHashAt);
}

ServerCookies::Check ServerCookies::check(const ClientCookie& client_cookie,
                                          std::span<const uint8_t> server_cookie,
                                          const wire::IpAddress& client, int64_t now) const {
    Check result;
    const bool ours = server_cookie.size() == kServerCookieSize && server_cookie[0] == kVersion;
    const int64_t how_old = ours ? age(server_cookie, now) : 0;
    if (ours && how_old <= kMaxAge && how_old >= -kMaxAhead) {
        if (made_with(secrets_.current, client_cookie, server_cookie, client)) {
            result.valid = true;
            const bool reserved_zero =
                server_cookie[1] == 0 && server_cookie[2] == 0 && server_cookie[3] == 0;
            if (reserved_zero && how_old >= 0 && how_old < kRenewAfter) {
                std::copy(server_cookie.begin(), server_cookie.end(), result.reply.begin());
                return result;
            }
        } else {
            result.valid = secrets_.previous &&
                           made_with(*secrets_.previous, client_cookie, server_cookie, client);
        }
    }
    result.reply = make(client_cookie, client, now);
    return result;
}

}  // namespace cairn::server
