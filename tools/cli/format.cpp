#include "format.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>
#include <stdexcept>
#include <utility>

namespace xe_pfvf::cli {

std::string hex(std::uint64_t value) {
    std::array<char, 16> digits{};
    const auto [end, ec] = std::to_chars(digits.begin(), digits.end(), value, 16);
    static_cast<void>(ec);  // 16 digits always suffice
    return "0x" + std::string(digits.begin(), end);
}

std::string human_size(std::uint64_t bytes) {
    static constexpr std::array<std::string_view, 5> units{"B", "KiB", "MiB", "GiB", "TiB"};
    std::size_t unit = 0;
    std::uint64_t whole = bytes;
    while (unit + 1 < units.size() && whole >= 1024) {
        whole /= 1024;
        ++unit;
    }
    const std::uint64_t scale = 1ULL << (10U * unit);
    if (bytes % scale == 0) {
        return std::to_string(bytes / scale) + " " + std::string(units.at(unit));
    }
    std::array<char, 32> buf{};
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-vararg): snprintf for one decimal
    const int n = std::snprintf(buf.data(), buf.size(), "%.1f %s",
                                static_cast<double>(bytes) / static_cast<double>(scale), units.at(unit).data());
    return {buf.data(), static_cast<std::size_t>(n)};
}

std::optional<std::uint64_t> parse_number(std::string_view text) noexcept {
    unsigned shift = 0;
    if (!text.empty()) {
        switch (text.back()) {
        case 'K':
        case 'k':
            shift = 10;
            break;
        case 'M':
        case 'm':
            shift = 20;
            break;
        case 'G':
        case 'g':
            shift = 30;
            break;
        case 'T':
        case 't':
            shift = 40;
            break;
        default:
            break;
        }
        if (shift != 0) {
            text.remove_suffix(1);
        }
    }
    int base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        base = 16;
        text.remove_prefix(2);
    }
    if (text.empty()) {
        return std::nullopt;
    }
    std::uint64_t value = 0;
    const char* const end = text.data() + text.size();  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    const auto [ptr, ec] = std::from_chars(text.data(), end, value, base);
    if (ec != std::errc{} || ptr != end) {
        return std::nullopt;
    }
    if (shift != 0 && value > (std::numeric_limits<std::uint64_t>::max() >> shift)) {
        return std::nullopt;
    }
    return value << shift;
}

Table::Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

void Table::add(std::vector<std::string> row) {
    if (row.size() != columns_.size()) {
        throw std::logic_error("table row of " + std::to_string(row.size()) + " cells, want " +
                               std::to_string(columns_.size()));
    }
    rows_.push_back(std::move(row));
}

void Table::print(std::ostream& out, std::string_view indent, bool header) const {
    std::vector<std::size_t> width(columns_.size());
    for (std::size_t c = 0; c < columns_.size(); ++c) {
        width[c] = header ? columns_[c].title.size() : 0;
        for (const auto& row : rows_) {
            width[c] = std::max(width[c], row[c].size());
        }
    }
    const auto line = [&](const auto& cell_of) {
        std::string text(indent);
        for (std::size_t c = 0; c < columns_.size(); ++c) {
            const std::string& cell = cell_of(c);
            const std::string pad(width[c] - cell.size(), ' ');
            const bool last = c + 1 == columns_.size();
            if (columns_[c].align == Align::right) {
                text += pad + cell;
            } else {
                text += cell;
                if (!last) {
                    text += pad;
                }
            }
            if (!last) {
                text += "  ";
            }
        }
        out << text << '\n';
    };
    if (header) {
        line([&](std::size_t c) -> const std::string& { return columns_[c].title; });
    }
    for (const auto& row : rows_) {
        line([&](std::size_t c) -> const std::string& { return row[c]; });
    }
}

}  // namespace xe_pfvf::cli
