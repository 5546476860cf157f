// Why a piece of wire data was rejected. Cheap to return on the packet path.
#pragma once

#include <cstdint>
#include <string_view>

#include "wire/result.h"

namespace cairn::wire {

enum class WireError : uint8_t {
    kTruncated,         // data ends before the structure does
    kLabelTooLong,      // label length > 63 or a reserved label type
    kNameTooLong,       // name > 255 octets
    kBadPointer,        // compression pointer not strictly backward, or too many in a name
    kBadRdata,          // RDATA does not match its type's format
    kRdlengthMismatch,  // RDATA fields do not fill RDLENGTH exactly
    kTrailingData,      // bytes after the last section
    kBadOpt,            // OPT record misplaced, duplicated or malformed
    kNoSpace,           // output buffer too small
};

std::string_view to_string(WireError error);

template <class T>
using WireResult = Result<T, WireError>;
using WireStatus = Status<WireError>;

inline Unexpected<WireError> fail(WireError error) {
    return Unexpected<WireError>{error};
}

}  // namespace cairn::wire
