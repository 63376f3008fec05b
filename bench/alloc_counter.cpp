// SPDX-License-Identifier: MIT
// Replaces operator new/delete and the malloc family in the bench binary with counting
// forwarders to glibc's own allocator (__libc_malloc and friends), so memory from either
// side can be freed by either side and shared libraries' malloc calls are counted too.
#include "alloc_counter.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

// glibc exports its allocator under these names for exactly this purpose (interposing malloc
// while still using it); they are not declared in any header.
extern "C" {
void* __libc_malloc(std::size_t size) noexcept;
void* __libc_calloc(std::size_t count, std::size_t size) noexcept;
void* __libc_realloc(void* p, std::size_t size) noexcept;
void* __libc_memalign(std::size_t alignment, std::size_t size) noexcept;
void __libc_free(void* p) noexcept;
}

namespace {

// A relaxed load and store instead of fetch_add: the bench is single-threaded, and a locked
// increment on every allocation would tax the allocation-heavy reference side.
std::atomic<std::uint64_t> allocations{0};

void count_one() noexcept { allocations.store(allocations.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed); }

void* checked_new(std::size_t size) noexcept {
    count_one();
    void* p = __libc_malloc(size == 0 ? 1 : size);
    if (p == nullptr) std::abort();  // the project builds without exceptions: no bad_alloc
    return p;
}

void* checked_aligned_new(std::size_t size, std::align_val_t alignment) noexcept {
    count_one();
    void* p = __libc_memalign(static_cast<std::size_t>(alignment), size == 0 ? 1 : size);
    if (p == nullptr) std::abort();
    return p;
}

bool is_power_of_two(std::size_t v) noexcept { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

std::uint64_t bench::allocation_count() noexcept { return allocations.load(std::memory_order_relaxed); }

extern "C" {

void* malloc(std::size_t size) noexcept {
    count_one();
    return __libc_malloc(size);
}

void* calloc(std::size_t count, std::size_t size) noexcept {
    count_one();
    return __libc_calloc(count, size);
}

void* realloc(void* p, std::size_t size) noexcept {
    count_one();
    return __libc_realloc(p, size);
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    count_one();
    return __libc_memalign(alignment, size);
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    if (!is_power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
    count_one();
    void* p = __libc_memalign(alignment, size);
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}

void free(void* p) noexcept { __libc_free(p); }

}  // extern "C"

void* operator new(std::size_t size) { return checked_new(size); }
void* operator new[](std::size_t size) { return checked_new(size); }
void* operator new(std::size_t size, const std::nothrow_t&) noexcept { return checked_new(size); }
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept { return checked_new(size); }
void* operator new(std::size_t size, std::align_val_t alignment) { return checked_aligned_new(size, alignment); }
void* operator new[](std::size_t size, std::align_val_t alignment) { return checked_aligned_new(size, alignment); }
void* operator new(std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return checked_aligned_new(size, alignment);
}
void* operator new[](std::size_t size, std::align_val_t alignment, const std::nothrow_t&) noexcept {
    return checked_aligned_new(size, alignment);
}

void operator delete(void* p) noexcept { __libc_free(p); }
void operator delete[](void* p) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t) noexcept { __libc_free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { __libc_free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { __libc_free(p); }
