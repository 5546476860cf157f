// The dashboard's routes on the metrics listener: which path answers what,
// how /api/trace checks its query and bounds the traces it runs, and the
// JSON of /api/servers.
#include "server/dashboard.h"

#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <optional>
#include <vector>

#include "server/servers_json.h"

namespace cairn::server {
namespace {

using namespace std::chrono_literals;

net::HttpRequest get(std::string_view path, std::string_view query = {}) {
    return {"GET", path, query};
}

// The listener's side of a late answer: a reply delivered on `io`.
struct Listener {
    asio::io_context io;
    std::vector<net::HttpResponse> delivered;

    void start(const net::HttpAnswer& answer) {
        ASSERT_TRUE(answer.later);
        answer.later(net::HttpLateReply::make(
            io.get_executor(), [this](net::HttpResponse r) { delivered.push_back(std::move(r)); }));
    }
    void run() {
        io.restart();
        io.poll();
    }
};

// A dashboard whose traces wait in `pending` until the test answers them.
struct DashboardTest : ::testing::Test {
    // Outlives the traces' replies, which post to its loop.
    Listener listener;
    struct Pending {
        resolve::ClientQuery query;
        std::function<void(std::string)> done;
    };
    std::vector<Pending> pending;
    Dashboard dashboard{
        DashboardSources{[] { return std::string("{\"servers\": [], \"total\": 0}"); },
                         [this](resolve::ClientQuery query, std::function<void(std::string)> done) {
                             pending.push_back({query, std::move(done)});
                         }},
        2};
};

TEST_F(DashboardTest, Routes) {
    struct Case {
        std::string_view path;
        int status;
        std::string_view type;
        std::string_view body_part;
    };
    const Case cases[] = {
        {"/", 200, "text/html; charset=utf-8", "<svg id=\"trace\""},
        {"/index.html", 200, "text/html; charset=utf-8", "<script src=\"dashboard.js\">"},
        {"/dashboard.js", 200, "text/javascript; charset=utf-8", "function parseMetrics"},
        {"/api/servers", 200, "application/json", "{\"servers\": [], \"total\": 0}"},
        {"/api/nothing", 404, "application/json", "{\"error\": \"not found"},
        {"/favicon.ico", 404, "text/plain; charset=utf-8", "the dashboard is at /"},
        {"/dashboard.js/", 404, "text/plain; charset=utf-8", "not found"},
    };
    for (const auto& c : cases) {
        const auto answer = dashboard.answer(get(c.path));
        EXPECT_FALSE(answer.later) << c.path;
        EXPECT_EQ(answer.response.status, c.status) << c.path;
        EXPECT_EQ(answer.response.content_type, c.type) << c.path;
        EXPECT_NE(answer.response.body.find(c.body_part), std::string::npos)
            << c.path << ": " << answer.response.body.substr(0, 200);
        EXPECT_NE(answer.response.extra_fields.find("Cache-Control: no-store\r\n"),
                  std::string::npos)
            << c.path;
    }
    EXPECT_NE(dashboard.answer(get("/")).response.extra_fields.find("Content-Security-Policy"),
              std::string::npos);
}

TEST_F(DashboardTest, BadTraceQueriesGet400) {
    struct Case {
        std::string query;
        std::string_view error;
    };
    const Case cases[] = {
        {"", "a name is needed"},
        {"type=A", "a name is needed"},
        {"name=", "a name is needed"},
        {"name=%zz", "bad name: a bad %-escape"},
        {"name=a..b", "bad name 'a..b'"},
        {"name=" + std::string(70, 'a') + ".", "bad name"},
        {"name=example.&type=NOPE", "unknown type 'NOPE'"},
        {"name=example.&type=%0a", "bad type: a bad %-escape or a control character"},
        {"name=example.&type=", "unknown type ''"},
    };
    for (const auto& c : cases) {
        const auto answer = dashboard.answer(get("/api/trace", c.query));
        EXPECT_FALSE(answer.later) << c.query;
        EXPECT_EQ(answer.response.status, 400) << c.query;
        EXPECT_EQ(answer.response.content_type, "application/json") << c.query;
        EXPECT_TRUE(answer.response.body.starts_with("{\"error\": \"")) << answer.response.body;
        EXPECT_NE(answer.response.body.find(c.error), std::string::npos) << answer.response.body;
    }
    EXPECT_TRUE(pending.empty()) << "nothing resolved for a bad query";
}

TEST_F(DashboardTest, TraceRunsTheQueryAndAnswersLater) {
    listener.start(dashboard.answer(get("/api/trace", "name=www.Secure.example&type=aaaa")));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(dashboard.traces_running(), 1u);
    EXPECT_EQ(pending[0].query.question.name.to_text(), "www.Secure.example.");
    EXPECT_EQ(pending[0].query.question.type, wire::RRType::AAAA);
    EXPECT_TRUE(pending[0].query.dnssec_ok);
    EXPECT_TRUE(pending[0].query.recursion_desired);
    EXPECT_FALSE(pending[0].query.checking_disabled);
    listener.run();
    EXPECT_TRUE(listener.delivered.empty()) << "nothing before the trace ends";
    pending[0].done("{\"steps\": []}");
    listener.run();
    ASSERT_EQ(listener.delivered.size(), 1u);
    EXPECT_EQ(listener.delivered[0].status, 200);
    EXPECT_EQ(listener.delivered[0].content_type, "application/json");
    EXPECT_EQ(listener.delivered[0].body, "{\"steps\": []}");
    pending.clear();
    EXPECT_EQ(dashboard.traces_running(), 0u);
    // The type defaults to A.
    listener.start(dashboard.answer(get("/api/trace", "name=example.com.")));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].query.question.type, wire::RRType::A);
}

TEST_F(DashboardTest, TracesBeyondTheBoundGet503) {
    listener.start(dashboard.answer(get("/api/trace", "name=a.example.")));
    listener.start(dashboard.answer(get("/api/trace", "name=b.example.")));
    ASSERT_EQ(pending.size(), 2u);
    const auto busy = dashboard.answer(get("/api/trace", "name=c.example."));
    EXPECT_FALSE(busy.later);
    EXPECT_EQ(busy.response.status, 503);
    EXPECT_NE(busy.response.body.find("\"error\": \"busy"), std::string::npos);
    EXPECT_EQ(pending.size(), 2u) << "not resolved";
    // One ends: its place is free again.
    pending[0].done("{}");
    pending.erase(pending.begin());
    listener.start(dashboard.answer(get("/api/trace", "name=c.example.")));
    EXPECT_EQ(pending.size(), 2u);
    EXPECT_EQ(dashboard.traces_running(), 2u);
}

TEST_F(DashboardTest, AnAbandonedTraceFreesItsPlaceAndGets503) {
    listener.start(dashboard.answer(get("/api/trace", "name=a.example.")));
    EXPECT_EQ(dashboard.traces_running(), 1u);
    pending.clear();  // the workers went away with it, uncalled
    EXPECT_EQ(dashboard.traces_running(), 0u);
    listener.run();
    ASSERT_EQ(listener.delivered.size(), 1u);
    EXPECT_EQ(listener.delivered[0].status, 503);
}

TEST(ServersJson, FastestMeasuredFirstThenUnmeasured) {
    const auto ip = [](std::string_view text) { return *wire::IpAddress::parse(text); };
    std::vector<cache::ServerEstimate> servers = {
        {ip("192.0.2.3"), 0us, 0us, false, 3},
        {ip("192.0.2.2"), 40'250us, 1'000us, true, 0},
        {ip("192.0.2.1"), 1'500us, 750us, true, 1},
    };
    EXPECT_EQ(servers_json(servers, 10),
              "{\"servers\": ["
              "{\"address\": \"192.0.2.1\", \"srtt_ms\": 1.500, \"rttvar_ms\": 0.750, "
              "\"measured\": true, \"timeouts_in_row\": 1}, "
              "{\"address\": \"192.0.2.2\", \"srtt_ms\": 40.250, \"rttvar_ms\": 1.000, "
              "\"measured\": true, \"timeouts_in_row\": 0}, "
              "{\"address\": \"192.0.2.3\", \"srtt_ms\": 0.000, \"rttvar_ms\": 0.000, "
              "\"measured\": false, \"timeouts_in_row\": 3}], \"total\": 3}");
    EXPECT_EQ(servers_json(servers, 1).substr(0, 36), "{\"servers\": [{\"address\": \"192.0.2.1\"");
    EXPECT_TRUE(servers_json(servers, 1).ends_with("}], \"total\": 3}"));
    EXPECT_EQ(servers_json({}, 10), "{\"servers\": [], \"total\": 0}");
}

}  // namespace
}  // namespace cairn::server
