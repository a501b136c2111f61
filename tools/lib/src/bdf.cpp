#include <xe_pfvf/bdf.hpp>

#include <array>
#include <charconv>
#include <cstdio>

namespace xe_pfvf {

namespace {

/// Parses exactly @text as hex with between @min_digits and @max_digits
/// digits; nullopt otherwise.
std::optional<unsigned> hex_field(std::string_view text, std::size_t min_digits, std::size_t max_digits) noexcept {
    if (text.size() < min_digits || text.size() > max_digits) {
        return std::nullopt;
    }
    unsigned value = 0;
    const char* const end = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, 16);
    if (ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    return value;
}

}  // namespace

std::optional<Bdf> Bdf::parse(std::string_view text) noexcept {
    // [SSSS:]BB:DD.F
    const auto dot = text.rfind('.');
    if (dot == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view function = text.substr(dot + 1);
    const std::string_view head = text.substr(0, dot);
    const auto colon = head.rfind(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    const std::string_view device = head.substr(colon + 1);
    const std::string_view bus_part = head.substr(0, colon);
    const auto colon2 = bus_part.rfind(':');
    const std::string_view bus = colon2 == std::string_view::npos ? bus_part : bus_part.substr(colon2 + 1);
    const std::optional<unsigned> segment =
        colon2 == std::string_view::npos ? std::optional<unsigned>(0) : hex_field(bus_part.substr(0, colon2), 1, 4);

    const auto b = hex_field(bus, 2, 2);
    const auto d = hex_field(device, 2, 2);
    const auto f = hex_field(function, 1, 1);
    if (!segment || !b || !d || !f || *d > 0x1fU || *f > 7U) {
        return std::nullopt;
    }
    return Bdf{.segment = static_cast<std::uint16_t>(*segment),
               .bus = static_cast<std::uint8_t>(*b),
               .device = static_cast<std::uint8_t>(*d),
               .function = static_cast<std::uint8_t>(*f)};
}

Bdf Bdf::from_uapi(std::uint32_t value) noexcept {
    return Bdf{.segment = static_cast<std::uint16_t>((value >> 16U) & 0xffffU),
               .bus = static_cast<std::uint8_t>((value >> 8U) & 0xffU),
               .device = static_cast<std::uint8_t>((value >> 3U) & 0x1fU),
               .function = static_cast<std::uint8_t>(value & 0x7U)};
}

std::uint32_t Bdf::to_uapi() const noexcept {
    return (static_cast<std::uint32_t>(segment) << 16U) | (static_cast<std::uint32_t>(bus) << 8U) |
           ((static_cast<std::uint32_t>(device) & 0x1fU) << 3U) | (static_cast<std::uint32_t>(function) & 0x7U);
}

std::string Bdf::str() const {
    std::array<char, 16> buf{};
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): snprintf is the simplest fixed-width hex
    const int n = std::snprintf(buf.data(), buf.size(), "%04x:%02x:%02x.%x", unsigned{segment}, unsigned{bus},
                                unsigned{device} & 0x1fU, unsigned{function} & 0x7U);
    return {buf.data(), static_cast<std::size_t>(n)};
}

}  // namespace xe_pfvf
