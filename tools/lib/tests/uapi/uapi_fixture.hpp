#pragma once

// Shared by xe-pfvf-uapi-tests, which run in the VM against the loaded
// module: /dev/xe_pfvf through libxe-pfvf and through raw ioctls, checked
// against debugfs, sysfs and the software PF's importer.

#include "guest_fixture.hpp"
#include "swpf.hpp"
#include "vfio.hpp"

#include <xe_pfvf/xe_pfvf.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace xe_pfvf::uapi_test {

using guest::VfModel;

inline constexpr std::uint64_t page = 4096;

/// ioctl(2) on @fd; 0 or the errno.
[[nodiscard]] int ioctl_errno(int fd, unsigned long request, void* arg);

/// A uAPI struct at the start of a page-sized, zeroed, aligned buffer, for
/// sending it with another size than its own.
template <typename T>
class Oversized {
public:
    Oversized() = default;
    explicit Oversized(const T& value) { set(value); }

    void set(const T& value) { std::memcpy(bytes_.data(), &value, sizeof(T)); }
    [[nodiscard]] T get() const {
        T value{};
        std::memcpy(&value, bytes_.data(), sizeof(T));
        return value;
    }
    /// Sets the size field (the first __u32).
    void size(std::uint32_t size) { std::memcpy(bytes_.data(), &size, sizeof(size)); }
    [[nodiscard]] std::byte& at(std::size_t offset) { return bytes_.at(offset); }
    [[nodiscard]] void* data() noexcept { return bytes_.data(); }

private:
    alignas(8) std::array<std::byte, std::size_t{2} * 4096> bytes_{};
};

/// @op must throw std::system_error (xe_pfvf::Error or the guest helpers'
/// errors) with errno @err and, if @operation is not empty, an
/// xe_pfvf::Error of that operation.
template <typename Op>
::testing::AssertionResult fails_with(int err, const Op& op, std::string_view operation = {}) {
    try {
        op();
    } catch (const std::system_error& e) {
        const auto* const lib = dynamic_cast<const Error*>(&e);
        const bool op_ok = operation.empty() || (lib != nullptr && lib->operation() == operation);
        if (e.code().value() == err && op_ok) {
            return ::testing::AssertionSuccess();
        }
        return ::testing::AssertionFailure() << e.what() << " (" << errno_name(e.code().value()) << "), want "
                                             << errno_name(err) << (operation.empty() ? "" : " from ") << operation;
    }
    return ::testing::AssertionFailure() << "succeeded, want " << errno_name(err);
}

/// Runs @body in a forked child and returns what it reports: empty for
/// success, else its complaints.  The child must use no gtest assertion.
[[nodiscard]] std::string in_child(const std::function<std::string()>& body);

/// fcntl(@fd, F_GETFD): the fd flags (FD_CLOEXEC), -1 if closed.
[[nodiscard]] int fd_flags(int fd);
/// fcntl(@fd, F_GETFL): the file's status flags and access mode.
[[nodiscard]] int file_flags(int fd);

/// Drops CAP_SYS_ADMIN from the calling process (effective, permitted,
/// inheritable); the uid stays 0.  Throws std::system_error.
void drop_cap_sys_admin();

/// The test PF (as GuestTest finds it) and an open file of /dev/xe_pfvf.
class UapiTest : public guest::GuestTest {
protected:
    void SetUp() override;

    [[nodiscard]] const Device& dev() const { return *dev_; }
    [[nodiscard]] int fd() const { return dev_->fd(); }
    [[nodiscard]] Bdf pf_bdf() const { return pf_bdf_; }
    /// The model's first VF (provisioned, with an LMEM BAR).
    [[nodiscard]] const VfModel& first_vf() const { return model().vfs.front(); }
    [[nodiscard]] static Bdf bdf_of(const VfModel& vf) { return *Bdf::parse(vf.bdf); }

private:
    std::optional<Device> dev_;
    Bdf pf_bdf_;
};

/// Skips unless the software PF's importer and vfio-pci are there and the
/// first VF's IOMMU group can go to VFIO; then binds that VF to vfio-pci
/// and holds its group, as a VMM does.
class UapiExportTest : public UapiTest {
protected:
    void SetUp() override;
    void TearDown() override;

    /// The VF held through VFIO.
    [[nodiscard]] const VfModel& vf() const { return first_vf(); }
    [[nodiscard]] Bdf vf_bdf() const { return bdf_of(first_vf()); }
    [[nodiscard]] int group_fd() const { return group_->fd(); }
    [[nodiscard]] const guest::SwpfDebugfs& swpf() const { return *swpf_; }
    [[nodiscard]] guest::VfioContainer& container() { return *container_; }

    /// [offset, offset + length) of the VF's LMEM, exported on dev().
    [[nodiscard]] ExportHandle export_lmem(std::uint64_t offset, std::uint64_t length) const;
    /// Import slot @k, released at the end of the test.
    [[nodiscard]] const guest::ImportSlot& slot(unsigned k);
    /// @slot must hold @length bytes at LMEM @offset of the VF with the
    /// pattern of @seed, mapped over the private interconnect onto the
    /// provisioned extents.
    void expect_readback(const guest::ImportSlot& slot, std::uint64_t offset, std::uint64_t length,
                         std::uint64_t seed) const;
    /// The VF's live_bufs from XE_PFVF_IOC_LIST_VFS.
    [[nodiscard]] std::uint32_t live_bufs() const;

private:
    std::optional<guest::SwpfDebugfs> swpf_;
    std::unique_ptr<guest::DriverBinding> binding_;
    std::unique_ptr<guest::VfioContainer> container_;
    std::unique_ptr<guest::VfioGroup> group_;
    std::array<std::optional<guest::SlotGuard>, guest::swpf_import_slots> slots_;
};

}  // namespace xe_pfvf::uapi_test
