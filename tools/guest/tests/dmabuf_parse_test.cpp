// Host tests of the dma-buf tests' helpers: the pattern `fill` writes
// (known answers, computed from its definition in "DOC: software PF as
// importer") and the parser of a slot's `status`, on text as the kernel
// prints it.

#include "swpf.hpp"

#include <gtest/gtest.h>

#include <array>
#include <stdexcept>
#include <string_view>

namespace xe_pfvf::guest {
namespace {

TEST(DmabufParse, PatternKnownAnswers) {
    EXPECT_EQ(pattern_byte(0, 0), 168);
    EXPECT_EQ(pattern_byte(0, 1), 83);
    EXPECT_EQ(pattern_byte(1, 0), 116);
    EXPECT_EQ(pattern_byte(0x5eed0001, 0x1234), 224);
    EXPECT_EQ(pattern_byte(~std::uint64_t{0}, 0xfffff), 249);
}

TEST(DmabufParse, ExpectedPatternConcatenatesRanges) {
    const std::array<LmemRange, 2> ranges{{{.offset = 0x1000, .length = 2}, {.offset = 0, .length = 1}}};
    const auto bytes = expected_pattern(7, ranges);
    ASSERT_EQ(bytes.size(), 3U);
    EXPECT_EQ(std::to_integer<std::uint8_t>(bytes[0]), pattern_byte(7, 0x1000));
    EXPECT_EQ(std::to_integer<std::uint8_t>(bytes[1]), pattern_byte(7, 0x1001));
    EXPECT_EQ(std::to_integer<std::uint8_t>(bytes[2]), pattern_byte(7, 0));
}

TEST(DmabufParse, MappedStatus) {
    const SlotStatus s = parse_slot_status(
        "state=mapped mode=lmem vf=1 size=16384 extents=2 notified=0 err=0\n"
        "0x33b4000 0x3000\n"
        "0xdd0000 0x1000\n");
    EXPECT_EQ(s.state, "mapped");
    EXPECT_EQ(s.mode, "lmem");
    EXPECT_EQ(s.vf, 1U);
    EXPECT_EQ(s.size, 16384U);
    EXPECT_EQ(s.notified, 0U);
    EXPECT_EQ(s.err, 0);
    ASSERT_EQ(s.extents.size(), 2U);
    EXPECT_EQ(s.extents[0], (VramExtent{.start = 0x33b4000, .size = 0x3000}));
    EXPECT_EQ(s.extents[1], (VramExtent{.start = 0xdd0000, .size = 0x1000}));
}

TEST(DmabufParse, RevokedAndEmptyStatus) {
    const SlotStatus r = parse_slot_status("state=revoked mode=lmem vf=2 size=4096 extents=0 notified=1 err=-19\n");
    EXPECT_EQ(r.state, "revoked");
    EXPECT_EQ(r.notified, 1U);
    EXPECT_EQ(r.err, -19);
    EXPECT_TRUE(r.extents.empty());
    const SlotStatus e = parse_slot_status("state=empty mode=- vf=0 size=0 extents=0 notified=0 err=-121\n");
    EXPECT_EQ(e.mode, "-");
    EXPECT_EQ(e.err, -121);
}

TEST(DmabufParse, MalformedStatusThrows) {
    constexpr std::array<std::string_view, 6> bad{
        "",
        "state=mapped mode=lmem vf=1 size=16384 extents=1 notified=0 err=0\n",
        "state=mapped mode=lmem vf=1 size=16384 extents=0 notified=0 err=0\n0x0 0x1000\n",
        "state=mapped mode=lmem vf=x size=16384 extents=0 notified=0 err=0\n",
        "state=mapped mode=lmem size=16384 extents=0 notified=0 err=0\n",
        "state=mapped mode=lmem vf=1 size=1 extents=0 notified=0 err=--1\n",
    };
    for (const std::string_view text : bad) {
        EXPECT_THROW(static_cast<void>(parse_slot_status(text)), std::runtime_error) << text;
    }
}

}  // namespace
}  // namespace xe_pfvf::guest
