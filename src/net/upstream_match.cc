#include "net/upstream_match.h"

namespace cairn::net {
namespace {

ResponseCheck verdict(ResponseVerdict v) {
    return ResponseCheck{v, {}};
}

// The whole message, under the verdict it earns if it parses.
ResponseCheck parsed(std::span<const uint8_t> data, ResponseVerdict v) {
    auto message = wire::Message::parse(data);
    if (!message) return verdict(ResponseVerdict::kMalformed);
    return ResponseCheck{v, std::move(*message)};
}

// A reply that is the answer in every other way: the whole message, if it
// parses, under `v` if it carries our cookie as it must, as a cookie
// mismatch otherwise.
ResponseCheck parsed_answer(std::span<const uint8_t> data, ResponseVerdict v,
                            const ExpectedReply& expected) {
    auto check = parsed(data, v);
    if (check.verdict == ResponseVerdict::kMalformed || !expected.client_cookie) return check;
    const auto echo = cookie_echo(check.message, *expected.client_cookie);
    if (echo.kind == CookieEcho::kWrong ||
        (echo.kind == CookieEcho::kAbsent && expected.cookie_required))
        check.verdict = ResponseVerdict::kCookieMismatch;
    return check;
}

}  // namespace

CookieEcho cookie_echo(const wire::Message& reply, const ClientCookie& client) {
    const auto* cookie = reply.edns ? reply.edns->find<wire::CookieOption>() : nullptr;
    if (!cookie) return {};
    if (cookie->client != client) return {CookieEcho::kWrong, {}};
    return {CookieEcho::kValid, cookie->server};
}

ResponseCheck check_response(std::span<const uint8_t> data, const ExpectedReply& expected) {
    if (data.size() < 2 || wire::load_u16(data.data()) != expected.id)
        return verdict(ResponseVerdict::kMismatch);
    wire::Reader reader(data);
    auto header = wire::Header::parse(reader);
    if (!header) return verdict(ResponseVerdict::kMalformed);
    if (!header->qr || header->opcode != wire::Opcode::QUERY)
        return verdict(ResponseVerdict::kMismatch);

    if (header->qdcount == 0) {
        const auto rcode = static_cast<wire::Rcode>(header->rcode);
        if (header->tc) return verdict(ResponseVerdict::kTruncated);
        if (rcode != wire::Rcode::FORMERR && rcode != wire::Rcode::NOTIMP)
            return verdict(ResponseVerdict::kMismatch);
        // Believed blindly, it would cost the server EDNS for a while.
        return parsed_answer(
            data, expected.exact_case ? ResponseVerdict::kUnverified : ResponseVerdict::kAccept,
            expected);
    }
    if (header->qdcount != 1) return verdict(ResponseVerdict::kMismatch);
    const auto& question = expected.question;
    auto name = wire::Name::parse(reader);
    auto type = reader.u16();
    auto rclass = reader.u16();
    if (!name || !type || !rclass) return verdict(ResponseVerdict::kMalformed);
    if (!(*name == question.name) || static_cast<wire::RRType>(*type) != question.type ||
        static_cast<wire::RRClass>(*rclass) != question.rclass)
        return verdict(ResponseVerdict::kMismatch);
    // Truncated answers may be cut anywhere; only their header matters, and
    // whatever their case they only send the query to TCP.
    if (header->tc) return verdict(ResponseVerdict::kTruncated);
    if (expected.exact_case && !name->identical(question.name))
        return parsed(data, ResponseVerdict::kCaseMismatch);
    return parsed_answer(data, ResponseVerdict::kAccept, expected);
}

}  // namespace cairn::net
