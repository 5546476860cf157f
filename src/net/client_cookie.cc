#include "net/client_cookie.h"

#include <openssl/rand.h>
#include <stdlib.h>

#include <algorithm>

namespace cairn::net {

CookieSecret random_cookie_secret() {
    CookieSecret secret{};
    if (RAND_bytes(secret.data(), static_cast<int>(secret.size())) != 1)
        arc4random_buf(secret.data(), secret.size());
    return secret;
}

ClientCookie client_cookie(const CookieSecret& secret, const wire::IpAddress& client,
                           const wire::IpAddress& server) {
    // Family, then address, for each: no two address pairs give one input.
    std::array<uint8_t, 2 * (1 + 16)> input{};
    size_t n = 0;
    for (const auto* address : {&client, &server}) {
        input[n++] = address->is_v4() ? 4 : 6;
        const auto bytes = address->bytes();
        std::copy(bytes.begin(), bytes.end(), input.begin() + static_cast<ptrdiff_t>(n));
        n += bytes.size();
    }
    return wire::siphash24(secret, std::span<const uint8_t>(input.data(), n));
}

}  // namespace cairn::net
