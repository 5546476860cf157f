// DNSKEY sets fetched ahead (Iterator::fetch_keys_early), per worker: those
// under way, which a validator waits for, and those finished but not yet
// looked at, kept with the server that answered, so that keys failing
// validation are asked of another server of the zone rather than judged
// from an anonymous cached copy.
#pragma once

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "resolve/inflight.h"
#include "resolve/lookup_result.h"

namespace cairn::resolve {

struct EarlyKeyFetches {
    // Finished fetches kept at most; the oldest go first (a zone's keys
    // are normally looked at within one round trip of their arrival).
    static constexpr size_t kKept = 64;

    InflightTable<LookupResult> running;
    std::deque<std::pair<std::string, LookupResult>> finished;

    void keep(std::string key, LookupResult result) {
        if (finished.size() >= kKept) finished.pop_front();
        finished.emplace_back(std::move(key), std::move(result));
    }

    std::optional<LookupResult> take(const std::string& key) {
        auto it = std::find_if(finished.begin(), finished.end(),
                               [&](const auto& entry) { return entry.first == key; });
        if (it == finished.end()) return std::nullopt;
        auto result = std::move(it->second);
        finished.erase(it);
        return result;
    }
};

}  // namespace cairn::resolve
