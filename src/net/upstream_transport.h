// Upstream queries over UDP and TCP (DESIGN.md "Upstream hygiene"): the net
// layer's implementation of resolve::Upstream.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <vector>

#include "resolve/upstream.h"
#include "wire/ip_address.h"

namespace cairn::net {

// One per worker, bound to that worker's io_context; exchange() must be
// awaited from a coroutine running there. Exchanges may overlap freely:
// each has its own socket, ID and timer, and leaves nothing behind when it
// returns (a timeout cancels and waits for everything it started).
//
// Every query gets a fresh UDP socket on a random ephemeral port (the
// kernel's pick), a random ID from the system CSPRNG, and a connect()ed
// socket so that the kernel drops datagrams from other sources and reports
// ICMP errors. Only a response with our ID and question is accepted
// (RFC 5452); others are ignored until the timeout. TC=1 means asking again
// over TCP (RFC 7766), with a fresh ID and a timeout of its own of the same
// length. The reply's rtt is the time from sending to the response that
// came first (the truncated datagram when TC=1 led to TCP; connect to
// answer when TCP was forced), on the monotonic clock.
class UpstreamTransport final : public resolve::Upstream {
public:
    // `outgoing`: source addresses to bind; for each query one of the
    // server's family is picked at random. None of that family: the
    // kernel's choice.
    explicit UpstreamTransport(asio::io_context& io, std::vector<wire::IpAddress> outgoing = {});

    asio::awaitable<resolve::UpstreamReply> exchange(resolve::UpstreamQuery query) override;

private:
    asio::io_context& io_;
    std::vector<wire::IpAddress> outgoing_;
};

}  // namespace cairn::net
