// The local control channel: a unix stream socket taking one text command
// per connection (a line such as "stats"), answered with text, after which
// the connection is closed. What the commands mean is the caller's business.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace cairn::net {

struct ControlReply {
    std::string text;
    // Run once the reply has been written (e.g. "stop" stops only after
    // saying "ok").
    std::function<void()> after;
};

class ControlListener final : public std::enable_shared_from_this<ControlListener> {
public:
    // Gets the command line without its line ending.
    using Handler = std::function<ControlReply(std::string_view command)>;

    // Binds `path`, replacing a stale socket file left by an earlier run (but
    // not a live one: another process answering there is an error). The
    // socket is made accessible to its owner and group only.
    static Result<std::shared_ptr<ControlListener>, TextError> open(asio::io_context& io,
                                                                    const std::string& path,
                                                                    Handler handler);

    ControlListener(asio::local::stream_protocol::acceptor acceptor, std::string path,
                    Handler handler);
    ~ControlListener();

    void start();
    // Stops accepting and removes the socket file.
    void close();
    const std::string& path() const { return path_; }

private:
    asio::awaitable<void> accept_loop(std::shared_ptr<ControlListener> self);
    asio::awaitable<void> serve(std::shared_ptr<ControlListener> self,
                                asio::local::stream_protocol::socket socket);

    asio::local::stream_protocol::acceptor acceptor_;
    std::string path_;
    Handler handler_;
    bool closed_ = false;
};

}  // namespace cairn::net
