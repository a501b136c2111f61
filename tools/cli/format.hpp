#pragma once

// Human output of the xe-pfvf CLI: numbers, sizes and aligned tables.

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace xe_pfvf::cli {

/// "0x1f000".
[[nodiscard]] std::string hex(std::uint64_t value);

/// A byte count for people: "512 B", "16 KiB", "8 MiB", "1.5 GiB" (binary
/// units; one decimal when not a whole number of them).
[[nodiscard]] std::string human_size(std::uint64_t bytes);

/// Parses a number as the CLI takes it: decimal, 0x-prefixed hex, with an
/// optional binary suffix K, M, G or T (KiB ...).  nullopt on anything else
/// or on overflow.
[[nodiscard]] std::optional<std::uint64_t> parse_number(std::string_view text) noexcept;

/// Column alignment.
enum class Align { left, right };

/// A text table: a header row, then rows, columns two spaces apart, as
/// `ip` and `lspci` print them.
class Table {
public:
    struct Column {
        std::string title;
        Align align = Align::left;
    };

    explicit Table(std::vector<Column> columns);

    /// Adds a row; it must have one cell per column.
    void add(std::vector<std::string> row);
    [[nodiscard]] bool empty() const noexcept { return rows_.empty(); }
    /// Prints the table, each line prefixed with @indent; the header row
    /// unless @header is false (key-value lists).
    void print(std::ostream& out, std::string_view indent = {}, bool header = true) const;

private:
    std::vector<Column> columns_;
    std::vector<std::vector<std::string>> rows_;
};

}  // namespace xe_pfvf::cli
