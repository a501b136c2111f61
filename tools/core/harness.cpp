// SPDX-License-Identifier: GPL-2.0-only
#include "harness.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cstdio>
#include <limits>
#include <optional>
#include <sstream>
#include <utility>

namespace xe_pfvf::harness {

namespace {

constexpr u64 u64_max = std::numeric_limits<u64>::max();
constexpr u64 G = granule;

template <class T>
void shuffle(Source& src, std::vector<T>& v) {
    for (std::size_t i = v.size(); i > 1; i--) {
        std::swap(v[i - 1], v[src.range(0, i - 1)]);
    }
}

// A count in [1, max], most often small.
u64 gen_count(Source& src, u64 max) {
    switch (src.range(0, 3)) {
    case 0:
        return src.range(1, max);
    case 1:
    case 2:
        return src.range(1, std::min<u64>(8, max));
    default:
        return src.range(1, std::min<u64>(64, max));
    }
}

u64 sat_sub(u64 a, u64 b) { return a > b ? a - b : 0; }

u64 bar_start(const xe_pfvf_bar& bar, bool cpu) { return cpu ? bar.cpu : bar.bus; }

// Lays the BARs out in one space: shuffled, some back to back, some with
// gaps; at a random base, or ending exactly at U64_MAX.
void layout(Source& src, const std::vector<xe_pfvf_bar*>& all, bool cpu) {
    std::vector<xe_pfvf_bar*> bars;
    for (auto* b : all) {
        if (b->size != 0) {
            bars.push_back(b);
        }
    }
    shuffle(src, bars);
    std::vector<u64> offs;
    u64 cursor = 0;
    for (std::size_t i = 0; i < bars.size(); i++) {
        if (i != 0 && src.chance(1, 2)) {
            cursor += src.range(1, 16) * G;
        }
        offs.push_back(cursor);
        cursor += bars[i]->size;
    }
    u64 base = 0;
    switch (src.range(0, 7)) {
    case 0:
        base = u64_max - cursor + 1;  // the last BAR ends at U64_MAX
        break;
    case 1:
        base = src.range(0, u64{1} << 20);  // maybe unaligned
        break;
    default:
        base = src.range(1, u64{1} << 28) * G;
        break;
    }
    for (std::size_t i = 0; i < bars.size(); i++) {
        (cpu ? bars[i]->cpu : bars[i]->bus) = base + offs[i];
    }
}

// Pointers to every extent and every enabled BAR of a model.
struct Parts {
    std::vector<xe_pfvf_extent*> exts;
    std::vector<ref::Provision*> provs;
    std::vector<xe_pfvf_bar*> bars;

    explicit Parts(ref::Model& m) {
        for (auto& vf : m.vfs) {
            if (vf.bar.size != 0) {
                bars.push_back(&vf.bar);
            }
            if (vf.prov) {
                provs.push_back(&*vf.prov);
                for (auto& e : vf.prov->extents) {
                    exts.push_back(&e);
                }
            }
        }
        for (auto& b : m.pf_bars) {
            if (b.size != 0) {
                bars.push_back(&b);
            }
        }
    }
};

template <class T>
T* pick(Source& src, const std::vector<T*>& v) {
    return v[src.range(0, v.size() - 1)];
}

// An extent error: shared VRAM, unaligned, beyond VRAM or empty.
void extent_fault(Source& src, ref::Model& m, const Parts& p) {
    if (p.exts.empty()) {
        return;
    }
    xe_pfvf_extent* a = pick(src, p.exts);
    const xe_pfvf_extent* b = pick(src, p.exts);
    switch (src.range(0, 3)) {
    case 0:
        a->start = b->start + src.range(0, (b->size - 1) / G) * G;
        break;
    case 1:
        a->start += src.range(1, G - 1);
        break;
    case 2:
        m.vram_size = b->start + b->size - src.range(1, b->size);
        break;
    default:
        a->size = 0;
        break;
    }
}

// A BAR error: wrapping around, or sharing addresses with another.
void bar_fault(Source& src, const Parts& p) {
    if (p.bars.empty()) {
        return;
    }
    xe_pfvf_bar* a = pick(src, p.bars);
    const xe_pfvf_bar* b = pick(src, p.bars);
    u64& addr = src.chance(1, 2) ? a->cpu : a->bus;
    if (src.chance(1, 2)) {
        addr = u64_max - a->size + 2;
    } else {
        addr = (&addr == &a->cpu ? b->cpu : b->bus) + src.range(0, b->size - 1);
    }
}

// A model error of one kind; may turn out harmless.
void inject_fault(Source& src, ref::Model& m) {
    const Parts p(m);
    switch (src.range(0, 2)) {
    case 0:
        extent_fault(src, m, p);
        break;
    case 1:
        bar_fault(src, p);
        break;
    default:  // quota not the sum
        if (!p.provs.empty()) {
            pick(src, p.provs)->quota += src.chance(1, 2) ? G : u64_max;
        }
        break;
    }
}

std::string hex(u64 v) {
    std::ostringstream s;
    s << "0x" << std::hex << v;
    return s.str();
}

// The VF's VRAM as sorted runs [start, end) of back-to-back extents.
std::vector<std::pair<u64, u64>> vram_runs(const ref::Provision& prov) {
    std::vector<std::pair<u64, u64>> runs;
    for (const auto& e : prov.extents) {
        runs.emplace_back(e.start, e.start + e.size);
    }
    std::sort(runs.begin(), runs.end());
    std::vector<std::pair<u64, u64>> merged;
    for (const auto& r : runs) {
        if (!merged.empty() && merged.back().second == r.first) {
            merged.back().second = r.second;
        } else {
            merged.push_back(r);
        }
    }
    return merged;
}

// Empty if every extent lies inside the VF's own VRAM.
std::string check_inside(const ref::Provision& prov, std::span<const xe_pfvf_extent> out) {
    const auto runs = vram_runs(prov);
    for (const auto& e : out) {
        auto it = std::upper_bound(runs.begin(), runs.end(), e.start,
                                   [](u64 v, const std::pair<u64, u64>& r) { return v < r.first; });
        if (e.size == 0 || it == runs.begin() || e.start >= std::prev(it)->second ||
            e.size > std::prev(it)->second - e.start) {
            return "extent [" + hex(e.start) + " +" + hex(e.size) + "] outside the VF's VRAM";
        }
    }
    return {};
}

bool same(const xe_pfvf_extent& a, const xe_pfvf_extent& b) { return a.start == b.start && a.size == b.size; }

bool same(const xe_pfvf_xlate_res& a, const xe_pfvf_xlate_res& b) {
    return a.ext == b.ext && a.max == b.max && a.nr == b.nr && a.bytes == b.bytes && a.vfid == b.vfid &&
           a.generation == b.generation && same(a.last, b.last);
}

}  // namespace

u64 ByteSource::range(u64 lo, u64 hi) {
    const u64 span = hi - lo;
    if (span == 0) {
        return lo;
    }
    const auto nbytes = static_cast<std::size_t>((std::bit_width(span) + 7) / 8);
    u64 v = 0;
    for (std::size_t i = 0; i < nbytes && pos_ < data_.size(); i++, pos_++) {
        v = (v << 8U) | data_[pos_];
    }
    if (span == u64_max) {
        return v;
    }
    return lo + v % (span + 1);
}

namespace {

// Provisioning, in runs of extents that stay back to back in VRAM, the runs
// in random VRAM order with or without gaps; sometimes at the top of a VRAM
// that ends at U64_MAX.
void gen_provisioning(Source& src, const Limits& lim, ref::Model& m) {
    struct Run {
        std::size_t vf;
        std::size_t first;
        std::size_t count;
    };
    std::vector<Run> runs;
    for (std::size_t i = 0; i < m.vfs.size(); i++) {
        if (!src.chance(85, 100)) {
            continue;
        }
        auto& prov = m.vfs[i].prov.emplace();
        prov.extents.resize(gen_count(src, lim.max_extents));
        for (auto& e : prov.extents) {
            e.size = (src.chance(1, 2) ? 1 : src.range(1, lim.max_extent_pages)) * G;
            prov.quota += e.size;
        }
        for (std::size_t first = 0; first < prov.extents.size();) {
            const std::size_t count = std::min<std::size_t>(src.range(1, 6), prov.extents.size() - first);
            runs.push_back({i, first, count});
            first += count;
        }
    }
    shuffle(src, runs);

    std::vector<xe_pfvf_extent*> placed;
    u64 cursor = 0;
    for (const Run& r : runs) {
        if (!placed.empty() && src.chance(1, 2)) {
            cursor += src.range(1, 4) * G;
        }
        auto& exts = m.vfs[r.vf].prov->extents;
        for (std::size_t e = r.first; e < r.first + r.count; e++) {
            exts[e].start = cursor;
            cursor += exts[e].size;
            placed.push_back(&exts[e]);
        }
    }
    if (!src.chance(1, 16)) {
        m.vram_size = cursor + src.range(0, 16) * G;
        return;
    }
    // The last extent ends at the last granule below U64_MAX.
    const u64 shift = (u64_max - (G - 1)) - cursor;
    for (auto* e : placed) {
        e->start += shift;
    }
    m.vram_size = u64_max;
}

// A VF's BAR: none, equal to the quota, smaller, larger, unaligned.
u64 gen_bar_size(Source& src, const ref::Vf& vf) {
    if (!src.chance(85, 100)) {
        return 0;
    }
    if (!vf.prov) {
        return src.range(1, 64) * G;
    }
    const u64 q = vf.prov->quota;
    switch (src.range(0, 9)) {
    case 5:
    case 6:
        return src.range(1, q / G) * G;
    case 7:
        return q + src.range(1, 16) * G;
    case 8:
        return q + src.range(1, G - 1);
    case 9:
        return src.range(1, q);
    default:
        return q;
    }
}

// Bus addresses: equal to the CPU ones, offset from them, or unrelated.
void gen_bus(Source& src, const std::vector<xe_pfvf_bar*>& bars) {
    switch (src.range(0, 3)) {
    case 0:
        for (auto* b : bars) {
            b->bus = b->cpu;
        }
        break;
    case 1: {
        u64 lowest = u64_max;
        for (const auto* b : bars) {
            if (b->size != 0) {
                lowest = std::min(lowest, b->cpu);
            }
        }
        const u64 base = src.range(1, u64{1} << 28) * G;
        for (auto* b : bars) {
            b->bus = b->cpu - lowest + base;
        }
        break;
    }
    default:
        layout(src, bars, false);
        break;
    }
}

u32 gen_space(Source& src) {
    const u64 space = src.range(0, 19);
    if (space < 5) {
        return XE_PFVF_SPACE_LMEM;
    }
    if (space < 9) {
        return XE_PFVF_SPACE_BAR;
    }
    if (space < 14) {
        return XE_PFVF_SPACE_CPU;
    }
    if (space < 19) {
        return XE_PFVF_SPACE_BUS;
    }
    return src.chance(1, 2) ? u32{XE_PFVF_SPACE_IOVA}
                            : static_cast<u32>(src.range(XE_PFVF_SPACE_IOVA + 1, std::numeric_limits<u32>::max()));
}

u32 gen_flags(Source& src) {
    const u64 flags = src.range(0, 99);
    if (flags >= 97) {
        return static_cast<u32>(src.range(1, std::numeric_limits<u32>::max()));
    }
    return flags >= 85 ? u32{XE_PFVF_XLATE_ALIGNED} : 0;
}

// An offset into a VF's LMEM (quota @q) or BAR (size @b).
u64 gen_offset(Source& src, u64 q, u64 b) {
    const u64 end = std::max(q, b);
    switch (src.range(0, 15)) {
    case 0:
    case 1:
        return 0;
    case 2:
    case 3:
        return src.range(0, end + G);
    case 4:
    case 5:
        return src.range(0, end / G + 1) * G;
    case 6:
        return sat_sub(q, src.range(0, 2 * G));
    case 7:
        return sat_sub(b, src.range(0, 2 * G));
    case 8:
        return src.range(0, u64_max);
    default:
        return src.range(0, std::min(end, 64 * G));
    }
}

// A CPU or bus address: mostly @off into the VF's BAR, else in a PF BAR,
// around the VF's BAR, anywhere, or at the very top.
u64 gen_addr(Source& src, const ref::Model& m, const ref::Vf& vf, bool cpu, u64 off) {
    const u64 start = bar_start(vf.bar, cpu);
    switch (src.range(0, 9)) {
    case 6: {
        std::vector<const xe_pfvf_bar*> pf;
        for (const auto& pb : m.pf_bars) {
            if (pb.size != 0) {
                pf.push_back(&pb);
            }
        }
        if (pf.empty()) {
            return src.range(0, u64_max);
        }
        const xe_pfvf_bar* pb = pick(src, pf);
        return bar_start(*pb, cpu) + src.range(0, pb->size - 1);
    }
    case 7:
        return src.range(0, u64_max);
    case 8:
        return src.chance(1, 2) ? start - src.range(1, G) : start + vf.bar.size + src.range(0, G);
    case 9:
        return u64_max - src.range(0, G);
    default:
        return vf.bar.size != 0 ? start + off : src.range(0, u64_max);
    }
}

// The VF a request names: mostly @target; 0, past the table or any.
u16 gen_vfid(Source& src, bool by_addr, u16 target, u64 nvfs) {
    if (by_addr) {
        const u64 who = src.range(0, 9);
        if (who >= 8) {
            return static_cast<u16>(src.range(1, nvfs + 2));
        }
        return who >= 5 ? target : u16{0};
    }
    const u64 who = src.range(0, 49);
    if (who == 0) {
        return static_cast<u16>(src.range(0, std::numeric_limits<u16>::max()));
    }
    if (who < 3) {
        return 0;
    }
    return who < 5 ? static_cast<u16>(nvfs + 1) : target;
}

// A length for a range from @addr (offset @off in a VF of quota @q and BAR
// size @b): short, up to the ends, one past them, up to U64_MAX or beyond.
u64 gen_len(Source& src, const Limits& lim, u64 addr, u64 off, u64 q, u64 b) {
    const u64 walk = lim.max_walk_pages * G;
    switch (src.range(0, 19)) {
    case 0:
    case 1:
    case 2:
        return src.range(1, 2 * G);
    case 3:
    case 4:
    case 5:
        return src.range(1, 16) * G;
    case 6:
    case 7:
        return src.range(1, lim.max_walk_pages) * G;
    case 8:
        return src.range(1, walk);
    case 9:
    case 10:
        return std::min(q > off ? q - off : 1, walk);
    case 11:
        return std::min(b > off ? b - off : 1, walk);
    case 12:
        return (q > off ? q - off : 0) + 1;
    case 13:
        return (b > off ? b - off : 0) + 1;
    case 14:
        return u64_max - addr + 1;
    case 15:
        return u64_max - addr + 2;
    case 16:
        return 0;
    default:
        return src.range(1, 64);
    }
}

// Lays the BARs out as SR-IOV does: VF n's LMEM BAR at base + (n - 1) *
// size, all of one power-of-two size (disabled VFs keep their slot), in
// both spaces with a random bus offset; the PF's BARs after them.
void sriov_layout(Source& src, ref::Model& m) {
    const u64 size = u64{1} << src.range(12, 20);
    const u64 cpu = src.range(1, u64{1} << 20) * size;
    const u64 bus = src.chance(1, 2) ? cpu : src.range(1, u64{1} << 20) * size;
    u64 i = 0;
    for (auto& vf : m.vfs) {
        if (vf.bar.size != 0) {
            vf.bar = xe_pfvf_bar{cpu + i * size, bus + i * size, size};
        }
        i++;
    }
    u64 next = i * size + src.range(0, 4) * G;
    for (auto& b : m.pf_bars) {
        if (b.size != 0) {
            b.cpu = cpu + next;
            b.bus = bus + next;
            next += b.size;
        }
    }
}

}  // namespace

ref::Model gen_model(Source& src, const Limits& lim) {
    ref::Model m;
    m.vfs.resize(src.range(1, lim.max_vfs));
    gen_provisioning(src, lim, m);
    for (auto& vf : m.vfs) {
        vf.bar.size = gen_bar_size(src, vf);
    }
    m.pf_bars.resize(src.range(0, lim.max_pf_bars));
    for (auto& b : m.pf_bars) {
        b.size = src.chance(1, 8) ? 0 : src.range(1, 256) * G;
    }
    std::vector<xe_pfvf_bar*> bars;
    for (auto& vf : m.vfs) {
        bars.push_back(&vf.bar);
    }
    for (auto& b : m.pf_bars) {
        bars.push_back(&b);
    }
    if (src.chance(1, 2)) {
        sriov_layout(src, m);
    } else {
        layout(src, bars, true);
        gen_bus(src, bars);
    }
    if (src.chance(lim.faults_per_1000, 1000)) {
        inject_fault(src, m);
    }
    return m;
}

xe_pfvf_xlate_req gen_req(Source& src, const ref::Model& m, const Limits& lim, u16 target) {
    const u64 nvfs = m.vfs.size();
    if (target == 0 || target > nvfs) {
        target = static_cast<u16>(src.range(1, nvfs));
    }
    const ref::Vf& vf = m.vfs[target - 1U];
    const u64 q = vf.prov ? vf.prov->quota : 0;
    const u64 b = vf.bar.size;

    xe_pfvf_xlate_req r{};
    r.space = gen_space(src);
    r.flags = gen_flags(src);
    const u64 off = gen_offset(src, q, b);
    const bool by_addr = r.space == XE_PFVF_SPACE_CPU || r.space == XE_PFVF_SPACE_BUS;
    r.addr = by_addr ? gen_addr(src, m, vf, r.space == XE_PFVF_SPACE_CPU, off) : off;
    r.vfid = gen_vfid(src, by_addr, target, nvfs);
    r.len = gen_len(src, lim, r.addr, off, q, b);
    return r;
}

u32 gen_max(Source& src) {
    const u64 k = src.range(0, 9);
    if (k == 0) {
        return 0;
    }
    if (k < 3) {
        return static_cast<u32>(src.range(1, 4));
    }
    return 4096;
}

Core build_core(const ref::Model& m) {
    Core c;
    std::vector<xe_pfvf_table_vf> slots(m.vfs.size());
    c.cfgs.resize(m.vfs.size());
    for (std::size_t i = 0; i < m.vfs.size(); i++) {
        slots[i].bar = m.vfs[i].bar;
        if (!m.vfs[i].prov) {
            continue;
        }
        auto made = make_cfg(static_cast<u16>(i + 1), m.vfs[i].prov->extents, m.vfs[i].prov->quota, m.vram_size);
        if (!made) {
            c.err = made.err;
            c.in_cfg = true;
            return c;
        }
        slots[i].cfg = made.ptr.get();
        c.cfgs[i] = std::move(made.ptr);
    }
    auto t = make_table(m.vram_size, slots, m.pf_bars);
    c.err = t.err;
    c.table = std::move(t.ptr);
    return c;
}

std::string compare_build(const ref::Model& m, const Core& core) {
    int want = 0;
    bool in_cfg = false;
    for (std::size_t i = 0; i < m.vfs.size() && want == 0; i++) {
        if (m.vfs[i].prov) {
            want = ref::check_provision(static_cast<u16>(i + 1), *m.vfs[i].prov, m.vram_size);
            in_cfg = want != 0;
        }
    }
    if (want == 0) {
        want = ref::check_table(m);
    }
    if (want == core.err && in_cfg == core.in_cfg && (want != 0 || core.table)) {
        return {};
    }
    return std::string(core.in_cfg ? "xe_pfvf_vf_cfg_create" : "xe_pfvf_table_build") + ": core " +
           errno_name(core.err) + ", reference " + errno_name(want) + (in_cfg ? " (cfg)" : " (table)");
}

namespace {

std::string extent_str(const xe_pfvf_extent& e) { return "[" + hex(e.start) + " +" + hex(e.size) + "]"; }

// The core's result after a call that succeeded or ran out of room (@len
// bytes more than @before) against the reference's.
std::string check_result(const ref::Model& m, const xe_pfvf_xlate_res& before, const Xlate& cx,
                         const ref::Result& rr, u64 len) {
    const xe_pfvf_xlate_res& res = cx.res();
    const auto now = cx.extents();
    if (res.nr != rr.ext.size() || res.bytes != rr.bytes || res.vfid != rr.vfid) {
        return "core nr " + std::to_string(res.nr) + " bytes " + hex(res.bytes) + " vf " + std::to_string(res.vfid) +
               ", reference nr " + std::to_string(rr.ext.size()) + " bytes " + hex(rr.bytes) + " vf " +
               std::to_string(rr.vfid);
    }
    for (std::size_t i = 0; i < now.size(); i++) {
        if (!same(now[i], rr.ext[i])) {
            return "extent " + std::to_string(i) + ": core " + extent_str(now[i]) + ", reference " +
                   extent_str(rr.ext[i]);
        }
    }
    if (res.nr != 0 && !same(res.last, rr.ext.back())) {
        return "res.last " + extent_str(res.last) + " is not the last extent";
    }
    if (res.bytes - before.bytes != len) {
        return "translated " + hex(res.bytes - before.bytes) + " bytes of " + hex(len);
    }
    if (res.vfid == 0 || res.vfid > m.vfs.size() || !m.vfs[res.vfid - 1U].prov) {
        return "result for VF " + std::to_string(res.vfid) + ", which has no provisioning";
    }
    return check_inside(*m.vfs[res.vfid - 1U].prov, now);
}

// Counts successes with several extents, and with extents merged (the last
// one is larger than the source extent it starts in allows).
void count_success(Stats& stats, const ref::Model& m, const xe_pfvf_xlate_res& before,
                   const xe_pfvf_xlate_res& res) {
    if (res.nr - before.nr > 1) {
        stats.multi_extent++;
    }
    if (res.nr == 0) {
        return;
    }
    for (const auto& e : m.vfs[res.vfid - 1U].prov->extents) {
        if (res.last.start >= e.start && res.last.start - e.start < e.size) {
            if (res.last.size > e.size - (res.last.start - e.start)) {
                stats.coalesced++;
            }
            return;
        }
    }
}

}  // namespace

std::string compare_xlate(const ref::Model& m, const xe_pfvf_table& table, std::span<const xe_pfvf_xlate_req> reqs,
                          u32 max, Stats& stats) {
    ref::Result rr;
    Xlate cx(max);
    for (std::size_t call = 0; call < reqs.size(); call++) {
        const xe_pfvf_xlate_req& req = reqs[call];
        const std::string what =
            "call " + std::to_string(call) + " (" + describe(req) + ", max " + std::to_string(max) + "): ";
        stats.requests++;
        const xe_pfvf_xlate_res before = cx.res();
        const auto stored = cx.extents();
        const std::vector<xe_pfvf_extent> stored_before(stored.begin(), stored.end());

        // max 0: no array, counting only.
        const int re = ref::xlate(m, req, rr, max == 0 ? std::nullopt : std::optional<std::size_t>(max));
        const int ce = cx.add(table, req);
        stats.errs[ce]++;
        if (re != ce) {
            return what + "core " + errno_name(ce) + ", reference " + errno_name(re);
        }
        if (ce != 0 && ce != -E2BIG) {
            const auto now = cx.extents();
            if (!same(before, cx.res()) || !std::equal(now.begin(), now.end(), stored_before.begin(),
                                                      stored_before.end(), [](const auto& a, const auto& b) {
                                                          return same(a, b);
                                                      })) {
                return what + "result changed on " + errno_name(ce);
            }
            continue;
        }
        if (auto err = check_result(m, before, cx, rr, req.len); !err.empty()) {
            return what + err;
        }
        if (ce == 0) {
            count_success(stats, m, before, cx.res());
        }
    }
    return {};
}

std::string compare_runs(const xe_pfvf_table& table, std::span<const xe_pfvf_xlate_req> reqs, u32 max) {
    if (reqs.empty()) {
        return {};
    }
    const u32 space = reqs[0].space == XE_PFVF_SPACE_BUS ? XE_PFVF_SPACE_BUS : XE_PFVF_SPACE_CPU;
    const u16 vfid = reqs[0].vfid;
    std::vector<xe_pfvf_extent> runs;
    for (const auto& r : reqs) {
        runs.push_back({r.addr, r.len});
    }
    // One cursor call per run, stopping at the first error but -E2BIG.
    std::vector<xe_pfvf_extent> buf_one(max);
    xe_pfvf_xlate_res one{};
    one.ext = max == 0 ? nullptr : buf_one.data();
    one.max = max;
    xe_pfvf_cursor cur_one{};
    int err_one = 0;
    auto done_one = static_cast<unsigned>(runs.size());
    for (std::size_t i = 0; i < runs.size(); i++) {
        xe_pfvf_xlate_req r{};
        r.space = space;
        r.vfid = vfid;
        r.addr = runs[i].start;
        r.len = runs[i].size;
        const int err = xe_pfvf_table_xlate_cursor(&table, &r, &one, &cur_one);
        if (err != 0 && err != -E2BIG) {
            err_one = err;
            done_one = static_cast<unsigned>(i);
            break;
        }
    }
    if (err_one == 0 && one.ext != nullptr && one.nr > one.max) {
        err_one = -E2BIG;
    }
    std::vector<xe_pfvf_extent> buf_all(max);
    xe_pfvf_xlate_res all{};
    all.ext = max == 0 ? nullptr : buf_all.data();
    all.max = max;
    xe_pfvf_cursor cur_all{};
    unsigned done_all = ~0U;
    const int err_all = xe_pfvf_table_xlate_runs(&table, space, vfid, runs.data(), static_cast<unsigned>(runs.size()),
                                                 &all, &cur_all, &done_all);
    const std::string what = std::string("runs (") + xe_pfvf_space_name(space) + ", vf " + std::to_string(vfid) +
                             ", " + std::to_string(runs.size()) + " runs, max " + std::to_string(max) + "): ";
    if (err_all != err_one || done_all != done_one) {
        return what + "one call " + errno_name(err_all) + " at run " + std::to_string(done_all) + ", run by run " +
               errno_name(err_one) + " at run " + std::to_string(done_one);
    }
    all.ext = one.ext;  // the arrays differ; their contents are compared below
    if (!same(all, one) || !std::equal(buf_all.begin(), buf_all.begin() + std::min(one.nr, max), buf_one.begin(),
                                       [](const auto& a, const auto& b) { return same(a, b); })) {
        return what + "the results differ";
    }
    return {};
}

std::string run_case(Source& src, const Limits& lim, unsigned sessions, Stats& stats) {
    const ref::Model m = gen_model(src, lim);
    stats.models++;
    const Core core = build_core(m);
    if (auto err = compare_build(m, core); !err.empty()) {
        return err + "\n" + describe(m);
    }
    if (core.err != 0) {
        stats.build_errs++;
        return {};
    }
    std::vector<xe_pfvf_xlate_req> reqs;
    for (unsigned s = 0; s < sessions && !src.exhausted(); s++) {
        reqs.resize(src.chance(1, 4) ? src.range(2, std::max<u32>(lim.max_calls, 2)) : 1);
        // Several calls into one result: often about one VF, so that they can succeed.
        const auto target = src.chance(1, 2) ? static_cast<u16>(src.range(1, m.vfs.size())) : u16{0};
        for (auto& r : reqs) {
            r = gen_req(src, m, lim, target);
        }
        const u32 max = gen_max(src);
        if (auto err = compare_xlate(m, *core.table, reqs, max, stats); !err.empty()) {
            return err + "\n" + describe(m);
        }
        if (auto err = compare_runs(*core.table, reqs, max); !err.empty()) {
            return err + "\n" + describe(m);
        }
    }
    return {};
}

std::string describe(const xe_pfvf_xlate_req& req) {
    return std::string("space ") + xe_pfvf_space_name(req.space) + "(" + std::to_string(req.space) + ") flags " +
           hex(req.flags) + " vf " + std::to_string(req.vfid) + " addr " + hex(req.addr) + " len " + hex(req.len);
}

std::string describe(const ref::Model& m) {
    std::ostringstream s;
    s << "vram_size " << hex(m.vram_size) << ", " << m.vfs.size() << " VFs\n";
    for (std::size_t i = 0; i < m.vfs.size(); i++) {
        const auto& vf = m.vfs[i];
        s << "  VF" << i + 1 << " bar cpu " << hex(vf.bar.cpu) << " bus " << hex(vf.bar.bus) << " size "
          << hex(vf.bar.size);
        if (vf.prov) {
            s << " quota " << hex(vf.prov->quota) << " " << vf.prov->extents.size() << " extents:";
            constexpr std::size_t shown = 6;
            for (std::size_t e = 0; e < vf.prov->extents.size() && e < shown; e++) {
                s << " [" << hex(vf.prov->extents[e].start) << " +" << hex(vf.prov->extents[e].size) << "]";
            }
            if (vf.prov->extents.size() > shown) {
                s << " ...";
            }
        } else {
            s << " not provisioned";
        }
        s << "\n";
    }
    for (const auto& b : m.pf_bars) {
        s << "  PF bar cpu " << hex(b.cpu) << " bus " << hex(b.bus) << " size " << hex(b.size) << "\n";
    }
    return s.str();
}

}  // namespace xe_pfvf::harness
