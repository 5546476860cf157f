// Wall-clock time for TTLs and signature validity. Tests move a FakeClock
// instead of sleeping.
#pragma once

#include <chrono>
#include <cstdint>

namespace cairn::cache {

class Clock {
public:
    virtual ~Clock() = default;
    // Seconds since the epoch. Read through clock_gettime(CLOCK_REALTIME):
    // TTL expiry and signature validity are wall-clock facts, and tools that
    // shift wall time for a process (libfaketime) then apply.
    virtual int64_t now() const = 0;
};

class SystemClock final : public Clock {
public:
    int64_t now() const override;
};

class FakeClock final : public Clock {
public:
    explicit FakeClock(int64_t start = 1'700'000'000) : now_(start) {}
    int64_t now() const override { return now_; }
    void set(int64_t seconds) { now_ = seconds; }
    void advance(int64_t seconds) { now_ += seconds; }

private:
    int64_t now_;
};

// Monotonic time for deadlines, timeouts, RTTs and back-off: never jumps
// with the wall clock. Injected like Clock so resolver tests move time
// instead of sleeping.
using MonotonicTime = std::chrono::steady_clock::time_point;

class MonotonicClock {
public:
    virtual ~MonotonicClock() = default;
    virtual MonotonicTime now() const = 0;
};

class SteadyClock final : public MonotonicClock {
public:
    MonotonicTime now() const override { return std::chrono::steady_clock::now(); }
};

class FakeMonotonicClock final : public MonotonicClock {
public:
    MonotonicTime now() const override { return now_; }
    void advance(std::chrono::milliseconds by) { now_ += by; }

private:
    MonotonicTime now_{std::chrono::hours(1)};
};

}  // namespace cairn::cache
