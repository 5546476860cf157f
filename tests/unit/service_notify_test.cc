// What the daemon tells a service manager (sd_notify), read back from a
// unix datagram socket standing in for systemd's. (The daemon's call sites
// are tested on a running cairn in tests/integration/test_service.py.)
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "cairn/service_notify.h"

namespace cairn::daemon {
namespace {

// A bound datagram socket in a fresh directory, named by NOTIFY_SOCKET for
// as long as it lives; the variables the tests set are cleared again.
class FakeManager {
public:
    FakeManager() {
        char dir_template[] = "/tmp/cairn-notify-XXXXXX";
        const char* made = ::mkdtemp(dir_template);
        dir_ = made ? made : "/nonexistent";  // then bound() is false
        path_ = dir_ + "/notify";
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        path_.copy(address.sun_path, sizeof(address.sun_path) - 1);
        bound_ = ::bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) == 0;
        ::setenv("NOTIFY_SOCKET", path_.c_str(), 1);
    }
    ~FakeManager() {
        ::unsetenv("NOTIFY_SOCKET");
        ::unsetenv("WATCHDOG_USEC");
        ::unsetenv("WATCHDOG_PID");
        ::close(fd_);
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }

    bool bound() const { return bound_; }

    // The next message; blocks until one arrives (every test sends first).
    std::string next() {
        char buffer[4096];
        const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
        return n < 0 ? std::string("recv failed") : std::string(buffer, static_cast<size_t>(n));
    }

private:
    std::string dir_;
    std::string path_;
    int fd_ = -1;
    bool bound_ = false;
};

uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000 +
           static_cast<uint64_t>(now.tv_nsec) / 1'000;
}

TEST(ServiceNotify, ReadyCarriesTheStatus) {
    FakeManager manager;
    ASSERT_TRUE(manager.bound());
    asio::io_context io;
    ServiceNotifier notifier(io);
    notifier.ready("answering on 127.0.0.1:53 (udp, tcp) with 1 worker thread");
    EXPECT_EQ(manager.next(),
              "READY=1\nSTATUS=answering on 127.0.0.1:53 (udp, tcp) with 1 worker thread");
}

TEST(ServiceNotify, ReloadingCarriesTheMonotonicTimeItBegan) {
    FakeManager manager;
    ASSERT_TRUE(manager.bound());
    asio::io_context io;
    ServiceNotifier notifier(io);
    const uint64_t before = monotonic_usec();
    notifier.reloading();
    const uint64_t after = monotonic_usec();
    const std::string message = manager.next();
    const std::string head = "RELOADING=1\nMONOTONIC_USEC=";
    const std::string tail = "\nSTATUS=reloading the configuration";
    ASSERT_TRUE(message.starts_with(head)) << message;
    ASSERT_TRUE(message.ends_with(tail)) << message;
    const std::string usec =
        message.substr(head.size(), message.size() - head.size() - tail.size());
    ASSERT_EQ(usec.find_first_not_of("0123456789"), std::string::npos) << usec;
    EXPECT_GE(std::stoull(usec), before);
    EXPECT_LE(std::stoull(usec), after);
}

TEST(ServiceNotify, ReloadedSaysWhetherTheNewConfigurationApplies) {
    FakeManager manager;
    ASSERT_TRUE(manager.bound());
    asio::io_context io;
    ServiceNotifier notifier(io);
    notifier.reloaded("", "answering on [::1]:53 (udp, tcp) with 2 worker threads");
    EXPECT_EQ(manager.next(),
              "READY=1\nSTATUS=answering on [::1]:53 (udp, tcp) with 2 worker threads");
    notifier.reloaded("cairn.yaml:2: thread: unknown option\ncairn.yaml:3: cache-size: '12q'",
                      "answering on [::1]:53 (udp, tcp) with 2 worker threads");
    EXPECT_EQ(manager.next(),
              "READY=1\nSTATUS=reload failed, running configuration kept: cairn.yaml:2: thread: "
              "unknown option; cairn.yaml:3: cache-size: '12q'");
}

TEST(ServiceNotify, StoppingIsSaid) {
    FakeManager manager;
    ASSERT_TRUE(manager.bound());
    asio::io_context io;
    ServiceNotifier notifier(io);
    notifier.stopping();
    EXPECT_EQ(manager.next(), "STOPPING=1\nSTATUS=stopping: answering what is in flight");
}

TEST(ServiceNotify, WatchdogPingsAtHalfTheManagersInterval) {
    FakeManager manager;
    ASSERT_TRUE(manager.bound());
    ::setenv("WATCHDOG_USEC", "2000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    asio::io_context io;
    ServiceNotifier notifier(io);
    EXPECT_EQ(notifier.watchdog_interval(), std::chrono::microseconds{1000});
    notifier.ready("up");
    EXPECT_EQ(manager.next(), "READY=1\nSTATUS=up");
    EXPECT_EQ(manager.next(), "WATCHDOG=1");
    // The next ping comes from the timer, on the loop.
    ASSERT_EQ(io.run_one(), 1u);
    EXPECT_EQ(manager.next(), "WATCHDOG=1");
    ASSERT_EQ(io.run_one(), 1u);
    EXPECT_EQ(manager.next(), "WATCHDOG=1");
    // After STOPPING=1 the timer is cancelled and pings no more.
    notifier.stopping();
    EXPECT_EQ(manager.next(), "STOPPING=1\nSTATUS=stopping: answering what is in flight");
    io.run();
    notifier.ready("after the stop, a status only");
    EXPECT_EQ(manager.next(), "READY=1\nSTATUS=after the stop, a status only");
}

TEST(ServiceNotify, NoWatchdogUnlessAskedForThisProcess) {
    FakeManager manager;
    asio::io_context io;
    EXPECT_EQ(ServiceNotifier(io).watchdog_interval(), std::chrono::microseconds{0});
    ::setenv("WATCHDOG_USEC", "2000", 1);
    ::setenv("WATCHDOG_PID", std::to_string(::getpid() + 1).c_str(), 1);
    EXPECT_EQ(ServiceNotifier(io).watchdog_interval(), std::chrono::microseconds{0});
    ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
    EXPECT_EQ(ServiceNotifier(io).watchdog_interval(), std::chrono::microseconds{1000});
}

TEST(ServiceNotify, StatusIsOneLineSoNothingInItBecomesAnAssignment) {
    EXPECT_EQ(status_line("plain"), "plain");
    EXPECT_EQ(status_line("a\nb"), "a; b");
    EXPECT_EQ(status_line("a\r\nb\n\nc\n"), "a; b; c");
    EXPECT_EQ(status_line("\nREADY=1"), "READY=1");
    EXPECT_EQ(status_line("bad value\nMAINPID=1"), "bad value; MAINPID=1");
    EXPECT_EQ(status_line(""), "");
}

TEST(ServiceNotify, WarnsWhenAChrootHidesTheManagersSocket) {
    ::setenv("NOTIFY_SOCKET", "/run/systemd/notify", 1);
    const std::string warning = notify_socket_warning("/srv/cairn");
    EXPECT_NE(warning.find("/srv/cairn"), std::string::npos) << warning;
    EXPECT_NE(warning.find("/run/systemd/notify"), std::string::npos) << warning;
    EXPECT_EQ(notify_socket_warning(""), "");
    EXPECT_EQ(notify_socket_warning("/"), "");
    // An abstract socket has no path to hide.
    ::setenv("NOTIFY_SOCKET", "@/org/freedesktop/systemd1/notify", 1);
    EXPECT_EQ(notify_socket_warning("/srv/cairn"), "");
    ::unsetenv("NOTIFY_SOCKET");
    EXPECT_EQ(notify_socket_warning("/srv/cairn"), "");
}

}  // namespace
}  // namespace cairn::daemon
