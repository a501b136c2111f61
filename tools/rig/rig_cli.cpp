#include "rig_cli.hpp"

#include "file_io.hpp"
#include "rig_report.hpp"

#include <algorithm>
#include <cerrno>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace xe_pfvf::rig {

namespace {

constexpr std::string_view usage_text =
    "usage:\n"
    "  xe-pfvf-rig report --lane NAME --console FILE --results FILE\n"
    "                     [--kunit-suite NAME]... [--require-done]\n"
    "  xe-pfvf-rig sum FILE...\n"
    "  xe-pfvf-rig --help\n"
    "\n"
    "report  turns one lane's guest results file and kernel console log into\n"
    "        'PASS|FAIL|SKIP <lane>/<test>' lines and a final\n"
    "        '<lane>: N passed, N failed, N skipped' line.\n"
    "        --lane NAME         lane name used as the test-name prefix\n"
    "        --console FILE      kernel serial console log (KUnit KTAP, splats)\n"
    "        --results FILE      guest 'RESULT <name> <PASS|FAIL|SKIP> [detail]' / 'DONE' lines\n"
    "        --kunit-suite NAME  fail if this KUnit suite never ran (repeatable)\n"
    "        --require-done      fail unless the results file has a DONE line\n"
    "sum     adds up the summary lines of saved report outputs and prints\n"
    "        'N passed, N failed, N skipped'; a file without one counts as a failure.\n"
    "\n"
    "exit status: 0 no failures, 1 failures, 2 usage error\n";

/// Thrown for bad command lines; the message goes to stderr.
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct ReportArgs {
    std::string lane;
    std::string console;
    std::string results;
    ReportOptions options;
};

[[nodiscard]] bool is_help(std::string_view arg) noexcept { return arg == "--help" || arg == "-h"; }

/// Reads the value of "--opt VALUE" or "--opt=VALUE"; `index` points at the option.
[[nodiscard]] std::string option_value(std::span<const std::string_view> args, std::size_t& index,
                                       std::string_view option) {
    const std::string_view arg = args[index];
    if (arg.size() > option.size() && arg[option.size()] == '=') {
        return std::string(arg.substr(option.size() + 1));
    }
    if (index + 1 >= args.size()) {
        throw UsageError("option " + std::string(option) + " needs a value");
    }
    ++index;
    return std::string(args[index]);
}

[[nodiscard]] bool names_option(std::string_view arg, std::string_view option) noexcept {
    return arg == option || (arg.starts_with(option) && arg.size() > option.size() &&
                             arg[option.size()] == '=');
}

void set_once(std::string& target, std::string value, std::string_view option) {
    if (!target.empty()) {
        throw UsageError("option " + std::string(option) + " given twice");
    }
    if (value.empty()) {
        throw UsageError("option " + std::string(option) + " needs a non-empty value");
    }
    target = std::move(value);
}

[[nodiscard]] ReportArgs parse_report_args(std::span<const std::string_view> args) {
    ReportArgs parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        if (names_option(arg, "--lane")) {
            set_once(parsed.lane, option_value(args, i, "--lane"), "--lane");
        } else if (names_option(arg, "--console")) {
            set_once(parsed.console, option_value(args, i, "--console"), "--console");
        } else if (names_option(arg, "--results")) {
            set_once(parsed.results, option_value(args, i, "--results"), "--results");
        } else if (names_option(arg, "--kunit-suite")) {
            auto name = option_value(args, i, "--kunit-suite");
            if (name.empty()) {
                throw UsageError("option --kunit-suite needs a non-empty value");
            }
            parsed.options.required_suites.push_back(std::move(name));
        } else if (arg == "--require-done") {
            parsed.options.require_done = true;
        } else {
            throw UsageError("unexpected argument '" + std::string(arg) + "'");
        }
    }
    if (parsed.lane.empty() || parsed.console.empty() || parsed.results.empty()) {
        throw UsageError("report needs --lane, --console and --results");
    }
    if (std::ranges::any_of(parsed.lane, [](char c) {
            return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':';
        })) {
        throw UsageError("lane name must not contain blanks or ':'");
    }
    return parsed;
}

[[nodiscard]] int run_report(std::span<const std::string_view> args, std::ostream& out,
                             std::ostream& err) {
    const ReportArgs parsed = parse_report_args(args);
    const std::string console = read_text_file(parsed.console);
    std::optional<std::string> results;
    try {
        results = read_text_file(parsed.results);
    } catch (const std::system_error& error) {
        if (!parsed.options.require_done || error.code() != std::errc::no_such_file_or_directory) {
            throw;
        }
        err << "xe-pfvf-rig: " << error.what() << " (counted as guest not finished)\n";
    }

    const Report report = build_report(console, results, parsed.options);
    for (const auto& warning : report.warnings) {
        err << "xe-pfvf-rig: " << parsed.lane << ": " << warning << '\n';
    }
    out << format_report(parsed.lane, report.tests);
    return count(report.tests).failed == 0 ? exit_ok : exit_failures;
}

[[nodiscard]] int run_sum(std::span<const std::string_view> files, std::ostream& out,
                          std::ostream& err) {
    if (files.empty()) {
        throw UsageError("sum needs at least one FILE");
    }
    Counts total;
    for (const auto file : files) {
        std::vector<LaneSummary> summaries;
        try {
            summaries = parse_summaries(read_text_file(std::string(file)));
        } catch (const std::system_error& error) {
            err << "xe-pfvf-rig: " << error.what() << '\n';
        }
        if (summaries.empty()) {
            out << "FAIL " << file << ": no summary (lane did not run)\n";
            ++total.failed;
            continue;
        }
        for (const auto& summary : summaries) {
            out << summary.lane << ": " << format_counts(summary.counts) << '\n';
            total += summary.counts;
        }
    }
    out << format_counts(total) << '\n';
    return total.failed == 0 ? exit_ok : exit_failures;
}

}  // namespace

std::string_view usage() noexcept { return usage_text; }

int run(std::span<const std::string_view> args, std::ostream& out, std::ostream& err) {
    try {
        if (args.empty()) {
            throw UsageError("missing subcommand");
        }
        if (std::ranges::any_of(args, is_help)) {
            out << usage_text;
            return exit_ok;
        }
        const std::string_view command = args.front();
        const auto rest = args.subspan(1);
        if (command == "report") {
            return run_report(rest, out, err);
        }
        if (command == "sum") {
            return run_sum(rest, out, err);
        }
        throw UsageError("unknown subcommand '" + std::string(command) + "'");
    } catch (const UsageError& error) {
        err << "xe-pfvf-rig: " << error.what() << "\n\n" << usage_text;
    } catch (const std::system_error& error) {
        err << "xe-pfvf-rig: " << error.what() << '\n';
    }
    return exit_usage;
}

}  // namespace xe_pfvf::rig
