// SPDX-License-Identifier: MIT
// Replaces operator new/delete and the malloc family in the bench binary with counting
// forwarders to glibc's own allocator (__libc_malloc and friends), so memory from either
// side can be freed by either side and shared libraries' malloc calls are counted too. On
// request they also track the peak of heap bytes in use (the multipart driver's row).
#include "alloc_counter.hpp"

#include <atomic>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <new>

#include <malloc.h>  // malloc_usable_size (glibc)

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

// Peak tracking (off unless a row asks): bytes in use now and the highest level since the start.
bool tracking = false;
std::int64_t in_use = 0, peak = 0;

void* note_allocated(void* p) noexcept {
    if (tracking && p != nullptr) {
        in_use += static_cast<std::int64_t>(malloc_usable_size(p));
        if (in_use > peak) peak = in_use;
    }
    return p;
}

void release(void* p) noexcept {
    if (tracking && p != nullptr) in_use -= static_cast<std::int64_t>(malloc_usable_size(p));
    __libc_free(p);
}

void* checked_new(std::size_t size) noexcept {
    count_one();
    void* p = note_allocated(__libc_malloc(size == 0 ? 1 : size));
    if (p == nullptr) std::abort();  // the project builds without exceptions: no bad_alloc
    return p;
}

void* checked_aligned_new(std::size_t size, std::align_val_t alignment) noexcept {
    count_one();
    void* p = note_allocated(__libc_memalign(static_cast<std::size_t>(alignment), size == 0 ? 1 : size));
    if (p == nullptr) std::abort();
    return p;
}

bool is_power_of_two(std::size_t v) noexcept { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

std::uint64_t bench::allocation_count() noexcept { return allocations.load(std::memory_order_relaxed); }

void bench::start_peak_tracking() noexcept {
    in_use = peak = 0;
    tracking = true;
}

std::int64_t bench::stop_peak_tracking() noexcept {
    tracking = false;
    return peak;
}

extern "C" {

void* malloc(std::size_t size) noexcept {
    count_one();
    return note_allocated(__libc_malloc(size));
}

void* calloc(std::size_t count, std::size_t size) noexcept {
    count_one();
    return note_allocated(__libc_calloc(count, size));
}

void* realloc(void* p, std::size_t size) noexcept {
    count_one();
    if (tracking && p != nullptr) in_use -= static_cast<std::int64_t>(malloc_usable_size(p));
    return note_allocated(__libc_realloc(p, size));
}

void* aligned_alloc(std::size_t alignment, std::size_t size) noexcept {
    count_one();
    return note_allocated(__libc_memalign(alignment, size));
}

int posix_memalign(void** out, std::size_t alignment, std::size_t size) noexcept {
    if (!is_power_of_two(alignment) || alignment % sizeof(void*) != 0) return EINVAL;
    count_one();
    void* p = note_allocated(__libc_memalign(alignment, size));
    if (p == nullptr) return ENOMEM;
    *out = p;
    return 0;
}

void free(void* p) noexcept { release(p); }

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

void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete(void* p, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { release(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept { release(p); }
