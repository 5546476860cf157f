// Settings of dnstap output, filled in by config (the `dnstap-*` options).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "observe/dnstap_message.h"
#include "wire/ip_address.h"

namespace cairn::observe {

// Which events are recorded. They matter only once a reader is named
// (`dnstap-socket` or `dnstap-address`); then what a client asked and was
// answered is recorded, and cairn's own queries to authoritative servers
// only when asked for (they are many more frames per client query).
struct DnstapSelection {
    bool client_queries = true;
    bool client_responses = true;
    bool resolver_queries = false;
    bool resolver_responses = false;

    bool wants(DnstapKind kind) const {
        switch (kind) {
            case DnstapKind::kClientQuery: return client_queries;
            case DnstapKind::kClientResponse: return client_responses;
            case DnstapKind::kResolverQuery: return resolver_queries;
            case DnstapKind::kResolverResponse: return resolver_responses;
        }
        return false;
    }
    bool any_resolver() const { return resolver_queries || resolver_responses; }
    bool any() const { return client_queries || client_responses || any_resolver(); }

    bool operator==(const DnstapSelection&) const = default;
};

struct DnstapOptions {
    // The reader: a unix socket, or a TCP address; neither: no dnstap.
    std::string socket;
    std::optional<wire::SocketAddress> address;
    // Empty identity: the host's name; empty version: "cairn" and its
    // version.
    std::string identity;
    std::string version;
    DnstapSelection selection;
    // Frames each worker may have waiting for the writer thread.
    uint32_t queue_size = 4096;

    bool enabled() const { return (!socket.empty() || address) && selection.any(); }

    bool operator==(const DnstapOptions&) const = default;
};

}  // namespace cairn::observe
