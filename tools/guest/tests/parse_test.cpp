// Host tests of the guest tests' parsers and expected-result model, on text
// as the kernel prints it (taken from a VM run).

#include "debugfs.hpp"
#include "expected.hpp"
#include "platform.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string_view>
#include <vector>

namespace xe_pfvf::guest {
namespace {

constexpr std::string_view vfs_text =
    "vf bdf state quota extents generation bar_cpu bar_bus\n"
    "1 0000:01:00.1 provisioned 8388608 4 2 0xfe404000+0x4000 0xfe404000\n"
    "2 0000:01:00.2 provisioned 16384 2 5 0xfe408000+0x4000 0x80408000\n"
    "3 0000:01:00.3 enabled 0 0 1 - -\n";

constexpr std::string_view provisioning_text =
    "vf 1 quota 8388608 generation 2 extents 4\n"
    "  0x0 0x33b4000 0x1000\n"
    "  0x1000 0x33b5000 0x1000\n"
    "  0x2000 0xdd0000 0x2000\n"
    "  0x4000 0x1000000 0x7fc000\n"
    "vf 2 quota 16384 generation 5 extents 2\n"
    "  0x0 0x2205000 0x3000\n"
    "  0x3000 0x2204000 0x1000\n";

TEST(GuestParse, Numbers) {
    EXPECT_EQ(parse_number("0"), 0U);
    EXPECT_EQ(parse_number("0x0"), 0U);
    EXPECT_EQ(parse_number("8388608"), 8388608U);
    EXPECT_EQ(parse_number("0xfe404000"), 0xfe404000U);
    EXPECT_EQ(parse_number("0xffffffffffffffff"), ~std::uint64_t{0});
    EXPECT_FALSE(parse_number(""));
    EXPECT_FALSE(parse_number("0x"));
    EXPECT_FALSE(parse_number("12a"));
    EXPECT_FALSE(parse_number("-1"));
    EXPECT_FALSE(parse_number("0x10000000000000000"));
}

TEST(GuestParse, VfsByHeaderColumns) {
    const auto rows = parse_vfs(vfs_text);
    ASSERT_EQ(rows.size(), 3U);
    EXPECT_EQ(rows[0].vf, 1U);
    EXPECT_EQ(rows[0].bdf, "0000:01:00.1");
    EXPECT_EQ(rows[0].quota, 8388608U);
    EXPECT_EQ(rows[0].nr_extents, 4U);
    EXPECT_EQ(rows[0].generation, 2U);
    EXPECT_EQ(rows[0].bar, (Bar{.cpu = 0xfe404000, .bus = 0xfe404000, .size = 0x4000}));
    EXPECT_EQ(rows[1].bar, (Bar{.cpu = 0xfe408000, .bus = 0x80408000, .size = 0x4000}));
    EXPECT_EQ(rows[2].state, "enabled");
    EXPECT_FALSE(rows[2].bar);

    // Columns are found by name: a new one, anywhere, is ignored.
    const auto more = parse_vfs(
        "vf new bdf state quota extents generation bar_cpu bar_bus tail\n"
        "1 x 0000:01:00.1 provisioned 8388608 4 2 0xfe404000+0x4000 0xfe404000 y\n");
    ASSERT_EQ(more.size(), 1U);
    EXPECT_EQ(more[0].bdf, "0000:01:00.1");
    EXPECT_EQ(more[0].bar->size, 0x4000U);
}

TEST(GuestParse, VfsRejectsMalformed) {
    EXPECT_THROW(static_cast<void>(parse_vfs("")), std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_vfs("vf bdf state\n")), std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_vfs("vf bdf state quota extents generation bar_cpu bar_bus\n"
                                             "1 0000:01:00.1 provisioned 8388608 4 2 0xfe404000 0x0\n")),
                 std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_vfs("vf bdf state quota extents generation bar_cpu bar_bus\n"
                                             "1 0000:01:00.1 provisioned\n")),
                 std::runtime_error);
}

TEST(GuestParse, Provisioning) {
    const auto vfs = parse_provisioning(provisioning_text);
    ASSERT_EQ(vfs.size(), 2U);
    EXPECT_EQ(vfs[0].vf, 1U);
    EXPECT_EQ(vfs[0].quota, 8388608U);
    EXPECT_EQ(vfs[0].generation, 2U);
    ASSERT_EQ(vfs[0].extents.size(), 4U);
    EXPECT_EQ(vfs[0].extents[2], (LmemExtent{.lmem = 0x2000, .vram = 0xdd0000, .size = 0x2000}));
    ASSERT_EQ(vfs[1].extents.size(), 2U);
    EXPECT_EQ(vfs[1].extents[1], (LmemExtent{.lmem = 0x3000, .vram = 0x2204000, .size = 0x1000}));
    EXPECT_TRUE(parse_provisioning("").empty());
}

TEST(GuestParse, ProvisioningRejectsWrongCounts) {
    EXPECT_THROW(static_cast<void>(parse_provisioning("vf 1 quota 4096 generation 1 extents 2\n"
                                                      "  0x0 0x0 0x1000\n")),
                 std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_provisioning("vf 1 quota 4096 generation 1 extents 1\n"
                                                      "  0x0 0x0 0x1000\n  0x1000 0x1000 0x1000\n")),
                 std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_provisioning("vf 1 quota 4096 generation 1 extents 1\n"
                                                      "vf 2 quota 4096 generation 1 extents 0\n")),
                 std::runtime_error);
}

TEST(GuestParse, ModelJoinsBothFiles) {
    const auto rows = parse_vfs(vfs_text);
    const auto prov = parse_provisioning(provisioning_text);
    const PfModel model = make_model("0000:01:00.0", rows, prov);
    ASSERT_EQ(model.vfs.size(), 2U);  // VF 3 is not provisioned
    ASSERT_NE(model.find(2), nullptr);
    EXPECT_EQ(model.find(2)->bar.bus, 0x80408000U);
    EXPECT_EQ(model.find(2)->extents.size(), 2U);
    EXPECT_EQ(model.find(3), nullptr);

    auto stale = rows;
    stale[0].generation = 3;
    EXPECT_THROW(static_cast<void>(make_model("pf", stale, prov)), std::runtime_error);
    auto missing = prov;
    missing.pop_back();
    EXPECT_THROW(static_cast<void>(make_model("pf", rows, missing)), std::runtime_error);
}

TEST(GuestParse, Translation) {
    const Translation ok = parse_translation(
        "err=0 vf=1 generation=2 extents=2 bytes=16384\n0x33b4000 0x2000\n0xdd0000 0x2000\n");
    EXPECT_EQ(ok.err, 0);
    EXPECT_EQ(ok.vf, 1U);
    EXPECT_EQ(ok.generation, 2U);
    EXPECT_EQ(ok.bytes, 16384U);
    EXPECT_EQ(ok.extents, (std::vector<VramExtent>{{0x33b4000, 0x2000}, {0xdd0000, 0x2000}}));

    const Translation big = parse_translation("err=-7 vf=0 generation=0 extents=5000 bytes=0\n");
    EXPECT_EQ(big.err, -7);
    EXPECT_EQ(big.nr_extents, 5000U);
    EXPECT_TRUE(big.extents.empty());

    EXPECT_THROW(static_cast<void>(parse_translation("")), std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_translation("err=0 vf=1 generation=2 extents=2 bytes=1\n0x0 0x1\n")),
                 std::runtime_error);
    EXPECT_THROW(static_cast<void>(parse_translation("err=0 vf=1 generation=2 bytes=1\n")), std::runtime_error);
}

TEST(GuestExpected, ClipsAndCoalesces) {
    const auto prov = parse_provisioning(provisioning_text);
    const auto& e1 = prov[0].extents;
    // The first two extents are contiguous in VRAM: one run.
    EXPECT_EQ(expected_extents(e1, LmemRange{.offset = 0, .length = 0x2000}),
              (std::vector<VramExtent>{{0x33b4000, 0x2000}}));
    EXPECT_EQ(expected_extents(e1, LmemRange{.offset = 0x1ff0, .length = 0x20}),
              (std::vector<VramExtent>{{0x33b5ff0, 0x10}, {0xdd0000, 0x10}}));
    EXPECT_EQ(expected_extents(e1, LmemRange{.offset = 0x2001, .length = 1}),
              (std::vector<VramExtent>{{0xdd0001, 1}}));
    EXPECT_EQ(expected_extents(e1, LmemRange{.offset = 0, .length = 8388608}).size(), 3U);
    EXPECT_THROW(static_cast<void>(expected_extents(e1, LmemRange{.offset = 8388607, .length = 2})),
                 std::out_of_range);
    EXPECT_THROW(static_cast<void>(expected_extents(e1, LmemRange{.offset = 0, .length = 0})), std::out_of_range);

    // VF 2: VRAM 0x2205000.. then 0x2204000: ranges given out of LMEM order
    // still coalesce where the VRAM is contiguous.
    const auto& e2 = prov[1].extents;
    const std::vector<LmemRange> pages{{.offset = 0x3000, .length = 0x1000}, {.offset = 0, .length = 0x1000}};
    EXPECT_EQ(expected_extents(e2, pages), (std::vector<VramExtent>{{0x2204000, 0x2000}}));
}

TEST(GuestPlatform, IomemGapsAndRam) {
    constexpr std::string_view iomem =
        "00000000-00000fff : Reserved\n"
        "00001000-0009fbff : System RAM\n"
        "000f0000-000fffff : Reserved\n"
        "  000f0000-000fffff : System ROM\n"
        "00100000-7ffdffff : System RAM\n"
        "  3e000000-3f0fffff : Kernel code\n"
        "b0000000-bfffffff : PCI MMIO Config\n"
        "c0000000-febfffff : PCI Bus 0000:00\n"
        "fed1c000-fed1ffff : Reserved\n"
        "feffc000-feffffff : Reserved\n"
        "fffc0000-ffffffff : Reserved\n"
        "100000000-13fffffff : System RAM\n";
    const auto entries = parse_iomem(iomem);
    ASSERT_EQ(entries.size(), 12U);
    EXPECT_EQ(entries[3].depth, 1U);
    EXPECT_EQ(entries[3].name, "System ROM");
    EXPECT_EQ(entries[11].start, 0x100000000U);

    const auto ram = system_ram_page(entries);
    ASSERT_TRUE(ram);
    EXPECT_EQ(*ram % 4096, 0U);
    EXPECT_GE(*ram, 0x100000U);
    EXPECT_LE(*ram, 0x7ffdf000U);

    // The highest hole below 4 GiB: feffc000 is taken, fffc0000 too.
    EXPECT_EQ(unassigned_page_below(entries, std::uint64_t{1} << 32), 0xfffbf000U);
    EXPECT_EQ(unassigned_page_below(entries, 0xb0000000), 0xaffff000U);
    // As a non-root reader sees it.
    EXPECT_FALSE(system_ram_page(parse_iomem("00000000-00000000 : System RAM\n")));
    EXPECT_THROW(static_cast<void>(parse_iomem("garbage\n")), std::runtime_error);
}

TEST(GuestPlatform, PciResources) {
    const auto resources = parse_pci_resources(
        "0x0000000000000000 0x0000000000000000 0x0000000000000000\n"
        "0x00000000fe600000 0x00000000fe603fff 0x0000000000140204\n"
        "0x000000000000c000 0x000000000000c03f 0x0000000000040101\n");
    ASSERT_EQ(resources.size(), 3U);
    const auto bar = first_memory_bar(resources);
    ASSERT_TRUE(bar);
    EXPECT_EQ(bar->index, 1U);
    EXPECT_EQ(bar->start, 0xfe600000U);
    EXPECT_EQ(bar->end, 0xfe603fffU);
}

}  // namespace
}  // namespace xe_pfvf::guest
