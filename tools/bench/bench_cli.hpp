#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

namespace xe_pfvf::bench {

inline constexpr int exit_ok = 0;     ///< report made (targets may be missed: that is reported, not an error)
inline constexpr int exit_input = 1;  ///< a log missing or malformed, a table missing, output not written
inline constexpr int exit_usage = 2;  ///< bad arguments

/// The xe-pfvf-bench-report command line; @p args excludes the program name.
/// The report goes to @p out, errors to @p err.
[[nodiscard]] int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

/// The --help text.
[[nodiscard]] std::string_view usage() noexcept;

}  // namespace xe_pfvf::bench
