#include "cairnctl/query_options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>
#include <string_view>

#include "cairnctl/doh_message.h"
#include "cairnctl/doq_client.h"
#include "cairnctl/dot_exchange.h"
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
    {"vc", &QueryArgs::tcp},        {"tls", &QueryArgs::tls},         {"https", &QueryArgs::https},
    {"quic", &QueryArgs::quic},     {"noedns", &QueryArgs::no_edns},
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

Result<Transport, TextError> transport_of(const QueryArgs& args) {
    if (args.tcp + args.tls + args.https + args.quic > 1)
        return text_error("choose one transport: --tcp, --tls, --https or --quic");
    const bool encrypted = args.tls || args.https || args.quic;
    if (!encrypted && (!args.ca_file.empty() || args.insecure || !args.tls_name.empty()))
        return text_error("--ca, --insecure and --tls-name are for --tls, --https and --quic");
    if (!args.https && (args.get || args.path != DohSettings{}.path))
        return text_error("--get and --path are for --https");
    if (!args.ca_file.empty() && args.insecure)
        return text_error("--ca checks the certificate and --insecure skips the check: give one");
    if (args.https && !args.path.starts_with('/'))
        return text_error("--path must start with '/', not '" + args.path + "'");
    if (args.tls) return Transport::kTls;
    if (args.https) return Transport::kHttps;
    if (args.quic) return Transport::kQuic;
    return args.tcp ? Transport::kTcp : Transport::kUdp;
}

uint16_t default_port(Transport transport) {
    switch (transport) {
        case Transport::kTls: return kDefaultDotPort;
        case Transport::kHttps: return kDefaultDohPort;
        case Transport::kQuic: return kDefaultDoqPort;
        case Transport::kUdp:
        case Transport::kTcp: break;
    }
    return kDefaultDnsPort;
}

}  // namespace

const char* to_string(Transport transport) {
    switch (transport) {
        case Transport::kUdp: return "udp";
        case Transport::kTcp: return "tcp";
        case Transport::kTls: return "tls";
        case Transport::kHttps: return "https";
        case Transport::kQuic: return "quic";
    }
    return "?";
}

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

    auto transport = transport_of(args);
    if (!transport) return Unexpected{transport.error()};
    out.transport = *transport;
    if (!server) return text_error("missing @SERVER[:PORT] (e.g. @127.0.0.1 or @[::1]:5353)");
    auto address = parse_server_address(*server, default_port(out.transport));
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
    out.tls = {args.ca_file, args.insecure, args.tls_name};
    out.doh = {args.path, args.get};
    const bool encrypted = out.transport == Transport::kTls || out.transport == Transport::kHttps ||
                           out.transport == Transport::kQuic;
    if (encrypted && out.edns) out.padding_block = kQueryPaddingBlock;
    return out;
}

}  // namespace cairn::ctl
