// In-flight work that workers on other threads may join: the first to ask
// does it, later askers wait on their own event loops and are woken there
// (a cancel posted to each waiter's executor), so no thread touches another
// thread's timers. The table's lock is held only to find or publish an
// entry, never across the work.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cairn::resolve {

template <class Value>
class SharedInflightTable {
public:
    struct Entry {
        std::mutex mutex;
        std::optional<Value> value;
        std::vector<std::pair<asio::any_io_executor, std::shared_ptr<asio::steady_timer>>> waiters;
    };

    // The entry of work already running for `key` (`started` false), or a
    // new one the caller must finish() (`started` true).
    std::shared_ptr<Entry> join_or_start(const std::string& key, bool& started) {
        std::lock_guard lock(mutex_);
        auto [it, inserted] = entries_.try_emplace(key);
        if (inserted) it->second = std::make_shared<Entry>();
        started = inserted;
        return it->second;
    }

    // Publishes the result and wakes every waiter on its own executor.
    void finish(const std::string& key, const std::shared_ptr<Entry>& entry, const Value& value) {
        {
            std::lock_guard lock(mutex_);
            auto it = entries_.find(key);
            if (it != entries_.end() && it->second == entry) entries_.erase(it);
        }
        decltype(entry->waiters) waiters;
        {
            std::lock_guard lock(entry->mutex);
            entry->value = value;
            waiters.swap(entry->waiters);
        }
        for (auto& [executor, timer] : waiters)
            asio::post(executor, [timer = std::move(timer)] { timer->cancel(); });
    }

    // Waits for `entry`'s result at most `timeout`; nullopt if it is not
    // there by then (the owner's thread stopped, or its work is slow: the
    // caller then does the work itself).
    static asio::awaitable<std::optional<Value>> wait_for(std::shared_ptr<Entry> entry,
                                                          std::chrono::milliseconds timeout) {
        auto executor = co_await asio::this_coro::executor;
        auto timer = std::make_shared<asio::steady_timer>(executor, timeout);
        {
            std::lock_guard lock(entry->mutex);
            if (entry->value) co_return entry->value;
            entry->waiters.emplace_back(executor, timer);
        }
        std::error_code ec;
        co_await timer->async_wait(asio::redirect_error(asio::use_awaitable, ec));
        std::lock_guard lock(entry->mutex);
        if (!entry->value)
            std::erase_if(entry->waiters, [&](const auto& w) { return w.second == timer; });
        co_return entry->value;
    }

    size_t size() const {
        std::lock_guard lock(mutex_);
        return entries_.size();
    }

private:
    mutable std::mutex mutex_;
    std::unordered_map<std::string, std::shared_ptr<Entry>> entries_;
};

}  // namespace cairn::resolve
