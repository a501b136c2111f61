// The xe_pfvf uAPI's ABI, frozen.  A change here breaks every binary built
// against an earlier header: grow structs at their end, never reorder.
#include <linux/xe_pfvf.h>

#include <gtest/gtest.h>

#include <cstddef>

namespace {

// Sizes: the first version of each struct, no implicit padding.
static_assert(sizeof(xe_pfvf_version) == XE_PFVF_VERSION_SIZE_VER0);
static_assert(sizeof(xe_pfvf_pf_info) == XE_PFVF_PF_INFO_SIZE_VER0);
static_assert(sizeof(xe_pfvf_list_pfs) == XE_PFVF_LIST_PFS_SIZE_VER0);
static_assert(sizeof(xe_pfvf_vf_info) == XE_PFVF_VF_INFO_SIZE_VER0);
static_assert(sizeof(xe_pfvf_list_vfs) == XE_PFVF_LIST_VFS_SIZE_VER0);
static_assert(sizeof(xe_pfvf_extent_info) == XE_PFVF_EXTENT_INFO_SIZE_VER0);
static_assert(sizeof(xe_pfvf_translate) == XE_PFVF_TRANSLATE_SIZE_VER0);
static_assert(sizeof(xe_pfvf_export) == XE_PFVF_EXPORT_SIZE_VER0);
static_assert(sizeof(xe_pfvf_handle_fd) == XE_PFVF_HANDLE_FD_SIZE_VER0);
static_assert(sizeof(xe_pfvf_revoke) == XE_PFVF_REVOKE_SIZE_VER0);
static_assert(sizeof(xe_pfvf_p2p) == XE_PFVF_P2P_SIZE_VER0);

// Every struct starts with size and flags.
static_assert(offsetof(xe_pfvf_version, size) == 0 && offsetof(xe_pfvf_version, flags) == 4);
static_assert(offsetof(xe_pfvf_list_pfs, size) == 0 && offsetof(xe_pfvf_list_pfs, flags) == 4);
static_assert(offsetof(xe_pfvf_list_vfs, size) == 0 && offsetof(xe_pfvf_list_vfs, flags) == 4);
static_assert(offsetof(xe_pfvf_translate, size) == 0 && offsetof(xe_pfvf_translate, flags) == 4);
static_assert(offsetof(xe_pfvf_export, size) == 0 && offsetof(xe_pfvf_export, flags) == 4);
static_assert(offsetof(xe_pfvf_handle_fd, size) == 0 && offsetof(xe_pfvf_handle_fd, flags) == 4);
static_assert(offsetof(xe_pfvf_revoke, size) == 0 && offsetof(xe_pfvf_revoke, flags) == 4);
static_assert(offsetof(xe_pfvf_p2p, size) == 0 && offsetof(xe_pfvf_p2p, flags) == 4);

// 64-bit fields naturally aligned.
static_assert(offsetof(xe_pfvf_version, caps) == 16);
static_assert(offsetof(xe_pfvf_list_pfs, entries) == 16);
static_assert(offsetof(xe_pfvf_list_vfs, entries) == 24);
static_assert(offsetof(xe_pfvf_translate, addr) == 16);
static_assert(offsetof(xe_pfvf_translate, length) == 24);
static_assert(offsetof(xe_pfvf_translate, extents) == 40);
static_assert(offsetof(xe_pfvf_export, offset) == 24);
static_assert(offsetof(xe_pfvf_export, handle) == 40);
static_assert(offsetof(xe_pfvf_handle_fd, handle) == 8);
static_assert(offsetof(xe_pfvf_revoke, handle) == 8);
static_assert(offsetof(xe_pfvf_vf_info, quota) == 16);
static_assert(offsetof(xe_pfvf_vf_info, bar_bus) == 40);
static_assert(offsetof(xe_pfvf_pf_info, vram_size) == 16);
static_assert(offsetof(xe_pfvf_pf_info, driver) == 32);

TEST(UapiAbi, IoctlNumbers)
{
    // _IOWR(0xBA, nr, first-version struct): direction 3, size, type, nr.
    EXPECT_EQ(XE_PFVF_IOC_VERSION, 0xc020ba00U);
    EXPECT_EQ(XE_PFVF_IOC_LIST_PFS, 0xc018ba01U);
    EXPECT_EQ(XE_PFVF_IOC_LIST_VFS, 0xc020ba02U);
    EXPECT_EQ(XE_PFVF_IOC_TRANSLATE, 0xc038ba03U);
    EXPECT_EQ(XE_PFVF_IOC_EXPORT, 0xc030ba04U);
    EXPECT_EQ(XE_PFVF_IOC_HANDLE_FD, 0xc018ba05U);
    EXPECT_EQ(XE_PFVF_IOC_REVOKE, 0xc018ba06U);
    EXPECT_EQ(XE_PFVF_IOC_P2P, 0xc020ba07U);
}

TEST(UapiAbi, BdfPacking)
{
    constexpr unsigned bdf = XE_PFVF_BDF(0x1234, 0x56, 0x1f, 7);
    static_assert(bdf == 0x123456ffU);
    EXPECT_EQ(XE_PFVF_BDF_SEG(bdf), 0x1234U);
    EXPECT_EQ(XE_PFVF_BDF_BUS(bdf), 0x56U);
    EXPECT_EQ(XE_PFVF_BDF_DEV(bdf), 0x1fU);
    EXPECT_EQ(XE_PFVF_BDF_FN(bdf), 7U);
    // Out-of-range parts are masked, not carried into the next field.
    EXPECT_EQ(XE_PFVF_BDF(0, 0, 0x20, 8), 0U);
}

TEST(UapiAbi, Constants)
{
    EXPECT_EQ(XE_PFVF_ADDR_LMEM, 0);
    EXPECT_EQ(XE_PFVF_ADDR_IOVA, 4);
    EXPECT_EQ(XE_PFVF_CAP_RAW_ADDR, 1ULL);
    EXPECT_EQ(XE_PFVF_CAP_IOMMU, 8ULL);
    EXPECT_EQ(XE_PFVF_P2P_PRIVATE, 2UL);
    EXPECT_EQ(XE_PFVF_MAX_ENTRIES, 65536U);
}

} // namespace
