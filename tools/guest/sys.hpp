#pragma once

// Thin RAII over the POSIX calls the guest tests make: file descriptors,
// mappings, sysfs writes.  Every failure is a std::system_error carrying
// errno (generic category) and the operation that failed.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace xe_pfvf::guest {

/// Throws std::system_error(errno, generic_category, op); EIO if errno is 0.
[[noreturn]] void throw_errno(std::string_view op);

/// Owns a POSIX file descriptor; -1 is "none".
class UniqueFd {
public:
    UniqueFd() noexcept = default;
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept;
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    ~UniqueFd();

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }
    /// Closes the descriptor now; errors from close() are ignored.
    void reset() noexcept;

private:
    int fd_ = -1;
};

/// open(2) with O_CLOEXEC added; throws on failure.
[[nodiscard]] UniqueFd open_fd(const std::filesystem::path& path, int flags);

/// Owns an mmap(2) mapping.
class Mapping {
public:
    Mapping() noexcept = default;
    Mapping(const Mapping&) = delete;
    Mapping& operator=(const Mapping&) = delete;
    Mapping(Mapping&& other) noexcept;
    Mapping& operator=(Mapping&& other) noexcept;
    ~Mapping();

    /// mmap(nullptr, size, prot, flags, fd, offset); throws on failure.
    [[nodiscard]] static Mapping map(std::size_t size, int prot, int flags, int fd, off_t offset,
                                     std::string_view what);
    /// An anonymous private read-write mapping, populated.
    [[nodiscard]] static Mapping anonymous(std::size_t size);

    [[nodiscard]] std::span<std::byte> bytes() const noexcept { return {data_, size_}; }
    /// The mapping's address as an integer, e.g. for VFIO's vaddr.
    [[nodiscard]] std::uintptr_t address() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return size_; }

private:
    Mapping(std::byte* data, std::size_t size) noexcept : data_(data), size_(size) {}
    void reset() noexcept;

    std::byte* data_ = nullptr;
    std::size_t size_ = 0;
};

/// Writes @value to a sysfs attribute in a single write(2); throws on failure.
void write_attribute(const std::filesystem::path& path, std::string_view value);

/// The last component of the symlink @path points to, or nullopt if @path
/// does not exist.  Throws for other errors.
[[nodiscard]] std::optional<std::string> link_target_name(const std::filesystem::path& path);

/// Reads a whole (sysfs, procfs, debugfs) file; throws on failure.
[[nodiscard]] std::string read_file(const std::filesystem::path& path);

}  // namespace xe_pfvf::guest
