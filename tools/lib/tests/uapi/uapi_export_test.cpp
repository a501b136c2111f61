// Export by handle: a VF held through VFIO (vfio-pci), ranges of its
// memory exported as handles of one open file, made dma-bufs and read
// back by the software PF over the private interconnect; handles that do
// not work anywhere else and die with the file, on revoke and after FLR.

#include "uapi_fixture.hpp"

#include "command.hpp"
#include "expected.hpp"
#include "sys.hpp"
#include "vfio_dmabuf.hpp"

#include <linux/xe_pfvf.h>

#include <filesystem>
#include <set>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>

namespace xe_pfvf::uapi_test {
namespace {

constexpr std::uint64_t seed = 0x5eed7e57;

using UapiExport = UapiExportTest;

TEST_F(UapiExport, LmemRangeReadsBackThroughThePf) {
    const std::uint64_t offset = 3 * page;
    const std::uint64_t length = 16 * page;
    swpf().fill(vf().vf, 0, vf().quota, seed);
    const ExportHandle h = export_lmem(offset, length);
    EXPECT_NE(h.value(), 0U);
    EXPECT_EQ(live_bufs(), 0U) << "a handle is not a dma-buf yet";
    const UniqueFd buf = h.dmabuf();
    EXPECT_EQ(live_bufs(), 1U);
    EXPECT_EQ(::lseek(buf.get(), 0, SEEK_END), static_cast<off_t>(length)) << "the dma-buf's size";
    slot(0).import(buf.get());
    expect_readback(slot(0), offset, length, seed);
}

TEST_F(UapiExport, BarRangeReadsBackThroughThePf) {
    const std::uint64_t length = std::min(vf().bar.size, vf().quota);
    swpf().fill(vf().vf, 0, vf().quota, seed + 1);
    const ExportHandle h = dev().export_range(group_fd(), vf_bdf(), Space::bar, 0, length);
    const UniqueFd buf = h.dmabuf(O_RDONLY | O_CLOEXEC);
    EXPECT_EQ(file_flags(buf.get()) & O_ACCMODE, O_RDONLY);
    EXPECT_EQ(fd_flags(buf.get()), FD_CLOEXEC);
    slot(0).import(buf.get());
    // The LMEM BAR maps LMEM from offset 0.
    expect_readback(slot(0), 0, length, seed + 1);
}

TEST_F(UapiExport, EachHandleFdIsANewDmabuf) {
    const ExportHandle h = export_lmem(0, 2 * page);
    const UniqueFd a = h.dmabuf();
    const UniqueFd b = h.dmabuf(O_RDWR);
    EXPECT_EQ(fd_flags(b.get()), 0) << "no O_CLOEXEC asked for";
    struct stat sa {};
    struct stat sb {};
    ASSERT_EQ(::fstat(a.get(), &sa), 0);
    ASSERT_EQ(::fstat(b.get(), &sb), 0);
    EXPECT_NE(sa.st_ino, sb.st_ino);
    EXPECT_EQ(live_bufs(), 2U);
}

TEST_F(UapiExport, HandlesAreUnpredictableAndDistinct) {
    std::set<std::uint64_t> values;
    std::vector<ExportHandle> handles;
    for (int i = 0; i < 16; ++i) {
        handles.push_back(export_lmem(0, page));
        values.insert(handles.back().value());
    }
    EXPECT_EQ(values.size(), handles.size());
    // Not a counter: the high halves differ.
    std::set<std::uint32_t> high;
    for (const std::uint64_t v : values) {
        high.insert(static_cast<std::uint32_t>(v >> 32U));
    }
    EXPECT_GT(high.size(), 8U) << "handle values look guessable";
}

TEST_F(UapiExport, HandleIsUselessInAnotherOpenFile) {
    const ExportHandle h = export_lmem(0, page);
    const Device other = Device::open();
    EXPECT_TRUE(fails_with(ENOENT, [&] { static_cast<void>(other.handle_fd(h.value())); }, "XE_PFVF_IOC_HANDLE_FD"));
    EXPECT_TRUE(fails_with(ENOENT, [&] { static_cast<void>(other.revoke(h.value())); }, "XE_PFVF_IOC_REVOKE"));
    EXPECT_NO_THROW(static_cast<void>(h.dmabuf())) << "still alive in its own file";
}

TEST_F(UapiExport, HandleIsUselessToAChildThatOpenedItsOwnFile) {
    const ExportHandle h = export_lmem(0, page);
    const std::uint64_t value = h.value();
    const std::string report = in_child([value]() -> std::string {
        const Device mine = Device::open();
        xe_pfvf_handle_fd hf{};
        hf.size = sizeof(hf);
        hf.handle = value;
        hf.fd_flags = O_RDWR | O_CLOEXEC;
        std::string bad;
        if (const int err = ioctl_errno(mine.fd(), XE_PFVF_IOC_HANDLE_FD, &hf); err != ENOENT) {
            bad += "HANDLE_FD: " + (err == 0 ? std::string("succeeded") : errno_name(err)) + ", want ENOENT; ";
        }
        xe_pfvf_revoke rv{};
        rv.size = sizeof(rv);
        rv.handle = value;
        if (const int err = ioctl_errno(mine.fd(), XE_PFVF_IOC_REVOKE, &rv); err != ENOENT) {
            bad += "REVOKE: " + (err == 0 ? std::string("succeeded") : errno_name(err)) + ", want ENOENT; ";
        }
        return bad;
    });
    EXPECT_EQ(report, "");
    EXPECT_NO_THROW(static_cast<void>(h.dmabuf()));
}

TEST_F(UapiExport, ChildSharingTheOpenFileSharesItsHandles) {
    // Handles belong to the open file: a child that inherited it (as a VMM
    // passes it on) can use them.
    const ExportHandle h = export_lmem(0, page);
    const std::uint64_t value = h.value();
    const int file = fd();
    const std::string report = in_child([value, file]() -> std::string {
        xe_pfvf_handle_fd hf{};
        hf.size = sizeof(hf);
        hf.handle = value;
        hf.fd_flags = O_RDWR | O_CLOEXEC;
        const int err = ioctl_errno(file, XE_PFVF_IOC_HANDLE_FD, &hf);
        return err == 0 ? std::string() : "HANDLE_FD on the inherited file: " + errno_name(err);
    });
    EXPECT_EQ(report, "");
}

TEST_F(UapiExport, ClosingTheFileRevokesItsHandlesDmabufs) {
    swpf().fill(vf().vf, 0, 4 * page, seed + 2);
    UniqueFd buf;
    {
        Device own = Device::open();
        ExportHandle h = own.export_range(group_fd(), vf_bdf(), Space::lmem, 0, 4 * page);
        buf = h.dmabuf();
        slot(0).import(buf.get());
        expect_readback(slot(0), 0, 4 * page, seed + 2);
        // Keep the handle alive until the file goes: no explicit revoke.
        static_cast<void>(h.release());
    }
    const guest::SlotStatus s = slot(0).status();
    EXPECT_EQ(s.state, "revoked") << "the file was closed";
    EXPECT_GE(s.notified, 1U);
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(slot(0).data()); }));
    slot(0).ctl("release");
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(0).import(buf.get()); })) << "importing it again";
    buf.reset();
    EXPECT_EQ(live_bufs(), 0U);
}

TEST_F(UapiExport, RevokeKillsTheHandleAndEveryDmabufOfIt) {
    swpf().fill(vf().vf, 0, 2 * page, seed + 3);
    ExportHandle h = export_lmem(0, 2 * page);
    const std::uint64_t value = h.value();
    const UniqueFd a = h.dmabuf();
    const UniqueFd b = h.dmabuf();
    slot(0).import(a.get());
    expect_readback(slot(0), 0, 2 * page, seed + 3);
    const RevokeResult r = h.revoke();
    EXPECT_EQ(r.revoked, 2U);
    EXPECT_EQ(r.busy, 0U) << "the software PF unmaps when told";
    EXPECT_EQ(slot(0).status().state, "revoked");
    EXPECT_TRUE(fails_with(ENOENT, [&] { static_cast<void>(dev().handle_fd(value)); }, "XE_PFVF_IOC_HANDLE_FD"));
    EXPECT_TRUE(fails_with(ENOENT, [&] { static_cast<void>(dev().revoke(value)); }, "XE_PFVF_IOC_REVOKE"));
    EXPECT_TRUE(fails_with(ENODEV, [&] { slot(1).import(b.get()); })) << "the other dma-buf is revoked too";
    EXPECT_EQ(live_bufs(), 2U) << "revoked, not released: the fds are open";
}

TEST_F(UapiExport, VfRemovalKillsTheHandle) {
    // Disabling the VFs changes every VF's provisioning: the handle is
    // stale.  The VFs come back afterwards with new provisionings.
    ExportHandle h = export_lmem(0, page);
    const UniqueFd buf = h.dmabuf();
    slot(0).import(buf.get());
    const auto sriov = std::filesystem::path("/sys/bus/pci/devices") / pf() / "sriov_numvfs";
    const std::string numvfs = guest::read_file(sriov);
    // vfio-pci lets the VF go when asked; our group must not hold it.
    // (The fixture's binding is restored after the VF is gone; it copes.)
    guest::write_attribute(sriov, "0");
    EXPECT_EQ(slot(0).status().state, "revoked");
    EXPECT_TRUE(fails_with(ESTALE, [&] { static_cast<void>(h.dmabuf()); }, "XE_PFVF_IOC_HANDLE_FD"));
    guest::write_attribute(sriov, numvfs);
}

/// The VF's VFIO device cdev (/dev/vfio/devices/vfioN, the iommufd way of
/// holding a device) proves ownership as its group does.  Skips on kernels
/// without VFIO device cdevs (CONFIG_VFIO_DEVICE_CDEV: the 6.12 debug
/// kernel has them, Debian's kernels do not).
class UapiExportCdev : public UapiExportTest {
protected:
    /// /dev/vfio/devices/vfioN of @bdf, opened; nullopt when the kernel
    /// made no such node (a failed open of one throws: a test failure).
    /// VFIO registers the vfio-dev device (sysfs) with or without cdevs;
    /// the node exists only with them.
    static std::optional<guest::UniqueFd> open_cdev(const std::string& bdf) {
        const auto dir = std::filesystem::path("/sys/bus/pci/devices") / bdf / "vfio-dev";
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
            const auto node = std::filesystem::path("/dev/vfio/devices") / entry.path().filename();
            if (!std::filesystem::exists(node, ec)) {
                return std::nullopt;
            }
            return guest::open_fd(node, O_RDWR);
        }
        return std::nullopt;
    }
};

TEST_F(UapiExportCdev, DeviceCdevProvesOwnership) {
    std::optional<guest::UniqueFd> cdev = open_cdev(vf().bdf);
    if (!cdev) {
        GTEST_SKIP() << "no VFIO device cdev for " << vf().bdf << " (kernel without CONFIG_VFIO_DEVICE_CDEV)";
    }
    swpf().fill(vf().vf, 0, vf().quota, seed + 7);
    const ExportHandle h = dev().export_range(cdev->get(), vf_bdf(), Space::lmem, page, 4 * page);
    const UniqueFd buf = h.dmabuf();
    slot(0).import(buf.get());
    expect_readback(slot(0), page, 4 * page, seed + 7);
    if (model().vfs.size() > 1) {
        EXPECT_TRUE(fails_with(EPERM, [&] {
            static_cast<void>(dev().export_range(cdev->get(), bdf_of(model().vfs[1]), Space::lmem, 0, page));
        })) << "the cdev of VF " << vf().vf << " does not prove VF " << model().vfs[1].vf;
    }
    // The handle does not depend on the proof: closing the cdev keeps it.
    cdev.reset();
    EXPECT_NO_THROW(static_cast<void>(h.dmabuf()));
}

TEST_F(UapiExportCdev, SameDeviceThroughAnotherNodeProvesIt) {
    // The proof is the device, not the path: a node with the cdev's number
    // made elsewhere opens the same VFIO device.  (Files that are not
    // VFIO's are refused in UapiErrno.)
    std::optional<guest::UniqueFd> cdev = open_cdev(vf().bdf);
    if (!cdev) {
        GTEST_SKIP() << "no VFIO device cdev for " << vf().bdf << " (kernel without CONFIG_VFIO_DEVICE_CDEV)";
    }
    struct stat st {};
    ASSERT_EQ(::fstat(cdev->get(), &st), 0);
    const std::string alias = (std::filesystem::temp_directory_path() / "xe-pfvf-cdev-alias").string();
    ::unlink(alias.c_str());
    ASSERT_EQ(::mknod(alias.c_str(), S_IFCHR | 0600, st.st_rdev), 0) << errno_name(errno);
    const guest::UniqueFd again = guest::open_fd(alias, O_RDWR);
    ::unlink(alias.c_str());
    EXPECT_NO_THROW(static_cast<void>(dev().export_range(again.get(), vf_bdf(), Space::lmem, 0, page)));
}

/// The VF FLR case needs a VF driver that tells xe_pfvf about resets: the
/// sample variant driver (xe_pfvf_vfio_pci).  plain vfio-pci does not.
class UapiExportFlr : public UapiTest {
protected:
    void SetUp() override {
        UapiTest::SetUp();
        if (IsSkipped()) {
            return;
        }
        if (!std::filesystem::exists("/sys/bus/pci/drivers/xe_pfvf_vfio_pci")) {
            GTEST_SKIP() << "no xe_pfvf_vfio_pci (insmod xe_pfvf_vfio_pci.ko)";
        }
        if (model().vfs.size() < 2) {
            GTEST_SKIP() << "needs a second provisioned VF";
        }
        const VfModel& vf = model().vfs[1];
        if (!guest::vfio_group_blockers(vf.bdf).empty()) {
            GTEST_SKIP() << "VF " << vf.bdf << " shares its IOMMU group";
        }
        binding_ = std::make_unique<guest::DriverBinding>(vf.bdf, "xe_pfvf_vfio_pci");
        container_ = std::make_unique<guest::VfioContainer>();
        group_ = std::make_unique<guest::VfioGroup>(*guest::iommu_group_of(vf.bdf), *container_);
        container_->set_iommu();
        device_ = group_->device(vf.bdf);
        guest::enable_memory(device_.get());
    }
    void TearDown() override {
        device_.reset();
        group_.reset();
        container_.reset();
        binding_.reset();
        UapiTest::TearDown();
    }

    [[nodiscard]] int group_fd() const { return group_->fd(); }

private:
    std::unique_ptr<guest::DriverBinding> binding_;
    std::unique_ptr<guest::VfioContainer> container_;
    std::unique_ptr<guest::VfioGroup> group_;
    guest::UniqueFd device_;
};

TEST_F(UapiExportFlr, FunctionResetMakesTheHandleStale) {
    const VfModel& vf = model().vfs[1];
    ExportHandle h = dev().export_range(group_fd(), bdf_of(vf), Space::lmem, 0, page);
    EXPECT_NO_THROW(static_cast<void>(h.dmabuf())) << "before the reset";
    guest::write_attribute(std::filesystem::path("/sys/bus/pci/devices") / vf.bdf / "reset", "1");
    EXPECT_TRUE(fails_with(ESTALE, [&] { static_cast<void>(h.dmabuf()); }, "XE_PFVF_IOC_HANDLE_FD"));
    EXPECT_NO_THROW(static_cast<void>(h.revoke())) << "a stale handle can still be revoked";
    // A new export after the reset works.
    const ExportHandle again = dev().export_range(group_fd(), bdf_of(vf), Space::lmem, 0, page);
    EXPECT_NO_THROW(static_cast<void>(again.dmabuf()));
}

TEST_F(UapiExportFlr, VariantDriverGroupProvesOwnership) {
    const VfModel& vf = model().vfs[1];
    EXPECT_NO_THROW(static_cast<void>(dev().export_range(group_fd(), bdf_of(vf), Space::bar, 0, page)));
    EXPECT_TRUE(fails_with(EPERM, [&] {
        static_cast<void>(dev().export_range(group_fd(), bdf_of(first_vf()), Space::lmem, 0, page));
    })) << "this group does not hold VF " << first_vf().vf;
}

}  // namespace
}  // namespace xe_pfvf::uapi_test
