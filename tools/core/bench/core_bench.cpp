// SPDX-License-Identifier: GPL-2.0-only
// xe-pfvf-core-bench: the translation core against the naive reference.
//
//  page/{core,ref}/vfs:V/ext:E   one random 4 KiB page by CPU address, V VFs
//                                of 16 MiB each in E extents (random VRAM order)
//  range16M/{core,ref}/ext:512   a VF's whole 16 MiB BAR by CPU address, 512
//                                extents per VF
//
// After the runs, a summary of the medians against the targets: per page
// <= 50 ns and flat within 20 % from 1 to 63 VFs; the 16 MiB range >= 20x
// faster than the reference.  Google Benchmark flags work as usual; the
// defaults below keep a whole run well under a minute.
#include "harness.hpp"
#include "reference.hpp"
#include "xe_pfvf_core.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

namespace {

using namespace xe_pfvf;  // NOLINT(google-build-using-namespace)

constexpr u64 G = granule;
constexpr u64 MiB = u64{1} << 20;
constexpr u64 quota = 16 * MiB;  // per VF: 4096 pages, enough for 4096 extents
constexpr u64 cpu_base = u64{0x40} << 32;
constexpr u64 bus_offset = u64{0x100} << 32;
constexpr std::size_t nr_pages = 4096;  // random pages cycled through, a power of 2

constexpr std::array<u32, 3> vf_counts{1, 8, 63};
constexpr std::array<u32, 4> extent_counts{1, 16, 256, 4096};
constexpr u32 range_vfs = 8;
constexpr u32 range_extents = 512;

constexpr double page_target_ns = 50.0;
constexpr double flat_target = 0.20;
constexpr double speedup_target = 20.0;

/// A PF with @vfs VFs of 16 MiB in @extents extents each, all extents in
/// one random VRAM order with a granule between any two (nothing coalesces),
/// BARs back to back, bus addresses offset from CPU addresses, two PF BARs.
struct Setup {
    ref::Model model;
    harness::Core core;
    std::vector<u64> pages;  ///< CPU addresses of random pages
    u32 vfs = 0;

    Setup(u32 nr_vfs, u32 extents) : vfs(nr_vfs) {
        std::mt19937_64 rng(u64{nr_vfs} * 1000003 + extents);
        const u64 ext_size = quota / extents;
        std::vector<std::pair<u32, u32>> order;  // (vf, extent) in VRAM order
        for (u32 v = 0; v < nr_vfs; v++) {
            for (u32 e = 0; e < extents; e++) {
                order.emplace_back(v, e);
            }
        }
        std::shuffle(order.begin(), order.end(), rng);

        model.vfs.resize(nr_vfs);
        for (u32 v = 0; v < nr_vfs; v++) {
            auto& prov = model.vfs[v].prov.emplace();
            prov.quota = quota;
            prov.extents.resize(extents);
            const u64 cpu = cpu_base + v * quota;
            model.vfs[v].bar = {cpu, cpu + bus_offset, quota};
        }
        u64 vram = 0;
        for (const auto& [v, e] : order) {
            model.vfs[v].prov->extents[e] = {vram, ext_size};
            vram += ext_size + G;
        }
        model.vram_size = vram;
        const u64 pf = cpu_base + u64{nr_vfs} * quota + 256 * MiB;
        model.pf_bars = {{pf, pf + bus_offset, 256 * MiB}, {pf + 512 * MiB, pf + 512 * MiB + bus_offset, 32 * MiB}};
        core = harness::build_core(model);
        if (core.err != 0) {
            std::cerr << "table build failed: " << errno_name(core.err) << "\n";
            std::abort();
        }

        std::uniform_int_distribution<u32> vf(0, nr_vfs - 1);
        std::uniform_int_distribution<u64> page(0, quota / G - 1);
        pages.resize(nr_pages);
        for (auto& p : pages) {
            p = cpu_base + vf(rng) * quota + page(rng) * G;
        }
    }
};

// Built on first use, shared by the core and the reference benchmark.
Setup& setup(u32 vfs, u32 extents) {
    static std::map<std::pair<u32, u32>, std::unique_ptr<Setup>> cache;
    auto& s = cache[{vfs, extents}];
    if (!s) {
        s = std::make_unique<Setup>(vfs, extents);
    }
    return *s;
}

xe_pfvf_xlate_req cpu_req(u64 addr, u64 len) {
    xe_pfvf_xlate_req r{};
    r.space = XE_PFVF_SPACE_CPU;
    r.addr = addr;
    r.len = len;
    return r;
}

// The core and the reference agree on the setup's first pages.
void sanity(const Setup& s, u64 len) {
    constexpr std::size_t checked = 64;
    for (std::size_t i = 0; i < checked; i++) {
        const auto r = cpu_req(s.pages[i], len);
        const Translation t = translate(*s.core.table, r);
        ref::Result rr;
        if (t.err != 0 || ref::xlate(s.model, r, rr) != 0 || t.ext != rr.ext) {
            std::cerr << "core and reference disagree on " << harness::describe(r) << "\n";
            std::abort();
        }
    }
}

void page_core(benchmark::State& state, u32 vfs, u32 extents) {
    const Setup& s = setup(vfs, extents);
    sanity(s, G);
    std::array<xe_pfvf_extent, 4> buf{};
    std::size_t i = 0;
    for (auto _ : state) {
        const auto r = cpu_req(s.pages[i++ & (nr_pages - 1)], G);
        xe_pfvf_xlate_res res{};
        res.ext = buf.data();
        res.max = buf.size();
        benchmark::DoNotOptimize(xe_pfvf_table_xlate(s.core.table.get(), &r, &res));
        benchmark::DoNotOptimize(buf);
    }
    state.SetItemsProcessed(state.iterations());
}

void page_ref(benchmark::State& state, u32 vfs, u32 extents) {
    const Setup& s = setup(vfs, extents);
    ref::Result rr;
    std::size_t i = 0;
    for (auto _ : state) {
        const auto r = cpu_req(s.pages[i++ & (nr_pages - 1)], G);
        rr.ext.clear();
        rr.bytes = 0;
        rr.vfid = 0;
        benchmark::DoNotOptimize(ref::xlate(s.model, r, rr));
        benchmark::DoNotOptimize(rr.ext.data());
    }
    state.SetItemsProcessed(state.iterations());
}

// The VFs' whole BARs in turn.
void range_core(benchmark::State& state) {
    const Setup& s = setup(range_vfs, range_extents);
    sanity(s, G);
    std::vector<xe_pfvf_extent> buf(range_extents);
    u32 v = 0;
    for (auto _ : state) {
        const auto r = cpu_req(cpu_base + (v++ % range_vfs) * quota, quota);
        xe_pfvf_xlate_res res{};
        res.ext = buf.data();
        res.max = range_extents;
        benchmark::DoNotOptimize(xe_pfvf_table_xlate(s.core.table.get(), &r, &res));
        benchmark::DoNotOptimize(buf.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(quota / G));
}

void range_ref(benchmark::State& state) {
    const Setup& s = setup(range_vfs, range_extents);
    ref::Result rr;
    u32 v = 0;
    for (auto _ : state) {
        const auto r = cpu_req(cpu_base + (v++ % range_vfs) * quota, quota);
        rr.ext.clear();
        rr.bytes = 0;
        rr.vfid = 0;
        benchmark::DoNotOptimize(ref::xlate(s.model, r, rr));
        benchmark::DoNotOptimize(rr.ext.data());
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(quota / G));
}

std::string page_name(const char* impl, u32 vfs, u32 extents) {
    return std::string("page/") + impl + "/vfs:" + std::to_string(vfs) + "/ext:" + std::to_string(extents);
}

const std::string range_core_name = "range16M/core/ext:512";
const std::string range_ref_name = "range16M/ref/ext:512";

/// Shows the medians (or the single runs) on the console and keeps every
/// benchmark's time per iteration in ns for the summary.
class SummaryReporter : public benchmark::ConsoleReporter {
public:
    SummaryReporter() : ConsoleReporter(isatty(STDOUT_FILENO) != 0 ? OO_ColorTabular : OO_Tabular) {}

    void ReportRuns(const std::vector<Run>& reports) override {
        std::vector<Run> shown;
        for (const auto& run : reports) {
            const bool single = run.run_type == Run::RT_Iteration && run.repetitions <= 1;
            const bool median = run.run_type == Run::RT_Aggregate && run.aggregate_name == "median";
            if (!single && !median) {
                continue;
            }
            shown.push_back(run);
            if (!run.error_occurred) {
                ns_[run.run_name.function_name] =
                    run.GetAdjustedCPUTime() * 1e9 / benchmark::GetTimeUnitMultiplier(run.time_unit);
            }
        }
        if (!shown.empty()) {
            ConsoleReporter::ReportRuns(shown);
        }
    }

    void summary(std::ostream& os) const {
        const auto verdict = [](bool ok) { return ok ? "meets" : "misses"; };
        const auto get = [this](const std::string& name) {
            const auto it = ns_.find(name);
            return it == ns_.end() ? std::nan("") : it->second;
        };
        os << "\nxe_pfvf core: per-4KiB-page lookup by CPU address, ns/page (core | reference), "
              "CPU time, median\n";
        os << std::left << std::setw(12) << "extents/VF";
        for (const u32 v : vf_counts) {
            os << std::setw(22) << (std::to_string(v) + (v == 1 ? " VF" : " VFs"));
        }
        os << "63/1 VFs\n";
        double worst_ns = 0;
        double worst_flat = 0;
        bool all_pages = true;
        bool all_flat = true;
        for (const u32 e : extent_counts) {
            std::ostringstream row;
            row << std::fixed << std::setprecision(1);
            row << std::left << std::setw(12) << e;
            for (const u32 v : vf_counts) {
                const double c = get(page_name("core", v, e));
                const double r = get(page_name("ref", v, e));
                std::ostringstream cell;
                cell << std::fixed << std::setprecision(1) << c << " | " << r;
                row << std::setw(22) << cell.str();
                if (!std::isnan(c)) {
                    worst_ns = std::max(worst_ns, c);
                }
                all_pages = all_pages && !std::isnan(c) && c <= page_target_ns;
            }
            const double ratio = get(page_name("core", vf_counts.back(), e)) / get(page_name("core", 1, e));
            const bool flat = !std::isnan(ratio) && std::abs(ratio - 1.0) <= flat_target;
            all_flat = all_flat && flat;
            if (!std::isnan(ratio)) {
                worst_flat = std::max(worst_flat, std::abs(ratio - 1.0));
            }
            row << std::setprecision(2) << ratio << "x " << verdict(flat);
            os << row.str() << "\n";
        }
        os << std::fixed << std::setprecision(1);
        os << "target per page <= " << page_target_ns << " ns: " << verdict(all_pages) << " (slowest " << worst_ns
           << " ns)\n";
        os << "target flat within " << flat_target * 100 << " % from 1 to 63 VFs: " << verdict(all_flat)
           << " (largest change " << worst_flat * 100 << " %)\n";
        const double rc = get(range_core_name);
        const double rr = get(range_ref_name);
        const double speedup = rr / rc;
        constexpr u64 nr_quota_pages = quota / G;
        constexpr auto pages = static_cast<double>(nr_quota_pages);
        os << "16 MiB range, " << range_extents << " extents/VF: core " << rc / 1000 << " us (" << rc / pages
           << " ns/page), reference " << rr / 1000 << " us (" << rr / pages << " ns/page): " << speedup
           << "x faster\n";
        os << "target 16 MiB >= " << speedup_target << "x faster than the reference: "
           << verdict(!std::isnan(speedup) && speedup >= speedup_target) << "\n";
    }

private:
    std::map<std::string, double> ns_;
};

}  // namespace

int main(int argc, char** argv) {
    for (const u32 e : extent_counts) {
        for (const u32 v : vf_counts) {
            benchmark::RegisterBenchmark(page_name("core", v, e).c_str(), page_core, v, e);
            benchmark::RegisterBenchmark(page_name("ref", v, e).c_str(), page_ref, v, e);
        }
    }
    benchmark::RegisterBenchmark(range_core_name.c_str(), range_core)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark(range_ref_name.c_str(), range_ref)->Unit(benchmark::kMicrosecond);

    // Defaults first: flags on the command line come later and win.
    std::vector<char*> args(argv, argv + argc);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    if (args.empty()) {
        return 1;
    }
    std::array<std::string, 3> defaults{"--benchmark_min_time=0.15", "--benchmark_repetitions=3",
                                        "--benchmark_report_aggregates_only=true"};
    args.insert(args.begin() + 1, {defaults[0].data(), defaults[1].data(), defaults[2].data()});
    int nargs = static_cast<int>(args.size());
    benchmark::Initialize(&nargs, args.data());
    if (benchmark::ReportUnrecognizedArguments(nargs, args.data())) {
        return 1;
    }
    SummaryReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.summary(std::cout);
    benchmark::Shutdown();
    return 0;
}
