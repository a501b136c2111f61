#include "drm.hpp"

#include <algorithm>
#include <array>
#include <filesystem>
#include <system_error>
#include <vector>

#include <drm.h>
#include <fcntl.h>
#include <sys/ioctl.h>

namespace xe_pfvf::guest {

std::string drm_driver_name(int card_fd) {
    std::array<char, 64> name{};
    drm_version version{};
    version.name_len = name.size() - 1;
    version.name = name.data();
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(card_fd, DRM_IOCTL_VERSION, &version) < 0) {
        throw_errno("DRM_IOCTL_VERSION");
    }
    return {name.data(), std::min(version.name_len, name.size() - 1)};
}

std::optional<UniqueFd> open_drm_card(std::string_view driver) {
    namespace fs = std::filesystem;
    std::vector<fs::path> cards;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/dev/dri", ec)) {
        if (entry.path().filename().string().starts_with("card")) {
            cards.push_back(entry.path());
        }
    }
    std::sort(cards.begin(), cards.end());
    for (const fs::path& card : cards) {
        UniqueFd fd = open_fd(card, O_RDWR);
        if (drm_driver_name(fd.get()) == driver) {
            return fd;
        }
    }
    return std::nullopt;
}

std::uint32_t prime_fd_to_handle(int card_fd, int dmabuf_fd) {
    drm_prime_handle prime{};
    prime.fd = dmabuf_fd;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(card_fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &prime) < 0) {
        throw_errno("DRM_IOCTL_PRIME_FD_TO_HANDLE");
    }
    return prime.handle;
}

void gem_close(int card_fd, std::uint32_t handle) {
    drm_gem_close close{};
    close.handle = handle;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(card_fd, DRM_IOCTL_GEM_CLOSE, &close) < 0) {
        throw_errno("DRM_IOCTL_GEM_CLOSE");
    }
}

}  // namespace xe_pfvf::guest
