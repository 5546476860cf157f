// A DNS-over-QUIC client for tests/integration that can misbehave: any ALPN,
// any bytes as queries (message IDs, options, several messages on a stream),
// as many queries as asked on one connection. Uses cairnctl's DoQ client.
//
//   doq_probe SERVER:PORT (--ca FILE | --insecure) [--alpn X] [--timeout S]
//             [--unframed] [--hold] [--keepalive] [--last-after-stdin] HEX...
//
// Each HEX is one query's bytes, sent framed on its own stream (--unframed:
// the stream's whole content, length field included or not); --hold keeps
// the connection after the answers until the timeout or the server ends it,
// --keepalive sends PINGs meanwhile so that it does not go idle;
// --last-after-stdin sends the last query only once stdin has a line (or
// ends), on the connection opened before.
// Prints one JSON object: {"after_retry": bool, "idle_timeout": bool,
// "closed": null or {"application": bool, "code": n}, "streams": [{"answer":
// hex, "complete": bool, "reset": null or n}, ...]}. Exit status 0 after a
// handshake, 2 (message on stderr) without one, 1 for bad arguments.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "cairnctl/doq_client.h"

namespace {

using cairn::ctl::DoqExchange;

std::vector<uint8_t> from_hex(std::string_view text) {
    std::vector<uint8_t> out;
    for (size_t i = 0; i + 1 < text.size(); i += 2)
        out.push_back(static_cast<uint8_t>(std::stoi(std::string(text.substr(i, 2)), nullptr, 16)));
    return out;
}

std::string to_hex(const std::vector<uint8_t>& bytes) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (uint8_t b : bytes) {
        out.push_back(kDigits[b >> 4]);
        out.push_back(kDigits[b & 15]);
    }
    return out;
}

void print(const DoqExchange& exchange) {
    std::string out = "{\"after_retry\": ";
    out += exchange.after_retry ? "true" : "false";
    out += ", \"idle_timeout\": ";
    out += exchange.idle_timeout ? "true" : "false";
    out += ", \"closed\": ";
    if (exchange.closed)
        out += std::string("{\"application\": ") +
               (exchange.closed->application ? "true" : "false") +
               ", \"code\": " + std::to_string(exchange.closed->code) + "}";
    else
        out += "null";
    out += ", \"streams\": [";
    for (size_t i = 0; i < exchange.streams.size(); ++i) {
        const auto& s = exchange.streams[i];
        if (i > 0) out += ", ";
        out += "{\"answer\": \"" + to_hex(s.answer) + "\", \"complete\": ";
        out += s.complete ? "true" : "false";
        out += ", \"reset\": " + (s.reset ? std::to_string(*s.reset) : std::string("null")) + "}";
    }
    out += "]}\n";
    std::fputs(out.c_str(), stdout);
}

int usage() {
    std::fputs(
        "usage: doq_probe SERVER:PORT (--ca FILE | --insecure) [--alpn X] [--timeout S] "
        "[--unframed] [--hold] [--keepalive] [--last-after-stdin] HEX...\n",
        stderr);
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return usage();
    auto server = cairn::ctl::parse_server_address(argv[1], cairn::ctl::kDefaultDoqPort);
    if (!server) {
        std::fprintf(stderr, "doq_probe: %s\n", server.error().message.c_str());
        return 1;
    }
    cairn::ctl::DoqClientOptions options;
    options.server = *server;
    std::vector<std::vector<uint8_t>> queries;
    for (int i = 2; i < argc; ++i) {
        const std::string_view arg = argv[i];
        const bool has_value = i + 1 < argc;
        if (arg == "--insecure") {
            options.insecure = true;
        } else if (arg == "--ca" && has_value) {
            options.ca_file = argv[++i];
        } else if (arg == "--unframed") {
            options.unframed = true;
        } else if (arg == "--hold") {
            options.hold = true;
        } else if (arg == "--keepalive") {
            options.keepalive = std::chrono::milliseconds(300);
        } else if (arg == "--last-after-stdin") {
            options.last_query_gate = 0;
        } else if (arg == "--alpn" && has_value) {
            options.alpn = argv[++i];
        } else if (arg == "--timeout" && has_value) {
            options.timeout = std::chrono::milliseconds(std::atol(argv[++i]) * 1000);
        } else if (!arg.starts_with("--")) {
            queries.push_back(from_hex(arg));
        } else {
            return usage();
        }
    }
    auto exchange = cairn::ctl::doq_exchange(options, queries);
    if (!exchange) {
        std::fprintf(stderr, "doq_probe: %s\n", exchange.error().message.c_str());
        return 2;
    }
    print(*exchange);
    return 0;
}
