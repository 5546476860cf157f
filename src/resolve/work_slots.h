// The resolutions one worker runs at once (its share of max-inflight):
// clients' requests and the resolver's own background work (prefetches,
// serve-stale refreshes) count alike, so that neither can grow without
// bound. Used by that worker's thread alone: no lock.
#pragma once

#include <cstdint>
#include <utility>

namespace cairn::resolve {

class WorkSlots {
public:
    explicit WorkSlots(uint64_t limit) : limit_(limit) {}
    WorkSlots(const WorkSlots&) = delete;
    WorkSlots& operator=(const WorkSlots&) = delete;

    // A slot for a client's request; false when every slot is taken.
    bool try_take() {
        if (running_ >= limit_) return false;
        ++running_;
        return true;
    }
    // A slot for background work, which never takes the last quarter of
    // them: clients keep room when refreshes pile up.
    bool try_take_background() {
        if (running_ >= limit_ - limit_ / 4) return false;
        ++running_;
        return true;
    }
    void give_back() { --running_; }

    uint64_t running() const { return running_; }
    uint64_t limit() const { return limit_; }

private:
    const uint64_t limit_;
    uint64_t running_ = 0;
};

// A slot held by one piece of background work, given back when it ends
// (also when its coroutine is destroyed unfinished at shutdown). Empty when
// no WorkSlots were shared with the resolver.
class BackgroundSlot {
public:
    BackgroundSlot() = default;
    explicit BackgroundSlot(WorkSlots* slots) : slots_(slots) {}
    BackgroundSlot(BackgroundSlot&& other) noexcept
        : slots_(std::exchange(other.slots_, nullptr)) {}
    BackgroundSlot& operator=(BackgroundSlot&& other) noexcept {
        if (this != &other) {
            release();
            slots_ = std::exchange(other.slots_, nullptr);
        }
        return *this;
    }
    ~BackgroundSlot() { release(); }

private:
    void release() {
        if (slots_) slots_->give_back();
        slots_ = nullptr;
    }

    WorkSlots* slots_ = nullptr;
};

}  // namespace cairn::resolve
