#pragma once

// Where the fuzzer puts what it hands to the kernel: one mapping per
// thread with read-write areas for the struct and the array, each
// followed by a PROT_NONE page (for buffers that straddle into it), and
// read-only pages; and the bad addresses of the other placements, none of
// which can ever be mapped in this process.

#include "call.hpp"
#include "sys.hpp"

#include <cstddef>
#include <cstdint>
#include <span>

namespace xe_pfvf::fuzz {

/// A buffer as placed: its address as the kernel gets it, the bytes of it
/// the fuzzer can look at (empty when there are none), and what the
/// kernel can read and write from the address on.
struct Placed {
    std::uint64_t address = 0;
    std::span<std::uint8_t> view;
    std::uint64_t readable = 0;
    std::uint64_t writable = 0;
};

class Arena {
public:
    /// Room of the array area.
    static constexpr std::size_t array_room = 1U << 20U;

    Arena();

    /// Writes @content where @p says, then canary_bytes of pattern after
    /// it (seeded with @seed) when there is room; Placed::view covers both.
    [[nodiscard]] Placed place_struct(const Placement& p, std::span<const std::uint8_t> content, std::uint64_t seed);
    /// The array's address; for the read-write placements the first
    /// @fill bytes (at most what is writable) are filled with pattern and
    /// are Placed::view.
    [[nodiscard]] Placed place_array(const Placement& p, std::size_t fill, std::uint64_t seed);

private:
    /// Page @n of the mapping, @plus bytes on, @minus bytes back.
    [[nodiscard]] std::byte* page(std::size_t n, std::size_t plus = 0, std::size_t minus = 0) const noexcept;
    [[nodiscard]] static std::uint64_t bad_address(Where where, std::uint32_t selector, std::uint64_t prot_none) noexcept;

    guest::Mapping map_;
};

}  // namespace xe_pfvf::fuzz
