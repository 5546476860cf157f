// List items written as mappings (record_kind.h): fields of the usual kinds,
// required and unknown fields, lines of the field to blame, and the YAML text
// a record is shown as.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "config/option_kinds.h"
#include "config/record_kind.h"

namespace cairn::config {
namespace {

struct Zone {
    wire::Name name;
    std::vector<wire::SocketAddress> addresses;
    bool first = false;
};

ListOf<RecordOf<Zone>> zones_kind() {
    RecordOf<Zone> record{
        "zone",
        "zones",
        {field<&Zone::name>("name", DomainName{}, "the zone").required(),
         field<&Zone::addresses>("addresses", ListOf<Endpoint>{.at_least_one = true}, "its servers")
             .required(),
         field<&Zone::first>("first", Boolean{}, "iterate when they fail")},
        {}};
    record.check = [](const Zone& zone) -> std::optional<std::string> {
        if (zone.name.is_root()) return "the root cannot be a zone here";
        return std::nullopt;
    };
    return {record};
}

ScalarValue scalar(std::string_view text, unsigned line) {
    return {text, line, false, {}};
}

ScalarValue item(unsigned line, std::vector<RecordField> fields) {
    return {{}, line, true, std::move(fields)};
}

TEST(ConfigRecords, ReadsEachFieldWithItsKind) {
    const std::vector<ScalarValue> values = {
        item(3, {{"name", 3, {scalar("corp.example", 3)}},
                 {"addresses", 4, {scalar("192.0.2.1", 4), scalar("[2001:db8::1]:5353", 4)}},
                 {"first", 5, {scalar("yes", 5)}}}),
        item(6, {{"name", 6, {scalar("lab.example.", 6)}},
                 {"addresses", 7, {scalar("192.0.2.9", 7)}}})};
    auto zones = parse_values(zones_kind(), values, LoadContext{});
    ASSERT_TRUE(zones);
    ASSERT_EQ(zones->size(), 2u);
    EXPECT_EQ((*zones)[0].name.to_text(), "corp.example.");
    ASSERT_EQ((*zones)[0].addresses.size(), 2u);
    EXPECT_EQ((*zones)[0].addresses[1].port, 5353);
    EXPECT_TRUE((*zones)[0].first);
    EXPECT_FALSE((*zones)[1].first);
    EXPECT_EQ((*zones)[1].addresses[0].port, 53);
}

TEST(ConfigRecords, ErrorsNameTheFieldAndItsLine) {
    struct Case {
        ScalarValue value;
        unsigned line;
        std::string message;
    };
    const std::vector<Case> cases = {
        {item(3, {{"name", 3, {scalar("corp.example", 3)}},
                  {"addresses", 4, {scalar("192.0.2.300", 4)}}}),
         4, "addresses: '192.0.2.300'"},
        {item(3, {{"name", 3, {scalar("corp.example", 3)}},
                  {"adresses", 5, {scalar("192.0.2.1", 5)}}}),
         5, "adresses: unknown field (expected name, addresses, first)"},
        {item(3,
              {{"name", 3, {scalar("corp.example", 3)}}, {"name", 4, {scalar("corp.example", 4)}}}),
         4, "name: given twice"},
        {item(8, {{"name", 8, {scalar("corp.example", 8)}}}), 8, "zone without 'addresses'"},
        {item(8, {{"name", 8, {scalar(".", 8)}}, {"addresses", 9, {scalar("192.0.2.1", 9)}}}), 8,
         "the root cannot be a zone here"},
        {item(2, {{"name", 2, {scalar("a.example", 2)}},
                  {"addresses", 2, {scalar("192.0.2.1", 2)}},
                  {"first", 3, {scalar("yes", 3), scalar("no", 3)}}}),
         3, "first: takes exactly one value"},
        {scalar("corp.example", 2), 2,
         "list items must be mappings (expected a mapping with name, "
         "addresses and first)"},
    };
    for (const Case& c : cases) {
        auto zones = parse_values(zones_kind(), std::vector<ScalarValue>{c.value}, LoadContext{});
        ASSERT_FALSE(zones) << c.message;
        ASSERT_EQ(zones.error().size(), 1u);
        EXPECT_EQ(zones.error()[0].line, c.line) << c.message;
        EXPECT_EQ(zones.error()[0].message.substr(0, c.message.size()), c.message);
    }
}

TEST(ConfigRecords, ShownAsAYamlFlowMapping) {
    const std::vector<ScalarValue> values = {item(
        1, {{"name", 1, {scalar("corp.example", 1)}}, {"addresses", 1, {scalar("192.0.2.1", 1)}}})};
    auto zones = parse_values(zones_kind(), values, LoadContext{});
    ASSERT_TRUE(zones);
    EXPECT_EQ(zones_kind().format(*zones),
              "[{name: corp.example., addresses: [\"192.0.2.1:53\"], first: false}]");
    EXPECT_EQ(zones_kind().format({}), "[]");
}

TEST(ConfigRecords, DocumentsEachField) {
    const auto docs = zones_kind().element.field_docs();
    ASSERT_EQ(docs.size(), 3u);
    EXPECT_EQ(docs[0], "`name` (domain name, required): the zone");
    EXPECT_EQ(docs[1], "`addresses` (list of socket addresses, required): its servers");
    EXPECT_EQ(docs[2], "`first` (boolean): iterate when they fail");
}

}  // namespace
}  // namespace cairn::config
