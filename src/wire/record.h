// One resource record, and the question that asks for records.
#pragma once

#include <cstdint>
#include <string>

#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/types.h"

namespace cairn::wire {

struct Question {
    Name name;
    RRType type = RRType::A;
    RRClass rclass = RRClass::IN;

    bool operator==(const Question&) const = default;
    // "name. IN TYPE"
    std::string to_text() const;
};

struct Record {
    Name owner;
    RRType type = RRType::A;
    RRClass rclass = RRClass::IN;
    uint32_t ttl = 0;
    RData rdata;

    bool operator==(const Record&) const = default;
    // One zone-file line: "owner ttl class type rdata".
    std::string to_text() const;
};

}  // namespace cairn::wire
