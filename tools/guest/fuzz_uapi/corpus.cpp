#include "corpus.hpp"

#include <algorithm>
#include <fcntl.h>
#include <linux/xe_pfvf.h>

namespace xe_pfvf::fuzz {

namespace {

Call with_array(Ioc ioc, std::uint32_t count, std::uint32_t entry_size) {
    Call c = make_call(ioc);
    const ArrayLayout& a = *layout(ioc).array;
    c.set_at(a.count, 4, count);
    c.set_at(a.entry_size, 4, entry_size);
    return c;
}

struct Range {
    std::uint64_t addr = 0;
    std::uint64_t len = 0;
    bool aligned = true;
};

/// Ranges of a provisioned VF of LMEM quota @quota, or of a BAR of @bar bytes.
std::vector<Range> ranges_in(std::uint64_t size) {
    std::vector<Range> r;
    if (size < granule) {
        return {{0, granule, true}};
    }
    const std::uint64_t pages = size / granule;
    r.push_back({0, granule, true});
    r.push_back({0, pages * granule, true});
    r.push_back({(pages - 1) * granule, granule, true});
    r.push_back({(pages / 2) * granule, std::min<std::uint64_t>(pages - pages / 2, 4) * granule, true});
    r.push_back({granule + 1, 100, false});
    r.push_back({pages * granule - 7, 7, false});
    return r;
}

void add_translations(Corpus& corpus, const PfInfo& pf, const VfSlot& s) {
    const auto add = [&](std::uint32_t space, std::uint64_t base, const Range& range) {
        for (const auto& [count, es] : {std::pair<std::uint32_t, std::uint32_t>{16, 24}, {0, 24}, {1, 24}, {4, 32}}) {
            Call c = with_array(Ioc::translate, count, es);
            c.set("pf_bdf", pf.bdf);
            c.set("vfid", s.vfid);
            c.set("space", space);
            c.set("addr", base + range.addr);
            c.set("length", range.len);
            c.set("flags", range.aligned ? XE_PFVF_TRANSLATE_ALIGNED : 0);
            corpus[static_cast<std::size_t>(Ioc::translate)].push_back(std::move(c));
        }
    };
    for (const Range& r : ranges_in(s.quota)) {
        add(XE_PFVF_ADDR_LMEM, 0, r);
    }
    for (const Range& r : ranges_in(std::min(s.bar_size, s.quota == 0 ? s.bar_size : s.quota))) {
        add(XE_PFVF_ADDR_BAR, 0, r);
        add(XE_PFVF_ADDR_CPU, s.bar_cpu, r);
        add(XE_PFVF_ADDR_BUS, s.bar_bus, r);
    }
    add(XE_PFVF_ADDR_IOVA, 0, {0, granule, true});
    add(XE_PFVF_ADDR_IOVA, 0, {0x100000, granule, true});
}

void add_exports(Corpus& corpus, const VfSlot& s) {
    for (const std::uint32_t space : {std::uint32_t{XE_PFVF_ADDR_LMEM}, std::uint32_t{XE_PFVF_ADDR_BAR}}) {
        const std::uint64_t size = space == XE_PFVF_ADDR_BAR ? std::min(s.bar_size, s.quota) : s.quota;
        for (const Range& r : ranges_in(size)) {
            if (!r.aligned) {
                continue;
            }
            Call c = make_call(Ioc::export_vf);
            c.fd = FdRef::own_group;
            c.set("vf_bdf", s.bdf);
            c.set("space", space);
            c.set("offset", r.addr);
            c.set("length", r.len);
            corpus[static_cast<std::size_t>(Ioc::export_vf)].push_back(std::move(c));
        }
    }
}

void add_p2p(Corpus& corpus, std::uint32_t provider, std::uint32_t client) {
    Call c = make_call(Ioc::p2p);
    c.set("provider", provider);
    c.set("client", client);
    corpus[static_cast<std::size_t>(Ioc::p2p)].push_back(std::move(c));
}

}  // namespace

Corpus build_corpus(const World& world, const std::vector<std::uint32_t>& bound) {
    Corpus corpus;
    auto& version = corpus[static_cast<std::size_t>(Ioc::version)];
    version.push_back(make_call(Ioc::version));
    version.push_back(make_call(Ioc::version));
    version.back().set_size(XE_PFVF_VERSION_SIZE_VER0 + 8);  // a newer header's size, zero tail

    const auto nr_pfs = static_cast<std::uint32_t>(world.pfs.size());
    auto& pfs = corpus[static_cast<std::size_t>(Ioc::list_pfs)];
    for (const auto& [count, es] : {std::pair<std::uint32_t, std::uint32_t>{nr_pfs, 64}, {0, 64}, {nr_pfs, 72}, {256, 64}}) {
        pfs.push_back(with_array(Ioc::list_pfs, count, es));
    }

    for (const PfInfo& pf : world.pfs) {
        for (const auto& [count, es] : {std::pair<std::uint32_t, std::uint32_t>{pf.total_vfs, 64}, {0, 64}, {1, 64}, {pf.total_vfs, 128}}) {
            Call c = with_array(Ioc::list_vfs, count, es);
            c.set("pf_bdf", pf.bdf);
            corpus[static_cast<std::size_t>(Ioc::list_vfs)].push_back(std::move(c));
        }
        for (const VfSlot& s : pf.vfs) {
            add_translations(corpus, pf, s);
            if (std::find(bound.begin(), bound.end(), s.bdf) != bound.end()) {
                add_exports(corpus, s);
            }
            if (s.state != XE_PFVF_VF_DISABLED) {
                add_p2p(corpus, s.bdf, pf.bdf);
                add_p2p(corpus, pf.bdf, s.bdf);
                add_p2p(corpus, s.bdf, s.bdf);
            }
        }
        add_p2p(corpus, pf.bdf, pf.bdf);
        if (!world.functions.empty()) {
            add_p2p(corpus, *world.functions.begin(), pf.bdf);
        }
    }

    for (const int fd_flags : {O_CLOEXEC | O_RDWR, O_RDWR, O_CLOEXEC | O_RDONLY, O_RDONLY}) {
        Call c = make_call(Ioc::handle_fd);
        c.handle = HandleRef::live;
        c.set("fd_flags", static_cast<std::uint32_t>(fd_flags));
        corpus[static_cast<std::size_t>(Ioc::handle_fd)].push_back(std::move(c));
    }
    Call revoke = make_call(Ioc::revoke);
    revoke.handle = HandleRef::live;
    corpus[static_cast<std::size_t>(Ioc::revoke)].push_back(std::move(revoke));
    if (corpus[static_cast<std::size_t>(Ioc::export_vf)].empty()) {
        // No VF bound: exports that must be refused all the same.
        Call c = make_call(Ioc::export_vf);
        c.fd = FdRef::own_group;
        c.set("length", granule);
        corpus[static_cast<std::size_t>(Ioc::export_vf)].push_back(std::move(c));
    }
    return corpus;
}

Hints make_hints(const World& world) {
    Hints h;
    for (const PfInfo& pf : world.pfs) {
        h.bdfs.push_back(pf.bdf);
        h.total_vfs = std::max(h.total_vfs, pf.total_vfs);
        h.max_avail = std::max<std::uint32_t>(h.max_avail, pf.total_vfs);
        for (const VfSlot& s : pf.vfs) {
            if (s.state != XE_PFVF_VF_DISABLED) {
                h.bdfs.push_back(s.bdf);
            }
            h.max_avail = std::max(h.max_avail, s.nr_extents);
            for (const std::uint64_t a : {s.quota, s.bar_size, s.bar_cpu, s.bar_cpu + s.bar_size, s.bar_bus,
                                          s.bar_bus + s.bar_size}) {
                if (a != 0) {
                    h.addresses.push_back(a);
                }
            }
        }
        for (const PfBar& b : pf.bars) {
            h.addresses.push_back(b.start);
            h.addresses.push_back(b.start + b.size);
        }
    }
    h.max_avail = std::max<std::uint32_t>(h.max_avail, static_cast<std::uint32_t>(world.pfs.size()));
    for (const std::uint32_t f : world.functions) {
        if (std::find(h.bdfs.begin(), h.bdfs.end(), f) == h.bdfs.end()) {
            h.bdfs.push_back(f);
        }
    }
    std::sort(h.addresses.begin(), h.addresses.end());
    h.addresses.erase(std::unique(h.addresses.begin(), h.addresses.end()), h.addresses.end());
    return h;
}

}  // namespace xe_pfvf::fuzz
