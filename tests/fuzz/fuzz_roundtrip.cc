// parse → to_wire → parse: whatever Cairn accepts it must be able to write
// back, and what it writes must parse to the same message. Also builds the
// message under a size limit derived from the input, to exercise truncation.
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "wire/message.h"
#include "wire/rdata_schema.h"

using cairn::wire::Message;
using cairn::wire::Record;
using cairn::wire::schema_for;

namespace {

constexpr size_t kUnlimited = size_t{1} << 20;

// Names are compressed case-insensitively (RFC 1035 §2.3.3 compares names
// without case), so a name written after an equal one of different case comes
// back with the earlier one's spelling. Owner names compare without case
// already; RDATA compares as bytes, so for the types whose RDATA names are
// compressed compare their canonical (lower-cased) form.
bool same_record(const Record& a, const Record& b) {
    if (a == b) return true;
    if (!(a.owner == b.owner) || a.type != b.type || a.rclass != b.rclass || a.ttl != b.ttl)
        return false;
    return schema_for(a.type).compress && a.rdata.canonical(a.type) == b.rdata.canonical(b.type);
}

bool same_section(const std::vector<Record>& a, const std::vector<Record>& b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!same_record(a[i], b[i])) return false;
    return true;
}

bool same_message(const Message& a, const Message& b) {
    if (a == b) return true;
    return a.header == b.header && a.questions == b.questions && a.edns == b.edns &&
           same_section(a.answers, b.answers) && same_section(a.authorities, b.authorities) &&
           same_section(a.additionals, b.additionals);
}

size_t record_count(const Message& m) {
    return m.answers.size() + m.authorities.size() + m.additionals.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto first = Message::parse({data, size});
    if (!first) return 0;

    // Expanded compression pointers (in RDATA of types not compressed on
    // output) can make the rewritten message larger than 64 KiB; then give it
    // the room so nothing is left out.
    auto wire = first->to_wire();
    auto second = Message::parse(wire);
    FUZZ_CHECK(second.ok());
    if (record_count(*second) != record_count(*first) ||
        second->questions.size() != first->questions.size() ||
        second->edns.has_value() != first->edns.has_value()) {
        wire = first->to_wire(kUnlimited);
        second = Message::parse(wire);
        FUZZ_CHECK(second.ok());
    }
    FUZZ_CHECK(!second->header.tc || first->header.tc);
    FUZZ_CHECK(same_message(*first, *second));

    // Writing again is stable: the second encoding equals the first.
    FUZZ_CHECK(second->to_wire(wire.size() > 65535 ? kUnlimited : 65535) == wire);

    // Under a limit, the output fits, still parses, and keeps a prefix of
    // each section: RRsets are dropped whole, never reordered.
    const size_t limit = 12 + (size > 0 ? data[0] : 0) * 4;
    const auto small = first->to_wire(limit);
    FUZZ_CHECK(small.size() <= limit || small.size() == 12);
    auto third = Message::parse(small);
    FUZZ_CHECK(third.ok());
    FUZZ_CHECK(third->header.id == first->header.id);
    FUZZ_CHECK(record_count(*third) <= record_count(*first));
    FUZZ_CHECK(third->answers.size() <= first->answers.size());
    for (size_t i = 0; i < third->answers.size(); ++i)
        FUZZ_CHECK(same_record(third->answers[i], first->answers[i]));
    for (size_t i = 0; i < third->authorities.size(); ++i)
        FUZZ_CHECK(i < first->authorities.size() &&
                   same_record(third->authorities[i], first->authorities[i]));
    if (third->answers.size() < first->answers.size() ||
        third->authorities.size() < first->authorities.size())
        FUZZ_CHECK(third->header.tc);
    return 0;
}
