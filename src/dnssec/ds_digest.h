// DS records: digests of DNSKEYs (RFC 4034 §5.1.4, RFC 4509, RFC 6605).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "wire/name.h"
#include "wire/rdata.h"
#include "wire/typed_rdata.h"

namespace cairn::dnssec {

// digest(canonical owner name | DNSKEY RDATA); nullopt for an unsupported
// digest type.
std::optional<std::vector<uint8_t>> ds_digest(const wire::Name& owner, const wire::RData& dnskey,
                                              uint8_t digest_type);

// The DS names this DNSKEY: key tag, algorithm and digest all agree.
bool ds_matches(const wire::DsData& ds, const wire::Name& owner, const wire::RData& dnskey);

}  // namespace cairn::dnssec
