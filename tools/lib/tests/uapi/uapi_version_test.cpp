// XE_PFVF_IOC_VERSION and what the caps promise; raw addresses only for
// CAP_SYS_ADMIN.

#include "uapi_fixture.hpp"

#include "debugfs.hpp"

#include <linux/xe_pfvf.h>

#include <filesystem>
#include <map>
#include <sstream>

#include <sys/stat.h>

namespace xe_pfvf::uapi_test {
namespace {

using UapiVersion = UapiTest;

std::size_t debugfs_pfs() {
    std::size_t n = 0;
    for (const auto& entry : std::filesystem::directory_iterator(guest::debugfs_root)) {
        n += std::filesystem::exists(entry.path() / "info") ? 1 : 0;
    }
    return n;
}

TEST_F(UapiVersion, MajorMinorCapsAndLimits) {
    const Version v = dev().version();
    EXPECT_EQ(v.major, XE_PFVF_UAPI_MAJOR);
    EXPECT_EQ(v.minor, XE_PFVF_UAPI_MINOR);
    EXPECT_TRUE(v.has(Cap::raw_addr)) << "opened by root with CAP_SYS_ADMIN";
    EXPECT_EQ(v.has(Cap::export_handles), std::filesystem::exists("/sys/module/vfio"))
        << "export needs VFIO; /sys/module/vfio tells whether it is there";
    EXPECT_EQ(v.caps & ~(XE_PFVF_CAP_RAW_ADDR | XE_PFVF_CAP_EXPORT | XE_PFVF_CAP_P2P | XE_PFVF_CAP_IOMMU), 0U)
        << "caps the uAPI does not define";
    EXPECT_EQ(v.nr_pfs, debugfs_pfs());
    EXPECT_GT(v.max_handles, 0U);
}

TEST_F(UapiVersion, NodeIsRootOnly) {
    struct stat st {};
    ASSERT_EQ(::stat(std::string(default_device_path).c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600U);
    EXPECT_EQ(st.st_uid, 0U);
    EXPECT_EQ(st.st_gid, 0U);
}

TEST_F(UapiVersion, RawAddressesHiddenWithoutCapSysAdmin) {
    const VfModel& vf = first_vf();
    const Bdf pf = pf_bdf();
    const Translation root = dev().translate(pf, static_cast<std::uint16_t>(vf.vf), Space::lmem, 0, vf.quota);
    const std::string report = in_child([&]() -> std::string {
        drop_cap_sys_admin();
        std::ostringstream bad;
        const Device d = Device::open();
        const Version v = d.version();
        if (v.has(Cap::raw_addr)) {
            bad << "caps have RAW_ADDR without CAP_SYS_ADMIN; ";
        }
        for (const VfInfo& info : d.vfs(pf)) {
            if (info.bar_cpu != 0 || info.bar_bus != 0 || info.raw()) {
                bad << "VF " << info.vfid << " shows BAR cpu " << info.bar_cpu << " bus " << info.bar_bus
                    << " flags " << info.vf_flags << "; ";
            }
            if (info.vfid == vf.vf && info.bar_size != vf.bar.size) {
                bad << "bar_size " << info.bar_size << " want " << vf.bar.size << "; ";
            }
        }
        const Translation t = d.translate(pf, static_cast<std::uint16_t>(vf.vf), Space::lmem, 0, vf.quota);
        if (t.extents.size() != root.extents.size()) {
            bad << t.extents.size() << " extents, root sees " << root.extents.size() << "; ";
            return bad.str();
        }
        for (std::size_t i = 0; i < t.extents.size(); ++i) {
            if (t.extents[i].vram != 0) {
                bad << "extent " << i << " shows VRAM " << t.extents[i].vram << "; ";
            }
            if (t.extents[i].length != root.extents[i].length) {
                bad << "extent " << i << " length " << t.extents[i].length << "; ";
            }
            if (t.extents[i].handle == 0) {
                bad << "extent " << i << " has handle 0; ";
            }
        }
        return bad.str();
    });
    EXPECT_EQ(report, "");
}

TEST_F(UapiVersion, FilePassedToAnotherProcessKeepsItsOpenersRights) {
    // Raw addresses follow the opener, not the caller: a file opened as
    // root keeps showing them to a child that dropped the capability.
    const int root_fd = fd();
    const std::string report = in_child([&]() -> std::string {
        drop_cap_sys_admin();
        xe_pfvf_version v{};
        v.size = sizeof(v);
        if (const int err = ioctl_errno(root_fd, XE_PFVF_IOC_VERSION, &v); err != 0) {
            return "VERSION: " + errno_name(err);
        }
        if ((v.caps & XE_PFVF_CAP_RAW_ADDR) == 0) {
            return "the inherited root file lost RAW_ADDR";
        }
        return {};
    });
    EXPECT_EQ(report, "");
}

TEST_F(UapiVersion, ListsWhatDebugfsLists) {
    const auto pfs = dev().pfs();
    ASSERT_EQ(pfs.size(), debugfs_pfs());
    for (const PfInfo& pf : pfs) {
        SCOPED_TRACE(pf.bdf.str());
        const auto dir = guest::debugfs_root / pf.bdf.str();
        std::istringstream info(guest::read_file(dir / "info"));
        std::map<std::string, std::string> fields;
        for (std::string line; std::getline(info, line);) {
            const auto colon = line.find(": ");
            if (colon != std::string::npos) {
                fields[line.substr(0, colon)] = line.substr(colon + 2);
            }
        }
        EXPECT_EQ(fields["pf"], pf.bdf.str());
        EXPECT_EQ(fields["driver"], pf.driver);
        EXPECT_EQ(fields["vram_size"], std::to_string(pf.vram_size));
        EXPECT_EQ(fields["lmem_bar"], std::to_string(pf.lmem_bar));
        EXPECT_EQ(fields["total_vfs"], std::to_string(pf.total_vfs));
        EXPECT_EQ(fields["num_vfs"], std::to_string(pf.num_vfs));
        EXPECT_EQ(fields["dmabufs_revoked"], std::to_string(pf.revoked));
        const auto sysfs = std::filesystem::path("/sys/bus/pci/devices") / pf.bdf.str();
        EXPECT_EQ(std::stoul(guest::read_file(sysfs / "sriov_totalvfs")), pf.total_vfs);
        EXPECT_EQ(std::stoul(guest::read_file(sysfs / "sriov_numvfs")), pf.num_vfs);
    }
}

}  // namespace
}  // namespace xe_pfvf::uapi_test
