// SPDX-License-Identifier: MIT
// file_source: a coswire::upload_source over a file read with pread() (POSIX), so an upload streams a
// file of any size through one part buffer.
#pragma once

#include <coswire/error.hpp>
#include <coswire/multipart/upload.hpp>
#include <coswire/result.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <utility>

namespace coswire::examples {

/// A regular file opened for reading; owns the descriptor.
class file_source {
public:
    /// Opens `path`. Errors: invalid_argument ("FILE") when it cannot be opened or is not a
    /// regular file.
    static result<file_source> open(const std::string& path) {
        const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return failure(path, std::strerror(errno));
        struct stat info {};
        if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
            ::close(fd);
            return failure(path, "is not a regular file");
        }
        return file_source(fd, static_cast<std::uint64_t>(info.st_size));
    }
    file_source(file_source&& other) noexcept : fd_(std::exchange(other.fd_, -1)), size_(other.size_) {}
    file_source& operator=(file_source&&) = delete;
    file_source(const file_source&) = delete;
    file_source& operator=(const file_source&) = delete;
    ~file_source() {
        if (fd_ >= 0) ::close(fd_);
    }

    /// The file's size when it was opened.
    std::uint64_t size() const noexcept { return size_; }

    /// Fills `out` from `offset`. Errors: invalid_argument ("FILE") on a read error or when the
    /// file shrank.
    result<void> read(std::uint64_t offset, std::span<std::byte> out) const {
        std::size_t done = 0;
        while (done < out.size()) {
            const ssize_t n = ::pread(fd_, out.data() + done, out.size() - done, static_cast<off_t>(offset + done));
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return make_error(errc::invalid_argument, "FILE", std::strerror(errno));
            if (n == 0) return make_error(errc::invalid_argument, "FILE", "the file shrank during the upload");
            done += static_cast<std::size_t>(n);
        }
        return {};
    }

private:
    file_source(int fd, std::uint64_t size) noexcept : fd_(fd), size_(size) {}
    static error failure(const std::string& path, std::string why) {
        return make_error(errc::invalid_argument, "FILE", path + ": " + std::move(why));
    }

    int fd_ = -1;
    std::uint64_t size_ = 0;
};

static_assert(upload_source<file_source>);

}  // namespace coswire::examples
