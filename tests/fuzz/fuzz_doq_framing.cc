// DNS over QUIC's stream framing (RFC 9250 §4.2) on arbitrary streams: the
// input's first byte sets the size of the pieces the stream arrives in, the
// rest is the stream. However it is cut, the reader must reach the verdict
// a plain reading of the whole stream gives, accept exactly the streams
// holding one whole message with ID 0, and never keep more than one
// message's worth.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "fuzz_check.h"
#include "net/doq_framing.h"

using cairn::net::DoqQueryReader;
using cairn::net::DoqQueryStatus;
using cairn::net::kDoqMaxStreamData;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    const size_t piece = data[0] == 0 ? 1 : data[0];
    const std::span<const uint8_t> stream(data + 1, size - 1);

    DoqQueryReader whole;
    const DoqQueryStatus expected = whole.add(stream, true);

    DoqQueryReader cut;
    DoqQueryStatus status = DoqQueryStatus::kIncomplete;
    size_t at = 0;
    do {
        const auto chunk = stream.subspan(at, std::min(piece, stream.size() - at));
        at += chunk.size();
        status = cut.add(chunk, at == stream.size());
    } while (status == DoqQueryStatus::kIncomplete && at < stream.size());
    FUZZ_CHECK(cut.size() <= kDoqMaxStreamData);

    // Trailing data may be seen before the end; every other verdict is the same.
    FUZZ_CHECK(status == expected);
    const bool one_message = stream.size() >= 14 &&
                             stream.size() == (size_t{stream[0]} << 8 | stream[1]) + 2u &&
                             stream[2] == 0 && stream[3] == 0;
    if (status == DoqQueryStatus::kQuery) {
        FUZZ_CHECK(one_message);
        FUZZ_CHECK(std::equal(cut.message().begin(), cut.message().end(), stream.begin() + 2));
    }
    if (one_message && status != DoqQueryStatus::kQuery)
        FUZZ_CHECK(status == DoqQueryStatus::kKeepalive);
    return 0;
}
