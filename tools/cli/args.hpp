#pragma once

// Command-line parsing of the xe-pfvf CLI: options (long, short, with or
// without a value), positional arguments, and the usage errors (exit 2).

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xe_pfvf::cli {

/// A usage error: the command line is wrong (exit status 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// One option a command takes.
struct OptionSpec {
    std::string_view name;       ///< long name without "--"
    char short_name = '\0';      ///< '\0' if none
    std::string_view value;      ///< name of its value ("SECONDS"); empty for a flag
    std::string_view help;
};

/// What a command line said.
class ParsedArgs {
public:
    /// The positional arguments, in order.
    [[nodiscard]] const std::vector<std::string>& positional() const noexcept { return positional_; }
    void add_positional(std::string arg) { positional_.push_back(std::move(arg)); }

    [[nodiscard]] bool flag(std::string_view name) const;
    /// The option's value, nullopt if not given.
    [[nodiscard]] std::optional<std::string> value(std::string_view name) const;
    /// The option's value as a number (parse_number()); a usage error if
    /// it is not one.
    [[nodiscard]] std::optional<std::uint64_t> number(std::string_view name) const;

    void set(std::string_view name, std::string value);

private:
    std::vector<std::string> positional_;
    std::map<std::string, std::string, std::less<>> options_;
};

/// Parses @args (the words after the command name) against @options.
/// "--name value", "--name=value", "-n value", "-nvalue", "-abc" for
/// flags, "--" ends the options.  Unknown options and missing values are
/// UsageErrors; positional arguments are not checked here.
[[nodiscard]] ParsedArgs parse_args(std::span<const std::string> args, std::span<const OptionSpec> options);

/// A positional number; a UsageError naming @what if it is not one.
[[nodiscard]] std::uint64_t number_arg(std::string_view text, std::string_view what);

}  // namespace xe_pfvf::cli
