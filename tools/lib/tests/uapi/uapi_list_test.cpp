// XE_PFVF_IOC_LIST_VFS against debugfs and sysfs, and the array protocol
// of the uAPI (count, entry_size) with raw ioctls.

#include "uapi_fixture.hpp"

#include "debugfs.hpp"
#include "sys.hpp"

#include <linux/xe_pfvf.h>

#include <algorithm>
#include <filesystem>
#include <span>
#include <vector>

namespace xe_pfvf::uapi_test {
namespace {

using UapiList = UapiTest;

TEST_F(UapiList, VfsMatchDebugfsAndSysfs) {
    const auto vfs = dev().vfs(pf_bdf());
    const auto rows = guest::parse_vfs(guest::read_file(guest::debugfs_root / pf() / "vfs"));
    const auto pfs = dev().pfs();
    const auto info = std::find_if(pfs.begin(), pfs.end(), [&](const PfInfo& p) { return p.bdf == pf_bdf(); });
    ASSERT_NE(info, pfs.end());
    ASSERT_EQ(vfs.size(), info->total_vfs) << "one slot per VF the PF supports";
    std::size_t enabled = 0;
    for (std::size_t i = 0; i < vfs.size(); ++i) {
        const VfInfo& v = vfs[i];
        SCOPED_TRACE("VF " + std::to_string(i + 1));
        EXPECT_EQ(v.vfid, i + 1);
        const auto row = std::find_if(rows.begin(), rows.end(), [&](const guest::VfRow& r) { return r.vf == v.vfid; });
        if (i >= info->num_vfs) {
            EXPECT_EQ(v.state, VfState::disabled);
            EXPECT_EQ(v.bdf, Bdf{});
            EXPECT_EQ(v.quota, 0U);
            EXPECT_EQ(row, rows.end()) << "debugfs lists only enabled VFs";
            continue;
        }
        ++enabled;
        ASSERT_NE(row, rows.end());
        const auto virtfn = guest::link_target_name(std::filesystem::path("/sys/bus/pci/devices") / pf() /
                                                    ("virtfn" + std::to_string(i)));
        ASSERT_TRUE(virtfn);
        EXPECT_EQ(v.bdf.str(), *virtfn);
        EXPECT_EQ(v.bdf.str(), row->bdf);
        EXPECT_EQ(to_string(v.state), row->state);
        EXPECT_EQ(v.quota, row->quota);
        EXPECT_EQ(v.nr_extents, row->nr_extents);
        EXPECT_EQ(v.generation, row->generation);
        ASSERT_TRUE(row->bar);
        EXPECT_TRUE(v.raw());
        EXPECT_EQ(v.bar_cpu, row->bar->cpu);
        EXPECT_EQ(v.bar_bus, row->bar->bus);
        EXPECT_EQ(v.bar_size, row->bar->size);
        EXPECT_FALSE(v.suspended());
        EXPECT_EQ(v.quarantined, 0U);
    }
    EXPECT_EQ(enabled, rows.size());
}

TEST_F(UapiList, VfsOfWhatIsNotARegisteredPfIsENODEV) {
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(dev().vfs(bdf_of(first_vf()))); }, "XE_PFVF_IOC_LIST_VFS"))
        << "a VF is not a PF";
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(dev().vfs(*Bdf::parse("00ff:ff:1f.7"))); }));
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(dev().vfs(*Bdf::parse("0000:00:00.0"))); }))
        << "a function that exists but is no PF";
}

TEST_F(UapiList, CountZeroSizesTheArray) {
    xe_pfvf_list_vfs l{};
    l.size = sizeof(l);
    l.pf_bdf = pf_bdf().to_uapi();
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), 0);
    EXPECT_EQ(l.count, dev().vfs(pf_bdf()).size());
    // entries and entry_size do not matter when count is 0.
    l.count = 0;
    l.entries = 0x10;  // not a valid pointer
    l.entry_size = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), 0);

    xe_pfvf_list_pfs p{};
    p.size = sizeof(p);
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_PFS, &p), 0);
    EXPECT_EQ(p.count, dev().version().nr_pfs);
}

TEST_F(UapiList, ShortArrayGetsWhatFitsAndTheFullCount) {
    const std::uint32_t total = static_cast<std::uint32_t>(dev().vfs(pf_bdf()).size());
    ASSERT_GE(total, 2U);
    std::vector<xe_pfvf_vf_info> entries(2);
    std::memset(entries.data(), 0xa5, entries.size() * sizeof(entries[0]));
    xe_pfvf_list_vfs l{};
    l.size = sizeof(l);
    l.pf_bdf = pf_bdf().to_uapi();
    l.count = 1;
    l.entry_size = sizeof(xe_pfvf_vf_info);
    l.entries = reinterpret_cast<std::uintptr_t>(entries.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), 0);
    EXPECT_EQ(l.count, total);
    EXPECT_EQ(entries[0].vfid, 1);
    EXPECT_EQ(entries[1].vfid, 0xa5a5) << "the kernel wrote past count";
}

TEST_F(UapiList, LargerEntriesAreZeroFilledPastTheEntry) {
    constexpr std::uint32_t stride = sizeof(xe_pfvf_vf_info) + 24;
    const std::uint32_t total = static_cast<std::uint32_t>(dev().vfs(pf_bdf()).size());
    std::vector<std::byte> buf(std::size_t{stride} * total + 64, std::byte{0xa5});
    xe_pfvf_list_vfs l{};
    l.size = sizeof(l);
    l.pf_bdf = pf_bdf().to_uapi();
    l.count = total;
    l.entry_size = stride;
    l.entries = reinterpret_cast<std::uintptr_t>(buf.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), 0);
    for (std::uint32_t i = 0; i < total; ++i) {
        xe_pfvf_vf_info info{};
        std::memcpy(&info, std::span(buf).subspan(std::size_t{stride} * i).data(), sizeof(info));
        EXPECT_EQ(info.vfid, i + 1) << "entry " << i << " not at stride " << stride;
        for (std::size_t b = sizeof(info); b < stride; ++b) {
            ASSERT_EQ(buf[std::size_t{stride} * i + b], std::byte{0}) << "entry " << i << " byte " << b;
        }
    }
    EXPECT_EQ(buf[std::size_t{stride} * total], std::byte{0xa5}) << "written past the array";
}

TEST_F(UapiList, ArrayErrnos) {
    std::vector<xe_pfvf_vf_info> entries(4);
    xe_pfvf_list_vfs l{};
    l.size = sizeof(l);
    l.pf_bdf = pf_bdf().to_uapi();
    l.count = 1;
    l.entries = reinterpret_cast<std::uintptr_t>(entries.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    l.entry_size = XE_PFVF_VF_INFO_SIZE_VER0 - 8;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), EINVAL) << "entry_size below the first version";
    l.entry_size = 0;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), EINVAL) << "entry_size 0 with a count";
    l.entry_size = sizeof(xe_pfvf_vf_info);
    l.count = XE_PFVF_MAX_ENTRIES + 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), E2BIG) << "count above XE_PFVF_MAX_ENTRIES";
    l.count = 1;
    l.entries = 0x10;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), EFAULT) << "a bad entries pointer";
    l.entries = reinterpret_cast<std::uintptr_t>(entries.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    l.pad = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), EINVAL) << "pad";
    l.pad = 0;
    l.flags = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_VFS, &l), EINVAL) << "flags";

    xe_pfvf_list_pfs p{};
    p.size = sizeof(p);
    p.count = 1;
    p.entry_size = XE_PFVF_PF_INFO_SIZE_VER0 - 1;
    p.entries = reinterpret_cast<std::uintptr_t>(entries.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_PFS, &p), EINVAL);
    p.entry_size = XE_PFVF_PF_INFO_SIZE_VER0;
    p.count = XE_PFVF_MAX_ENTRIES + 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_LIST_PFS, &p), E2BIG);
}

TEST_F(UapiList, P2pVerdictOfThePfAndItsVf) {
    const P2pVerdict v = dev().p2p(bdf_of(first_vf()), pf_bdf());
    EXPECT_TRUE(v.private_interconnect()) << "provider is a VF of the client, its registered PF";
    EXPECT_TRUE(dev().p2p(pf_bdf(), bdf_of(first_vf())).private_interconnect()) << "and the reverse";
    EXPECT_EQ(v.map == P2pMap::none, v.distance == -1) << "distance -1 exactly when there is no path";
    EXPECT_FALSE(dev().p2p(pf_bdf(), *Bdf::parse("0000:00:00.0")).private_interconnect())
        << "the host bridge is not the PF's VF";
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(dev().p2p(*Bdf::parse("00ff:ff:1f.7"), pf_bdf())); },
                           "XE_PFVF_IOC_P2P"));
    EXPECT_TRUE(fails_with(ENODEV, [&] { static_cast<void>(dev().p2p(pf_bdf(), *Bdf::parse("00ff:ff:1f.7"))); }));
}

}  // namespace
}  // namespace xe_pfvf::uapi_test
