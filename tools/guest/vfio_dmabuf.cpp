#include "vfio_dmabuf.hpp"

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <exception>
#include <future>
#include <system_error>
#include <thread>
#include <utility>

#include <linux/pci_regs.h>
#include <linux/vfio.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "xe_pfvf_vfio_uapi.h"

namespace xe_pfvf::guest {

namespace {

unsigned group_of(const std::string& bdf) {
    const auto group = iommu_group_of(bdf);
    if (!group) {
        throw std::system_error(ENODEV, std::generic_category(), bdf + " has no IOMMU group");
    }
    return *group;
}

UniqueFd open_device(VfioContainer& container, const VfioGroup& group, const std::string& bdf) {
    container.set_iommu();
    return group.device(bdf);
}

/// Copies @value into @buffer at @offset.
template <typename T>
void put(std::vector<std::byte>& buffer, std::size_t offset, const T& value) {
    std::memcpy(&buffer.at(offset), &value, sizeof(value));
}

/// pread/pwrite of exactly @size bytes at @offset of the device fd.
void config_io(int device_fd, void* data, std::size_t size, off_t offset, bool write) {
    const ssize_t done = write ? ::pwrite(device_fd, data, size, offset) : ::pread(device_fd, data, size, offset);
    if (done < 0) {
        throw_errno(write ? "write to the VFIO config region" : "read of the VFIO config region");
    }
    if (static_cast<std::size_t>(done) != size) {
        throw std::system_error(EIO, std::generic_category(), "short access to the VFIO config region");
    }
}

}  // namespace

VfioDevice::VfioDevice(const std::string& bdf, const std::string& driver)
    : binding_(bdf, driver), group_(group_of(bdf), container_), device_(open_device(container_, group_, bdf)) {}

void VfioDevice::reopen() {
    device_.reset();
    device_ = group_.device(bdf());
}

UniqueFd export_dmabuf(int device_fd, const DmabufRequest& request) {
    constexpr std::size_t head = sizeof(vfio_device_feature);
    constexpr std::size_t body = offsetof(vfio_device_feature_dma_buf, dma_ranges);
    const std::size_t size = head + body + request.ranges.size() * sizeof(vfio_region_dma_range);
    std::vector<std::byte> buffer(size);

    vfio_device_feature feature{};
    feature.argsz = static_cast<std::uint32_t>(size - request.argsz_short);
    feature.flags = VFIO_DEVICE_FEATURE_GET | VFIO_DEVICE_FEATURE_DMA_BUF;
    put(buffer, 0, feature);

    // Field by field: a struct with a flexible array member is no C++ object.
    put(buffer, head + offsetof(vfio_device_feature_dma_buf, region_index), request.region_index);
    put(buffer, head + offsetof(vfio_device_feature_dma_buf, open_flags), request.open_flags);
    put(buffer, head + offsetof(vfio_device_feature_dma_buf, flags), request.flags);
    put(buffer, head + offsetof(vfio_device_feature_dma_buf, nr_ranges),
        request.nr_ranges.value_or(static_cast<std::uint32_t>(request.ranges.size())));

    for (std::size_t i = 0; i < request.ranges.size(); ++i) {
        const vfio_region_dma_range range{.offset = request.ranges[i].offset, .length = request.ranges[i].length};
        put(buffer, head + body + i * sizeof(range), range);
    }
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    const int fd = ::ioctl(device_fd, VFIO_DEVICE_FEATURE, buffer.data());
    if (fd < 0) {
        throw_errno("VFIO_DEVICE_FEATURE_DMA_BUF");
    }
    return UniqueFd(fd);
}

CommandRegister::CommandRegister(int device_fd)
    : fd_(device_fd),
      offset_(static_cast<off_t>(region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX).offset + PCI_COMMAND)) {}

std::uint16_t CommandRegister::read() const {
    std::array<std::uint8_t, 2> command{};
    config_io(fd_, command.data(), command.size(), offset_, false);
    return static_cast<std::uint16_t>(command[0] | (command[1] << 8U));
}

void CommandRegister::write(std::uint16_t command) const {
    std::array<std::uint8_t, 2> bytes{static_cast<std::uint8_t>(command & 0xffU),
                                      static_cast<std::uint8_t>(command >> 8U)};
    config_io(fd_, bytes.data(), bytes.size(), offset_, true);
}

void enable_memory(int device_fd) {
    const CommandRegister command(device_fd);
    command.write(command.read() | PCI_COMMAND_MEMORY);
}

void disable_memory(int device_fd) {
    const CommandRegister command(device_fd);
    command.write(command.read() & ~std::uint16_t{PCI_COMMAND_MEMORY});
}

std::optional<std::uint8_t> find_capability(int device_fd, std::uint8_t id) {
    const auto base = static_cast<off_t>(region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX).offset);
    std::uint8_t pos = 0;
    config_io(device_fd, &pos, 1, base + PCI_CAPABILITY_LIST, false);
    // At most 48 capabilities fit in the 192 bytes after the header.
    for (int i = 0; i < 48 && pos >= PCI_STD_HEADER_SIZEOF; ++i) {
        std::array<std::uint8_t, 2> cap{};
        config_io(device_fd, cap.data(), cap.size(), base + (pos & ~3U), false);
        if (cap[0] == id) {
            return static_cast<std::uint8_t>(pos & ~3U);
        }
        pos = cap[1];
    }
    return std::nullopt;
}

void set_power_state(int device_fd, std::uint8_t pm_cap, unsigned state) {
    const auto offset =
        static_cast<off_t>(region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX).offset + pm_cap + PCI_PM_CTRL);
    std::array<std::uint8_t, 2> ctrl{};
    config_io(device_fd, ctrl.data(), ctrl.size(), offset, false);
    ctrl[0] = static_cast<std::uint8_t>((ctrl[0] & ~PCI_PM_CTRL_STATE_MASK) | (state & PCI_PM_CTRL_STATE_MASK));
    config_io(device_fd, ctrl.data(), ctrl.size(), offset, true);
}

bool initiate_flr(int device_fd) {
    const auto exp = find_capability(device_fd, PCI_CAP_ID_EXP);
    if (!exp) {
        return false;
    }
    const auto offset =
        static_cast<off_t>(region_info(device_fd, VFIO_PCI_CONFIG_REGION_INDEX).offset + *exp + PCI_EXP_DEVCTL);
    std::array<std::uint8_t, 2> devctl{};
    config_io(device_fd, devctl.data(), devctl.size(), offset, false);
    devctl[1] = static_cast<std::uint8_t>(devctl[1] | (PCI_EXP_DEVCTL_BCR_FLR >> 8U));
    config_io(device_fd, devctl.data(), devctl.size(), offset, true);
    return true;
}

void device_feature(int device_fd, std::uint32_t flags) {
    vfio_device_feature feature{};
    feature.argsz = sizeof(feature);
    feature.flags = flags;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(device_fd, VFIO_DEVICE_FEATURE, &feature) < 0) {
        throw_errno("VFIO_DEVICE_FEATURE " + std::to_string(flags & VFIO_DEVICE_FEATURE_MASK));
    }
}

void reset_device(int device_fd) {
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(device_fd, VFIO_DEVICE_RESET) < 0) {
        throw_errno("VFIO_DEVICE_RESET");
    }
}

IrqChannel::IrqChannel(int device_fd, std::uint32_t index, const std::string& what)
    : eventfd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!eventfd_.valid()) {
        throw_errno("eventfd");
    }
    vfio_irq_info info{};
    info.argsz = sizeof(info);
    info.index = index;
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(device_fd, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0) {
        throw_errno("VFIO_DEVICE_GET_IRQ_INFO (" + what + ")");
    }
    if (info.count != 1) {
        throw std::system_error(ENOTSUP, std::generic_category(), "the device has no " + what + " interrupt");
    }

    const std::int32_t efd = eventfd_.get();
    std::vector<std::byte> buffer(sizeof(vfio_irq_set) + sizeof(efd));
    vfio_irq_set set{};
    set.argsz = static_cast<std::uint32_t>(buffer.size());
    set.flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
    set.index = index;
    set.start = 0;
    set.count = 1;
    put(buffer, 0, set);
    put(buffer, sizeof(set), efd);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): ioctl() is variadic
    if (::ioctl(device_fd, VFIO_DEVICE_SET_IRQS, buffer.data()) < 0) {
        throw_errno("VFIO_DEVICE_SET_IRQS (" + what + " eventfd)");
    }
}

bool IrqChannel::wait(std::chrono::milliseconds timeout) const {
    pollfd pfd{.fd = eventfd_.get(), .events = POLLIN, .revents = 0};
    const int ready = ::poll(&pfd, 1, static_cast<int>(timeout.count()));
    if (ready < 0) {
        throw_errno("poll on an interrupt eventfd");
    }
    if (ready == 0) {
        return false;
    }
    std::uint64_t count = 0;
    if (::read(eventfd_.get(), &count, sizeof(count)) < 0 && errno != EAGAIN) {
        throw_errno("read of an interrupt eventfd");
    }
    return true;
}

RequestChannel::RequestChannel(int device_fd) : IrqChannel(device_fd, VFIO_PCI_REQ_IRQ_INDEX, "request") {}

ErrorChannel::ErrorChannel(int device_fd) : IrqChannel(device_fd, VFIO_PCI_ERR_IRQ_INDEX, "error") {}

bool run_serving_requests(const std::function<void()>& action, const RequestChannel& channel, VfioDevice& device,
                          std::chrono::seconds timeout) {
    using namespace std::chrono_literals;
    std::promise<void> finished;
    std::future<void> result = finished.get_future();
    std::jthread worker([&action, &finished] {
        try {
            action();
            finished.set_value();
        } catch (...) {
            finished.set_exception(std::current_exception());
        }
    });

    bool requested = false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    try {
        while (result.wait_for(0ms) != std::future_status::ready) {
            const bool request = channel.wait(100ms);
            requested = requested || request;
            // Past the deadline, close anyway so that the action can finish.
            if (device.is_open() && (request || std::chrono::steady_clock::now() > deadline)) {
                device.close();
            }
        }
    } catch (...) {
        device.close();  // lets the action finish; the worker is joined on the way out
        throw;
    }
    worker.join();
    result.get();
    return requested;
}

}  // namespace xe_pfvf::guest
