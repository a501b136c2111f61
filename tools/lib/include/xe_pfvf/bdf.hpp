#pragma once

// PCI function addresses as the uAPI names them (XE_PFVF_BDF()) and as
// sysfs and lspci print them.

#include <xe_pfvf/export.hpp>

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace xe_pfvf {

/// A PCI function: segment (domain), bus, device, function.
struct XE_PFVF_API Bdf {
    std::uint16_t segment = 0;
    std::uint8_t bus = 0;
    std::uint8_t device = 0;    ///< 0 .. 31
    std::uint8_t function = 0;  ///< 0 .. 7

    /// Parses "SSSS:BB:DD.F" (segment of 1 to 4 hex digits) or "BB:DD.F"
    /// (segment 0), hex digits in either case, as sysfs and lspci print
    /// them.  nullopt for anything else, including a device above 0x1f or
    /// a function above 7.
    [[nodiscard]] static std::optional<Bdf> parse(std::string_view text) noexcept;

    /// The function named by the uAPI's XE_PFVF_BDF() encoding.
    [[nodiscard]] static Bdf from_uapi(std::uint32_t value) noexcept;
    /// XE_PFVF_BDF(segment, bus, device, function).
    [[nodiscard]] std::uint32_t to_uapi() const noexcept;

    /// "0000:01:00.1", as sysfs names the device.
    [[nodiscard]] std::string str() const;

    // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 misreads a defaulted <=>
    friend auto operator<=>(const Bdf&, const Bdf&) = default;
};

}  // namespace xe_pfvf
