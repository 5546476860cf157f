// One traced resolution as `cairnctl trace` shows it: the steps the resolver
// recorded (resolve/trace.h) and the answer, as an indented text tree for a
// terminal or as JSON for tools and the dashboard (README, "cairnctl
// trace", documents the JSON).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "resolve/resolver.h"
#include "resolve/trace.h"

namespace cairn::server {

struct TraceReport {
    wire::Question question;
    resolve::Answer answer;
    std::vector<resolve::trace::Step> steps;
    size_t dropped = 0;  // steps beyond Trace::kMaxSteps
    std::chrono::microseconds elapsed{0};
    bool fresh = false;  // the answer was asked upstream even if cached
};

// An indented tree: one line per step, nested steps indented under the
// glueless lookup or key fetch that needed them, then the outcome and the
// answer's records (RRSIGs left out).
std::string trace_text(const TraceReport& report);

// One JSON object (see README.md, "cairnctl trace").
std::string trace_json(const TraceReport& report);

}  // namespace cairn::server
