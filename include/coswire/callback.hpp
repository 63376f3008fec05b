// SPDX-License-Identifier: MIT
// callback<R(Args...)>: the owning, copyable type-erased callable behind the library's hooks
// (credentials provider, clock, sleeper, upload callbacks); std::function's interface for those
// uses without <functional>, which alone cost about a fifth of the single header's g++ time.
#pragma once

#include <coswire/config.hpp>

#include <cstddef>
#include <type_traits>
#include <utility>

namespace coswire {

template <class Signature>
class callback;

namespace detail {
/// What callback<R(Args...)> (`Self`) accepts: a copyable function object or function pointer
/// (not a member pointer) callable as R(Args...), other than a callback of the same type. A
/// concept, so that the checks stop at the first that fails (a callback copying itself never asks
/// whether callback is copyable).
template <class F, class Self, class R, class... Args>
concept callback_target = !std::is_same_v<std::remove_cvref_t<F>, Self> &&
                          !std::is_member_pointer_v<std::decay_t<F>> &&
                          std::is_copy_constructible_v<std::decay_t<F>> &&
                          std::is_invocable_r_v<R, std::decay_t<F>&, Args...>;
}  // namespace detail

/// Holds a copy of any function object or function pointer callable as R(Args...), like
/// std::function: assign a lambda, a std::function or a function pointer; test it with `if (cb)`
/// or `cb == nullptr`; call it with `cb(args...)`. A null function pointer, an empty std::function
/// or any other target that converts to false leaves it empty. Calling an empty callback trips
/// COSWIRE_ASSERT (std::function would throw). Copies copy the target; moves leave the source empty.
template <class R, class... Args>
class callback<R(Args...)> {
public:
    callback() noexcept = default;
    callback(std::nullptr_t) noexcept {}  // NOLINT: implicit like std::function's

    template <class F>
        requires detail::callback_target<F, callback, R, Args...>
    callback(F&& f) {  // NOLINT: implicit by design, like std::function's
        using target_type = std::decay_t<F>;
        // A null function pointer or an empty std::function leaves the callback empty.
        constexpr bool testable = std::is_constructible_v<bool, const target_type&>;
        if constexpr (testable && !std::is_function_v<std::remove_reference_t<F>>) {
            if (!static_cast<bool>(f)) return;
        }
        target_ = new target_type(std::forward<F>(f));
        invoke_ = &invoke_target<target_type>;
        manage_ = &manage_target<target_type>;
    }

    callback(const callback& other)
        : target_(other.manage_ ? other.manage_(other.target_, false) : nullptr), invoke_(other.invoke_),
          manage_(other.manage_) {}
    callback(callback&& other) noexcept
        : target_(std::exchange(other.target_, nullptr)), invoke_(std::exchange(other.invoke_, nullptr)),
          manage_(std::exchange(other.manage_, nullptr)) {}
    callback& operator=(const callback& other) {
        callback(other).swap(*this);
        return *this;
    }
    callback& operator=(callback&& other) noexcept {
        callback(std::move(other)).swap(*this);
        return *this;
    }
    callback& operator=(std::nullptr_t) noexcept {
        callback().swap(*this);
        return *this;
    }
    template <class F>
        requires detail::callback_target<F, callback, R, Args...>
    callback& operator=(F&& f) {
        callback(std::forward<F>(f)).swap(*this);
        return *this;
    }
    ~callback() {
        if (manage_) manage_(target_, true);
    }

    void swap(callback& other) noexcept {
        std::swap(target_, other.target_);
        std::swap(invoke_, other.invoke_);
        std::swap(manage_, other.manage_);
    }

    explicit operator bool() const noexcept { return invoke_ != nullptr; }
    friend bool operator==(const callback& c, std::nullptr_t) noexcept { return !c; }

    /// Calls the target (as a non-const lvalue, as std::function does).
    R operator()(Args... args) const {
        COSWIRE_ASSERT(invoke_ != nullptr);
        return invoke_(target_, std::forward<Args>(args)...);
    }

private:
    template <class T>
    static R invoke_target(void* target, Args&&... args) {
        if constexpr (std::is_void_v<R>) (*static_cast<T*>(target))(std::forward<Args>(args)...);
        else return (*static_cast<T*>(target))(std::forward<Args>(args)...);
    }
    // destroy: deletes the target and returns null; otherwise returns a new copy of it.
    template <class T>
    static void* manage_target(void* target, bool destroy) {
        if (destroy) {
            delete static_cast<T*>(target);
            return nullptr;
        }
        return new T(*static_cast<const T*>(target));
    }

    void* target_ = nullptr;
    R (*invoke_)(void*, Args&&...) = nullptr;
    void* (*manage_)(void*, bool) = nullptr;
};

}  // namespace coswire
