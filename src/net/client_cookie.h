// The client side of DNS cookies (RFC 7873 §5.1): the 8-octet client cookie
// cairn sends to each server, and the secret it is derived from.
#pragma once

#include <array>
#include <cstdint>

#include "wire/ip_address.h"
#include "wire/siphash.h"

namespace cairn::net {

using CookieSecret = wire::SipHashKey;
using ClientCookie = std::array<uint8_t, 8>;

// 16 bytes from the system's CSPRNG.
CookieSecret random_cookie_secret();

// SipHash-2-4 under `secret` of the client and server addresses (RFC 7873
// Appendix B.1 recommends such a keyed hash): the same for every query
// between the same two addresses, so a server's cookie stays valid;
// different for each server, and changing with our own address, so servers
// cannot use it to follow us around; unknown to anyone without `secret`,
// so a forger off the path cannot echo it.
ClientCookie client_cookie(const CookieSecret& secret, const wire::IpAddress& client,
                           const wire::IpAddress& server);

}  // namespace cairn::net
