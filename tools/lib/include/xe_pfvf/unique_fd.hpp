#pragma once

// An owned POSIX file descriptor.

#include <xe_pfvf/export.hpp>

namespace xe_pfvf {

/// Owns a file descriptor and closes it when destroyed; -1 is "none".
class XE_PFVF_API UniqueFd {
public:
    UniqueFd() noexcept = default;
    /// Takes ownership of @fd (or of nothing, if negative).
    explicit UniqueFd(int fd) noexcept : fd_(fd < 0 ? -1 : fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept;
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    ~UniqueFd();

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    explicit operator bool() const noexcept { return valid(); }

    /// Gives up ownership and returns the descriptor.
    [[nodiscard]] int release() noexcept;
    /// Closes the descriptor (errors from close() are ignored) and takes
    /// ownership of @fd instead.
    void reset(int fd = -1) noexcept;

private:
    int fd_ = -1;
};

}  // namespace xe_pfvf
