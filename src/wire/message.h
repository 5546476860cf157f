// A whole DNS message: parsing with strict bounds, building with compression
// and truncation by whole RRsets.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "wire/compressor.h"
#include "wire/edns.h"
#include "wire/header.h"
#include "wire/record.h"

namespace cairn::wire {

enum class Section : uint8_t { kAnswer, kAuthority, kAdditional };

struct Message {
    Header header;
    std::vector<Question> questions;
    std::vector<Record> answers;
    std::vector<Record> authorities;
    std::vector<Record> additionals;  // without the OPT record, which is `edns`
    std::optional<Edns> edns;

    // Every byte must belong to the message: trailing data is an error, and
    // so is an OPT record outside the additional section, a second one, or one
    // not owned by the root (RFC 6891 §6.1.1).
    static WireResult<Message> parse(std::span<const uint8_t> data);

    // The full 12-bit rcode (header + EDNS extended rcode).
    Rcode rcode() const;
    // Sets header and EDNS parts of `rcode`; needs `edns` for codes above 15.
    void set_rcode(Rcode rcode);

    // Builds the message into at most `max_size` octets; RRsets that do not
    // fit are left out whole and TC is set when that happens in the answer or
    // authority section (RFC 2181 §9). Header counts are recomputed.
    std::vector<uint8_t> to_wire(size_t max_size = 65535) const;

    std::vector<Record>& section(Section s);
    const std::vector<Record>& section(Section s) const;

    // dig-like text: header line, flags, OPT pseudo-section, sections.
    std::string to_text() const;

    // Equal content: header flags, ID and rcode, and the sections; the
    // header's counts are a property of one wire encoding and are ignored.
    bool operator==(const Message& other) const;
};

// The header and first question of a query: enough for the server's fast path,
// parsed without touching the heap.
struct QueryHead {
    Header header;
    Question question;
    size_t question_end = 0;  // offset just past the question
};
WireResult<QueryHead> parse_query_head(std::span<const uint8_t> data);

// Writes a message section by section into caller memory. RRsets are added
// whole or not at all. Space for the OPT record is reserved up front, so a
// truncated answer still carries EDNS.
class MessageBuilder {
public:
    MessageBuilder(std::span<uint8_t> buffer, size_t max_size);

    // Must come first; counts in `header` are ignored.
    WireStatus begin(const Header& header);
    WireStatus add_question(const Question& question);
    // Reserves room for `edns`, written by finish(); `edns` must outlive the
    // builder's use (it is not copied, so building allocates nothing).
    WireStatus set_edns(const Edns& edns);
    // Adds the records of one RRset (same owner, type, class). Returns false
    // when it did not fit: then nothing of it was written, TC is set for the
    // answer and authority sections, and later RRsets of those sections are
    // refused too.
    bool add_rrset(Section section, std::span<const Record> rrset);
    // Writes OPT, patches counts and flags; the finished wire message.
    std::span<const uint8_t> finish();

    bool truncated() const { return truncated_; }

private:
    WireStatus write_record(const Record& record);

    std::span<uint8_t> buffer_;
    Writer writer_;
    NameCompressor compressor_;
    Header header_;
    const Edns* edns_ = nullptr;
    size_t reserved_ = 0;
    std::array<uint16_t, 3> counts_{};
    int current_section_ = -1;
    bool truncated_ = false;
};

}  // namespace cairn::wire
