// SPDX-License-Identifier: GPL-2.0-only
// libFuzzer target: the fuzz bytes pick a PF (VFs, extents in any VRAM
// order, BARs in CPU and bus space, sometimes a broken provisioning) and a
// series of translation requests; the core must agree with the reference
// model on every errno and extent, and never produce an extent outside the
// VF's own VRAM or a byte count other than the length asked for.  Aborts on
// any difference.  See tools/core/README.md.
#include "harness.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <span>
#include <string>

namespace {

xe_pfvf::harness::Limits fuzz_limits() {
    xe_pfvf::harness::Limits lim;
    lim.max_vfs = 16;
    lim.max_extents = 64;
    lim.max_extent_pages = 4;
    lim.max_pf_bars = 3;
    lim.max_walk_pages = 64;
    lim.faults_per_1000 = 50;
    lim.max_calls = 3;
    return lim;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const xe_pfvf::harness::Limits lim = fuzz_limits();
    constexpr unsigned sessions = 16;
    xe_pfvf::harness::ByteSource src(std::span<const std::uint8_t>(data, size));
    xe_pfvf::harness::Stats stats;
    const std::string err = xe_pfvf::harness::run_case(src, lim, sessions, stats);
    if (!err.empty()) {
        std::cerr << "xlate_fuzz: the core and the reference disagree:\n" << err << std::endl;
        std::abort();
    }
    return 0;
}
