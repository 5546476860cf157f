// The local control channel: a unix stream socket taking one text command
// per connection (a line such as "stats"), answered with text, after which
// the connection is closed. What the commands mean is the caller's business.
#pragma once

#include <sys/types.h>

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "wire/result.h"

namespace cairn::net {

// Who the socket file (and a directory made for it) is handed to: the user
// the daemon runs as after dropping privileges.
struct FileOwner {
    uid_t uid = 0;
    gid_t gid = 0;
};

// The reply to a command that takes a while (a trace runs on a worker's
// loop): call it once, from any thread, with the text. Copies share one
// reply. If every copy is dropped uncalled (the work was abandoned: the
// daemon is stopping or replacing its workers), the client is told so.
class LateReply {
public:
    struct State;
    explicit LateReply(std::shared_ptr<State> state) : state_(std::move(state)) {}
    void operator()(std::string text) const;

private:
    std::shared_ptr<State> state_;
};

struct ControlReply {
    std::string text;
    // Run once the reply has been written (e.g. "stop" stops only after
    // saying "ok").
    std::function<void()> after;
    // Set for a command answered later: called at once with the LateReply
    // to answer through; `text` is not used then. The listener goes on
    // serving other clients meanwhile.
    std::function<void(LateReply)> later;
};

class ControlListener final : public std::enable_shared_from_this<ControlListener> {
public:
    // Gets the command line without its line ending.
    using Handler = std::function<ControlReply(std::string_view command)>;

    // Binds `path`, replacing a stale socket file left by an earlier run (but
    // not a live one: another process answering there is an error). The
    // socket file is created with mode 0660 (a umask held around bind(),
    // never a chmod afterwards, so it is at no moment open to others). A
    // missing directory is created with mode 0750 (its parent must exist).
    // With `owner`, the socket, and a directory created here, are handed to
    // that user and group, who can then still remove and re-create them.
    static Result<std::shared_ptr<ControlListener>, TextError> open(
        asio::io_context& io, const std::string& path, Handler handler,
        std::optional<FileOwner> owner = std::nullopt);

    // `directory` is an open descriptor of the socket's directory, which the
    // listener takes over.
    ControlListener(asio::local::stream_protocol::acceptor acceptor, std::string path,
                    int directory, Handler handler);
    ~ControlListener();
    ControlListener(const ControlListener&) = delete;
    ControlListener& operator=(const ControlListener&) = delete;

    void start();
    // Stops accepting and removes the socket file (through the directory's
    // descriptor: still the right file after a chroot).
    void close();
    const std::string& path() const { return path_; }

private:
    asio::awaitable<void> accept_loop(std::shared_ptr<ControlListener> self);
    asio::awaitable<void> serve(std::shared_ptr<ControlListener> self,
                                asio::local::stream_protocol::socket socket);

    asio::local::stream_protocol::acceptor acceptor_;
    std::string path_;
    int directory_;
    Handler handler_;
    bool closed_ = false;
};

}  // namespace cairn::net
