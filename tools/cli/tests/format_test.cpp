// The CLI's number parsing and formatting, tables and option parsing.

#include "args.hpp"
#include "format.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace xe_pfvf::cli {
namespace {

TEST(Format, Hex) {
    EXPECT_EQ(hex(0), "0x0");
    EXPECT_EQ(hex(0x1f000), "0x1f000");
    EXPECT_EQ(hex(UINT64_MAX), "0xffffffffffffffff");
}

TEST(Format, HumanSize) {
    EXPECT_EQ(human_size(0), "0 B");
    EXPECT_EQ(human_size(512), "512 B");
    EXPECT_EQ(human_size(1024), "1 KiB");
    EXPECT_EQ(human_size(16384), "16 KiB");
    EXPECT_EQ(human_size(1536), "1.5 KiB");
    EXPECT_EQ(human_size(8ULL << 20U), "8 MiB");
    EXPECT_EQ(human_size(3ULL << 29U), "1.5 GiB");
    EXPECT_EQ(human_size(1ULL << 50U), "1024 TiB");
}

TEST(Format, ParseNumber) {
    EXPECT_EQ(parse_number("0"), 0U);
    EXPECT_EQ(parse_number("4096"), 4096U);
    EXPECT_EQ(parse_number("0x1000"), 0x1000U);
    EXPECT_EQ(parse_number("0X1F"), 0x1fU);
    EXPECT_EQ(parse_number("4K"), 4096U);
    EXPECT_EQ(parse_number("4k"), 4096U);
    EXPECT_EQ(parse_number("8M"), 8U << 20U);
    EXPECT_EQ(parse_number("0x10M"), 16U << 20U);
    EXPECT_EQ(parse_number("1G"), 1U << 30U);
    EXPECT_EQ(parse_number("2T"), 2ULL << 40U);
    EXPECT_EQ(parse_number("18446744073709551615"), UINT64_MAX);
    for (const char* bad : {"", "x", "0x", "K", "-1", "+1", "1.5", "12Q", "0x1g0", "18446744073709551616",
                            "16777216T", " 1", "1 ", "1KK"}) {
        EXPECT_FALSE(parse_number(bad)) << "'" << bad << "'";
    }
}

TEST(Format, TableAlignsColumns) {
    Table t({{"A"}, {"NUM", Align::right}, {"LAST"}});
    t.add({"long-cell", "7", "x"});
    t.add({"b", "12345", "yy"});
    std::ostringstream out;
    t.print(out, "> ");
    EXPECT_EQ(out.str(),
              "> A            NUM  LAST\n"
              "> long-cell      7  x\n"
              "> b          12345  yy\n");
    std::ostringstream headless;
    t.print(headless, "", false);
    EXPECT_EQ(headless.str(),
              "long-cell      7  x\n"
              "b          12345  yy\n");
    EXPECT_THROW(t.add({"too", "few"}), std::logic_error);
}

const std::vector<OptionSpec> options{
    {.name = "all", .short_name = 'a', .value = {}, .help = ""},
    {.name = "json", .short_name = 'j', .value = {}, .help = ""},
    {.name = "length", .short_name = 'l', .value = "N", .help = ""},
};

ParsedArgs parse(std::vector<std::string> args) { return parse_args(args, options); }

TEST(Args, LongShortAndPositional) {
    const ParsedArgs a = parse({"x", "--all", "--length", "4K", "y"});
    EXPECT_TRUE(a.flag("all"));
    EXPECT_FALSE(a.flag("json"));
    EXPECT_EQ(a.value("length"), "4K");
    EXPECT_EQ(a.number("length"), 4096U);
    EXPECT_EQ(a.positional(), (std::vector<std::string>{"x", "y"}));
    EXPECT_EQ(parse({"--length=8"}).number("length"), 8U);
    EXPECT_EQ(parse({"-l", "9"}).number("length"), 9U);
    EXPECT_EQ(parse({"-l10"}).number("length"), 10U);
    const ParsedArgs b = parse({"-ajl", "11"});
    EXPECT_TRUE(b.flag("all"));
    EXPECT_TRUE(b.flag("json"));
    EXPECT_EQ(b.number("length"), 11U);
}

TEST(Args, DoubleDashEndsOptions) {
    const ParsedArgs a = parse({"--all", "--", "--json", "-a"});
    EXPECT_TRUE(a.flag("all"));
    EXPECT_FALSE(a.flag("json"));
    EXPECT_EQ(a.positional(), (std::vector<std::string>{"--json", "-a"}));
    EXPECT_EQ(parse({"-"}).positional(), std::vector<std::string>{"-"});
}

TEST(Args, UsageErrors) {
    EXPECT_THROW(parse({"--bogus"}), UsageError);
    EXPECT_THROW(parse({"-z"}), UsageError);
    EXPECT_THROW(parse({"--length"}), UsageError);
    EXPECT_THROW(parse({"-l"}), UsageError);
    EXPECT_THROW(parse({"--all=1"}), UsageError);
    EXPECT_THROW(static_cast<void>(parse({"--length", "many"}).number("length")), UsageError);
    EXPECT_THROW(static_cast<void>(number_arg("0x", "LEN")), UsageError);
    EXPECT_EQ(number_arg("0x10", "LEN"), 16U);
}

}  // namespace
}  // namespace xe_pfvf::cli
