#include "vfio.hpp"

#include <array>
#include <cerrno>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <system_error>
#include <utility>

#include <fcntl.h>
#include <linux/vfio.h>
#include <sys/ioctl.h>

namespace xe_pfvf::guest {

namespace {

const std::filesystem::path pci_devices{"/sys/bus/pci/devices"};
const std::filesystem::path pci_drivers{"/sys/bus/pci/drivers"};

/// ioctl(2) with an argument; throws on failure, else returns its result.
template <typename Arg>
int checked_ioctl(int fd, unsigned long request, Arg arg, std::string_view op) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    const int ret = ::ioctl(fd, request, arg);
    if (ret < 0) {
        throw_errno(op);
    }
    return ret;
}

/// ioctl(2) with no argument.
int checked_ioctl(int fd, unsigned long request, std::string_view op) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    const int ret = ::ioctl(fd, request);
    if (ret < 0) {
        throw_errno(op);
    }
    return ret;
}

template <typename T>
constexpr std::uint32_t argsz() {
    return static_cast<std::uint32_t>(sizeof(T));
}

}  // namespace

std::filesystem::path pci_device_dir(std::string_view bdf) { return pci_devices / bdf; }

std::optional<unsigned> iommu_group_of(std::string_view bdf) {
    const auto name = link_target_name(pci_device_dir(bdf) / "iommu_group");
    if (!name) {
        return std::nullopt;
    }
    unsigned id = 0;
    const auto* const end = name->data() + name->size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(name->data(), end, id);
    if (ec != std::errc{} || ptr != end) {
        throw std::system_error(EINVAL, std::generic_category(),
                                "iommu_group of " + std::string(bdf) + " is '" + *name + "'");
    }
    return id;
}

DriverBinding::DriverBinding(std::string bdf, std::string driver)
    : bdf_(std::move(bdf)), driver_(std::move(driver)) {
    const auto dev = pci_device_dir(bdf_);
    original_ = link_target_name(dev / "driver");
    if (original_ == driver_) {
        throw std::system_error(EBUSY, std::generic_category(),
                                bdf_ + " is already bound to " + driver_);
    }
    if (original_) {
        write_attribute(dev / "driver" / "unbind", bdf_);
    }
    try {
        write_attribute(dev / "driver_override", driver_);
        write_attribute(pci_drivers / driver_ / "bind", bdf_);
    } catch (...) {
        restore();
        throw;
    }
}

DriverBinding::~DriverBinding() { restore(); }

void DriverBinding::restore() noexcept {
    // Best effort, each step on its own: a destructor cannot report.  A
    // device that went away meanwhile (its VFs disabled, its PF unbound)
    // has nothing left to restore.
    const auto dev = pci_device_dir(bdf_);
    const auto step = [this, &dev](const std::filesystem::path& path, std::string_view value) {
        try {
            write_attribute(path, value);
        } catch (const std::exception& e) {
            std::error_code ec;
            if (std::filesystem::exists(dev, ec)) {
                std::cerr << "restoring " << bdf_ << ": " << e.what() << '\n';
            }
        }
    };
    try {
        if (link_target_name(dev / "driver") == driver_) {
            step(pci_drivers / driver_ / "unbind", bdf_);
        }
    } catch (const std::exception& e) {
        std::cerr << "restoring " << bdf_ << ": " << e.what() << '\n';
    }
    step(dev / "driver_override", "\n");
    if (original_) {
        step(pci_drivers / *original_ / "bind", bdf_);
    }
}

VfioContainer::VfioContainer() : fd_(open_fd("/dev/vfio/vfio", O_RDWR)) {
    const int version = checked_ioctl(fd_.get(), VFIO_GET_API_VERSION, "VFIO_GET_API_VERSION");
    if (version != VFIO_API_VERSION) {
        throw std::system_error(EPROTO, std::generic_category(),
                                "VFIO API version " + std::to_string(version));
    }
    constexpr std::array<unsigned long, 2> types{VFIO_TYPE1v2_IOMMU, VFIO_TYPE1_IOMMU};
    for (const unsigned long type : types) {
        if (checked_ioctl(fd_.get(), VFIO_CHECK_EXTENSION, type, "VFIO_CHECK_EXTENSION") > 0) {
            type_ = type;
            return;
        }
    }
    throw std::system_error(ENOTSUP, std::generic_category(), "VFIO has no type1 IOMMU");
}

void VfioContainer::set_iommu() { checked_ioctl(fd_.get(), VFIO_SET_IOMMU, type_, "VFIO_SET_IOMMU"); }

void VfioContainer::map_dma(std::uintptr_t vaddr, std::uint64_t iova, std::uint64_t size) {
    vfio_iommu_type1_dma_map map{};
    map.argsz = argsz<vfio_iommu_type1_dma_map>();
    map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
    map.vaddr = vaddr;
    map.iova = iova;
    map.size = size;
    checked_ioctl(fd_.get(), VFIO_IOMMU_MAP_DMA, &map,
                  "VFIO_IOMMU_MAP_DMA iova " + std::to_string(iova) + " size " + std::to_string(size));
}

void VfioContainer::unmap_dma(std::uint64_t iova, std::uint64_t size) {
    vfio_iommu_type1_dma_unmap unmap{};
    unmap.argsz = argsz<vfio_iommu_type1_dma_unmap>();
    unmap.iova = iova;
    unmap.size = size;
    checked_ioctl(fd_.get(), VFIO_IOMMU_UNMAP_DMA, &unmap, "VFIO_IOMMU_UNMAP_DMA");
}

VfioGroup::VfioGroup(unsigned id, const VfioContainer& container)
    : fd_(open_fd("/dev/vfio/" + std::to_string(id), O_RDWR)) {
    vfio_group_status status{};
    status.argsz = argsz<vfio_group_status>();
    checked_ioctl(fd_.get(), VFIO_GROUP_GET_STATUS, &status, "VFIO_GROUP_GET_STATUS");
    if ((status.flags & VFIO_GROUP_FLAGS_VIABLE) == 0) {
        throw std::system_error(EBUSY, std::generic_category(),
                                "VFIO group " + std::to_string(id) +
                                    " is not viable (a device in it is not bound to vfio)");
    }
    const int container_fd = container.fd();
    checked_ioctl(fd_.get(), VFIO_GROUP_SET_CONTAINER, &container_fd, "VFIO_GROUP_SET_CONTAINER");
}

VfioGroup::~VfioGroup() {
    // EINVAL: in no container any more, because its last device was
    // removed (a VF disabled), which detaches the group.
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(fd_.get(), VFIO_GROUP_UNSET_CONTAINER) < 0 && errno != EINVAL) {
        std::cerr << "VFIO_GROUP_UNSET_CONTAINER: " << std::generic_category().message(errno) << '\n';
    }
}

UniqueFd VfioGroup::device(const std::string& bdf) const {
    return UniqueFd(checked_ioctl(fd_.get(), VFIO_GROUP_GET_DEVICE_FD, bdf.c_str(),
                                  "VFIO_GROUP_GET_DEVICE_FD " + bdf));
}

RegionInfo region_info(int device_fd, std::uint32_t index) {
    vfio_region_info info{};
    info.argsz = argsz<vfio_region_info>();
    info.index = index;
    checked_ioctl(device_fd, VFIO_DEVICE_GET_REGION_INFO, &info,
                  "VFIO_DEVICE_GET_REGION_INFO " + std::to_string(index));
    return RegionInfo{.offset = info.offset, .size = info.size, .flags = info.flags};
}

DmaMapping::DmaMapping(VfioContainer& container, std::uintptr_t vaddr, std::uint64_t iova,
                       std::uint64_t size)
    : container_(&container), iova_(iova), size_(size) {
    container.map_dma(vaddr, iova, size);
}

DmaMapping::DmaMapping(DmaMapping&& other) noexcept
    : container_(std::exchange(other.container_, nullptr)), iova_(other.iova_), size_(other.size_) {}

DmaMapping::~DmaMapping() {
    if (container_ == nullptr) {
        return;
    }
    try {
        container_->unmap_dma(iova_, size_);
    } catch (const std::exception& e) {
        std::cerr << e.what() << '\n';
    }
}

std::string vfio_group_blockers(const std::string& bdf) {
    namespace fs = std::filesystem;
    std::string out;
    const fs::path devices = pci_device_dir(bdf) / "iommu_group" / "devices";
    for (const auto& entry : fs::directory_iterator(devices)) {
        if (fs::exists(entry.path() / "physfn")) {
            continue;
        }
        std::ifstream class_file(entry.path() / "class");
        std::string pci_class;
        class_file >> pci_class;
        if (pci_class.starts_with("0x0604")) {
            continue;
        }
        out += (out.empty() ? "" : " ") + entry.path().filename().string();
    }
    return out;
}

}  // namespace xe_pfvf::guest
