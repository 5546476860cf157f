#include "cairnctl/query_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cairnctl/doh_exchange.h"
#include "cairnctl/doq_client.h"
#include "cairnctl/dot_exchange.h"
#include "cairnctl/exchange.h"
#include "cairnctl/secure_random.h"
#include "wire/edns_edit.h"
#include "wire/message.h"

namespace cairn::ctl {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kWordsHelp =
    "NAME [TYPE] @SERVER[:PORT], in any order with dig-style +options "
    "(+dnssec +cd +norec +tcp +tls +https +quic +noedns +timeout=S +bufsize=N)";

constexpr const char* kFooter =
    "SERVER is an IP address: 192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353.\n"
    "The port is 53 unless given, 853 with --tls or --quic, 443 with --https. Over\n"
    "TLS and QUIC the certificate must be signed by a CA of the system (or of\n"
    "--ca FILE) and be for SERVER's address (or for --tls-name NAME), unless\n"
    "--insecure.\n"
    "Exit status: 0 an answer arrived (whatever its rcode), 1 bad arguments,\n"
    "2 timeout, network or TLS error, refused certificate or unparsable answer.";

struct Attempt {
    std::vector<uint8_t> answer;
    std::chrono::milliseconds elapsed{};
};

// One query over DNS over QUIC on a connection of its own.
Result<std::vector<uint8_t>, TextError> exchange_quic(const QueryOptions& options,
                                                      std::span<const uint8_t> query) {
    const std::vector<std::vector<uint8_t>> queries{{query.begin(), query.end()}};
    DoqClientOptions client;
    client.server = options.server;
    client.ca_file = options.tls.ca_file;
    client.insecure = options.tls.insecure;
    client.name = options.tls.name;
    client.timeout = options.timeout;
    auto exchange = doq_exchange(client, queries);
    if (!exchange) return Unexpected{exchange.error()};
    const auto& stream = exchange->streams.front();
    if (stream.complete) return stream.answer;
    if (exchange->closed)
        return text_error("the server closed the connection: " + describe(*exchange->closed));
    if (stream.reset)
        return text_error("the server reset the query's stream: " +
                          describe(DoqClose{true, *stream.reset}));
    return text_error("no answer from " + options.server.to_text() + " over QUIC in time");
}

Result<std::vector<uint8_t>, TextError> exchange(const QueryOptions& options, Transport transport,
                                                 std::span<const uint8_t> query,
                                                 Deadline deadline) {
    switch (transport) {
        case Transport::kUdp: return exchange_udp(options.server, query, deadline);
        case Transport::kTcp: return exchange_tcp(options.server, query, deadline);
        case Transport::kTls: return exchange_tls(options.server, options.tls, query, deadline);
        case Transport::kHttps:
            return exchange_https(options.server, options.tls, options.doh, query, deadline);
        case Transport::kQuic: return exchange_quic(options, query);
    }
    return text_error("unknown transport");
}

Result<Attempt, TextError> attempt(const QueryOptions& options, Transport transport) {
    const std::vector<uint8_t> query = build_query(options, query_id(transport));
    const auto start = Clock::now();
    const Deadline deadline = start + options.timeout;
    auto answer = exchange(options, transport, query, deadline);
    if (!answer) return Unexpected{answer.error()};
    return Attempt{std::move(*answer),
                   std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
}

// Only the header is read: the rest of a truncated answer may be cut anywhere.
bool is_truncated(std::span<const uint8_t> answer) {
    wire::Reader reader(answer);
    auto header = wire::Header::parse(reader);
    return header && header->tc;
}

int fail_with(const std::string& message) {
    std::fprintf(stderr, "cairnctl: %s\n", message.c_str());
    return kExitFailure;
}

}  // namespace

std::vector<uint8_t> build_query(const QueryOptions& options, uint16_t id) {
    wire::Message query;
    query.header.id = id;
    query.header.opcode = wire::Opcode::QUERY;
    query.header.rd = options.recursion_desired;
    query.header.cd = options.checking_disabled;
    query.questions.push_back(options.question);
    if (options.edns) {
        wire::Edns edns;
        edns.udp_size = options.udp_size;
        edns.dnssec_ok = options.dnssec_ok;
        query.edns = std::move(edns);
    }
    std::vector<uint8_t> wire = query.to_wire();
    if (options.padding_block == 0) return wire;
    // Room for the option's header and the largest padding.
    const size_t length = wire.size();
    wire.resize(length + 4 + options.padding_block);
    wire.resize(wire::pad_to_block(wire, length, wire.size(), options.padding_block));
    return wire;
}

uint16_t query_id(Transport transport) {
    // RFC 8484 §4.1: a DoH query has ID 0, so that HTTP caches can serve it;
    // RFC 9250 §4.2.1: a DoQ query has ID 0. The connection (and the stream)
    // already tie the answer to the query.
    const bool zero = transport == Transport::kHttps || transport == Transport::kQuic;
    return zero ? 0 : random_u16();
}

int run_query(const QueryOptions& options) {
    Transport transport = options.transport;
    auto result = attempt(options, transport);
    if (!result) return fail_with(result.error().message);
    // RFC 1035 §4.2.1, RFC 7766 §5: a truncated UDP answer is retried over TCP.
    if (transport == Transport::kUdp && is_truncated(result->answer)) {
        std::printf(";; Truncated, retrying over TCP.\n");
        transport = Transport::kTcp;
        result = attempt(options, transport);
        if (!result) return fail_with(result.error().message);
    }

    const std::vector<uint8_t>& wire_answer = result->answer;
    auto message = wire::Message::parse(wire_answer);
    if (!message)
        return fail_with("unparsable answer from " + options.server.to_text() + " (" +
                         std::to_string(wire_answer.size()) +
                         " octets): " + std::string(wire::to_string(message.error())));

    std::string out = message->to_text();
    out += "\n;; Query time: " + std::to_string(result->elapsed.count()) + " msec\n";
    out += ";; SERVER: " + options.server.to_text() + "(" + to_string(transport) + ")\n";
    out += ";; MSG SIZE  rcvd: " + std::to_string(wire_answer.size()) + "\n";
    std::fwrite(out.data(), 1, out.size(), stdout);
    return kExitOk;
}

void add_query_command(CLI::App& app, Command& command) {
    auto args = std::make_shared<QueryArgs>();
    CLI::App* sub = app.add_subcommand("query", "Send one DNS query and print the answer");
    sub->add_option("words", args->words, kWordsHelp);
    sub->add_flag("--dnssec", args->dnssec, "Set the DO bit (ask for DNSSEC records)");
    sub->add_flag("--cd", args->cd, "Set the CD bit (checking disabled)");
    sub->add_flag("--norec", args->norec, "Clear the RD bit (no recursion)");
    sub->add_flag("--tcp", args->tcp, "Query over TCP only");
    sub->add_flag("--tls", args->tls, "Query over DNS over TLS (RFC 7858; port 853 unless given)");
    sub->add_flag("--https", args->https, "Query over DNS over HTTPS (RFC 8484, HTTP/2; port 443)");
    sub->add_flag("--quic", args->quic,
                  "Query over DNS over QUIC (RFC 9250; port 853 unless given)");
    sub->add_flag("--get", args->get, "DoH: GET with the query in the URI (default: POST)");
    sub->add_option("--path", args->path, "DoH: the URI path")->capture_default_str();
    sub->add_option("--ca", args->ca_file, "TLS, QUIC: trust the CA certificates in this PEM file");
    sub->add_flag("--insecure", args->insecure,
                  "TLS, QUIC: accept any certificate (no check at all)");
    sub->add_option("--tls-name", args->tls_name,
                    "TLS, QUIC: the name the certificate must be for (SNI)");
    sub->add_flag("--no-edns", args->no_edns, "Send no OPT record");
    sub->add_option("--timeout", args->timeout_seconds,
                    "Seconds to wait for each attempt (UDP, then TCP)")
        ->capture_default_str();
    sub->add_option("--bufsize", args->bufsize, "EDNS UDP payload size to advertise")
        ->capture_default_str();
    sub->footer(kFooter);
    sub->callback([args, &command] {
        auto options = make_query_options(*args);
        if (!options) throw CLI::ValidationError("query", options.error().message);
        command = [options = std::move(*options)] { return run_query(options); };
    });
}

}  // namespace cairn::ctl
