#include "service_notify.h"

#include <systemd/sd-daemon.h>
#include <time.h>

#include <cstdint>
#include <cstdlib>

namespace cairn::daemon {

namespace {

uint64_t monotonic_usec() {
    timespec now{};
    ::clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<uint64_t>(now.tv_sec) * 1'000'000 +
           static_cast<uint64_t>(now.tv_nsec) / 1'000;
}

std::chrono::microseconds watchdog_interval_from_manager() {
    uint64_t usec = 0;
    // Also checks WATCHDOG_PID, so a child started with our environment
    // would not ping on our behalf.
    if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds{0};
    return std::chrono::microseconds{usec / 2};
}

}  // namespace

ServiceNotifier::ServiceNotifier(asio::io_context& io)
    : timer_(io), watchdog_interval_(watchdog_interval_from_manager()) {}

void ServiceNotifier::ready(std::string_view status) {
    send("READY=1\nSTATUS=" + status_line(status));
    if (!pinging_ && watchdog_interval_.count() > 0) {
        pinging_ = true;
        ping_watchdog();
    }
}

void ServiceNotifier::reloading() {
    send("RELOADING=1\nMONOTONIC_USEC=" + std::to_string(monotonic_usec()) +
         "\nSTATUS=reloading the configuration");
}

void ServiceNotifier::reloaded(std::string_view error, std::string_view status) {
    if (error.empty()) {
        send("READY=1\nSTATUS=" + status_line(status));
        return;
    }
    send("READY=1\nSTATUS=" +
         status_line("reload failed, running configuration kept: " + std::string(error)));
}

void ServiceNotifier::stopping() {
    pinging_ = false;
    timer_.cancel();
    send("STOPPING=1\nSTATUS=stopping: answering what is in flight");
}

void ServiceNotifier::send(const std::string& state) {
    // A manager that cannot be reached changes nothing about serving DNS;
    // it notices by itself (a start time-out, the watchdog).
    sd_notify(0, state.c_str());
}

void ServiceNotifier::ping_watchdog() {
    if (!pinging_) return;
    send("WATCHDOG=1");
    timer_.expires_after(watchdog_interval_);
    timer_.async_wait([this](const asio::error_code& ec) {
        if (!ec) ping_watchdog();
    });
}

std::string serving_status(const server::Service& service) {
    std::string status = "answering on";
    const char* separator = " ";
    for (const auto& address : service.listening()) {
        status += separator + address.to_string() + " (udp, tcp)";
        separator = ", ";
    }
    for (const auto& where : service.listening_encrypted()) {
        status +=
            separator + where.address.to_string() + " (" + net::protocol_name(where.protocol) + ")";
        separator = ", ";
    }
    const unsigned workers = service.worker_count();
    return status + " with " + std::to_string(workers) + " worker thread" +
           (workers == 1 ? "" : "s");
}

std::string status_line(std::string_view text) {
    std::string line;
    line.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\n' && c != '\r') {
            line += c;
            continue;
        }
        // A CR LF pair, or several breaks in a row, make one separator.
        while (i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r'))
            ++i;
        if (!line.empty() && i + 1 < text.size()) line += "; ";
    }
    return line;
}

std::string notify_socket_warning(const std::string& chroot_dir) {
    const char* socket = std::getenv("NOTIFY_SOCKET");
    // An abstract socket ('@') has no path for a chroot to hide.
    if (!socket || socket[0] != '/' || chroot_dir.empty() || chroot_dir == "/") return {};
    return "chroot " + chroot_dir + " hides the service manager's socket " + socket +
           ": it will not hear that cairn is ready or alive; confine cairn with the unit's "
           "RootDirectory= instead of `chroot`";
}

}  // namespace cairn::daemon
