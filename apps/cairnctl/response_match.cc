#include "cairnctl/response_match.h"

namespace cairn::ctl {

std::string_view to_string(ResponseMatch match) {
    switch (match) {
        case ResponseMatch::kMatch: return "matching answer";
        case ResponseMatch::kMalformed: return "malformed header or question";
        case ResponseMatch::kNotResponse: return "not a response to our query";
        case ResponseMatch::kIdMismatch: return "ID mismatch";
        case ResponseMatch::kQuestionMismatch: return "question mismatch";
    }
    return "unknown";
}

ResponseMatch match_response(std::span<const uint8_t> response, const wire::QueryHead& query) {
    auto head = wire::parse_query_head(response);
    if (!head) return ResponseMatch::kMalformed;
    const wire::Header& h = head->header;
    if (!h.qr || h.opcode != query.header.opcode) return ResponseMatch::kNotResponse;
    if (h.id != query.header.id) return ResponseMatch::kIdMismatch;
    if (h.qdcount != 1 || head->question != query.question) return ResponseMatch::kQuestionMismatch;
    return ResponseMatch::kMatch;
}

}  // namespace cairn::ctl
