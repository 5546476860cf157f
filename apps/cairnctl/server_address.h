// The "@server" argument of `cairnctl query`: an IP address and a port.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace cairn::ctl {

inline constexpr uint16_t kDefaultDnsPort = 53;

struct ServerAddress {
    sockaddr_storage storage{};
    socklen_t length = 0;

    int family() const { return storage.ss_family; }
    const sockaddr* sockaddr_ptr() const { return reinterpret_cast<const sockaddr*>(&storage); }
    uint16_t port() const;
    // The address alone, as inet_ntop writes it (with "%scope" for IPv6 link-local).
    std::string host_text() const;
    // dig's "address#port" form.
    std::string to_text() const;
};

// Parses an IP literal with an optional port, without the leading '@':
//   192.0.2.1   192.0.2.1:5353   2001:db8::1   [2001:db8::1]   [2001:db8::1]:5353
//   fe80::1%eth0 (interface scope by name or number)
// The port defaults to `default_port`. Host names are refused: this tool does
// not depend on a resolver to find the server it is meant to test.
Result<ServerAddress, TextError> parse_server_address(std::string_view text,
                                                      uint16_t default_port = kDefaultDnsPort);

}  // namespace cairn::ctl
