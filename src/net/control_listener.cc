#include "net/control_listener.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/async_result.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/read_until.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>

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

// Socket files are created 0777 & ~umask: this leaves 0660. Commands
// change what the server does: nothing for others.
constexpr mode_t kSocketUmask = 0117;
constexpr mode_t kDirectoryMode = 0750;

std::string parent_directory(const std::string& path) {
    const auto slash = path.find_last_of('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Empty when `dir` is a directory, made here if it was missing.
std::string ensure_directory(const std::string& dir, const std::optional<FileOwner>& owner) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0)
        return S_ISDIR(st.st_mode) ? std::string() : dir + " is not a directory";
    if (errno != ENOENT || ::mkdir(dir.c_str(), kDirectoryMode) != 0)
        return "cannot create directory " + dir + ": " + std::strerror(errno);
    if (!owner) return {};
    // By descriptor: the name could be swapped for a link between the two calls.
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const bool handed = fd >= 0 && ::fchown(fd, owner->uid, owner->gid) == 0;
    const int error = errno;
    if (fd >= 0) ::close(fd);
    if (!handed) return "cannot hand directory " + dir + " over: " + std::strerror(error);
    return {};
}

constexpr std::string_view kAbandoned =
    "error: no reply: the work was abandoned (cairn is stopping or reloading)";

}  // namespace

struct LateReply::State {
    State(asio::any_io_executor executor, std::function<void(std::string)> deliver)
        : executor(std::move(executor)), deliver(std::move(deliver)) {}
    ~State() { reply(std::string(kAbandoned)); }

    // Resumes the listener's coroutine on its own loop, once.
    void reply(std::string text) {
        if (replied.exchange(true)) return;
        asio::post(executor, [deliver = std::move(deliver), text = std::move(text)]() mutable {
            deliver(std::move(text));
        });
    }

    asio::any_io_executor executor;
    std::function<void(std::string)> deliver;
    std::atomic<bool> replied{false};
};

void LateReply::operator()(std::string text) const {
    state_->reply(std::move(text));
}

namespace {

// The text `later` answers with, whenever (and on whatever thread) it does.
asio::awaitable<std::string> late_text(std::function<void(LateReply)> later) {
    auto executor = co_await asio::this_coro::executor;
    co_return co_await asio::async_initiate<decltype(asio::use_awaitable), void(std::string)>(
        [&](auto handler) {
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            later(LateReply(std::make_shared<LateReply::State>(
                executor, [shared](std::string text) { std::move (*shared)(std::move(text)); })));
        },
        asio::use_awaitable);
}

}  // namespace

Result<std::shared_ptr<ControlListener>, TextError> ControlListener::open(
    asio::io_context& io, const std::string& path, Handler handler,
    std::optional<FileOwner> owner) {
    asio::error_code ec;
    auto failed = [&](const std::string& what) {
        return text_error("cannot open control socket " + path + ": " + what);
    };
    if (auto problem = ensure_directory(parent_directory(path), owner); !problem.empty())
        return failed(problem);
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode)) return failed("a file that is not a socket is in the way");
        if (socket_in_use(io, path)) return failed("another process is listening on it");
        ::unlink(path.c_str());
    }
    stream_protocol::acceptor acceptor(io);
    acceptor.open(stream_protocol(), ec);
    if (ec) return failed(ec.message());
    // The umask is process-wide, but no other thread of cairn creates files.
    const mode_t saved_umask = ::umask(kSocketUmask);
    acceptor.bind(stream_protocol::endpoint(path), ec);
    ::umask(saved_umask);
    if (ec) return failed(ec.message());
    // Ownership, unlike the mode, can be handed over afterwards: until then
    // the file is the starting user's, and mode 0660 already.
    if (owner && ::lchown(path.c_str(), owner->uid, owner->gid) != 0) {
        const std::string why = std::strerror(errno);
        ::unlink(path.c_str());
        return failed("cannot hand the socket over: " + why);
    }
    acceptor.listen(asio::socket_base::max_listen_connections, ec);
    const int directory =
        ec ? -1 : ::open(parent_directory(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (ec || directory < 0) {
        const std::string why = ec ? ec.message() : std::strerror(errno);
        ::unlink(path.c_str());
        return failed(why);
    }
    return std::make_shared<ControlListener>(std::move(acceptor), path, directory,
                                             std::move(handler));
}

ControlListener::ControlListener(stream_protocol::acceptor acceptor, std::string path,
                                 int directory, Handler handler)
    : acceptor_(std::move(acceptor)),
      path_(std::move(path)),
      directory_(directory),
      handler_(std::move(handler)) {}

ControlListener::~ControlListener() {
    close();
    ::close(directory_);
}

void ControlListener::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(shared_from_this()), asio::detached);
}

void ControlListener::close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ec;
    acceptor_.close(ec);
    const auto slash = path_.find_last_of('/');
    const std::string name = slash == std::string::npos ? path_ : path_.substr(slash + 1);
    ::unlinkat(directory_, name.c_str(), 0);
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
    if (reply.later) reply.text = co_await late_text(std::move(reply.later));
    if (!reply.text.empty() && reply.text.back() != '\n') reply.text.push_back('\n');
    co_await asio::async_write(*socket, asio::buffer(reply.text),
                               asio::redirect_error(asio::use_awaitable, ec));
    socket->close(ec);
    if (reply.after) reply.after();
}

}  // namespace cairn::net
