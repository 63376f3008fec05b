// SPDX-License-Identifier: MIT
// result<T>: a value or an error, spelled like C++23 std::expected so a later move is mechanical.
#pragma once

#include <coswire/config.hpp>
#include <coswire/error.hpp>

#include <new>
#include <optional>
#include <type_traits>
#include <utility>

namespace coswire {

/// A T or an error. Never throws; value() on an error (or error() on a value) trips
/// COSWIRE_ASSERT, which aborts by default even under NDEBUG.
template <class T>
class [[nodiscard]] result {
public:
    using value_type = T;
    using error_type = coswire::error;

    template <class U = T>
        requires std::is_constructible_v<T, U&&> &&
                 (!std::is_same_v<std::remove_cvref_t<U>, result>) &&
                 (!std::is_same_v<std::remove_cvref_t<U>, coswire::error>)
    result(U&& v) : value_(std::forward<U>(v)), has_value_(true) {}  // NOLINT: implicit by design
    result(coswire::error e) : error_(std::move(e)), has_value_(false) {}  // NOLINT

    result(const result& other)
        requires std::is_copy_constructible_v<T>
        : has_value_(other.has_value_) {
        if (has_value_) ::new (static_cast<void*>(&value_)) T(other.value_);
        else ::new (static_cast<void*>(&error_)) coswire::error(other.error_);
    }
    result(result&& other) noexcept(std::is_nothrow_move_constructible_v<T>)
        requires std::is_move_constructible_v<T>
        : has_value_(other.has_value_) {
        if (has_value_) ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
        else ::new (static_cast<void*>(&error_)) coswire::error(std::move(other.error_));
    }
    result& operator=(const result& other)
        requires std::is_copy_constructible_v<T> && std::is_copy_assignable_v<T>
    {
        if (this == &other) return *this;
        if (has_value_ && other.has_value_) {
            value_ = other.value_;
        } else if (!has_value_ && !other.has_value_) {
            error_ = other.error_;
        } else {
            destroy();
            has_value_ = other.has_value_;
            if (has_value_) ::new (static_cast<void*>(&value_)) T(other.value_);
            else ::new (static_cast<void*>(&error_)) coswire::error(other.error_);
        }
        return *this;
    }
    result& operator=(result&& other) noexcept(std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>)
        requires std::is_move_constructible_v<T> && std::is_move_assignable_v<T>
    {
        if (this == &other) return *this;
        if (has_value_ && other.has_value_) {
            value_ = std::move(other.value_);
        } else if (!has_value_ && !other.has_value_) {
            error_ = std::move(other.error_);
        } else {
            destroy();
            has_value_ = other.has_value_;
            if (has_value_) ::new (static_cast<void*>(&value_)) T(std::move(other.value_));
            else ::new (static_cast<void*>(&error_)) coswire::error(std::move(other.error_));
        }
        return *this;
    }
    ~result() { destroy(); }

    bool has_value() const noexcept { return has_value_; }
    explicit operator bool() const noexcept { return has_value_; }

    T& value() & { COSWIRE_ASSERT(has_value_); return value_; }
    const T& value() const& { COSWIRE_ASSERT(has_value_); return value_; }
    T&& value() && { COSWIRE_ASSERT(has_value_); return std::move(value_); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    coswire::error& error() & { COSWIRE_ASSERT(!has_value_); return error_; }
    const coswire::error& error() const& { COSWIRE_ASSERT(!has_value_); return error_; }
    coswire::error&& error() && { COSWIRE_ASSERT(!has_value_); return std::move(error_); }

    template <class U>
    T value_or(U&& fallback) const& {
        return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
    }

    /// f(T) -> result<U>; errors pass through.
    template <class F>
    auto and_then(F&& f) const& -> std::invoke_result_t<F, const T&> {
        if (has_value()) return std::forward<F>(f)(value());
        return error();
    }
    template <class F>
    auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
        if (has_value()) return std::forward<F>(f)(std::move(*this).value());
        return std::move(*this).error();
    }
    /// f(T) -> U; gives result<U> (result<void> when f returns nothing).
    template <class F>
    auto transform(F&& f) const& -> result<std::invoke_result_t<F, const T&>> {
        if (!has_value()) return error();
        if constexpr (std::is_void_v<std::invoke_result_t<F, const T&>>) {
            std::forward<F>(f)(value());
            return {};
        } else {
            return std::forward<F>(f)(value());
        }
    }
    template <class F>
    auto transform(F&& f) && -> result<std::invoke_result_t<F, T&&>> {
        if (!has_value()) return std::move(*this).error();
        if constexpr (std::is_void_v<std::invoke_result_t<F, T&&>>) {
            std::forward<F>(f)(std::move(*this).value());
            return {};
        } else {
            return std::forward<F>(f)(std::move(*this).value());
        }
    }
    /// f(error) -> result<T>; values pass through.
    template <class F>
    result or_else(F&& f) const& {
        if (has_value()) return *this;
        return std::forward<F>(f)(error());
    }
    /// f(error) -> error; values pass through.
    template <class F>
    result transform_error(F&& f) const& {
        if (has_value()) return *this;
        return coswire::error(std::forward<F>(f)(error()));
    }

private:
    void destroy() noexcept {
        if (has_value_) value_.~T();
        else error_.~error_type();
    }

    // A hand-written tagged union rather than std::variant<T, error>: the same semantics at a
    // fraction of the compile time.
    union {
        T value_;
        coswire::error error_;
    };
    bool has_value_;
};

/// result<void>: success or an error.
template <>
class [[nodiscard]] result<void> {
public:
    using value_type = void;
    using error_type = coswire::error;

    result() noexcept {}  // user-provided: value-initialising must not zero the error storage
    result(coswire::error e) : error_(std::move(e)) {}  // NOLINT: implicit by design

    bool has_value() const noexcept { return !error_.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    void value() const { COSWIRE_ASSERT(has_value()); }

    coswire::error& error() & { COSWIRE_ASSERT(!has_value()); return *error_; }
    const coswire::error& error() const& { COSWIRE_ASSERT(!has_value()); return *error_; }
    coswire::error&& error() && { COSWIRE_ASSERT(!has_value()); return std::move(*error_); }

    template <class F>
    auto and_then(F&& f) const -> std::invoke_result_t<F> {
        if (has_value()) return std::forward<F>(f)();
        return error();
    }
    template <class F>
    auto transform(F&& f) const -> result<std::invoke_result_t<F>> {
        if (has_value()) {
            if constexpr (std::is_void_v<std::invoke_result_t<F>>) {
                std::forward<F>(f)();
                return {};
            } else {
                return std::forward<F>(f)();
            }
        }
        return error();
    }
    template <class F>
    result or_else(F&& f) const {
        if (has_value()) return *this;
        return std::forward<F>(f)(error());
    }
    template <class F>
    result transform_error(F&& f) const {
        if (has_value()) return *this;
        return coswire::error(std::forward<F>(f)(error()));
    }

private:
    std::optional<coswire::error> error_;
};

}  // namespace coswire
