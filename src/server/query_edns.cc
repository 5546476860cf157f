#include "server/query_edns.h"

#include <algorithm>
#include <vector>

namespace cairn::server {

namespace {

using wire::EdnsOptionCode;

// Mirrors the checks of wire::Edns::parse on known options, so that the fast
// path refuses exactly what the full parse refuses.
bool option_well_formed(uint16_t code, std::span<const uint8_t> data) {
    switch (static_cast<EdnsOptionCode>(code)) {
        case EdnsOptionCode::COOKIE:  // RFC 7873 §4: 8, or 16 to 40 octets
            return data.size() == 8 || (data.size() >= 16 && data.size() <= 40);
        case EdnsOptionCode::CLIENT_SUBNET: {  // RFC 7871 §6
            if (data.size() < 4) return false;
            const uint16_t family = wire::load_u16(data.data());
            const unsigned max_prefix = family == 1 ? 32 : family == 2 ? 128 : 0;
            if (max_prefix == 0 || data[2] > max_prefix || data[3] > max_prefix) return false;
            return data.size() - 4 == (data[2] + 7u) / 8;
        }
        case EdnsOptionCode::EXTENDED_ERROR: return data.size() >= 2;
        case EdnsOptionCode::TCP_KEEPALIVE: return data.empty() || data.size() == 2;
        default: return true;
    }
}

void read_cookie(std::span<const uint8_t> data, QueryCookie& cookie) {
    if (cookie.present) return;
    cookie.present = true;
    std::copy(data.begin(), data.begin() + 8, cookie.client.begin());
    cookie.server_length = static_cast<uint8_t>(data.size() - 8);
    std::copy(data.begin() + 8, data.end(), cookie.server.begin());
}

// Checks the options and picks out the cookie.
bool read_options(std::span<const uint8_t> rdata, QueryEdns& edns) {
    size_t at = 0;
    while (at < rdata.size()) {
        if (rdata.size() - at < 4) return false;
        const uint16_t code = wire::load_u16(rdata.data() + at);
        const uint16_t length = wire::load_u16(rdata.data() + at + 2);
        at += 4;
        if (rdata.size() - at < length) return false;
        const auto data = rdata.subspan(at, length);
        if (!option_well_formed(code, data)) return false;
        if (static_cast<EdnsOptionCode>(code) == EdnsOptionCode::COOKIE)
            read_cookie(data, edns.cookie);
        at += length;
    }
    return true;
}

}  // namespace

QueryTail inspect_query_tail(std::span<const uint8_t> query, const wire::QueryHead& head,
                             QueryEdns& edns) {
    edns = QueryEdns{};
    const auto& h = head.header;
    if (h.qdcount != 1 || h.ancount != 0 || h.nscount != 0 || h.arcount > 1)
        return QueryTail::kNeedsFullParse;
    const auto rest = query.subspan(head.question_end);
    if (h.arcount == 0) return rest.empty() ? QueryTail::kOk : QueryTail::kMalformed;
    // One additional record: root owner (one zero octet), TYPE, CLASS, TTL,
    // RDLENGTH.
    constexpr size_t kOptFixed = 11;
    if (rest.empty() || rest[0] != 0) return QueryTail::kNeedsFullParse;
    if (rest.size() < kOptFixed) return QueryTail::kMalformed;
    if (wire::load_u16(rest.data() + 1) != static_cast<uint16_t>(wire::RRType::OPT))
        return QueryTail::kNeedsFullParse;
    const uint16_t rdlength = wire::load_u16(rest.data() + 9);
    if (rest.size() != kOptFixed + rdlength) return QueryTail::kMalformed;
    if (!read_options(rest.subspan(kOptFixed), edns)) {
        edns = QueryEdns{};
        return QueryTail::kMalformed;
    }
    const uint32_t ttl = wire::load_u32(rest.data() + 5);
    edns.present = true;
    edns.udp_size = wire::load_u16(rest.data() + 3);
    edns.version = static_cast<uint8_t>(ttl >> 16);
    edns.dnssec_ok = ttl & 0x8000;
    return QueryTail::kOk;
}

QueryEdns query_edns_of(const wire::Message& message) {
    QueryEdns edns;
    if (message.edns) {
        edns.present = true;
        edns.udp_size = message.edns->udp_size;
        edns.version = message.edns->version;
        edns.dnssec_ok = message.edns->dnssec_ok;
        if (const auto* cookie = message.edns->find<wire::CookieOption>()) {
            std::vector<uint8_t> data(cookie->client.begin(), cookie->client.end());
            data.insert(data.end(), cookie->server.begin(), cookie->server.end());
            read_cookie(data, edns.cookie);
        }
    }
    return edns;
}

}  // namespace cairn::server
