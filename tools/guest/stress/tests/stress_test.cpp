// Host tests of the stress run's judgements: the page check (tags of the
// buffer's VF, of another VF, of another page, none), the kernel log
// tally, the errno table and the command line.

#include "checks.hpp"
#include "options.hpp"
#include "stats.hpp"
#include "swpf.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <vector>

namespace xe_pfvf::stress {
namespace {

/// @pages pages, page i tagged with tags[i] (or none where vfid is 0).
std::vector<std::byte> pages_with(const std::vector<guest::SwpfTag>& tags) {
    std::vector<std::byte> data(tags.size() * page_size, std::byte{0x5a});
    for (std::size_t i = 0; i < tags.size(); ++i) {
        if (tags[i].vfid != 0) {
            std::memcpy(&data.at(i * page_size), &tags[i], sizeof(tags[i]));
        }
    }
    return data;
}

guest::SwpfTag tag(std::uint64_t vf, std::uint64_t lmem) {
    return {.magic = guest::swpf_tag_magic, .vfid = vf, .lmem = lmem, .seed = 7};
}

TEST(StressPages, OwnTagsAndUntaggedPass) {
    const std::array<std::uint64_t, 3> lmem{0x2000, 0x0, 0x2000};
    const auto data = pages_with({tag(2, 0x2000), {}, tag(2, 0x2000)});
    const PageCheck c = check_pages(data, 2, lmem);
    EXPECT_EQ(c.tagged, 2U);
    EXPECT_EQ(c.untagged, 1U);
    EXPECT_EQ(c.foreign, 0U);
    EXPECT_EQ(c.misplaced, 0U);
    EXPECT_TRUE(c.size_ok);
    EXPECT_TRUE(c.first_bad.empty());
}

TEST(StressPages, AnotherVfsTagIsForeign) {
    const std::array<std::uint64_t, 2> lmem{0x0, 0x1000};
    const auto data = pages_with({tag(1, 0x0), tag(3, 0x1000)});
    const PageCheck c = check_pages(data, 1, lmem);
    EXPECT_EQ(c.tagged, 1U);
    EXPECT_EQ(c.foreign, 1U);
    EXPECT_NE(c.first_bad.find("page 1 (VF1 LMEM 0x1000) holds the page written as VF3 LMEM 0x1000"), std::string::npos)
        << c.first_bad;
}

TEST(StressPages, OwnTagOfAnotherPageIsMisplaced) {
    const std::array<std::uint64_t, 1> lmem{0x3000};
    const PageCheck c = check_pages(pages_with({tag(1, 0x1000)}), 1, lmem);
    EXPECT_EQ(c.misplaced, 1U);
    EXPECT_EQ(c.foreign, 0U);
    EXPECT_FALSE(c.first_bad.empty());
}

TEST(StressPages, ShortReadIsReported) {
    const std::array<std::uint64_t, 2> lmem{0x0, 0x1000};
    auto data = pages_with({tag(1, 0x0), tag(1, 0x1000)});
    data.resize(page_size);
    const PageCheck c = check_pages(data, 1, lmem);
    EXPECT_FALSE(c.size_ok);
    EXPECT_EQ(c.tagged, 1U);
}

TEST(StressPages, MagicAloneMakesATag) {
    std::vector<std::byte> page(page_size, std::byte{0});
    EXPECT_FALSE(guest::page_tag(page).has_value());
    const guest::SwpfTag t = tag(4, 0x5000);
    std::memcpy(page.data(), &t, sizeof(t));
    const auto got = guest::page_tag(page);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->vfid, 4U);
    EXPECT_EQ(got->lmem, 0x5000U);
}

TEST(StressKernelLog, Tally) {
    KernelLog log;
    tally_kernel_line("xe_pfvf_swpf 0000:01:00.0: VF1: VRAM quarantined by xe_pfvf, parked until released", log);
    tally_kernel_line("xe_pfvf_swpf 0000:01:00.0: VF1: quarantined VRAM released, 2048 chunks free again", log);
    tally_kernel_line(
        "xe_pfvf_vfio_pci 0000:01:00.1: dma-buf 1234 not revoked after 1000 ms: 1 importer(s) still map it "
        "(xe_pfvf_swpf:0000:01:00.0); its VRAM stays quarantined until they let go",
        log);
    tally_kernel_line("xe_pfvf_vfio_pci 0000:01:00.1: dma-buf 1234: importers let go after 2100 ms, out of quarantine",
                      log);
    tally_kernel_line("INFO: task xe-pfvf-stress:321 blocked for more than 20 seconds.", log);
    tally_kernel_line("WARNING: CPU: 1 PID: 321 at drivers/xe_pfvf/xe_pfvf_revoke.c:100 revoke_run", log);
    tally_kernel_line(
        "vfio-pci 0000:01:00.1: Device is currently in use, task \"x\" (1) blocked until device is released", log);
    EXPECT_EQ(log.parked, 1U);
    EXPECT_EQ(log.released, 1U);
    EXPECT_EQ(log.stuck, 1U);
    EXPECT_EQ(log.unstuck, 1U);
    EXPECT_EQ(log.hung_tasks, 1U);
    EXPECT_EQ(log.splats, 1U);
    EXPECT_EQ(log.bad_lines.size(), 2U);
}

TEST(StressErrno, RaceAnswersAreExpectedOthersAreNot) {
    EXPECT_TRUE(errno_expected(Op::import, ENODEV));
    EXPECT_TRUE(errno_expected(Op::export_dmabuf, ENODEV));
    EXPECT_TRUE(errno_expected(Op::unprovision, EBUSY));
    EXPECT_TRUE(errno_expected(Op::provision, EEXIST));
    EXPECT_TRUE(errno_expected(Op::read, ENODATA));
    EXPECT_FALSE(errno_expected(Op::import, ENODATA));
    EXPECT_FALSE(errno_expected(Op::export_dmabuf, EINVAL));
    EXPECT_FALSE(errno_expected(Op::flr, EINVAL));
    EXPECT_FALSE(errno_expected(Op::import, EXDEV));
    EXPECT_EQ(errno_name(ENODEV), "ENODEV");
}

TEST(StressErrno, UnexpectedErrnoIsAFailure) {
    Stats stats;
    EXPECT_TRUE(stats.error(Op::read, ENODEV, "revoked"));
    EXPECT_FALSE(stats.error(Op::export_dmabuf, EINVAL, "well-formed request"));
    stats.ok(Op::read);
    EXPECT_EQ(stats.failures(), 1U);
    EXPECT_EQ(stats.tally(Op::read).runs, 2U);
    EXPECT_EQ(stats.tally(Op::read).ok, 1U);
    EXPECT_EQ(stats.tally(Op::read).errors.at(ENODEV), 1U);
}

TEST(StressOptions, Defaults) {
    const Parsed p = parse_args({});
    ASSERT_TRUE(std::holds_alternative<Config>(p));
    const auto& c = std::get<Config>(p);
    EXPECT_EQ(c.duration, std::chrono::seconds(60));
    EXPECT_EQ(c.watchdog, std::chrono::seconds(30));
    EXPECT_TRUE(c.hostile && c.numvfs && c.unbind);
    EXPECT_FALSE(c.pf.has_value());
}

TEST(StressOptions, Values) {
    const std::array<std::string_view, 9> args{"--duration",   "10",          "--seed",      "42", "--pf",
                                               "0000:01:00.0", "--no-unbind", "--importers", "2"};
    const Parsed p = parse_args(args);
    ASSERT_TRUE(std::holds_alternative<Config>(p));
    const auto& c = std::get<Config>(p);
    EXPECT_EQ(c.duration, std::chrono::seconds(10));
    EXPECT_EQ(c.seed, 42U);
    EXPECT_EQ(c.pf, "0000:01:00.0");
    EXPECT_FALSE(c.unbind);
    EXPECT_EQ(c.importers, 2U);
}

TEST(StressOptions, UsageErrors) {
    const std::array<std::string_view, 1> missing{"--duration"};
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_args(missing)));
    const std::array<std::string_view, 2> zero{"--duration", "0"};
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_args(zero)));
    const std::array<std::string_view, 2> word{"--seed", "x"};
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_args(word)));
    const std::array<std::string_view, 1> unknown{"--bogus"};
    EXPECT_TRUE(std::holds_alternative<UsageError>(parse_args(unknown)));
    const std::array<std::string_view, 1> help{"--help"};
    EXPECT_TRUE(std::holds_alternative<Help>(parse_args(help)));
}

}  // namespace
}  // namespace xe_pfvf::stress
