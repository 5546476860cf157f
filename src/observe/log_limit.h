// Rate-limited log lines: a flood of failures (an attack, a dead zone) must
// not flood the log. One LogLimit per place in the code that logs; at most
// `per_minute` lines pass in each minute, and the first line after a quiet
// spell says how many were held back.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace cairn::observe {

class LogLimit {
public:
    explicit constexpr LogLimit(uint32_t per_minute) : per_minute_(per_minute) {}

    // Whether a line may be written at `now` (seconds of any steady clock):
    // the count of lines held back since the last one that passed, or
    // nullopt to hold this one back too. Safe from any thread.
    std::optional<uint64_t> admit(int64_t now);
    // The same, now.
    std::optional<uint64_t> admit();

private:
    const uint32_t per_minute_;
    std::atomic<int64_t> window_{-1};  // the minute being counted
    std::atomic<uint32_t> passed_{0};  // lines passed in it
    std::atomic<uint64_t> held_{0};    // held back since the last line that passed
};

// " (N similar lines held back)" for a count above zero, else nothing: the
// tail of a line that passed.
std::string held_back(uint64_t count);

}  // namespace cairn::observe
