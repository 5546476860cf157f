// Where iteration starts: the root servers' names and addresses (RFC 8109
// priming starts from these and replaces them with what the root says).
#pragma once

#include <string>
#include <vector>

#include "wire/ip_address.h"
#include "wire/name.h"
#include "wire/record.h"
#include "wire/result.h"

namespace cairn::resolve {

struct RootHints {
    std::vector<wire::Record> ns;         // ". NS x" records
    std::vector<wire::Record> addresses;  // A/AAAA of the NS names

    // The IANA root hints built into Cairn.
    static RootHints builtin();
    // A zone-file style hints file (like IANA's named.root). It must name at
    // least one root server with an address.
    static Result<RootHints, TextError> from_file(const std::string& path);
    static Result<RootHints, TextError> from_text(std::string_view text, std::string_view source);
};

}  // namespace cairn::resolve
