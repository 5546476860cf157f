// RDATA of one resource record, held in uncompressed wire form: the form the
// cache stores, DNSSEC canonicalises and every other view is made from.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "wire/buffer.h"
#include "wire/compressor.h"
#include "wire/name.h"
#include "wire/rdata_schema.h"
#include "wire/text_tokens.h"
#include "wire/types.h"

namespace cairn::wire {

class RData {
public:
    RData() = default;

    // Reads `rdlength` octets of RDATA of `type` at the reader's position,
    // expanding compressed names and checking the type's format. The fields
    // must fill RDLENGTH exactly.
    static WireResult<RData> parse(Reader& reader, RRType type, uint16_t rdlength);
    // Checks uncompressed RDATA against the type's format.
    static WireResult<RData> from_wire(RRType type, std::span<const uint8_t> data);

    // Presentation format (RFC 1035 §5.1, and each type's RFC; RFC 3597 `\#`
    // for types without a typed format). Relative names use `origin`.
    static Result<RData, TextError> from_text(RRType type, std::span<const Token> tokens,
                                              const Name& origin);
    std::string to_text(RRType type) const;
    void append_text(std::string& out, RRType type) const;

    std::span<const uint8_t> bytes() const { return bytes_; }
    size_t size() const { return bytes_.size(); }

    // Writes the RDATA (without RDLENGTH), compressing names where the type
    // allows it and `compressor` is given.
    WireStatus write(Writer& writer, RRType type, NameCompressor* compressor) const;

    // Canonical form for DNSSEC (RFC 4034 §6.2, RFC 6840 §5.1).
    RData canonical(RRType type) const;

    bool operator==(const RData& other) const = default;

    // Builds RDATA from bytes already known to be valid uncompressed RDATA.
    static RData from_trusted_bytes(std::vector<uint8_t> bytes) {
        RData r;
        r.bytes_ = std::move(bytes);
        return r;
    }

private:
    std::vector<uint8_t> bytes_;
};

// Length of the field of `kind` at the start of `data` (uncompressed RDATA),
// checking its format; kNameTooLong etc. on a malformed field.
WireResult<size_t> field_length(FieldKind kind, std::span<const uint8_t> data);

}  // namespace cairn::wire
