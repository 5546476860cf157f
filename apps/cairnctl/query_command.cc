#include "cairnctl/query_command.h"

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "cairnctl/doq_client.h"
#include "cairnctl/exchange.h"
#include "cairnctl/secure_random.h"
#include "wire/edns_edit.h"
#include "wire/message.h"

namespace cairn::ctl {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kWordsHelp =
    "NAME [TYPE] @SERVER[:PORT], in any order with dig-style +options "
    "(+dnssec +cd +norec +tcp +quic +noedns +timeout=S +bufsize=N)";

constexpr const char* kFooter =
    "SERVER is an IP address: 192.0.2.1, 192.0.2.1:5353, 2001:db8::1, [2001:db8::1]:5353;\n"
    "the port is 53, or 853 with --quic.\n"
    "Exit status: 0 an answer arrived (whatever its rcode), 1 bad arguments,\n"
    "2 timeout, network error or unparsable answer.";

struct Attempt {
    std::vector<uint8_t> answer;
    std::chrono::milliseconds elapsed{};
};

Result<Attempt, TextError> attempt_quic(const QueryOptions& options) {
    const std::vector<std::vector<uint8_t>> queries{build_doq_query(options)};
    DoqClientOptions client;
    client.server = options.server;
    client.ca_file = options.ca_file;
    client.insecure = options.insecure;
    client.timeout = options.timeout;
    const auto start = Clock::now();
    auto exchange = doq_exchange(client, queries);
    if (!exchange) return Unexpected{exchange.error()};
    const auto& stream = exchange->streams.front();
    if (stream.complete) {
        return Attempt{stream.answer,
                       std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start)};
    }
    if (exchange->closed)
        return text_error("the server closed the connection: " + describe(*exchange->closed));
    if (stream.reset)
        return text_error("the server reset the query's stream: " +
                          describe(DoqClose{true, *stream.reset}));
    return text_error("no answer from " + options.server.to_text() + " over QUIC in time");
}

Result<Attempt, TextError> attempt(const QueryOptions& options, bool tcp) {
    if (options.quic) return attempt_quic(options);
    const std::vector<uint8_t> query = build_query(options, random_u16());
    const auto start = Clock::now();
    const Deadline deadline = start + options.timeout;
    auto answer = tcp ? exchange_tcp(options.server, query, deadline)
                      : exchange_udp(options.server, query, deadline);
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
    return query.to_wire();
}

std::vector<uint8_t> build_doq_query(const QueryOptions& options) {
    std::vector<uint8_t> query = build_query(options, 0);
    const size_t length = query.size();
    query.resize(length + kQueryPaddingBlock + 4);
    query.resize(wire::pad_to_block(query, length, query.size(), kQueryPaddingBlock));
    return query;
}

int run_query(const QueryOptions& options) {
    bool tcp = options.force_tcp;
    auto result = attempt(options, tcp);
    if (!result) return fail_with(result.error().message);
    // RFC 1035 §4.2.1, RFC 7766 §5: a truncated UDP answer is retried over TCP.
    if (!tcp && !options.quic && is_truncated(result->answer)) {
        std::printf(";; Truncated, retrying over TCP.\n");
        tcp = true;
        result = attempt(options, tcp);
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
    const char* transport = options.quic ? "(quic)" : tcp ? "(tcp)" : "(udp)";
    out += ";; SERVER: " + options.server.to_text() + transport + "\n";
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
    sub->add_flag("--quic", args->quic, "Query over DNS over QUIC (RFC 9250)");
    sub->add_option("--ca", args->ca,
                    "PEM file of the CA that issued the server's certificate (default: the "
                    "system's CAs)");
    sub->add_flag("--insecure", args->insecure, "Do not check the server's certificate");
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
