#include "cairnctl/query_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "wire/types.h"

namespace cairn::ctl {

namespace {

// Longest wait we accept for one attempt; more is almost surely a typo.
constexpr double kMaxTimeoutSeconds = 300;

std::optional<double> parse_seconds(std::string_view text) {
    double value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

std::optional<long> parse_long(std::string_view text) {
    long value = 0;
    const char* end = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

// dig-style switches without a value, and the flag each one sets.
struct PlusFlag {
    std::string_view word;
    bool QueryArgs::*flag;
};
constexpr PlusFlag kPlusFlags[] = {
    {"dnssec", &QueryArgs::dnssec}, {"cd", &QueryArgs::cd},           {"cdflag", &QueryArgs::cd},
    {"norec", &QueryArgs::norec},   {"norecurse", &QueryArgs::norec}, {"tcp", &QueryArgs::tcp},
    {"vc", &QueryArgs::tcp},        {"noedns", &QueryArgs::no_edns},  {"quic", &QueryArgs::quic},
};

// Applies one dig-style "+option" or "+option=value" to `args`.
Status<TextError> apply_plus_option(std::string_view word, QueryArgs& args) {
    const std::string_view option = word.substr(1);
    const size_t eq = option.find('=');
    if (eq == std::string_view::npos) {
        for (const auto& plus : kPlusFlags) {
            if (option == plus.word) {
                args.*plus.flag = true;
                return {};
            }
        }
        return text_error("unknown option '" + std::string(word) + "'");
    }
    const std::string_view key = option.substr(0, eq);
    const std::string_view value = option.substr(eq + 1);
    if (key == "timeout" || key == "time") {
        auto seconds = parse_seconds(value);
        if (!seconds) return text_error("bad value in '" + std::string(word) + "': not a number");
        args.timeout_seconds = *seconds;
        return {};
    }
    if (key == "bufsize") {
        auto size = parse_long(value);
        if (!size) return text_error("bad value in '" + std::string(word) + "': not a number");
        args.bufsize = *size;
        return {};
    }
    return text_error("unknown option '" + std::string(word) + "'");
}

// --quic and the certificate options that go with it.
Status<TextError> apply_transport(const QueryArgs& args, QueryOptions& out) {
    if (args.quic && args.tcp) return text_error("--quic and --tcp exclude each other");
    if (!args.ca.empty() && args.insecure)
        return text_error("--ca and --insecure exclude each other");
    if (!args.quic && (!args.ca.empty() || args.insecure))
        return text_error("--ca and --insecure go with an encrypted transport (--quic)");
    out.quic = args.quic;
    out.ca_file = args.ca;
    out.insecure = args.insecure;
    return {};
}

}  // namespace

Result<QueryOptions, TextError> make_query_options(const QueryArgs& given) {
    QueryArgs args = given;
    std::vector<std::string_view> positional;
    std::optional<std::string_view> server;
    for (const auto& word : given.words) {
        if (word.starts_with('@')) {
            if (server)
                return text_error("more than one server given ('@" + std::string(*server) +
                                  "' and '" + word + "')");
            server = std::string_view(word).substr(1);
        } else if (word.starts_with('+')) {
            if (auto st = apply_plus_option(word, args); !st) return Unexpected{st.error()};
        } else {
            positional.push_back(word);
        }
    }

    QueryOptions out;
    if (positional.empty()) return text_error("missing NAME to query");
    if (positional.size() > 2)
        return text_error("unexpected argument '" + std::string(positional[2]) +
                          "' (expected NAME [TYPE] @SERVER[:PORT])");
    // Names are taken as absolute: "example.com" means "example.com.".
    auto name = wire::Name::from_text(positional[0]);
    if (!name)
        return text_error("bad NAME '" + std::string(positional[0]) + "': " + name.error().message);
    out.question.name = *name;
    if (positional.size() == 2) {
        auto type = wire::rrtype_from_string(positional[1]);
        if (!type)
            return text_error("unknown TYPE '" + std::string(positional[1]) +
                              "' (use a mnemonic like AAAA or the TYPEnnn form)");
        // A zone transfer is a stream of messages, not one answer.
        if (*type == wire::RRType::AXFR || *type == wire::RRType::IXFR)
            return text_error("zone transfers (" + wire::to_string(*type) + ") are not supported");
        out.question.type = *type;
    }

    if (!server) return text_error("missing @SERVER[:PORT] (e.g. @127.0.0.1 or @[::1]:5353)");
    auto address = parse_server_address(*server, args.quic ? kDefaultDoqPort : kDefaultDnsPort);
    if (!address)
        return text_error("bad server '@" + std::string(*server) + "': " + address.error().message);
    out.server = *address;

    if (!(args.timeout_seconds > 0) || args.timeout_seconds > kMaxTimeoutSeconds)
        return text_error("timeout must be more than 0 and at most 300 seconds");
    out.timeout =
        std::chrono::milliseconds(std::max<long>(1, std::lround(args.timeout_seconds * 1000)));
    if (args.bufsize < 0 || args.bufsize > 65535)
        return text_error("EDNS buffer size must be 0..65535, not " + std::to_string(args.bufsize));
    out.udp_size = static_cast<uint16_t>(args.bufsize);
    if (args.no_edns && args.dnssec)
        return text_error("DNSSEC OK needs EDNS: drop --no-edns or --dnssec");
    out.edns = !args.no_edns;
    out.dnssec_ok = args.dnssec;
    out.checking_disabled = args.cd;
    out.recursion_desired = !args.norec;
    out.force_tcp = args.tcp;
    if (auto st = apply_transport(args, out); !st) return Unexpected{st.error()};
    return out;
}

}  // namespace cairn::ctl
