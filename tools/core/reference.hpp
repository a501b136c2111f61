// SPDX-License-Identifier: GPL-2.0-only
// A deliberately naive reference model of the xe_pfvf translation core.
//
// It shares no code with the core: it works from the raw provisioning (not
// from the core's configs and tables), finds the owner of an address by a
// linear scan over every VF BAR and PF BAR, and walks a range one 4 KiB page
// at a time (byte-exact at unaligned ends), scanning the VF's extents
// linearly for every page.  The errnos follow the order of "DOC: translation"
// in drivers/xe_pfvf/xe_pfvf_table.c.  Used by the tests, the fuzzer and as
// the baseline of the benchmark.
#pragma once

#include "xe_pfvf_core.hpp"

#include <cstddef>
#include <optional>
#include <vector>

namespace xe_pfvf::ref {

/// A VF's provisioning as the PF driver publishes it.
struct Provision {
    u64 quota = 0;
    std::vector<xe_pfvf_extent> extents;  ///< in LMEM order
};

/// A VF slot: its LMEM BAR (size 0: not enabled) and its provisioning.
struct Vf {
    xe_pfvf_bar bar{};
    std::optional<Provision> prov;
};

/// A PF: its VRAM, its VF slots (VF n at index n - 1) and its own BARs.
struct Model {
    u64 vram_size = 0;
    std::vector<Vf> vfs;
    std::vector<xe_pfvf_bar> pf_bars;
};

/// What xe_pfvf_vf_cfg_create() returns for @prov: 0 or a negative errno
/// (never -ENOMEM).
int check_provision(u16 vfid, const Provision& prov, u64 vram_size);

/// What xe_pfvf_table_build() returns for @model, whose provisionings are
/// valid: 0 or a negative errno (never -ENOMEM).
int check_table(const Model& model);

/// An accumulated translation: every extent (no capacity limit), the bytes,
/// the VF.
struct Result {
    std::vector<xe_pfvf_extent> ext;
    u64 bytes = 0;
    u16 vfid = 0;
};

/// xe_pfvf_table_xlate() on the model: appends to @res, returns 0 or a
/// negative errno; -E2BIG when @res then holds more than @max extents, the
/// capacity of the caller's array (none: counting only, never -E2BIG).  On
/// any other error @res is unchanged.
int xlate(const Model& model, const xe_pfvf_xlate_req& req, Result& res,
          std::optional<std::size_t> max = std::nullopt);

}  // namespace xe_pfvf::ref
