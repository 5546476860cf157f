// Where the query log's lines go (`log-queries`, observe/query_log.h): the
// daemon's log stream (standard error), through a logger of their own with
// no pattern of its own, since each line carries its time, and at info
// level whatever `log-level` says: an operator who turned the query log on
// wants its lines.
#pragma once

#include <spdlog/logger.h>

#include <memory>
#include <string_view>

#include "observe/query_log.h"

namespace cairn::daemon {

class QueryLogWriter final : public observe::QueryLogSink {
public:
    QueryLogWriter();
    // Thread-safe: the sink takes a lock per line.
    void write(std::string_view line) override;

private:
    std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace cairn::daemon
