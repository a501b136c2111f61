#pragma once

// What the CLI reads about PCI functions besides /dev/xe_pfvf: their
// driver and IOMMU group from sysfs, their DRM nodes from libdrm.

#include <xe_pfvf/bdf.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace xe_pfvf::cli {

/// A PCI function's DRM nodes as drmGetDevices2() reports them.
struct DrmInfo {
    std::string card;    ///< "/dev/dri/card0", or empty
    std::string render;  ///< "/dev/dri/renderD128", or empty
    std::string driver;  ///< the DRM driver's name (DRM_IOCTL_VERSION), or the PCI driver's
};

/// Every PCI DRM device, by function (libdrm's drmGetDevices2()).  Empty
/// where there is none (the VM) or libdrm finds none.
[[nodiscard]] std::map<Bdf, DrmInfo> drm_devices();

/// The driver bound to @bdf (<sysfs>/bus/pci/devices/<bdf>/driver), or
/// nullopt.
[[nodiscard]] std::optional<std::string> pci_driver(const std::filesystem::path& sysfs, Bdf bdf);

/// The IOMMU group of @bdf, or nullopt.
[[nodiscard]] std::optional<unsigned> iommu_group(const std::filesystem::path& sysfs, Bdf bdf);

/// Whether @driver is a VFIO PCI driver: vfio-pci or a variant driver
/// (name containing "vfio").
[[nodiscard]] bool is_vfio_driver(std::string_view driver) noexcept;

}  // namespace xe_pfvf::cli
