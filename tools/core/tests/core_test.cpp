// SPDX-License-Identifier: GPL-2.0-only
// Unit and property tests of the xe_pfvf translation core.  Targeted tests
// check the core and the reference model against the same expectations.
#include "harness.hpp"
#include "reference.hpp"
#include "xe_pfvf_core.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <iostream>
#include <limits>
#include <ostream>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

// Readable extents in failure messages (global namespace, for ADL).
void PrintTo(const xe_pfvf_extent& e, std::ostream* os);
void PrintTo(const xe_pfvf_extent& e, std::ostream* os) {
    *os << "[0x" << std::hex << e.start << " +0x" << e.size << std::dec << "]";
}

namespace {

using namespace xe_pfvf;  // NOLINT(google-build-using-namespace)
using Extents = std::vector<xe_pfvf_extent>;

constexpr u64 G = granule;
constexpr u64 KiB = 1024;
constexpr u64 MiB = KiB * KiB;
constexpr u64 GiB = MiB * KiB;
constexpr u64 u64_max = std::numeric_limits<u64>::max();

// Fails the Nth allocation of the shim from now on, for the scope.
class FailAlloc {
public:
    explicit FailAlloc(long nth) { xe_pfvf_shim_fail_alloc_in = nth; }
    FailAlloc(const FailAlloc&) = delete;
    FailAlloc& operator=(const FailAlloc&) = delete;
    FailAlloc(FailAlloc&&) = delete;
    FailAlloc& operator=(FailAlloc&&) = delete;
    ~FailAlloc() { xe_pfvf_shim_fail_alloc_in = 0; }
};

// The fields of the request, in the order of the struct.
// NOLINTNEXTLINE(bugprone-easily-swappable-parameters)
xe_pfvf_xlate_req req(u32 space, u16 vfid, u64 addr, u64 len, u32 flags = 0) {
    xe_pfvf_xlate_req r{};
    r.space = space;
    r.flags = flags;
    r.vfid = vfid;
    r.addr = addr;
    r.len = len;
    return r;
}

ref::Provision prov(Extents extents) {
    ref::Provision p;
    p.quota = total_size(extents);
    p.extents = std::move(extents);
    return p;
}

xe_pfvf_bar bar(u64 cpu, u64 bus, u64 size) { return xe_pfvf_bar{cpu, bus, size}; }

/// A model and the core's table of it.
struct Pf {
    ref::Model model;
    harness::Core core;

    explicit Pf(ref::Model m) : model(std::move(m)), core(harness::build_core(model)) {}
    [[nodiscard]] const xe_pfvf_table& table() const { return *core.table; }
};

/// The core and the reference both give @err and, on success, @ext.
void expect_xlate(const Pf& pf, const xe_pfvf_xlate_req& r, int err, const Extents& ext = {}) {
    SCOPED_TRACE(harness::describe(r));
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const Translation t = translate(pf.table(), r);
    EXPECT_EQ(errno_name(t.err), errno_name(err)) << "core";
    ref::Result rr;
    const int re = ref::xlate(pf.model, r, rr);
    EXPECT_EQ(errno_name(re), errno_name(err)) << "reference";
    if (err == 0) {
        EXPECT_EQ(t.ext, ext) << "core";
        EXPECT_EQ(rr.ext, ext) << "reference";
        EXPECT_EQ(t.bytes, r.len);
        EXPECT_EQ(rr.bytes, r.len);
    }
}

// CPU addresses of the VF BARs; bus addresses are 4 GiB higher.
constexpr u64 cpu0 = 1 * GiB;
constexpr u64 bus_off = 4 * GiB;

/*
 * VF1: 28 KiB in three extents, the first two back to back in VRAM; BAR of
 *      32 KiB (a 4 KiB tail reaching nothing), VF2's BAR right after it.
 * VF2: one 64 KiB extent.
 * VF3: a BAR, not provisioned.
 * VF4: provisioned, no BAR.
 * VF5: 32 KiB in two extents in reverse VRAM order; BAR of 8 KiB only.
 * Two PF BARs.
 */
ref::Model basic_model() {
    ref::Model m;
    m.vram_size = 64 * MiB;
    m.vfs.resize(5);
    m.vfs[0].prov = prov({{1 * MiB, 8 * KiB}, {1 * MiB + 8 * KiB, 4 * KiB}, {4 * MiB, 16 * KiB}});
    m.vfs[0].bar = bar(cpu0, cpu0 + bus_off, 32 * KiB);
    m.vfs[1].prov = prov({{8 * MiB, 64 * KiB}});
    m.vfs[1].bar = bar(cpu0 + 32 * KiB, cpu0 + 32 * KiB + bus_off, 64 * KiB);
    m.vfs[2].bar = bar(cpu0 + 1 * MiB, cpu0 + 1 * MiB + bus_off, 16 * KiB);
    m.vfs[3].prov = prov({{16 * MiB, 32 * KiB}});
    m.vfs[4].prov = prov({{20 * MiB + 16 * KiB, 16 * KiB}, {20 * MiB, 16 * KiB}});
    m.vfs[4].bar = bar(cpu0 + 2 * MiB, cpu0 + 2 * MiB + bus_off, 8 * KiB);
    m.pf_bars = {bar(0x5000'0000, 0x5000'0000 + bus_off, 16 * MiB), bar(0x6000'0000, 0x6000'0000 + bus_off, 2 * MiB)};
    return m;
}

class Xlate : public ::testing::Test {
protected:
    Pf pf{basic_model()};
};

/* ---- xe_pfvf_table_xlate(): one test per errno, in the order of the checks ---- */

TEST_F(Xlate, ZeroLengthIsEinval) {
    for (const u32 space : {XE_PFVF_SPACE_LMEM, XE_PFVF_SPACE_BAR, XE_PFVF_SPACE_CPU, XE_PFVF_SPACE_BUS}) {
        expect_xlate(pf, req(space, 1, space >= XE_PFVF_SPACE_CPU ? cpu0 : 0, 0), -EINVAL);
    }
}

TEST_F(Xlate, UnknownFlagsAreEinval) {
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 0, G, 1U << 1), -EINVAL);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0, G, XE_PFVF_XLATE_ALIGNED | (1U << 31)), -EINVAL);
}

TEST_F(Xlate, UnknownSpaceIsEinval) {
    expect_xlate(pf, req(XE_PFVF_SPACE_IOVA, 1, cpu0, G), -EINVAL);
    expect_xlate(pf, req(99, 1, 0, G), -EINVAL);
}

TEST_F(Xlate, WrappingRangeIsEoverflow) {
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, u64_max, 2), -EOVERFLOW);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, 2, u64_max), -EOVERFLOW);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 0, 2 * G, u64_max - G), -EOVERFLOW);
    // Ending exactly at U64_MAX does not wrap: later checks answer.
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, u64_max, 1), -ERANGE);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 0, u64_max), -ERANGE);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, 1, u64_max), -EADDRNOTAVAIL);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, 0, u64_max), -EADDRNOTAVAIL);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0, u64_max - cpu0 + 1), -ENXIO);
}

TEST_F(Xlate, AlignedFlagIsEdom) {
    constexpr u32 aligned = XE_PFVF_XLATE_ALIGNED;
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 1, G, aligned), -EDOM);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 0, G + 1, aligned), -EDOM);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + 8, G, aligned), -EDOM);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, G, 2 * G, aligned), 0, {{1 * MiB + G, 2 * G}});
    // Before the VF checks.
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 0, 1, G, aligned), -EDOM);
}

TEST_F(Xlate, NoSuchVfIsEnoent) {
    for (const u32 space : {XE_PFVF_SPACE_LMEM, XE_PFVF_SPACE_BAR}) {
        expect_xlate(pf, req(space, 0, 0, G), -ENOENT);
        expect_xlate(pf, req(space, 6, 0, G), -ENOENT);
        expect_xlate(pf, req(space, 0xffff, 0, G), -ENOENT);
    }
    // CPU and bus addresses name their VF: a VF number beyond the table is
    // merely another VF than the owner.
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 6, cpu0, G), -EXDEV);
}

TEST_F(Xlate, AddressInNoBarIsEaddrnotavail) {
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, 0, G), -EADDRNOTAVAIL);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 - 1, 2), -EADDRNOTAVAIL);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + 96 * KiB, G), -EADDRNOTAVAIL);  // gap after VF2
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 1, u64_max, 1), -EADDRNOTAVAIL);
    // The spaces are distinct: a CPU address is no bus address.
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 0, cpu0, G), -EADDRNOTAVAIL);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + bus_off, G), -EADDRNOTAVAIL);
}

TEST_F(Xlate, PfBarIsEperm) {
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, 0x5000'0000, G), -EPERM);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 1, 0x5000'0000 + 16 * MiB - 1, 1), -EPERM);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 2, 0x6000'0000 + bus_off + 5, 3), -EPERM);
}

TEST_F(Xlate, AnotherVfsAddressIsExdev) {
    const u64 vf2 = cpu0 + 32 * KiB;
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 1, vf2, G), -EXDEV);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 3, vf2 + bus_off, G), -EXDEV);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 2, vf2, G), 0, {{8 * MiB, G}});
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, vf2, G), 0, {{8 * MiB, G}});
}

TEST_F(Xlate, PastBarEndIsEnxio) {
    // VF1's BAR is 32 KiB, VF2's follows: running past the end is -ENXIO,
    // not a translation into VF2.
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + 28 * KiB, 8 * KiB), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 1, cpu0 + bus_off + 32 * KiB - 1, 2), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 1, 32 * KiB, 1), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 1, 0, 32 * KiB + 1), -ENXIO);
    // VF2's BAR runs into a gap.
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + 32 * KiB, 64 * KiB + 1), -ENXIO);
    // VF4 has no BAR: -ENXIO by BAR offset, fine by LMEM offset.
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 4, 0, G), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 4, 0, G), 0, {{16 * MiB, G}});
}

TEST_F(Xlate, UnprovisionedVfIsEnodev) {
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 3, 0, G), -ENODEV);
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 3, 0, G), -ENODEV);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 3, cpu0 + 1 * MiB, 16 * KiB), -ENODEV);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 0, cpu0 + 1 * MiB + bus_off + 5, 7), -ENODEV);
    // -ENXIO first when the range also runs past the BAR.
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 3, 0, 16 * KiB + 1), -ENXIO);
    // LMEM offsets have no BAR to run past.
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 3, 0, u64_max), -ENODEV);
}

TEST_F(Xlate, PastQuotaIsErange) {
    // VF1: BAR 32 KiB, quota 28 KiB.
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 1, 28 * KiB, 1), -ERANGE);
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 1, 24 * KiB, 8 * KiB), -ERANGE);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 1, cpu0 + 28 * KiB - 1, 2), -ERANGE);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 28 * KiB, G), -ERANGE);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 0, 28 * KiB + 1), -ERANGE);
    // The last byte of the quota is fine.
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 1, 28 * KiB - 1, 1), 0, {{4 * MiB + 16 * KiB - 1, 1}});
}

TEST_F(Xlate, TooSmallArrayIsE2bigWithTheCountNeeded) {
    const auto r = req(XE_PFVF_SPACE_LMEM, 1, 0, 28 * KiB);
    const Extents all{{1 * MiB, 12 * KiB}, {4 * MiB, 16 * KiB}};
    {
        xe_pfvf::Xlate one(1);
        EXPECT_EQ(one.add(pf.table(), r), -E2BIG);
        EXPECT_EQ(one.res().nr, 2U);
        EXPECT_EQ(one.res().bytes, 28 * KiB);
        ASSERT_EQ(one.extents().size(), 1U);
        EXPECT_EQ(one.extents()[0], all[0]);
    }
    {
        // An array of no room at all.
        std::array<xe_pfvf_extent, 1> buf{};
        xe_pfvf_xlate_res res{};
        res.ext = buf.data();
        EXPECT_EQ(xe_pfvf_table_xlate(&pf.table(), &r, &res), -E2BIG);
        EXPECT_EQ(res.nr, 2U);
    }
    {
        xe_pfvf::Xlate two(2);
        EXPECT_EQ(two.add(pf.table(), r), 0);
        EXPECT_EQ(Extents(two.extents().begin(), two.extents().end()), all);
    }
    ref::Result rr;
    EXPECT_EQ(ref::xlate(pf.model, r, rr, 1), -E2BIG);
    EXPECT_EQ(rr.ext, all);
}

TEST_F(Xlate, NoArrayCountsOnly) {
    // ext NULL: the count and the bytes, never -E2BIG.
    const auto r = req(XE_PFVF_SPACE_LMEM, 1, 0, 28 * KiB);
    xe_pfvf::Xlate count_only(0);
    EXPECT_EQ(count_only.res().ext, nullptr);
    EXPECT_EQ(count_only.add(pf.table(), r), 0);
    EXPECT_EQ(count_only.res().nr, 2U);
    EXPECT_EQ(count_only.res().bytes, 28 * KiB);
    EXPECT_EQ(count_only.res().vfid, 1);
    EXPECT_EQ(count_only.add(pf.table(), req(XE_PFVF_SPACE_LMEM, 1, 0, 8 * KiB)), 0);
    EXPECT_EQ(count_only.res().nr, 3U);
    ref::Result rr;
    EXPECT_EQ(ref::xlate(pf.model, r, rr), 0);
    EXPECT_EQ(rr.ext.size(), 2U);
}

TEST_F(Xlate, ChecksComeInTheDocumentedOrder) {
    constexpr u32 aligned = XE_PFVF_XLATE_ALIGNED;
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 0, u64_max, 2, aligned), -EOVERFLOW);  // before -EDOM, -ENOENT
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 9, 1, G, aligned), -EDOM);               // before -ENOENT
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 2, 0x5000'0000, 32 * MiB), -EPERM);      // before -EXDEV, -ENXIO
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 2, cpu0, 1 * MiB), -EXDEV);              // before -ENXIO
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 3, 0, 1 * MiB), -ENXIO);                 // before -ENODEV
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 1, 16 * KiB, 32 * KiB), -ENXIO);         // before -ERANGE
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 3, 1 * MiB, G), -ENODEV);               // before -ERANGE
}

/* ---- translations ---- */

TEST_F(Xlate, AdjacentExtentsCoalesce) {
    // VF1's first two extents are back to back in VRAM: one extent out.
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 0, 12 * KiB), 0, {{1 * MiB, 12 * KiB}});
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 4 * KiB + 3, 8 * KiB + 10), 0,
                 {{1 * MiB + 4 * KiB + 3, 8 * KiB - 3}, {4 * MiB, 13}});
}

TEST_F(Xlate, ShuffledExtentsDoNotCoalesce) {
    // VF5: LMEM [0, 16K) is VRAM 20M+16K, [16K, 32K) is VRAM 20M: touching
    // in VRAM, but in the other order.
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 5, 8 * KiB, 16 * KiB), 0,
                 {{20 * MiB + 24 * KiB, 8 * KiB}, {20 * MiB, 8 * KiB}});
}

TEST_F(Xlate, BusAndCpuAddressesResolveTheSameRange) {
    const u64 off = 4 * KiB + 100;
    const Extents want{{8 * MiB + off, 20 * KiB}};
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + 32 * KiB + off, 20 * KiB), 0, want);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 0, cpu0 + 32 * KiB + bus_off + off, 20 * KiB), 0, want);
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 2, off, 20 * KiB), 0, want);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 2, off, 20 * KiB), 0, want);
    const Translation t = translate(pf.table(), req(XE_PFVF_SPACE_BUS, 0, cpu0 + 32 * KiB + bus_off, G));
    EXPECT_EQ(t.vfid, 2);
}

TEST_F(Xlate, BarSmallerThanQuotaReachesOnlyTheBar) {
    // VF5: quota 32 KiB, BAR 8 KiB.
    const u64 cpu = cpu0 + 2 * MiB;
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 5, 0, 8 * KiB), 0, {{20 * MiB + 16 * KiB, 8 * KiB}});
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 5, cpu, 8 * KiB), 0, {{20 * MiB + 16 * KiB, 8 * KiB}});
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 5, cpu + bus_off + 8 * KiB - 1, 1), 0,
                 {{20 * MiB + 24 * KiB - 1, 1}});
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 5, 0, 8 * KiB + 1), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_BAR, 5, 8 * KiB, G), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 5, cpu + 4 * KiB, 8 * KiB), -ENXIO);
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 0, cpu + bus_off + 8 * KiB, G), -EADDRNOTAVAIL);
    // All of it by LMEM offset.
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 5, 0, 32 * KiB), 0,
                 {{20 * MiB + 16 * KiB, 16 * KiB}, {20 * MiB, 16 * KiB}});
}

TEST(XlateTiles, MultiTileLmemIsTheConcatenation) {
    // Tile 0 VRAM [0, 1G), tile 1 [1G, 2G): the VF's LMEM is its tile 0
    // extents, then its tile 1 extents.
    ref::Model m;
    m.vram_size = 2 * GiB;
    m.vfs.resize(1);
    m.vfs[0].prov = prov({{256 * MiB, 1 * MiB}, {128 * MiB, 1 * MiB}, {GiB + 512 * MiB, 2 * MiB}, {GiB, 1 * MiB}});
    m.vfs[0].bar = bar(8 * GiB, 8 * GiB, 8 * MiB);
    const Pf pf(std::move(m));
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 2 * MiB - G, 2 * G), 0, {{129 * MiB - G, G}, {GiB + 512 * MiB, G}});
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 1, 8 * GiB, 5 * MiB), 0,
                 {{256 * MiB, 1 * MiB}, {128 * MiB, 1 * MiB}, {GiB + 512 * MiB, 2 * MiB}, {GiB, 1 * MiB}});
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 1, 8 * GiB, 5 * MiB + 1), -ERANGE);
}

TEST(XlateEdges, RangeEndingAtU64MaxTranslates) {
    // VRAM up to U64_MAX; a BAR ending at U64_MAX in both spaces.
    constexpr u64 top = u64_max - (G - 1);  // last granule-aligned end
    ref::Model m;
    m.vram_size = u64_max;
    m.vfs.resize(1);
    m.vfs[0].prov = prov({{top - 16 * KiB, 16 * KiB}});
    m.vfs[0].bar = bar(u64_max - 16 * KiB + 1, u64_max - 16 * KiB + 1, 16 * KiB);
    const Pf pf(std::move(m));
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, u64_max - G + 1, G), 0, {{top - G, G}});
    expect_xlate(pf, req(XE_PFVF_SPACE_BUS, 1, u64_max, 1), 0, {{top - 1, 1}});
    expect_xlate(pf, req(XE_PFVF_SPACE_CPU, 0, u64_max - G + 1, G + 1), -EOVERFLOW);
    expect_xlate(pf, req(XE_PFVF_SPACE_LMEM, 1, 12 * KiB, 4 * KiB), 0, {{top - G, G}});
}

TEST_F(Xlate, ResultsAccumulateAcrossCalls) {
    xe_pfvf::Xlate x(8);
    // VF2 LMEM [0, 8K) then [8K, 12K): contiguous, one extent.
    ASSERT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_LMEM, 2, 0, 8 * KiB)), 0);
    ASSERT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_CPU, 0, cpu0 + 32 * KiB + 8 * KiB, 4 * KiB)), 0);
    EXPECT_EQ(x.res().nr, 1U);
    // Then [32K, 36K): a second run appended.
    ASSERT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_BAR, 2, 32 * KiB, 4 * KiB)), 0);
    EXPECT_EQ(Extents(x.extents().begin(), x.extents().end()),
              (Extents{{8 * MiB, 12 * KiB}, {8 * MiB + 32 * KiB, 4 * KiB}}));
    EXPECT_EQ(x.res().bytes, 16 * KiB);
    EXPECT_EQ(x.res().vfid, 2);

    // Another VF into the same result: -EXDEV, the result unchanged.
    const xe_pfvf_xlate_res before = x.res();
    EXPECT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_LMEM, 1, 0, G)), -EXDEV);
    EXPECT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_CPU, 0, cpu0, G)), -EXDEV);
    EXPECT_EQ(x.res().nr, before.nr);
    EXPECT_EQ(x.res().bytes, before.bytes);
    EXPECT_EQ(x.res().vfid, before.vfid);
    EXPECT_EQ(x.res().last, before.last);

    // The reference agrees.
    ref::Result rr;
    EXPECT_EQ(ref::xlate(pf.model, req(XE_PFVF_SPACE_LMEM, 2, 0, 8 * KiB), rr), 0);
    EXPECT_EQ(ref::xlate(pf.model, req(XE_PFVF_SPACE_CPU, 0, cpu0 + 40 * KiB, 4 * KiB), rr), 0);
    EXPECT_EQ(ref::xlate(pf.model, req(XE_PFVF_SPACE_BAR, 2, 32 * KiB, 4 * KiB), rr), 0);
    EXPECT_EQ(ref::xlate(pf.model, req(XE_PFVF_SPACE_LMEM, 1, 0, G), rr), -EXDEV);
    EXPECT_EQ(rr.ext, Extents(x.extents().begin(), x.extents().end()));
}

// A result accumulated over several calls never mixes two provisionings
// of its VF: once the VF is provisioned again (a new table whose config has
// another generation), adding to the old result is -EAGAIN, the result
// unchanged; a fresh result translates.
TEST_F(Xlate, ReprovisionedVfBetweenCallsIsEagain) {
    Pf again(basic_model());
    ASSERT_TRUE(again.core.table);
    // The service bumps the generation on every provisioning of the VF.
    again.core.cfgs[1]->generation = pf.core.cfgs[1]->generation + 1;

    xe_pfvf::Xlate x(8);
    ASSERT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_LMEM, 2, 0, 8 * KiB)), 0);
    const xe_pfvf_xlate_res before = x.res();
    for (const auto space : {XE_PFVF_SPACE_LMEM, XE_PFVF_SPACE_BAR}) {
        EXPECT_EQ(x.add(again.table(), req(space, 2, 8 * KiB, 4 * KiB)), -EAGAIN);
    }
    EXPECT_EQ(x.add(again.table(), req(XE_PFVF_SPACE_CPU, 2, cpu0 + 40 * KiB, G)), -EAGAIN);
    EXPECT_EQ(x.res().nr, before.nr);
    EXPECT_EQ(x.res().bytes, before.bytes);
    EXPECT_EQ(x.res().generation, before.generation);
    // The same generation in the new table still accumulates.
    EXPECT_EQ(x.add(pf.table(), req(XE_PFVF_SPACE_LMEM, 2, 8 * KiB, 4 * KiB)), 0);
    // Runs (the IOVA walk's batches) are checked the same way.
    const std::array<xe_pfvf_extent, 1> run{{{cpu0 + 32 * KiB + 12 * KiB, G}}};
    xe_pfvf_cursor cur{};
    unsigned int done = 0;
    xe_pfvf_xlate_res res = x.res();
    EXPECT_EQ(xe_pfvf_table_xlate_runs(&again.table(), XE_PFVF_SPACE_CPU, 0, run.data(), 1,
                                       &res, &cur, &done),
              -EAGAIN);
    EXPECT_EQ(done, 0U);
    // A new result is fine.
    xe_pfvf::Xlate fresh(8);
    EXPECT_EQ(fresh.add(again.table(), req(XE_PFVF_SPACE_LMEM, 2, 8 * KiB, 4 * KiB)), 0);
}

// xe_pfvf_table_span(): the errnos of an aligned translation, and the number
// of extents a range touches, against the reference's count before
// coalescing.
TEST_F(Xlate, SpanCountsTheExtentsARangeTouches) {
    const auto span = [&](u32 space, u16 vfid, u64 off, u64 len) {
        u32 nr = 0;
        const int err = xe_pfvf_table_span(&pf.table(), space, vfid, off, len, &nr);
        return std::pair{err, err != 0 ? 0U : nr};
    };
    // VF1: [0, 8K) [8K, 12K) [12K, 28K); 32 KiB BAR.
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, 0, 28 * KiB), std::pair(0, 3U));
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, 4 * KiB, 8 * KiB), std::pair(0, 2U));
    EXPECT_EQ(span(XE_PFVF_SPACE_BAR, 1, 12 * KiB, 4 * KiB), std::pair(0, 1U));
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, 0, 4 * KiB), std::pair(0, 1U));
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, 0, 0).first, -EINVAL);
    EXPECT_EQ(span(XE_PFVF_SPACE_CPU, 1, cpu0, G).first, -EINVAL);
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, u64_max - G + 1, 2 * G).first, -EOVERFLOW);
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, 1, G).first, -EDOM);
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 9, 0, G).first, -ENOENT);
    EXPECT_EQ(span(XE_PFVF_SPACE_BAR, 1, 28 * KiB, 8 * KiB).first, -ENXIO);
    EXPECT_EQ(span(XE_PFVF_SPACE_BAR, 1, 28 * KiB, 4 * KiB).first, -ERANGE);
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 3, 0, G).first, -ENODEV);
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 1, 24 * KiB, 8 * KiB).first, -ERANGE);
    // VF5: BAR of 8 KiB, 32 KiB quota: LMEM reaches past the BAR.
    EXPECT_EQ(span(XE_PFVF_SPACE_LMEM, 5, 0, 32 * KiB), std::pair(0, 2U));
    EXPECT_EQ(span(XE_PFVF_SPACE_BAR, 5, 0, 16 * KiB).first, -ENXIO);
}

// The span is an exact bound: random ranges over fragmented LMEM never
// translate into more extents than it says, and into exactly as many when
// no two neighbouring extents are contiguous in VRAM.
TEST(XlateSpan, BoundsEveryTranslation) {
    std::mt19937_64 rng(7);
    ref::Model m;
    m.vram_size = 64 * MiB;
    m.vfs.resize(1);
    Extents ext;
    for (u64 i = 0; i < 200; i++) {
        // Every other extent continues the one before in VRAM.
        const u64 size = (1 + (rng() % 4)) * G;
        const u64 start = (i % 2 != 0U && !ext.empty()) ? ext.back().start + ext.back().size
                                                        : (i + 1) * 128 * KiB;
        ext.push_back({start, size});
    }
    m.vfs[0].prov = prov(ext);
    m.vfs[0].bar = bar(cpu0, cpu0, 1 * MiB);
    const Pf pf(std::move(m));
    ASSERT_TRUE(pf.core.table);
    const u64 quota = total_size(ext);
    for (int i = 0; i < 2000; i++) {
        const u64 off = (rng() % (quota / G)) * G;
        const u64 len = (1 + rng() % ((quota - off) / G)) * G;
        u32 nr = 0;
        ASSERT_EQ(xe_pfvf_table_span(&pf.table(), XE_PFVF_SPACE_LMEM, 1, off, len, &nr), 0);
        const Translation t = translate(pf.table(), req(XE_PFVF_SPACE_LMEM, 1, off, len));
        ASSERT_EQ(t.err, 0);
        ASSERT_LE(t.ext.size(), nr) << "off " << off << " len " << len;
        // Extents i and i + 1 coalesce exactly when i is even: at most
        // halving the count.
        ASSERT_GE(2 * t.ext.size(), nr) << "off " << off << " len " << len;
    }
}

TEST_F(Xlate, ErrorsLeaveTheResultUnchanged) {
    std::vector<xe_pfvf_extent> buf(4, xe_pfvf_extent{7, 7});
    xe_pfvf_xlate_res res{};
    res.ext = buf.data();
    res.max = 4;
    const auto r = req(XE_PFVF_SPACE_LMEM, 1, 28 * KiB, 1);
    EXPECT_EQ(xe_pfvf_table_xlate(&pf.table(), &r, &res), -ERANGE);
    EXPECT_EQ(res.nr, 0U);
    EXPECT_EQ(res.bytes, 0U);
    EXPECT_EQ(res.vfid, 0);
    for (const auto& e : buf) {
        EXPECT_EQ(e, (xe_pfvf_extent{7, 7}));
    }
}

TEST(XlateOrder, UnknownSpaceIsCheckedFirst) {
    // An unknown space (IOVA is the service's) is -EINVAL before -EOVERFLOW
    // and -EDOM, as "DOC: translation" lists it.
    const Pf pf(basic_model());
    const auto overflow = req(XE_PFVF_SPACE_IOVA, 0, u64_max, 2);
    const auto unaligned = req(42, 0, 1, G, XE_PFVF_XLATE_ALIGNED);
    ref::Result rr;
    EXPECT_EQ(ref::xlate(pf.model, overflow, rr), -EINVAL);
    EXPECT_EQ(ref::xlate(pf.model, unaligned, rr), -EINVAL);
    EXPECT_EQ(translate(pf.table(), overflow).err, -EINVAL);
    EXPECT_EQ(translate(pf.table(), unaligned).err, -EINVAL);
}

/* ---- xe_pfvf_vf_cfg_create() ---- */

class CfgCreate : public ::testing::Test {
protected:
    static constexpr u64 vram = 64 * MiB;
    Extents ok{{0, 8 * KiB}, {1 * MiB, 4 * KiB}};

    // The core's errno, checked against the reference's.
    static int create(u16 vfid, const Extents& ext, u64 quota, u64 vram_size = vram) {
        const auto made = make_cfg(vfid, ext, quota, vram_size);
        ref::Provision p{quota, ext};
        EXPECT_EQ(errno_name(ref::check_provision(vfid, p, vram_size)), errno_name(made.err)) << "reference";
        if (made) {
            EXPECT_EQ(made.ptr->vfid, vfid);
            EXPECT_EQ(made.ptr->quota, quota);
            EXPECT_EQ(made.ptr->nr_extents, ext.size());
        }
        return made.err;
    }
};

TEST_F(CfgCreate, ValidProvisioningGivesLmemOffsets) {
    const auto made = make_cfg(3, ok, vram);
    ASSERT_TRUE(made);
    const auto& cfg = *made.ptr;
    EXPECT_EQ(cfg.vfid, 3);
    EXPECT_EQ(cfg.quota, 12 * KiB);
    EXPECT_EQ(cfg.generation, 0U);
    ASSERT_EQ(cfg.nr_extents, 2U);
    const std::span<const xe_pfvf_vf_extent> ext(&cfg.extents[0], cfg.nr_extents);
    EXPECT_EQ(ext[0].lmem, 0U);
    EXPECT_EQ(ext[0].vram, 0U);
    EXPECT_EQ(ext[1].lmem, 8 * KiB);
    EXPECT_EQ(ext[1].vram, 1 * MiB);
    EXPECT_EQ(ext[1].size, 4 * KiB);
}

TEST_F(CfgCreate, MalformedArgumentsAreEinval) {
    EXPECT_EQ(create(0, ok, 12 * KiB), -EINVAL);  // VF 0 is the PF
    EXPECT_EQ(create(1, {}, 0), -EINVAL);         // no extents
    EXPECT_EQ(ptr_err(xe_pfvf_vf_cfg_create(1, nullptr, vram)), -EINVAL);
    const xe_pfvf_provision null_extents{G, nullptr, 1, nullptr};
    EXPECT_EQ(ptr_err(xe_pfvf_vf_cfg_create(1, &null_extents, vram)), -EINVAL);
}

TEST_F(CfgCreate, EmptyOrUnalignedExtentIsEinval) {
    EXPECT_EQ(create(1, {{0, 0}}, 0), -EINVAL);
    EXPECT_EQ(create(1, {{0, G}, {G, 0}}, G), -EINVAL);
    EXPECT_EQ(create(1, {{512, G}}, G), -EINVAL);
    EXPECT_EQ(create(1, {{0, G + 512}}, G + 512), -EINVAL);
}

TEST_F(CfgCreate, QuotaNotTheSumIsEinval) {
    EXPECT_EQ(create(1, ok, 12 * KiB - G), -EINVAL);
    EXPECT_EQ(create(1, ok, 12 * KiB + G), -EINVAL);
    EXPECT_EQ(create(1, ok, 0), -EINVAL);
    EXPECT_EQ(create(1, ok, 12 * KiB), 0);
}

TEST_F(CfgCreate, ExtentBeyondVramIsErange) {
    EXPECT_EQ(create(1, {{vram - G, 2 * G}}, 2 * G), -ERANGE);
    EXPECT_EQ(create(1, {{vram, G}}, G), -ERANGE);
    EXPECT_EQ(create(1, {{vram - 2 * G, 2 * G}}, 2 * G), 0);  // ends at the end of VRAM
    // start + size wraps around.
    EXPECT_EQ(create(1, {{u64_max - (G - 1), 2 * G}}, 2 * G, u64_max), -ERANGE);
    EXPECT_EQ(create(1, {{u64_max - (2 * G - 1), G}}, G, u64_max), 0);
}

TEST_F(CfgCreate, TooManyExtentsIsE2big) {
    Extents many(XE_PFVF_MAX_EXTENTS);
    for (std::size_t i = 0; i < many.size(); i++) {
        many[i] = {i * G, G};
    }
    EXPECT_EQ(create(1, many, many.size() * G, many.size() * G), 0);
    many.push_back({many.size() * G, G});
    EXPECT_EQ(create(1, many, many.size() * G, many.size() * G), -E2BIG);
}

TEST_F(CfgCreate, AllocationFailureIsEnomem) {
    {
        const FailAlloc fail(1);
        EXPECT_EQ(make_cfg(1, ok, vram).err, -ENOMEM);
    }
    EXPECT_EQ(make_cfg(1, ok, vram).err, 0);
}

TEST_F(CfgCreate, ErrorPathsDoNotLeak) {
    // Each error after the allocation frees it (ASan's leak check tells).
    EXPECT_EQ(create(1, {{0, G}, {512, G}}, 2 * G), -EINVAL);
    EXPECT_EQ(create(1, {{0, G}, {vram, G}}, 2 * G), -ERANGE);
    EXPECT_EQ(create(1, ok, 4 * G), -EINVAL);
}

/* ---- xe_pfvf_table_build() ---- */

class TableBuild : public ::testing::Test {
protected:
    static constexpr u64 vram = 64 * MiB;

    // Two VFs with disjoint VRAM and BARs, one PF BAR.
    static ref::Model two_vfs() {
        ref::Model m;
        m.vram_size = vram;
        m.vfs.resize(2);
        m.vfs[0].prov = prov({{0, 64 * KiB}, {1 * MiB, 64 * KiB}});
        m.vfs[0].bar = bar(cpu0, cpu0 + bus_off, 128 * KiB);
        m.vfs[1].prov = prov({{64 * KiB, 64 * KiB}});
        m.vfs[1].bar = bar(cpu0 + 128 * KiB, cpu0 + 128 * KiB + bus_off, 64 * KiB);
        m.pf_bars = {bar(2 * GiB, 2 * GiB + bus_off, 16 * MiB)};
        return m;
    }

    // The core's errno, checked against the reference's.
    static int build(const ref::Model& m) {
        const harness::Core core = harness::build_core(m);
        EXPECT_EQ(harness::compare_build(m, core), "");
        EXPECT_FALSE(core.in_cfg);
        return core.err;
    }
};

TEST_F(TableBuild, ValidTableSortsTheRanges) {
    const auto m = two_vfs();
    const auto core = harness::build_core(m);
    ASSERT_EQ(core.err, 0);
    const xe_pfvf_table& t = *core.table;
    EXPECT_EQ(t.total_vfs, 2);
    EXPECT_EQ(t.vram_size, vram);
    ASSERT_EQ(t.nr_ranges, 3U);
    const std::span<const xe_pfvf_range> cpu(t.cpu, t.nr_ranges);
    EXPECT_EQ(cpu[0].start, cpu0);
    EXPECT_EQ(cpu[0].last, cpu0 + 128 * KiB - 1);
    EXPECT_EQ(cpu[0].vfid, 1);
    EXPECT_EQ(cpu[2].vfid, 0);
    EXPECT_EQ(t.vfs[1].cfg, core.cfgs[1].get());
}

TEST_F(TableBuild, EmptyTableBuilds) {
    const auto t = make_table(0, {}, {});
    ASSERT_TRUE(t);
    EXPECT_EQ(t.ptr->nr_ranges, 0U);
    const auto r = req(XE_PFVF_SPACE_CPU, 0, cpu0, G);
    EXPECT_EQ(translate(*t.ptr, r).err, -EADDRNOTAVAIL);
    EXPECT_EQ(translate(*t.ptr, req(XE_PFVF_SPACE_LMEM, 1, 0, G)).err, -ENOENT);
}

TEST_F(TableBuild, CfgInTheWrongSlotIsEinval) {
    const auto cfg = make_cfg(2, Extents{{0, G}}, vram);
    ASSERT_TRUE(cfg);
    std::vector<xe_pfvf_table_vf> slots(2);
    slots[0].cfg = cfg.ptr.get();
    EXPECT_EQ(make_table(vram, slots).err, -EINVAL);
    slots[0].cfg = nullptr;
    slots[1].cfg = cfg.ptr.get();
    EXPECT_EQ(make_table(vram, slots).err, 0);
}

TEST_F(TableBuild, VramSharedBetweenVfsIsEaddrinuse) {
    auto m = two_vfs();
    m.vfs[1].prov = prov({{32 * KiB, 64 * KiB}});  // overlaps VF1's first extent
    EXPECT_EQ(build(m), -EADDRINUSE);
    m.vfs[1].prov = prov({{1 * MiB + 60 * KiB, G}});  // inside VF1's second
    EXPECT_EQ(build(m), -EADDRINUSE);
    m.vfs[1].prov = prov({{1 * MiB + 64 * KiB, G}});  // right after it: fine
    EXPECT_EQ(build(m), 0);
}

TEST_F(TableBuild, VramSharedWithinOneVfIsEaddrinuse) {
    auto m = two_vfs();
    m.vfs[0].prov = prov({{0, 64 * KiB}, {1 * MiB, 64 * KiB}, {0, G}});
    EXPECT_EQ(build(m), -EADDRINUSE);
}

TEST_F(TableBuild, BarOverlapIsEaddrinuse) {
    auto m = two_vfs();
    m.vfs[1].bar.cpu = cpu0 + 128 * KiB - 1;  // shares VF1's last CPU byte
    EXPECT_EQ(build(m), -EADDRINUSE);
    m = two_vfs();
    m.vfs[1].bar.bus = cpu0 + bus_off;  // bus addresses only
    EXPECT_EQ(build(m), -EADDRINUSE);
    m = two_vfs();
    m.pf_bars.push_back(bar(cpu0 + 4 * KiB, 3 * GiB, G));  // PF BAR inside a VF BAR
    EXPECT_EQ(build(m), -EADDRINUSE);
    m = two_vfs();
    m.pf_bars.push_back(bar(cpu0 + 192 * KiB, cpu0 + 192 * KiB + bus_off, G));  // back to back: fine
    EXPECT_EQ(build(m), 0);
    m.vfs[1].bar.size = 0;  // a disabled BAR takes no addresses
    m.vfs[1].bar.cpu = cpu0;
    EXPECT_EQ(build(m), 0);
}

TEST_F(TableBuild, WrappingBarIsEoverflow) {
    auto m = two_vfs();
    m.vfs[1].bar.cpu = u64_max - 64 * KiB + 2;
    EXPECT_EQ(build(m), -EOVERFLOW);
    m = two_vfs();
    m.pf_bars[0].bus = u64_max;
    EXPECT_EQ(build(m), -EOVERFLOW);
    m = two_vfs();
    m.vfs[1].bar = bar(u64_max - 64 * KiB + 1, u64_max - 64 * KiB + 1, 64 * KiB);  // ends at U64_MAX
    EXPECT_EQ(build(m), 0);
}

TEST_F(TableBuild, EachAllocationFailureIsEnomem) {
    const auto m = two_vfs();
    std::vector<xe_pfvf_table_vf> slots(m.vfs.size());
    std::vector<CfgPtr> cfgs;
    for (std::size_t i = 0; i < m.vfs.size(); i++) {
        cfgs.push_back(make_cfg(static_cast<u16>(i + 1), m.vfs[i].prov->extents, vram).ptr);
        ASSERT_TRUE(cfgs.back());
        slots[i] = {m.vfs[i].bar, cfgs.back().get()};
    }
    // The VRAM overlap check's array, the table, its CPU and its bus ranges.
    for (long nth = 1; nth <= 4; nth++) {
        const FailAlloc fail(nth);
        EXPECT_EQ(make_table(vram, slots, m.pf_bars).err, -ENOMEM) << "allocation " << nth;
    }
    // There is no fifth.
    const FailAlloc fail(5);
    EXPECT_EQ(make_table(vram, slots, m.pf_bars).err, 0);
}

TEST_F(TableBuild, WithoutTwoExtentsThereIsNoOverlapArray) {
    const auto cfg = make_cfg(1, Extents{{0, G}}, vram);
    ASSERT_TRUE(cfg);
    std::vector<xe_pfvf_table_vf> slots(1);
    slots[0].cfg = cfg.ptr.get();
    for (long nth = 1; nth <= 3; nth++) {
        const FailAlloc fail(nth);
        EXPECT_EQ(make_table(vram, slots).err, -ENOMEM) << nth;
    }
    const FailAlloc fail(4);
    EXPECT_EQ(make_table(vram, slots).err, 0);
}

/* ---- differential property test against the reference ---- */

TEST(CoreProperty, RandomTablesAndRequestsMatchTheReference) {
    harness::MtSource src(0x9e3779b97f4a7c15ULL);
    const harness::Limits lim;  // 1..63 VFs, 1..512 extents
    harness::Stats stats;
    constexpr std::uint64_t want = 30000;
    constexpr unsigned sessions = 40;
    while (stats.requests < want) {
        const std::string err = harness::run_case(src, lim, sessions, stats);
        ASSERT_EQ(err, "") << "after " << stats.requests << " requests";
    }
    std::cout << "[ stats    ] " << stats.models << " models (" << stats.build_errs << " refused), "
              << stats.requests << " requests, " << stats.multi_extent << " multi-extent, " << stats.coalesced
              << " coalesced\n[ stats    ]";
    for (const auto& [err, n] : stats.errs) {
        std::cout << " " << errno_name(err) << ":" << n;
    }
    std::cout << "\n";
    // Every outcome of the DOC table shows up.
    for (const int err : {0, -EINVAL, -EOVERFLOW, -EDOM, -ENOENT, -EADDRNOTAVAIL, -EPERM, -EXDEV, -ENXIO, -ENODEV,
                          -ERANGE, -E2BIG}) {
        EXPECT_GT(stats.errs[err], 0U) << errno_name(err);
    }
    EXPECT_GT(stats.multi_extent, 0U);
    EXPECT_GT(stats.coalesced, 0U);
    EXPECT_GT(stats.build_errs, 0U);
}

}  // namespace

/* ---- xe_pfvf_table_xlate_cursor() ---- */

namespace {

// VF1: CPU 0x10000000 / bus 0x20000000, VF2: CPU 0x30000000 / bus
// 0x10000000: VF1's CPU range and VF2's bus range share numbers.
struct CursorPf {
    std::array<xe_pfvf_extent, 4> e1{{{0x3000, G}, {0x0, G}, {0x1000, G}, {0x8000, G}}};
    xe_pfvf_extent e2{0x100000, 0x10000};
    xe_pfvf_vf_cfg* c1 = nullptr;
    xe_pfvf_vf_cfg* c2 = nullptr;
    xe_pfvf_table* t = nullptr;

    CursorPf() {
        const xe_pfvf_provision p1{4 * G, e1.data(), static_cast<unsigned int>(e1.size()), nullptr};
        const xe_pfvf_provision p2{0x10000, &e2, 1, nullptr};
        c1 = xe_pfvf_vf_cfg_create(1, &p1, 1U << 24);
        c2 = xe_pfvf_vf_cfg_create(2, &p2, 1U << 24);
        const std::array<xe_pfvf_table_vf, 2> slots{{{{0x10000000, 0x20000000, 0x10000}, c1},
                                                     {{0x30000000, 0x10000000, 0x10000}, c2}}};
        t = xe_pfvf_table_build(2, 1U << 24, slots.data(), nullptr, 0);
    }
    ~CursorPf() {
        xe_pfvf_table_free(t);
        xe_pfvf_vf_cfg_free(c1);
        xe_pfvf_vf_cfg_free(c2);
    }
    CursorPf(const CursorPf&) = delete;
    CursorPf& operator=(const CursorPf&) = delete;
    CursorPf(CursorPf&&) = delete;
    CursorPf& operator=(CursorPf&&) = delete;
};

}  // namespace

TEST(XlateCursor, RangeIsNotReusedAcrossSpaces) {
    const CursorPf pf;
    ASSERT_TRUE(pf.t != nullptr && pf.c1 != nullptr && pf.c2 != nullptr);
    std::array<xe_pfvf_extent, 4> out{};
    xe_pfvf_cursor cur{};
    xe_pfvf_xlate_res r1{};
    r1.ext = out.data();
    r1.max = 4;
    const auto cpu = req(XE_PFVF_SPACE_CPU, 0, 0x10000000, G);
    ASSERT_EQ(xe_pfvf_table_xlate_cursor(pf.t, &cpu, &r1, &cur), 0);
    EXPECT_EQ(r1.vfid, 1);
    xe_pfvf_xlate_res r2{};
    r2.ext = out.data();
    r2.max = 4;
    // The same number as a bus address is VF2's: the cached CPU range of
    // VF1 must not answer it.
    const auto bus = req(XE_PFVF_SPACE_BUS, 0, 0x10000000, G);
    ASSERT_EQ(xe_pfvf_table_xlate_cursor(pf.t, &bus, &r2, &cur), 0);
    EXPECT_EQ(r2.vfid, 2);
    EXPECT_EQ(out[0].start, 0x100000U);
}

TEST(XlateCursor, PageByPageWalkEqualsOneCall) {
    const CursorPf pf;
    ASSERT_TRUE(pf.t != nullptr && pf.c1 != nullptr && pf.c2 != nullptr);
    std::array<xe_pfvf_extent, 8> whole{};
    std::array<xe_pfvf_extent, 8> paged{};
    xe_pfvf_xlate_res rw{};
    rw.ext = whole.data();
    rw.max = 8;
    const auto all = req(XE_PFVF_SPACE_CPU, 0, 0x10000000, 4 * G);
    ASSERT_EQ(xe_pfvf_table_xlate(pf.t, &all, &rw), 0);
    xe_pfvf_xlate_res rp{};
    rp.ext = paged.data();
    rp.max = 8;
    xe_pfvf_cursor cur{};
    for (u64 page = 0; page < 4; page++) {
        const auto one = req(XE_PFVF_SPACE_CPU, 0, 0x10000000 + page * G, G);
        ASSERT_EQ(xe_pfvf_table_xlate_cursor(pf.t, &one, &rp, &cur), 0);
    }
    ASSERT_EQ(rp.nr, rw.nr);
    EXPECT_EQ(rp.nr, 3U);  // 0x3000, then 0x0 + 0x1000 merged, then 0x8000
    for (u32 i = 0; i < rw.nr; i++) {
        EXPECT_EQ(paged.at(i).start, whole.at(i).start);
        EXPECT_EQ(paged.at(i).size, whole.at(i).size);
    }
}

TEST(XlateCountOnly, NullArrayWithNonZeroMaxCountsOnly) {
    const CursorPf pf;
    ASSERT_TRUE(pf.t != nullptr && pf.c1 != nullptr && pf.c2 != nullptr);
    xe_pfvf_xlate_res res{};
    res.max = 4;
    const auto r = req(XE_PFVF_SPACE_LMEM, 1, 0, 4 * G);
    EXPECT_EQ(xe_pfvf_table_xlate(pf.t, &r, &res), 0);
    EXPECT_EQ(res.nr, 3U);
}

/* ---- the extent index of a config (xe_pfvf_vf_cfg.bucket) ---- */

namespace {

// What struct xe_pfvf_vf_cfg documents of its buckets: at most two per
// extent, none smaller than a granule, the smallest size that keeps to
// that, and each names the extents holding its first and last bytes (and
// the VRAM address of its first byte when that is one extent).
void expect_buckets_sound(const xe_pfvf_vf_cfg& cfg) {
    constexpr u32 granule_shift = 12;
    static_assert(u64{1} << granule_shift == G);
    const u32 shift = cfg.bucket_shift;
    ASSERT_GE(shift, granule_shift);
    ASSERT_LT(shift, 64U);
    ASSERT_GT(cfg.quota, 0U);
    const u64 nr = ((cfg.quota - 1) >> shift) + 1;
    EXPECT_LE(nr, u64{2} * cfg.nr_extents);
    if (shift > granule_shift) {
        EXPECT_GT(((cfg.quota - 1) >> (shift - 1)) + 1, u64{2} * cfg.nr_extents) << "buckets could be smaller";
    }
    const std::span<const xe_pfvf_vf_extent> ext(&cfg.extents[0], cfg.nr_extents);
    const std::span<const xe_pfvf_lmem_bucket> bucket(cfg.bucket, nr);
    // Aligned to their size (malloc() aligns to 16): none straddles two cache lines.
    const auto at = reinterpret_cast<std::uintptr_t>(cfg.bucket);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast)
    EXPECT_EQ(at % sizeof(xe_pfvf_lmem_bucket), 0U);
    const auto holds = [&ext](u32 i, u64 off) { return ext[i].lmem <= off && off - ext[i].lmem < ext[i].size; };
    for (u64 b = 0; b < nr; b++) {
        const u64 first = b << shift;
        const u64 last = std::min(first + ((u64{1} << shift) - 1), cfg.quota - 1);
        const auto& bk = bucket[b];
        ASSERT_LE(bk.first, bk.last) << "bucket " << b;
        ASSERT_LT(bk.last, cfg.nr_extents) << "bucket " << b;
        ASSERT_TRUE(holds(bk.first, first)) << "bucket " << b;
        ASSERT_TRUE(holds(bk.last, last)) << "bucket " << b;
        if (bk.first == bk.last) {
            EXPECT_EQ(bk.vram, ext[bk.first].vram + (first - ext[bk.first].lmem)) << "bucket " << b;
        }
    }
}

// The core, with or without a cursor kept across calls, and the reference
// give the same answer for @r (each call into a fresh result).
void expect_same(const Pf& pf, const xe_pfvf_xlate_req& r, xe_pfvf_cursor* cur = nullptr) {
    SCOPED_TRACE(harness::describe(r));
    ref::Result rr;
    const int re = ref::xlate(pf.model, r, rr);
    const Translation t = translate(pf.table(), r);
    ASSERT_EQ(errno_name(t.err), errno_name(re));
    if (re == 0) {
        ASSERT_EQ(t.ext, rr.ext);
    }
    if (cur != nullptr) {
        std::vector<xe_pfvf_extent> buf(rr.ext.size() + 1);
        xe_pfvf_xlate_res res{};
        res.ext = buf.data();
        res.max = static_cast<u32>(buf.size());
        ASSERT_EQ(errno_name(xe_pfvf_table_xlate_cursor(&pf.table(), &r, &res, cur)), errno_name(re));
        if (re == 0) {
            buf.resize(res.nr);
            ASSERT_EQ(buf, rr.ext);
        }
    }
}

/*
 * VF1: 32 MiB, 300 single pages (in reverse VRAM order), 16 MiB, then 100
 * extents of two pages: 64 KiB buckets, some spanning 16 extents, most
 * inside one.  VF2: one 64 KiB extent.  SR-IOV BARs of 64 MiB.
 */
ref::Model uneven_model() {
    constexpr u32 singles = 300;
    constexpr u32 doubles = 100;
    ref::Model m;
    m.vram_size = 512 * MiB;
    m.vfs.resize(2);
    Extents e1{{0, 32 * MiB}};
    for (u32 i = 0; i < singles; i++) {
        e1.push_back({256 * MiB + u64{singles - i} * 2 * G, G});
    }
    e1.push_back({64 * MiB, 16 * MiB});
    for (u32 i = 0; i < doubles; i++) {
        e1.push_back({320 * MiB + u64{i} * 3 * G, 2 * G});
    }
    m.vfs[0].prov = prov(std::move(e1));
    m.vfs[0].bar = bar(cpu0, cpu0 + bus_off, 64 * MiB);
    m.vfs[1].prov = prov({{448 * MiB, 64 * KiB}});
    m.vfs[1].bar = bar(cpu0 + 64 * MiB, cpu0 + 64 * MiB + bus_off, 64 * MiB);
    return m;
}

}  // namespace

TEST(LmemBuckets, IndexHoldsWhatTheConfigDocuments) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    for (const auto& cfg : pf.core.cfgs) {
        ASSERT_TRUE(cfg);
        expect_buckets_sound(*cfg);
    }
    EXPECT_EQ(pf.core.cfgs[0]->bucket_shift, 16U);
}

TEST(LmemBuckets, UnevenExtentsMatchTheReferenceAtEveryPage) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const u64 quota = pf.model.vfs[0].prov->quota;
    std::vector<u64> pages(quota / G);
    for (u64 p = 0; p < pages.size(); p++) {
        pages[p] = p;
    }
    std::mt19937_64 rng(7);
    std::shuffle(pages.begin(), pages.end(), rng);
    xe_pfvf_cursor cur{};  // kept across calls: its hint is anywhere
    for (const u64 p : pages) {
        ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + p * G, G), &cur));
        ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_LMEM, 1, p * G, G)));
    }
    // Ranges across extents, starting anywhere in a page.
    std::uniform_int_distribution<u64> page(0, pages.size() - 1);
    std::uniform_int_distribution<u64> len(1, 64 * G);
    for (int i = 0; i < 2000; i++) {
        const u64 addr = page(rng) * G + page(rng) % G;
        ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + addr, len(rng)), &cur));
    }
}

TEST(LmemBuckets, CursorWalksThroughWideBucketsLikeOneCall) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const u64 quota = pf.model.vfs[0].prov->quota;
    const Translation whole = translate(pf.table(), req(XE_PFVF_SPACE_CPU, 0, cpu0, quota));
    ASSERT_EQ(whole.err, 0);
    std::vector<xe_pfvf_extent> paged(whole.ext.size());
    xe_pfvf_xlate_res res{};
    res.ext = paged.data();
    res.max = static_cast<u32>(paged.size());
    xe_pfvf_cursor cur{};
    for (u64 off = 0; off < quota; off += G) {
        const auto one = req(XE_PFVF_SPACE_CPU, 0, cpu0 + off, G);
        ASSERT_EQ(xe_pfvf_table_xlate_cursor(&pf.table(), &one, &res, &cur), 0) << off;
    }
    EXPECT_EQ(res.nr, whole.ext.size());
    EXPECT_EQ(paged, whole.ext);
}

TEST(LmemBuckets, MostExtentsIndexTheLastOne) {
    constexpr u32 n = XE_PFVF_MAX_EXTENTS;
    Extents ext(n);
    for (u32 i = 0; i < n; i++) {
        ext[i] = {u64{n - 1 - i} * 2 * G, G};  // reverse order, nothing coalesces
    }
    ref::Model m;
    m.vram_size = u64{2} * n * G;
    m.vfs.resize(1);
    m.vfs[0].prov = prov(std::move(ext));
    m.vfs[0].bar = bar(cpu0, cpu0 + bus_off, u64{n} * G);
    const Pf pf{std::move(m)};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    expect_buckets_sound(*pf.core.cfgs[0]);
    EXPECT_EQ(pf.core.cfgs[0]->bucket_shift, 12U);
    for (const u64 p : {u64{0}, u64{1}, u64{n} / 2, u64{n} - 2, u64{n} - 1}) {
        ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + p * G, G)));
    }
    ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_CPU, 0, cpu0 + (n - 3) * G, 3 * G)));
}

TEST(LmemBuckets, HugeQuotaKeepsTheIndexSmall) {
    // 1 TiB in three extents: 4 buckets of 256 GiB (at most 6), the first
    // spanning the one-page extent and the next, the last the 1 TiB - 8 KiB
    // one and the last page.
    constexpr u64 TiB = GiB * 1024;
    ref::Model m;
    m.vram_size = 2 * TiB;
    m.vfs.resize(1);
    m.vfs[0].prov = prov({{TiB + 4 * G, G}, {0, TiB - 2 * G}, {TiB, G}});
    m.vfs[0].bar = bar(16 * TiB, 32 * TiB, TiB);
    const Pf pf{std::move(m)};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const auto& cfg = *pf.core.cfgs[0];
    expect_buckets_sound(cfg);
    EXPECT_EQ(cfg.bucket_shift, 38U);
    for (const u64 off : {u64{0}, G, 2 * G, TiB / 2, TiB - 2 * G, TiB - G}) {
        ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_CPU, 0, 16 * TiB + off, G)));
    }
    ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_LMEM, 1, 0, 3 * G)));
    ASSERT_NO_FATAL_FAILURE(expect_same(pf, req(XE_PFVF_SPACE_LMEM, 1, TiB - 3 * G, 3 * G)));
}

/* ---- xe_pfvf_table_xlate_runs() ---- */

namespace {

struct RunsResult {
    int err = 0;
    unsigned done = 0;
    Extents ext;
    u64 bytes = 0;
};

RunsResult xlate_runs(const Pf& pf, u32 space, u16 vfid, const Extents& runs, u32 max = 256) {
    Extents buf(max);
    xe_pfvf_xlate_res res{};
    res.ext = buf.data();
    res.max = max;
    xe_pfvf_cursor cur{};
    RunsResult r;
    r.err = xe_pfvf_table_xlate_runs(&pf.table(), space, vfid, runs.data(), static_cast<unsigned>(runs.size()), &res,
                                     &cur, &r.done);
    buf.resize(std::min(res.nr, max));
    r.ext = buf;
    r.bytes = res.bytes;
    return r;
}

// The reference's translation of @runs one after the other into one list,
// coalescing across runs as an accumulating result does.
Extents reference_runs(const Pf& pf, u32 space, const Extents& runs) {
    Extents all;
    for (const auto& run : runs) {
        ref::Result rr;
        EXPECT_EQ(ref::xlate(pf.model, req(space, 0, run.start, run.size), rr), 0);
        for (const auto& e : rr.ext) {
            if (!all.empty() && all.back().start + all.back().size == e.start) {
                all.back().size += e.size;
            } else {
                all.push_back(e);
            }
        }
    }
    return all;
}

class XlateRunsBasic : public ::testing::Test {
protected:
    Pf pf{basic_model()};
};

}  // namespace

TEST_F(XlateRunsBasic, StopAtTheFirstFailingRunWithItsErrno) {
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const Extents good{{cpu0 + 8 * KiB, G}, {cpu0, 2 * G}};
    const Extents want = reference_runs(pf, XE_PFVF_SPACE_CPU, good);
    struct Case {
        xe_pfvf_extent run;
        int err;
    };
    const std::array<Case, 10> cases{{
        {{cpu0 + 28 * KiB, G}, -ERANGE},       // VF1's BAR past its quota
        {{cpu0 + 24 * KiB, 2 * G}, -ERANGE},   // across the end of the quota
        {{cpu0 + 32 * KiB, G}, -EXDEV},        // VF2's BAR
        {{cpu0 + 1 * MiB, G}, -EXDEV},         // VF3's
        {{0x5000'0000, G}, -EPERM},            // the PF's BAR
        {{cpu0 + 16 * MiB, G}, -EADDRNOTAVAIL},
        {{cpu0, 0}, -EINVAL},
        {{u64_max - G + 2, G}, -EOVERFLOW},
        {{cpu0 + 28 * KiB, 8 * KiB}, -ENXIO},  // past the end of the BAR
        {{cpu0 + 12 * KiB, G}, 0},
    }};
    for (const auto& c : cases) {
        SCOPED_TRACE(::testing::Message() << std::hex << c.run.start << " +" << c.run.size);
        Extents runs = good;
        runs.push_back(c.run);
        runs.push_back({cpu0 + 4 * KiB, G});
        const RunsResult r = xlate_runs(pf, XE_PFVF_SPACE_CPU, 0, runs);
        EXPECT_EQ(errno_name(r.err), errno_name(c.err));
        if (c.err != 0) {
            EXPECT_EQ(r.done, 2U);
            EXPECT_EQ(r.ext, want) << "the runs before the failing one, and nothing else";
        } else {
            EXPECT_EQ(r.done, runs.size());
            EXPECT_EQ(r.ext, reference_runs(pf, XE_PFVF_SPACE_CPU, runs));
        }
    }
}

TEST_F(XlateRunsBasic, StopAtTheEndOfABarSmallerThanTheQuota) {
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    // VF5: 32 KiB of LMEM behind an 8 KiB BAR at cpu0 + 2 MiB.
    const u64 b5 = cpu0 + 2 * MiB;
    RunsResult r = xlate_runs(pf, XE_PFVF_SPACE_CPU, 5, {{b5 + G, G}, {b5, G}, {b5 + G, 2 * G}});
    EXPECT_EQ(errno_name(r.err), "-ENXIO");
    EXPECT_EQ(r.done, 2U);
    r = xlate_runs(pf, XE_PFVF_SPACE_CPU, 5, {{b5 + G, G}, {b5, G}, {b5 + 2 * G, G}});
    EXPECT_EQ(errno_name(r.err), "-EADDRNOTAVAIL");
    EXPECT_EQ(r.done, 2U);
    // On behalf of VF5, VF1's BAR is another VF's, even first.
    r = xlate_runs(pf, XE_PFVF_SPACE_CPU, 5, {{cpu0, G}});
    EXPECT_EQ(errno_name(r.err), "-EXDEV");
    EXPECT_EQ(r.done, 0U);
}

TEST_F(XlateRunsBasic, InBusSpaceAndOtherSpaces) {
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const Extents bus{{cpu0 + bus_off + 8 * KiB, G}, {cpu0 + bus_off, 3 * G}, {cpu0 + bus_off + 12 * KiB, 4 * G}};
    const RunsResult r = xlate_runs(pf, XE_PFVF_SPACE_BUS, 1, bus);
    EXPECT_EQ(r.err, 0);
    EXPECT_EQ(r.done, 3U);
    EXPECT_EQ(r.ext, reference_runs(pf, XE_PFVF_SPACE_BUS, bus));
    EXPECT_EQ(r.bytes, 8 * G);
    for (const u32 space : {u32{XE_PFVF_SPACE_LMEM}, u32{XE_PFVF_SPACE_BAR}, u32{XE_PFVF_SPACE_IOVA}, u32{99}}) {
        const RunsResult e = xlate_runs(pf, space, 1, {{0, G}});
        EXPECT_EQ(errno_name(e.err), "-EINVAL") << space;
        EXPECT_EQ(e.done, 0U);
        EXPECT_TRUE(e.ext.empty());
    }
}

TEST(XlateRuns, PagesInAnyOrderEqualOneCallPerRun) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const u64 quota = pf.model.vfs[0].prov->quota;
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<u64> page(0, quota / G - 1);
    std::uniform_int_distribution<u64> pages(1, 8);
    std::vector<xe_pfvf_xlate_req> reqs;
    Extents runs;
    for (int i = 0; i < 4000; i++) {
        const u64 p = page(rng);
        const u64 len = std::min(pages(rng), quota / G - p) * G;
        // Mostly page-aligned, as IOMMU pages are; sometimes not.
        const u64 skew = i % 16 == 0 ? page(rng) % G : 0;
        runs.push_back({cpu0 + p * G + skew, len - skew});
        reqs.push_back(req(XE_PFVF_SPACE_CPU, 1, runs.back().start, runs.back().size));
    }
    const RunsResult r = xlate_runs(pf, XE_PFVF_SPACE_CPU, 1, runs, 1U << 16);
    ASSERT_EQ(r.err, 0);
    EXPECT_EQ(r.done, runs.size());
    EXPECT_EQ(r.ext, reference_runs(pf, XE_PFVF_SPACE_CPU, runs));
    u64 bytes = 0;
    for (const auto& run : runs) {
        bytes += run.size;
    }
    EXPECT_EQ(r.bytes, bytes);
    // And against the cursor run by run, with an array too small: -E2BIG
    // after counting every run.
    for (const u32 max : {0U, 7U, 1U << 16}) {
        EXPECT_EQ(harness::compare_runs(pf.table(), reqs, max), "") << max;
    }
    const RunsResult small = xlate_runs(pf, XE_PFVF_SPACE_CPU, 1, runs, 7);
    EXPECT_EQ(errno_name(small.err), "-E2BIG");
    EXPECT_EQ(small.done, runs.size());
    EXPECT_EQ(small.bytes, bytes);
}

/* ---- xe_pfvf_runs_add(): runs inline in the BAR of a checked one ---- */

namespace {

// Ranges translated one by one through xe_pfvf_runs_add(), as the kernel's
// IOVA walk hands them over.
struct Runs {
    Extents buf;
    xe_pfvf_xlate_res res{};
    xe_pfvf_runs rs{};

    Runs(const xe_pfvf_table& table, u32 space, u16 vfid, u32 max = 4096) : buf(max) {
        res.ext = buf.data();
        res.max = max;
        xe_pfvf_runs_begin(&rs, &table, space, vfid, &res);
    }
    Runs(const Runs&) = delete;
    Runs& operator=(const Runs&) = delete;
    Runs(Runs&&) = delete;
    Runs& operator=(Runs&&) = delete;
    ~Runs() = default;

    int add(u64 start, u64 len) { return xe_pfvf_runs_add(&rs, start, len); }
    [[nodiscard]] Extents ext() const { return {buf.begin(), buf.begin() + std::min(res.nr, res.max)}; }
};

}  // namespace

// The first range goes through every check; then the state covers the VF's
// BAR up to the end of the BAR or of the quota, whichever comes first.
TEST_F(XlateRunsBasic, ACheckedRunOpensItsBarUpToTheQuotaOrTheBarEnd) {
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    Runs vf1(pf.table(), XE_PFVF_SPACE_CPU, 0);
    EXPECT_EQ(vf1.rs.span, 0U);
    ASSERT_EQ(vf1.add(cpu0 + 8 * KiB, G), 0);
    EXPECT_EQ(vf1.rs.base, cpu0);
    EXPECT_EQ(vf1.rs.span, 28 * KiB) << "VF1: 28 KiB of quota behind a 32 KiB BAR";
    EXPECT_EQ(vf1.rs.bucket, pf.core.cfgs[0]->bucket);
    EXPECT_EQ(vf1.rs.bucket_shift, pf.core.cfgs[0]->bucket_shift);

    Runs vf5(pf.table(), XE_PFVF_SPACE_BUS, 5);
    ASSERT_EQ(vf5.add(cpu0 + bus_off + 2 * MiB, G), 0);
    EXPECT_EQ(vf5.rs.base, cpu0 + bus_off + 2 * MiB);
    EXPECT_EQ(vf5.rs.span, 8 * KiB) << "VF5: 32 KiB of quota behind an 8 KiB BAR";

    // Failures leave the state as it was.
    EXPECT_EQ(vf1.add(cpu0 + 32 * KiB, G), -EXDEV);
    EXPECT_EQ(vf1.rs.base, cpu0);
    EXPECT_EQ(vf1.rs.span, 28 * KiB);
    EXPECT_EQ(xe_pfvf_runs_end(&vf1.rs), 0);
}

// Whatever the inline path does not cover goes through every check, with
// its errno, after a range of VF1 has opened VF1's BAR.
TEST_F(XlateRunsBasic, RunsOutsideTheOpenBarAreChecked) {
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    struct Case {
        xe_pfvf_extent run;
        int err;
    };
    const std::array<Case, 10> cases{{
        {{cpu0 + 28 * KiB, G}, -ERANGE},        // the BAR's tail, past the quota
        {{cpu0 + 24 * KiB, G + 1}, -ERANGE},    // across the end of the quota
        {{cpu0 + 24 * KiB, 2 * G}, -ERANGE},
        {{cpu0 + 28 * KiB, 8 * KiB}, -ENXIO},   // past the end of the BAR
        {{cpu0 - G, G}, -EADDRNOTAVAIL},         // just below the BAR
        {{cpu0 - G, 2 * G}, -EADDRNOTAVAIL},     // from below into it
        {{0x5000'0000, G}, -EPERM},              // the PF's BAR, below
        {{cpu0 + 32 * KiB, G}, -EXDEV},          // VF2's, right after
        {{cpu0 + 4 * KiB, 0}, -EINVAL},
        {{u64_max - G + 2, G}, -EOVERFLOW},
    }};
    for (const auto& c : cases) {
        SCOPED_TRACE(::testing::Message() << std::hex << c.run.start << " +" << c.run.size);
        Runs r(pf.table(), XE_PFVF_SPACE_CPU, 0);
        ASSERT_EQ(r.add(cpu0 + 20 * KiB, G), 0);
        const Extents before = r.ext();
        EXPECT_EQ(errno_name(r.add(c.run.start, c.run.size)), errno_name(c.err));
        EXPECT_EQ(r.ext(), before);
        EXPECT_EQ(r.res.bytes, G);
    }
}

// Inside the open BAR, runs within one bucket of one extent (the inline
// path), across buckets and extents (checked), unaligned, and coalescing
// across runs, against the reference.
TEST(XlateRunsInline, RunsInTheOpenBarMatchTheReference) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const u64 bucket = u64{1} << pf.core.cfgs[0]->bucket_shift;
    const u64 quota = pf.model.vfs[0].prov->quota;
    const Extents runs{
        {cpu0 + 5 * G, G},                       // in the 32 MiB extent
        {cpu0 + 6 * G, G},                       // coalesces with the one before
        {cpu0 + bucket - G, 2 * G},              // across two buckets of one extent
        {cpu0 + 32 * MiB, G},                    // a 4 KiB extent: a bucket over several
        {cpu0 + 32 * MiB + 2 * G, 3 * G},        // across extents
        {cpu0 + 3 * bucket + 100, 2 * G - 200},  // unaligned, inside a bucket
        {cpu0 + 7 * G + 1, 1},                   // one byte
        {cpu0 + quota - G, G},                   // the last page of the quota
        {cpu0, 32 * MiB},                        // the whole first extent
        {cpu0 + 40 * MiB, 4 * G},                // in the 16 MiB extent
    };
    Runs r(pf.table(), XE_PFVF_SPACE_CPU, 1);
    for (const auto& run : runs) {
        ASSERT_EQ(r.add(run.start, run.size), 0) << std::hex << run.start << " +" << run.size;
    }
    EXPECT_EQ(xe_pfvf_runs_end(&r.rs), 0);
    EXPECT_EQ(r.ext(), reference_runs(pf, XE_PFVF_SPACE_CPU, runs));
    u64 bytes = 0;
    for (const auto& run : runs) {
        bytes += run.size;
    }
    EXPECT_EQ(r.res.bytes, bytes);
}

// Once a range has opened the BAR, any range inside it and inside the quota
// is translated without the table: inline inside one bucket of one extent,
// out of line across buckets and extents.  Take the table away and they
// still translate, exactly.
TEST(XlateRunsInline, RunsInsideTheOpenBarNeedNoTable) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    const u64 quota = pf.model.vfs[0].prov->quota;
    std::mt19937_64 rng(5);
    std::uniform_int_distribution<u64> page(0, quota / G - 1);
    Extents runs{{cpu0 + 32 * MiB - G, G}};
    for (u64 i = 0; i < 4000; i++) {
        const u64 off = page(rng) * G;
        const u64 len = std::min<u64>((i % 5 + 1) * G, quota - off);
        runs.push_back({cpu0 + off, len});
    }
    Runs r(pf.table(), XE_PFVF_SPACE_CPU, 0, 1U << 15);
    ASSERT_EQ(r.add(runs[0].start, runs[0].size), 0);
    r.rs.table = nullptr;  // the checked path would fault
    for (std::size_t i = 1; i < runs.size(); i++) {
        ASSERT_EQ(r.add(runs[i].start, runs[i].size), 0) << i;
    }
    EXPECT_EQ(xe_pfvf_runs_end(&r.rs), 0);
    EXPECT_EQ(r.ext(), reference_runs(pf, XE_PFVF_SPACE_CPU, runs));
    EXPECT_EQ(r.res.vfid, 1);
}

// A result counts on past a full array through the inline path too.
TEST(XlateRunsInline, FullArrayCountsOnAndEndsE2big) {
    const Pf pf{uneven_model()};
    ASSERT_TRUE(pf.core.table) << errno_name(pf.core.err);
    Runs r(pf.table(), XE_PFVF_SPACE_CPU, 1, 3);
    // Pages 0, 2, 4, ... of the first extent: one extent each.
    for (u64 p = 0; p < 20; p += 2) {
        ASSERT_EQ(r.add(cpu0 + p * G, G), 0);
    }
    EXPECT_EQ(errno_name(xe_pfvf_runs_end(&r.rs)), "-E2BIG");
    EXPECT_EQ(r.res.nr, 10U);
    EXPECT_EQ(r.res.bytes, 10 * G);
    const Extents want{{0, G}, {2 * G, G}, {4 * G, G}};
    EXPECT_EQ(r.ext(), want);
}

// Beginning again on another table forgets the open BAR: a VF provisioned
// again in between is -EAGAIN even where the old table's BAR was open.
TEST_F(XlateRunsBasic, BegunOnAnotherTableTheyCheckAgain) {
    Pf again(basic_model());
    ASSERT_TRUE(again.core.table);
    again.core.cfgs[1]->generation = pf.core.cfgs[1]->generation + 1;
    xe_pfvf_xlate_res res{};
    xe_pfvf_runs rs{};
    xe_pfvf_runs_begin(&rs, &pf.table(), XE_PFVF_SPACE_CPU, 2, &res);
    ASSERT_EQ(xe_pfvf_runs_add(&rs, cpu0 + 32 * KiB, G), 0);
    ASSERT_EQ(xe_pfvf_runs_add(&rs, cpu0 + 36 * KiB, G), 0);
    xe_pfvf_runs_begin(&rs, &again.table(), XE_PFVF_SPACE_CPU, 2, &res);
    EXPECT_EQ(rs.span, 0U);
    EXPECT_EQ(xe_pfvf_runs_add(&rs, cpu0 + 40 * KiB, G), -EAGAIN);
    EXPECT_EQ(res.bytes, 2 * G);
}

// LMEM and BAR offsets have no range to open: -EINVAL, as for the batch call.
TEST_F(XlateRunsBasic, OneByOneInOtherSpacesAreEinval) {
    for (const u32 space : {u32{XE_PFVF_SPACE_LMEM}, u32{XE_PFVF_SPACE_BAR}, u32{XE_PFVF_SPACE_IOVA}}) {
        xe_pfvf_xlate_res res{};
        xe_pfvf_runs rs{};
        xe_pfvf_runs_begin(&rs, &pf.table(), space, 1, &res);
        EXPECT_EQ(xe_pfvf_runs_add(&rs, 0, G), -EINVAL) << space;
        EXPECT_EQ(xe_pfvf_runs_add(&rs, 0, G), -EINVAL) << space;
        EXPECT_EQ(res.nr, 0U);
    }
}
