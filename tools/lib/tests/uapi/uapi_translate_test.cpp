// XE_PFVF_IOC_TRANSLATE against the provisioning model of debugfs: LMEM
// offsets, BAR offsets, CPU and bus addresses; opaque extent handles; the
// errnos of the uAPI header.

#include "uapi_fixture.hpp"

#include "expected.hpp"

#include <linux/xe_pfvf.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <set>
#include <sstream>
#include <string>

#include "platform.hpp"
#include "sys.hpp"

namespace xe_pfvf::uapi_test {
namespace {

using UapiTranslate = UapiTest;

std::vector<guest::VramExtent> vram_of(const Translation& t) {
    std::vector<guest::VramExtent> out;
    for (const Extent& e : t.extents) {
        out.push_back({.start = e.vram, .size = e.length});
    }
    return out;
}

std::uint16_t id(const VfModel& vf) { return static_cast<std::uint16_t>(vf.vf); }

TEST_F(UapiTranslate, WholeLmemOfEveryVfMatchesTheProvisioning) {
    for (const VfModel& vf : model().vfs) {
        SCOPED_TRACE("VF " + std::to_string(vf.vf));
        const Translation t = dev().translate(pf_bdf(), id(vf), Space::lmem, 0, vf.quota);
        EXPECT_EQ(t.generation, vf.generation);
        EXPECT_TRUE(guest::same_extents(vram_of(t), guest::expected_extents(vf.extents, {.offset = 0, .length = vf.quota})));
    }
}

TEST_F(UapiTranslate, BarCpuAndBusAddressesMatchTheProvisioning) {
    for (const VfModel& vf : model().vfs) {
        SCOPED_TRACE("VF " + std::to_string(vf.vf));
        const std::uint64_t len = std::min(vf.bar.size, vf.quota);
        const auto want = guest::expected_extents(vf.extents, {.offset = 0, .length = len});
        EXPECT_TRUE(guest::same_extents(vram_of(dev().translate(pf_bdf(), id(vf), Space::bar, 0, len)), want));
        EXPECT_TRUE(guest::same_extents(vram_of(dev().translate(pf_bdf(), id(vf), Space::cpu, vf.bar.cpu, len)), want));
        EXPECT_TRUE(guest::same_extents(vram_of(dev().translate(pf_bdf(), id(vf), Space::bus, vf.bar.bus, len)), want));
    }
}

TEST_F(UapiTranslate, RandomUnalignedRanges) {
    std::mt19937_64 rng(0x5eed);
    const VfModel& vf = first_vf();
    for (int i = 0; i < 200; ++i) {
        const std::uint64_t offset = rng() % vf.quota;
        const std::uint64_t length = 1 + rng() % std::min<std::uint64_t>(vf.quota - offset, 64 * page);
        SCOPED_TRACE(std::to_string(offset) + "+" + std::to_string(length));
        const Translation t = dev().translate(pf_bdf(), id(vf), Space::lmem, offset, length);
        ASSERT_TRUE(guest::same_extents(vram_of(t), guest::expected_extents(vf.extents, {.offset = offset, .length = length})));
    }
}

TEST_F(UapiTranslate, HandlesAreEqualForEqualVramWithinAFileOnly) {
    const VfModel& vf = first_vf();
    const Translation a = dev().translate(pf_bdf(), id(vf), Space::lmem, 0, vf.quota);
    const Translation b = dev().translate(pf_bdf(), id(vf), Space::bar, 0, std::min(vf.bar.size, vf.quota));
    std::set<std::uint64_t> handles;
    for (std::size_t i = 0; i < a.extents.size(); ++i) {
        EXPECT_NE(a.extents[i].handle, 0U);
        handles.insert(a.extents[i].handle);
        if (i < b.extents.size() && a.extents[i].vram == b.extents[i].vram) {
            EXPECT_EQ(a.extents[i].handle, b.extents[i].handle) << "same VRAM, same file";
        }
    }
    EXPECT_EQ(handles.size(), a.extents.size()) << "distinct VRAM, distinct handles";
    const Device other = Device::open();
    const Translation c = other.translate(pf_bdf(), id(vf), Space::lmem, 0, vf.quota);
    ASSERT_EQ(c.extents.size(), a.extents.size());
    std::size_t shared = 0;
    for (const Extent& e : c.extents) {
        shared += handles.count(e.handle);
    }
    EXPECT_EQ(shared, 0U) << "another open file's handles are unrelated";
}

TEST_F(UapiTranslate, AlignedFlagAcceptsAlignedRanges) {
    const VfModel& vf = first_vf();
    EXPECT_NO_THROW(static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::lmem, page, 2 * page, translate_aligned)));
}

// The errnos of XE_PFVF_IOC_TRANSLATE as uapi/linux/xe_pfvf.h documents them.

/// @op must fail with @err from XE_PFVF_IOC_TRANSLATE.
template <typename Op>
::testing::AssertionResult translate_fails(int err, const Op& op) {
    return fails_with(err, op, "XE_PFVF_IOC_TRANSLATE");
}

TEST_F(UapiTranslate, PastTheQuotaIsERANGE) {
    const VfModel& vf = first_vf();
    EXPECT_TRUE(translate_fails(ERANGE, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::lmem, vf.quota - page, 2 * page)); }));
    EXPECT_TRUE(translate_fails(ERANGE, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::lmem, vf.quota, 1)); }));
}

TEST_F(UapiTranslate, PastTheBarIsENXIO) {
    const VfModel& vf = first_vf();
    EXPECT_TRUE(translate_fails(ENXIO, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::bar, vf.bar.size - page, 2 * page)); }));
    EXPECT_TRUE(translate_fails(ENXIO, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::bar, vf.bar.size, 1)); }));
}

TEST_F(UapiTranslate, WrapIsEOVERFLOW) {
    const VfModel& vf = first_vf();
    EXPECT_TRUE(translate_fails(EOVERFLOW, [&] {
        static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::lmem, ~std::uint64_t{0} - page + 1, 2 * page));
    }));
    EXPECT_TRUE(translate_fails(EOVERFLOW, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), Space::cpu, ~std::uint64_t{0}, 2)); }));
}

TEST_F(UapiTranslate, ZeroLengthBadSpaceAndFlagsAreEINVAL) {
    const VfModel& vf = first_vf();
    const auto fails = [&](Space s, std::uint64_t len, std::uint32_t flags) {
        return translate_fails(EINVAL, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), s, 0, len, flags)); });
    };
    EXPECT_TRUE(fails(Space::lmem, 0, 0)) << "zero length";
    EXPECT_TRUE(fails(static_cast<Space>(5), page, 0)) << "space 5";
    EXPECT_TRUE(fails(static_cast<Space>(0xffff), page, 0)) << "space 0xffff";
    EXPECT_TRUE(fails(Space::lmem, page, 1U << 1U)) << "unknown flag";
}

TEST_F(UapiTranslate, UnalignedWithAlignedFlagIsEDOM) {
    const VfModel& vf = first_vf();
    const auto fails = [&](Space s, std::uint64_t addr, std::uint64_t len) {
        return translate_fails(EDOM, [&] { static_cast<void>(dev().translate(pf_bdf(), id(vf), s, addr, len, translate_aligned)); });
    };
    EXPECT_TRUE(fails(Space::lmem, page / 2, page)) << "unaligned address";
    EXPECT_TRUE(fails(Space::lmem, 0, page / 2)) << "unaligned length";
    EXPECT_TRUE(fails(Space::cpu, vf.bar.cpu + 0x10, page)) << "unaligned CPU address";
}

TEST_F(UapiTranslate, NoSuchPfIsENODEVNoSuchVfIsENOENT) {
    EXPECT_TRUE(translate_fails(ENODEV, [&] { static_cast<void>(dev().translate(*Bdf::parse("00ff:ff:1f.7"), 1, Space::lmem, 0, page)); }))
        << "no such function";
    EXPECT_TRUE(translate_fails(ENODEV, [&] { static_cast<void>(dev().translate(bdf_of(first_vf()), 1, Space::lmem, 0, page)); }))
        << "a VF is no registered PF";
    const auto pfs = dev().pfs();
    const auto info = std::find_if(pfs.begin(), pfs.end(), [&](const PfInfo& p) { return p.bdf == pf_bdf(); });
    ASSERT_NE(info, pfs.end());
    EXPECT_TRUE(translate_fails(ENOENT, [&] { static_cast<void>(dev().translate(pf_bdf(), 0, Space::lmem, 0, page)); }))
        << "VF 0";
    EXPECT_TRUE(translate_fails(ENOENT, [&] {
        static_cast<void>(dev().translate(pf_bdf(), static_cast<std::uint16_t>(info->total_vfs + 1), Space::lmem, 0, page));
    })) << "VF " << info->total_vfs + 1 << " of " << info->total_vfs;
    EXPECT_TRUE(translate_fails(ENOENT, [&] { static_cast<void>(dev().translate(pf_bdf(), 0xffff, Space::bar, 0, page)); }));
}

TEST_F(UapiTranslate, AnotherVfsAddressIsEXDEV) {
    if (model().vfs.size() < 2) {
        GTEST_SKIP() << "needs two provisioned VFs";
    }
    const VfModel& a = model().vfs[0];
    const VfModel& b = model().vfs[1];
    EXPECT_TRUE(translate_fails(EXDEV, [&] { static_cast<void>(dev().translate(pf_bdf(), id(a), Space::cpu, b.bar.cpu, page)); }))
        << "VF " << a.vf << " asking for VF " << b.vf << "'s BAR";
    EXPECT_TRUE(translate_fails(EXDEV, [&] { static_cast<void>(dev().translate(pf_bdf(), id(a), Space::bus, b.bar.bus + 0x10, 0x20)); }));
}

TEST_F(UapiTranslate, ThePfsOwnBarIsEPERM) {
    const auto bar = guest::first_memory_bar(guest::parse_pci_resources(
        guest::read_file(std::filesystem::path("/sys/bus/pci/devices") / pf() / "resource")));
    ASSERT_TRUE(bar) << "the PF has no memory BAR";
    EXPECT_TRUE(translate_fails(EPERM, [&] { static_cast<void>(dev().translate(pf_bdf(), id(first_vf()), Space::cpu, bar->start, page)); }));
}

TEST_F(UapiTranslate, AddressInNoBarIsEADDRNOTAVAIL) {
    const auto entries = guest::parse_iomem(guest::read_file("/proc/iomem"));
    const auto hole = guest::unassigned_page_below(entries, 1ULL << 32U);
    ASSERT_TRUE(hole) << "no gap below 4 GiB in /proc/iomem";
    EXPECT_TRUE(translate_fails(EADDRNOTAVAIL, [&] { static_cast<void>(dev().translate(pf_bdf(), id(first_vf()), Space::cpu, *hole, page)); }));
    EXPECT_TRUE(translate_fails(EADDRNOTAVAIL, [&] { static_cast<void>(dev().translate(pf_bdf(), id(first_vf()), Space::bus, *hole, page)); }));
}

TEST_F(UapiTranslate, RawStructProtocol) {
    const VfModel& vf = first_vf();
    xe_pfvf_translate t{};
    t.size = sizeof(t);
    t.pf_bdf = pf_bdf().to_uapi();
    t.vfid = id(vf);
    t.space = XE_PFVF_ADDR_LMEM;
    t.addr = 0;
    t.length = vf.quota;
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_TRANSLATE, &t), 0) << "count 0 sizes";
    const auto want = guest::expected_extents(vf.extents, {.offset = 0, .length = vf.quota});
    EXPECT_EQ(t.count, want.size());
    EXPECT_EQ(t.generation, vf.generation);
    t.pad = 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_TRANSLATE, &t), EINVAL) << "pad";
    t.pad = 0;
    std::vector<xe_pfvf_extent_info> ext(2);
    t.count = 2;
    t.entry_size = XE_PFVF_EXTENT_INFO_SIZE_VER0 - 8;
    t.extents = reinterpret_cast<std::uintptr_t>(ext.data());  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_TRANSLATE, &t), EINVAL) << "entry_size below the first version";
    t.entry_size = sizeof(xe_pfvf_extent_info);
    t.count = XE_PFVF_MAX_ENTRIES + 1;
    EXPECT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_TRANSLATE, &t), E2BIG) << "count above XE_PFVF_MAX_ENTRIES";
    t.count = 2;
    ASSERT_EQ(ioctl_errno(fd(), XE_PFVF_IOC_TRANSLATE, &t), 0);
    EXPECT_EQ(t.count, want.size()) << "the full count, two written";
    ASSERT_GE(want.size(), 2U);
    EXPECT_EQ(ext[0].vram, want[0].start);
    EXPECT_EQ(ext[1].length, want[1].size);
}

}  // namespace
}  // namespace xe_pfvf::uapi_test
