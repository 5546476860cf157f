// Internal to the cache layer: a reader-writer lock that serves a waiting
// writer before readers that come after it. std::shared_mutex is glibc's
// default rwlock, which prefers readers: with every worker looking things
// up, an insert could wait as long as lookups keep overlapping, stalling
// the event loop of the worker that makes it.
#pragma once

#include <pthread.h>

namespace cairn::cache::detail {

// Meets the SharedMutex requirements that std::unique_lock and
// std::shared_lock use. Not recursive: a thread holding it shared must not
// take it shared again (a waiting writer would block the second lock).
class RwMutex {
public:
    RwMutex() {
        pthread_rwlockattr_t attr;
        pthread_rwlockattr_init(&attr);
        pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&lock_, &attr);
        pthread_rwlockattr_destroy(&attr);
    }
    ~RwMutex() { pthread_rwlock_destroy(&lock_); }
    RwMutex(const RwMutex&) = delete;
    RwMutex& operator=(const RwMutex&) = delete;

    void lock() { pthread_rwlock_wrlock(&lock_); }
    void unlock() { pthread_rwlock_unlock(&lock_); }
    void lock_shared() { pthread_rwlock_rdlock(&lock_); }
    void unlock_shared() { pthread_rwlock_unlock(&lock_); }

private:
    pthread_rwlock_t lock_;
};

}  // namespace cairn::cache::detail
