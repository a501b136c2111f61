#pragma once

// The command line of xe-pfvf-uapi-fuzz.

#include "runner.hpp"

#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace xe_pfvf::fuzz {

struct Help {};
struct UsageError {
    std::string message;
};
using Parsed = std::variant<Config, Help, UsageError>;

/// Parses the arguments after the program name.
[[nodiscard]] Parsed parse_args(std::span<const std::string_view> args);

/// The --help text.
[[nodiscard]] std::string_view usage() noexcept;

}  // namespace xe_pfvf::fuzz
