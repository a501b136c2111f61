#include "parse.hpp"

#include <charconv>
#include <system_error>

namespace xe_pfvf {

std::optional<std::uint64_t> parse_uint(std::string_view text, int base) noexcept {
    std::uint64_t value = 0;
    const auto* const end = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
    if (ec != std::errc{} || ptr != end || text.empty()) {
        return std::nullopt;
    }
    return value;
}

}  // namespace xe_pfvf
