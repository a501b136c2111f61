#include "expected.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace xe_pfvf::guest {

void append_coalesced(std::vector<VramExtent>& out, VramExtent extent) {
    if (extent.size == 0) {
        return;
    }
    if (!out.empty() && out.back().start + out.back().size == extent.start) {
        out.back().size += extent.size;
        return;
    }
    out.push_back(extent);
}

std::vector<VramExtent> expected_extents(std::span<const LmemExtent> extents,
                                         std::span<const LmemRange> ranges) {
    std::vector<VramExtent> out;
    for (const LmemRange& range : ranges) {
        const std::uint64_t end = range.offset + range.length;
        std::uint64_t covered = 0;
        // Every extent, in LMEM order; keep the part inside the range.
        for (const LmemExtent& e : extents) {
            const std::uint64_t lo = std::max(range.offset, e.lmem);
            const std::uint64_t hi = std::min(end, e.lmem + e.size);
            if (lo < hi) {
                append_coalesced(out, VramExtent{.start = e.vram + (lo - e.lmem), .size = hi - lo});
                covered += hi - lo;
            }
        }
        if (range.length == 0 || end < range.offset || covered != range.length) {
            throw std::out_of_range("LMEM range " + std::to_string(range.offset) + "+" +
                                    std::to_string(range.length) + " is not inside the VF's extents");
        }
    }
    return out;
}

std::vector<VramExtent> expected_extents(std::span<const LmemExtent> extents, LmemRange range) {
    return expected_extents(extents, std::span<const LmemRange>(&range, 1));
}

}  // namespace xe_pfvf::guest
