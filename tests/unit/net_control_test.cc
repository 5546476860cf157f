// The control socket: one command line in, text out; the socket file's
// life; and cairnctl's client for it.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <fstream>
#include <future>
#include <thread>

#include "cairnctl/control_client.h"
#include "net/control_listener.h"

namespace cairn::net {
namespace {

using namespace std::chrono_literals;

std::string temp_socket_path(const std::string& tag) {
    return "/tmp/cairn-net-control-" + std::to_string(::getpid()) + "-" + tag + ".sock";
}

struct ControlHarness {
    explicit ControlHarness(const std::string& path, std::optional<FileOwner> owner = {}) {
        auto handler = [this](std::string_view command) {
            commands.emplace_back(command);
            ControlReply reply{"got " + std::string(command), {}, {}};
            if (command == "stop") reply.after = [this] { stopped = true; };
            // Answered later, by whoever takes the LateReply from `late`.
            if (command == "late") reply.later = [this](LateReply r) { late.set_value(r); };
            // Answered never: the LateReply is dropped.
            if (command == "drop") reply.later = [](LateReply) {};
            return reply;
        };
        auto opened = ControlListener::open(io, path, handler, owner);
        if (!opened) throw std::runtime_error(opened.error().message);
        listener = *opened;
        listener->start();
        thread = std::thread([this] { io.run(); });
    }
    ~ControlHarness() {
        asio::post(io, [this] { listener->close(); });
        io.stop();
        thread.join();
    }

    asio::io_context io;
    std::shared_ptr<ControlListener> listener;
    std::vector<std::string> commands;  // written by the io thread only
    std::atomic<bool> stopped{false};
    std::promise<LateReply> late;
    std::thread thread;
};

TEST(NetControl, CommandAndReply) {
    const auto path = temp_socket_path("reply");
    {
        ControlHarness h(path);
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_TRUE(S_ISSOCK(st.st_mode));
        EXPECT_EQ(st.st_mode & 0007, 0u);  // nothing for others

        auto reply = ctl::control_exchange(path, "stats", 2s);
        ASSERT_TRUE(reply) << reply.error().message;
        EXPECT_EQ(*reply, "got stats\n");
        reply = ctl::control_exchange(path, "stop", 2s);
        ASSERT_TRUE(reply);
        EXPECT_EQ(*reply, "got stop\n");
        for (int i = 0; i < 100 && !h.stopped; ++i)
            std::this_thread::sleep_for(5ms);
        EXPECT_TRUE(h.stopped);  // run after the reply was written
    }
    EXPECT_NE(::access(path.c_str(), F_OK), 0) << "socket file left behind";
}

TEST(NetControl, ALateReplyComesFromAnyThreadWhileOtherClientsAreServed) {
    const auto path = temp_socket_path("late");
    ControlHarness h(path);
    auto waiting =
        std::async(std::launch::async, [&] { return ctl::control_exchange(path, "late", 10s); });
    auto late = h.late.get_future();
    ASSERT_EQ(late.wait_for(5s), std::future_status::ready);
    auto other = ctl::control_exchange(path, "stats", 2s);
    ASSERT_TRUE(other) << other.error().message;
    EXPECT_EQ(*other, "got stats\n");
    std::thread([reply = late.get()] { reply("done at last"); }).join();
    auto reply = waiting.get();
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(*reply, "done at last\n");
}

TEST(NetControl, ALateReplyDroppedUncalledSaysTheWorkWasAbandoned) {
    const auto path = temp_socket_path("drop");
    ControlHarness h(path);
    auto reply = ctl::control_exchange(path, "drop", 2s);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_TRUE(reply->starts_with("error: no reply: the work was abandoned")) << *reply;
}

TEST(NetControl, StaleSocketFileIsReplacedButALiveOneIsNot) {
    const auto path = temp_socket_path("stale");
    {
        // A socket file nobody listens on, as a crashed process leaves.
        asio::io_context io;
        asio::local::stream_protocol::acceptor stale(io);
        stale.open(asio::local::stream_protocol());
        stale.bind(asio::local::stream_protocol::endpoint(path));
    }
    ASSERT_EQ(::access(path.c_str(), F_OK), 0);
    ControlHarness h(path);
    EXPECT_TRUE(ctl::control_exchange(path, "stats", 2s));

    asio::io_context other;
    auto second = ControlListener::open(other, path, [](std::string_view) {
        return ControlReply{"second", {}, {}};
    });
    EXPECT_FALSE(second);
    EXPECT_TRUE(ctl::control_exchange(path, "stats", 2s));  // the first still answers
}

TEST(NetControl, RefusesToReplaceAFileThatIsNotASocket) {
    const auto path = temp_socket_path("file");
    std::ofstream(path) << "precious";
    asio::io_context io;
    auto opened = ControlListener::open(io, path, [](std::string_view) { return ControlReply{}; });
    EXPECT_FALSE(opened);
    EXPECT_EQ(::access(path.c_str(), F_OK), 0);
    ::unlink(path.c_str());
}

TEST(NetControl, SocketIsCreatedPrivateWhateverTheUmask) {
    const auto path = temp_socket_path("umask");
    const mode_t before = ::umask(0);  // a careless parent process
    {
        ControlHarness h(path);
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0660u);
        EXPECT_TRUE(ctl::control_exchange(path, "stats", 2s));
    }
    EXPECT_EQ(::umask(before), 0u) << "the process umask was not restored";
}

TEST(NetControl, MissingDirectoryIsCreatedForTheOwner) {
    const std::string dir = "/tmp/cairn-net-control-" + std::to_string(::getpid()) + "-dir";
    const std::string path = dir + "/ctl.sock";
    // As root, hand the files to nobody, as the daemon does after dropping
    // privileges; otherwise to ourselves (all an ordinary user may do).
    const bool root = ::geteuid() == 0;
    const FileOwner owner{root ? 65534u : ::getuid(), root ? 65534u : ::getgid()};
    const mode_t before = ::umask(022);
    {
        ControlHarness h(path, owner);
        struct stat st {};
        ASSERT_EQ(::stat(dir.c_str(), &st), 0);
        EXPECT_TRUE(S_ISDIR(st.st_mode));
        EXPECT_EQ(st.st_mode & 07777, 0750u);
        EXPECT_EQ(st.st_uid, owner.uid);
        EXPECT_EQ(st.st_gid, owner.gid);
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0660u);
        EXPECT_EQ(st.st_uid, owner.uid);
        EXPECT_EQ(st.st_gid, owner.gid);
        auto reply = ctl::control_exchange(path, "stats", 2s);
        ASSERT_TRUE(reply) << reply.error().message;
        EXPECT_EQ(*reply, "got stats\n");
    }
    ::umask(before);
    EXPECT_NE(::access(path.c_str(), F_OK), 0) << "socket file left behind";
    EXPECT_EQ(::rmdir(dir.c_str()), 0);
}

TEST(NetControl, DirectoryWhoseParentIsMissingIsAnError) {
    const std::string path = "/tmp/cairn-net-control-" + std::to_string(::getpid()) + "-none/a/s";
    asio::io_context io;
    auto opened = ControlListener::open(io, path, [](std::string_view) { return ControlReply{}; });
    ASSERT_FALSE(opened);
    EXPECT_NE(opened.error().message.find("cannot create directory"), std::string::npos)
        << opened.error().message;
}

TEST(NetControl, ClientReportsAnAbsentDaemon) {
    auto reply = ctl::control_exchange(temp_socket_path("absent"), "stats", 1s);
    ASSERT_FALSE(reply);
    EXPECT_NE(reply.error().message.find("is cairn running"), std::string::npos);
}

}  // namespace
}  // namespace cairn::net
