#include "guest_fixture.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <numeric>
#include <system_error>

#include <unistd.h>

namespace xe_pfvf::guest {

namespace {

/// The PF to test: $XE_PFVF_GUEST_PF, else the first PF directory in
/// debugfs (sorted by name); nullopt if there is none.
std::optional<std::string> find_pf() {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): read once, before any thread
    if (const char* const env = std::getenv("XE_PFVF_GUEST_PF"); env != nullptr && *env != '\0') {
        return std::string(env);
    }
    std::error_code ec;
    std::vector<std::string> pfs;
    for (const auto& entry : std::filesystem::directory_iterator(debugfs_root, ec)) {
        if (std::filesystem::exists(entry.path() / "translate")) {
            pfs.push_back(entry.path().filename().string());
        }
    }
    if (pfs.empty()) {
        return std::nullopt;
    }
    return *std::min_element(pfs.begin(), pfs.end());
}

}  // namespace

std::string hex(std::uint64_t value) {
    std::array<char, 16> digits{};
    char* const first = digits.data();
    const auto [last, ec] = std::to_chars(first, first + digits.size(), value, 16);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    static_cast<void>(ec);  // 16 digits always suffice
    return "0x" + std::string(first, last);
}

std::string request(std::string_view space, std::uint64_t addr, std::uint64_t len, std::string_view options) {
    std::string req = std::string(space) + " " + hex(addr) + " " + hex(len);
    if (!options.empty()) {
        req += " ";
        req += options;
    }
    return req;
}

std::string vf_option(unsigned vf) { return "vf=" + std::to_string(vf); }

void PrintTo(const VramExtent& extent, std::ostream* os) {
    *os << hex(extent.start) << "+" << hex(extent.size);
}

::testing::AssertionResult same_extents(std::span<const VramExtent> got, std::span<const VramExtent> want) {
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin(), want.end());
    if (g == got.end() && w == want.end()) {
        return ::testing::AssertionSuccess();
    }
    auto failure = ::testing::AssertionFailure();
    failure << got.size() << " extents, want " << want.size() << "; first difference at ["
            << (g - got.begin()) << "]: got ";
    if (g == got.end()) {
        failure << "nothing";
    } else {
        failure << hex(g->start) << "+" << hex(g->size);
    }
    failure << ", want ";
    if (w == want.end()) {
        failure << "nothing";
    } else {
        failure << hex(w->start) << "+" << hex(w->size);
    }
    return failure;
}

void GuestTest::SetUp() {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root (debugfs, sysfs, VFIO)";
    }
    const auto pf = find_pf();
    if (!pf) {
        GTEST_SKIP() << "no xe_pfvf PF in " << debugfs_root;
    }
    model_ = load_model(*pf);
    if (model_.vfs.empty()) {
        GTEST_SKIP() << "PF " << *pf << " has no provisioned VF with an LMEM BAR";
    }
    translator_.emplace(debugfs_root / *pf / "translate");
}

void GuestTest::expect_ok(std::string_view req, const VfModel& vf, std::span<const VramExtent> want,
                          std::uint64_t len) const {
    SCOPED_TRACE(req);
    const Translation got = run(req);
    ASSERT_EQ(got.err, 0);
    EXPECT_EQ(got.vf, vf.vf);
    EXPECT_EQ(got.generation, vf.generation);
    EXPECT_EQ(got.bytes, len);
    EXPECT_EQ(got.nr_extents, want.size());
    EXPECT_TRUE(same_extents(got.extents, want));
}

void GuestTest::expect_ranges(std::string_view req, const VfModel& vf, std::span<const LmemRange> ranges) const {
    const auto want = expected_extents(vf.extents, ranges);
    const std::uint64_t len = std::accumulate(ranges.begin(), ranges.end(), std::uint64_t{0},
                                              [](std::uint64_t sum, const LmemRange& r) { return sum + r.length; });
    expect_ok(req, vf, want, len);
}

void GuestTest::expect_err(std::string_view req, int err) const {
    SCOPED_TRACE(req);
    const Translation got = run(req);
    EXPECT_EQ(got.err, err);
    EXPECT_EQ(got.vf, 0U);
    EXPECT_EQ(got.generation, 0U);
    EXPECT_EQ(got.bytes, 0U);
    // extents= is not checked: it is the count needed after -E2BIG, and an
    // IOVA walk may have counted runs before the one that failed.
}

}  // namespace xe_pfvf::guest
