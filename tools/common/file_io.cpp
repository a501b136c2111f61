#include "file_io.hpp"

#include <array>
#include <cerrno>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <unistd.h>

namespace xe_pfvf {

namespace {

/// Owns a POSIX file descriptor.
class UniqueFd {
public:
    explicit UniqueFd(int fd) noexcept : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        std::swap(fd_, other.fd_);
        return *this;
    }
    ~UniqueFd() {
        if (fd_ >= 0) {
            static_cast<void>(::close(fd_));
        }
    }

    [[nodiscard]] int get() const noexcept { return fd_; }
    [[nodiscard]] bool valid() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

[[noreturn]] void throw_errno(const std::filesystem::path& path, const char* what) {
    const int error = errno != 0 ? errno : EIO;
    throw std::system_error(error, std::generic_category(),
                            std::string(what) + " '" + path.string() + "'");
}

}  // namespace

std::string read_text_file(const std::filesystem::path& path) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open() is variadic
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        throw_errno(path, "cannot open");
    }
    constexpr std::size_t chunk = std::size_t{64} * 1024;
    std::array<char, chunk> buffer{};
    std::string text;
    for (;;) {
        const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got == 0) {
            break;
        }
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno(path, "cannot read");
        }
        text.append(buffer.data(), static_cast<std::size_t>(got));
    }
    return text;
}

void write_text_file(const std::filesystem::path& path, std::string_view text) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open() is variadic
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (!fd.valid()) {
        throw_errno(path, "cannot create");
    }
    while (!text.empty()) {
        const ssize_t put = ::write(fd.get(), text.data(), text.size());
        if (put < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw_errno(path, "cannot write");
        }
        text.remove_prefix(static_cast<std::size_t>(put));
    }
}

}  // namespace xe_pfvf
