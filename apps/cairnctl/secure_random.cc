#include "cairnctl/secure_random.h"

#include <sys/random.h>

#include <cerrno>
#include <random>

namespace cairn::ctl {

uint16_t random_u16() {
    uint16_t value = 0;
    ssize_t got = 0;
    do {
        got = getrandom(&value, sizeof value, 0);
    } while (got < 0 && errno == EINTR);
    if (got == static_cast<ssize_t>(sizeof value)) return value;
    std::random_device device;
    return static_cast<uint16_t>(device());
}

}  // namespace cairn::ctl
