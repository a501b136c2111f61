#pragma once

// One fuzzer call, before it is issued: the command, the struct's bytes,
// where the struct and its array go (and how bad a pointer that is), and
// which handle or file descriptor the runner puts in at the last moment
// (their values exist only at run time).  Mutations edit this description
// only, so that a seed gives the same calls whatever the kernel returns.

#include "layout.hpp"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::fuzz {

/// Where a struct or an array is put.
enum class Where : std::uint8_t {
    normal,        ///< read-write memory, canaries after it
    read_only,     ///< a PROT_READ page: readable, every write faults
    straddle,      ///< its first Placement::bytes bytes, then a PROT_NONE page
    prot_none,     ///< inside a PROT_NONE page
    null,          ///< NULL
    low,           ///< below mmap_min_addr: never mapped
    kernel,        ///< a kernel address (access_ok() refuses it)
    noncanonical,  ///< past the user half, not canonical
    top,           ///< TASK_SIZE_MAX: access_ok() refuses any length
    wrap,          ///< near 2^64: the range wraps
};
[[nodiscard]] std::string_view where_name(Where where) noexcept;

struct Placement {
    Where where = Where::normal;
    std::uint32_t bytes = 0;     ///< straddle: accessible bytes before the PROT_NONE page; others: a selector
    std::uint32_t misalign = 0;  ///< normal: bytes past an 8-aligned start
};

/// The handle a HANDLE_FD or REVOKE names, chosen at run time.
enum class HandleRef : std::uint8_t {
    literal,       ///< the bytes as they are
    live,          ///< a live handle of the target file
    index_flip,    ///< a live handle with a bit of its low (index) half flipped
    random_flip,   ///< a live handle with a bit of its high (random) half flipped
    other_file,    ///< a live handle of another open file
    revoked,       ///< a handle of the target file revoked earlier
    guessed,       ///< a guess: small numbers, index-only values, random
    zero,          ///< 0
};

/// EXPORT's vfio_fd, chosen at run time.
enum class FdRef : std::uint8_t {
    literal,      ///< the bytes as they are
    own_group,    ///< the VFIO group fd that holds the VF named (or any group)
    other_group,  ///< the group fd of another VF
    closed,       ///< a number just closed
    dev_null,     ///< /dev/null
    self,         ///< the xe_pfvf file itself
    minus_one,    ///< -1
    huge,         ///< far past the fd table
    dmabuf,       ///< a dma-buf fd
};

/// Which open /dev/xe_pfvf the call goes to.
enum class Target : std::uint8_t {
    main,  ///< the first thread's own file: exact expectations
    race,  ///< the file the racing thread revokes handles of and replaces
};

/// A byte XORed into a run-time field (handle, fd) after it is filled in.
struct Flip {
    std::uint16_t offset = 0;
    std::uint8_t mask = 0;
};

struct Call {
    Ioc ioc = Ioc::version;
    std::uint32_t cmd = 0;
    /// The struct as the kernel reads it: ver0 bytes, or `size` bytes when
    /// ver0 < size <= one page (the tail past ver0).
    std::vector<std::uint8_t> bytes;
    Placement arg;
    Placement array;
    HandleRef handle = HandleRef::literal;
    FdRef fd = FdRef::literal;
    std::uint32_t pick = 0;  ///< which live handle, group or dma-buf
    std::vector<Flip> flips;
    Target target = Target::main;
    bool mutated = false;
    std::string what;  ///< the mutations, for reports

    [[nodiscard]] std::uint64_t get(const Field& f) const noexcept { return get_at(f.offset, f.width); }
    void set(const Field& f, std::uint64_t value) noexcept { set_at(f.offset, f.width, value); }
    /// The @width-byte field at @offset (0 past the end).
    [[nodiscard]] std::uint64_t get_at(std::size_t offset, std::size_t width) const noexcept;
    void set_at(std::size_t offset, std::size_t width, std::uint64_t value) noexcept;
    /// The array's count and entry_size (of an ioctl that has one).
    [[nodiscard]] std::uint64_t array_count() const noexcept;
    [[nodiscard]] std::uint64_t array_entry_size() const noexcept;
    [[nodiscard]] std::uint64_t get(std::string_view name) const { return get(layout(ioc).field(name)); }
    void set(std::string_view name, std::uint64_t value) { set(layout(ioc).field(name), value); }
    /// The `size` field.
    [[nodiscard]] std::uint32_t size() const noexcept;
    /// Sets `size` and makes @bytes as long as the kernel will read
    /// (see above), zero-filling a new tail.
    void set_size(std::uint32_t size);
    void note(std::string_view text);
};

/// A well-formed call of @ioc: size ver0, the canonical command, zeroes.
[[nodiscard]] Call make_call(Ioc ioc);

/// Bytes the struct buffer holds for a struct whose size field says @size.
[[nodiscard]] std::size_t struct_length(Ioc ioc, std::uint32_t size) noexcept;

/// "0a 00 ff ..." for reports.
[[nodiscard]] std::string hex(std::span<const std::uint8_t> bytes, std::size_t max = 64);

}  // namespace xe_pfvf::fuzz
