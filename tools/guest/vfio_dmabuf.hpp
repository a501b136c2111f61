#pragma once

// The VMM's side of VF memory dma-bufs: a VF opened through VFIO (bound to a
// VF variant driver), its memory enabled as a guest would, dma-bufs of its
// BAR ranges requested with VFIO_DEVICE_FEATURE_DMA_BUF, function resets,
// and the device request channel through which the kernel asks for the
// device back.  The feature's ABI is drivers/xe_pfvf/vfio/xe_pfvf_vfio_uapi.h.

#include "sys.hpp"
#include "vfio.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <fcntl.h>

namespace xe_pfvf::guest {


/// A VF bound to a VFIO driver, its group alone in a type1 container, its
/// device open.  Torn down in reverse: close the device, leave the
/// container, unbind.
class VfioDevice {
public:
    VfioDevice(const std::string& bdf, const std::string& driver);

    [[nodiscard]] int fd() const noexcept { return device_.get(); }
    [[nodiscard]] bool is_open() const noexcept { return device_.valid(); }
    /// Closes the device fd now (which revokes its dma-bufs).
    void close() noexcept { device_.reset(); }
    /// Opens the device again after close(), as a VMM that restarts.
    void reopen();
    [[nodiscard]] const std::string& bdf() const noexcept { return binding_.bdf(); }

private:
    DriverBinding binding_;
    VfioContainer container_;
    VfioGroup group_;
    UniqueFd device_;
};

/// A range of a VFIO region.
struct RegionRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// A VFIO_DEVICE_FEATURE_DMA_BUF request, malformed on demand.
struct DmabufRequest {
    std::uint32_t region_index = 0;
    std::uint32_t open_flags = O_RDWR | O_CLOEXEC;
    std::uint32_t flags = 0;
    std::vector<RegionRange> ranges;
    /// nr_ranges sent instead of ranges.size()
    std::optional<std::uint32_t> nr_ranges;
    /// argsz sent this many bytes short of what the ranges need
    std::uint32_t argsz_short = 0;
};

/// VFIO_DEVICE_FEATURE(GET | DMA_BUF) on @device_fd; the dma-buf fd.  Throws
/// std::system_error with the ioctl's errno.
[[nodiscard]] UniqueFd export_dmabuf(int device_fd, const DmabufRequest& request);

/// The command register of a device, through its VFIO config region, as
/// the guest's driver reaches it: VFIO virtualises the memory enable bit
/// for VFs.  Each access is one pread/pwrite of the 16-bit register.
class CommandRegister {
public:
    explicit CommandRegister(int device_fd);

    [[nodiscard]] std::uint16_t read() const;
    void write(std::uint16_t command) const;

private:
    int fd_;
    off_t offset_;
};

/// Sets the memory enable bit of the command register (read, modify, write).
void enable_memory(int device_fd);
/// Clears it.
void disable_memory(int device_fd);

/// The offset of the device's capability @id in its VFIO config region (the
/// standard list), or nullopt.
[[nodiscard]] std::optional<std::uint8_t> find_capability(int device_fd, std::uint8_t id);

/// Writes the power state field of the PM control register (0 = D0,
/// 3 = D3hot) of the PM capability at @pm_cap.
void set_power_state(int device_fd, std::uint8_t pm_cap, unsigned state);

/// Starts a function level reset as a guest does, with Initiate FLR in the
/// device control register of the PCIe capability, which VFIO turns into
/// a reset of the function; false if the device has no PCIe capability.
bool initiate_flr(int device_fd);

/// VFIO_DEVICE_FEATURE with @flags (VFIO_DEVICE_FEATURE_SET or _PROBE with
/// the feature) and no payload, such as the low-power entry and exit.
/// Throws std::system_error with the ioctl's errno.
void device_feature(int device_fd, std::uint32_t flags);

/// VFIO_DEVICE_RESET.
void reset_device(int device_fd);

/// An eventfd armed on one of the device's VFIO interrupts.
class IrqChannel {
public:
    /// Arms it on @index (VFIO_PCI_*_IRQ_INDEX); @what names the interrupt
    /// in errors.
    IrqChannel(int device_fd, std::uint32_t index, const std::string& what);

    /// Waits up to @timeout for the interrupt; true if it came.
    [[nodiscard]] bool wait(std::chrono::milliseconds timeout) const;

private:
    UniqueFd eventfd_;
};

/// The device request channel (VFIO_PCI_REQ_IRQ_INDEX), which the kernel
/// signals when it wants the device back (unbind, VF removal) and is
/// blocked until the device fd is closed.
class RequestChannel : public IrqChannel {
public:
    explicit RequestChannel(int device_fd);
};

/// The error channel (VFIO_PCI_ERR_IRQ_INDEX), which vfio-pci signals when
/// the PCI core reports an error of the device (AER error_detected).
class ErrorChannel : public IrqChannel {
public:
    explicit ErrorChannel(int device_fd);
};

/// Runs @action (which makes the kernel take the device away: unbind,
/// module removal) in a thread while serving @channel as a VMM does: on a
/// request, closes @device.  Gives up after @timeout.  Rethrows what @action
/// threw.  Returns whether a request came.
bool run_serving_requests(const std::function<void()>& action, const RequestChannel& channel, VfioDevice& device,
                          std::chrono::seconds timeout);

}  // namespace xe_pfvf::guest
