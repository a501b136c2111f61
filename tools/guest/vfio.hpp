#pragma once

// VFIO (type1 IOMMU) for the guest tests: bind a PCI device to vfio-pci,
// put its group in a container, map DMA.  Every object undoes what it did
// when destroyed; declare them in setup order so that they are torn down in
// reverse.

#include "sys.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace xe_pfvf::guest {

/// sysfs directory of a PCI device.
[[nodiscard]] std::filesystem::path pci_device_dir(std::string_view bdf);

/// The devices sharing @bdf's IOMMU group that are neither VFs nor PCI
/// bridges, space-separated: VFIO takes only a group that holds nothing
/// else.  Behind a switch without ACS, the PF (bound to its PF driver)
/// shares the VFs' group.
[[nodiscard]] std::string vfio_group_blockers(const std::string& bdf);

/// The IOMMU group number of a PCI device; nullopt if it has none.
[[nodiscard]] std::optional<unsigned> iommu_group_of(std::string_view bdf);

/// Binds a PCI device to a driver through `driver_override`, unbinding it
/// from its current driver first.  The destructor unbinds it, clears
/// `driver_override` and gives the device back to its original driver,
/// quietly skipping what fails because the device is gone (a VF removed).
class DriverBinding {
public:
    DriverBinding(std::string bdf, std::string driver);
    DriverBinding(const DriverBinding&) = delete;
    DriverBinding& operator=(const DriverBinding&) = delete;
    DriverBinding(DriverBinding&&) = delete;
    DriverBinding& operator=(DriverBinding&&) = delete;
    ~DriverBinding();

    [[nodiscard]] const std::string& bdf() const noexcept { return bdf_; }

private:
    void restore() noexcept;

    std::string bdf_;
    std::string driver_;
    std::optional<std::string> original_;
};

/// A VFIO container (/dev/vfio/vfio) with a type1 IOMMU.
class VfioContainer {
public:
    /// Opens the container and checks the API version and that a type1
    /// IOMMU (v2 preferred) is available.
    VfioContainer();

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    /// VFIO_TYPE1v2_IOMMU or VFIO_TYPE1_IOMMU.
    [[nodiscard]] unsigned long iommu_type() const noexcept { return type_; }

    /// VFIO_SET_IOMMU; once, after the first group joined.
    void set_iommu();
    /// VFIO_IOMMU_MAP_DMA, read-write.
    void map_dma(std::uintptr_t vaddr, std::uint64_t iova, std::uint64_t size);
    /// VFIO_IOMMU_UNMAP_DMA.
    void unmap_dma(std::uint64_t iova, std::uint64_t size);

private:
    UniqueFd fd_;
    unsigned long type_ = 0;
};

/// A VFIO group, member of a container while this object lives.
class VfioGroup {
public:
    /// Opens /dev/vfio/<id>, checks it is viable, joins @container.
    VfioGroup(unsigned id, const VfioContainer& container);
    VfioGroup(const VfioGroup&) = delete;
    VfioGroup& operator=(const VfioGroup&) = delete;
    VfioGroup(VfioGroup&&) = delete;
    VfioGroup& operator=(VfioGroup&&) = delete;
    /// Leaves the container (the group's devices must be closed by then),
    /// unless the removal of its last device took it out already.
    ~VfioGroup();

    /// VFIO_GROUP_GET_DEVICE_FD.
    [[nodiscard]] UniqueFd device(const std::string& bdf) const;
    /// The group's fd, for callers that issue the ioctls themselves.
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

private:
    UniqueFd fd_;
};

/// A device region as VFIO_DEVICE_GET_REGION_INFO reports it.
struct RegionInfo {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint32_t flags = 0;
};

/// VFIO_DEVICE_GET_REGION_INFO of region @index.
[[nodiscard]] RegionInfo region_info(int device_fd, std::uint32_t index);

/// A VFIO DMA mapping, unmapped when destroyed.  The memory behind it must
/// outlive it.
class DmaMapping {
public:
    DmaMapping(VfioContainer& container, std::uintptr_t vaddr, std::uint64_t iova, std::uint64_t size);
    DmaMapping(const DmaMapping&) = delete;
    DmaMapping& operator=(const DmaMapping&) = delete;
    DmaMapping(DmaMapping&& other) noexcept;
    DmaMapping& operator=(DmaMapping&&) = delete;
    ~DmaMapping();

private:
    VfioContainer* container_;
    std::uint64_t iova_;
    std::uint64_t size_;
};

}  // namespace xe_pfvf::guest
