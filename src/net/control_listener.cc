#include "net/control_listener.h"

#include <sys/stat.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <chrono>

namespace cairn::net {

namespace {

using asio::local::stream_protocol;

constexpr size_t kMaxCommandLength = 4096;
// A client that connects and says nothing is not kept waiting for.
constexpr std::chrono::seconds kCommandTimeout{10};

// Is something answering on `path`?
bool socket_in_use(asio::io_context& io, const std::string& path) {
    stream_protocol::socket probe(io);
    asio::error_code ec;
    probe.connect(stream_protocol::endpoint(path), ec);
    return !ec;
}

}  // namespace

Result<std::shared_ptr<ControlListener>, TextError> ControlListener::open(asio::io_context& io,
                                                                          const std::string& path,
                                                                          Handler handler) {
    asio::error_code ec;
    auto failed = [&](const std::string& what) {
        return text_error("cannot open control socket " + path + ": " + what);
    };
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return failed("a file that is not a socket is in the way");
        if (socket_in_use(io, path)) return failed("another process is listening on it");
        ::unlink(path.c_str());
    }
    stream_protocol::acceptor acceptor(io);
    acceptor.open(stream_protocol(), ec);
    if (ec) return failed(ec.message());
    acceptor.bind(stream_protocol::endpoint(path), ec);
    if (ec) return failed(ec.message());
    // Commands change what the server does: no access for others. (Not via
    // umask, which is process-wide and the workers may be running.)
    ::chmod(path.c_str(), 0660);
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        ::unlink(path.c_str());
        return failed(ec.message());
    }
    return std::make_shared<ControlListener>(std::move(acceptor), path, std::move(handler));
}

ControlListener::ControlListener(stream_protocol::acceptor acceptor, std::string path,
                                 Handler handler)
    : acceptor_(std::move(acceptor)), path_(std::move(path)), handler_(std::move(handler)) {}

ControlListener::~ControlListener() {
    close();
}

void ControlListener::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), asio::detached);
}

void ControlListener::close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ec;
    acceptor_.close(ec);
    ::unlink(path_.c_str());
}

asio::awaitable<void> ControlListener::accept_loop(std::shared_ptr<ControlListener> self) {
    while (!closed_) {
        asio::error_code ec;
        auto socket =
            co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (closed_ || ec == asio::error::operation_aborted) co_return;
        if (ec) {
            asio::steady_timer pause(acceptor_.get_executor(), std::chrono::milliseconds(100));
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            continue;
        }
        asio::co_spawn(acceptor_.get_executor(), serve(self, std::move(socket)), asio::detached);
    }
}

asio::awaitable<void> ControlListener::serve(std::shared_ptr<ControlListener> /*keep_alive*/,
                                             stream_protocol::socket accepted) {
    // Shared with the timeout's handler, which may run after this returns.
    auto socket = std::make_shared<stream_protocol::socket>(std::move(accepted));
    asio::steady_timer timeout(socket->get_executor(), kCommandTimeout);
    timeout.async_wait([socket](asio::error_code ec) {
        if (!ec) socket->close(ec);
    });
    std::string input;
    asio::error_code ec;
    const size_t length =
        co_await asio::async_read_until(*socket, asio::dynamic_buffer(input, kMaxCommandLength),
                                        '\n', asio::redirect_error(asio::use_awaitable, ec));
    timeout.cancel();
    // A command without a final newline, ended by shutting down the write
    // side, is accepted as well.
    std::string_view command(input);
    if (!ec)
        command = command.substr(0, length - 1);
    else if (ec != asio::error::eof || input.empty())
        co_return;
    if (!command.empty() && command.back() == '\r') command.remove_suffix(1);
    ControlReply reply = handler_(command);
    if (!reply.text.empty() && reply.text.back() != '\n') reply.text.push_back('\n');
    co_await asio::async_write(*socket, asio::buffer(reply.text),
                               asio::redirect_error(asio::use_awaitable, ec));
    socket->close(ec);
    if (reply.after) reply.after();
}

}  // namespace cairn::net
