#include <xe_pfvf/bdf.hpp>

#include <gtest/gtest.h>

#include <string_view>

namespace xe_pfvf {
namespace {

TEST(Bdf, ParsesFullAddress) {
    const auto bdf = Bdf::parse("0000:01:00.1");
    ASSERT_TRUE(bdf);
    EXPECT_EQ(bdf->segment, 0);
    EXPECT_EQ(bdf->bus, 1);
    EXPECT_EQ(bdf->device, 0);
    EXPECT_EQ(bdf->function, 1);
    EXPECT_EQ(bdf->str(), "0000:01:00.1");
}

TEST(Bdf, ParsesShortAddressAsSegmentZero) {
    const auto bdf = Bdf::parse("01:00.1");
    ASSERT_TRUE(bdf);
    EXPECT_EQ(*bdf, (Bdf{.segment = 0, .bus = 1, .device = 0, .function = 1}));
    EXPECT_EQ(bdf->str(), "0000:01:00.1");
}

TEST(Bdf, ParsesHexInEitherCase) {
    const auto lower = Bdf::parse("abcd:ef:1f.7");
    const auto upper = Bdf::parse("ABCD:EF:1F.7");
    ASSERT_TRUE(lower);
    ASSERT_TRUE(upper);
    EXPECT_EQ(*lower, *upper);
    EXPECT_EQ(lower->segment, 0xabcd);
    EXPECT_EQ(lower->bus, 0xef);
    EXPECT_EQ(lower->device, 0x1f);
    EXPECT_EQ(lower->function, 7);
    EXPECT_EQ(upper->str(), "abcd:ef:1f.7");
}

TEST(Bdf, ShortSegmentIsAccepted) {
    const auto bdf = Bdf::parse("1:02:03.4");
    ASSERT_TRUE(bdf);
    EXPECT_EQ(bdf->segment, 1);
    EXPECT_EQ(bdf->str(), "0001:02:03.4");
}

TEST(Bdf, RejectsMalformed) {
    for (const std::string_view bad :
         {"", "0000:01:00", "01:00", "0000:01:00.", "0000:01:00.8", "0000:01:20.0", "0000:1:00.0",
          "0000:001:00.0", "0000:01:0.0", "0000:01:000.0", "00000:01:00.0", ":01:00.0", "0000::00.0",
          "0000:01:00.1 ", " 0000:01:00.1", "0000:01:00.10", "0x00:01:00.1", "0000:0x:00.1", "0000:01:00.-1",
          "0000:01:00:1", "a:b:01:00.1", "0000.01.00.1", "zz:00.0", "0000:01:00.1\n", "+0:01:00.1"}) {
        EXPECT_FALSE(Bdf::parse(bad)) << "'" << bad << "'";
    }
}

TEST(Bdf, UapiEncodingMatchesTheMacro) {
    // XE_PFVF_BDF(seg, bus, dev, fn): seg 31:16, bus 15:8, devfn 7:0.
    const Bdf bdf{.segment = 0x1234, .bus = 0x56, .device = 0x1b, .function = 5};
    EXPECT_EQ(bdf.to_uapi(), 0x123456ddU);
    EXPECT_EQ(Bdf::from_uapi(0x123456ddU), bdf);
    EXPECT_EQ(Bdf::from_uapi(0).str(), "0000:00:00.0");
    EXPECT_EQ(Bdf::from_uapi(0xffffffffU).str(), "ffff:ff:1f.7");
}

TEST(Bdf, RoundTripsEveryDevfn) {
    for (unsigned devfn = 0; devfn < 256; ++devfn) {
        const Bdf bdf = Bdf::from_uapi(0x00020300U | devfn);
        const auto back = Bdf::parse(bdf.str());
        ASSERT_TRUE(back) << bdf.str();
        EXPECT_EQ(*back, bdf);
        EXPECT_EQ(back->to_uapi(), 0x00020300U | devfn);
    }
}

TEST(Bdf, OrdersBySegmentBusDeviceFunction) {
    EXPECT_LT(*Bdf::parse("0000:01:00.1"), *Bdf::parse("0000:01:00.2"));
    EXPECT_LT(*Bdf::parse("0000:01:1f.7"), *Bdf::parse("0000:02:00.0"));
    EXPECT_LT(*Bdf::parse("0000:ff:00.0"), *Bdf::parse("0001:00:00.0"));
}

}  // namespace
}  // namespace xe_pfvf
