// Whether a received message answers the query we sent (RFC 5452 §9.1): the
// transport already pins address and port; this checks ID and question.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "wire/message.h"

namespace cairn::ctl {

enum class ResponseMatch : uint8_t {
    kMatch,
    kMalformed,         // not even a header and one question
    kNotResponse,       // QR clear, or another opcode
    kIdMismatch,        // a different ID: late, stray or spoofed
    kQuestionMismatch,  // same ID, another question (or not exactly one)
};

std::string_view to_string(ResponseMatch match);

// `query` is the head of what we sent; names compare case-insensitively.
ResponseMatch match_response(std::span<const uint8_t> response, const wire::QueryHead& query);

}  // namespace cairn::ctl
