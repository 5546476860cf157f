// The dashboard's list of upstream servers (/api/servers): what the
// infrastructure cache estimates of each server's round trip.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "cache/infra_cache.h"

namespace cairn::server {

// {"servers": [{"address": "192.0.2.1", "srtt_ms": 1.25, "rttvar_ms": 0.5,
// "measured": true, "timeouts_in_row": 0}, ...], "total": N}: the `limit`
// fastest measured servers first, then those never measured (ties by
// address), `total` counting all of them.
std::string servers_json(std::vector<cache::ServerEstimate> servers, size_t limit);

}  // namespace cairn::server
