// `cairnctl query NAME [TYPE] @SERVER[:PORT]`: send one query, print the
// answer like dig does.
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <vector>

#include "cairnctl/command.h"
#include "cairnctl/query_options.h"

namespace cairn::ctl {

// Registers the subcommand on `app`; when it is chosen, its parse callback
// checks the arguments (a bad one ends parsing with CLI::ValidationError) and
// stores the query to run in `command`.
void add_query_command(CLI::App& app, Command& command);

// The query message for `options`, with the given ID.
std::vector<uint8_t> build_query(const QueryOptions& options, uint16_t id);

// RFC 8467 §4.1: a client pads its queries to a multiple of 128 octets.
inline constexpr size_t kQueryPaddingBlock = 128;

// The query for DNS over QUIC: message ID 0 (RFC 9250 §4.2.1), padded to a
// multiple of kQueryPaddingBlock when it has EDNS.
std::vector<uint8_t> build_doq_query(const QueryOptions& options);

// Sends the query (UDP, then TCP if the answer is truncated, or TCP only),
// prints the answer and returns the exit status.
int run_query(const QueryOptions& options);

}  // namespace cairn::ctl
