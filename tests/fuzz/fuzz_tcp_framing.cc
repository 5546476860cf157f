// The client-facing TCP framing (RFC 7766) on arbitrary byte streams: the
// input is what one client writes on a connection to a real TcpListener on
// loopback, before it closes its sending side. The framing lives inside
// TcpConnection's read loop, so the target drives it through its socket,
// the smallest public seam. Were the length-prefix logic its own value type
// (bytes in, whole messages or "malformed" out, what read_loop would then
// call), the fuzzer could feed it directly, without the kernel round trip,
// at many times the speed.
//
// Checked: every whole frame of 12 bytes or more reaches the handler once,
// in order, byte for byte; a stream that ends on a frame boundary gets every
// answer the handler gave, each framed whole; a malformed stream (a length
// below a header, or a frame cut short) gets nothing but whole answers; and
// the connection is always closed in the end, its slot given back.
//
// The handler's choice per query, by the low bits of its third byte: 0
// answer at once, 1 answer later (pipelined, possibly out of order), 2 drop,
// 3 promise an answer later and then abandon it.
#include <algorithm>
#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <csignal>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "fuzz_check.h"
#include "net/tcp_limits.h"
#include "net/tcp_listener.h"

namespace {

using namespace cairn;
using Bytes = std::vector<uint8_t>;

// The answer to `query`: the query itself with QR set, so each answer tells
// which query it belongs to.
Bytes answer_to(std::span<const uint8_t> query) {
    Bytes out(query.begin(), query.end());
    out[2] |= 0x80;
    return out;
}

class Handler final : public net::QueryHandler {
public:
    explicit Handler(asio::io_context& io) : io_(io) {}

    size_t handle_query(std::span<const uint8_t> query, const net::Peer&,
                        std::span<uint8_t> response, const net::ReplyOrigin& origin) override {
        received.emplace_back(query.begin(), query.end());
        switch (query[2] & 3) {
            case 0: {
                const Bytes answer = answer_to(query);
                FUZZ_CHECK(answer.size() <= response.size());
                std::copy(answer.begin(), answer.end(), response.begin());
                answered.push_back(answer);
                return answer.size();
            }
            case 1: {
                auto handle = std::make_shared<net::ReplyHandle>(origin.keep());
                Bytes answer = answer_to(query);
                answered.push_back(answer);
                asio::post(io_, [handle, answer] { handle->send(answer); });
                return 0;
            }
            case 2: return 0;
            default: {
                auto handle = std::make_shared<net::ReplyHandle>(origin.keep());
                asio::post(io_, [handle] {});
                return 0;
            }
        }
    }

    std::vector<Bytes> received;
    std::vector<Bytes> answered;

private:
    asio::io_context& io_;
};

struct Server {
    asio::io_context io;
    Handler handler{io};
    net::TcpConnectionLimits limits{16, 16};
    net::TransportMetrics metrics;
    std::shared_ptr<net::TcpListener> listener;
    asio::ip::tcp::endpoint endpoint;

    Server() {
        auto opened = net::TcpListener::open(io, *wire::SocketAddress::parse("127.0.0.1:0"),
                                             handler, limits, metrics, net::TcpListenerOptions{});
        FUZZ_CHECK(opened.ok());
        listener = std::move(*opened);
        listener->start();
        const auto local = listener->local_address();
        endpoint = asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), local.port);
    }
};

Server& server() {
    static Server* s = new Server();  // lives as long as the process
    return *s;
}

// The frames a correct reader takes from `input`, and whether the stream
// ends cleanly on a frame boundary.
struct Framing {
    std::vector<Bytes> frames;
    bool clean = false;
};

Framing frames_of(std::span<const uint8_t> input) {
    Framing out;
    size_t pos = 0;
    while (true) {
        if (pos == input.size()) {
            out.clean = true;
            return out;
        }
        if (input.size() - pos < 2) return out;
        const size_t length = size_t{input[pos]} << 8 | input[pos + 1];
        if (length < 12 || input.size() - pos - 2 < length) return out;
        out.frames.emplace_back(input.begin() + pos + 2, input.begin() + pos + 2 + length);
        pos += 2 + length;
    }
}

// The whole frames in what the server sent back.
std::vector<Bytes> answers_in(const Bytes& stream) {
    std::vector<Bytes> out;
    size_t pos = 0;
    while (stream.size() - pos >= 2) {
        const size_t length = size_t{stream[pos]} << 8 | stream[pos + 1];
        if (stream.size() - pos - 2 < length) break;
        out.emplace_back(stream.begin() + pos + 2, stream.begin() + pos + 2 + length);
        pos += 2 + length;
    }
    return out;
}

// Writes `input`, closes the sending side, reads until the server closes.
Bytes converse(Server& s, std::span<const uint8_t> input) {
    asio::ip::tcp::socket client(s.io);
    asio::error_code ec;
    client.connect(s.endpoint, ec);
    FUZZ_CHECK(!ec);
    Bytes received;
    std::array<uint8_t, 4096> chunk{};
    bool read_done = false;
    bool write_done = false;
    asio::async_write(client, asio::buffer(input.data(), input.size()),
                      [&](asio::error_code, size_t) {
                          asio::error_code ignored;
                          client.shutdown(asio::socket_base::shutdown_send, ignored);
                          write_done = true;
                      });
    std::function<void(asio::error_code, size_t)> on_read = [&](asio::error_code error, size_t n) {
        received.insert(received.end(), chunk.begin(), chunk.begin() + n);
        if (error) {
            read_done = true;
            return;
        }
        client.async_read_some(asio::buffer(chunk), on_read);
    };
    client.async_read_some(asio::buffer(chunk), on_read);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (!(read_done && write_done && s.listener->connection_count() == 0)) {
        FUZZ_CHECK(std::chrono::steady_clock::now() < deadline);  // the connection must close
        s.io.run_one_for(std::chrono::milliseconds(100));
    }
    return received;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::signal(SIGPIPE, SIG_IGN);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::span<const uint8_t> input(data, size);
    Server& s = server();
    s.handler.received.clear();
    s.handler.answered.clear();
    const Bytes stream = converse(s, input);

    const Framing expected = frames_of(input);
    FUZZ_CHECK(s.handler.received == expected.frames);
    std::vector<Bytes> got = answers_in(stream);
    std::vector<Bytes> want = s.handler.answered;
    std::sort(got.begin(), got.end());
    std::sort(want.begin(), want.end());
    if (expected.clean) {
        FUZZ_CHECK(got == want);
    } else {
        FUZZ_CHECK(std::includes(want.begin(), want.end(), got.begin(), got.end()));
    }
    FUZZ_CHECK(s.limits.open_connections() == 0);
    return 0;
}
