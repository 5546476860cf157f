// DNSKEY sets fetched ahead (Iterator::fetch_keys_early), per worker: those
// under way, which a validator waits for, and those finished but not yet
// looked at, kept with the server that answered, so that keys failing
// validation are asked of another server of the zone rather than judged
// from an anonymous cached copy.
#pragma once

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <string>
#include <utility>

#include "resolve/inflight.h"
#include "resolve/lookup_result.h"

namespace cairn::resolve {

struct EarlyKeyFetches {
    using Time = std::chrono::steady_clock::time_point;
    // Finished fetches kept at most, and for how long: a zone's keys are
    // normally looked at within a round trip of their arrival. Failures are
    // not kept: the validator asks for itself, and a server that was down
    // a moment ago may answer now.
    static constexpr size_t kKept = 64;
    static constexpr std::chrono::seconds kKeptFor{5};

    struct Finished {
        std::string key;
        LookupResult result;
        Time at;
    };

    InflightTable<LookupResult> running;
    std::deque<Finished> finished;

    void keep(std::string key, LookupResult result, Time now) {
        if (result.error) return;
        if (finished.size() >= kKept) finished.pop_front();
        finished.push_back({std::move(key), std::move(result), now});
    }

    std::optional<LookupResult> take(const std::string& key, Time now) {
        while (!finished.empty() && now - finished.front().at > kKeptFor)
            finished.pop_front();
        auto it = std::find_if(finished.begin(), finished.end(),
                               [&](const Finished& entry) { return entry.key == key; });
        if (it == finished.end()) return std::nullopt;
        auto result = std::move(it->result);
        finished.erase(it);
        return result;
    }
};

}  // namespace cairn::resolve
