#include "net/upstream_match.h"

namespace cairn::net {
namespace {

ResponseCheck verdict(ResponseVerdict v) {
    return ResponseCheck{v, {}};
}

}  // namespace

ResponseCheck check_response(std::span<const uint8_t> data, uint16_t id,
                             const wire::Question& question) {
    if (data.size() < 2 || wire::load_u16(data.data()) != id)
        return verdict(ResponseVerdict::kIgnore);
    wire::Reader reader(data);
    auto header = wire::Header::parse(reader);
    if (!header) return verdict(ResponseVerdict::kMalformed);
    if (!header->qr || header->opcode != wire::Opcode::QUERY)
        return verdict(ResponseVerdict::kIgnore);

    if (header->qdcount == 0) {
        const auto rcode = static_cast<wire::Rcode>(header->rcode);
        if (!header->tc && rcode != wire::Rcode::FORMERR && rcode != wire::Rcode::NOTIMP)
            return verdict(ResponseVerdict::kIgnore);
    } else if (header->qdcount == 1) {
        auto name = wire::Name::parse(reader);
        auto type = reader.u16();
        auto rclass = reader.u16();
        if (!name || !type || !rclass) return verdict(ResponseVerdict::kMalformed);
        if (!(*name == question.name) || static_cast<wire::RRType>(*type) != question.type ||
            static_cast<wire::RRClass>(*rclass) != question.rclass)
            return verdict(ResponseVerdict::kIgnore);
    } else {
        return verdict(ResponseVerdict::kIgnore);
    }
    // Truncated answers may be cut anywhere; only their header matters.
    if (header->tc) return verdict(ResponseVerdict::kTruncated);

    auto message = wire::Message::parse(data);
    if (!message) return verdict(ResponseVerdict::kMalformed);
    return ResponseCheck{ResponseVerdict::kAccept, std::move(*message)};
}

}  // namespace cairn::net
