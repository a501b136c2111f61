#include "layout.hpp"

#include <linux/xe_pfvf.h>

#include <algorithm>
#include <cstddef>
#include <stdexcept>
#include <string>

namespace xe_pfvf::fuzz {

namespace {

template <typename S, typename M>
constexpr Field field(std::string_view name, std::size_t offset, FieldKind kind) {
    static_assert(sizeof(M) == 2 || sizeof(M) == 4 || sizeof(M) == 8);
    return Field{name, static_cast<std::uint16_t>(offset), static_cast<std::uint8_t>(sizeof(M)), kind};
}

// offsetof() on the uAPI's own structs: a layout change there shows here.
#define XE_FIELD(S, m, kind) field<S, decltype(S::m)>(#m, offsetof(S, m), FieldKind::kind)  // NOLINT(cppcoreguidelines-macro-usage)

using K = FieldKind;

constexpr std::array version_fields{
    XE_FIELD(xe_pfvf_version, size, size),    XE_FIELD(xe_pfvf_version, flags, flags),
    XE_FIELD(xe_pfvf_version, major, output), XE_FIELD(xe_pfvf_version, minor, output),
    XE_FIELD(xe_pfvf_version, caps, output),  XE_FIELD(xe_pfvf_version, nr_pfs, output),
    XE_FIELD(xe_pfvf_version, max_handles, output),
};
constexpr std::array list_pfs_fields{
    XE_FIELD(xe_pfvf_list_pfs, size, size),
    XE_FIELD(xe_pfvf_list_pfs, flags, flags),
    XE_FIELD(xe_pfvf_list_pfs, count, count),
    XE_FIELD(xe_pfvf_list_pfs, entry_size, entry_size),
    XE_FIELD(xe_pfvf_list_pfs, entries, pointer),
};
constexpr std::array list_vfs_fields{
    XE_FIELD(xe_pfvf_list_vfs, size, size),   XE_FIELD(xe_pfvf_list_vfs, flags, flags),
    XE_FIELD(xe_pfvf_list_vfs, pf_bdf, bdf),  XE_FIELD(xe_pfvf_list_vfs, count, count),
    XE_FIELD(xe_pfvf_list_vfs, entry_size, entry_size), XE_FIELD(xe_pfvf_list_vfs, pad, pad),
    XE_FIELD(xe_pfvf_list_vfs, entries, pointer),
};
constexpr std::array translate_fields{
    XE_FIELD(xe_pfvf_translate, size, size),
    XE_FIELD(xe_pfvf_translate, flags, flags),
    XE_FIELD(xe_pfvf_translate, pf_bdf, bdf),
    XE_FIELD(xe_pfvf_translate, vfid, vfid),
    XE_FIELD(xe_pfvf_translate, space, space),
    XE_FIELD(xe_pfvf_translate, addr, address),
    XE_FIELD(xe_pfvf_translate, length, length),
    XE_FIELD(xe_pfvf_translate, count, count),
    XE_FIELD(xe_pfvf_translate, entry_size, entry_size),
    XE_FIELD(xe_pfvf_translate, extents, pointer),
    XE_FIELD(xe_pfvf_translate, generation, output),
    XE_FIELD(xe_pfvf_translate, pad, pad),
};
constexpr std::array export_fields{
    XE_FIELD(xe_pfvf_export, size, size),     XE_FIELD(xe_pfvf_export, flags, flags),
    XE_FIELD(xe_pfvf_export, vfio_fd, fd),    XE_FIELD(xe_pfvf_export, vf_bdf, bdf),
    XE_FIELD(xe_pfvf_export, space, space),   XE_FIELD(xe_pfvf_export, pad, pad),
    XE_FIELD(xe_pfvf_export, offset, address), XE_FIELD(xe_pfvf_export, length, length),
    XE_FIELD(xe_pfvf_export, handle, output),
};
constexpr std::array handle_fd_fields{
    XE_FIELD(xe_pfvf_handle_fd, size, size),         XE_FIELD(xe_pfvf_handle_fd, flags, flags),
    XE_FIELD(xe_pfvf_handle_fd, handle, handle),     XE_FIELD(xe_pfvf_handle_fd, fd_flags, fd_flags),
    XE_FIELD(xe_pfvf_handle_fd, fd, output),
};
constexpr std::array revoke_fields{
    XE_FIELD(xe_pfvf_revoke, size, size),         XE_FIELD(xe_pfvf_revoke, flags, flags),
    XE_FIELD(xe_pfvf_revoke, handle, handle),     XE_FIELD(xe_pfvf_revoke, revoked, output),
    XE_FIELD(xe_pfvf_revoke, busy, output),
};
constexpr std::array p2p_fields{
    XE_FIELD(xe_pfvf_p2p, size, size),       XE_FIELD(xe_pfvf_p2p, flags, flags),
    XE_FIELD(xe_pfvf_p2p, provider, bdf),    XE_FIELD(xe_pfvf_p2p, client, bdf),
    XE_FIELD(xe_pfvf_p2p, map, output),      XE_FIELD(xe_pfvf_p2p, distance, output),
    XE_FIELD(xe_pfvf_p2p, why, output),      XE_FIELD(xe_pfvf_p2p, result_flags, output),
};

#undef XE_FIELD

constexpr ArrayLayout array_of(std::size_t count, std::size_t entry_size, std::size_t pointer, std::uint32_t ver0) {
    return ArrayLayout{static_cast<std::uint16_t>(count), static_cast<std::uint16_t>(entry_size),
                       static_cast<std::uint16_t>(pointer), ver0};
}

const std::array<IocLayout, ioc_count> layouts{
    IocLayout{"VERSION", XE_PFVF_IOC_VERSION, XE_PFVF_VERSION_SIZE_VER0, version_fields, std::nullopt},
    IocLayout{"LIST_PFS", XE_PFVF_IOC_LIST_PFS, XE_PFVF_LIST_PFS_SIZE_VER0, list_pfs_fields,
              array_of(offsetof(xe_pfvf_list_pfs, count), offsetof(xe_pfvf_list_pfs, entry_size),
                                         offsetof(xe_pfvf_list_pfs, entries), XE_PFVF_PF_INFO_SIZE_VER0)},
    IocLayout{"LIST_VFS", XE_PFVF_IOC_LIST_VFS, XE_PFVF_LIST_VFS_SIZE_VER0, list_vfs_fields,
              array_of(offsetof(xe_pfvf_list_vfs, count), offsetof(xe_pfvf_list_vfs, entry_size),
                                         offsetof(xe_pfvf_list_vfs, entries), XE_PFVF_VF_INFO_SIZE_VER0)},
    IocLayout{"TRANSLATE", XE_PFVF_IOC_TRANSLATE, XE_PFVF_TRANSLATE_SIZE_VER0, translate_fields,
              array_of(offsetof(xe_pfvf_translate, count),
                                          offsetof(xe_pfvf_translate, entry_size),
                                          offsetof(xe_pfvf_translate, extents), XE_PFVF_EXTENT_INFO_SIZE_VER0)},
    IocLayout{"EXPORT", XE_PFVF_IOC_EXPORT, XE_PFVF_EXPORT_SIZE_VER0, export_fields, std::nullopt},
    IocLayout{"HANDLE_FD", XE_PFVF_IOC_HANDLE_FD, XE_PFVF_HANDLE_FD_SIZE_VER0, handle_fd_fields, std::nullopt},
    IocLayout{"REVOKE", XE_PFVF_IOC_REVOKE, XE_PFVF_REVOKE_SIZE_VER0, revoke_fields, std::nullopt},
    IocLayout{"P2P", XE_PFVF_IOC_P2P, XE_PFVF_P2P_SIZE_VER0, p2p_fields, std::nullopt},
};

static_assert(sizeof(xe_pfvf_version) == XE_PFVF_VERSION_SIZE_VER0);
static_assert(sizeof(xe_pfvf_list_pfs) == XE_PFVF_LIST_PFS_SIZE_VER0);
static_assert(sizeof(xe_pfvf_list_vfs) == XE_PFVF_LIST_VFS_SIZE_VER0);
static_assert(sizeof(xe_pfvf_translate) == XE_PFVF_TRANSLATE_SIZE_VER0);
static_assert(sizeof(xe_pfvf_export) == XE_PFVF_EXPORT_SIZE_VER0);
static_assert(sizeof(xe_pfvf_handle_fd) == XE_PFVF_HANDLE_FD_SIZE_VER0);
static_assert(sizeof(xe_pfvf_revoke) == XE_PFVF_REVOKE_SIZE_VER0);
static_assert(sizeof(xe_pfvf_p2p) == XE_PFVF_P2P_SIZE_VER0);
static_assert(XE_PFVF_IOCTL_BASE == ioc_type && XE_PFVF_MAX_ENTRIES == max_entries);

bool in_kind(const IocLayout& l, std::size_t offset, FieldKind kind) noexcept {
    return std::any_of(l.fields.begin(), l.fields.end(), [&](const Field& f) {
        return f.kind == kind && offset >= f.offset && offset < static_cast<std::size_t>(f.offset) + f.width;
    });
}

}  // namespace

const Field* IocLayout::find(FieldKind kind) const noexcept {
    for (const Field& f : fields) {
        if (f.kind == kind) {
            return &f;
        }
    }
    return nullptr;
}

const Field& IocLayout::field(std::string_view field_name) const {
    for (const Field& f : fields) {
        if (f.name == field_name) {
            return f;
        }
    }
    throw std::out_of_range(std::string(name) + " has no field " + std::string(field_name));
}

bool IocLayout::is_output(std::size_t offset) const noexcept {
    // count is in and out: the kernel writes it back.
    return in_kind(*this, offset, FieldKind::output) || in_kind(*this, offset, FieldKind::count);
}

bool IocLayout::is_pointer(std::size_t offset) const noexcept { return in_kind(*this, offset, FieldKind::pointer); }

const IocLayout& layout(Ioc ioc) noexcept { return layouts.at(static_cast<std::size_t>(ioc)); }

}  // namespace xe_pfvf::fuzz
