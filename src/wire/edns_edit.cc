#include "wire/edns_edit.h"

#include <algorithm>
#include <cstring>

#include "wire/buffer.h"
#include "wire/edns.h"
#include "wire/header.h"

namespace cairn::wire {

namespace {

constexpr uint16_t kTypeOpt = 41;
constexpr size_t kOptionHeader = 4;  // code, length

// Moves `reader` past one owner name (labels, or a compression pointer).
bool skip_name(Reader& reader) {
    for (;;) {
        const auto length = reader.u8();
        if (!length) return false;
        if (*length == 0) return true;
        if ((*length & 0xC0) == 0xC0) return static_cast<bool>(reader.skip(1));
        if ((*length & 0xC0) != 0) return false;
        if (!reader.skip(*length)) return false;
    }
}

// One resource record as offsets into the message.
struct RecordAt {
    uint16_t type = 0;
    size_t ttl_offset = 0;
    size_t rdlength_offset = 0;
    size_t rdata_end = 0;
};

// Calls `visit(RecordAt)` for every record of every section, in order.
// False when the message does not walk to its end.
template <class Visit>
bool walk_records(std::span<const uint8_t> message, Visit&& visit) {
    if (message.size() < Header::kSize) return false;
    const uint8_t* p = message.data();
    const size_t questions = load_u16(p + 4);
    const size_t records = size_t{load_u16(p + 6)} + load_u16(p + 8) + load_u16(p + 10);
    Reader reader(message, Header::kSize);
    for (size_t i = 0; i < questions; ++i)
        if (!skip_name(reader) || !reader.skip(4)) return false;
    for (size_t i = 0; i < records; ++i) {
        if (!skip_name(reader)) return false;
        RecordAt record;
        const auto type = reader.u16();
        if (!type || !reader.skip(2)) return false;
        record.type = *type;
        record.ttl_offset = reader.offset();
        if (!reader.skip(4)) return false;
        record.rdlength_offset = reader.offset();
        const auto rdlength = reader.u16();
        if (!rdlength || !reader.skip(*rdlength)) return false;
        record.rdata_end = reader.offset();
        visit(record);
    }
    return reader.at_end();
}

std::optional<RecordAt> find_opt(std::span<const uint8_t> message) {
    std::optional<RecordAt> opt;
    const bool walked = walk_records(message, [&](const RecordAt& record) {
        if (record.type == kTypeOpt) opt = record;
    });
    return walked ? opt : std::nullopt;
}

// Inserts an option header for `code` with `size` octets of data at the end
// of the OPT record's RDATA and fixes its RDLENGTH. Returns where the data
// goes, or nullptr when the message has no OPT record, does not walk, or
// would outgrow `max_size` or `buffer`.
uint8_t* make_room_for_option(std::span<uint8_t> buffer, size_t length, size_t max_size,
                              uint16_t code, size_t size) {
    if (length > buffer.size()) return nullptr;
    const auto opt = find_opt(std::span<const uint8_t>(buffer).first(length));
    if (!opt) return nullptr;
    const size_t added = kOptionHeader + size;
    const size_t rdlength = load_u16(buffer.data() + opt->rdlength_offset);
    if (length + added > std::min(max_size, buffer.size()) || rdlength + added > 65535)
        return nullptr;
    // The OPT record is usually last; if not, what follows it moves along.
    uint8_t* at = buffer.data() + opt->rdata_end;
    std::memmove(at + added, at, length - opt->rdata_end);
    at[0] = static_cast<uint8_t>(code >> 8);
    at[1] = static_cast<uint8_t>(code);
    at[2] = static_cast<uint8_t>(size >> 8);
    at[3] = static_cast<uint8_t>(size);
    const size_t new_rdlength = rdlength + added;
    buffer[opt->rdlength_offset] = static_cast<uint8_t>(new_rdlength >> 8);
    buffer[opt->rdlength_offset + 1] = static_cast<uint8_t>(new_rdlength);
    return at + kOptionHeader;
}

}  // namespace

StreamEdnsOptions stream_edns_options(std::span<const uint8_t> query) {
    StreamEdnsOptions seen;
    const auto opt = find_opt(query);
    if (!opt) return seen;
    size_t at = opt->rdlength_offset + 2;
    while (at + kOptionHeader <= opt->rdata_end) {
        const uint16_t code = load_u16(query.data() + at);
        const size_t length = load_u16(query.data() + at + 2);
        if (code == static_cast<uint16_t>(EdnsOptionCode::PADDING)) seen.padding = true;
        if (code == static_cast<uint16_t>(EdnsOptionCode::TCP_KEEPALIVE)) seen.keepalive = true;
        at += kOptionHeader + length;
    }
    return seen;
}

size_t add_edns_option(std::span<uint8_t> buffer, size_t length, size_t max_size, uint16_t code,
                       std::span<const uint8_t> data) {
    uint8_t* at = make_room_for_option(buffer, length, max_size, code, data.size());
    if (at == nullptr) return length;
    if (!data.empty()) std::memcpy(at, data.data(), data.size());
    return length + kOptionHeader + data.size();
}

size_t pad_to_block(std::span<uint8_t> buffer, size_t length, size_t max_size, size_t block) {
    if (block == 0) return length;
    const size_t bare = length + kOptionHeader;
    const size_t fill = (bare + block - 1) / block * block - bare;
    uint8_t* at = make_room_for_option(buffer, length, max_size,
                                       static_cast<uint16_t>(EdnsOptionCode::PADDING), fill);
    if (at == nullptr) return length;
    // RFC 7830 §3: the padding octets are zeros.
    std::memset(at, 0, fill);
    return bare + fill;
}

std::optional<uint32_t> smallest_ttl(std::span<const uint8_t> message) {
    std::optional<uint32_t> smallest;
    const bool walked = walk_records(message, [&](const RecordAt& record) {
        if (record.type == kTypeOpt) return;
        const uint32_t ttl = load_u32(message.data() + record.ttl_offset);
        if (!smallest || ttl < *smallest) smallest = ttl;
    });
    return walked ? smallest : std::nullopt;
}

}  // namespace cairn::wire
