// A small expected-like result type: the data path reports failure by value,
// never by exception (C++20 has no std::expected).
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace cairn {

template <class E>
struct Unexpected {
    E error;
};

template <class E>
Unexpected(E) -> Unexpected<E>;

// An error worth showing to a person: used where input is text (zone files,
// presentation format, config), never on the packet path.
struct TextError {
    std::string message;
};

inline Unexpected<TextError> text_error(std::string message) {
    return Unexpected<TextError>{TextError{std::move(message)}};
}

template <class T, class E>
class [[nodiscard]] Result {
public:
    Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}
    template <class G>
    Result(Unexpected<G> failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        assert(ok());
        return *std::get_if<0>(&state_);
    }
    const T& value() const& {
        assert(ok());
        return *std::get_if<0>(&state_);
    }
    T&& value() && {
        assert(ok());
        return std::move(*std::get_if<0>(&state_));
    }
    const E& error() const {
        assert(!ok());
        return *std::get_if<1>(&state_);
    }

    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

private:
    std::variant<T, E> state_;
};

// Result of an operation that yields nothing but may fail.
template <class E>
class [[nodiscard]] Status {
public:
    Status() = default;
    Status(Unexpected<E> failure) : error_(std::move(failure.error)), failed_(true) {}

    bool ok() const { return !failed_; }
    explicit operator bool() const { return ok(); }
    const E& error() const {
        assert(failed_);
        return error_;
    }

private:
    E error_{};
    bool failed_ = false;
};

}  // namespace cairn
