#pragma once

// Pure parsers for xe-pfvf-rig: they take the text of a VM run's outputs and
// return plain structs. No I/O happens here (see rig_cli.hpp for that).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::rig {

enum class Status : std::uint8_t { pass, fail, skip };

/// "PASS", "FAIL" or "SKIP".
[[nodiscard]] std::string_view status_label(Status status) noexcept;

/// Upper bound of indented detail lines printed under one FAIL line.
inline constexpr std::size_t max_detail_lines = 40;
/// Lines kept after the first line of each kernel splat.
inline constexpr std::size_t splat_context_lines = 15;

struct TestResult {
    std::string name;                       ///< without the "<lane>/" prefix
    Status status{Status::pass};
    std::string detail;                     ///< printed as "  (<detail>)" when not empty
    std::vector<std::string> detail_lines;  ///< printed indented under FAIL lines

    friend bool operator==(const TestResult&, const TestResult&) = default;
};

struct Counts {
    std::size_t passed{0};
    std::size_t failed{0};
    std::size_t skipped{0};

    void add(Status status) noexcept;
    Counts& operator+=(const Counts& other) noexcept;
    friend bool operator==(const Counts&, const Counts&) = default;
};

[[nodiscard]] Counts count(std::span<const TestResult> tests) noexcept;

/// Splits text into lines on '\n' (a final line without '\n' is kept).
[[nodiscard]] std::vector<std::string_view> split_lines(std::string_view text);

/// Strips a console line's trailing '\r's, leading '\r's and the printk
/// prefix "[    5.123456] " (optionally followed by a caller id "[    T1] ").
/// Indentation after the prefix is kept.
[[nodiscard]] std::string_view strip_console_prefix(std::string_view line) noexcept;

// ---------------------------------------------------------------- results file

struct GuestResults {
    std::vector<TestResult> tests;     ///< one per RESULT line, in file order
    bool done{false};                  ///< a "DONE" line was seen
    std::vector<std::string> warnings; ///< RESULT lines that could not be used
};

/// Parses "RESULT <name> <PASS|FAIL|SKIP> [detail]" and "DONE" lines; anything
/// else is ignored. A RESULT line with a bad or missing status becomes a FAIL.
[[nodiscard]] GuestResults parse_results(std::string_view text);

// ----------------------------------------------------------------- KUnit KTAP

/// One classified (already prefix-stripped) KTAP line.
struct KtapLine {
    enum class Kind : std::uint8_t { version, subtest, plan, result, other };

    Kind kind{Kind::other};
    std::size_t indent{0};        ///< leading spaces
    std::string_view body;        ///< text after the indentation, right-trimmed
    bool ok{false};               ///< result: "ok" (true) or "not ok"
    std::string_view name;        ///< result description or subtest name
    std::string_view directive;   ///< result: text after '#', e.g. "SKIP reason"
    std::size_t plan{0};          ///< plan: N of "1..N"
};

[[nodiscard]] KtapLine classify_ktap(std::string_view stripped) noexcept;

/// The reason of a "SKIP reason" directive, or nullopt if it isn't a SKIP.
[[nodiscard]] std::optional<std::string_view> skip_reason(std::string_view directive) noexcept;

struct KunitSuite {
    std::string name;
    std::size_t occurrence{1};           ///< 2 for the second time the same suite ran...
    std::optional<std::size_t> planned;  ///< N of the suite's "1..N"
    bool finished{false};                ///< the suite's own ok/not ok line was seen
    bool suite_ok{true};                 ///< that line said "ok"
    std::vector<TestResult> cases;       ///< names are the bare case names
    std::vector<std::string> leftover;   ///< lines after the last case result

    /// "name" or "name#2", "name#3"...
    [[nodiscard]] std::string display_name() const;
    /// Output stopped before all cases were reported (e.g. the kernel crashed).
    [[nodiscard]] bool incomplete() const noexcept;
};

/// Extracts every KUnit suite (indented KTAP subtest) from a console log.
[[nodiscard]] std::vector<KunitSuite> parse_kunit(std::string_view console);

/// One test per case ("kunit/<suite>/<case>"), plus "kunit/<suite>/incomplete",
/// "kunit/<suite>/suite" (suite not ok without a failing case) and
/// "kunit/<name>/missing" for each required suite that never ran.
[[nodiscard]] std::vector<TestResult> kunit_tests(std::span<const KunitSuite> suites,
                                                  std::span<const std::string> required);

// ------------------------------------------------------------- kernel splats

struct Splat {
    std::string_view pattern;        ///< the pattern that matched the first line
    std::vector<std::string> lines;  ///< first line + up to splat_context_lines more
};

/// The splat pattern matched by one prefix-stripped console line, if any.
/// KUnit diagnostic lines (first non-blank character '#') never match.
[[nodiscard]] std::optional<std::string_view> match_splat(std::string_view stripped) noexcept;

[[nodiscard]] std::vector<Splat> find_splats(std::string_view console);

/// The "kernel-log-clean" test for the given splats.
[[nodiscard]] TestResult kernel_log_test(std::span<const Splat> splats);

// --------------------------------------------------------------------- report

struct ReportOptions {
    std::vector<std::string> required_suites;
    bool require_done{false};
};

struct Report {
    std::vector<TestResult> tests;
    std::vector<std::string> warnings;  ///< diagnostics for stderr
};

/// Combines everything. `results` is nullopt when the results file is missing.
[[nodiscard]] Report build_report(std::string_view console,
                                  std::optional<std::string_view> results,
                                  const ReportOptions& options);

/// "N passed, N failed, N skipped"
[[nodiscard]] std::string format_counts(const Counts& counts);

/// The report's stdout text: one line per test then "<lane>: <counts>".
[[nodiscard]] std::string format_report(std::string_view lane, std::span<const TestResult> tests);

// ----------------------------------------------------------------------- sum

struct LaneSummary {
    std::string lane;
    Counts counts;

    friend bool operator==(const LaneSummary&, const LaneSummary&) = default;
};

/// Parses "<lane>: N passed, N failed, N skipped" (exactly, no indentation).
[[nodiscard]] std::optional<LaneSummary> parse_summary_line(std::string_view line);

/// Every summary line of a captured report output.
[[nodiscard]] std::vector<LaneSummary> parse_summaries(std::string_view text);

}  // namespace xe_pfvf::rig
