#include "net/dnstap_output.h"

#include <fstrm.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "net/endpoint.h"

namespace cairn::net {

// The byte stream under libfstrm's writer: a blocking socket with send and
// receive timeouts, opened again for each connection. libfstrm calls it
// from the writer thread only; `connected` is read by the workers.
//
// Connected means the Frame Streams handshake is done: libfstrm writes
// READY, reads the reader's ACCEPT and writes START before any data frame,
// so the first write after a read completes it.
struct DnstapOutput::Stream {
    std::string socket_path;
    std::optional<wire::SocketAddress> address;
    std::chrono::milliseconds timeout{};
    std::string target;

    int fd = -1;
    bool read_since_open = false;
    std::atomic<bool> connected{false};
    std::atomic<uint64_t> connections{0};

    void shut() {
        connected.store(false, std::memory_order_relaxed);
        if (fd >= 0) ::close(fd);
        fd = -1;
    }

    bool set_timeouts() const {
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>(timeout.count() % 1000 * 1000);
        // On Linux the send timeout bounds connect() too.
        return ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0 &&
               ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0;
    }

    bool connect_socket() {
        sockaddr_storage to{};
        socklen_t length = 0;
        if (address) {
            Peer peer;
            peer.address = *address;
            length = peer_to_sockaddr(peer, to);
        } else {
            auto& un = reinterpret_cast<sockaddr_un&>(to);
            un.sun_family = AF_UNIX;
            if (socket_path.size() >= sizeof un.sun_path) return false;
            std::memcpy(un.sun_path, socket_path.data(), socket_path.size());
            length = static_cast<socklen_t>(sizeof(sa_family_t) + socket_path.size() + 1);
        }
        fd = ::socket(to.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return false;
        return set_timeouts() && ::connect(fd, reinterpret_cast<sockaddr*>(&to), length) == 0;
    }

    static fstrm_res open(void* self) {
        auto& s = *static_cast<Stream*>(self);
        // A handshake that failed leaves the last socket open.
        s.shut();
        s.read_since_open = false;
        if (!s.connect_socket()) {
            s.shut();
            return fstrm_res_failure;
        }
        return fstrm_res_success;
    }

    static fstrm_res close(void* self) {
        static_cast<Stream*>(self)->shut();
        return fstrm_res_success;
    }

    static fstrm_res read(void* self, void* data, size_t count) {
        auto& s = *static_cast<Stream*>(self);
        auto* out = static_cast<uint8_t*>(data);
        while (count > 0) {
            const ssize_t n = ::recv(s.fd, out, count, 0);
            if (n == 0) return fstrm_res_stop;
            if (n < 0) {
                if (errno == EINTR) continue;
                return fstrm_res_failure;
            }
            out += n;
            count -= static_cast<size_t>(n);
        }
        s.read_since_open = true;
        return fstrm_res_success;
    }

    static fstrm_res write(void* self, const iovec* iov, int iovcnt) {
        auto& s = *static_cast<Stream*>(self);
        std::vector<iovec> rest(iov, iov + iovcnt);
        size_t first = 0;
        while (first < rest.size()) {
            msghdr message{};
            message.msg_iov = rest.data() + first;
            message.msg_iovlen = rest.size() - first;
            // MSG_NOSIGNAL: a reader gone is an error here, not SIGPIPE.
            ssize_t n = ::sendmsg(s.fd, &message, MSG_NOSIGNAL);
            if (n < 0) {
                if (errno == EINTR) continue;
                return fstrm_res_failure;
            }
            while (first < rest.size() && static_cast<size_t>(n) >= rest[first].iov_len)
                n -= static_cast<ssize_t>(rest[first++].iov_len);
            if (first < rest.size()) {
                rest[first].iov_base = static_cast<uint8_t*>(rest[first].iov_base) + n;
                rest[first].iov_len -= static_cast<size_t>(n);
            }
        }
        if (s.read_since_open && !s.connected.load(std::memory_order_relaxed)) {
            s.connected.store(true, std::memory_order_relaxed);
            s.connections.fetch_add(1, std::memory_order_relaxed);
        }
        return fstrm_res_success;
    }
};

class DnstapOutput::WorkerQueue final : public observe::DnstapQueue {
public:
    WorkerQueue(fstrm_iothr* writer, fstrm_iothr_queue* queue, const Stream& stream)
        : writer_(writer), queue_(queue), stream_(stream) {}

    bool offer(std::span<const uint8_t> frame) override {
        // Without a reader the writer thread would only throw it away.
        if (frame.empty() || !stream_.connected.load(std::memory_order_relaxed)) return false;
        // libfstrm frees each frame it is given on its thread, when written.
        void* copy = std::malloc(frame.size());
        if (!copy) return false;
        std::memcpy(copy, frame.data(), frame.size());
        if (fstrm_iothr_submit(writer_, queue_, copy, frame.size(), fstrm_free_wrapper, nullptr) ==
            fstrm_res_success)
            return true;
        std::free(copy);
        return false;
    }

private:
    fstrm_iothr* writer_;
    fstrm_iothr_queue* queue_;
    const Stream& stream_;
};

namespace {

unsigned power_of_two_at_least(uint32_t n) {
    unsigned size = FSTRM_IOTHR_INPUT_QUEUE_SIZE_MIN;
    while (size < n && size < FSTRM_IOTHR_INPUT_QUEUE_SIZE_MAX)
        size *= 2;
    return size;
}

// A Frame Streams writer of dnstap frames over `stream`; null on failure.
fstrm_writer* stream_writer(DnstapOutput::Stream& stream) {
    fstrm_rdwr* rdwr = fstrm_rdwr_init(&stream);
    fstrm_rdwr_set_open(rdwr, &DnstapOutput::Stream::open);
    fstrm_rdwr_set_close(rdwr, &DnstapOutput::Stream::close);
    fstrm_rdwr_set_read(rdwr, &DnstapOutput::Stream::read);
    fstrm_rdwr_set_write(rdwr, &DnstapOutput::Stream::write);
    fstrm_writer_options* options = fstrm_writer_options_init();
    const auto type = observe::kDnstapContentType;
    fstrm_writer_options_add_content_type(options, type.data(), type.size());
    fstrm_writer* writer = fstrm_writer_init(options, &rdwr);
    fstrm_writer_options_destroy(&options);
    if (!writer) fstrm_rdwr_destroy(&rdwr);
    return writer;
}

fstrm_iothr_options* writer_thread_options(const DnstapOutputSettings& settings) {
    fstrm_iothr_options* options = fstrm_iothr_options_init();
    fstrm_iothr_options_set_num_input_queues(options, settings.queues);
    const unsigned queue_size = power_of_two_at_least(settings.queue_size);
    fstrm_iothr_options_set_input_queue_size(options, queue_size);
    // The writer wakes when a queue holds this many frames (else once a
    // second); it must be reachable in a small queue.
    fstrm_iothr_options_set_queue_notify_threshold(
        options, std::min<unsigned>(FSTRM_IOTHR_QUEUE_NOTIFY_THRESHOLD_DEFAULT, queue_size / 2));
    const auto interval =
        std::clamp<int64_t>(settings.reconnect_interval.count(), FSTRM_IOTHR_REOPEN_INTERVAL_MIN,
                            FSTRM_IOTHR_REOPEN_INTERVAL_MAX);
    fstrm_iothr_options_set_reopen_interval(options, static_cast<unsigned>(interval));
    return options;
}

}  // namespace

Result<std::unique_ptr<DnstapOutput>, TextError> DnstapOutput::open(
    const DnstapOutputSettings& settings) {
    std::unique_ptr<DnstapOutput> output(new DnstapOutput());
    auto stream = std::make_unique<Stream>();
    stream->socket_path = settings.socket;
    stream->address = settings.address;
    stream->timeout = settings.io_timeout;
    stream->target = settings.address ? "TCP " + settings.address->to_string()
                                      : "unix socket " + settings.socket;
    if (settings.queues == 0) return text_error("dnstap: no worker to take frames from");
    fstrm_writer* writer = stream_writer(*stream);
    if (!writer) return text_error("dnstap: cannot make a Frame Streams writer");
    fstrm_iothr_options* options = writer_thread_options(settings);
    output->writer_ = fstrm_iothr_init(options, &writer);
    fstrm_iothr_options_destroy(&options);
    if (!output->writer_) {
        if (writer) fstrm_writer_destroy(&writer);
        return text_error("dnstap: cannot start the writer thread for " + stream->target);
    }
    output->stream_ = std::move(stream);
    for (unsigned i = 0; i < settings.queues; ++i)
        output->queues_.push_back(std::make_unique<WorkerQueue>(
            output->writer_, fstrm_iothr_get_input_queue_idx(output->writer_, i),
            *output->stream_));
    return output;
}

DnstapOutput::~DnstapOutput() {
    if (writer_) fstrm_iothr_destroy(&writer_);
}

observe::DnstapQueue& DnstapOutput::queue(unsigned index) {
    return *queues_.at(index);
}

bool DnstapOutput::connected() const {
    return stream_->connected.load(std::memory_order_relaxed);
}

uint64_t DnstapOutput::connections() const {
    return stream_->connections.load(std::memory_order_relaxed);
}

const std::string& DnstapOutput::target() const {
    return stream_->target;
}

}  // namespace cairn::net
