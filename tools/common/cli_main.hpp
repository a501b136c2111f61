#pragma once

#include <iosfwd>
#include <span>
#include <string_view>

namespace xe_pfvf {

/// A tool's entry point, testable: arguments without the program name.
using CliRun = int (*)(std::span<const std::string_view> args, std::ostream& out, std::ostream& err);

/// main() of a tool: runs @p run over argv[1..] on std::cout and std::cerr.
/// An exception that escapes is printed as "<program>: <what>" and ends
/// the program with @p exit_on_exception.
[[nodiscard]] int cli_main(int argc, char** argv, std::string_view program, CliRun run,
                           int exit_on_exception) noexcept;

}  // namespace xe_pfvf
