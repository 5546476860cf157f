#include "net/transfer_reader.h"

#include <string>
#include <unordered_map>

#include "wire/typed_rdata.h"

namespace cairn::net {

bool serial_newer(uint32_t a, uint32_t b) {
    // RFC 1982 §3.2: a > b when the distance forward from b to a is below 2^31.
    return a != b && static_cast<uint32_t>(a - b) < 0x80000000u;
}

std::optional<uint32_t> soa_serial(const wire::Record& soa) {
    if (soa.type != wire::RRType::SOA) return std::nullopt;
    auto data = wire::SoaData::from(soa.rdata);
    if (!data) return std::nullopt;
    return data->serial;
}

TransferReader::TransferReader(const wire::Name& zone, std::optional<uint32_t> have_serial,
                               size_t max_records)
    : zone_(zone), have_serial_(have_serial), max_records_(max_records) {}

Status<TextError> TransferReader::add_message(const wire::Message& message) {
    ++result_.messages;
    for (const auto& record : message.answers) {
        if (state_ == State::kDone)
            return text_error("records after the closing SOA of " + zone_.to_text());
        if (auto status = add(record); !status) return status;
    }
    // RFC 1995 §4: an IXFR answer that is just the primary's SOA says it has
    // nothing newer than the serial asked with.
    if (state_ == State::kSecond && have_serial_ && !serial_newer(final_serial_, *have_serial_)) {
        result_.kind = ZoneTransfer::Kind::kUpToDate;
        state_ = State::kDone;
    }
    return {};
}

Status<TextError> TransferReader::add(const wire::Record& record) {
    if (record.rclass != wire::RRClass::IN || !record.owner.is_subdomain_of(zone_)) {
        ++result_.ignored;
        return {};
    }
    if (++records_ > max_records_)
        return text_error("transfer of " + zone_.to_text() + " exceeds " +
                          std::to_string(max_records_) + " records");
    const bool is_soa = record.type == wire::RRType::SOA;
    if (is_soa && !soa_serial(record)) return text_error("malformed SOA in the transfer");
    switch (state_) {
        case State::kFirst:
            if (!is_soa || !(record.owner == zone_))
                return text_error("transfer of " + zone_.to_text() +
                                  " does not start with its SOA");
            result_.soa = record;
            final_serial_ = *soa_serial(record);
            state_ = State::kSecond;
            return {};
        case State::kSecond: return add_second(record);
        case State::kFull: return add_full(record);
        case State::kDeleting:
            if (is_soa) {
                result_.diffs.back().to = record;
                state_ = State::kAdding;
                return {};
            }
            result_.diffs.back().removed.push_back(record);
            return {};
        case State::kAdding:
            if (is_soa) return add_soa_in_diff(record);
            result_.diffs.back().added.push_back(record);
            return {};
        case State::kDone: break;
    }
    return text_error("records after the closing SOA of " + zone_.to_text());
}

// The record after the first SOA tells an incremental answer (an SOA with
// the serial we asked from) from a full one (RFC 1995 §4).
Status<TextError> TransferReader::add_second(const wire::Record& record) {
    const auto serial = soa_serial(record);
    if (have_serial_ && serial && *serial == *have_serial_ && *have_serial_ != final_serial_) {
        result_.kind = ZoneTransfer::Kind::kIncremental;
        result_.diffs.push_back(ZoneDiff{record, {}, {}, {}});
        state_ = State::kDeleting;
        return {};
    }
    result_.kind = ZoneTransfer::Kind::kFull;
    result_.records.push_back(result_.soa);
    state_ = State::kFull;
    return add_full(record);
}

Status<TextError> TransferReader::add_full(const wire::Record& record) {
    if (record.type == wire::RRType::SOA && record.owner == zone_) {
        // RFC 5936 §2.2: the closing SOA repeats the first.
        if (*soa_serial(record) != final_serial_)
            return text_error("the SOA serial changed during the transfer of " + zone_.to_text());
        state_ = State::kDone;
        return {};
    }
    result_.records.push_back(record);
    return {};
}

// An SOA after additions either closes the answer (the primary's serial
// again, after the diff that reached it) or starts the next diff from the
// serial the last one reached.
Status<TextError> TransferReader::add_soa_in_diff(const wire::Record& soa) {
    const uint32_t serial = *soa_serial(soa);
    const uint32_t reached = *soa_serial(result_.diffs.back().to);
    if (serial == final_serial_ && reached == final_serial_) {
        state_ = State::kDone;
        return {};
    }
    if (serial != reached)
        return text_error("IXFR of " + zone_.to_text() + ": a difference starts at serial " +
                          std::to_string(serial) + ", the previous one ended at " +
                          std::to_string(reached));
    result_.diffs.push_back(ZoneDiff{soa, {}, {}, {}});
    state_ = State::kDeleting;
    return {};
}

namespace {

// Records are the same when owner (any case), type, class and RDATA are;
// the TTL does not count (RFC 2181 §5).
std::string record_key(const wire::Record& record) {
    // The name and the RDATA are kept: spans into temporaries would dangle.
    const wire::Name owner = record.owner.lowercased();
    std::string key(owner.wire().begin(), owner.wire().end());
    key.push_back(static_cast<char>(static_cast<uint16_t>(record.type) >> 8));
    key.push_back(static_cast<char>(static_cast<uint16_t>(record.type) & 0xff));
    const auto rdata = record.rdata.canonical(record.type);
    key.append(rdata.bytes().begin(), rdata.bytes().end());
    return key;
}

}  // namespace

Result<std::vector<wire::Record>, TextError> apply_diffs(std::vector<wire::Record> zone,
                                                         std::span<const ZoneDiff> diffs) {
    std::unordered_map<std::string, wire::Record> records;
    std::optional<wire::Record> soa;
    for (auto& record : zone) {
        if (record.type == wire::RRType::SOA && !soa) {
            soa = std::move(record);
            continue;
        }
        records.insert_or_assign(record_key(record), std::move(record));
    }
    if (!soa || !soa_serial(*soa)) return text_error("the zone to update has no SOA");
    for (const auto& diff : diffs) {
        if (soa_serial(diff.from) != soa_serial(*soa))
            return text_error("a difference from serial " +
                              std::to_string(soa_serial(diff.from).value_or(0)) +
                              " does not apply to serial " + std::to_string(*soa_serial(*soa)));
        for (const auto& gone : diff.removed) {
            if (records.erase(record_key(gone)) == 0)
                return text_error("IXFR removes a record the zone does not have: " +
                                  gone.to_text());
        }
        for (const auto& added : diff.added)
            records.insert_or_assign(record_key(added), added);
        soa = diff.to;
    }
    std::vector<wire::Record> result;
    result.reserve(records.size() + 1);
    result.push_back(std::move(*soa));
    for (auto& [key, record] : records)
        result.push_back(std::move(record));
    return result;
}

}  // namespace cairn::net
