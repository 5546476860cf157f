// Message::parse and parse_query_head on arbitrary bytes: whatever arrives
// from the network must be rejected or accepted without a crash, a leak, an
// out-of-bounds read or undefined behaviour; what is accepted must print.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "fuzz_check.h"
#include "wire/message.h"

using cairn::wire::Message;
using cairn::wire::parse_query_head;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);

    auto head = parse_query_head(input);
    if (head) {
        FUZZ_CHECK(head->question_end <= size);
        FUZZ_CHECK(head->header.qdcount > 0);
        (void)head->question.to_text();
    }

    auto message = Message::parse(input);
    if (!message) return 0;
    FUZZ_CHECK(message->questions.size() == message->header.qdcount);

    // A whole message that parses has a head that parses, and they agree.
    if (!message->questions.empty()) {
        FUZZ_CHECK(head.ok());
        FUZZ_CHECK(head->header == message->header);
        FUZZ_CHECK(head->question == message->questions.front());
    }

    FUZZ_CHECK(!message->to_text().empty());
    for (const auto& record : message->answers)
        (void)record.to_text();
    for (const auto& record : message->authorities)
        (void)record.to_text();
    for (const auto& record : message->additionals)
        (void)record.to_text();
    (void)message->rcode();
    return 0;
}
