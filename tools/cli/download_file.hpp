// SPDX-License-Identifier: MIT
// Where `coswire get` puts an object: FILE is replaced only once the whole object arrived and was
// checked, from a partial file next to it that a checkpoint describes, so an interrupted `get`
// can be resumed (`--resume`) and a failed one leaves FILE as it was. Also the sink for stdout.
#pragma once

#include <coswire/crypto/crc64.hpp>
#include <coswire/download/plan.hpp>
#include <coswire/encoding/percent.hpp>
#include <coswire/error.hpp>
#include <coswire/result.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cli {

/// An error about FILE (invalid_argument naming "FILE"): its path and why.
inline coswire::error file_error(const std::string& path, std::string_view why) {
    return coswire::make_error(coswire::errc::invalid_argument, "FILE", path + ": " + std::string(why));
}

/// Writes all of `bytes` to the open descriptor `fd`, retrying short writes.
inline bool write_all(int fd, std::span<const std::byte> bytes) {
    while (!bytes.empty()) {
        const ::ssize_t n = ::write(fd, bytes.data(), bytes.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes = bytes.subspan(static_cast<std::size_t>(n));
    }
    return true;
}

/// What FILE names. A regular file (or none yet) is replaced: `target` is the file a symbolic
/// link points to (so the link stays and its file changes, as an in-place write would), `mode`
/// the permission bits it keeps, or 0666 less the umask for a new one, as fopen would give.
/// Anything else that exists (/dev/stdout, a FIFO) cannot be replaced and is written directly.
struct file_target {
    std::string target;
    ::mode_t mode = 0;
    bool regular = true;
};

/// Resolves `path`. Errors (file_error): it cannot be examined, or it is a file the user may not
/// write (renaming over it needs only the directory writable, but writing it would be refused).
inline coswire::result<file_target> resolve_target(const std::string& path) {
    struct ::stat existing {};
    if (::stat(path.c_str(), &existing) == 0) {
        if (!S_ISREG(existing.st_mode)) return file_target{path, 0, false};
        if (::access(path.c_str(), W_OK) != 0) return file_error(path, std::strerror(errno));
        char* resolved = ::realpath(path.c_str(), nullptr);
        if (resolved == nullptr) return file_error(path, std::strerror(errno));
        file_target out{resolved, static_cast<::mode_t>(existing.st_mode & 0777), true};
        std::free(resolved);
        return out;
    }
    if (errno != ENOENT) return file_error(path, std::strerror(errno));
    ::mode_t mask = ::umask(0);  // umask can only be read by setting it; it is put back at once
    ::umask(mask);
    return file_target{path, static_cast<::mode_t>(0666 & ~mask), true};
}

/// The partial file and the checkpoint of a download into `target`: stable names next to it, so
/// a later `get --resume` finds them.
inline std::string partial_path(const std::string& target) { return target + ".coswire-partial"; }
inline std::string checkpoint_path(const std::string& target) { return target + ".coswire-checkpoint"; }

/// A sequential sink over a descriptor it does not own: stdout, or a FIFO or device opened by the
/// caller. Errors: invalid_argument naming "FILE" when a write fails.
class fd_sink {
public:
    fd_sink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
    coswire::result<void> write(std::span<const std::byte> bytes) {
        if (write_all(fd_, bytes)) return {};
        return file_error(name_, std::strerror(errno));
    }

private:
    int fd_;
    std::string name_;
};

/// The partial file of a download, owned and locked (flock) while open, so two `get`s into one
/// FILE cannot mix their bytes. A positional sink (write_at, with pwrite, safe from several
/// threads for disjoint ranges) and a sequential one (write, appending at its own offset).
class partial_file {
public:
    /// Opens (creating it, mode 0600 until commit) the partial file at `path`; `keep` keeps what it
    /// holds (a resume), else it is emptied. Errors (file_error): it cannot be opened, or another
    /// process holds its lock.
    static coswire::result<partial_file> open(const std::string& path, bool keep) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0) return file_error(path, std::strerror(errno));
        partial_file out(fd, path);
        // Emptied only once locked, so a second get cannot truncate the first one's bytes.
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) return file_error(path, "is being written by another coswire get");
        // Only a file that holds bytes is truncated: on ext4, truncating to zero marks the file to
        // be flushed when it is closed (auto_da_alloc), which cost a fresh download about a
        // third of its time on loopback.
        struct ::stat st {};
        if (::fstat(fd, &st) != 0) return file_error(path, std::strerror(errno));
        if (!keep && st.st_size != 0 && ::ftruncate(fd, 0) != 0) return file_error(path, std::strerror(errno));
        return out;
    }
    partial_file(partial_file&& other) noexcept : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)), next_(other.next_) {}
    partial_file(const partial_file&) = delete;
    partial_file& operator=(const partial_file&) = delete;
    partial_file& operator=(partial_file&&) = delete;
    ~partial_file() {
        if (fd_ >= 0) ::close(fd_);
    }

    coswire::result<void> write_at(std::uint64_t offset, std::span<const std::byte> bytes) {
        while (!bytes.empty()) {
            const ::ssize_t n = ::pwrite(fd_, bytes.data(), bytes.size(), static_cast<::off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return file_error(path_, std::strerror(n < 0 ? errno : EIO));
            bytes = bytes.subspan(static_cast<std::size_t>(n));
            offset += static_cast<std::uint64_t>(n);
        }
        return {};
    }
    coswire::result<void> write(std::span<const std::byte> bytes) {
        auto ok = write_at(next_, bytes);
        if (ok) next_ += bytes.size();
        return ok;
    }

    /// The CRC-64 of `size` bytes at `offset`, read back through a small buffer; nullopt when the
    /// file holds fewer bytes there or cannot be read.
    std::optional<std::uint64_t> crc64_of(std::uint64_t offset, std::uint64_t size) const {
        std::vector<std::byte> buffer(1 << 20);
        std::uint64_t crc = 0;
        while (size > 0) {
            const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size, buffer.size()));
            const ::ssize_t n = ::pread(fd_, buffer.data(), want, static_cast<::off_t>(offset));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return std::nullopt;
            crc = coswire::crc64_update(crc, std::span<const std::byte>(buffer).first(static_cast<std::size_t>(n)));
            offset += static_cast<std::uint64_t>(n);
            size -= static_cast<std::uint64_t>(n);
        }
        return crc;
    }

    /// Makes the partial file `size` bytes long with `mode`, flushes it to disk when `flush` is set
    /// (get --fsync; like curl, get does not by default, which on a disk slower than the network
    /// would cost most of the download's time) and renames it over `target` (a rename within one
    /// file system replaces the name in one step). Errors (file_error naming `shown_as`, FILE as
    /// the user gave it); the partial file then stays.
    coswire::result<void> commit(std::uint64_t size, ::mode_t mode, const std::string& target, const std::string& shown_as,
                                 bool flush) {
        const bool written = ::ftruncate(fd_, static_cast<::off_t>(size)) == 0 && ::fchmod(fd_, mode) == 0 &&
                             (!flush || ::fsync(fd_) == 0);
        if (!written) return file_error(shown_as, "could not be written completely: " + std::string(std::strerror(errno)));
        if (std::rename(path_.c_str(), target.c_str()) != 0)
            return file_error(shown_as, "could not be replaced: " + std::string(std::strerror(errno)));
        return {};
    }

    /// Deletes the partial file (a download that left nothing worth resuming).
    void remove() { ::unlink(path_.c_str()); }

private:
    partial_file(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

    int fd_ = -1;
    std::string path_;
    std::uint64_t next_ = 0;
};

/// The checkpoint file: which object (bucket and key, since the library's checkpoint holds only
/// the ETag) and the library's text form (coswire::serialize_checkpoint):
///
///     coswire-get-checkpoint 1
///     bucket <bucket>
///     key <percent-encoded key>
///     coswire-download-checkpoint 1
///     ...
struct saved_checkpoint {
    std::string bucket;
    std::string key;
    coswire::download_checkpoint checkpoint;
};

inline std::string checkpoint_file_text(const saved_checkpoint& s) {
    return "coswire-get-checkpoint 1\nbucket " + s.bucket + "\nkey " + coswire::percent_encode(s.key) + "\n" +
           coswire::serialize_checkpoint(s.checkpoint);
}

/// The most a checkpoint file may hold: 10000 done ranges of about 30 bytes each, with room.
inline constexpr std::size_t max_checkpoint_file_size = 1 << 20;

/// Parses checkpoint_file_text's form. Errors: invalid_argument naming "checkpoint" with what
/// is wrong (parse_checkpoint's, for the library's part).
inline coswire::result<saved_checkpoint> parse_checkpoint_file(std::string_view text) {
    const auto bad = [](std::string why) { return coswire::make_error(coswire::errc::invalid_argument, "checkpoint", std::move(why)); };
    const auto line = [&text](std::string_view prefix) -> std::optional<std::string_view> {
        const std::size_t end = text.find('\n');
        if (end == std::string_view::npos || !text.substr(0, end).starts_with(prefix)) return std::nullopt;
        const std::string_view value = text.substr(prefix.size(), end - prefix.size());
        text.remove_prefix(end + 1);
        return value;
    };
    const auto magic = line("coswire-get-checkpoint ");
    if (!magic || *magic != "1") return bad("is not a coswire get checkpoint");
    const auto bucket = line("bucket ");
    const auto key = line("key ");
    if (!bucket || !key) return bad("has no bucket and key lines");
    auto decoded = coswire::percent_decode(*key, "checkpoint");
    if (!decoded) return bad("its key is not percent-encoded");
    auto checkpoint = coswire::parse_checkpoint(text);
    if (!checkpoint) return std::move(checkpoint).error();
    return saved_checkpoint{std::string(*bucket), std::move(*decoded), std::move(*checkpoint)};
}

/// Reads the checkpoint file at `path`. Returns nullopt when there is none. Errors: file_error
/// when it cannot be read or is too large; parse_checkpoint_file's.
inline coswire::result<std::optional<saved_checkpoint>> load_checkpoint_file(const std::string& path) {
    std::FILE* in = std::fopen(path.c_str(), "rb");
    if (in == nullptr) {
        if (errno == ENOENT) return std::optional<saved_checkpoint>();
        return file_error(path, std::strerror(errno));
    }
    std::string text(max_checkpoint_file_size + 1, '\0');
    const std::size_t got = std::fread(text.data(), 1, text.size(), in);
    const bool failed = std::ferror(in) != 0;
    std::fclose(in);
    if (failed) return file_error(path, "could not be read");
    if (got > max_checkpoint_file_size) return file_error(path, "is larger than a checkpoint can be");
    text.resize(got);
    auto parsed = parse_checkpoint_file(text);
    if (!parsed) return std::move(parsed).error();
    return std::optional<saved_checkpoint>(std::move(*parsed));
}

/// Writes the checkpoint file at `path` in one step (a new file renamed over it), so a process
/// killed mid-write leaves the previous one. Returns false when it could not be written.
inline bool save_checkpoint_file(const std::string& path, const saved_checkpoint& s) {
    const std::string temporary = path + ".new";
    const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return false;
    const std::string text = checkpoint_file_text(s);
    const bool written = write_all(fd, std::as_bytes(std::span(text)));
    if (::close(fd) != 0 || !written || std::rename(temporary.c_str(), path.c_str()) != 0) {
        ::unlink(temporary.c_str());
        return false;
    }
    return true;
}

/// The first done range of `checkpoint` whose bytes in `partial` do not have the CRC-64 the
/// checkpoint recorded (the partial file was changed, truncated or lost since), or nullopt
/// when all match: a resume never completes a file from bytes it cannot vouch for.
inline std::optional<std::uint32_t> first_mismatch(const partial_file& partial, const coswire::download_checkpoint& checkpoint) {
    auto plan = coswire::check_checkpoint(checkpoint);
    if (!plan) return 0;
    for (const coswire::done_range& d : checkpoint.done) {
        const coswire::download_range r = plan->range(d.index);
        if (partial.crc64_of(r.first, r.size) != d.crc64) return d.index;
    }
    return std::nullopt;
}

}  // namespace cli
