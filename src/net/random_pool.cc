#include "net/random_pool.h"

#include <openssl/rand.h>
#include <stdlib.h>

#include <cstring>

namespace cairn::net {

void RandomPool::refill() {
    // RAND_bytes uses this thread's own DRBG instance (OpenSSL 3): no lock
    // shared with other workers. Should it ever fail, the kernel's
    // generator (arc4random, getrandom underneath) never does.
    if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1)
        arc4random_buf(pool_.data(), pool_.size());
    used_ = 0;
}

void RandomPool::take(uint8_t* out, size_t n) {
    if (pool_.size() - used_ < n) refill();
    std::memcpy(out, pool_.data() + used_, n);
    // Bits handed out are not kept: a later copy of the pool tells nothing
    // of them.
    std::memset(pool_.data() + used_, 0, n);
    used_ += n;
}

uint16_t RandomPool::u16() {
    uint16_t value = 0;
    take(reinterpret_cast<uint8_t*>(&value), sizeof value);
    return value;
}

uint64_t RandomPool::u64() {
    uint64_t value = 0;
    take(reinterpret_cast<uint8_t*>(&value), sizeof value);
    return value;
}

uint32_t RandomPool::below(uint32_t n) {
    // Rejection sampling: values in the incomplete last span would favour
    // the low results.
    const uint64_t span = uint64_t{1} << 32;
    const uint64_t limit = span - span % n;
    for (;;) {
        uint32_t value = 0;
        take(reinterpret_cast<uint8_t*>(&value), sizeof value);
        if (value < limit) return static_cast<uint32_t>(value % n);
    }
}

}  // namespace cairn::net
