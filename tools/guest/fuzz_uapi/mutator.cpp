#include "mutator.hpp"

#include <array>
#include <fcntl.h>
#include <limits>
#include <linux/ioctl.h>
#include <string>

namespace xe_pfvf::fuzz {

namespace {

constexpr std::uint64_t u64_max = std::numeric_limits<std::uint64_t>::max();

std::string hexnum(std::uint64_t v) {
    static constexpr std::string_view digits = "0123456789abcdef";
    std::string s;
    do {
        s.insert(s.begin(), digits[v & 0xfU]);
        v >>= 4U;
    } while (v != 0);
    return "0x" + s;
}

std::uint32_t make_cmd(std::uint32_t dir, std::uint32_t type, std::uint32_t nr, std::uint32_t size) {
    return (dir << _IOC_DIRSHIFT) | (type << _IOC_TYPESHIFT) | (nr << _IOC_NRSHIFT) |
           ((size & _IOC_SIZEMASK) << _IOC_SIZESHIFT);
}

bool has_kind(const IocLayout& l, FieldKind kind) { return l.find(kind) != nullptr; }

}  // namespace

bool vfs_ioctl_type(std::uint32_t type) noexcept {
    // FIBMAP/FIGETBSZ (0), FS_IOC_GETFSUUID (0x15), FIO* and TC* ('T'),
    // FIFREEZE/FITHAW/RESVSP ('X'), FS_IOC_* ('f'), FICLONE* (0x94).
    return type == 0x00 || type == 0x15 || type == 'T' || type == 'X' || type == 'f' || type == 0x94;
}

Call Mutator::mutate(Call base, const Hints& hints) {
    Call c = std::move(base);
    c.mutated = true;
    const IocLayout& l = layout(c.ioc);
    const unsigned n = 1 + static_cast<unsigned>(rng_.below(3));
    for (unsigned i = 0; i < n; ++i) {
        switch (rng_.below(13)) {
        case 0:
            mutate_size(c);
            break;
        case 1:
            mutate_tail(c);
            break;
        case 2:
            mutate_flags(c);
            break;
        case 3:
            mutate_pad(c);
            break;
        case 4:
            mutate_flip(c);
            break;
        case 5:
        case 6:
            mutate_field(c, hints);
            break;
        case 7:
            mutate_range(c, hints);
            break;
        case 8:
            mutate_arg_place(c);
            break;
        case 9:
            if (l.array) {
                mutate_array_place(c);
            } else {
                mutate_field(c, hints);
            }
            break;
        case 10:
            mutate_command(c);
            break;
        default:
            if (has_kind(l, FieldKind::handle)) {
                mutate_handle(c);
            } else if (has_kind(l, FieldKind::fd)) {
                mutate_fd(c);
            } else {
                mutate_field(c, hints);
            }
            break;
        }
    }
    return c;
}

void Mutator::mutate_size(Call& c) {
    const std::uint32_t ver0 = layout(c.ioc).ver0;
    const std::array<std::uint32_t, 10> sizes{
        0, 1, ver0 - 1, ver0, ver0 + 8, max_struct_size, max_struct_size + 1, std::numeric_limits<std::uint32_t>::max(),
        ver0 + 1 + static_cast<std::uint32_t>(rng_.below(max_struct_size - ver0)), rng_.u32(),
    };
    const std::uint32_t size = rng_.pick(std::span<const std::uint32_t>(sizes));
    c.set_size(size);
    c.note("size " + std::to_string(size));
}

void Mutator::mutate_tail(Call& c) {
    const std::uint32_t ver0 = layout(c.ioc).ver0;
    if (c.bytes.size() <= ver0) {
        c.set_size(rng_.chance(50) ? ver0 + 8 : ver0 + 1 + static_cast<std::uint32_t>(rng_.below(max_struct_size - ver0)));
    }
    const std::size_t at = ver0 + static_cast<std::size_t>(rng_.below(c.bytes.size() - ver0));
    c.bytes[at] = static_cast<std::uint8_t>(1 + rng_.below(255));
    c.note("size " + std::to_string(c.size()) + " tail byte " + std::to_string(at) + " non-zero");
}

void Mutator::mutate_flags(Call& c) {
    const std::uint64_t flags = rng_.chance(50) ? 1ULL << rng_.below(32) : rng_.u32();
    c.set("flags", flags);
    c.note("flags " + hexnum(flags));
}

void Mutator::mutate_pad(Call& c) {
    const Field* pad = layout(c.ioc).find(FieldKind::pad);
    if (pad == nullptr) {
        mutate_flags(c);
        return;
    }
    const std::uint64_t v = rng_.chance(50) ? 1ULL << rng_.below(32) : rng_.u32() | 1U;
    c.set(*pad, v);
    c.note("pad " + hexnum(v));
}

void Mutator::mutate_flip(Call& c) {
    const IocLayout& l = layout(c.ioc);
    for (int tries = 0; tries < 8; ++tries) {
        const auto at = static_cast<std::uint16_t>(rng_.below(l.ver0));
        if (l.is_pointer(at)) {
            continue;  // a flipped pointer could land anywhere in this process
        }
        const auto mask = static_cast<std::uint8_t>(1U << rng_.below(8));
        const Field* handle = l.find(FieldKind::handle);
        const Field* fd = l.find(FieldKind::fd);
        const auto in = [at](const Field* f) { return f != nullptr && at >= f->offset && at < f->offset + f->width; };
        if ((in(handle) && c.handle != HandleRef::literal) || (in(fd) && c.fd != FdRef::literal)) {
            c.flips.push_back({at, mask});  // after the run-time value is in
        } else if (at < 4) {
            c.set_size(c.size() ^ (static_cast<std::uint32_t>(mask) << (8U * at)));
        } else {
            c.bytes[at] ^= mask;
        }
        c.note("bit flip at byte " + std::to_string(at) + " mask " + hexnum(mask));
        return;
    }
}

std::uint64_t Mutator::address_value(const Hints& hints) {
    static constexpr std::array<std::uint64_t, 8> fixed{
        0, 1, 4095, 4096, u64_max, u64_max - 4095, 1ULL << 63U, (1ULL << 63U) - 4096,
    };
    if (hints.addresses.empty() || rng_.chance(25)) {
        return rng_.chance(80) ? rng_.pick(std::span<const std::uint64_t>(fixed)) : rng_.next();
    }
    const std::uint64_t h = rng_.pick(std::span<const std::uint64_t>(hints.addresses));
    static constexpr std::array<std::int64_t, 7> deltas{0, -1, 1, -4096, 4096, -8192, -4095};
    return h + static_cast<std::uint64_t>(rng_.pick(std::span<const std::int64_t>(deltas)));
}

std::uint64_t Mutator::boundary(const Field& f, const Call& c, const Hints& hints) {
    const IocLayout& l = layout(c.ioc);
    switch (f.kind) {
    case FieldKind::bdf: {
        if (!hints.bdfs.empty() && rng_.chance(60)) {
            const std::uint32_t b = rng_.pick(std::span<const std::uint32_t>(hints.bdfs));
            return rng_.chance(80) ? b : b ^ (1U << rng_.below(32));  // another segment, bus, slot or function
        }
        return rng_.chance(50) ? rng_.u32() : rng_.below(0x10000);
    }
    case FieldKind::vfid: {
        const std::uint64_t total = hints.total_vfs;
        const std::array<std::uint64_t, 6> v{0, 1, total, total + 1, 0xffff, rng_.below(total + 2)};
        return rng_.pick(std::span<const std::uint64_t>(v));
    }
    case FieldKind::space: {
        const std::array<std::uint64_t, 4> v{rng_.below(5), 5 + rng_.below(3), 0xffff, rng_.u32()};
        return rng_.pick(std::span<const std::uint64_t>(v));
    }
    case FieldKind::address:
        return address_value(hints);
    case FieldKind::length: {
        const std::array<std::uint64_t, 12> v{0, 1, 4095, 4096, 4097, 8192, u64_max, u64_max - 4095, 1ULL << 63U,
                                              address_value(hints), address_value(hints) + 4096, rng_.next()};
        return rng_.pick(std::span<const std::uint64_t>(v));
    }
    case FieldKind::count: {
        const std::uint64_t a = hints.max_avail;
        const std::array<std::uint64_t, 13> v{0,     1,     2,     a - 1, a, a + 1, 256, 257, max_entries - 1,
                                              max_entries, max_entries + 1, 0xffffffff, rng_.u32()};
        return rng_.pick(std::span<const std::uint64_t>(v)) & 0xffffffffU;
    }
    case FieldKind::entry_size: {
        const std::uint64_t e = l.array ? l.array->entry_ver0 : 8;
        const std::array<std::uint64_t, 12> v{0,    1,    e - 1, e, e + 1, e + 7, e + 8, 4095, 4096, 4097, 0xffffffff,
                                              rng_.below(8192)};
        return rng_.pick(std::span<const std::uint64_t>(v));
    }
    case FieldKind::fd_flags: {
        const std::array<std::uint64_t, 10> v{0,
                                              O_CLOEXEC,
                                              O_RDWR,
                                              O_WRONLY,
                                              O_RDWR | O_WRONLY,
                                              O_CLOEXEC | O_RDWR | O_WRONLY,
                                              O_NONBLOCK | O_RDWR,
                                              O_CLOEXEC | O_RDONLY,
                                              1ULL << rng_.below(32),
                                              rng_.u32()};
        return rng_.pick(std::span<const std::uint64_t>(v));
    }
    default:
        return rng_.chance(50) ? rng_.u32() : rng_.next();
    }
}

void Mutator::mutate_field(Call& c, const Hints& hints) {
    const IocLayout& l = layout(c.ioc);
    std::vector<const Field*> candidates;
    for (const Field& f : l.fields) {
        switch (f.kind) {
        case FieldKind::size:
        case FieldKind::flags:
        case FieldKind::pad:
        case FieldKind::pointer:
            break;
        default:
            candidates.push_back(&f);
        }
    }
    if (candidates.empty()) {
        mutate_size(c);
        return;
    }
    const Field& f = *candidates[static_cast<std::size_t>(rng_.below(candidates.size()))];
    if (f.kind == FieldKind::handle) {
        mutate_handle(c);
        return;
    }
    if (f.kind == FieldKind::fd && rng_.chance(70)) {
        mutate_fd(c);
        return;
    }
    const std::uint64_t v = boundary(f, c, hints);
    if (f.kind == FieldKind::fd) {
        c.fd = FdRef::literal;
    }
    c.set(f, v);
    c.note(std::string(f.name) + " " + hexnum(c.get(f)));
}

void Mutator::mutate_range(Call& c, const Hints& hints) {
    const IocLayout& l = layout(c.ioc);
    const Field* addr = l.find(FieldKind::address);
    const Field* len = l.find(FieldKind::length);
    if (addr == nullptr || len == nullptr) {
        mutate_field(c, hints);
        return;
    }
    // Around a boundary h: [h - g, h - g + length) with length g - 1, g,
    // g + 1 or a page past it; or wrapping from the top of the space.
    const std::array<std::uint64_t, 4> gaps{1, 4095, 4096, 8192};
    const std::uint64_t g = rng_.pick(std::span<const std::uint64_t>(gaps));
    std::uint64_t a = 0;
    if (rng_.chance(25)) {
        a = u64_max - g + 1;  // wraps with any length above g
    } else {
        a = address_value(hints) - g;
    }
    const std::array<std::uint64_t, 5> lens{g - 1, g, g + 1, g + 4096, 2 * g};
    const std::uint64_t n = rng_.pick(std::span<const std::uint64_t>(lens));
    c.set(*addr, a);
    c.set(*len, n);
    c.note("range " + hexnum(a) + "+" + hexnum(n));
}

void Mutator::mutate_arg_place(Call& c) {
    static constexpr std::array<Where, 8> wheres{Where::read_only, Where::straddle, Where::straddle,  Where::prot_none,
                                                 Where::null,      Where::low,      Where::kernel,    Where::noncanonical};
    if (rng_.chance(15)) {
        c.arg.where = Where::normal;
        c.arg.misalign = 1 + static_cast<std::uint32_t>(rng_.below(7));
        c.note("struct misaligned by " + std::to_string(c.arg.misalign));
        return;
    }
    c.arg.where = rng_.pick(std::span<const Where>(wheres));
    const auto len = static_cast<std::uint32_t>(c.bytes.size());
    c.arg.bytes = c.arg.where == Where::straddle
                      ? static_cast<std::uint32_t>(rng_.chance(30) ? rng_.below(8) : rng_.below(len))
                      : rng_.u32();
    c.note(std::string("struct ") + std::string(where_name(c.arg.where)) +
           (c.arg.where == Where::straddle ? " " + std::to_string(c.arg.bytes) + " bytes" : ""));
}

void Mutator::mutate_array_place(Call& c) {
    static constexpr std::array<Where, 10> wheres{Where::read_only, Where::straddle,     Where::straddle, Where::prot_none,
                                                  Where::null,      Where::low,          Where::kernel,   Where::noncanonical,
                                                  Where::top,       Where::wrap};
    c.array.where = rng_.pick(std::span<const Where>(wheres));
    const auto es = static_cast<std::uint32_t>(c.array_entry_size());
    c.array.bytes = c.array.where == Where::straddle
                        ? static_cast<std::uint32_t>(rng_.below(4 * static_cast<std::uint64_t>(es < 4096 ? es : 4096) + 1))
                        : rng_.u32();
    c.note(std::string("array ") + std::string(where_name(c.array.where)) +
           (c.array.where == Where::straddle ? " " + std::to_string(c.array.bytes) + " bytes" : ""));
}

void Mutator::mutate_command(Call& c) {
    // The struct's own number: another valid one would make the bytes
    // another ioctl's.
    const std::uint32_t nr = _IOC_NR(layout(c.ioc).cmd);
    const std::uint32_t size = _IOC_SIZE(c.cmd);
    const std::uint32_t rw = _IOC_READ | _IOC_WRITE;
    switch (rng_.below(5)) {
    case 0: {  // another type
        std::uint32_t type = 0;
        do {
            type = static_cast<std::uint32_t>(rng_.below(256));
        } while (type == ioc_type || vfs_ioctl_type(type));
        c.cmd = make_cmd(rw, type, nr, size);
        break;
    }
    case 1: {  // another direction
        const std::array<std::uint32_t, 3> dirs{_IOC_NONE, _IOC_READ, _IOC_WRITE};
        c.cmd = make_cmd(rng_.pick(std::span<const std::uint32_t>(dirs)), ioc_type, nr, size);
        break;
    }
    case 2:  // a number past the last ioctl
        c.cmd = make_cmd(rw, ioc_type, ioc_count + static_cast<std::uint32_t>(rng_.below(256 - ioc_count)), size);
        break;
    case 3:  // another size in the command: the kernel goes by the struct's
        c.cmd = make_cmd(rw, ioc_type, nr, static_cast<std::uint32_t>(rng_.below(_IOC_SIZEMASK + 1)));
        break;
    default: {  // anything, but no other xe_pfvf ioctl and nothing the VFS takes
        std::uint32_t cmd = rng_.u32();
        if (vfs_ioctl_type(_IOC_TYPE(cmd))) {
            cmd ^= 0x01U << _IOC_TYPESHIFT;
        }
        if (_IOC_TYPE(cmd) == ioc_type && _IOC_DIR(cmd) == rw && _IOC_NR(cmd) < ioc_count && _IOC_NR(cmd) != nr) {
            cmd |= 0x80U << _IOC_NRSHIFT;
        }
        c.cmd = cmd;
        break;
    }
    }
    c.note("command " + hexnum(c.cmd));
}

void Mutator::mutate_handle(Call& c) {
    static constexpr std::array<HandleRef, 6> refs{HandleRef::index_flip, HandleRef::random_flip, HandleRef::other_file,
                                                   HandleRef::revoked,    HandleRef::guessed,     HandleRef::zero};
    static constexpr std::array<std::string_view, 6> names{"index-flipped", "random-flipped", "other file's",
                                                           "revoked",       "guessed",        "zero"};
    const auto i = static_cast<std::size_t>(rng_.below(refs.size()));
    c.handle = refs.at(i);
    c.pick = rng_.u32();
    c.note("handle " + std::string(names.at(i)));
}

void Mutator::mutate_fd(Call& c) {
    static constexpr std::array<FdRef, 7> refs{FdRef::other_group, FdRef::closed,    FdRef::dev_null, FdRef::self,
                                               FdRef::minus_one,   FdRef::huge,      FdRef::dmabuf};
    static constexpr std::array<std::string_view, 7> names{"another VF's group", "closed", "/dev/null", "xe_pfvf",
                                                           "-1",                 "huge",   "dma-buf"};
    const auto i = static_cast<std::size_t>(rng_.below(refs.size()));
    c.fd = refs.at(i);
    c.pick = rng_.u32();
    c.note("vfio_fd " + std::string(names.at(i)));
}

}  // namespace xe_pfvf::fuzz
