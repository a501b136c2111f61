#pragma once

// The stress run's judgements, pure functions of what it read: the pages
// an importer read through a VF's dma-buf, and the kernel log lines seen
// meanwhile.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::stress {

inline constexpr std::uint64_t page_size = 4096;

/// What the pages of one read were.
struct PageCheck {
    std::uint64_t tagged = 0;     ///< tag naming the buffer's VF and the page's LMEM offset
    std::uint64_t untagged = 0;   ///< no tag: not filled with one (yet), or scrubbed
    std::uint64_t foreign = 0;    ///< tag naming another VF: another VF's memory
    std::uint64_t misplaced = 0;  ///< tag of the VF, but of another LMEM page
    bool size_ok = true;          ///< the read returned the whole buffer
    std::string first_bad;        ///< the first bad page (or size), described
};

/// Checks the bytes read through a dma-buf of VF @vf made of the LMEM
/// pages @page_lmem (LMEM offset of each 4 KiB page, in buffer order):
/// every page must start with no tag or with a tag naming @vf and its own
/// LMEM offset.
[[nodiscard]] PageCheck check_pages(std::span<const std::byte> data, unsigned vf,
                                    std::span<const std::uint64_t> page_lmem);

/// What the kernel log said during the run.
struct KernelLog {
    std::uint64_t splats = 0;            ///< WARN, BUG, oops, KASAN, UBSAN, lockdep, refcount, RCU stalls
    std::uint64_t hung_tasks = 0;        ///< "INFO: task ... blocked for more than"
    std::uint64_t leaks = 0;             ///< kmemleak
    std::uint64_t bad_mappings = 0;      ///< swpf: a mapping that does not fit the VRAM or the buffer
    std::uint64_t stuck = 0;             ///< xe_pfvf: a dma-buf not revoked in time, quarantined
    std::uint64_t unstuck = 0;           ///< xe_pfvf: its importers let go, out of quarantine
    std::uint64_t parked = 0;            ///< swpf: unprovisioned VRAM quarantined, parked
    std::uint64_t released = 0;          ///< swpf: quarantined VRAM released
    std::uint64_t freed_at_removal = 0;  ///< swpf: still quarantined when the PF went
    std::vector<std::string> bad_lines;  ///< the first splat, hang, leak and bad-mapping lines
};

/// Adds one kernel log line to @log.
void tally_kernel_line(std::string_view line, KernelLog& log);

}  // namespace xe_pfvf::stress
