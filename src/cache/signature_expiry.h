// When the RRSIGs over some data stop being valid: the end of the data's
// life as signed data, stale or not (RFC 8767 §4 with RFC 4035 §5.3.1).
#pragma once

#include <cstdint>
#include <optional>
#include <span>

#include "wire/rdata.h"
#include "wire/record.h"

namespace cairn::cache {

// The earliest expiration among the RRSIG RDATA, as a wall-clock second
// near `now` (RFC 4034 §3.1.5 serial arithmetic); nullopt without any.
std::optional<int64_t> earliest_signature_expiry(std::span<const wire::RData> signatures,
                                                 int64_t now);
// The same over the RRSIG records among `records`.
std::optional<int64_t> earliest_signature_expiry(std::span<const wire::Record> records,
                                                 int64_t now);

}  // namespace cairn::cache
