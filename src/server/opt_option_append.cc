#include "server/opt_option_append.h"

#include <algorithm>
#include <optional>

#include "wire/buffer.h"
#include "wire/header.h"
#include "wire/types.h"

namespace cairn::server {

namespace {

// Moves `pos` past a possibly compressed name; false if it runs off the end.
bool skip_name(std::span<const uint8_t> data, size_t& pos) {
    while (pos < data.size()) {
        const uint8_t label = data[pos];
        if ((label & 0xC0) == 0xC0) {
            pos += 2;
            return pos <= data.size();
        }
        if (label & 0xC0) return false;
        pos += 1 + label;
        if (label == 0) return true;
    }
    return false;
}

// Where the last record of `message` starts, if the records end exactly at
// its end.
std::optional<size_t> last_record(std::span<const uint8_t> message) {
    if (message.size() < wire::Header::kSize) return std::nullopt;
    const uint8_t* p = message.data();
    const size_t questions = wire::load_u16(p + wire::kHeaderQdcountOffset);
    const size_t records = size_t{wire::load_u16(p + wire::kHeaderAncountOffset)} +
                           wire::load_u16(p + wire::kHeaderNscountOffset) +
                           wire::load_u16(p + wire::kHeaderArcountOffset);
    if (records == 0) return std::nullopt;
    size_t pos = wire::Header::kSize;
    for (size_t i = 0; i < questions; ++i) {
        if (!skip_name(message, pos)) return std::nullopt;
        pos += 4;  // type, class
    }
    size_t last = pos;
    for (size_t i = 0; i < records; ++i) {
        last = pos;
        if (!skip_name(message, pos) || pos + 10 > message.size()) return std::nullopt;
        pos += 10 + wire::load_u16(p + pos + 8);  // type, class, TTL, RDLENGTH, RDATA
    }
    if (pos != message.size()) return std::nullopt;
    return last;
}

void put_u16(uint8_t* p, size_t value) {
    p[0] = static_cast<uint8_t>(value >> 8);
    p[1] = static_cast<uint8_t>(value);
}

}  // namespace

size_t append_opt_option(std::span<uint8_t> buffer, size_t length, uint16_t code,
                         std::span<const uint8_t> data) {
    const auto opt = last_record(buffer.first(length));
    // The OPT record's owner is the root: one zero octet, then TYPE.
    if (!opt || buffer[*opt] != 0 ||
        wire::load_u16(buffer.data() + *opt + 1) != static_cast<uint16_t>(wire::RRType::OPT))
        return 0;
    const size_t added = 4 + data.size();
    const size_t rdlength = wire::load_u16(buffer.data() + *opt + 9) + added;
    if (length + added > buffer.size() || rdlength > UINT16_MAX) return 0;
    uint8_t* at = buffer.data() + length;
    put_u16(at, code);
    put_u16(at + 2, data.size());
    std::copy(data.begin(), data.end(), at + 4);
    put_u16(buffer.data() + *opt + 9, rdlength);
    return length + added;
}

}  // namespace cairn::server
