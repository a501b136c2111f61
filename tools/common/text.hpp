#pragma once

#include <span>
#include <string>
#include <string_view>

namespace xe_pfvf {

/// @p items with @p separator between each two.
[[nodiscard]] std::string join(std::span<const std::string> items, std::string_view separator);

}  // namespace xe_pfvf
