// The spelling of option values: value_syntax.h and the option kinds.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>

#include "config/option_kinds.h"
#include "config/suggest.h"
#include "config/value_syntax.h"

namespace cairn::config {
namespace {

using std::chrono::milliseconds;

TEST(ConfigValues, Booleans) {
    for (auto text : {"true", "yes", "on", "True", "YES", "On"})
        EXPECT_EQ(parse_bool(text), true);
    for (auto text : {"false", "no", "off", "False", "NO", "Off"})
        EXPECT_EQ(parse_bool(text), false);
    for (auto text : {"", "1", "0", "y", "n", "enable", "truee", " true"})
        EXPECT_FALSE(parse_bool(text)) << text;
}

TEST(ConfigValues, WholeNumbers) {
    EXPECT_EQ(parse_unsigned("0"), 0u);
    EXPECT_EQ(parse_unsigned("4096"), 4096u);
    EXPECT_EQ(parse_unsigned("18446744073709551615"), UINT64_MAX);
    for (auto text : {"", "-1", "+1", "1.5", "1e3", "0x10", "12 ", "18446744073709551616"})
        EXPECT_FALSE(parse_unsigned(text)) << text;
}

TEST(ConfigValues, Sizes) {
    EXPECT_EQ(parse_size("0"), 0u);
    EXPECT_EQ(parse_size("4096"), 4096u);
    EXPECT_EQ(parse_size("4096b"), 4096u);
    EXPECT_EQ(parse_size("512k"), 512u * 1024);
    EXPECT_EQ(parse_size("256m"), 256u << 20);
    EXPECT_EQ(parse_size("256M"), 256u << 20);
    EXPECT_EQ(parse_size("256MB"), 256u << 20);
    EXPECT_EQ(parse_size("256MiB"), 256u << 20);
    EXPECT_EQ(parse_size("1g"), uint64_t{1} << 30);
    EXPECT_EQ(parse_size("2t"), uint64_t{2} << 40);
    for (auto text : {"", "12q", "m", "1.5g", "-1m", "1 m", "1mm", "1bb", "1kibb", "99999999999t"})
        EXPECT_FALSE(parse_size(text)) << text;

    EXPECT_EQ(format_size(256u << 20), "256m");
    EXPECT_EQ(format_size(uint64_t{1} << 30), "1g");
    EXPECT_EQ(format_size(1536), "1536");
    EXPECT_EQ(format_size(3 * 1024), "3k");
    EXPECT_EQ(format_size(0), "0");
    for (uint64_t bytes : {uint64_t{1}, uint64_t{1000}, uint64_t{1} << 20, uint64_t{5} << 40})
        EXPECT_EQ(parse_size(format_size(bytes)), bytes);
}

TEST(ConfigValues, Durations) {
    EXPECT_EQ(parse_duration("10"), milliseconds(10'000));  // plain: seconds
    EXPECT_EQ(parse_duration("0"), milliseconds(0));
    EXPECT_EQ(parse_duration("800ms"), milliseconds(800));
    EXPECT_EQ(parse_duration("10s"), milliseconds(10'000));
    EXPECT_EQ(parse_duration("1m"), milliseconds(60'000));
    EXPECT_EQ(parse_duration("2h"), milliseconds(7'200'000));
    EXPECT_EQ(parse_duration("1d"), milliseconds(86'400'000));
    EXPECT_EQ(parse_duration("1h30m"), milliseconds(5'400'000));
    EXPECT_EQ(parse_duration("1s500ms"), milliseconds(1'500));
    for (auto text : {"", "s", "10x", "1.5s", "-1s", "10 s", "1h30", "10S", "1y", "ms10",
                      "99999999999999999999", "999999999999d"})
        EXPECT_FALSE(parse_duration(text)) << text;

    EXPECT_EQ(format_duration(milliseconds(0)), "0s");
    EXPECT_EQ(format_duration(milliseconds(800)), "800ms");
    EXPECT_EQ(format_duration(milliseconds(10'000)), "10s");
    EXPECT_EQ(format_duration(milliseconds(90'000)), "90s");
    EXPECT_EQ(format_duration(milliseconds(3'600'000)), "1h");
    EXPECT_EQ(format_duration(milliseconds(5'400'000)), "90m");
    EXPECT_EQ(format_duration(milliseconds(86'400'000)), "1d");
    EXPECT_EQ(format_duration(milliseconds(1'500)), "1500ms");
}

TEST(ConfigValues, YamlScalars) {
    EXPECT_EQ(yaml_scalar("info"), "info");
    EXPECT_EQ(yaml_scalar("/run/cairn/control.sock"), "/run/cairn/control.sock");
    EXPECT_EQ(yaml_scalar("127.0.0.0/8"), "127.0.0.0/8");
    EXPECT_EQ(yaml_scalar(""), "\"\"");
    EXPECT_EQ(yaml_scalar("null"), "\"null\"");
    EXPECT_EQ(yaml_scalar("-x"), "\"-x\"");
    EXPECT_EQ(yaml_scalar("[::1]:53"), "\"[::1]:53\"");
    EXPECT_EQ(yaml_scalar("say \"hi\"\\\n"), "\"say \\\"hi\\\"\\\\\\n\"");
    EXPECT_EQ(yaml_scalar(std::string_view("\x01", 1)), "\"\\x01\"");
}

TEST(ConfigKinds, NumberRange) {
    const Number<uint16_t> kind{.min = 512, .max = 4096};
    EXPECT_EQ(kind.range(), "512 to 4096");
    EXPECT_EQ(*kind.parse("512"), 512);
    EXPECT_EQ(*kind.parse("4096"), 4096);
    EXPECT_EQ(kind.parse("511").error(), "'511' is out of range (allowed: 512 to 4096)");
    EXPECT_EQ(kind.parse("70000").error(), "'70000' is out of range (allowed: 512 to 4096)");
    EXPECT_EQ(kind.parse("big").error(), "'big' is not a whole number (expected 512 to 4096)");
    EXPECT_EQ(Number<uint32_t>{}.range(), "");
    EXPECT_EQ(Number<uint32_t>{.min = 1}.range(), "at least 1");
    EXPECT_FALSE(Number<uint32_t>{}.parse("4294967296"));
}

TEST(ConfigKinds, SizeAndDurationRanges) {
    const Size size{.min = size_t{1} << 20};
    EXPECT_EQ(size.range(), "at least 1m");
    EXPECT_EQ(*size.parse("1g"), size_t{1} << 30);
    EXPECT_EQ(size.parse("12q").error(),
              "'12q' is not a size (expected bytes, or a number with k/m/g)");
    EXPECT_EQ(size.parse("512k").error(), "'512k' is out of range (allowed: at least 1m)");

    const Duration timeout{.min = milliseconds(50), .max = milliseconds(30'000)};
    EXPECT_EQ(timeout.range(), "50ms to 30s");
    EXPECT_EQ(*timeout.parse("800ms"), milliseconds(800));
    EXPECT_EQ(*timeout.parse("2"), milliseconds(2000));
    EXPECT_EQ(timeout.parse("10ms").error(), "'10ms' is out of range (allowed: 50ms to 30s)");
    EXPECT_NE(timeout.parse("soon").error().find("'soon' is not a duration (expected"),
              std::string::npos);

    const Seconds ttl{.min = 1, .max = 86'400};
    EXPECT_EQ(ttl.range(), "1s to 1d");
    EXPECT_EQ(*ttl.parse("300"), 300u);
    EXPECT_EQ(*ttl.parse("1h"), 3600u);
    EXPECT_EQ(*ttl.parse("2000ms"), 2u);
    EXPECT_NE(ttl.parse("1500ms").error().find("not a whole number of seconds"), std::string::npos);
    EXPECT_EQ(ttl.parse("0").error(), "'0' is out of range (allowed: 1s to 1d)");
    EXPECT_EQ(ttl.parse("2d").error(), "'2d' is out of range (allowed: 1s to 1d)");
    EXPECT_EQ(ttl.format(86'400), "1d");
    EXPECT_EQ(ttl.format(300), "5m");
}

TEST(ConfigKinds, TextAndKeyword) {
    const Text text{.max_length = 5};
    EXPECT_EQ(*text.parse(""), "");
    EXPECT_EQ(*text.parse("abcde"), "abcde");
    EXPECT_EQ(text.parse("abcdef").error(), "the value is 6 bytes long (allowed: at most 5 bytes)");

    const Keyword level{.words = {"error", "warn", "info", "debug"}};
    EXPECT_EQ(*level.parse("warn"), "warn");
    EXPECT_EQ(*level.parse("WARN"), "warn");
    EXPECT_EQ(level.parse("warning").error(),
              "'warning' is not a known keyword (expected one of error, warn, info, debug); did "
              "you mean 'warn'?");
    EXPECT_EQ(level.parse("loud").error(),
              "'loud' is not a known keyword (expected one of error, warn, info, debug)");
    EXPECT_EQ(level.range(), "error, warn, info, debug");
}

TEST(ConfigKinds, HexKeys) {
    const HexKey kind;
    const auto key = kind.parse("E5e973e5a6b2a43f48e7dc849e37bfcf");
    ASSERT_TRUE(key);
    ASSERT_TRUE(*key);
    EXPECT_EQ((**key)[0], 0xe5);
    EXPECT_EQ((**key)[15], 0xcf);
    EXPECT_EQ(kind.format(*key), "\"e5e973e5a6b2a43f48e7dc849e37bfcf\"");
    const auto empty = kind.parse("");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(*empty);
    EXPECT_EQ(kind.format(*empty), "\"\"");
    for (auto text : {"e5e973e5a6b2a43f48e7dc849e37bf", "e5e973e5a6b2a43f48e7dc849e37bfcf00",
                      "g5e973e5a6b2a43f48e7dc849e37bfcf", "e5e973e5a6b2a43f 8e7dc849e37bfcf"}) {
        const auto bad = kind.parse(text);
        ASSERT_FALSE(bad) << text;
        EXPECT_NE(bad.error().find("hex key"), std::string::npos) << bad.error();
    }
}

TEST(ConfigKinds, FilePaths) {
    const FilePath plain;
    EXPECT_EQ(*plain.parse("", LoadContext{"/etc/cairn"}), "");
    EXPECT_EQ(*plain.parse("hints.zone", LoadContext{"/etc/cairn"}), "/etc/cairn/hints.zone");
    EXPECT_EQ(*plain.parse("../x/hints.zone", LoadContext{"/etc/cairn"}), "/etc/x/hints.zone");
    EXPECT_EQ(*plain.parse("/var/hints.zone", LoadContext{"/etc/cairn"}), "/var/hints.zone");
    EXPECT_EQ(*plain.parse("hints.zone", LoadContext{}), "hints.zone");

    const FilePath input{.must_be_readable = true};
    EXPECT_EQ(input.parse("/nonexistent/cairn/hints", LoadContext{}).error(),
              "cannot read '/nonexistent/cairn/hints': No such file or directory");
    char name[] = "/tmp/cairn-config-test-XXXXXX";
    const int fd = ::mkstemp(name);
    ASSERT_GE(fd, 0);
    ::close(fd);
    EXPECT_EQ(*input.parse(name, LoadContext{}), name);
    std::remove(name);

    const FilePath socket{.unix_socket = true};
    EXPECT_TRUE(socket.parse("/run/cairn/control.sock", LoadContext{}));
    EXPECT_NE(socket.parse("/" + std::string(200, 'x'), LoadContext{})
                  .error()
                  .find("is too long for a Unix socket (allowed: at most 107 bytes)"),
              std::string::npos);
}

TEST(ConfigKinds, Addresses) {
    const Endpoint endpoint;
    EXPECT_EQ(endpoint.parse("127.0.0.1")->to_string(), "127.0.0.1:53");
    EXPECT_EQ(endpoint.parse("127.0.0.1:5353")->to_string(), "127.0.0.1:5353");
    EXPECT_EQ(endpoint.parse("::1")->to_string(), "[::1]:53");
    EXPECT_EQ(endpoint.parse("[::1]")->to_string(), "[::1]:53");
    EXPECT_EQ(endpoint.parse("[::1]:5353")->to_string(), "[::1]:5353");
    EXPECT_NE(endpoint.parse("localhost").error().find("'localhost' is not a socket address"),
              std::string::npos);
    EXPECT_FALSE(endpoint.parse("127.0.0.1:65536"));
    EXPECT_EQ(endpoint.parse("127.0.0.1:0").error(),
              "'127.0.0.1:0' is out of range (allowed: ports 1 to 65535)");
    EXPECT_EQ(endpoint.format(*endpoint.parse("[::1]:53")), "\"[::1]:53\"");

    const Prefix prefix;
    EXPECT_EQ(prefix.parse("192.0.2.0/24")->to_string(), "192.0.2.0/24");
    EXPECT_EQ(prefix.parse("::1")->to_string(), "::1/128");
    EXPECT_EQ(prefix.parse("192.0.2.0/33").error(),
              "'192.0.2.0/33' is not an IP prefix (expected ADDRESS/LENGTH such as 192.0.2.0/24 "
              "or 2001:db8::/32, or a single address)");

    const Address address;
    EXPECT_EQ(address.parse("2001:db8::1")->to_string(), "2001:db8::1");
    EXPECT_FALSE(address.parse("192.0.2.0/24"));
    EXPECT_FALSE(address.parse("[::1]"));

    const ListOf<Endpoint> list{.at_least_one = true};
    EXPECT_EQ(list.type(), "list of socket addresses");
    EXPECT_EQ(list.range(), "at least one");
    EXPECT_EQ(list.check({}), "needs at least one socket address");
    EXPECT_EQ(list.format({}), "[]");
    EXPECT_EQ(list.format({*endpoint.parse("127.0.0.1"), *endpoint.parse("::1")}),
              "[\"127.0.0.1:53\", \"[::1]:53\"]");
}

TEST(ConfigSuggest, EditDistance) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("abc", ""), 3u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("qname-minimization", "qname-minimisation"), 1u);
    EXPECT_EQ(edit_distance("thraeds", "threads"), 1u);  // swap
    EXPECT_EQ(edit_distance("ca", "abc"), 3u);           // OSA, not full Damerau
}

TEST(ConfigSuggest, ClosestWord) {
    const std::vector<std::string_view> words = {"threads", "listen", "cache-size", "cache-max-ttl",
                                                 "cache-min-ttl"};
    EXPECT_EQ(closest_word("thread", words), "threads");
    EXPECT_EQ(closest_word("Threads", words), "threads");
    EXPECT_EQ(closest_word("cache_size", words), "cache-size");
    EXPECT_EQ(closest_word("cache-max-tll", words), "cache-max-ttl");
    EXPECT_EQ(closest_word("lisen", words), "listen");
    EXPECT_EQ(closest_word("listen-address", words), "listen");
    EXPECT_EQ(closest_word("cache-max", words), "cache-max-ttl");
    EXPECT_FALSE(closest_word("colour", words));
    EXPECT_FALSE(closest_word("lis", words));
    EXPECT_FALSE(closest_word("x", words));
}

}  // namespace
}  // namespace cairn::config
