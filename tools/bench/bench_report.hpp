#pragma once

// Pure parts of xe-pfvf-bench-report: the `xe_pfvf_bench: csv=` lines of
// `make bench`'s guest logs in, tables, derived columns, figures checked
// against their targets, CSV, Markdown and gnuplot text out.  No I/O happens
// here (see bench_cli.hpp for that).

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::bench {

/// Input that is missing or malformed; what() names the log and line.
class InputError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};


/// One line of a table: its values in the order of the table's keys.
struct Row {
    std::vector<std::string> values;
    std::string origin;  ///< "<log>:<line>", for error messages
};

/// All `csv=<name>` lines seen, in log order.
struct Table {
    std::string name;
    std::vector<std::string> keys;  ///< from the first line; every line has the same
    std::vector<Row> rows;

    /// The index of @p key in keys, if it is there.
    [[nodiscard]] std::optional<std::size_t> column(std::string_view key) const noexcept;
    /// The value of @p key in @p row as text; throws InputError if the table has no such key.
    [[nodiscard]] std::string_view text(const Row& row, std::string_view key) const;
    /// The value of @p key in @p row as a number; throws InputError if the
    /// table has no such key or the value is not an unsigned integer.
    [[nodiscard]] double number(const Row& row, std::string_view key) const;
};

/// Collects the tables of one or more logs.
class Collector {
public:
    /// Adds the table lines of @p text, "xe_pfvf_bench: csv=<table> key=value
    /// ..." (anywhere in a line, and words between "xe_pfvf_bench: " and
    /// "csv=" are allowed), and ignores anything else; @p origin
    /// names the log in errors.  Throws InputError on a malformed csv line or
    /// one whose keys differ from the first line of its table.
    void add_log(std::string_view text, std::string_view origin);

    /// The tables in the order their first line was seen.
    [[nodiscard]] std::span<const Table> tables() const noexcept { return tables_; }
    /// The table named @p name, or nullptr.
    [[nodiscard]] const Table* find(std::string_view name) const noexcept;

private:
    void add_line(std::string_view body, const std::string& origin);

    std::vector<Table> tables_;
};

/// The tables `make bench` produces, in the order the report lists them.
[[nodiscard]] std::span<const std::string_view> known_tables() noexcept;

/// The keys the figures of table @p name need (empty for an unknown table).
[[nodiscard]] std::span<const std::string_view> required_keys(std::string_view name) noexcept;

/// Throws InputError unless @p table has every key required_keys() names.
void check_keys(const Table& table);

/// A column computed from a table's own columns, appended to its CSV.
struct DerivedColumn {
    std::string name;
    std::vector<double> values;  ///< one per row
};

/// The derived columns of a known table (none for an unknown one).  Throws
/// InputError when a key is missing, a value is not a number or a divisor is 0.
[[nodiscard]] std::vector<DerivedColumn> derive(const Table& table);

/// 1 s / 60: the frame time of a 60 Hz display, which a frame's share must
/// stay well inside.
inline constexpr double frame_period_ns = 1e9 / 60.0;

enum class Unit : std::uint8_t { ratio, percent, nanoseconds, picoseconds };
enum class Comparison : std::uint8_t { at_least, at_most, below };
enum class Verdict : std::uint8_t { met, missed, reported };

struct Target {
    Comparison comparison{Comparison::at_least};
    double bound{0};
};

/// One measured figure, with its target when it has one.
struct Figure {
    std::string table;
    std::string name;
    double value{0};
    Unit unit{Unit::ratio};
    std::optional<Target> target;

    [[nodiscard]] Verdict verdict() const noexcept;
};

/// The figures of a known table, with their targets (none for an unknown one).
[[nodiscard]] std::vector<Figure> figures(const Table& table);

/// "1.07x", "0.012%", "16.2 us", "830 ps".
[[nodiscard]] std::string format_value(double value, Unit unit);
/// ">= 100x", "<= 1.3x", "< 1%"; "" without a target.
[[nodiscard]] std::string format_target(const std::optional<Target>& target, Unit unit);
/// "yes", "NO" or "-" (reported only).
[[nodiscard]] std::string_view verdict_label(Verdict verdict) noexcept;

struct Tally {
    std::size_t met{0};
    std::size_t missed{0};
    std::size_t reported{0};
};
[[nodiscard]] Tally tally(std::span<const Figure> figures) noexcept;

/// The report: one aligned line per figure (figure, target, measured, met),
/// then "N figures: N met, N missed, N reported only".
[[nodiscard]] std::string render_text(std::span<const Figure> figures);
/// The same as a Markdown table, for the README.
[[nodiscard]] std::string render_markdown(std::span<const Figure> figures);
/// The same as JSON, for scripts: {"figures": [{"table", "name", "value",
/// "unit", "target": {"comparison", "bound"} or null, "verdict"}, ...],
/// "met", "missed", "reported"}.
[[nodiscard]] std::string render_json(std::span<const Figure> figures);

/// The table as CSV: a header of its keys then the derived columns' names,
/// one line per row.
[[nodiscard]] std::string render_csv(const Table& table, std::span<const DerivedColumn> derived);

/// A gnuplot script, run from the directory of the CSVs.
struct Plot {
    std::string script_name;  ///< "frame.gp"
    std::string image_name;   ///< "frame.png"
    std::string text;
};

/// The plots of a known table with rows (frame, scale, revoke); none else.
/// The script reads "<table>.csv" and writes image_name, with the pngcairo
/// terminal where gnuplot has it and png where not.
[[nodiscard]] std::vector<Plot> plots(const Table& table, std::span<const DerivedColumn> derived);

}  // namespace xe_pfvf::bench
