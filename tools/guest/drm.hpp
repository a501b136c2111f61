#pragma once

// A DRM device as a foreign dma-buf importer (vgem): PRIME import of a
// dma-buf fd, with the plain ioctls of <drm.h> (libdrm's copy of the uAPI).

#include "sys.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xe_pfvf::guest {

/// The driver name DRM_IOCTL_VERSION reports for @card_fd.
[[nodiscard]] std::string drm_driver_name(int card_fd);

/// Opens the first /dev/dri/card* whose driver is @driver; nullopt if none.
[[nodiscard]] std::optional<UniqueFd> open_drm_card(std::string_view driver);

/// DRM_IOCTL_PRIME_FD_TO_HANDLE: imports @dmabuf_fd into @card_fd and
/// returns the GEM handle.  Throws std::system_error with the ioctl's errno.
[[nodiscard]] std::uint32_t prime_fd_to_handle(int card_fd, int dmabuf_fd);

/// DRM_IOCTL_GEM_CLOSE.
void gem_close(int card_fd, std::uint32_t handle);

}  // namespace xe_pfvf::guest
