// Work that is already under way on one worker is not started twice: later
// askers wait for the first one's result (DESIGN.md "Upstream hygiene").
#pragma once

#include <asio/awaitable.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace cairn::resolve {

// Single-threaded: used only from its worker's event loop, so it needs no
// lock. Keys are opaque strings made by the user.
template <class Value>
class InflightTable {
public:
    struct Entry {
        std::optional<Value> value;
        std::vector<asio::steady_timer*> waiters;
    };

    // The entry of work already running for `key`, or null.
    std::shared_ptr<Entry> find(const std::string& key) const {
        auto it = entries_.find(key);
        return it == entries_.end() ? nullptr : it->second;
    }

    // Registers the caller as the one doing the work for `key`.
    std::shared_ptr<Entry> start(const std::string& key) {
        auto entry = std::make_shared<Entry>();
        entries_[key] = entry;
        return entry;
    }

    // Publishes the result and wakes every waiter.
    void finish(const std::string& key, const std::shared_ptr<Entry>& entry, const Value& value) {
        entry->value = value;
        for (auto* waiter : entry->waiters)
            waiter->cancel();
        entry->waiters.clear();
        auto it = entries_.find(key);
        if (it != entries_.end() && it->second == entry) entries_.erase(it);
    }

    // Waits for `entry`'s result.
    static asio::awaitable<Value> wait(std::shared_ptr<Entry> entry) {
        asio::steady_timer timer(co_await asio::this_coro::executor,
                                 asio::steady_timer::time_point::max());
        entry->waiters.push_back(&timer);
        std::error_code ec;
        // Woken by cancel() when the result is published.
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        co_return *entry->value;
    }

    // Waits for `entry`'s result at most `timeout`; nullopt if it is not
    // there by then (the work goes on).
    static asio::awaitable<std::optional<Value>> wait_for(std::shared_ptr<Entry> entry,
                                                          std::chrono::milliseconds timeout) {
        if (entry->value) co_return entry->value;
        asio::steady_timer timer(co_await asio::this_coro::executor, timeout);
        entry->waiters.push_back(&timer);
        std::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        if (!entry->value) std::erase(entry->waiters, &timer);
        co_return entry->value;
    }

    size_t size() const { return entries_.size(); }

private:
    std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace cairn::resolve
