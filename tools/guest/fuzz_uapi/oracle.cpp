#include "oracle.hpp"

#include "expected.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/xe_pfvf.h>
#include <stdexcept>
#include <string_view>

namespace xe_pfvf::fuzz {

namespace {

// TASK_SIZE_MAX with 4-level page tables (the rig's CPU has no LA57).
constexpr std::uint64_t task_size_max = (1ULL << 47U) - 4096;

std::string errno_text(int err) {
    if (err == 0) {
        return "0";
    }
    const char* const name = ::strerrorname_np(err);
    return name != nullptr ? name : "errno " + std::to_string(err);
}

Expectation only(int err, std::string why) {
    Expectation e;
    e.allowed.add(err);
    e.why = std::move(why);
    return e;
}

Expectation success(std::string why) { return only(0, std::move(why)); }

bool nonzero(const Call& c, std::size_t from, std::size_t to) {
    to = std::min(to, c.bytes.size());
    return from < to && std::any_of(c.bytes.begin() + static_cast<std::ptrdiff_t>(from),
                                    c.bytes.begin() + static_cast<std::ptrdiff_t>(to), [](std::uint8_t b) { return b != 0; });
}

/// cdev_check_array(): 0 or the errno.
int check_array(std::uint64_t count, std::uint64_t entry_size, std::uint32_t ver0, std::uint64_t pointer) {
    if (count == 0) {
        return 0;
    }
    if (count > max_entries) {
        return E2BIG;
    }
    if (entry_size < ver0) {
        return EINVAL;
    }
    if (entry_size > max_struct_size) {
        return E2BIG;
    }
    return access_ok(pointer, count * entry_size) ? 0 : EFAULT;
}

std::string array_why(int err) {
    switch (err) {
    case E2BIG:
        return "array: count above XE_PFVF_MAX_ENTRIES or entry_size above a page";
    case EINVAL:
        return "array: entry_size below the entry's first version";
    default:
        return "array: access_ok() refuses the pointer";
    }
}

/// The kernel writes @entries entries of @entry_size: EFAULT past what is writable.
Expectation written(std::uint64_t entries, std::uint64_t entry_size, const Context& ctx, Expectation ok) {
    if (entries * entry_size > ctx.array_writable) {
        Expectation e = only(EFAULT, "array: " + std::to_string(entries) + " entries of " + std::to_string(entry_size) +
                                         " bytes, " + std::to_string(ctx.array_writable) + " writable");
        e.avail = ok.avail;
        return e;
    }
    return ok;
}

const VfSlot* slot_of(const PfInfo& pf, std::uint16_t vfid) {
    return vfid >= 1 && vfid <= pf.vfs.size() ? &pf.vfs[vfid - 1] : nullptr;
}

Expectation expect_list_pfs(const Call& c, const World& w, const Context& ctx) {
    if (c.get("flags") != 0) {
        return only(EINVAL, "flags");
    }
    const std::uint64_t count = c.get("count");
    const std::uint64_t es = c.get("entry_size");
    if (const int err = check_array(count, es, XE_PFVF_PF_INFO_SIZE_VER0, ctx.array_pointer); err != 0) {
        return only(err, array_why(err));
    }
    const std::uint64_t n = w.pfs.size();
    Expectation ok = success("list of " + std::to_string(n) + " PFs");
    ok.avail = static_cast<std::uint32_t>(n);
    return written(std::min({n, count, std::uint64_t{256}}), es, ctx, ok);
}

Expectation expect_list_vfs(const Call& c, const World& w, const Context& ctx) {
    if (c.get("flags") != 0 || c.get("pad") != 0) {
        return only(EINVAL, "flags or pad");
    }
    const std::uint64_t count = c.get("count");
    const std::uint64_t es = c.get("entry_size");
    if (const int err = check_array(count, es, XE_PFVF_VF_INFO_SIZE_VER0, ctx.array_pointer); err != 0) {
        return only(err, array_why(err));
    }
    const PfInfo* pf = w.pf(static_cast<std::uint32_t>(c.get("pf_bdf")));
    if (pf == nullptr) {
        return only(ENODEV, "pf_bdf is no registered PF");
    }
    Expectation ok = success("list of " + std::to_string(pf->total_vfs) + " VF slots");
    ok.avail = pf->total_vfs;
    return written(std::min<std::uint64_t>(count, pf->total_vfs), es, ctx, ok);
}

/// The checks of xe_pfvf_xlate_check(): 0 or the errno.
int xlate_check(std::uint64_t addr, std::uint64_t len, bool aligned, std::string& why) {
    if (len == 0) {
        why = "zero length";
        return EINVAL;
    }
    if (addr + (len - 1) < addr) {
        why = "addr + length wraps";
        return EOVERFLOW;
    }
    if (aligned && ((addr | len) & (granule - 1)) != 0) {
        why = "not 4 KiB aligned";
        return EDOM;
    }
    return 0;
}

Expectation expect_translate(const Call& c, const World& w, const Context& ctx) {
    const std::uint64_t flags = c.get("flags");
    const std::uint64_t space = c.get("space");
    if ((flags & ~static_cast<std::uint64_t>(XE_PFVF_TRANSLATE_ALIGNED)) != 0 || c.get("pad") != 0 ||
        space > XE_PFVF_ADDR_IOVA) {
        return only(EINVAL, "flags, pad or space");
    }
    const std::uint64_t count = c.get("count");
    const std::uint64_t es = c.get("entry_size");
    if (const int err = check_array(count, es, XE_PFVF_EXTENT_INFO_SIZE_VER0, ctx.array_pointer); err != 0) {
        return only(err, array_why(err));
    }
    const PfInfo* pf = w.pf(static_cast<std::uint32_t>(c.get("pf_bdf")));
    if (pf == nullptr) {
        return only(ENODEV, "pf_bdf is no registered PF");
    }
    const auto vfid = static_cast<std::uint16_t>(c.get("vfid"));
    const VfSlot* slot = slot_of(*pf, vfid);
    if (slot == nullptr) {
        return only(ENOENT, "no VF " + std::to_string(vfid));
    }
    const std::uint64_t addr = c.get("addr");
    const std::uint64_t len = c.get("length");
    const bool aligned = (flags & XE_PFVF_TRANSLATE_ALIGNED) != 0;
    if (space == XE_PFVF_ADDR_IOVA) {
        if (slot->state == XE_PFVF_VF_DISABLED) {
            return only(ENOENT, "IOVA of a disabled VF");
        }
        // The VF's domain decides (no domain, the VMM's, the kernel's);
        // then the walk: anything a page may resolve to.
        Expectation e;
        e.allowed = {EOPNOTSUPP, EBUSY, ENXIO};
        std::string why;
        if (const int err = xlate_check(addr, len, aligned, why); err != 0) {
            e.allowed.add(err);
            e.why = "IOVA: domain, then " + why;
            return e;
        }
        e.allowed.merge({0, EADDRNOTAVAIL, EFAULT, EXDEV, ENODEV, ERANGE, EPERM, EAGAIN});
        e.why = "IOVA walk";
        return e;
    }
    Expectation t = predict_translation(*pf, vfid, {static_cast<std::uint32_t>(space), addr, len, aligned});
    if (!t.allowed.only_success()) {
        return t;
    }
    t.avail = static_cast<std::uint32_t>(t.extents->size());
    return written(std::min<std::uint64_t>(count, t.extents->size()), es, ctx, t);
}

Expectation expect_export(const Call& c, const World& w, const Context& ctx) {
    const std::uint64_t space = c.get("space");
    if (c.get("flags") != 0 || c.get("pad") != 0 || (space != XE_PFVF_ADDR_LMEM && space != XE_PFVF_ADDR_BAR)) {
        return only(EINVAL, "flags, pad or space");
    }
    const auto bdf = static_cast<std::uint32_t>(c.get("vf_bdf"));
    const PfInfo* pf = nullptr;
    const VfSlot* slot = w.vf(bdf, &pf);
    if (!w.virtfns.contains(bdf) || slot == nullptr) {
        return only(ENODEV, "vf_bdf is no VF of a registered PF");
    }
    switch (ctx.fd) {
    case FdClass::closed:
        return only(EBADF, "vfio_fd is no open file");
    case FdClass::maybe_closed: {
        Expectation e;
        e.allowed = {EBADF, EPERM};
        e.why = "vfio_fd just closed (or reused by the other thread)";
        return e;
    }
    case FdClass::not_group:
        return only(EPERM, "vfio_fd is no VFIO group");
    case FdClass::group:
        if (ctx.fd_vf != bdf) {
            return only(EPERM, "vfio_fd is another VF's group (or the VF is not bound to vfio-pci)");
        }
        break;
    }
    Expectation t =
        predict_translation(*pf, slot->vfid, {static_cast<std::uint32_t>(space), c.get("offset"), c.get("length"), true});
    if (!t.allowed.only_success()) {
        return t;
    }
    t.extents.reset();
    if (ctx.racy) {
        t.allowed.add(ENOSPC);
        t.why = "export on the race file";
    } else if (ctx.file != nullptr && ctx.file->handles.size() + ctx.file->hidden >= w.max_handles) {
        return only(ENOSPC, "the file holds max_handles handles");
    } else {
        t.why = "export";
    }
    return t;
}

Expectation expect_handle_fd(const Call& c, const Context& ctx) {
    const std::uint64_t fd_flags = c.get("fd_flags");
    // The uAPI: O_CLOEXEC, and O_RDONLY or O_RDWR.
    if (c.get("flags") != 0 || (fd_flags & ~static_cast<std::uint64_t>(O_CLOEXEC | O_ACCMODE)) != 0 ||
        ((fd_flags & O_ACCMODE) != O_RDONLY && (fd_flags & O_ACCMODE) != O_RDWR)) {
        return only(EINVAL, "flags or fd_flags");
    }
    const std::uint64_t h = c.get("handle");
    if (ctx.racy) {
        if (!ctx.handle_known) {
            return only(ENOENT, "no such handle in the race file");
        }
        Expectation e;
        e.allowed = {0, ENOENT, ENOSPC};
        e.why = "handle of the race file (the other thread may revoke it)";
        return e;
    }
    if (ctx.file == nullptr) {
        return only(ENOENT, "no such handle in this file");
    }
    const auto it = ctx.file->handles.find(h);
    if (it == ctx.file->handles.end()) {
        return only(ENOENT, "no such handle in this file");
    }
    if (it->second.fds.size() >= 16) {
        Expectation e = only(ENOSPC, "16 live dma-bufs of the handle");
        e.handle = h;
        return e;
    }
    Expectation e = success("dma-buf of a live handle");
    e.handle = h;
    return e;
}

Expectation expect_revoke(const Call& c, const Context& ctx) {
    if (c.get("flags") != 0) {
        return only(EINVAL, "flags");
    }
    const std::uint64_t h = c.get("handle");
    if (ctx.racy) {
        if (!ctx.handle_known) {
            return only(ENOENT, "no such handle in the race file");
        }
        Expectation e;
        e.allowed = {0, ENOENT};
        e.why = "handle of the race file (the other thread may revoke it)";
        return e;
    }
    if (ctx.file == nullptr || !ctx.file->handles.contains(h)) {
        return only(ENOENT, "no such handle in this file");
    }
    Expectation e = success("revoke of a live handle");
    e.handle = h;
    return e;
}

Expectation expect_p2p(const Call& c, const World& w) {
    if (c.get("flags") != 0) {
        return only(EINVAL, "flags");
    }
    if (!w.functions.contains(static_cast<std::uint32_t>(c.get("provider"))) ||
        !w.functions.contains(static_cast<std::uint32_t>(c.get("client")))) {
        return only(ENODEV, "no such PCI function");
    }
    return success("P2P verdict");
}

/*
 * A CPU or bus address: the VF BAR it is in (@off its offset there), or
 * the refusal.  Outside every VF BAR the answer depends on what is there
 * (a PF BAR, RAM, nothing).
 */
std::optional<Expectation> bar_address(const PfInfo& pf, std::uint16_t vfid, const XlateRange& r, std::uint64_t& off) {
    const bool cpu = r.space == XE_PFVF_ADDR_CPU;
    const auto in_bar = [&](const VfSlot& s) {
        const std::uint64_t base = cpu ? s.bar_cpu : s.bar_bus;
        return s.bar_size != 0 && r.addr >= base && r.addr - base < s.bar_size;
    };
    const auto owner = std::find_if(pf.vfs.begin(), pf.vfs.end(), in_bar);
    if (owner == pf.vfs.end()) {
        const bool pf_bar = cpu && std::any_of(pf.bars.begin(), pf.bars.end(), [&r](const PfBar& b) {
                                return r.addr >= b.start && r.addr - b.start < b.size;
                            });
        if (pf_bar) {
            return only(EPERM, "in one of the PF's BARs");
        }
        Expectation e;
        e.allowed = {EADDRNOTAVAIL, EPERM};
        if (cpu) {
            e.allowed.add(EFAULT);
        }
        e.why = "in no VF BAR";
        return e;
    }
    if (owner->vfid != vfid) {
        return only(EXDEV, "in VF " + std::to_string(owner->vfid) + "'s BAR");
    }
    off = r.addr - (cpu ? owner->bar_cpu : owner->bar_bus);
    if (off + (r.len - 1) >= owner->bar_size) {
        return only(ENXIO, "past the end of the VF's LMEM BAR");
    }
    return std::nullopt;
}

}  // namespace

std::string ErrnoSet::describe() const {
    std::string out;
    for (std::size_t i = 0; i < slots; ++i) {
        if (bits_.test(i)) {
            out += (out.empty() ? "" : "|") + errno_text(static_cast<int>(i));
        }
    }
    return out.empty() ? "nothing" : out;
}

const PfInfo* World::pf(std::uint32_t bdf) const noexcept {
    const auto it = std::find_if(pfs.begin(), pfs.end(), [bdf](const PfInfo& p) { return p.bdf == bdf; });
    return it == pfs.end() ? nullptr : &*it;
}

const VfSlot* World::vf(std::uint32_t bdf, const PfInfo** pf) const noexcept {
    for (const PfInfo& p : pfs) {
        for (const VfSlot& s : p.vfs) {
            if (s.state != XE_PFVF_VF_DISABLED && s.bdf == bdf) {
                if (pf != nullptr) {
                    *pf = &p;
                }
                return &s;
            }
        }
    }
    return nullptr;
}

bool World::raw() const noexcept { return (caps & XE_PFVF_CAP_RAW_ADDR) != 0; }

bool access_ok(std::uint64_t pointer, std::uint64_t size) noexcept {
    return size <= task_size_max && pointer <= task_size_max - size;
}

Expectation predict_translation(const PfInfo& pf, std::uint16_t vfid, const XlateRange& r) {
    std::string why;
    if (const int err = xlate_check(r.addr, r.len, r.aligned, why); err != 0) {
        return only(err, why);
    }
    const VfSlot* slot = slot_of(pf, vfid);
    if (slot == nullptr) {
        return only(ENOENT, "no VF " + std::to_string(vfid));
    }
    std::uint64_t off = r.addr;
    if (r.space == XE_PFVF_ADDR_CPU || r.space == XE_PFVF_ADDR_BUS) {
        if (auto refused = bar_address(pf, vfid, r, off)) {
            return std::move(*refused);
        }
    } else if (r.space == XE_PFVF_ADDR_BAR) {
        if (r.addr + (r.len - 1) >= slot->bar_size) {
            return only(ENXIO, "past the end of the VF's LMEM BAR");
        }
    } else if (r.space != XE_PFVF_ADDR_LMEM) {
        return only(EINVAL, "space");
    }
    if (slot->state != XE_PFVF_VF_PROVISIONED) {
        return only(ENODEV, "VF not provisioned");
    }
    if (off + (r.len - 1) >= slot->quota) {
        return only(ERANGE, "past the VF's LMEM quota");
    }
    Expectation e = success("translation");
    try {
        e.extents = guest::expected_extents(slot->extents, guest::LmemRange{.offset = off, .length = r.len});
    } catch (const std::out_of_range& err) {
        // The provisioning dump does not cover the quota: the model is wrong.
        throw std::logic_error("VF " + std::to_string(vfid) + " extents do not cover its quota: " + err.what());
    }
    e.generation = slot->generation;
    return e;
}

Expectation expect(const Call& c, const World& w, const Context& ctx) {
    constexpr std::uint32_t rw = _IOC_READ | _IOC_WRITE;
    if (_IOC_TYPE(c.cmd) != ioc_type || _IOC_DIR(c.cmd) != rw || _IOC_NR(c.cmd) >= ioc_count) {
        return only(ENOTTY, "not an xe_pfvf command");
    }
    if (_IOC_NR(c.cmd) != static_cast<unsigned>(c.ioc)) {
        throw std::logic_error("command number does not match the struct");
    }
    const IocLayout& l = layout(c.ioc);
    if (ctx.readable < 4) {
        return only(EFAULT, "size field unreadable");
    }
    const std::uint32_t usize = c.size();
    if (usize < l.ver0) {
        return only(EINVAL, "size below the first version");
    }
    if (usize > max_struct_size) {
        return only(E2BIG, "size above a page");
    }
    if (ctx.readable < usize) {
        // check_zeroed_user() reads the tail word by word up to the fault.
        if (ctx.readable > l.ver0 && nonzero(c, l.ver0, ctx.readable)) {
            return only(E2BIG, "non-zero byte in the tail before the unreadable page");
        }
        return only(EFAULT, "struct runs into an unreadable page");
    }
    if (nonzero(c, l.ver0, usize)) {
        return only(E2BIG, "non-zero byte past the first version");
    }
    Expectation e;
    switch (c.ioc) {
    case Ioc::version:
        e = c.get("flags") != 0 ? only(EINVAL, "flags") : success("version");
        break;
    case Ioc::list_pfs:
        e = expect_list_pfs(c, w, ctx);
        break;
    case Ioc::list_vfs:
        e = expect_list_vfs(c, w, ctx);
        break;
    case Ioc::translate:
        e = expect_translate(c, w, ctx);
        break;
    case Ioc::export_vf:
        e = expect_export(c, w, ctx);
        break;
    case Ioc::handle_fd:
        e = expect_handle_fd(c, ctx);
        break;
    case Ioc::revoke:
        e = expect_revoke(c, ctx);
        break;
    case Ioc::p2p:
        e = expect_p2p(c, w);
        break;
    }
    if (e.allowed.has(0) && !ctx.writable) {
        // Done, then copy_to_user() of the struct faults.
        e.allowed.remove(0);
        e.allowed.add(EFAULT);
        e.copy_out_fails = true;
        e.why += ", then the struct is not writable";
    }
    return e;
}

}  // namespace xe_pfvf::fuzz
