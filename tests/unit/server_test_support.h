// Helpers for the server and net tests: a scriptable fake resolver, a fake
// packet cache, a Service on 127.0.0.1 with an ephemeral port, and blocking
// UDP/TCP clients. Only loopback addresses are used.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "cache/clock.h"
#include "server/service.h"
#include "server/worker_packet_cache.h"
#include "wire/message.h"
#include "wire/zone_reader.h"

namespace cairn::server::testing {

using namespace std::chrono_literals;

inline wire::Name name(std::string_view text) {
    return *wire::Name::from_text(text);
}

inline wire::Record record(std::string_view text) {
    auto r = wire::parse_record(text, wire::Name::root(), 300);
    if (!r) throw std::runtime_error("bad test record: " + r.error().message);
    return *r;
}

// What the fake resolver answers, and what it was asked. Shared between the
// test thread and the worker thread.
struct ResolverScript {
    std::mutex mutex;
    std::vector<resolve::ClientQuery> calls;
    std::function<resolve::Answer(const resolve::ClientQuery&)> answer =
        [](const resolve::ClientQuery& q) {
            resolve::Answer a;
            a.answer.push_back(record(q.question.name.to_text() + " 300 IN A 192.0.2.1"));
            a.cache_ttl = 300;
            return a;
        };
    std::function<std::chrono::milliseconds(const resolve::ClientQuery&)> delay =
        [](const resolve::ClientQuery&) { return 0ms; };
    // Each question for a name under background. starts this many pieces
    // of background work (as prefetches are), each holding a slot of the
    // worker's max-inflight for a minute; those that find none are counted.
    uint32_t background_work = 0;
    uint32_t background_refused = 0;

    size_t call_count() {
        std::lock_guard lock(mutex);
        return calls.size();
    }
    resolve::ClientQuery call(size_t i) {
        std::lock_guard lock(mutex);
        return calls.at(i);
    }
};

class FakeResolver final : public resolve::Resolver {
public:
    FakeResolver(asio::io_context& io, std::shared_ptr<ResolverScript> script)
        : io_(io), script_(std::move(script)) {}

    asio::awaitable<resolve::Answer> resolve(resolve::ClientQuery query) override {
        std::chrono::milliseconds delay;
        std::function<resolve::Answer(const resolve::ClientQuery&)> answer;
        {
            std::lock_guard lock(script_->mutex);
            script_->calls.push_back(query);
            delay = script_->delay(query);
            answer = script_->answer;
        }
        if (query.question.name.is_subdomain_of(*wire::Name::from_text("background.")))
            start_background_work();
        if (delay.count() > 0) {
            asio::steady_timer timer(io_, delay);
            co_await timer.async_wait(asio::use_awaitable);
        }
        co_return answer(query);
    }

    void share_work_slots(resolve::WorkSlots& slots) override { slots_ = &slots; }

private:
    void start_background_work() {
        std::lock_guard lock(script_->mutex);
        for (uint32_t i = 0; i < script_->background_work; ++i) {
            if (!slots_ || !slots_->try_take_background()) {
                ++script_->background_refused;
                continue;
            }
            asio::co_spawn(io_, hold(resolve::BackgroundSlot(slots_)), asio::detached);
        }
    }

    asio::awaitable<void> hold(resolve::BackgroundSlot /*slot*/) {
        asio::steady_timer timer(io_, 60s);
        co_await timer.async_wait(asio::use_awaitable);
    }

    asio::io_context& io_;
    std::shared_ptr<ResolverScript> script_;
    resolve::WorkSlots* slots_ = nullptr;
};

// A map-backed ResponseCache: ID and question spelling patched, TTLs not.
class FakePacketCache final : public ResponseCache {
public:
    size_t lookup(const cache::PacketKeyView& key, uint16_t id, const wire::Name& spelling,
                  int64_t now, std::span<uint8_t> out) override {
        auto it = entries_.find(text(key));
        if (it == entries_.end() || it->second.expires <= now) return 0;
        const auto& stored = it->second.answer;
        if (stored.size() > out.size()) return 0;
        std::copy(stored.begin(), stored.end(), out.begin());
        out[0] = static_cast<uint8_t>(id >> 8);
        out[1] = static_cast<uint8_t>(id);
        std::copy(spelling.wire().begin(), spelling.wire().end(), out.begin() + 12);
        return stored.size();
    }
    void insert(const cache::PacketKeyView& key, std::span<const uint8_t> answer, uint32_t ttl,
                int64_t now) override {
        entries_[text(key)] = {{answer.begin(), answer.end()}, now + ttl};
    }
    void clear() override { entries_.clear(); }
    ResponseCacheFigures figures() const override { return {entries_.size(), 0}; }

private:
    struct Entry {
        std::vector<uint8_t> answer;
        int64_t expires;
    };
    static std::string text(const cache::PacketKeyView& k) {
        return k.qname.lowercased().to_text() + "/" + std::to_string(uint16_t(k.qtype)) + "/" +
               std::to_string(uint16_t(k.qclass)) + "/" + std::to_string(k.dnssec_ok) +
               std::to_string(k.checking_disabled) + std::to_string(k.has_edns) +
               std::to_string(k.recursion_desired);
    }
    std::map<std::string, Entry> entries_;
};

enum class PacketCacheKind { kNone, kFake, kReal };

// A one-worker Service on 127.0.0.1 (ephemeral port) with the fake resolver.
struct TestServer {
    explicit TestServer(std::function<void(ServerOptions&)> tweak = {},
                        PacketCacheKind packet_cache = PacketCacheKind::kFake, unsigned threads = 1,
                        std::shared_ptr<const policy::LocalZones> local_zones = nullptr)
        : script(std::make_shared<ResolverScript>()) {
        ServerOptions options;
        options.listen = {*wire::SocketAddress::parse("127.0.0.1:0")};
        options.threads = threads;
        if (tweak) tweak(options);
        auto settings = service_settings(options, 1232);
        settings.worker.pipeline.local_zones = std::move(local_zones);
        settings.drain_timeout = 500ms;
        auto shared = script;
        service = std::make_unique<Service>(
            settings,
            [shared, packet_cache](asio::io_context& io, unsigned) {
                WorkerParts parts;
                parts.resolver = std::make_unique<FakeResolver>(io, shared);
                if (packet_cache == PacketCacheKind::kFake)
                    parts.packet_cache = std::make_unique<FakePacketCache>();
                if (packet_cache == PacketCacheKind::kReal)
                    parts.packet_cache = std::make_unique<WorkerPacketCache>(1 << 20);
                return parts;
            },
            clock);
        auto started = service->start();
        if (!started) throw std::runtime_error(started.error().message);
        address = service->listening().front();
    }
    ~TestServer() { service->stop(); }

    uint64_t stat(const std::string& stat_name) const {
        for (const auto& s : service->stats())
            if (s.name == stat_name) return s.value;
        throw std::runtime_error("no stat " + stat_name);
    }

    std::shared_ptr<ResolverScript> script;
    cache::FakeClock clock;
    std::unique_ptr<Service> service;
    wire::SocketAddress address;
};

struct QuerySpec {
    std::string qname = "www.example.";
    wire::RRType qtype = wire::RRType::A;
    wire::RRClass qclass = wire::RRClass::IN;
    uint16_t id = 0x1234;
    bool rd = true;
    bool cd = false;
    bool ad = false;
    bool edns = true;
    bool dnssec_ok = false;
    uint16_t udp_size = 1232;
};

inline std::vector<uint8_t> query_bytes(const QuerySpec& spec) {
    wire::Message m;
    m.header.id = spec.id;
    m.header.rd = spec.rd;
    m.header.cd = spec.cd;
    m.header.ad = spec.ad;
    m.questions.push_back({name(spec.qname), spec.qtype, spec.qclass});
    if (spec.edns) {
        m.edns = wire::Edns{};
        m.edns->udp_size = spec.udp_size;
        m.edns->dnssec_ok = spec.dnssec_ok;
    }
    return m.to_wire();
}

inline sockaddr_in loopback(uint16_t port) {
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return to;
}

// One UDP exchange; nullopt when nothing came back within `timeout`.
inline std::optional<std::vector<uint8_t>> udp_exchange(const wire::SocketAddress& server,
                                                        std::span<const uint8_t> query,
                                                        std::chrono::milliseconds timeout = 2s) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    const auto to = loopback(server.port);
    ::sendto(fd, query.data(), query.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof(to));
    pollfd p{fd, POLLIN, 0};
    std::optional<std::vector<uint8_t>> out;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) == 1) {
        std::vector<uint8_t> buffer(65535);
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), 0);
        if (n >= 0) {
            buffer.resize(static_cast<size_t>(n));
            out = std::move(buffer);
        }
    }
    ::close(fd);
    return out;
}

inline wire::Message parse(const std::vector<uint8_t>& bytes) {
    auto m = wire::Message::parse(bytes);
    if (!m) throw std::runtime_error("unparsable answer");
    return *m;
}

inline wire::Message udp_ask(const TestServer& server, const QuerySpec& spec) {
    auto answer = udp_exchange(server.address, query_bytes(spec));
    if (!answer) throw std::runtime_error("no answer");
    return parse(*answer);
}

// A blocking TCP client with timeouts.
class TcpClient {
public:
    explicit TcpClient(uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
        const auto to = loopback(port);
        connected_ = ::connect(fd_, reinterpret_cast<const sockaddr*>(&to), sizeof(to)) == 0;
    }
    ~TcpClient() { ::close(fd_); }
    TcpClient(const TcpClient&) = delete;
    TcpClient& operator=(const TcpClient&) = delete;

    bool connected() const { return connected_; }

    bool send_raw(std::span<const uint8_t> bytes) {
        return ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(bytes.size());
    }
    bool send_message(std::span<const uint8_t> message) {
        std::vector<uint8_t> framed = {static_cast<uint8_t>(message.size() >> 8),
                                       static_cast<uint8_t>(message.size())};
        framed.insert(framed.end(), message.begin(), message.end());
        return send_raw(framed);
    }
    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }
    // One framed message; nullopt on timeout, close or a short read.
    std::optional<std::vector<uint8_t>> receive(std::chrono::milliseconds timeout = 2s) {
        std::array<uint8_t, 2> length{};
        if (!read_exactly(length.data(), 2, timeout)) return std::nullopt;
        std::vector<uint8_t> message(size_t{length[0]} << 8 | length[1]);
        if (!read_exactly(message.data(), message.size(), timeout)) return std::nullopt;
        return message;
    }
    // True when the server closed the connection within `timeout`.
    bool closed_by_peer(std::chrono::milliseconds timeout) {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
        uint8_t byte;
        return ::recv(fd_, &byte, 1, 0) <= 0;
    }

private:
    bool read_exactly(uint8_t* out, size_t n, std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        size_t got = 0;
        while (got < n) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            pollfd p{fd_, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) != 1) return false;
            const ssize_t r = ::recv(fd_, out + got, n - got, 0);
            if (r <= 0) return false;
            got += static_cast<size_t>(r);
        }
        return true;
    }

    int fd_;
    bool connected_ = false;
};

inline const wire::ExtendedErrorOption* extended_error(const wire::Message& m) {
    return m.edns ? m.edns->find<wire::ExtendedErrorOption>() : nullptr;
}

}  // namespace cairn::server::testing
