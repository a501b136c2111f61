#pragma once

// The tests' own idea of what a translation must return, computed from the
// provisioning dump alone: walk the VF's extents in LMEM order, clip them to
// the requested LMEM ranges, and merge runs that are contiguous in VRAM.
// Deliberately naive (linear, no shared code with the kernel or tools/core).

#include "debugfs.hpp"

#include <cstdint>
#include <span>
#include <vector>

namespace xe_pfvf::guest {

/// A range of VF LMEM offsets.
struct LmemRange {
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

/// Appends @extent to @out, merging it into the last extent when the two
/// are contiguous in VRAM.  An empty @extent is ignored.
void append_coalesced(std::vector<VramExtent>& out, VramExtent extent);

/// The coalesced VRAM extents behind @ranges, concatenated in order (as a
/// translation of an IOVA range whose pages map those LMEM ranges in turn).
/// Throws std::out_of_range if a range is not fully inside the extents.
[[nodiscard]] std::vector<VramExtent> expected_extents(std::span<const LmemExtent> extents,
                                                       std::span<const LmemRange> ranges);

/// The same for one range.
[[nodiscard]] std::vector<VramExtent> expected_extents(std::span<const LmemExtent> extents,
                                                       LmemRange range);

}  // namespace xe_pfvf::guest
