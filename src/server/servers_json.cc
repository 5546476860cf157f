#include "server/servers_json.h"

#include <algorithm>
#include <cstdio>
#include <tuple>

#include "server/json_text.h"

namespace cairn::server {

namespace {

std::string milliseconds(std::chrono::microseconds value) {
    char text[32];
    std::snprintf(text, sizeof(text), "%.3f", static_cast<double>(value.count()) / 1000.0);
    return text;
}

}  // namespace

std::string servers_json(std::vector<cache::ServerEstimate> servers, size_t limit) {
    const auto order = [](const cache::ServerEstimate& a, const cache::ServerEstimate& b) {
        return std::tuple(!a.measured, a.srtt, a.server.to_string()) <
               std::tuple(!b.measured, b.srtt, b.server.to_string());
    };
    const size_t shown = std::min(limit, servers.size());
    std::partial_sort(servers.begin(), servers.begin() + static_cast<std::ptrdiff_t>(shown),
                      servers.end(), order);
    std::string out = "{\"servers\": [";
    for (size_t i = 0; i < shown; ++i) {
        const auto& s = servers[i];
        if (i > 0) out += ", ";
        out += "{\"address\": " + json_string(s.server.to_string());
        out += ", \"srtt_ms\": " + milliseconds(s.srtt);
        out += ", \"rttvar_ms\": " + milliseconds(s.rttvar);
        out += std::string(", \"measured\": ") + (s.measured ? "true" : "false");
        out += ", \"timeouts_in_row\": " + std::to_string(s.timeouts_in_row) + "}";
    }
    out += "], \"total\": " + std::to_string(servers.size()) + "}";
    return out;
}

}  // namespace cairn::server
