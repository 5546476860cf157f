// A domain name in uncompressed wire form, stored inline (no heap).
// Case is preserved as received; comparison and hashing ignore ASCII case
// (RFC 4343).
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "wire/buffer.h"
#include "wire/result.h"

namespace cairn::wire {

class Name {
public:
    static constexpr size_t kMaxWireLength = 255;
    static constexpr size_t kMaxLabelLength = 63;
    // A name has at most 128 labels counting the root (255 octets, each
    // label at least 2 but the root 1), and an encoder that never points at
    // a pointer needs at most one pointer per label: more is never a name
    // anyone wrote, and without a cap a chain of pointers each 2 octets back
    // costs ~8,000 steps (14-bit offsets) per name, for every name in the
    // message that points into it.
    static constexpr size_t kMaxPointerHops = 128;

    // The root name ".".
    Name() { wire_[0] = 0; }
    Name(const Name& other) { copy_from(other); }
    Name& operator=(const Name& other) {
        copy_from(other);
        return *this;
    }

    static Name root() { return Name(); }

    // Reads a possibly compressed name at the reader's position (RFC 1035
    // §4.1.4) and advances past it. Pointers must point strictly backwards,
    // so a malicious message cannot make this loop, and at most
    // kMaxPointerHops of them are followed (kBadPointer beyond).
    static WireResult<Name> parse(Reader& reader);

    // Validates an uncompressed wire-format name that must fill `data` exactly.
    static WireResult<Name> from_wire(std::span<const uint8_t> data);

    // Presentation format with `\.` and `\DDD` escapes (RFC 1035 §5.1). A name
    // without a final dot is relative to `origin`.
    static Result<Name, TextError> from_text(std::string_view text, const Name& origin = Name());

    std::span<const uint8_t> wire() const { return {wire_.data(), length_}; }
    size_t wire_length() const { return length_; }
    // Number of labels, not counting the root label.
    size_t label_count() const { return labels_; }
    bool is_root() const { return length_ == 1; }
    bool is_wildcard() const { return length_ > 1 && wire_[0] == 1 && wire_[1] == '*'; }

    // Label i counted from the left (0 = leftmost), without its length octet.
    std::span<const uint8_t> label(size_t i) const;

    // The name with the leftmost label removed; the root's parent is the root.
    Name parent() const;
    // The rightmost `labels` labels of this name (all of it if it has fewer).
    Name suffix(size_t labels) const;
    // This name with `label` prepended (e.g. "*" to form a wildcard).
    WireResult<Name> prepend(std::span<const uint8_t> label) const;
    // This name with `origin` appended; this name must not end at the root.
    // Used for relative names.
    WireResult<Name> concatenate(const Name& origin) const;

    // True when this name equals `ancestor` or lies below it.
    bool is_subdomain_of(const Name& ancestor) const;
    // Number of rightmost labels the two names share.
    size_t common_labels(const Name& other) const;

    Name lowercased() const;
    void to_lower();

    bool operator==(const Name& other) const;
    // Case-sensitive equality, for the rare places where case matters (0x20).
    bool identical(const Name& other) const;
    // Case-insensitive equality with an uncompressed wire-form name, for
    // caches that keep names as bare octets.
    bool equals_wire(std::span<const uint8_t> other) const;

    // Case-insensitive hash, stable across runs (name_hash of the wire form).
    uint64_t hash() const;

    // Canonical DNS name order (RFC 4034 §6.1).
    static int canonical_compare(const Name& a, const Name& b);
    std::strong_ordering operator<=>(const Name& other) const {
        return canonical_compare(*this, other) <=> 0;
    }

    std::string to_text() const;
    void append_text(std::string& out) const;

    // Uncompressed wire form.
    WireStatus write(Writer& writer) const { return writer.bytes(wire()); }

private:
    void copy_from(const Name& other);
    // Offsets of each label's length octet, leftmost first; returns the count.
    size_t label_offsets(std::array<uint8_t, 128>& offsets) const;

    std::array<uint8_t, kMaxWireLength> wire_;
    uint8_t length_ = 1;
    uint8_t labels_ = 0;
};

inline uint8_t ascii_lower(uint8_t c) {
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

// Whether two wire-form names are equal, ignoring ASCII case.
inline bool wire_names_equal(std::span<const uint8_t> a, std::span<const uint8_t> b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (a[i] != b[i] && ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

// FNV-1a over the lower-cased octets of a wire-form name: Name::hash, for
// names kept as bare octets.
inline uint64_t name_hash(std::span<const uint8_t> wire) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (const uint8_t c : wire) {
        h ^= ascii_lower(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

struct NameHash {
    size_t operator()(const Name& name) const { return name.hash(); }
};

}  // namespace cairn::wire
