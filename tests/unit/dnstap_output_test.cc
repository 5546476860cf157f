// The dnstap writer against a Frame Streams reader written here from the
// protocol (bidirectional: READY, ACCEPT, START, data frames, STOP,
// FINISH) on a unix socket: frames arrive whole and in order, and with no
// reader they are refused at once rather than queued.
#include "net/dnstap_output.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

constexpr uint32_t kAccept = 1, kStart = 2, kStop = 3, kReady = 4, kFinish = 5;
constexpr uint32_t kContentTypeField = 1;

bool read_exact(int fd, void* data, size_t size) {
    auto* p = static_cast<uint8_t*>(data);
    while (size > 0) {
        const ssize_t n = ::read(fd, p, size);
        if (n <= 0) return false;
        p += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

std::optional<uint32_t> read_u32(int fd) {
    uint32_t v = 0;
    if (!read_exact(fd, &v, 4)) return std::nullopt;
    return ntohl(v);
}

void write_control(int fd, uint32_t type, std::string_view content_type) {
    std::vector<uint32_t> words = {0, 0, htonl(type)};
    if (!content_type.empty()) {
        words.push_back(htonl(kContentTypeField));
        words.push_back(htonl(static_cast<uint32_t>(content_type.size())));
    }
    std::string bytes(reinterpret_cast<const char*>(words.data()), words.size() * 4);
    bytes += content_type;
    const uint32_t length = htonl(static_cast<uint32_t>(bytes.size() - 8));
    std::memcpy(bytes.data() + 4, &length, 4);
    ASSERT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
}

// What one reader connection saw.
struct Capture {
    std::string ready_content_type;
    bool started = false;
    std::vector<std::string> frames;
    bool stopped = false;
};

// Reads one control frame's type and its content type field, if any.
std::optional<std::pair<uint32_t, std::string>> read_control(int fd) {
    const auto length = read_u32(fd);
    if (!length || *length < 4) return std::nullopt;
    std::string body(*length, '\0');
    if (!read_exact(fd, body.data(), body.size())) return std::nullopt;
    uint32_t type = 0;
    std::memcpy(&type, body.data(), 4);
    std::string content_type;
    if (body.size() >= 12) {
        uint32_t field_length = 0;
        std::memcpy(&field_length, body.data() + 8, 4);
        content_type = body.substr(12, ntohl(field_length));
    }
    return std::pair{ntohl(type), content_type};
}

// Serves one writer connection on `listener` to the end of its stream.
Capture serve_one(int listener) {
    Capture c;
    const int fd = ::accept(listener, nullptr, nullptr);
    if (fd < 0) return c;
    if (read_u32(fd) != 0u) return c;  // the escape before a control frame
    if (auto ready = read_control(fd); ready && ready->first == kReady)
        c.ready_content_type = ready->second;
    write_control(fd, kAccept, "protobuf:dnstap.Dnstap");
    for (;;) {
        const auto length = read_u32(fd);
        if (!length) break;
        if (*length == 0) {
            const auto control = read_control(fd);
            if (!control) break;
            if (control->first == kStart) c.started = true;
            if (control->first == kStop) {
                c.stopped = true;
                write_control(fd, kFinish, "");
                break;
            }
            continue;
        }
        std::string frame(*length, '\0');
        if (!read_exact(fd, frame.data(), frame.size())) break;
        c.frames.push_back(std::move(frame));
    }
    ::close(fd);
    return c;
}

class DnstapOutputTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/cairn-dnstap-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        dir_ = pattern;
        path_ = dir_ + "/tap.sock";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    int listen_unix() const {
        const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
        EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        EXPECT_EQ(::listen(fd, 4), 0);
        return fd;
    }

    DnstapOutputSettings settings() const {
        DnstapOutputSettings s;
        s.socket = path_;
        s.queues = 2;
        s.queue_size = 16;
        return s;
    }

    std::string dir_;
    std::string path_;
};

bool wait_connected(const DnstapOutput& output) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!output.connected() && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
    return output.connected();
}

std::span<const uint8_t> bytes(std::string_view text) {
    return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST_F(DnstapOutputTest, FramesReachTheReaderWholeAndInOrder) {
    const int listener = listen_unix();
    Capture capture;
    std::thread reader([&] { capture = serve_one(listener); });
    {
        auto output = DnstapOutput::open(settings());
        ASSERT_TRUE(output) << output.error().message;
        ASSERT_TRUE(wait_connected(**output));
        EXPECT_EQ((*output)->connections(), 1u);
        EXPECT_EQ((*output)->target(), "unix socket " + path_);
        EXPECT_TRUE((*output)->queue(0).offer(bytes("first")));
        EXPECT_TRUE((*output)->queue(0).offer(bytes("second")));
        EXPECT_TRUE((*output)->queue(1).offer(bytes("from worker 1")));
        // Going away writes what is queued and ends the stream.
    }
    reader.join();
    ::close(listener);
    EXPECT_EQ(capture.ready_content_type, "protobuf:dnstap.Dnstap");
    EXPECT_TRUE(capture.started);
    EXPECT_TRUE(capture.stopped);
    ASSERT_EQ(capture.frames.size(), 3u);
    // Each worker's frames in its order; the writer takes turns between
    // queues.
    std::vector<std::string> worker0;
    for (const auto& f : capture.frames)
        if (f != "from worker 1") worker0.push_back(f);
    EXPECT_EQ(worker0, (std::vector<std::string>{"first", "second"}));
}

TEST_F(DnstapOutputTest, WithoutAReaderFramesAreRefusedAtOnce) {
    auto output = DnstapOutput::open(settings());
    ASSERT_TRUE(output) << output.error().message;
    EXPECT_FALSE((*output)->connected());
    for (int i = 0; i < 100; ++i)
        EXPECT_FALSE((*output)->queue(i % 2).offer(bytes("frame")));
    EXPECT_EQ((*output)->connections(), 0u);
}

TEST_F(DnstapOutputTest, TcpTargetIsNamed) {
    DnstapOutputSettings s;
    s.address = wire::SocketAddress::parse("127.0.0.1:9", 6000);
    auto output = DnstapOutput::open(s);
    ASSERT_TRUE(output) << output.error().message;
    EXPECT_EQ((*output)->target(), "TCP 127.0.0.1:9");
}

}  // namespace
}  // namespace cairn::net
