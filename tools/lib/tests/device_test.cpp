// The library against a fake kernel: what it sends (struct sizes, the
// count-0 sizing call, entry_size, the fields of each request), how it
// reads the answers, retries arrays that grew, and reports errors.

#include <xe_pfvf/xe_pfvf.hpp>

#include <gtest/gtest.h>

#include "fake_kernel.hpp"

#include <linux/xe_pfvf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include <fcntl.h>
#include <sys/eventfd.h>

namespace xe_pfvf {
namespace {

using fake::Call;
using fake::FakeKernel;
using fake::pf_entry;
using fake::vf_entry;


class DeviceTest : public ::testing::Test {
protected:
    FakeKernel kernel;
    Device dev{[this](unsigned long request, void* arg) { return kernel(request, arg); }};
};

TEST_F(DeviceTest, VersionSendsItsSizeAndReadsTheAnswer) {
    const Version v = dev.version();
    ASSERT_EQ(kernel.calls.size(), 1U);
    EXPECT_EQ(kernel.calls[0].request, XE_PFVF_IOC_VERSION);
    EXPECT_EQ(kernel.calls[0].size, XE_PFVF_VERSION_SIZE_VER0);
    EXPECT_EQ(kernel.calls[0].flags, 0U);
    EXPECT_EQ(v.major, 1U);
    EXPECT_EQ(v.minor, 3U);
    EXPECT_TRUE(v.has(Cap::export_handles));
    EXPECT_TRUE(v.has(Cap::iommu));
    EXPECT_FALSE(v.has(Cap::raw_addr));
    EXPECT_EQ(v.nr_pfs, 2U);
    EXPECT_EQ(v.max_handles, 64U);
    EXPECT_EQ(cap_names(v.caps), (std::vector<std::string>{"export", "iommu", "bit9"}));
}

TEST_F(DeviceTest, ListPfsSizesThenFills) {
    kernel.pfs = {pf_entry(XE_PFVF_BDF(0, 1, 0, 0), "xe_pfvf_swpf"), pf_entry(XE_PFVF_BDF(0x12, 3, 4, 5), "xe")};
    const auto pfs = dev.pfs();
    ASSERT_EQ(kernel.calls.size(), 2U);
    EXPECT_EQ(kernel.calls[0].size, XE_PFVF_LIST_PFS_SIZE_VER0);
    EXPECT_EQ(kernel.calls[0].count, 0U) << "the first call sizes the array";
    EXPECT_EQ(kernel.calls[0].entries, 0U);
    EXPECT_EQ(kernel.calls[0].entry_size, XE_PFVF_PF_INFO_SIZE_VER0);
    EXPECT_EQ(kernel.calls[1].count, 2U);
    EXPECT_NE(kernel.calls[1].entries, 0U);
    EXPECT_EQ(kernel.calls[1].entry_size, XE_PFVF_PF_INFO_SIZE_VER0);
    ASSERT_EQ(pfs.size(), 2U);
    EXPECT_EQ(pfs[0].bdf.str(), "0000:01:00.0");
    EXPECT_EQ(pfs[0].driver, "xe_pfvf_swpf");
    EXPECT_EQ(pfs[0].total_vfs, 4);
    EXPECT_EQ(pfs[0].num_vfs, 2);
    EXPECT_EQ(pfs[0].lmem_bar, 2U);
    EXPECT_EQ(pfs[0].vram_size, 64ULL << 20U);
    EXPECT_EQ(pfs[0].revoked, 3U);
    EXPECT_EQ(pfs[1].bdf.str(), "0012:03:04.5");
    EXPECT_EQ(pfs[1].driver, "xe");
}

TEST_F(DeviceTest, DriverNameWithoutNulIsBounded) {
    auto pf = pf_entry(XE_PFVF_BDF(0, 1, 0, 0), "");
    std::memset(std::data(pf.driver), 'x', sizeof(pf.driver));
    kernel.pfs = {pf};
    const auto pfs = dev.pfs();
    ASSERT_EQ(pfs.size(), 1U);
    EXPECT_EQ(pfs[0].driver, std::string(sizeof(pf.driver), 'x'));
}

TEST_F(DeviceTest, EmptyListTakesOneCall) {
    EXPECT_TRUE(dev.pfs().empty());
    EXPECT_EQ(kernel.calls.size(), 1U);
}

TEST_F(DeviceTest, ListThatGrewBetweenCallsIsFetchedAgain) {
    kernel.pfs = {pf_entry(XE_PFVF_BDF(0, 1, 0, 0), "a")};
    int grown = 0;
    kernel.after_call = [&](const Call&) {
        if (grown < 2) {
            kernel.pfs.push_back(pf_entry(XE_PFVF_BDF(0, 2 + grown, 0, 0), "b"));
            ++grown;
        }
    };
    const auto pfs = dev.pfs();
    // Sizing says 1, it is 2 by the fill (room 1, 2 available): again
    // with room 2, which finds 3; again with room 3, which is enough.
    ASSERT_EQ(kernel.calls.size(), 4U);
    EXPECT_EQ(kernel.calls[0].count, 0U);
    EXPECT_EQ(kernel.calls[1].count, 1U);
    EXPECT_EQ(kernel.calls[2].count, 2U);
    EXPECT_EQ(kernel.calls[3].count, 3U);
    ASSERT_EQ(pfs.size(), 3U);
    EXPECT_EQ(pfs[2].bdf.str(), "0000:03:00.0");
}

TEST_F(DeviceTest, ListThatShrankReturnsWhatIsLeft) {
    kernel.pfs = {pf_entry(XE_PFVF_BDF(0, 1, 0, 0), "a"), pf_entry(XE_PFVF_BDF(0, 2, 0, 0), "b")};
    kernel.after_call = [&](const Call& c) {
        if (c.count == 0) {
            kernel.pfs.pop_back();
        }
    };
    const auto pfs = dev.pfs();
    ASSERT_EQ(pfs.size(), 1U);
    EXPECT_EQ(pfs[0].driver, "a");
}

TEST_F(DeviceTest, ListThatKeepsGrowingGivesUpWithEAGAIN) {
    kernel.pfs = {pf_entry(XE_PFVF_BDF(0, 1, 0, 0), "a")};
    kernel.after_call = [&](const Call&) { kernel.pfs.push_back(pf_entry(XE_PFVF_BDF(0, 9, 0, 0), "z")); };
    try {
        static_cast<void>(dev.pfs());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), EAGAIN);
        EXPECT_EQ(e.operation(), "XE_PFVF_IOC_LIST_PFS");
    }
    EXPECT_EQ(kernel.calls.size(), 9U) << "a sizing call and 8 attempts";
}

TEST_F(DeviceTest, ListVfsNamesThePfAndReadsEveryField) {
    kernel.pf_bdf = XE_PFVF_BDF(0, 1, 0, 0);
    kernel.vfs = {vf_entry(1), vf_entry(2), xe_pfvf_vf_info{}};
    kernel.vfs[2].vfid = 3;
    kernel.vfs[1].vf_flags = XE_PFVF_VF_SUSPENDED;
    const auto vfs = dev.vfs(*Bdf::parse("0000:01:00.0"));
    ASSERT_EQ(kernel.calls.size(), 2U);
    EXPECT_EQ(kernel.calls[1].size, XE_PFVF_LIST_VFS_SIZE_VER0);
    EXPECT_EQ(kernel.calls[1].entry_size, XE_PFVF_VF_INFO_SIZE_VER0);
    ASSERT_EQ(vfs.size(), 3U);
    EXPECT_EQ(vfs[0].bdf.str(), "0000:01:00.1");
    EXPECT_EQ(vfs[0].vfid, 1);
    EXPECT_EQ(vfs[0].state, VfState::provisioned);
    EXPECT_EQ(vfs[0].generation, 11U);
    EXPECT_EQ(vfs[0].nr_extents, 5U);
    EXPECT_EQ(vfs[0].quota, 8ULL << 20U);
    EXPECT_EQ(vfs[0].bar_size, 16384U);
    EXPECT_EQ(vfs[0].bar_cpu, 0xfe004000ULL);
    EXPECT_EQ(vfs[0].bar_bus, 0xfe004000ULL);
    EXPECT_EQ(vfs[0].live_bufs, 1U);
    EXPECT_TRUE(vfs[0].raw());
    EXPECT_FALSE(vfs[0].suspended());
    EXPECT_TRUE(vfs[1].suspended());
    EXPECT_FALSE(vfs[1].raw());
    EXPECT_EQ(vfs[2].state, VfState::disabled);
    EXPECT_EQ(to_string(vfs[2].state), "disabled");
}

TEST_F(DeviceTest, ListVfsOfUnknownPfIsENODEV) {
    kernel.pf_bdf = XE_PFVF_BDF(0, 1, 0, 0);
    try {
        static_cast<void>(dev.vfs(*Bdf::parse("0000:02:00.0")));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), ENODEV);
        EXPECT_EQ(e.operation(), "XE_PFVF_IOC_LIST_VFS");
        EXPECT_NE(std::string(e.what()).find("0000:02:00.0"), std::string::npos) << e.what();
    }
}

TEST_F(DeviceTest, TranslateSendsTheRequestAndReadsExtents) {
    kernel.extents = {{.handle = 11, .length = 0x1000, .vram = 0x20000}, {.handle = 12, .length = 0x3000, .vram = 0}};
    kernel.generation = 42;
    const Translation t =
        dev.translate(*Bdf::parse("0000:01:00.0"), 3, Space::bar, 0x1000, 0x4000, translate_aligned);
    ASSERT_EQ(kernel.calls.size(), 2U);
    EXPECT_EQ(kernel.calls[0].size, XE_PFVF_TRANSLATE_SIZE_VER0);
    EXPECT_EQ(kernel.calls[0].count, 0U);
    EXPECT_EQ(kernel.calls[1].entry_size, XE_PFVF_EXTENT_INFO_SIZE_VER0);
    EXPECT_EQ(kernel.last_translate.pf_bdf, XE_PFVF_BDF(0, 1, 0, 0));
    EXPECT_EQ(kernel.last_translate.vfid, 3);
    EXPECT_EQ(kernel.last_translate.space, XE_PFVF_ADDR_BAR);
    EXPECT_EQ(kernel.last_translate.addr, 0x1000U);
    EXPECT_EQ(kernel.last_translate.length, 0x4000U);
    EXPECT_EQ(kernel.last_translate.flags, XE_PFVF_TRANSLATE_ALIGNED);
    EXPECT_EQ(t.generation, 42U);
    ASSERT_EQ(t.extents.size(), 2U);
    EXPECT_EQ(t.extents[0].handle, 11U);
    EXPECT_EQ(t.extents[0].length, 0x1000U);
    EXPECT_EQ(t.extents[0].vram, 0x20000U);
    EXPECT_EQ(t.extents[1].length, 0x3000U);
}

TEST_F(DeviceTest, TranslateReportsTheLastCallsGeneration) {
    kernel.extents = {{.handle = 1, .length = 0x1000, .vram = 0}};
    kernel.after_call = [&](const Call& c) {
        if (c.count == 0) {
            kernel.generation = 43;  // reprovisioned between sizing and fill
            kernel.extents.push_back({.handle = 2, .length = 0x1000, .vram = 0});
        }
    };
    const Translation t = dev.translate(*Bdf::parse("01:00.0"), 1, Space::lmem, 0, 0x2000);
    EXPECT_EQ(kernel.calls.size(), 3U);
    EXPECT_EQ(t.generation, 43U);
    EXPECT_EQ(t.extents.size(), 2U);
}

TEST_F(DeviceTest, ErrorsCarryErrnoOperationAndRequest) {
    kernel.failures = {{XE_PFVF_IOC_TRANSLATE, -ERANGE}};
    try {
        static_cast<void>(dev.translate(*Bdf::parse("0000:01:00.0"), 2, Space::lmem, 0x7ff000, 0x2000));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), ERANGE);
        EXPECT_EQ(e.operation(), "XE_PFVF_IOC_TRANSLATE");
        EXPECT_EQ(std::string(e.what()),
                  "XE_PFVF_IOC_TRANSLATE (0000:01:00.0 VF 2 lmem 0x7ff000+0x2000): " +
                      std::generic_category().message(ERANGE));
    }
    EXPECT_EQ(kernel.calls.size(), 1U) << "no retry after an error";
}

TEST_F(DeviceTest, ExportSendsTheRequestAndRevokesOnDestruction) {
    std::uint64_t value = 0;
    {
        const ExportHandle h = dev.export_range(17, *Bdf::parse("0000:01:00.2"), Space::bar, 0x2000, 0x4000);
        EXPECT_TRUE(h.valid());
        EXPECT_EQ(h.length(), 0x4000U);
        value = h.value();
        EXPECT_EQ(kernel.last_export.size, XE_PFVF_EXPORT_SIZE_VER0);
        EXPECT_EQ(kernel.last_export.vfio_fd, 17);
        EXPECT_EQ(kernel.last_export.vf_bdf, XE_PFVF_BDF(0, 1, 0, 2));
        EXPECT_EQ(kernel.last_export.space, XE_PFVF_ADDR_BAR);
        EXPECT_EQ(kernel.last_export.offset, 0x2000U);
        EXPECT_EQ(kernel.last_export.length, 0x4000U);
        EXPECT_TRUE(kernel.revoked.empty());
    }
    EXPECT_EQ(kernel.revoked, std::vector<std::uint64_t>{value});
}

TEST_F(DeviceTest, ReleasedHandleIsNotRevoked) {
    std::uint64_t value = 0;
    {
        ExportHandle h = dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000);
        value = h.release();
        EXPECT_FALSE(h.valid());
    }
    EXPECT_NE(value, 0U);
    EXPECT_TRUE(kernel.revoked.empty());
}

TEST_F(DeviceTest, ExplicitRevokeHappensOnce) {
    {
        ExportHandle h = dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000);
        const RevokeResult r = h.revoke();
        EXPECT_EQ(r.revoked, 2U);
        EXPECT_EQ(r.busy, 1U);
        EXPECT_FALSE(h.valid());
        EXPECT_THROW(static_cast<void>(h.revoke()), Error);
    }
    EXPECT_EQ(kernel.count_of(XE_PFVF_IOC_REVOKE), 1U);
}

TEST_F(DeviceTest, MovedHandleIsRevokedOnceByItsLastOwner) {
    ExportHandle outer;
    {
        ExportHandle h = dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000);
        ExportHandle moved(std::move(h));
        outer = std::move(moved);
    }
    EXPECT_TRUE(kernel.revoked.empty());
    ExportHandle other = dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0x1000, 0x1000);
    const std::uint64_t first = outer.value();
    outer = std::move(other);  // revokes what outer held
    EXPECT_EQ(kernel.revoked, std::vector<std::uint64_t>{first});
}

TEST_F(DeviceTest, HandleOutlivesTheDeviceObject) {
    FakeKernel k;
    ExportHandle h;
    {
        const Device d([&k](unsigned long request, void* arg) { return k(request, arg); });
        h = d.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000);
    }
    const std::uint64_t value = h.value();
    h = ExportHandle();
    EXPECT_EQ(k.revoked, std::vector<std::uint64_t>{value});
}

TEST_F(DeviceTest, DmabufPassesFdFlagsAndOwnsTheFd) {
    ExportHandle h = dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000);
    kernel.dmabuf_fd = ::eventfd(0, EFD_CLOEXEC);
    ASSERT_GE(kernel.dmabuf_fd, 0);
    const int raw = kernel.dmabuf_fd;
    {
        const UniqueFd fd = h.dmabuf(O_RDONLY | O_CLOEXEC);
        EXPECT_EQ(fd.get(), raw);
        EXPECT_EQ(kernel.last_handle_fd.size, XE_PFVF_HANDLE_FD_SIZE_VER0);
        EXPECT_EQ(kernel.last_handle_fd.handle, h.value());
        EXPECT_EQ(kernel.last_handle_fd.fd_flags, static_cast<std::uint32_t>(O_RDONLY | O_CLOEXEC));
    }
    EXPECT_EQ(fake::fd_flags(raw), -1) << "the dma-buf fd was not closed";
}

TEST_F(DeviceTest, HandleZeroFromTheKernelIsRefused) {
    kernel.next_handle = 0;
    try {
        static_cast<void>(dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), EPROTO);
        EXPECT_EQ(e.operation(), "XE_PFVF_IOC_EXPORT");
    }
}

TEST_F(DeviceTest, ExportErrorsCarryTheirErrno) {
    for (const int err : {EBADF, EPERM, ENOSPC, ENODEV, ERANGE}) {
        kernel.failures = {{XE_PFVF_IOC_EXPORT, -err}};
        try {
            static_cast<void>(dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000));
            ADD_FAILURE() << "no error for " << err;
        } catch (const Error& e) {
            EXPECT_EQ(e.error(), err);
            EXPECT_EQ(e.operation(), "XE_PFVF_IOC_EXPORT");
        }
    }
    EXPECT_TRUE(kernel.revoked.empty());
}

TEST_F(DeviceTest, HandleFdOfDeadHandleIsESTALE) {
    ExportHandle h = dev.export_range(3, *Bdf::parse("01:00.1"), Space::lmem, 0, 0x1000);
    kernel.failures = {{XE_PFVF_IOC_HANDLE_FD, -ESTALE}};
    try {
        static_cast<void>(h.dmabuf());
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), ESTALE);
        EXPECT_EQ(e.operation(), "XE_PFVF_IOC_HANDLE_FD");
    }
    kernel.failures.clear();
}

TEST_F(DeviceTest, P2pSendsBothFunctionsAndReadsTheVerdict) {
    const P2pVerdict v = dev.p2p(*Bdf::parse("0000:01:00.1"), *Bdf::parse("0000:01:00.0"));
    EXPECT_EQ(kernel.last_p2p.size, XE_PFVF_P2P_SIZE_VER0);
    EXPECT_EQ(kernel.last_p2p.provider, XE_PFVF_BDF(0, 1, 0, 1));
    EXPECT_EQ(kernel.last_p2p.client, XE_PFVF_BDF(0, 1, 0, 0));
    EXPECT_EQ(v.map, P2pMap::host_bridge);
    EXPECT_EQ(to_string(v.map), "host-bridge");
    EXPECT_EQ(v.distance, 1024);
    EXPECT_EQ(v.why, P2pWhy::kernel);
    EXPECT_TRUE(v.acs_redirect());
    EXPECT_TRUE(v.private_interconnect());
}

TEST(DeviceOpen, MissingNodeIsAnOpenError) {
    try {
        static_cast<void>(Device::open("/nonexistent/xe_pfvf"));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), ENOENT);
        EXPECT_EQ(e.operation(), "open");
        EXPECT_NE(std::string(e.what()).find("/nonexistent/xe_pfvf"), std::string::npos);
    }
}

TEST(DeviceOpen, NodeThatIsNotXePfvfFailsTheVersionQuery) {
    try {
        static_cast<void>(Device::open("/dev/null"));
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_EQ(e.error(), ENOTTY);
        EXPECT_EQ(e.operation(), "XE_PFVF_IOC_VERSION");
    }
}

TEST(Spaces, NamesRoundTrip) {
    for (const Space s : {Space::lmem, Space::bar, Space::cpu, Space::bus, Space::iova}) {
        EXPECT_EQ(parse_space(to_string(s)), s);
    }
    EXPECT_FALSE(parse_space("LMEM"));
    EXPECT_FALSE(parse_space(""));
    EXPECT_EQ(to_string(static_cast<Space>(9)), "unknown");
}

}  // namespace
}  // namespace xe_pfvf
