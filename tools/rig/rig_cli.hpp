#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

namespace xe_pfvf::rig {

inline constexpr int exit_ok = 0;        ///< no failures
inline constexpr int exit_failures = 1;  ///< at least one FAIL
inline constexpr int exit_usage = 2;     ///< bad arguments or unreadable input

/// The xe-pfvf-rig command line; `args` excludes the program name.
/// Test lines go to `out`, diagnostics and usage errors to `err`.
[[nodiscard]] int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

/// The --help text.
[[nodiscard]] std::string_view usage() noexcept;

}  // namespace xe_pfvf::rig
