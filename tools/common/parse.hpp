#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace xe_pfvf {

/// Parses the whole of @p text as an unsigned number in @p base.
/// Returns std::nullopt if it is empty, has anything else in it, or overflows.
[[nodiscard]] std::optional<std::uint64_t> parse_uint(std::string_view text, int base = 10) noexcept;

}  // namespace xe_pfvf
