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

// The query message for `options`, with the given ID, padded to
// `options.padding_block` when that is set.
std::vector<uint8_t> build_query(const QueryOptions& options, uint16_t id);

// The message ID of a query over `transport`: 0 over DoH and DoQ, a random
// one otherwise.
uint16_t query_id(Transport transport);

// Sends the query (UDP, then TCP if the answer is truncated; or TCP, DoT, DoH
// or DoQ only), prints the answer and returns the exit status.
int run_query(const QueryOptions& options);

}  // namespace cairn::ctl
