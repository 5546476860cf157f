// The query log's line: fields in order, the client as the privacy setting
// shows it, names that cannot break the line.
#include "observe/query_log.h"

#include <gtest/gtest.h>

#include <regex>

namespace cairn::observe {
namespace {

wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

QueryLogEntry entry(const wire::Name& qname, AddressPrivacy privacy, std::string_view client) {
    QueryLogEntry e;
    e.seconds = 1'714'564'800;  // 2024-05-01T12:00:00Z
    e.milliseconds = 123;
    AddressPolicy policy;
    policy.privacy = privacy;
    e.client = show_client_address(*wire::IpAddress::parse(client), policy, e.seconds);
    e.transport = "udp";
    e.qname = &qname;
    e.qtype = wire::RRType::A;
    e.rcode = wire::Rcode::NOERROR;
    return e;
}

std::string line_of(const QueryLogEntry& e) {
    std::string out = "left over from the line before";
    format_query_line(e, out);
    return out;
}

TEST(QueryLog, OneLinePerQueryWithEveryField) {
    const auto www = name("www.example.com.");
    struct Case {
        AddressPrivacy privacy;
        const char* client;
        const char* line;
    };
    const Case cases[] = {
        {AddressPrivacy::kPrefix, "192.0.2.77",
         "2024-05-01T12:00:00.123Z query 192.0.2.0/24 udp www.example.com. A NOERROR"},
        {AddressPrivacy::kFull, "192.0.2.77",
         "2024-05-01T12:00:00.123Z query 192.0.2.77 udp www.example.com. A NOERROR"},
        {AddressPrivacy::kPrefix, "2001:db8:1:2::77",
         "2024-05-01T12:00:00.123Z query 2001:db8:1::/48 udp www.example.com. A NOERROR"},
    };
    for (const auto& c : cases)
        EXPECT_EQ(line_of(entry(www, c.privacy, c.client)), c.line);

    const auto hashed = line_of(entry(www, AddressPrivacy::kHash, "192.0.2.77"));
    EXPECT_TRUE(
        std::regex_match(hashed, std::regex("2024-05-01T12:00:00\\.123Z query hash:[0-9a-f]{8} udp "
                                            "www\\.example\\.com\\. A NOERROR")))
        << hashed;
}

TEST(QueryLog, TransportTypeAndRcode) {
    const auto qname = name("example.org.");
    auto e = entry(qname, AddressPrivacy::kFull, "127.0.0.1");
    e.transport = "https";
    e.qtype = wire::RRType::AAAA;
    e.rcode = wire::Rcode::NXDOMAIN;
    EXPECT_EQ(line_of(e),
              "2024-05-01T12:00:00.123Z query 127.0.0.1 https example.org. AAAA NXDOMAIN");
    e.qtype = static_cast<wire::RRType>(65280);
    e.rcode = std::nullopt;
    EXPECT_EQ(line_of(e),
              "2024-05-01T12:00:00.123Z query 127.0.0.1 https example.org. TYPE65280 dropped");
}

TEST(QueryLog, NamesCannotBreakTheLine) {
    // A label with a space, a newline, braces and a dot: escaped as in zone
    // files, so the line stays one line of space-separated fields.
    const auto qname = name("a\\032b\\010c{}\\.d.test.");
    const auto line = line_of(entry(qname, AddressPrivacy::kPrefix, "192.0.2.1"));
    EXPECT_EQ(line.find('\n'), std::string::npos);
    EXPECT_EQ(
        line,
        "2024-05-01T12:00:00.123Z query 192.0.2.0/24 udp a\\032b\\010c{}\\.d.test. A NOERROR");
}

}  // namespace
}  // namespace cairn::observe
