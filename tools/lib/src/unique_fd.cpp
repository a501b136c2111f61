#include <xe_pfvf/unique_fd.hpp>

#include <utility>

#include <unistd.h>

namespace xe_pfvf {

UniqueFd::UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset(std::exchange(other.fd_, -1));
    }
    return *this;
}

UniqueFd::~UniqueFd() { reset(); }

int UniqueFd::release() noexcept { return std::exchange(fd_, -1); }

void UniqueFd::reset(int fd) noexcept {
    const int old = std::exchange(fd_, fd < 0 ? -1 : fd);
    if (old >= 0 && old != fd_) {
        // close() frees the descriptor even when it reports an error.
        static_cast<void>(::close(old));
    }
}

}  // namespace xe_pfvf
