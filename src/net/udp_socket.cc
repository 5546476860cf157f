#include "net/udp_socket.h"

#include <string>

#include "net/endpoint.h"
#include "net/socket_options.h"

namespace cairn::net {

Result<asio::ip::udp::socket, TextError> open_listening_udp(asio::io_context& io,
                                                            const wire::SocketAddress& address,
                                                            int buffer_bytes,
                                                            std::string_view kind) {
    const auto endpoint = udp_endpoint(address);
    asio::ip::udp::socket socket(io);
    asio::error_code ec;
    auto failed = [&](const char* what) {
        return text_error("cannot listen on " + std::string(kind) + " " + address.to_string() +
                          ": " + what + ": " + ec.message());
    };
    socket.open(endpoint.protocol(), ec);
    if (ec) return failed("socket");
    socket.set_option(ReusePort(true), ec);
    if (ec) return failed("SO_REUSEPORT");
    if (endpoint.address().is_v6()) {
        socket.set_option(asio::ip::v6_only(true), ec);
        if (ec) return failed("IPV6_V6ONLY");
    }
    socket.bind(endpoint, ec);
    if (ec) return failed("bind");
    socket.set_option(asio::socket_base::receive_buffer_size(buffer_bytes), ec);
    socket.set_option(asio::socket_base::send_buffer_size(buffer_bytes), ec);
    socket.native_non_blocking(true, ec);
    if (ec) return failed("O_NONBLOCK");
    return socket;
}

}  // namespace cairn::net
