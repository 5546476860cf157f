// Telling the service manager where the daemon is in its life (sd_notify(3),
// for a systemd unit with Type=notify): READY=1 once it answers with its
// privileges dropped, RELOADING=1 and READY=1 around every reload, STOPPING=1
// at shutdown, a STATUS= line for `systemctl status` with each, and
// WATCHDOG=1 at half the unit's WatchdogSec (WATCHDOG_USEC) while the main
// thread turns. Started without NOTIFY_SOCKET (by hand, by a test, by another
// supervisor) it sends nothing: libsystemd then does nothing at all.
#pragma once

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "server/service.h"

namespace cairn::daemon {

class ServiceNotifier {
public:
    // Pings run on `io`, the main thread's loop: a main thread that hangs
    // (signals and control commands unanswered) stops them, and the manager
    // restarts the daemon.
    explicit ServiceNotifier(asio::io_context& io);

    // READY=1 with `status`; the first call also starts the watchdog pings
    // when the manager asked for them.
    void ready(std::string_view status);
    // RELOADING=1 with the monotonic time the reload began, as systemd wants it.
    void reloading();
    // READY=1 after a reload: `status` if it applied (`error` empty), else
    // why it did not and that the running configuration stays.
    void reloaded(std::string_view error, std::string_view status);
    // STOPPING=1; no watchdog pings after it.
    void stopping();

    // Half the manager's WATCHDOG_USEC for this process; zero when it asked
    // for no watchdog.
    std::chrono::microseconds watchdog_interval() const { return watchdog_interval_; }

private:
    void send(const std::string& state);
    void ping_watchdog();

    asio::steady_timer timer_;
    std::chrono::microseconds watchdog_interval_{0};
    bool pinging_ = false;
};

// What `service` answers on, for STATUS=: "answering on 127.0.0.1:53 (udp,
// tcp), 127.0.0.1:853 (tls) with 4 worker threads".
std::string serving_status(const server::Service& service);

// `text` as one STATUS= value: line breaks (a reload error lists every
// problem of the file, and quotes it) become "; ", so nothing in it can start
// an assignment of its own.
std::string status_line(std::string_view text);

// A warning for the log when `chroot_dir` hides the manager's notification
// socket: libsystemd opens NOTIFY_SOCKET by path at each message, and the
// manager would then never hear READY=1. Empty when nothing is hidden.
std::string notify_socket_warning(const std::string& chroot_dir);

}  // namespace cairn::daemon
