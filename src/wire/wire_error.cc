#include "wire/wire_error.h"

namespace cairn::wire {

std::string_view to_string(WireError error) {
    switch (error) {
        case WireError::kTruncated: return "message truncated";
        case WireError::kLabelTooLong: return "label too long or of a reserved type";
        case WireError::kNameTooLong: return "name longer than 255 octets";
        case WireError::kBadPointer: return "bad compression pointer";
        case WireError::kBadRdata: return "malformed RDATA";
        case WireError::kRdlengthMismatch: return "RDATA does not match RDLENGTH";
        case WireError::kTrailingData: return "trailing data after message";
        case WireError::kBadOpt: return "malformed or misplaced OPT record";
        case WireError::kNoSpace: return "no space left in output buffer";
    }
    return "unknown wire error";
}

}  // namespace cairn::wire
