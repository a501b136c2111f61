#pragma once

// The eight ioctls of /dev/xe_pfvf as the fuzzer sees them: command,
// first-version size and the fields of each struct (uapi/linux/xe_pfvf.h),
// with what each field is for, so that mutations can aim at them and the
// oracle can decode them.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace xe_pfvf::fuzz {

enum class Ioc : std::uint8_t { version, list_pfs, list_vfs, translate, export_vf, handle_fd, revoke, p2p };
inline constexpr std::size_t ioc_count = 8;

/// What a field holds: decides the values a mutation puts there.
enum class FieldKind : std::uint8_t {
    size,        ///< the struct's size
    flags,       ///< must be 0 (but for TRANSLATE's ALIGNED)
    pad,         ///< must be 0
    output,      ///< written by the kernel, ignored on input
    count,       ///< array room in, available out
    entry_size,  ///< array entry size
    pointer,     ///< user pointer of the array: never bit-flipped
    bdf,         ///< a PCI function, XE_PFVF_BDF()
    vfid,        ///< a VF number
    space,       ///< XE_PFVF_ADDR_*
    address,     ///< an address or offset in a space
    length,      ///< a length in bytes
    fd,          ///< a file descriptor (EXPORT's vfio_fd)
    handle,      ///< an export handle
    fd_flags,    ///< HANDLE_FD's O_* flags
};

struct Field {
    std::string_view name;
    std::uint16_t offset = 0;
    std::uint8_t width = 0;  ///< 2, 4 or 8
    FieldKind kind = FieldKind::output;
};

/// An ioctl's array: where count, entry_size and the pointer are.
struct ArrayLayout {
    std::uint16_t count = 0;
    std::uint16_t entry_size = 0;
    std::uint16_t pointer = 0;
    std::uint32_t entry_ver0 = 0;  ///< XE_PFVF_*_INFO_SIZE_VER0: what the kernel knows of an entry
};

struct IocLayout {
    std::string_view name;
    std::uint32_t cmd = 0;   ///< XE_PFVF_IOC_*
    std::uint32_t ver0 = 0;  ///< XE_PFVF_*_SIZE_VER0, also the kernel's sizeof()
    std::span<const Field> fields;
    std::optional<ArrayLayout> array;

    /// The field of kind @kind (the first), if any.
    [[nodiscard]] const Field* find(FieldKind kind) const noexcept;
    /// The field named @name.  Throws std::out_of_range if there is none.
    [[nodiscard]] const Field& field(std::string_view field_name) const;
    /// Whether byte @offset (< ver0) is in an output field.
    [[nodiscard]] bool is_output(std::size_t offset) const noexcept;
    /// Whether byte @offset (< ver0) is in a pointer field.
    [[nodiscard]] bool is_pointer(std::size_t offset) const noexcept;
};

[[nodiscard]] const IocLayout& layout(Ioc ioc) noexcept;
[[nodiscard]] inline std::string_view ioc_name(Ioc ioc) noexcept { return layout(ioc).name; }

/// Every Ioc, in command-number order.
inline constexpr std::array<Ioc, ioc_count> all_iocs{Ioc::version,   Ioc::list_pfs,  Ioc::list_vfs, Ioc::translate,
                                                      Ioc::export_vf, Ioc::handle_fd, Ioc::revoke,   Ioc::p2p};

/// The ioctl type of every xe_pfvf command (XE_PFVF_IOCTL_BASE).
inline constexpr std::uint32_t ioc_type = 0xBA;
/// Largest struct size the kernel takes: a page.
inline constexpr std::uint32_t max_struct_size = 4096;
/// XE_PFVF_MAX_ENTRIES.
inline constexpr std::uint32_t max_entries = 65536;
/// Export granule.
inline constexpr std::uint64_t granule = 4096;

}  // namespace xe_pfvf::fuzz
