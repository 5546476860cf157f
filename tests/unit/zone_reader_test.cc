#include "wire/zone_reader.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <string>

namespace cairn::wire {
namespace {

Name name(std::string_view text) {
    auto n = Name::from_text(text);
    EXPECT_TRUE(n) << text;
    return n ? *n : Name();
}

std::vector<std::string> lines_of(const std::vector<Record>& records) {
    std::vector<std::string> out;
    for (const auto& r : records)
        out.push_back(r.to_text());
    return out;
}

using Lines = std::vector<std::string>;

TEST(ZoneReaderTest, ReadsASmallZone) {
    const std::string_view zone = R"(
$TTL 1h
$ORIGIN example.com.
@   IN  SOA ns1 hostmaster (
            2024010101 ; serial
            7200       ; refresh
            3600 1209600
            300 )
        IN  NS  ns1
        IN  NS  ns2.example.net.
ns1 300 IN A 192.0.2.53
    IN 600 AAAA 2001:db8::53   ; class before TTL
www     CNAME   @
mail    MX  10 mail.example.com.
text    TXT "hello world" "second"
)";
    auto records = read_zone(zone, Name::root(), "example.zone");
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_EQ(lines_of(*records),
              (Lines{
                  "example.com. 3600 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 "
                  "7200 3600 1209600 300",
                  "example.com. 3600 IN NS ns1.example.com.",
                  "example.com. 3600 IN NS ns2.example.net.",
                  "ns1.example.com. 300 IN A 192.0.2.53",
                  "ns1.example.com. 600 IN AAAA 2001:db8::53",
                  "www.example.com. 3600 IN CNAME example.com.",
                  "mail.example.com. 3600 IN MX 10 mail.example.com.",
                  "text.example.com. 3600 IN TXT \"hello world\" \"second\"",
              }));
}

TEST(ZoneReaderTest, ReadsAlgorithmMnemonics) {
    const std::string_view zone = R"(
$TTL 300
$ORIGIN example.
@   DNSKEY 257 3 ECDSAP256SHA256 AwEAAQ==
    RRSIG DNSKEY ecdsap256sha256 1 300 20240301000000 20240201000000 12345 @ AA==
sub DS 12345 EcdsaP256Sha256 2 ( 3aa5ab37
                                 efce57f7 )
)";
    auto records = read_zone(zone, Name::root());
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_EQ(lines_of(*records),
              (Lines{
                  "example. 300 IN DNSKEY 257 3 13 AwEAAQ==",
                  "example. 300 IN RRSIG DNSKEY 13 1 300 20240301000000 20240201000000 12345 "
                  "example. AA==",
                  "sub.example. 300 IN DS 12345 13 2 3aa5ab37efce57f7",
              }));
    auto bad = read_zone("$TTL 300\nexample. DNSKEY 257 3 ECDSA AwEAAQ==\n", Name::root());
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("line 2"), std::string::npos) << bad.error().message;
}

TEST(ZoneReaderTest, OriginDirectiveCanBeRelative) {
    auto records =
        read_zone("$TTL 60\na A 192.0.2.1\n$ORIGIN sub\nb A 192.0.2.2\n", name("example."));
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_EQ(lines_of(*records),
              (Lines{"a.example. 60 IN A 192.0.2.1", "b.sub.example. 60 IN A 192.0.2.2"}));
}

TEST(ZoneReaderTest, TtlDefaultsToTheLastExplicitOneWithoutDollarTtl) {
    auto records =
        read_zone("a 300 A 192.0.2.1\nb A 192.0.2.2\nc CH TXT x\nd TXT y\n", name("example."));
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_EQ(lines_of(*records),
              (Lines{"a.example. 300 IN A 192.0.2.1", "b.example. 300 IN A 192.0.2.2",
                     "c.example. 300 CH TXT \"x\"", "d.example. 300 CH TXT \"y\""}));
}

TEST(ZoneReaderTest, NoTtlAtAllIsAnError) {
    auto records = read_zone("a A 192.0.2.1\n", name("example."), "z.zone");
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().message, "z.zone:1: no TTL: give one or set $TTL first");
}

TEST(ZoneReaderTest, ErrorsNameSourceAndLine) {
    const std::string_view zone = "$TTL 60\n; comment\n\nok A 192.0.2.1\nbad A 192.0.2.300\n";
    auto records = read_zone(zone, name("example."), "db.example");
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().message.rfind("db.example:5: A field 1 (IPv4 address)", 0), 0u)
        << records.error().message;

    auto unnamed = read_zone("x 60 A 1.2.3.4\ny 60 BOGUS 1\n", name("example."));
    ASSERT_FALSE(unnamed);
    EXPECT_EQ(unnamed.error().message, "line 2: unknown record type 'BOGUS'");
}

TEST(ZoneReaderTest, MultiLineRecordErrorsPointAtItsFirstLine) {
    auto unclosed = read_zone("$TTL 60\na TXT ( \"x\"\n\"y\"\n", name("example."), "f");
    ASSERT_FALSE(unclosed);
    EXPECT_EQ(unclosed.error().message, "f:2: '(' without matching ')'");

    auto quote = read_zone("$TTL 60\na TXT \"abc\nb A 192.0.2.1\n", name("example."), "f");
    ASSERT_FALSE(quote);
    EXPECT_EQ(quote.error().message, "f:2: unterminated quoted string");

    // A bad record after a multi-line one is reported at its own line.
    auto later = read_zone("$TTL 60\na TXT ( \"x\"\n \"y\" )\nb A nope\n", name("example."), "f");
    ASSERT_FALSE(later);
    EXPECT_EQ(later.error().message.rfind("f:4: ", 0), 0u) << later.error().message;
}

TEST(ZoneReaderTest, BlankOwnerNeedsAPreviousRecord) {
    auto records = read_zone("  60 A 192.0.2.1\n", name("example."), "f");
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().message,
              "f:1: line starts with whitespace but there is no previous owner");
}

TEST(ZoneReaderTest, DirectivesAreChecked) {
    EXPECT_EQ(read_zone("$INCLUDE other.zone\n", Name::root(), "f").error().message,
              "f:1: $INCLUDE is not supported");
    EXPECT_EQ(read_zone("$TTL\n", Name::root(), "f").error().message,
              "f:1: $TTL needs exactly one argument");
    EXPECT_EQ(read_zone("$FOO 1\n", Name::root(), "f").error().message,
              "f:1: unknown directive $FOO");
    EXPECT_FALSE(read_zone("$TTL 1x\n", Name::root(), "f"));
}

TEST(ZoneReaderTest, RejectsMetaTypesAndMissingType) {
    EXPECT_EQ(read_zone("a 60 IN ANY\n", name("example."), "f").error().message,
              "f:1: type ANY cannot appear in zone data");
    EXPECT_EQ(read_zone("a 60 IN\n", name("example."), "f").error().message,
              "f:1: missing record type");
}

TEST(ZoneReaderTest, ReadsAFile) {
    const std::string path = ::testing::TempDir() + "zone_reader_test.zone";
    {
        std::ofstream out(path);
        out << "$ORIGIN example.\n$TTL 2d\n@ NS ns\nns A 192.0.2.1\n";
    }
    auto records = read_zone_file(path, Name::root());
    std::remove(path.c_str());
    ASSERT_TRUE(records) << records.error().message;
    EXPECT_EQ(lines_of(*records),
              (Lines{"example. 172800 IN NS ns.example.", "ns.example. 172800 IN A 192.0.2.1"}));

    auto missing = read_zone_file("/nonexistent/zone", Name::root());
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message.rfind("/nonexistent/zone: cannot open", 0), 0u);
}

TEST(ParseRecordTest, ParsesOneRecordWithOptionalTtlAndClass) {
    const Name origin = name("example.");
    auto full = parse_record("www 300 IN A 192.0.2.1", origin);
    ASSERT_TRUE(full) << full.error().message;
    EXPECT_EQ(full->owner, name("www.example."));
    EXPECT_EQ(full->ttl, 300u);
    EXPECT_EQ(full->rclass, RRClass::IN);
    EXPECT_EQ(full->type, RRType::A);
    EXPECT_EQ(full->to_text(), "www.example. 300 IN A 192.0.2.1");

    auto swapped = parse_record("www IN 300 A 192.0.2.1", origin);
    ASSERT_TRUE(swapped);
    EXPECT_EQ(*swapped, *full);

    auto bare = parse_record("@ MX 10 mx", origin, 3600);
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->to_text(), "example. 3600 IN MX 10 mx.example.");

    auto chaos = parse_record("version.bind. 0 CH TXT \"1.0\"", origin);
    ASSERT_TRUE(chaos);
    EXPECT_EQ(chaos->rclass, RRClass::CH);

    auto multi = parse_record("x. 1h ( IN\n TXT a ; first\n b )", origin);
    ASSERT_TRUE(multi) << multi.error().message;
    EXPECT_EQ(multi->to_text(), "x. 3600 IN TXT \"a\" \"b\"");
}

TEST(ParseRecordTest, Errors) {
    const Name origin = name("example.");
    EXPECT_EQ(parse_record("", origin).error().message, "empty record");
    EXPECT_EQ(parse_record("$TTL 5", origin).error().message,
              "directive $TTL where a record was expected");
    EXPECT_EQ(parse_record("a 300 IN", origin).error().message, "missing record type");
    EXPECT_EQ(parse_record("a 300 300 A 1.2.3.4", origin).error().message,
              "unknown record type '300'");
    EXPECT_EQ(parse_record("a 99999999999 A 1.2.3.4", origin).error().message,
              "TTL '99999999999' is not a number in 0..2147483647");
    EXPECT_FALSE(parse_record("a..b 300 A 1.2.3.4", origin));
    EXPECT_FALSE(parse_record("a 300 A", origin));
}

TEST(ParseTtlTest, PlainAndBindUnits) {
    EXPECT_EQ(*parse_ttl("0"), 0u);
    EXPECT_EQ(*parse_ttl("3600"), 3600u);
    EXPECT_EQ(*parse_ttl("2147483647"), 2147483647u);
    EXPECT_EQ(*parse_ttl("1h30m"), 5400u);
    EXPECT_EQ(*parse_ttl("2d"), 172800u);
    EXPECT_EQ(*parse_ttl("1W"), 604800u);
    EXPECT_EQ(*parse_ttl("1w2d3h4m5s"), 604800u + 2 * 86400 + 3 * 3600 + 4 * 60 + 5);
    EXPECT_EQ(*parse_ttl("1h1h"), 7200u);
}

TEST(ParseTtlTest, RejectsMalformedAndHugeValues) {
    for (std::string_view bad :
         {"", "h", "1hh", "1h30", "1x", "-1", "2147483648", "9999999w", "1h 2m"}) {
        EXPECT_FALSE(parse_ttl(bad)) << bad;
    }
    EXPECT_EQ(parse_ttl("1h30").error().message, "TTL '1h30': number without a unit at the end");
    EXPECT_EQ(parse_ttl("1y").error().message, "TTL '1y': unexpected 'y'");
}

}  // namespace
}  // namespace cairn::wire
