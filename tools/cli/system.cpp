#include "system.hpp"

#include <xe_pfvf/unique_fd.hpp>

#include <charconv>
#include <cstddef>
#include <span>
#include <system_error>
#include <vector>

#include <fcntl.h>
#include <xf86drm.h>

namespace xe_pfvf::cli {

namespace {

std::optional<std::string> link_name(const std::filesystem::path& link) {
    std::error_code ec;
    const auto target = std::filesystem::read_symlink(link, ec);
    if (ec) {
        return std::nullopt;
    }
    return target.filename().string();
}

/// The DRM driver's name through @node, or empty if it cannot be opened.
std::string drm_driver_of(const char* node) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): POSIX open() is variadic
    const UniqueFd fd(::open(node, O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return {};
    }
    drmVersionPtr version = drmGetVersion(fd.get());
    if (version == nullptr) {
        return {};
    }
    std::string name(version->name, static_cast<std::size_t>(version->name_len));
    drmFreeVersion(version);
    return name;
}

}  // namespace

std::map<Bdf, DrmInfo> drm_devices() {
    std::map<Bdf, DrmInfo> out;
    const int n = drmGetDevices2(0, nullptr, 0);
    if (n <= 0) {
        return out;
    }
    std::vector<drmDevicePtr> devices(static_cast<std::size_t>(n));
    const int got = drmGetDevices2(0, devices.data(), n);
    if (got <= 0) {
        return out;
    }
    for (drmDevicePtr dev : std::span(devices).first(static_cast<std::size_t>(got))) {
        // NOLINTNEXTLINE(cppcoreguidelines-pro-type-union-access): libdrm's bus info is a union by bustype
        if (dev->bustype != DRM_BUS_PCI || dev->businfo.pci == nullptr) {
            continue;
        }
        const drmPciBusInfo& pci = *dev->businfo.pci;  // NOLINT(cppcoreguidelines-pro-type-union-access): PCI, checked above
        const Bdf bdf{.segment = pci.domain, .bus = pci.bus, .device = pci.dev, .function = pci.func};
        const std::span<char*> nodes(dev->nodes, DRM_NODE_MAX);
        DrmInfo info;
        const auto has = [&](int node) { return (static_cast<unsigned>(dev->available_nodes) & (1U << static_cast<unsigned>(node))) != 0; };
        if (has(DRM_NODE_PRIMARY)) {
            info.card = nodes[DRM_NODE_PRIMARY];
        }
        if (has(DRM_NODE_RENDER)) {
            info.render = nodes[DRM_NODE_RENDER];
        }
        const std::string& node = info.render.empty() ? info.card : info.render;
        if (!node.empty()) {
            info.driver = drm_driver_of(node.c_str());
        }
        if (info.driver.empty()) {
            info.driver = pci_driver("/sys", bdf).value_or("");
        }
        out.emplace(bdf, std::move(info));
    }
    drmFreeDevices(devices.data(), got);
    return out;
}

std::optional<std::string> pci_driver(const std::filesystem::path& sysfs, Bdf bdf) {
    return link_name(sysfs / "bus/pci/devices" / bdf.str() / "driver");
}

std::optional<unsigned> iommu_group(const std::filesystem::path& sysfs, Bdf bdf) {
    const auto name = link_name(sysfs / "bus/pci/devices" / bdf.str() / "iommu_group");
    if (!name) {
        return std::nullopt;
    }
    unsigned id = 0;
    const char* const end = name->data() + name->size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(name->data(), end, id);
    if (ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return id;
}

bool is_vfio_driver(std::string_view driver) noexcept { return driver.find("vfio") != std::string_view::npos; }

}  // namespace xe_pfvf::cli
