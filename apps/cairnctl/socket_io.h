// The blocking-with-a-deadline socket steps every transport of `cairnctl
// query` shares: a descriptor that closes itself, waiting for readiness,
// and a TCP connection (the base of TCP, DoT and DoH).
#pragma once

#include <chrono>
#include <string>

#include "cairnctl/server_address.h"
#include "wire/result.h"

namespace cairn::ctl {

using Deadline = std::chrono::steady_clock::time_point;

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(FileDescriptor&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    FileDescriptor& operator=(FileDescriptor&& other) noexcept;
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor();

    int get() const { return fd_; }
    bool valid() const { return fd_ >= 0; }

private:
    int fd_;
};

enum class Wait { kReady, kTimeout, kError };

// Waits until `fd` has `events` (poll's POLLIN, POLLOUT) or the deadline
// passes. EINTR just retries.
Wait wait_for(int fd, short events, Deadline deadline);

// "WHAT SERVER: strerror(error)".
Unexpected<TextError> system_error(const std::string& what, const ServerAddress& server, int error);

// A non-blocking TCP socket connected to `server`.
Result<FileDescriptor, TextError> connect_tcp(const ServerAddress& server, Deadline deadline);

}  // namespace cairn::ctl
