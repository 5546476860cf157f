// What the answers of a zone transfer come to: the records of AXFR (RFC
// 5936) and IXFR (RFC 1995) responses, fed in order, make either the whole
// zone or the differences from the version we hold. Pure: no sockets; the
// transfer client (net/zone_transfer.h) feeds it message by message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "wire/message.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::net {

// RFC 1982 serial number arithmetic: whether `a` is later than `b`.
bool serial_newer(uint32_t a, uint32_t b);

// The serial of an SOA record; nullopt when it is not a well-formed SOA.
std::optional<uint32_t> soa_serial(const wire::Record& soa);

// One step of an incremental transfer: from the version with `from`'s SOA
// to the version with `to`'s, `removed` leaves and `added` comes in (RFC
// 1995 §4). The SOA records themselves are not in either list.
struct ZoneDiff {
    wire::Record from;
    wire::Record to;
    std::vector<wire::Record> removed;
    std::vector<wire::Record> added;
};

struct ZoneTransfer {
    enum class Kind : uint8_t {
        kUpToDate,     // IXFR: the primary has nothing newer (only its SOA came)
        kFull,         // the whole zone in `records` (AXFR, or IXFR answered in full)
        kIncremental,  // `diffs`, oldest first, from the serial we asked with
    };
    Kind kind = Kind::kFull;
    // The primary's SOA: that of the version now served.
    wire::Record soa;
    // kFull: every record of the zone, the SOA first and only once.
    std::vector<wire::Record> records;
    std::vector<ZoneDiff> diffs;
    // Whether an IXFR was refused (or could not be used) and AXFR was done.
    bool fell_back_to_axfr = false;
    size_t messages = 0;
    size_t bytes = 0;
    // Records outside the zone or of another class: dropped (RFC 5936 §3.5).
    size_t ignored = 0;
};

// Reads the answer records of one transfer and knows when it is complete.
class TransferReader {
public:
    // `have_serial`: the serial an IXFR asked from (nullopt for AXFR).
    TransferReader(const wire::Name& zone, std::optional<uint32_t> have_serial, size_t max_records);

    // The answer section of the next message; an error ends the transfer.
    Status<TextError> add_message(const wire::Message& message);
    bool complete() const { return state_ == State::kDone; }
    // The result; only once complete().
    ZoneTransfer take() { return std::move(result_); }

private:
    enum class State : uint8_t { kFirst, kSecond, kFull, kDeleting, kAdding, kDone };
    Status<TextError> add(const wire::Record& record);
    Status<TextError> add_second(const wire::Record& record);
    Status<TextError> add_full(const wire::Record& record);
    Status<TextError> add_soa_in_diff(const wire::Record& soa);

    wire::Name zone_;
    std::optional<uint32_t> have_serial_;
    size_t max_records_;
    size_t records_ = 0;
    uint32_t final_serial_ = 0;
    State state_ = State::kFirst;
    ZoneTransfer result_;
};

// The records of a zone after `diffs` are applied in order to `zone` (the
// previous version's records, its SOA among them). A record to remove that
// is not there, or a diff that does not start at the current SOA's serial,
// is an error: the caller then asks for the whole zone.
Result<std::vector<wire::Record>, TextError> apply_diffs(std::vector<wire::Record> zone,
                                                         std::span<const ZoneDiff> diffs);

}  // namespace cairn::net
