// DNSKEY key tags (RFC 4034 Appendix B).
#pragma once

#include <cstdint>

#include "wire/rdata.h"

namespace cairn::dnssec {

// The key tag of a DNSKEY given as its RDATA (Appendix B.1 for algorithm 1).
uint16_t key_tag(const wire::RData& dnskey);

}  // namespace cairn::dnssec
