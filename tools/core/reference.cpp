// SPDX-License-Identifier: GPL-2.0-only
#include "reference.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

namespace xe_pfvf::ref {

namespace {

constexpr u64 u64_max = std::numeric_limits<u64>::max();

bool aligned(u64 v) { return v % granule == 0; }

// The last byte of a BAR in one space; false if it wraps around.
bool bar_last(u64 start, u64 size, u64& last) {
    if (size - 1 > u64_max - start) {
        return false;
    }
    last = start + (size - 1);
    return true;
}

u64 bar_start(const xe_pfvf_bar& bar, bool cpu) { return cpu ? bar.cpu : bar.bus; }

struct Owner {
    bool found = false;
    u16 vfid = 0;  // 0: the PF
    u64 start = 0;
    u64 last = 0;
};

// Linear scan over every VF BAR and every PF BAR of the space.
Owner find_owner(const Model& m, bool cpu, u64 addr) {
    auto in = [&](const xe_pfvf_bar& bar, u16 vfid) -> std::optional<Owner> {
        u64 last = 0;
        const u64 start = bar_start(bar, cpu);
        if (bar.size != 0 && bar_last(start, bar.size, last) && addr >= start && addr <= last) {
            return Owner{true, vfid, start, last};
        }
        return std::nullopt;
    };
    for (std::size_t i = 0; i < m.vfs.size(); i++) {
        if (auto o = in(m.vfs[i].bar, static_cast<u16>(i + 1))) {
            return *o;
        }
    }
    for (const auto& bar : m.pf_bars) {
        if (auto o = in(bar, 0)) {
            return *o;
        }
    }
    return {};
}

// Which VRAM address holds LMEM offset @pos, and how many bytes from there
// on stay in the same extent: a linear scan of the extents.
std::pair<u64, u64> lmem_to_vram(const Provision& prov, u64 pos) {
    u64 base = 0;
    for (const auto& e : prov.extents) {
        if (pos - base < e.size) {
            return {e.start + (pos - base), e.size - (pos - base)};
        }
        base += e.size;
    }
    return {0, 0};
}

void append(Result& res, u64 start, u64 size) {
    res.bytes += size;
    if (!res.ext.empty() && res.ext.back().start + res.ext.back().size == start) {
        res.ext.back().size += size;
        return;
    }
    res.ext.push_back({start, size});
}

}  // namespace

int check_provision(u16 vfid, const Provision& prov, u64 vram_size) {
    if (vfid == 0 || prov.extents.empty()) {
        return -EINVAL;
    }
    if (prov.extents.size() > XE_PFVF_MAX_EXTENTS) {
        return -E2BIG;
    }
    u64 sum = 0;
    for (const auto& e : prov.extents) {
        if (e.size == 0 || !aligned(e.start) || !aligned(e.size)) {
            return -EINVAL;
        }
        if (e.size > u64_max - e.start || e.start + e.size > vram_size) {
            return -ERANGE;
        }
        if (e.size > u64_max - sum) {
            return -EINVAL;
        }
        sum += e.size;
    }
    return sum == prov.quota ? 0 : -EINVAL;
}

int check_table(const Model& m) {
    // Any two extents, of one VF or of two, sharing a byte of VRAM.
    std::vector<xe_pfvf_extent> all;
    for (const auto& vf : m.vfs) {
        if (vf.prov) {
            all.insert(all.end(), vf.prov->extents.begin(), vf.prov->extents.end());
        }
    }
    std::sort(all.begin(), all.end(),
              [](const xe_pfvf_extent& a, const xe_pfvf_extent& b) { return a.start < b.start; });
    for (std::size_t i = 1; i < all.size(); i++) {
        if (all[i].start - all[i - 1].start < all[i - 1].size) {
            return -EADDRINUSE;
        }
    }

    std::vector<xe_pfvf_bar> bars;
    for (const auto& vf : m.vfs) {
        bars.push_back(vf.bar);
    }
    bars.insert(bars.end(), m.pf_bars.begin(), m.pf_bars.end());
    u64 last = 0;
    for (const auto& bar : bars) {
        if (bar.size != 0 && (!bar_last(bar.cpu, bar.size, last) || !bar_last(bar.bus, bar.size, last))) {
            return -EOVERFLOW;
        }
    }
    // Any two BARs sharing an address, in either space.
    for (std::size_t i = 0; i < bars.size(); i++) {
        for (std::size_t j = i + 1; j < bars.size(); j++) {
            if (bars[i].size == 0 || bars[j].size == 0) {
                continue;
            }
            for (const bool cpu : {true, false}) {
                const u64 a = bar_start(bars[i], cpu);
                const u64 b = bar_start(bars[j], cpu);
                if (a <= b ? b - a < bars[i].size : a - b < bars[j].size) {
                    return -EADDRINUSE;
                }
            }
        }
    }
    return 0;
}

namespace {

bool known_space(u32 space) {
    return space == XE_PFVF_SPACE_LMEM || space == XE_PFVF_SPACE_BAR || space == XE_PFVF_SPACE_CPU ||
           space == XE_PFVF_SPACE_BUS;
}

// The checks on the request alone: -EINVAL, -EOVERFLOW, -EDOM.
int check_request(const xe_pfvf_xlate_req& req) {
    if (req.len == 0 || (req.flags & ~XE_PFVF_XLATE_FLAGS) != 0 || !known_space(req.space)) {
        return -EINVAL;
    }
    if (req.len - 1 > u64_max - req.addr) {
        return -EOVERFLOW;
    }
    if ((req.flags & XE_PFVF_XLATE_ALIGNED) != 0 && (!aligned(req.addr) || !aligned(req.len))) {
        return -EDOM;
    }
    return 0;
}

// The VF of the request and the offset in its LMEM/BAR: -ENOENT for LMEM
// and BAR offsets; -EADDRNOTAVAIL, -EPERM, -EXDEV, -ENXIO for addresses.
int resolve(const Model& m, const xe_pfvf_xlate_req& req, u16& vfid, u64& off) {
    if (req.space == XE_PFVF_SPACE_LMEM || req.space == XE_PFVF_SPACE_BAR) {
        if (req.vfid == 0 || req.vfid > m.vfs.size()) {
            return -ENOENT;
        }
        vfid = req.vfid;
        off = req.addr;
        return 0;
    }
    const Owner o = find_owner(m, req.space == XE_PFVF_SPACE_CPU, req.addr);
    if (!o.found) {
        return -EADDRNOTAVAIL;
    }
    if (o.vfid == 0) {
        return -EPERM;
    }
    if (req.vfid != 0 && req.vfid != o.vfid) {
        return -EXDEV;
    }
    if (req.addr + (req.len - 1) > o.last) {
        return -ENXIO;
    }
    vfid = o.vfid;
    off = req.addr - o.start;
    return 0;
}

// Appends LMEM [off, off_last] one 4 KiB page at a time; the first and
// the last page may be partial.
void walk(const Provision& prov, u64 off, u64 off_last, Result& res) {
    for (u64 pos = off;;) {
        const u64 page_last = std::min(pos | (granule - 1), off_last);
        while (pos <= page_last) {
            const auto [vram, avail] = lmem_to_vram(prov, pos);
            if (avail == 0) {
                std::abort();  // not reached: off_last < quota == the extents' sum
            }
            const u64 chunk = std::min(avail, page_last - pos + 1);
            append(res, vram, chunk);
            pos += chunk;
        }
        if (page_last == off_last) {
            return;
        }
    }
}

}  // namespace

int xlate(const Model& m, const xe_pfvf_xlate_req& req, Result& res, std::optional<std::size_t> max) {
    u16 vfid = 0;
    u64 off = 0;
    if (const int err = check_request(req); err != 0) {
        return err;
    }
    if (const int err = resolve(m, req, vfid, off); err != 0) {
        return err;
    }
    // All calls into one result must resolve to the same VF: checked as
    // soon as the VF is known.
    if (res.vfid != 0 && res.vfid != vfid) {
        return -EXDEV;
    }
    // off + len - 1 does not wrap: off == addr, or off <= addr.
    const u64 off_last = off + (req.len - 1);
    const Vf& vf = m.vfs[vfid - 1U];
    if (req.space != XE_PFVF_SPACE_LMEM && (vf.bar.size == 0 || off_last > vf.bar.size - 1)) {
        return -ENXIO;
    }
    if (!vf.prov) {
        return -ENODEV;
    }
    if (off_last > vf.prov->quota - 1) {
        return -ERANGE;
    }
    res.vfid = vfid;
    walk(*vf.prov, off, off_last, res);
    return max && res.ext.size() > *max ? -E2BIG : 0;
}

}  // namespace xe_pfvf::ref
