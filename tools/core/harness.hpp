// SPDX-License-Identifier: GPL-2.0-only
// Differential testing of the core against the reference model: random
// models and requests from a source of numbers (a seeded PRNG for the
// property test, the fuzz bytes for the fuzzer), and the comparison.
#pragma once

#include "reference.hpp"
#include "xe_pfvf_core.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <span>
#include <string>
#include <vector>

namespace xe_pfvf::harness {

/// Where the generators get their numbers from.
class Source {
public:
    Source() = default;
    Source(const Source&) = delete;
    Source& operator=(const Source&) = delete;
    Source(Source&&) = delete;
    Source& operator=(Source&&) = delete;
    virtual ~Source() = default;

    /// A number in [lo, hi].
    virtual u64 range(u64 lo, u64 hi) = 0;
    /// True with probability about @num / @den.
    bool chance(u64 num, u64 den) { return range(0, den - 1) < num; }
    /// True once the source has nothing more to say (fuzz bytes used up).
    [[nodiscard]] virtual bool exhausted() const { return false; }
};

/// Numbers from a seeded std::mt19937_64.
class MtSource final : public Source {
public:
    explicit MtSource(std::uint64_t seed) : rng_(seed) {}
    u64 range(u64 lo, u64 hi) override { return std::uniform_int_distribution<u64>(lo, hi)(rng_); }

private:
    std::mt19937_64 rng_;
};

/// Numbers from fuzz bytes: each takes as many bytes as its range needs;
/// once the bytes run out, every number is @lo.
class ByteSource final : public Source {
public:
    explicit ByteSource(std::span<const std::uint8_t> data) : data_(data) {}
    u64 range(u64 lo, u64 hi) override;
    [[nodiscard]] bool exhausted() const override { return pos_ >= data_.size(); }

private:
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

/// Bounds of the generated models and requests.
struct Limits {
    u32 max_vfs = 63;
    u32 max_extents = 512;       ///< per VF
    u32 max_extent_pages = 8;    ///< 4 KiB pages per extent
    u32 max_pf_bars = 3;
    u64 max_walk_pages = 1024;   ///< most pages a translation that can succeed covers
    u32 faults_per_1000 = 30;    ///< models with a provisioning or table error
    u32 max_calls = 3;           ///< requests accumulated into one result
};

ref::Model gen_model(Source& src, const Limits& lim);
/// A request, about VF @target (0: a random one) when it is in a VF's terms.
xe_pfvf_xlate_req gen_req(Source& src, const ref::Model& model, const Limits& lim, u16 target = 0);
/// A capacity for a result: 0 (no array, counting only), small, or plenty.
u32 gen_max(Source& src);

/// The core's configs and table for a model, or the errno that stopped it.
struct Core {
    std::vector<CfgPtr> cfgs;  ///< by VF, null when not provisioned
    TablePtr table;
    int err = 0;
    bool in_cfg = false;  ///< err came from xe_pfvf_vf_cfg_create()
};

Core build_core(const ref::Model& model);

/// Counters of a differential run.
struct Stats {
    std::map<int, std::uint64_t> errs;  ///< by errno (0: success)
    std::uint64_t requests = 0;
    std::uint64_t multi_extent = 0;     ///< successes with more than one extent
    std::uint64_t coalesced = 0;        ///< successes merging extents
    std::uint64_t models = 0;
    std::uint64_t build_errs = 0;
};

/// Empty if the core builds @model as the reference says (same errno).
std::string compare_build(const ref::Model& model, const Core& core);

/// Runs @reqs into one result of capacity @max, through the core and the
/// reference: empty if they agree and the core's output is sound, else what
/// went wrong.
std::string compare_xlate(const ref::Model& model, const xe_pfvf_table& table,
                          std::span<const xe_pfvf_xlate_req> reqs, u32 max, Stats& stats);

/// The same @reqs as runs (the first one's space, CPU unless it is bus, and
/// VF for all) through xe_pfvf_table_xlate_runs() in one call and through
/// xe_pfvf_table_xlate_cursor() one by one: empty if they agree on the
/// errno, the failing run and the result.
std::string compare_runs(const xe_pfvf_table& table, std::span<const xe_pfvf_xlate_req> reqs, u32 max);

/**
 * A whole differential case: a model from @src, built by the core and
 * checked by the reference, then up to @sessions sessions of 1 to
 * @lim.max_calls requests each (fewer if @src runs dry).  Empty if all
 * agree, else the first mismatch and the model.
 */
std::string run_case(Source& src, const Limits& lim, unsigned sessions, Stats& stats);

std::string describe(const xe_pfvf_xlate_req& req);
std::string describe(const ref::Model& model);

}  // namespace xe_pfvf::harness
