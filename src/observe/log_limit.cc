#include "observe/log_limit.h"

#include <string>

namespace cairn::observe {

std::optional<uint64_t> LogLimit::admit(int64_t now) {
    const int64_t minute = now / 60;
    int64_t window = window_.load(std::memory_order_relaxed);
    if (window != minute && window_.compare_exchange_strong(window, minute))
        passed_.store(0, std::memory_order_relaxed);
    if (passed_.fetch_add(1, std::memory_order_relaxed) >= per_minute_) {
        held_.fetch_add(1, std::memory_order_relaxed);
        return std::nullopt;
    }
    return held_.exchange(0, std::memory_order_relaxed);
}

std::optional<uint64_t> LogLimit::admit() {
    const auto since = std::chrono::steady_clock::now().time_since_epoch();
    return admit(std::chrono::duration_cast<std::chrono::seconds>(since).count());
}

std::string held_back(uint64_t count) {
    if (count == 0) return {};
    return " (" + std::to_string(count) + " similar line" + (count == 1 ? "" : "s") + " held back)";
}

}  // namespace cairn::observe
