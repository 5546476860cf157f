#include "wire/rdata.h"

#include "wire/rdata_schema.h"

namespace cairn::wire {

namespace {

WireResult<size_t> fixed(size_t n, std::span<const uint8_t> data) {
    if (data.size() < n) return fail(WireError::kRdlengthMismatch);
    return n;
}

WireResult<size_t> name_length(std::span<const uint8_t> data) {
    size_t pos = 0;
    for (;;) {
        if (pos >= data.size()) return fail(WireError::kRdlengthMismatch);
        const uint8_t len = data[pos];
        if (len > Name::kMaxLabelLength) return fail(WireError::kLabelTooLong);
        pos += 1 + len;
        if (pos > Name::kMaxWireLength) return fail(WireError::kNameTooLong);
        if (len == 0) return pos;
    }
}

WireResult<size_t> counted(std::span<const uint8_t> data, size_t min_length) {
    if (data.empty()) return fail(WireError::kRdlengthMismatch);
    if (data[0] < min_length) return fail(WireError::kBadRdata);
    return fixed(1 + size_t{data[0]}, data);
}

// RFC 4034 §4.1.2: window blocks in increasing order, 1..32 octets each.
WireResult<size_t> type_bitmap_length(std::span<const uint8_t> data) {
    size_t pos = 0;
    int last_window = -1;
    while (pos < data.size()) {
        if (data.size() - pos < 2) return fail(WireError::kBadRdata);
        const int window = data[pos];
        const size_t len = data[pos + 1];
        if (window <= last_window || len == 0 || len > 32) return fail(WireError::kBadRdata);
        if (data.size() - pos - 2 < len) return fail(WireError::kBadRdata);
        last_window = window;
        pos += 2 + len;
    }
    return pos;
}

// RFC 9460 §2.2: keys strictly increasing; the fixed-format keys checked.
WireResult<size_t> svc_params_length(std::span<const uint8_t> data) {
    size_t pos = 0;
    long last_key = -1;
    while (pos < data.size()) {
        if (data.size() - pos < 4) return fail(WireError::kBadRdata);
        const uint16_t key = load_u16(&data[pos]);
        const size_t len = load_u16(&data[pos + 2]);
        if (static_cast<long>(key) <= last_key) return fail(WireError::kBadRdata);
        if (data.size() - pos - 4 < len) return fail(WireError::kBadRdata);
        const auto value = data.subspan(pos + 4, len);
        bool ok = true;
        switch (key) {
            case 0: ok = len > 0 && len % 2 == 0; break;  // mandatory
            case 1: {                                     // alpn
                size_t p = 0;
                ok = len > 0;
                while (ok && p < len) {
                    ok = value[p] > 0 && p + 1 + value[p] <= len;
                    p += 1 + value[p];
                }
                break;
            }
            case 2: ok = len == 0; break;                  // no-default-alpn
            case 3: ok = len == 2; break;                  // port
            case 4: ok = len > 0 && len % 4 == 0; break;   // ipv4hint
            case 6: ok = len > 0 && len % 16 == 0; break;  // ipv6hint
            default: break;
        }
        if (!ok) return fail(WireError::kBadRdata);
        last_key = key;
        pos += 4 + len;
    }
    return pos;
}

}  // namespace

WireResult<size_t> field_length(FieldKind kind, std::span<const uint8_t> data) {
    switch (kind) {
        case FieldKind::kU8:
        case FieldKind::kAlgorithm: return fixed(1, data);
        case FieldKind::kU16:
        case FieldKind::kRRType: return fixed(2, data);
        case FieldKind::kU32:
        case FieldKind::kTime:
        case FieldKind::kIpv4: return fixed(4, data);
        case FieldKind::kIpv6: return fixed(16, data);
        case FieldKind::kName: return name_length(data);
        case FieldKind::kCharString:
        case FieldKind::kSalt: return counted(data, 0);
        case FieldKind::kHashBase32:
        case FieldKind::kCaaTag: return counted(data, 1);
        case FieldKind::kCharStrings: {
            if (data.empty()) return fail(WireError::kBadRdata);
            size_t pos = 0;
            while (pos < data.size()) {
                auto n = counted(data.subspan(pos), 0);
                if (!n) return n;
                pos += *n;
            }
            return pos;
        }
        case FieldKind::kTypeBitmap: return type_bitmap_length(data);
        case FieldKind::kSvcParams: return svc_params_length(data);
        case FieldKind::kHexRest:
        case FieldKind::kBase64Rest:
        case FieldKind::kCaaValue:
        case FieldKind::kOpaque: return data.size();
    }
    return fail(WireError::kBadRdata);
}

WireResult<RData> RData::parse(Reader& reader, RRType type, uint16_t rdlength) {
    const size_t start = reader.offset();
    if (reader.remaining() < rdlength) return fail(WireError::kTruncated);
    const size_t end = start + rdlength;
    const auto& schema = schema_for(type);
    RData rdata;
    rdata.bytes_.reserve(rdlength);
    for (FieldKind kind : schema.fields) {
        if (kind == FieldKind::kName) {
            auto name = Name::parse(reader);
            if (!name) return fail(name.error());
            if (reader.offset() > end) return fail(WireError::kRdlengthMismatch);
            const auto wire = name->wire();
            rdata.bytes_.insert(rdata.bytes_.end(), wire.begin(), wire.end());
            continue;
        }
        const auto rest = reader.message().subspan(reader.offset(), end - reader.offset());
        auto len = field_length(kind, rest);
        if (!len) return fail(len.error());
        rdata.bytes_.insert(rdata.bytes_.end(), rest.begin(), rest.begin() + *len);
        reader.seek(reader.offset() + *len);
    }
    if (reader.offset() != end) return fail(WireError::kRdlengthMismatch);
    return rdata;
}

WireResult<RData> RData::from_wire(RRType type, std::span<const uint8_t> data) {
    size_t pos = 0;
    for (FieldKind kind : schema_for(type).fields) {
        auto len = field_length(kind, data.subspan(pos));
        if (!len) return fail(len.error());
        pos += *len;
    }
    if (pos != data.size()) return fail(WireError::kRdlengthMismatch);
    return from_trusted_bytes(std::vector<uint8_t>(data.begin(), data.end()));
}

WireStatus RData::write(Writer& writer, RRType type, NameCompressor* compressor) const {
    const auto& schema = schema_for(type);
    if (!schema.compress || compressor == nullptr) return writer.bytes(bytes_);
    const std::span<const uint8_t> data = bytes_;
    size_t pos = 0;
    for (FieldKind kind : schema.fields) {
        auto len = field_length(kind, data.subspan(pos));
        if (!len) return fail(len.error());
        const auto field = data.subspan(pos, *len);
        if (kind == FieldKind::kName) {
            auto name = Name::from_wire(field);
            if (!name) return fail(name.error());
            if (auto st = compressor->write(writer, *name); !st) return st;
        } else if (auto st = writer.bytes(field); !st) {
            return st;
        }
        pos += *len;
    }
    return {};
}

RData RData::canonical(RRType type) const {
    RData out(*this);
    const auto& schema = schema_for(type);
    if (!schema.canonical_lowercase) return out;
    const std::span<const uint8_t> data = bytes_;
    size_t pos = 0;
    for (FieldKind kind : schema.fields) {
        auto len = field_length(kind, data.subspan(pos));
        if (!len) break;
        if (kind == FieldKind::kName) {
            // Length octets are never ASCII capitals, so the whole field can
            // be lower-cased byte by byte.
            for (size_t i = pos; i < pos + *len; ++i)
                out.bytes_[i] = ascii_lower(out.bytes_[i]);
        }
        pos += *len;
    }
    return out;
}

}  // namespace cairn::wire
