#include "sys.hpp"

#include "file_io.hpp"

#include <cerrno>
#include <cstdint>
#include <string>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace xe_pfvf::guest {

void throw_errno(std::string_view op) {
    const int error = errno != 0 ? errno : EIO;
    throw std::system_error(error, std::generic_category(), std::string(op));
}

UniqueFd::UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

UniqueFd::~UniqueFd() { reset(); }

void UniqueFd::reset() noexcept {
    if (fd_ >= 0) {
        static_cast<void>(::close(fd_));
        fd_ = -1;
    }
}

UniqueFd open_fd(const std::filesystem::path& path, int flags) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open() is variadic
    UniqueFd fd(::open(path.c_str(), flags | O_CLOEXEC));
    if (!fd.valid()) {
        throw_errno("open " + path.string());
    }
    return fd;
}

Mapping::Mapping(Mapping&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

Mapping& Mapping::operator=(Mapping&& other) noexcept {
    if (this != &other) {
        reset();
        data_ = std::exchange(other.data_, nullptr);
        size_ = std::exchange(other.size_, 0);
    }
    return *this;
}

Mapping::~Mapping() { reset(); }

void Mapping::reset() noexcept {
    if (data_ != nullptr) {
        static_cast<void>(::munmap(data_, size_));
        data_ = nullptr;
        size_ = 0;
    }
}

Mapping Mapping::map(std::size_t size, int prot, int flags, int fd, off_t offset, std::string_view what) {
    void* const addr = ::mmap(nullptr, size, prot, flags, fd, offset);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-cstyle-cast, performance-no-int-to-ptr): MAP_FAILED
    if (addr == MAP_FAILED) {
        throw_errno("mmap " + std::string(what));
    }
    return {static_cast<std::byte*>(addr), size};
}

Mapping Mapping::anonymous(std::size_t size) {
    return map(size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0,
               "anonymous memory");
}

std::uintptr_t Mapping::address() const noexcept {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): VFIO takes addresses as integers
    return reinterpret_cast<std::uintptr_t>(data_);
}

void write_attribute(const std::filesystem::path& path, std::string_view value) {
    const UniqueFd fd = open_fd(path, O_WRONLY);
    const ssize_t done = ::write(fd.get(), value.data(), value.size());
    if (done < 0) {
        throw_errno("write '" + std::string(value) + "' to " + path.string());
    }
    if (static_cast<std::size_t>(done) != value.size()) {
        throw std::system_error(EIO, std::generic_category(),
                                "short write of '" + std::string(value) + "' to " + path.string());
    }
}

std::optional<std::string> link_target_name(const std::filesystem::path& path) {
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::read_symlink(path, ec);
    if (ec == std::errc::no_such_file_or_directory) {
        return std::nullopt;
    }
    if (ec) {
        throw std::system_error(ec, "readlink " + path.string());
    }
    return target.filename().string();
}

std::string read_file(const std::filesystem::path& path) { return read_text_file(path); }

}  // namespace xe_pfvf::guest
