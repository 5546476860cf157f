#include "cache/clock.h"

#include <time.h>

namespace cairn::cache {

int64_t SystemClock::now() const {
    timespec ts{};
    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec;
}

}  // namespace cairn::cache
