#include "query_log_writer.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace cairn::daemon {

QueryLogWriter::QueryLogWriter()
    // Not registered with spdlog: one per daemon, never looked up by name.
    : logger_(std::make_shared<spdlog::logger>("query",
                                               std::make_shared<spdlog::sinks::stderr_sink_mt>())) {
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::level::info);
    logger_->flush_on(spdlog::level::info);
}

void QueryLogWriter::write(std::string_view line) {
    // As it is: a name may hold braces, which must not be read as a format.
    logger_->log(spdlog::level::info, spdlog::string_view_t(line.data(), line.size()));
}

}  // namespace cairn::daemon
