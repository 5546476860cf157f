#include "server/dashboard.h"

#include <spdlog/spdlog.h>

#include <utility>

#include "observe/log_limit.h"
#include "server/dashboard_assets.h"
#include "server/json_text.h"
#include "wire/name.h"
#include "wire/types.h"

namespace cairn::server {

namespace {

// The page and the API are live figures: never cached; the page runs only
// its own script.
constexpr std::string_view kFields =
    "Cache-Control: no-store\r\n"
    "X-Content-Type-Options: nosniff\r\n";
constexpr std::string_view kPageFields =
    "Content-Security-Policy: default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' "
    "data:\r\n";

net::HttpAnswer now(int status, std::string_view type, std::string body,
                    std::string_view extra = {}) {
    return {{status, std::string(type), std::move(body), std::string(kFields) + std::string(extra)},
            {}};
}

net::HttpAnswer json(int status, std::string body) {
    return now(status, "application/json", std::move(body));
}

net::HttpAnswer json_error(int status, std::string_view message) {
    return json(status, "{\"error\": " + json_string(message) + "}");
}

// Decrements the running count when the trace's callback is called or
// dropped (an abandoned trace frees its place too).
class TraceSlot {
public:
    explicit TraceSlot(std::shared_ptr<std::atomic<size_t>> running)
        : running_(std::move(running)) {
        ++*running_;
    }
    TraceSlot(const TraceSlot&) = delete;
    TraceSlot& operator=(const TraceSlot&) = delete;
    ~TraceSlot() { --*running_; }

private:
    std::shared_ptr<std::atomic<size_t>> running_;
};

}  // namespace

Dashboard::Dashboard(DashboardSources sources, size_t max_traces)
    : sources_(std::move(sources)), max_traces_(max_traces) {}

net::HttpAnswer Dashboard::answer(const net::HttpRequest& request) {
    if (request.path == "/" || request.path == "/index.html")
        return now(200, "text/html; charset=utf-8", std::string(assets::kIndexHtml), kPageFields);
    if (request.path == "/dashboard.js")
        return now(200, "text/javascript; charset=utf-8", std::string(assets::kDashboardJs));
    if (request.path == "/api/servers") return json(200, sources_.servers());
    if (request.path == "/api/trace") return trace(request);
    if (request.path.starts_with("/api/"))
        return json_error(404, "not found: the API has /api/servers and /api/trace");
    return now(404, "text/plain; charset=utf-8",
               "not found: the dashboard is at /, the metrics at /metrics\n");
}

net::HttpAnswer Dashboard::trace(const net::HttpRequest& request) {
    if (!net::has_query_parameter(request.query, "name"))
        return json_error(400, "a name is needed: /api/trace?name=NAME&type=TYPE");
    const auto name_text = net::query_parameter(request.query, "name");
    if (!name_text) return json_error(400, "bad name: a bad %-escape or a control character");
    if (name_text->empty())
        return json_error(400, "a name is needed: /api/trace?name=NAME&type=TYPE");
    auto name = wire::Name::from_text(*name_text, wire::Name::root());
    if (!name) return json_error(400, "bad name '" + *name_text + "': " + name.error().message);
    auto type = wire::RRType::A;
    if (net::has_query_parameter(request.query, "type")) {
        const auto type_text = net::query_parameter(request.query, "type");
        if (!type_text) return json_error(400, "bad type: a bad %-escape or a control character");
        const auto parsed = wire::rrtype_from_string(*type_text);
        if (!parsed) return json_error(400, "unknown type '" + *type_text + "'");
        type = *parsed;
    }
    if (*traces_ >= max_traces_) {
        static observe::LogLimit busy_log(10);
        if (auto held = busy_log.admit())
            spdlog::warn("dashboard: trace of {} refused, {} running already (the limit){}",
                         name->to_text(), max_traces_, observe::held_back(*held));
        return json_error(503, "busy: " + std::to_string(max_traces_) +
                                   " traces are running, try again when one ends");
    }
    resolve::ClientQuery query{{*name, type, wire::RRClass::IN}, true, true, false};
    auto slot = std::make_shared<TraceSlot>(traces_);
    net::HttpAnswer answer;
    answer.later = [trace = sources_.trace, query, slot](net::HttpLateReply reply) {
        trace(query, [reply, slot](std::string text) {
            reply({200, "application/json", std::move(text), std::string(kFields)});
        });
    };
    return answer;
}

}  // namespace cairn::server
