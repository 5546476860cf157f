// DNS cookies, the server's side (RFC 7873), in the interoperable form of
// RFC 9018 so that several instances behind one address, sharing a secret,
// accept each other's cookies:
//
//   server cookie = version (1) | reserved (3 zero octets) | timestamp (4,
//                   seconds since the epoch) | hash (8)
//   hash = SipHash-2-4(secret, client cookie | version | reserved |
//                      timestamp | client IP address)
//
// A server cookie is valid when its hash matches with the current or the
// previous secret (a secret is rolled over without rejecting the cookies
// made with the one before) and its timestamp is at most an hour old and
// at most five minutes ahead (RFC 9018 §4.3). A valid cookie made with the
// current secret less than half an hour ago is returned as it is; any other
// gets a new one.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>

#include "wire/ip_address.h"
#include "wire/siphash.h"

namespace cairn::server {

using CookieSecret = wire::SipHashKey;
using ClientCookie = std::array<uint8_t, 8>;
using ServerCookie = std::array<uint8_t, 16>;

struct CookieSecrets {
    CookieSecret current{};
    // Accepted, never issued.
    std::optional<CookieSecret> previous;
};

// The secret of this process when none is configured: random, made once, so
// that a reload keeps the cookies clients have.
const CookieSecret& process_cookie_secret();

class ServerCookies {
public:
    explicit ServerCookies(const CookieSecrets& secrets) : secrets_(secrets) {}

    // A new server cookie for `client_cookie` from `client` at `now`
    // (seconds since the epoch), with the current secret.
    ServerCookie make(const ClientCookie& client_cookie, const wire::IpAddress& client,
                      int64_t now) const;

    struct Check {
        // The presented server cookie is one of ours for this client cookie
        // and address, and fresh.
        bool valid = false;
        // The server cookie to send back: the presented one while it is
        // valid, made with the current secret and younger than half an
        // hour; else a new one.
        ServerCookie reply{};
    };

    // Checks `server_cookie` (as received: empty, or 8 to 32 octets) sent
    // with `client_cookie` from `client` at `now`.
    Check check(const ClientCookie& client_cookie, std::span<const uint8_t> server_cookie,
                const wire::IpAddress& client, int64_t now) const;

private:
    static std::array<uint8_t, 8> hash(const CookieSecret& secret,
                                       const ClientCookie& client_cookie,
                                       std::span<const uint8_t, 8> head,
                                       const wire::IpAddress& client);
    // Age of the cookie's timestamp at `now` (negative: from the future),
    // in RFC 1982 serial arithmetic.
    static int64_t age(std::span<const uint8_t> server_cookie, int64_t now);
    bool made_with(const CookieSecret& secret, const ClientCookie& client_cookie,
                   std::span<const uint8_t> server_cookie, const wire::IpAddress& client) const;

    CookieSecrets secrets_;
};

}  // namespace cairn::server
