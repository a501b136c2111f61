// Translation of VF LMEM BAR addresses (CPU and bus), LMEM offsets and BAR
// offsets through debugfs, checked against the provisioning model.

#include "guest_fixture.hpp"

#include <algorithm>
#include <array>
#include <random>
#include <string>
#include <vector>

namespace xe_pfvf::guest {
namespace {

/// Ranges of BAR offsets (= LMEM offsets) worth translating in a BAR of
/// @vf: the whole BAR, every page, unaligned sub-page ranges and ranges
/// across every extent boundary inside the BAR.
std::vector<LmemRange> bar_ranges(const VfModel& vf) {
    const std::uint64_t size = vf.bar.size;
    std::vector<LmemRange> ranges{{.offset = 0, .length = size}};
    for (std::uint64_t off = 0; off + page <= size; off += page) {
        ranges.push_back({.offset = off, .length = page});
    }
    ranges.push_back({.offset = 0x123, .length = 0x456});
    ranges.push_back({.offset = 1, .length = 1});
    ranges.push_back({.offset = size - 0x10, .length = 0x10});
    for (const LmemExtent& e : vf.extents) {
        const std::uint64_t boundary = e.lmem + e.size;
        if (boundary >= size) {
            break;
        }
        ranges.push_back({.offset = boundary - 1, .length = 2});
        ranges.push_back({.offset = boundary - 0x200, .length = 0x400});
    }
    // Across two boundaries, unaligned at both ends.
    if (size >= 3 * page) {
        ranges.push_back({.offset = page - 0x10, .length = page + 0x20});
    }
    return ranges;
}

class XlateBar : public GuestTest {};
class XlateSpaces : public GuestTest {};

// The dump itself: extents tile the quota in LMEM order, granule-aligned,
// and the BAR is no larger than the quota (else its tail reaches nothing).
TEST_F(XlateBar, ProvisioningModelIsConsistent) {
    for (const VfModel& vf : model().vfs) {
        SCOPED_TRACE("VF " + std::to_string(vf.vf));
        std::uint64_t lmem = 0;
        for (const LmemExtent& e : vf.extents) {
            EXPECT_EQ(e.lmem, lmem);
            EXPECT_EQ(e.vram % page, 0U);
            EXPECT_EQ(e.size % page, 0U);
            EXPECT_GT(e.size, 0U);
            lmem += e.size;
        }
        EXPECT_EQ(lmem, vf.quota);
        EXPECT_GT(vf.bar.size, 0U);
        EXPECT_LE(vf.bar.size, vf.quota);
        EXPECT_GT(vf.generation, 0U);
    }
}

TEST_F(XlateBar, CpuAddressesOfEveryVf) {
    for (const VfModel& vf : model().vfs) {
        for (const LmemRange& r : bar_ranges(vf)) {
            expect_ranges(request("cpu", vf.bar.cpu + r.offset, r.length), vf, {&r, 1});
        }
    }
}

TEST_F(XlateBar, BusAddressesOfEveryVf) {
    for (const VfModel& vf : model().vfs) {
        for (const LmemRange& r : bar_ranges(vf)) {
            expect_ranges(request("bus", vf.bar.bus + r.offset, r.length), vf, {&r, 1});
        }
    }
}

// Naming the owning VF, and asking for granule alignment, changes nothing
// for aligned ranges of that VF.
TEST_F(XlateBar, OwnerVfAndAlignedFlagAreAccepted) {
    for (const VfModel& vf : model().vfs) {
        const std::string options = vf_option(vf.vf) + " aligned";
        for (const LmemRange& r : bar_ranges(vf)) {
            if (r.offset % page == 0 && r.length % page == 0) {
                expect_ranges(request("cpu", vf.bar.cpu + r.offset, r.length, options), vf, {&r, 1});
                expect_ranges(request("bus", vf.bar.bus + r.offset, r.length, options), vf, {&r, 1});
            }
        }
    }
}

TEST_F(XlateSpaces, FullQuotaOfEveryVf) {
    for (const VfModel& vf : model().vfs) {
        const std::string req = request("lmem", 0, vf.quota, vf_option(vf.vf));
        const auto want = expected_extents(vf.extents, LmemRange{.offset = 0, .length = vf.quota});
        if (want.size() <= debugfs_max_extents) {
            expect_ok(req, vf, want, vf.quota);
            continue;
        }
        // More than the debugfs file holds: it reports how many are needed.
        SCOPED_TRACE(req);
        const Translation got = run(req);
        EXPECT_EQ(got.err, err_2big);
        EXPECT_EQ(got.nr_extents, want.size());
    }
}

TEST_F(XlateSpaces, RandomLmemRangesOfEveryVf) {
    std::mt19937_64 rng(20260101);  // fixed: failures must reproduce
    for (const VfModel& vf : model().vfs) {
        for (int i = 0; i < 64; ++i) {
            const std::uint64_t offset = std::uniform_int_distribution<std::uint64_t>(0, vf.quota - 1)(rng);
            const std::uint64_t max_len = std::min<std::uint64_t>(vf.quota - offset, 64 * page);
            const LmemRange r{.offset = offset,
                              .length = std::uniform_int_distribution<std::uint64_t>(1, max_len)(rng)};
            expect_ranges(request("lmem", r.offset, r.length, vf_option(vf.vf)), vf, {&r, 1});
        }
        // The last byte and the last page of the quota.
        const std::array tail{LmemRange{.offset = vf.quota - 1, .length = 1},
                              LmemRange{.offset = vf.quota - page, .length = page}};
        for (const LmemRange& r : tail) {
            expect_ranges(request("lmem", r.offset, r.length, vf_option(vf.vf)), vf, {&r, 1});
        }
    }
}

TEST_F(XlateSpaces, BarOffsetsAreLmemOffsets) {
    for (const VfModel& vf : model().vfs) {
        for (const LmemRange& r : bar_ranges(vf)) {
            expect_ranges(request("bar", r.offset, r.length, vf_option(vf.vf)), vf, {&r, 1});
            expect_ranges(request("lmem", r.offset, r.length, vf_option(vf.vf)), vf, {&r, 1});
        }
    }
}

TEST_F(XlateSpaces, PastQuotaIsERANGE) {
    for (const VfModel& vf : model().vfs) {
        const std::string opt = vf_option(vf.vf);
        expect_err(request("lmem", vf.quota - page, 2 * page, opt), err_range);
        expect_err(request("lmem", vf.quota, 1, opt), err_range);
        expect_err(request("lmem", 0, vf.quota + 1, opt), err_range);
        expect_err(request("lmem", vf.quota + 64 * page, page, opt), err_range);
    }
}

TEST_F(XlateSpaces, PastBarIsENXIO) {
    for (const VfModel& vf : model().vfs) {
        const std::string opt = vf_option(vf.vf);
        const std::uint64_t size = vf.bar.size;
        // BAR offsets past the BAR, inside the quota.
        expect_err(request("bar", 0, size + 1, opt), err_nxio);
        expect_err(request("bar", size, page, opt), err_nxio);
        expect_err(request("bar", size - 1, 2, opt), err_nxio);
        // Addresses that start in the BAR and run past its end.
        expect_err(request("cpu", vf.bar.cpu + size - page, 2 * page), err_nxio);
        expect_err(request("bus", vf.bar.bus + size - 1, 2), err_nxio);
        expect_err(request("cpu", vf.bar.cpu, size + 1, opt), err_nxio);
    }
}

}  // namespace
}  // namespace xe_pfvf::guest
