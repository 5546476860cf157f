#include "logging.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace cairn::daemon {

Result<std::shared_ptr<spdlog::logger>, TextError> make_logger(const std::string& file) {
    if (file.empty()) return spdlog::stderr_color_mt("cairn");
    try {
        auto logger = spdlog::basic_logger_mt("cairn", file);
        // Lines reach the file as they are written (below debug), so that
        // `tail -f` and a crash leave nothing behind.
        logger->flush_on(spdlog::level::info);
        return logger;
    } catch (const spdlog::spdlog_ex& e) {
        return text_error("log-file " + file + ": cannot open: " + e.what());
    }
}

std::string validation_state(const resolve::ResolverOptions& options) {
    if (!options.dnssec.enabled) return "DNSSEC validation off (dnssec: false)";
    const auto& anchors = options.dnssec.anchors.all();
    if (anchors.empty()) return "DNSSEC validation on, but no trust anchor: every answer insecure";
    std::string zones;
    for (const auto& anchor : anchors) {
        if (!zones.empty()) zones += ", ";
        zones += anchor.zone.to_text() + " (" + std::to_string(anchor.ds.rdatas.size()) + " DS, " +
                 std::to_string(anchor.dnskeys.rdatas.size()) + " DNSKEY)";
    }
    std::string state = "DNSSEC validation on; trust anchors: " + zones;
    if (!options.dnssec.negative_trust_anchors.empty())
        state += "; " + std::to_string(options.dnssec.negative_trust_anchors.size()) +
                 " negative trust anchor(s)";
    return state;
}

}  // namespace cairn::daemon
