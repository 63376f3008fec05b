// SPDX-License-Identifier: MIT
// The signed parameters or headers of a canonical request: kept sorted by signed name
// (lower(enc(name)), compared byte by byte) and free of duplicates, on the stack.
#pragma once

#include <coswire/detail/ascii.hpp>
#include <coswire/detail/fast_http_string.hpp>
#include <coswire/detail/redact.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace coswire::detail {

/// The most parameters, and the most headers, one request may have (coswire::max_signed_fields).
inline constexpr std::size_t max_fields_per_list = 128;

/// Fields whose value is a session token: secret, so explanations show "***".
constexpr bool is_token_field(std::string_view name) noexcept {
    return iequals(name, "x-cos-security-token") || iequals(name, "x-ci-security-token");
}

/// What signed_field_list::try_insert did.
enum class insert_status { inserted, full, duplicate };

/// A sorted, duplicate-free list of signed fields kept on the stack.
///
/// The slots are left uninitialised until a field is stored (a list has room for 129 fields,
/// about 5 KB, and a request signs a handful), and copies copy only the fields in use.
class signed_field_list {
    union slot {
        constexpr slot() noexcept {}  // no active member: nothing is written
        signed_field field;
    };

public:
    /// Iterates the fields in signed-name order.
    class const_iterator {
    public:
        using value_type = signed_field;
        using difference_type = std::ptrdiff_t;
        using reference = const signed_field&;
        using pointer = const signed_field*;

        constexpr const_iterator() noexcept = default;
        constexpr reference operator*() const noexcept { return p_->field; }
        constexpr pointer operator->() const noexcept { return &p_->field; }
        constexpr const_iterator& operator++() noexcept {
            ++p_;
            return *this;
        }
        constexpr const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++p_;
            return old;
        }
        friend constexpr bool operator==(const_iterator, const_iterator) noexcept = default;

    private:
        friend class signed_field_list;
        constexpr explicit const_iterator(const slot* p) noexcept : p_(p) {}
        const slot* p_ = nullptr;
    };

    constexpr signed_field_list() noexcept {}
    constexpr signed_field_list(const signed_field_list& other) noexcept { copy_from(other); }
    constexpr signed_field_list& operator=(const signed_field_list& other) noexcept {
        if (this != &other) copy_from(other);
        return *this;
    }

    constexpr std::size_t size() const noexcept { return size_; }
    constexpr void clear() noexcept {
        size_ = 0;
        names_size_ = 0;
    }
    constexpr const signed_field& operator[](std::size_t i) const noexcept { return slots_[i].field; }
    constexpr const_iterator begin() const noexcept { return const_iterator(slots_); }
    constexpr const_iterator end() const noexcept { return const_iterator(slots_ + size_); }

    /// Inserts in signed-name order and marks a secret (session token, SSE-C key) for redaction; refuses a name
    /// equal (after encoding and lower-casing) to one already present, and a full list.
    constexpr insert_status try_insert(signed_field f) noexcept { return try_insert(f, fast::signed_name_size(f.name)); }

    /// try_insert() for a field whose fast::signed_name_size(f.name) the caller already knows.
    constexpr insert_status try_insert(signed_field f, std::size_t signed_size) noexcept {
        if (size_ == capacity) return insert_status::full;
        std::size_t pos = size_;
        while (pos > 0) {
            const int order = fast::compare_signed_names(slots_[pos - 1].field.name, f.name);
            if (order == 0) return insert_status::duplicate;
            if (order < 0) break;
            --pos;
        }
        for (std::size_t i = size_; i > pos; --i) slots_[i].field = slots_[i - 1].field;
        f.redact = is_token_field(f.name) || is_sse_customer_key_field(f.name);
        f.plain_name = signed_size == f.name.size();
        slots_[pos].field = f;
        ++size_;
        names_size_ += signed_size;
        return insert_status::inserted;
    }

    /// Inserts in signed-name order; refuses a name equal to one already present.
    result<void> insert(signed_field f, std::string_view argument) {
        const insert_status status = try_insert(f);
        if (status != insert_status::inserted) [[unlikely]]
            return insert_error(status, f.name, argument);
        return {};
    }

    /// The error insert() reports for a refused field.
    static error insert_error(insert_status status, std::string_view name, std::string_view argument) {
        if (status == insert_status::full)
            return make_error(errc::limit_exceeded, argument,
                              "more than " + std::to_string(max_fields_per_list) + " signed fields");
        return make_error(errc::invalid_argument, argument,
                          "duplicate name '" + std::string(name) +
                              "' (names are compared after encoding and lower-casing)");
    }

    /// Length of "k1;k2;..." (UrlParamList / HeaderList); kept up to date by try_insert.
    constexpr std::size_t list_size() const noexcept { return names_size_ + (size_ > 0 ? size_ - 1 : 0); }

    /// The field whose signed name equals lower(enc(name)), if any.
    constexpr const signed_field* find(std::string_view name) const noexcept {
        for (const auto& f : *this)
            if (fast::compare_signed_names(f.name, name) == 0) return &f;
        return nullptr;
    }

private:
    static constexpr std::size_t capacity = max_fields_per_list + 1;  // +1: the session token

    constexpr void copy_from(const signed_field_list& other) noexcept {
        for (std::size_t i = 0; i < other.size_; ++i) slots_[i].field = other.slots_[i].field;
        size_ = other.size_;
        names_size_ = other.names_size_;
    }

    slot slots_[capacity];
    std::size_t size_ = 0;
    std::size_t names_size_ = 0;  // sum of signed_name_size over the fields
};

}  // namespace coswire::detail
