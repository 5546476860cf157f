#include "wire/name.h"

#include <cstring>

namespace cairn::wire {

void Name::copy_from(const Name& other) {
    length_ = other.length_;
    labels_ = other.labels_;
    std::memcpy(wire_.data(), other.wire_.data(), length_);
}

WireResult<Name> Name::parse(Reader& reader) {
    const auto message = reader.message();
    Name name;
    size_t pos = reader.offset();
    size_t out = 0;
    size_t labels = 0;
    // Every jump must land strictly before the previous one, so the walk
    // cannot loop, and there are at most kMaxPointerHops jumps, so it costs
    // at most ~256 steps (128 labels, 128 jumps) whatever the input.
    size_t jump_limit = pos;
    bool jumped = false;
    size_t hops = 0;
    for (;;) {
        if (pos >= message.size()) return fail(WireError::kTruncated);
        const uint8_t len = message[pos];
        if ((len & 0xC0) == 0xC0) {
            if (pos + 1 >= message.size()) return fail(WireError::kTruncated);
            const size_t target = static_cast<size_t>(len & 0x3F) << 8 | message[pos + 1];
            if (target >= jump_limit || hops == kMaxPointerHops)
                return fail(WireError::kBadPointer);
            ++hops;
            reader.count_pointer_hop();
            if (!jumped) {
                reader.seek(pos + 2);
                jumped = true;
            }
            jump_limit = target;
            pos = target;
            continue;
        }
        if ((len & 0xC0) != 0) return fail(WireError::kLabelTooLong);
        if (out + 1 + len > kMaxWireLength) return fail(WireError::kNameTooLong);
        if (pos + 1 + len > message.size()) return fail(WireError::kTruncated);
        std::memcpy(name.wire_.data() + out, message.data() + pos, 1 + len);
        out += 1 + len;
        pos += 1 + len;
        if (len == 0) break;
        ++labels;
    }
    if (!jumped) reader.seek(pos);
    name.length_ = static_cast<uint8_t>(out);
    name.labels_ = static_cast<uint8_t>(labels);
    return name;
}

WireResult<Name> Name::from_wire(std::span<const uint8_t> data) {
    if (data.empty()) return fail(WireError::kTruncated);
    if (data.size() > kMaxWireLength) return fail(WireError::kNameTooLong);
    size_t pos = 0;
    size_t labels = 0;
    for (;;) {
        if (pos >= data.size()) return fail(WireError::kTruncated);
        const uint8_t len = data[pos];
        if (len > kMaxLabelLength) return fail(WireError::kLabelTooLong);
        if (pos + 1 + len > data.size()) return fail(WireError::kTruncated);
        pos += 1 + len;
        if (len == 0) break;
        ++labels;
    }
    if (pos != data.size()) return fail(WireError::kTrailingData);
    Name name;
    std::memcpy(name.wire_.data(), data.data(), data.size());
    name.length_ = static_cast<uint8_t>(data.size());
    name.labels_ = static_cast<uint8_t>(labels);
    return name;
}

namespace {

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

Result<Name, TextError> Name::from_text(std::string_view text, const Name& origin) {
    if (text.empty()) return text_error("empty name");
    if (text == ".") return Name();
    Name name;
    size_t out = 0;
    size_t labels = 0;
    std::array<uint8_t, kMaxLabelLength + 1> label{};
    size_t label_len = 0;
    bool absolute = false;
    auto finish_label = [&]() -> bool {
        if (out + 1 + label_len > kMaxWireLength - 1) return false;
        name.wire_[out] = static_cast<uint8_t>(label_len);
        std::memcpy(name.wire_.data() + out + 1, label.data(), label_len);
        out += 1 + label_len;
        ++labels;
        label_len = 0;
        return true;
    };
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        uint8_t byte;
        if (c == '.') {
            if (label_len == 0)
                return text_error("empty label in name '" + std::string(text) + "'");
            if (!finish_label()) return text_error("name too long: '" + std::string(text) + "'");
            if (i + 1 == text.size()) absolute = true;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= text.size()) return text_error("dangling '\\' in name");
            if (is_digit(text[i + 1])) {
                if (i + 3 >= text.size() || !is_digit(text[i + 2]) || !is_digit(text[i + 3]))
                    return text_error("bad \\DDD escape in name '" + std::string(text) + "'");
                int v = (text[i + 1] - '0') * 100 + (text[i + 2] - '0') * 10 + (text[i + 3] - '0');
                if (v > 255) return text_error("\\DDD escape above 255 in name");
                byte = static_cast<uint8_t>(v);
                i += 3;
            } else {
                byte = static_cast<uint8_t>(text[i + 1]);
                i += 1;
            }
        } else {
            byte = static_cast<uint8_t>(c);
        }
        if (label_len == kMaxLabelLength)
            return text_error("label longer than 63 octets in '" + std::string(text) + "'");
        label[label_len++] = byte;
    }
    if (label_len > 0 && !finish_label())
        return text_error("name too long: '" + std::string(text) + "'");
    name.wire_[out++] = 0;
    name.length_ = static_cast<uint8_t>(out);
    name.labels_ = static_cast<uint8_t>(labels);
    if (absolute) return name;
    auto joined = name.concatenate(origin);
    if (!joined) return text_error("name too long: '" + std::string(text) + "'");
    return *joined;
}

size_t Name::label_offsets(std::array<uint8_t, 128>& offsets) const {
    size_t pos = 0;
    size_t n = 0;
    while (wire_[pos] != 0) {
        offsets[n++] = static_cast<uint8_t>(pos);
        pos += 1 + wire_[pos];
    }
    return n;
}

std::span<const uint8_t> Name::label(size_t i) const {
    size_t pos = 0;
    for (size_t k = 0; k < i && wire_[pos] != 0; ++k)
        pos += 1 + wire_[pos];
    return {wire_.data() + pos + 1, wire_[pos]};
}

Name Name::parent() const {
    if (is_root()) return *this;
    Name p;
    const size_t skip = 1 + wire_[0];
    p.length_ = static_cast<uint8_t>(length_ - skip);
    p.labels_ = static_cast<uint8_t>(labels_ - 1);
    std::memcpy(p.wire_.data(), wire_.data() + skip, p.length_);
    return p;
}

Name Name::suffix(size_t labels) const {
    if (labels >= labels_) return *this;
    size_t pos = 0;
    for (size_t k = 0; k < labels_ - labels; ++k)
        pos += 1 + wire_[pos];
    Name s;
    s.length_ = static_cast<uint8_t>(length_ - pos);
    s.labels_ = static_cast<uint8_t>(labels);
    std::memcpy(s.wire_.data(), wire_.data() + pos, s.length_);
    return s;
}

WireResult<Name> Name::prepend(std::span<const uint8_t> label) const {
    if (label.empty() || label.size() > kMaxLabelLength) return fail(WireError::kLabelTooLong);
    if (length_ + 1 + label.size() > kMaxWireLength) return fail(WireError::kNameTooLong);
    Name n;
    n.wire_[0] = static_cast<uint8_t>(label.size());
    std::memcpy(n.wire_.data() + 1, label.data(), label.size());
    std::memcpy(n.wire_.data() + 1 + label.size(), wire_.data(), length_);
    n.length_ = static_cast<uint8_t>(length_ + 1 + label.size());
    n.labels_ = static_cast<uint8_t>(labels_ + 1);
    return n;
}

WireResult<Name> Name::concatenate(const Name& origin) const {
    const size_t own = length_ - 1;  // drop our root label
    if (own + origin.length_ > kMaxWireLength) return fail(WireError::kNameTooLong);
    Name n;
    std::memcpy(n.wire_.data(), wire_.data(), own);
    std::memcpy(n.wire_.data() + own, origin.wire_.data(), origin.length_);
    n.length_ = static_cast<uint8_t>(own + origin.length_);
    n.labels_ = static_cast<uint8_t>(labels_ + origin.labels_);
    return n;
}

namespace {

bool equal_nocase(const uint8_t* a, const uint8_t* b, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    }
    return true;
}

}  // namespace

bool Name::is_subdomain_of(const Name& ancestor) const {
    if (ancestor.labels_ > labels_) return false;
    // Label boundaries align only if we start at a boundary of ours.
    size_t pos = 0;
    for (size_t k = 0; k < static_cast<size_t>(labels_ - ancestor.labels_); ++k)
        pos += 1 + wire_[pos];
    return length_ - pos == ancestor.length_ &&
           equal_nocase(wire_.data() + pos, ancestor.wire_.data(), ancestor.length_);
}

size_t Name::common_labels(const Name& other) const {
    std::array<uint8_t, 128> a{};
    std::array<uint8_t, 128> b{};
    const size_t na = label_offsets(a);
    const size_t nb = other.label_offsets(b);
    size_t common = 0;
    while (common < na && common < nb) {
        const uint8_t* la = wire_.data() + a[na - 1 - common];
        const uint8_t* lb = other.wire_.data() + b[nb - 1 - common];
        if (la[0] != lb[0] || !equal_nocase(la + 1, lb + 1, la[0])) break;
        ++common;
    }
    return common;
}

Name Name::lowercased() const {
    Name n(*this);
    n.to_lower();
    return n;
}

void Name::to_lower() {
    // Length octets are <= 63 and so never in 'A'..'Z'; lower-casing the
    // whole buffer is safe and branch-light.
    for (size_t i = 0; i < length_; ++i)
        wire_[i] = ascii_lower(wire_[i]);
}

bool Name::operator==(const Name& other) const {
    return length_ == other.length_ && labels_ == other.labels_ &&
           equal_nocase(wire_.data(), other.wire_.data(), length_);
}

bool Name::identical(const Name& other) const {
    return length_ == other.length_ && std::memcmp(wire_.data(), other.wire_.data(), length_) == 0;
}

bool Name::equals_wire(std::span<const uint8_t> other) const {
    return wire_names_equal(wire(), other);
}

uint64_t Name::hash() const {
    return name_hash(wire());
}

int Name::canonical_compare(const Name& a, const Name& b) {
    std::array<uint8_t, 128> oa{};
    std::array<uint8_t, 128> ob{};
    const size_t na = a.label_offsets(oa);
    const size_t nb = b.label_offsets(ob);
    for (size_t i = 0; i < na && i < nb; ++i) {
        const uint8_t* la = a.wire_.data() + oa[na - 1 - i];
        const uint8_t* lb = b.wire_.data() + ob[nb - 1 - i];
        const size_t n = la[0] < lb[0] ? la[0] : lb[0];
        for (size_t k = 1; k <= n; ++k) {
            const uint8_t ca = ascii_lower(la[k]);
            const uint8_t cb = ascii_lower(lb[k]);
            if (ca != cb) return ca < cb ? -1 : 1;
        }
        if (la[0] != lb[0]) return la[0] < lb[0] ? -1 : 1;
    }
    if (na == nb) return 0;
    return na < nb ? -1 : 1;
}

namespace {

bool needs_escape(uint8_t c) {
    switch (c) {
        case '.':
        case '\\':
        case '"':
        case ';':
        case '(':
        case ')':
        case '@':
        case '$': return true;
        default: return false;
    }
}

}  // namespace

void Name::append_text(std::string& out) const {
    if (is_root()) {
        out.push_back('.');
        return;
    }
    size_t pos = 0;
    while (wire_[pos] != 0) {
        const uint8_t len = wire_[pos];
        for (size_t k = 1; k <= len; ++k) {
            const uint8_t c = wire_[pos + k];
            if (c < 0x21 || c > 0x7e) {
                out.push_back('\\');
                out.push_back(static_cast<char>('0' + c / 100));
                out.push_back(static_cast<char>('0' + c / 10 % 10));
                out.push_back(static_cast<char>('0' + c % 10));
            } else {
                if (needs_escape(c)) out.push_back('\\');
                out.push_back(static_cast<char>(c));
            }
        }
        out.push_back('.');
        pos += 1 + len;
    }
}

std::string Name::to_text() const {
    std::string s;
    append_text(s);
    return s;
}

}  // namespace cairn::wire
